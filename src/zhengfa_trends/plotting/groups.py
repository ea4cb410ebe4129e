"""Figures of the period and facet tables: period term panels and the facet small multiples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..config import default
from . import labels
from .layout import (
    CM,
    figure_size,
    fit_text,
    grid_shape,
    hide_unused,
    max_side_inches,
    panel_width_pt,
    series_styles,
    set_year_axis,
    text_width_pt,
)
from .trends import draw_series

# Height of one bar (facet value) in the one-period facet figure, in cm.
BAR_ROW_CM = 0.36


def _time_key(table: pd.DataFrame) -> str:
    return "year" if "year" in table.columns else "period"


def _facet_counts(table: pd.DataFrame) -> dict[str, int]:
    """Documents of each facet value (over all years or periods; one theme's rows suffice)."""
    first_theme = table["theme"].iloc[0]
    rows = table[table["theme"] == first_theme]
    return rows.groupby("facet_value", sort=False)["n_docs"].sum().astype(int).to_dict()


def plot_facet_trends(
    facet_shares: pd.DataFrame,
    language: str = default("figures.language"),
    min_docs: int = default("trends.min_docs"),
    dpi: float = default("figures.dpi"),
    width_cm: float = 17.0,
) -> Figure:
    """Theme shares per facet value (``theme_share_by_facet.tsv``).

    With several years (or periods): one small panel per facet value, the themes as lines with
    their bands on shared axes.  Where the corpus covers one year or one period: one panel per
    theme, a horizontal bar per facet value with its interval (hollow bars: fewer than
    ``min_docs`` documents).

    Parameters
    ----------
    facet_shares : DataFrame
        ``facet, facet_value, theme, year | period, first, last, share, ci_low, ci_high, n_docs, small_n``.
    language : {"zh", "en"}
    min_docs : int
    dpi : float
        The dpi the figure will be saved at.
    width_cm : float

    Returns
    -------
    Figure
    """
    text = labels(language)
    key = _time_key(facet_shares)
    facet = str(facet_shares["facet"].iloc[0])
    values = list(dict.fromkeys(facet_shares["facet_value"]))
    themes = list(dict.fromkeys(facet_shares["theme"]))
    counts = _facet_counts(facet_shares)
    if facet_shares[key].nunique() == 1:
        return _facet_bars(facet_shares, facet, values, themes, counts, text, min_docs, dpi, width_cm)
    styles = series_styles(len(themes))
    nrows, ncols = grid_shape(len(values), max_cols=5)
    limit_cm = max_side_inches(dpi) / CM
    panel_cm = min(4.0, (limit_cm - 3.5) / nrows)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=figure_size(width_cm, nrows * panel_cm + 3.5, dpi),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.flat:
        ax.set_autoscale_on(False)
    title_pt = panel_width_pt(fig, ncols)
    if key == "year":
        first, last = int(facet_shares["year"].min()), int(facet_shares["year"].max())
    else:
        periods = facet_shares.drop_duplicates("period").sort_values("first")
        positions = {p: i for i, p in enumerate(periods["period"])}
        first, last = 0, len(positions) - 1
    by_value = dict(tuple(facet_shares.groupby("facet_value", sort=False)))
    handles = []
    for index, value in enumerate(values):
        ax = axes.flat[index]
        rows = by_value[value]
        if key == "period":
            rows = rows.assign(year=rows["period"].map(positions))
        n_points = last - first + 1
        for number, theme in enumerate(themes):
            # With few points, the themes' error bars sit side by side instead of on top of each other.
            offset = 0.08 * (number - (len(themes) - 1) / 2) if n_points <= 12 and len(themes) <= 5 else 0.0
            handle = draw_series(ax, rows[rows["theme"] == theme], styles[number], theme, offset=offset)
            if index == 0:
                handles.append(handle)
        ax.set_title(fit_text(f"{value} (n={counts.get(value, 0)})", title_pt, 7), fontsize=7)
        if key == "year":
            set_year_axis(ax, first, last)
        else:
            ax.set_xlim(-0.5, last + 0.5)
            ax.set_xticks(range(len(positions)))
            widest = max(text_width_pt(str(p), 5.5) for p in positions)
            crowded = widest * 1.3 * len(positions) > title_pt
            ax.set_xticklabels(list(positions), fontsize=5.5, rotation=90 if crowded else 0)
        ax.tick_params(axis="x", labelsize=6)
    hide_unused(axes, len(values))
    # Year labels only where no panel is below (the others share the same years).
    for index in range(len(values)):
        if index + ncols < len(values):
            axes.flat[index].tick_params(axis="x", which="both", labelbottom=False)
    shares = facet_shares[["share", "ci_low", "ci_high"]].to_numpy(dtype=float)
    top = np.nanmax(shares) if np.isfinite(shares).any() else 0
    axes.flat[0].set_ylim(0, top * 1.08 if top > 0 else 1)
    for ax in axes[:, 0]:
        ax.set_ylabel(text["theme_share"], fontsize=7)
    if facet_shares["small_n"].astype(bool).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="0.3",
                markersize=3.5,
                label=text["small_n"].format(min_docs=min_docs),
            )
        )
    fig.suptitle(text["facet_title"].format(facet=facet))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)))
    return fig


