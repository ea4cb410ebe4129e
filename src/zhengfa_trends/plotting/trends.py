"""Line charts of yearly theme and topic shares with interval bands.

Every figure here scales from one year to many decades: year labels are thinned to what fits
(:class:`~zhengfa_trends.plotting.layout.YearLocator`), documents per year are small bars under the
panels, more than :data:`MAX_THEMES_ONE_PANEL` themes get one panel each, and topic grids grow up to
:data:`MAX_TOPIC_PANELS` panels within the figure-size bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..config import default
from . import labels
from .layout import (
    CM,
    NO_DOCS_GREY,
    add_document_strip,
    figure_size,
    fit_text,
    grid_shape,
    hide_unused,
    max_side_inches,
    panel_width_pt,
    series_styles,
    set_year_axis,
    shade_missing_years,
)

SINGLE_COLUMN_CM = 8.5
# Up to this many themes share one panel; more get one small panel each.
MAX_THEMES_ONE_PANEL = 5
# At most this many topic panels in topic_trends (the largest topics by mean share beyond it).
MAX_TOPIC_PANELS = 40
# Height of the document strip under a panel, in cm.
STRIP_CM = 0.55


def year_axis(years_present: list[int]) -> list[int]:
    """Every calendar year from the first to the last year with data (gaps stay visible)."""
    if not years_present:
        return []
    return list(range(min(years_present), max(years_present) + 1))


def draw_series(ax: Axes, series: pd.DataFrame, style: dict, label: str, offset: float = 0.0) -> Line2D:
    """One yearly series: a line broken at years without data, its band, hollow markers if small_n.

    A year standing alone (no neighbour with data) has no band width: its interval is an error bar.
    Only intervals over documents (``ci_unit`` documents) are drawn as a band or solid bar;
    intervals over the passages of fewer than ``min_docs`` documents (``ci_unit`` passages:
    within-document variation only, not an interval of the year's rate) are thin dotted bars
    without a band; ``ci_unit`` none draws no interval.  ``offset`` shifts the series sideways (in
    years) so that the error bars of several series in one lone year do not hide each other.  One
    artist per kind (not per run of years), so that seventy years in forty panels still draw in
    about a second.

    Returns
    -------
    Line2D
        A legend handle showing the series' colour, line style and marker.
    """
    series = series.sort_values("year")
    if "ci_unit" not in series:
        series = series.assign(ci_unit="documents")
    years = series["year"].astype(int).to_numpy()
    color, linestyle, marker = style["color"], style["linestyle"], style["marker"]
    handle = Line2D([], [], color=color, linestyle=linestyle, marker=marker, markersize=3.5, label=label)
    if len(years) == 0:
        return handle
    indexed = series.set_index(series["year"].astype(int))
    full = np.arange(years.min(), years.max() + 1)
    share = indexed["share"].reindex(full).to_numpy(dtype=float)
    by_documents = (indexed["ci_unit"] == "documents").reindex(full, fill_value=False).to_numpy()
    low = np.where(by_documents, indexed["ci_low"].reindex(full).to_numpy(dtype=float), np.nan)
    high = np.where(by_documents, indexed["ci_high"].reindex(full).to_numpy(dtype=float), np.nan)
    x = full + offset
    # NaN at the years without data breaks the line and the band there: never interpolated.
    ax.plot(x, share, color=color, linestyle=linestyle, linewidth=1.2, label=label)
    ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0)
    banded = set(full[by_documents].tolist())
    lone = np.array([y for y in sorted(banded) if y - 1 not in banded and y + 1 not in banded], dtype=int)
    if len(lone):
        rows = indexed.loc[lone]
        ax.errorbar(
            lone + offset,
            rows["share"],
            # clipped: a percentile interval need not contain the estimate itself
            yerr=np.clip([rows["share"] - rows["ci_low"], rows["ci_high"] - rows["share"]], 0, None),
            fmt="none",
            ecolor=color,
            elinewidth=1.0,
            capsize=2,
        )
    by_passages = indexed[(indexed["ci_unit"] == "passages") & indexed["ci_low"].notna()]
    if not by_passages.empty:
        bars = ax.errorbar(
            by_passages.index.to_numpy(dtype=float) + offset,
            by_passages["share"],
            yerr=[
                by_passages["share"] - by_passages["ci_low"],
                by_passages["ci_high"] - by_passages["share"],
            ],
            fmt="none",
            ecolor=color,
            elinewidth=0.8,
            capsize=0,
        )
        bars.lines[2][0].set_linestyle(":")
    small = series["small_n"].astype(bool).to_numpy()
    xs = years + offset
    values = series["share"].to_numpy(dtype=float)
    size = 14 if len(full) <= 20 else 6
    ax.scatter(xs[~small], values[~small], color=color, marker=marker, s=size, zorder=3, linewidths=0)
    ax.scatter(
        xs[small],
        values[small],
        facecolor="white",
        edgecolor=color,
        marker=marker,
        s=size,
        zorder=3,
        linewidths=0.8,
    )
    return handle


def _counts(table: pd.DataFrame) -> dict[int, int]:
    per_year = table.drop_duplicates("year").set_index("year")["n_docs"]
    return {int(year): int(n) for year, n in per_year.items()}


def _bottom_of_each_column(n_panels: int, ncols: int) -> list[int]:
    """Index of the lowest used panel of every column (where the year labels and the strip go)."""
    return [max(i for i in range(n_panels) if i % ncols == col) for col in range(min(ncols, n_panels))]


def _strip_into_empty_cell(strip: Axes, index: int, n_panels: int, ncols: int) -> None:
    """A strip under a panel that is not in the bottom row hangs into the empty cell below it.

    Left in the layout, it would make the layout open a gap under that whole row.
    """
    nrows = int(np.ceil(n_panels / ncols))
    if index // ncols < nrows - 1:
        strip.set_in_layout(False)


def _legend_extras(handles: list, table: pd.DataFrame, counts: dict, first: int, last: int, text, min_docs):
    if table["small_n"].astype(bool).any():
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
    if any(year not in counts for year in range(first, last + 1)):
        handles.append(Patch(facecolor=NO_DOCS_GREY, edgecolor="none", label=text["no_docs_shaded"]))
    return handles


def _panel_grid(n_panels: int, ncols: int, width_cm: float, panel_cm: float, dpi: float, extra_cm: float):
    """A grid of shared-axes panels sized within the pixel bound: ``(fig, axes, nrows)``."""
    nrows = int(np.ceil(n_panels / ncols))
    limit_cm = max_side_inches(dpi) / CM
    panel_cm = min(panel_cm, (limit_cm - extra_cm) / nrows)
    # Shared y, not shared x: shared axes share their tick locators, and the year axis is set
    # per panel (same limits everywhere, minor year ticks only on the document strips).
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=figure_size(width_cm, nrows * panel_cm + extra_cm, dpi),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.flat:
        # Limits are set once from the data: autoscaling forty shared panels after every artist
        # is quadratic in the number of panels.
        ax.set_autoscale_on(False)
    return fig, axes, panel_cm


def _share_limits(table: pd.DataFrame) -> tuple[float, float]:
    """``(0, top)`` covering every share and interval of ``table``, with a little headroom.

    Passage-level bars (``ci_unit`` passages, years with fewer than ``min_docs`` documents) can be
    many times the share when a few passages carry all hits; they are covered only up to 1.6 times
    the largest share (or the top of the document-level intervals), and may run off the top.
    """
    values = table[["share", "ci_low", "ci_high"]].to_numpy(dtype=float)
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    if "ci_unit" in table and top > 0:
        shares = table["share"].to_numpy(dtype=float)
        documents = table.loc[table["ci_unit"] != "passages", ["share", "ci_low", "ci_high"]].to_numpy(
            dtype=float
        )
        cap = max(
            1.6 * (np.nanmax(shares) if np.isfinite(shares).any() else 0.0),
            np.nanmax(documents) if np.isfinite(documents).any() else 0.0,
        )
        if cap > 0:
            top = min(top, cap)
    return 0.0, float(top) * 1.08 if top > 0 else 1.0


def plot_theme_trends(
    theme_shares: pd.DataFrame,
    language: str = default("figures.language"),
    min_docs: int = default("trends.min_docs"),
    width_cm: float | None = None,
    dpi: float = default("figures.dpi"),
) -> Figure:
    """Keyword-theme share per 1,000 tokens by year, with interval bands.

    Up to :data:`MAX_THEMES_ONE_PANEL` themes share one panel (one line each, styles that never
    repeat); more themes get one small panel each, on shared axes.  Documents per year are small
    bars under the panels; years without documents are shaded.

    Parameters
    ----------
    theme_shares : DataFrame
        ``theme_share_by_year.tsv`` (theme, year, share, ci_low, ci_high, n_docs, small_n).
    language : {"zh", "en"}
    min_docs : int
        The ``small_n`` threshold, quoted in the legend.
    width_cm : float, optional
        8.5 cm (one column) for one panel, 17 cm for small multiples.
    dpi : float
        The dpi the figure will be saved at (keeps every side within the pixel bound).

    Returns
    -------
    Figure
    """
    text = labels(language)
    themes = list(dict.fromkeys(theme_shares["theme"]))
    counts = _counts(theme_shares)
    axis_years = year_axis(list(counts))
    first, last = (axis_years[0], axis_years[-1]) if axis_years else (0, 0)
    missing = [y for y in axis_years if y not in counts]
    styles = series_styles(len(themes))
    if len(themes) <= MAX_THEMES_ONE_PANEL:
        width_cm = width_cm or SINGLE_COLUMN_CM
        fig, ax = plt.subplots(figsize=figure_size(width_cm, width_cm * 0.95, dpi), layout="constrained")
        handles = []
        for index, theme in enumerate(themes):
            offset = 0.08 * (index - (len(themes) - 1) / 2) if len(axis_years) <= 12 else 0.0
            rows = theme_shares[theme_shares["theme"] == theme]
            handles.append(draw_series(ax, rows, styles[index], theme, offset=offset))
        set_year_axis(ax, first, last, minor=False)
        shade_missing_years(ax, missing)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(text["theme_share"])
        strip = add_document_strip(ax, counts, first, last, text["docs"], height=STRIP_CM / (width_cm * 0.62))
        strip.set_xlabel(text["year"])
        ax.set_title(text["theme_title"])
        _legend_extras(handles, theme_shares, counts, first, last, text, min_docs)
        # Below the axes: inside, the legend would hide the bands of the first years.
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        return fig
    width_cm = width_cm or 17.0
    nrows, ncols = grid_shape(len(themes), max_cols=4)
    fig, axes, panel_cm = _panel_grid(len(themes), ncols, width_cm, 4.2, dpi, extra_cm=2.6)
    title_pt = panel_width_pt(fig, ncols)
    for index, theme in enumerate(themes):
        ax = axes.flat[index]
        rows = theme_shares[theme_shares["theme"] == theme]
        draw_series(ax, rows, styles[index], theme)
        shade_missing_years(ax, missing)
        set_year_axis(ax, first, last, minor=False)
        ax.tick_params(axis="x", labelbottom=False)  # the strips carry the year labels
        ax.set_title(fit_text(theme, title_pt, 7.5), fontsize=7.5)
    hide_unused(axes, len(themes))
    axes.flat[0].set_ylim(*_share_limits(theme_shares))
    for index in _bottom_of_each_column(len(themes), ncols):
        ax = axes.flat[index]
        strip = add_document_strip(
            ax, counts, first, last, text["docs"] if index % ncols == 0 else None, height=STRIP_CM / panel_cm
        )
        strip.set_xlabel(text["year"], fontsize=7)
        _strip_into_empty_cell(strip, index, len(themes), ncols)
    for ax in axes[:, 0]:
        ax.set_ylabel(text["theme_share"], fontsize=7)
    fig.suptitle(text["theme_title"])
    handles = _legend_extras([], theme_shares, counts, first, last, text, min_docs)
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


def plot_topic_trends(
    topic_shares: pd.DataFrame,
    language: str = default("figures.language"),
    ncols: int | None = None,
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    max_panels: int = MAX_TOPIC_PANELS,
) -> Figure:
    """Small multiples: one panel per LDA topic, share by year with interval band.

    The grid grows with K (3 columns up to 9 topics, up to 5 columns for 40) and its panels
    shrink so that the figure stays within the pixel bound.  Beyond ``max_panels`` topics only the
    ``max_panels`` with the largest mean share are drawn, and the title says how many of K.

    Parameters
    ----------
    topic_shares : DataFrame
        ``topic_share_by_year.tsv`` rows of one K (k, topic, label, year, share, ci_low, ci_high,
        n_docs, small_n).
    language : {"zh", "en"}
    ncols : int, optional
        Columns of the grid (chosen from the number of panels by default).
    width_cm : float
    dpi : float
        The dpi the figure will be saved at.
    max_panels : int

    Returns
    -------
    Figure
    """
    text = labels(language)
    topics = sorted(topic_shares["topic"].unique())
    k = int(topic_shares["k"].iloc[0])
    if len(topics) > max_panels:
        means = topic_shares.groupby("topic")["share"].mean().sort_values(ascending=False, kind="stable")
        topics = sorted(means.index[:max_panels])
    n = len(topics)
    if ncols is None:
        ncols = 3 if n <= 9 else grid_shape(n, max_cols=5)[1]
    counts = _counts(topic_shares)
    axis_years = year_axis(list(counts))
    first, last = axis_years[0], axis_years[-1]
    missing = [y for y in axis_years if y not in counts]
    fig, axes, panel_cm = _panel_grid(n, ncols, width_cm, 4.2, dpi, extra_cm=1.8)
    title_size = 7.5 if ncols <= 3 else 6.5
    title_pt = panel_width_pt(fig, ncols)
    style = series_styles(1)[0]
    by_topic = dict(tuple(topic_shares.groupby("topic")))
    for index, topic in enumerate(topics):
        ax = axes.flat[index]
        rows = by_topic[topic]
        label = str(rows["label"].iloc[0])
        draw_series(ax, rows, style, label)
        shade_missing_years(ax, missing)
        set_year_axis(ax, first, last, minor=False)
        ax.tick_params(axis="x", labelbottom=False)  # the strips carry the year labels
        title = f"{text['topic']} {topic}: {label}"
        if text_fits(title, title_pt, title_size):
            ax.set_title(title, fontsize=title_size)
        else:
            ax.set_title(fit_text(f"{topic}: {label}", title_pt, title_size), fontsize=title_size)
    hide_unused(axes, n)
    # The y axis is shared: one limit from all drawn topics' data (none is clipped).
    axes.flat[0].set_ylim(*_share_limits(topic_shares[topic_shares["topic"].isin(topics)]))
    for index in _bottom_of_each_column(n, ncols):
        strip = add_document_strip(
            axes.flat[index],
            counts,
            first,
            last,
            text["docs"] if index % ncols == 0 else None,
            height=STRIP_CM / panel_cm,
        )
        strip.set_xlabel(text["year"], fontsize=7)
        _strip_into_empty_cell(strip, index, n, ncols)
    for ax in axes[:, 0]:
        ax.set_ylabel(text["topic_share"], fontsize=7)
    title = text["topic_title"].format(k=k)
    if n < len(topic_shares["topic"].unique()):
        title += "\n" + text["shown_of"].format(shown=n, total=k)
    fig.suptitle(title)
    return fig


def text_fits(text: str, width_pt: float, size: float) -> bool:
    """Whether ``text`` is at most ``width_pt`` wide at font ``size``."""
    from .layout import text_width_pt

    return text_width_pt(text, size) <= width_pt
