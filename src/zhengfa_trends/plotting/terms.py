"""Bar charts of top terms: per LDA topic and per year (TF-IDF)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from . import labels

_CM = 1 / 2.54


def _term_panels(
    table: pd.DataFrame, group: str, value: str, titles: dict, n_terms: int, ncols: int, width_cm: float
) -> tuple[Figure, np.ndarray]:
    groups = sorted(table[group].unique())
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width_cm * _CM, nrows * (0.5 * n_terms + 1.6) * _CM + 0.5),
        squeeze=False,
        layout="constrained",
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, ax in enumerate(axes.flat):
        if index >= len(groups):
            ax.set_visible(False)
            continue
        rows = table[table[group] == groups[index]].sort_values("rank").head(n_terms)
        positions = np.arange(len(rows))[::-1]
        ax.barh(positions, rows[value], color=colors[index % len(colors)], height=0.7)
        ax.set_yticks(positions)
        ax.set_yticklabels(rows["term"])
        ax.set_title(titles[groups[index]], fontsize=7.5)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
    return fig, axes


def plot_topic_terms(
    terms: pd.DataFrame,
    k: int,
    language: str = "zh",
    n_terms: int = 10,
    ncols: int = 3,
    width_cm: float = 17.0,
) -> Figure:
    """One horizontal bar panel per topic with its highest-weight terms.

    Parameters
    ----------
    terms : DataFrame
        ``topics.tsv`` (topic, rank, term, weight).
    k : int
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout

    Returns
    -------
    Figure
    """
    text = labels(language)
    titles = {t: f"{text['topic']} {t}" for t in terms["topic"].unique()}
    fig, axes = _term_panels(terms, "topic", "weight", titles, n_terms, ncols, width_cm)
    for ax in axes[-1, :]:
        ax.set_xlabel(text["weight"])
    fig.suptitle(text["terms_title"].format(k=k))
    return fig


def _panels_by_year(
    table: pd.DataFrame, value: str, axis_key: str, title_key: str, language, n_terms, ncols, width_cm
) -> Figure:
    text = labels(language)
    titles = {y: str(y) for y in table["year"].unique()}
    fig, axes = _term_panels(table, "year", value, titles, n_terms, ncols, width_cm)
    for ax in axes[-1, :]:
        ax.set_xlabel(text[axis_key])
    fig.suptitle(text[title_key])
    return fig


def plot_tfidf_by_year(
    top_terms: pd.DataFrame, language: str = "zh", n_terms: int = 10, ncols: int = 3, width_cm: float = 17.0
) -> Figure:
    """One horizontal bar panel per year with its most distinctive TF-IDF terms.

    Parameters
    ----------
    top_terms : DataFrame
        ``top_terms_by_year.tsv`` (year, rank, term, score).
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout

    Returns
    -------
    Figure
    """
    return _panels_by_year(top_terms, "score", "tfidf", "tfidf_title", language, n_terms, ncols, width_cm)


def plot_emerging_terms(
    keyness: pd.DataFrame, language: str = "zh", n_terms: int = 10, ncols: int = 3, width_cm: float = 17.0
) -> Figure:
    """One horizontal bar panel per year with its most over-represented terms (G² keyness).

    Parameters
    ----------
    keyness : DataFrame
        ``keyness_by_year.tsv`` (year, rank, term, g2, …).
    language : {"zh", "en"}
    n_terms, ncols, width_cm : layout

    Returns
    -------
    Figure
    """
    return _panels_by_year(keyness, "g2", "g2", "emerging_title", language, n_terms, ncols, width_cm)