def _facet_bars(table, facet, values, themes, counts, text, min_docs, dpi, width_cm) -> Figure:
    """One period (or year): a panel per theme, a bar per facet value with its interval."""
    nrows, ncols = grid_shape(len(themes), max_cols=4)
    limit_cm = max_side_inches(dpi) / CM
    panel_cm = min(BAR_ROW_CM * len(values) + 1.6, (limit_cm - 2.5) / nrows)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=figure_size(width_cm, nrows * panel_cm + 2.5, dpi),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    styles = series_styles(len(themes))
    positions = np.arange(len(values))
    names = [f"{v} ({counts.get(v, 0)})" for v in values]
    label_size = 6.5 if len(values) <= 20 else 5.5
    title_pt = panel_width_pt(fig, ncols)
    for index, theme in enumerate(themes):
        ax = axes.flat[index]
        rows = table[table["theme"] == theme].set_index("facet_value").reindex(values)
        share = rows["share"].to_numpy(dtype=float)
        low = np.clip(share - rows["ci_low"].to_numpy(dtype=float), 0, None)
        high = np.clip(rows["ci_high"].to_numpy(dtype=float) - share, 0, None)
        small = rows["small_n"].fillna(False).astype(bool).to_numpy()
        color = styles[index]["color"]
        ax.barh(positions[~small], share[~small], color=color, height=0.7, linewidth=0)
        ax.barh(positions[small], share[small], facecolor="white", edgecolor=color, height=0.7, linewidth=0.8)
        ax.errorbar(
            share,
            positions,
            xerr=[np.nan_to_num(low), np.nan_to_num(high)],
            fmt="none",
            ecolor="0.2",
            elinewidth=0.7,
            capsize=1.5,
        )
        ax.set_title(fit_text(theme, title_pt, 7.5), fontsize=7.5)
        ax.set_yticks(positions)
        ax.set_yticklabels(names, fontsize=label_size)
        ax.set_ylim(len(values) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3 if ncols >= 3 else 4))
        ax.tick_params(axis="x", labelsize=6)
    hide_unused(axes, len(themes))
    for col in range(min(ncols, len(themes))):
        lowest = max(i for i in range(len(themes)) if i % ncols == col)
        axes.flat[lowest].set_xlabel(text["theme_share"], fontsize=6.5)
    key = _time_key(table)
    when = str(table[key].iloc[0])
    fig.suptitle(text["facet_bars_title"].format(facet=facet, when=when))
    if table["small_n"].astype(bool).any():
        fig.legend(
            handles=[
                Patch(
                    facecolor="white", edgecolor="0.3", label=text["small_n_bars"].format(min_docs=min_docs)
                )
            ],
            loc="outside lower center",
        )
    return fig


# Which table each group figure is drawn from (the output names of rule summarise_groups).
GROUP_FIGURE_TABLES = {
    "tfidf_by_period": "top_terms_periods",
    "emerging_terms_by_period": "keyness_periods",
    "facet_trends": "theme_facets",
}


def plot_group_figures_step(
    names: Sequence[str], inputs: Mapping[str, str], figure_paths: Sequence[str], options: Mapping
) -> None:
    """Rule ``plot_group_figures``: ``tfidf_by_period``, ``emerging_terms_by_period``, ``facet_trends``
    (drawn by :func:`zhengfa_trends.plotting.figures.draw_figure`).

    ``inputs`` holds the group tables by output name (:data:`GROUP_FIGURE_TABLES`) and ``style``;
    ``figure_paths`` every file, named ``<figure>.<format>``.
    """
    from ..io import read_tsv
    from . import save_figure, style_context
    from .figures import FigureTables, draw_figure

    with style_context(inputs["style"]):
        for name in names:
            table = read_tsv(inputs[GROUP_FIGURE_TABLES[name]], dtype={"facet_value": str, "period": str})
            fig = draw_figure(name, FigureTables(table), options)
            paths = {Path(p).suffix.lstrip("."): str(p) for p in figure_paths if Path(p).stem == name}
            save_figure(fig, paths, dpi=options["dpi"], stamp=options.get("stamp"))


__all__ = ["plot_facet_trends", "plot_group_figures_step", "text_width_pt"]
