"""Line charts of yearly theme and topic shares with interval bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import labels

SINGLE_COLUMN_CM = 8.5
_CM = 1 / 2.54


def year_axis(years_present: list[int]) -> list[int]:
    """Every calendar year from the first to the last year with data (gaps stay visible)."""
    if not years_present:
        return []
    return list(range(min(years_present), max(years_present) + 1))


def _consecutive_runs(years: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return runs


def draw_series(ax: Axes, series: pd.DataFrame, color, label: str, offset: float = 0.0) -> None:
    """One yearly series: lines only between consecutive years, band, hollow markers if small_n.

    ``offset`` shifts the series sideways (in years) so that the error bars of several series in
    one lone year do not hide each other.
    """
    series = series.sort_values("year")
    years = series["year"].astype(int).to_list()
    indexed = series.set_index("year")
    for run in _consecutive_runs(years):
        part = indexed.loc[run]
        x = np.array(run) + offset
        ax.plot(x, part["share"], color=color, linewidth=1.4, label=label if run[0] == years[0] else None)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=color, alpha=0.18, linewidth=0)
        if len(run) == 1:
            # A lone year has no band width: show its interval as an error bar.
            ax.errorbar(
                x,
                part["share"],
                yerr=[part["share"] - part["ci_low"], part["ci_high"] - part["share"]],
                color=color,
                linewidth=1.0,
                capsize=2,
            )
    small = series["small_n"].astype(bool).to_numpy()
    x = np.array(years) + offset
    ax.scatter(x[~small], series["share"][~small], color=color, s=16, zorder=3)
    ax.scatter(x[small], series["share"][small], facecolor="white", edgecolor=color, s=16, zorder=3)


def annotate_years(ax: Axes, counts: pd.Series, axis_years: list[int], text: dict) -> None:
    """Year tick labels carrying the number of documents; years without documents say so."""
    ax.set_xticks(axis_years)
    ticklabels = []
    for year in axis_years:
        if year in counts.index:
            ticklabels.append(f"{year}\nn={int(counts[year])}")
        else:
            ticklabels.append(f"{year}\n{text['no_docs']}")
    ax.set_xticklabels(ticklabels)
    for year in axis_years:
        if year not in counts.index:
            ax.axvspan(year - 0.5, year + 0.5, color="0.92", zorder=0, linewidth=0)


def plot_theme_trends(
    theme_shares: pd.DataFrame, language: str = "zh", min_docs: int = 3, width_cm: float = SINGLE_COLUMN_CM
) -> Figure:
    """Keyword-theme share per 1,000 tokens by year, one line per theme with its interval band.

    Parameters
    ----------
    theme_shares : DataFrame
        ``theme_share_by_year.tsv`` (theme, year, share, ci_low, ci_high, n_docs, small_n).
    language : {"zh", "en"}
    min_docs : int
        The ``small_n`` threshold, quoted in the legend.
    width_cm : float

    Returns
    -------
    Figure
    """
    text = labels(language)
    fig, ax = plt.subplots(figsize=(width_cm * _CM, width_cm * 0.95 * _CM), layout="constrained")
    themes = list(dict.fromkeys(theme_shares["theme"]))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, theme in enumerate(themes):
        offset = 0.08 * (index - (len(themes) - 1) / 2)
        rows = theme_shares[theme_shares["theme"] == theme]
        draw_series(ax, rows, colors[index % len(colors)], theme, offset=offset)
    counts = theme_shares.drop_duplicates("year").set_index("year")["n_docs"]
    annotate_years(ax, counts, year_axis(counts.index.to_list()), text)
    if theme_shares["small_n"].astype(bool).any():
        ax.scatter(
            [], [], facecolor="white", edgecolor="0.3", s=16, label=text["small_n"].format(min_docs=min_docs)
        )
    ax.set_ylim(bottom=0)
    ax.set_xlabel(text["year"])
    ax.set_ylabel(text["theme_share"])
    ax.set_title(text["theme_title"])
    # Below the axes: inside, the legend would hide the bands of the first years.
    fig.legend(loc="outside lower center", ncols=2)
    return fig


def plot_topic_trends(
    topic_shares: pd.DataFrame, language: str = "zh", ncols: int = 3, width_cm: float = 17.0
) -> Figure:
    """Small multiples: one panel per LDA topic, share by year with interval band.

    Parameters
    ----------
    topic_shares : DataFrame
        ``topic_share_by_year.tsv`` rows of one K (k, topic, label, year, share, ci_low, ci_high,
        n_docs, small_n).
    language : {"zh", "en"}
    ncols : int
    width_cm : float

    Returns
    -------
    Figure
    """
    text = labels(language)
    topics = sorted(topic_shares["topic"].unique())
    k = int(topic_shares["k"].iloc[0])
    nrows = int(np.ceil(len(topics) / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width_cm * _CM, nrows * 4.2 * _CM + 0.6),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    counts = topic_shares.drop_duplicates("year").set_index("year")["n_docs"]
    axis_years = year_axis(counts.index.to_list())
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, ax in enumerate(axes.flat):
        if index >= len(topics):
            ax.set_visible(False)
            continue
        topic = topics[index]
        rows = topic_shares[topic_shares["topic"] == topic]
        draw_series(ax, rows, colors[0], str(rows["label"].iloc[0]))
        ax.set_title(f"{text['topic']} {topic}: {rows['label'].iloc[0]}", fontsize=7.5)
        annotate_years(ax, counts, axis_years, text)
    # Once, after every panel has its data: the y axis is shared, and set_ylim freezes the top at
    # the autoscaled value of what has been drawn so far (per panel, it clipped later panels).
    axes.flat[0].set_ylim(bottom=0)
    for index, ax in enumerate(axes.flat[: len(topics)]):
        # Shared x axes label only the bottom row; a panel with no panel below needs its own years.
        if index + ncols >= len(topics):
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(text["topic_share"])
    fig.suptitle(text["topic_title"].format(k=k))
    return fig
