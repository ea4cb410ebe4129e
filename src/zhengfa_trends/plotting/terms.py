"""Top terms: bar panels per LDA topic, per year or per period; a term × year heatmap for long series."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

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
)

# Beyond this many years (or periods), the per-year term figures become a term × year heatmap.
MAX_TERM_PANELS = 8
# At most this many topic panels in topic_terms.
MAX_TOPIC_PANELS = 40
# Rows of the heatmap: the terms with the highest score in any year.
HEATMAP_TERMS = 40
# Height of one bar row (cm) below which the labels would crowd: fewer terms are drawn instead.
MIN_ROW_CM = 0.4


def _term_panels(
    table: pd.DataFrame,
    group: str,
    value: str,
    titles: dict,
    n_terms: int,
    ncols: int,
    width_cm: float,
    dpi: float,
    order: list | None = None,
) -> tuple[Figure, np.ndarray, int]:
    """Bar panels, one per value of ``group``, within the pixel bound: ``(fig, axes, terms drawn)``.

    When the grid would be taller than the bound allows, each panel shows fewer terms (never rows
    narrower than :data:`MIN_ROW_CM`); the number drawn is returned for the title.
    """
    groups = order if order is not None else sorted(table[group].unique())
    ncols = max(1, min(ncols, len(groups)))
    nrows = int(np.ceil(len(groups) / ncols))
    limit_cm = max_side_inches(dpi) / CM - 1.5
    panel_cm = limit_cm / nrows
    n_terms = max(1, min(n_terms, int((panel_cm - 1.2) / MIN_ROW_CM)))
    height_cm = min(nrows * (0.5 * n_terms + 1.6) + 1.3, limit_cm + 1.5)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(min(width_cm * CM, max_side_inches(dpi)), height_cm * CM),
        squeeze=False,
        layout="constrained",
    )
    colors = [style["color"] for style in series_styles(len(groups))]
    title_pt = panel_width_pt(fig, ncols, fraction=0.9)
    title_size = 7.5 if ncols <= 3 else 6.5
    grouped = dict(tuple(table.groupby(group, sort=False)))
    for index, key in enumerate(groups):
        ax = axes.flat[index]
        rows = grouped.get(key, table.iloc[:0]).sort_values("rank").head(n_terms)
        positions = np.arange(len(rows))[::-1]
        ax.barh(positions, rows[value], color=colors[index], height=0.7)
        ax.set_yticks(positions)
        ax.set_yticklabels(rows["term"], fontsize=7 if ncols <= 3 else 6)
        ax.set_ylim(-0.6, max(n_terms, 1) - 0.4)
        ax.set_title(fit_text(str(titles[key]), title_pt, title_size), fontsize=title_size)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3 if ncols >= 4 else 4))
        ax.tick_params(axis="x", labelsize=6)
    hide_unused(axes, len(groups))
    return fig, axes, n_terms


def plot_topic_terms(
    terms: pd.DataFrame,
    k: int,
    language: str = default("figures.language"),
    n_terms: int = default("figures.n_terms"),
    ncols: int | None = None,
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    max_panels: int = MAX_TOPIC_PANELS,
    topic_labels=None,
) -> Figure:
    """One horizontal bar panel per topic with its highest-weight terms, titled by its label.

    The grid grows with K (3 columns up to 9 topics, then up to 5); when the figure would exceed
    the pixel bound, each panel shows fewer terms, and the title says how many.  Beyond
    ``max_panels`` topics, the first ``max_panels`` are drawn and the title says so.

    Parameters
    ----------
    terms : DataFrame
        ``topics.tsv`` (topic, rank, term, weight).
    k : int
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout
    dpi : float
        The dpi the figure will be saved at.
    max_panels : int
    topic_labels : mapping topic → label, optional
        The labels of topic_ids.tsv (relevance or hand labels), keyed like ``terms["topic"]``.

    Returns
    -------
    Figure
    """
    text = labels(language)
    topics = sorted(terms["topic"].unique())
    shown = topics[:max_panels]
    if ncols is None:
        ncols = 3 if len(shown) <= 9 else grid_shape(len(shown), max_cols=5)[1]
    names = topic_labels or {}
    titles = {t: f"{text['topic']} {t}: {names[t]}" if t in names else f"{text['topic']} {t}" for t in shown}
    fig, axes, drawn = _term_panels(
        terms, "topic", "weight", titles, n_terms, ncols, width_cm, dpi, order=shown
    )
    _bottom_labels(axes, len(shown), text["weight"])
    title = text["terms_title"].format(k=k)
    notes = []
    if len(shown) < len(topics):
        notes.append(text["first_of"].format(shown=len(shown), total=len(topics)))
    if drawn < n_terms:
        notes.append(text["terms_shown"].format(n=drawn))
    fig.suptitle(title + ("\n" + ";".join(notes) if notes else ""))
    return fig


def _bottom_labels(axes: np.ndarray, used: int, label: str) -> None:
    """The x label on the lowest used panel of every column."""
    ncols = axes.shape[1]
    for col in range(min(ncols, used)):
        lowest = max(i for i in range(used) if i % ncols == col)
        axes.flat[lowest].set_xlabel(label, fontsize=7)


def term_heatmap(
    table: pd.DataFrame,
    group: str,
    value: str,
    title: str,
    value_label: str,
    language: str = default("figures.language"),
    n_rows: int = HEATMAP_TERMS,
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    group_labels: dict | None = None,
    order: list | None = None,
) -> Figure:
    """Terms × years (or periods): each cell is a term's score in that year, blank where it is not
    among the year's top terms.  Rows are the ``n_rows`` terms with the highest score in any
    group, ordered by the first group in which they peak (so the rows read as a time line).

    Parameters
    ----------
    table : DataFrame
        ``group, rank, term, <value>``.
    group : str
        ``"year"`` (a thinned year axis) or ``"period"``.
    value : str
    title, value_label : str
    language : {"zh", "en"}
    n_rows : int
    width_cm : float
    dpi : float
    group_labels : mapping group → label, optional
        Column labels (periods).
    order : list, optional
        Column order of the periods (default: sorted).

    Returns
    -------
    Figure
    """
    from .layout import set_year_axis

    text = labels(language)
    wide = table.pivot_table(index="term", columns=group, values=value, aggfunc="max")
    if group == "year" and len(wide.columns):
        wide = wide.reindex(columns=range(int(min(wide.columns)), int(max(wide.columns)) + 1))
    elif order is not None:
        wide = wide.reindex(columns=order)
    peak = wide.max(axis=1).sort_values(ascending=False, kind="stable")
    keep = list(peak.index[:n_rows])
    wide = wide.loc[keep]
    first_peak = wide.idxmax(axis=1)
    order = sorted(keep, key=lambda term: (list(wide.columns).index(first_peak[term]), -peak[term], term))
    wide = wide.loc[order]
    n = len(wide)
    limit_cm = max_side_inches(dpi) / CM
    height_cm = min(max(6.0, 0.38 * n + 3.2), limit_cm)
    fig, ax = plt.subplots(
        figsize=(min(width_cm * CM, max_side_inches(dpi)), height_cm * CM), layout="constrained"
    )
    columns = list(wide.columns)
    if group == "year":
        x_edges = np.arange(len(columns) + 1) - 0.5 + (columns[0] if columns else 0)
    else:
        x_edges = np.arange(len(columns) + 1) - 0.5
    mesh = ax.pcolormesh(
        x_edges,
        np.arange(n + 1) - 0.5,
        np.ma.masked_invalid(wide.to_numpy(dtype=float)),
        cmap="viridis_r",
        shading="flat",
        linewidth=0,
        rasterized=False,
    )
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(np.arange(n))
    ax.set_yticklabels(wide.index, fontsize=6.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    if group == "year" and columns:
        set_year_axis(ax, int(columns[0]), int(columns[-1]))
        ax.set_xlabel(text["year"])
    else:
        names = [str((group_labels or {}).get(c, c)) for c in columns]
        ax.set_xticks(np.arange(len(columns)))
        ax.set_xticklabels(
            names, rotation=45 if len(columns) > 4 else 0, ha="right" if len(columns) > 4 else "center"
        )
        ax.set_xlabel(text["period"])
    bar = fig.colorbar(mesh, ax=ax, shrink=0.5, aspect=25, pad=0.01)
    bar.set_label(value_label, fontsize=7)
    bar.ax.tick_params(labelsize=6)
    ax.set_title(title + "\n" + text["heatmap_note"].format(n=n), fontsize=8)
    return fig


def _term_figure(
    table: pd.DataFrame,
    value: str,
    axis_key: str,
    title_key: str,
    language: str,
    n_terms: int,
    ncols: int,
    width_cm: float,
    dpi: float,
    group: str = "year",
    group_labels: dict | None = None,
    order: list | None = None,
) -> Figure:
    """Bar panels for up to :data:`MAX_TERM_PANELS` years (or periods), a heatmap beyond."""
    text = labels(language)
    groups = order if order is not None else sorted(table[group].unique())
    if not groups:
        # e.g. keyness with a single period: nothing is over-represented against nothing
        fig, ax = plt.subplots(figsize=figure_size(width_cm, 4.0, dpi), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, text["no_terms"], ha="center", va="center", color="0.4", transform=ax.transAxes)
        fig.suptitle(text[title_key])
        return fig
    if len(groups) > MAX_TERM_PANELS:
        return term_heatmap(
            table,
            group,
            value,
            text[title_key],
            text[axis_key],
            language=language,
            width_cm=width_cm,
            dpi=dpi,
            group_labels=group_labels,
            order=groups,
        )
    titles = {g: str((group_labels or {}).get(g, g)) for g in groups}
    fig, axes, drawn = _term_panels(table, group, value, titles, n_terms, ncols, width_cm, dpi, order=groups)
    _bottom_labels(axes, len(groups), text[axis_key])
    fig.suptitle(text[title_key])
    return fig


def plot_tfidf_by_year(
    top_terms: pd.DataFrame,
    language: str = default("figures.language"),
    n_terms: int = default("figures.n_terms"),
    ncols: int = 3,
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    group: str = "year",
    group_labels: dict | None = None,
    order: list | None = None,
) -> Figure:
    """The most distinctive TF-IDF terms of each year: one bar panel per year up to eight years,
    a term × year heatmap beyond.

    Parameters
    ----------
    top_terms : DataFrame
        ``top_terms_by_year.tsv`` (year, rank, term, score), or the period table with ``group="period"``.
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout
    dpi : float
        The dpi the figure will be saved at.
    group : {"year", "period"}
    group_labels : mapping, optional
        Panel titles of the groups (the period labels).
    order : list, optional
        Order of the groups (periods in time order; default: sorted).

    Returns
    -------
    Figure
    """
    title = "tfidf_title" if group == "year" else "tfidf_period_title"
    return _term_figure(
        top_terms,
        "score",
        "tfidf",
        title,
        language,
        n_terms,
        ncols,
        width_cm,
        dpi,
        group,
        group_labels,
        order,
    )


def plot_emerging_terms(
    keyness: pd.DataFrame,
    language: str = default("figures.language"),
    n_terms: int = default("figures.n_terms"),
    ncols: int = 3,
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    group: str = "year",
    group_labels: dict | None = None,
    order: list | None = None,
) -> Figure:
    """The most over-represented terms (G² keyness) of each year: bar panels up to eight years, a
    term × year heatmap beyond.

    Parameters
    ----------
    keyness : DataFrame
        ``keyness_by_year.tsv`` (year, rank, term, g2, …), or the period table with ``group="period"``.
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout
    dpi : float
    group : {"year", "period"}
    group_labels : mapping, optional
    order : list, optional

    Returns
    -------
    Figure
    """
    title = "emerging_title" if group == "year" else "emerging_period_title"
    return _term_figure(
        keyness, "g2", "g2", title, language, n_terms, ncols, width_cm, dpi, group, group_labels
    )
