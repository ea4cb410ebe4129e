"""Figure selection: which drawing function makes which named figure, from which tables.

The workflow's figure rules name a figure (``theme_trends``, ``topic_terms``, …); :func:`draw_figure`
turns the name and the figure's tables into a matplotlib Figure.  A new figure is one drawing
function (in :mod:`.trends`, :mod:`.terms` or :mod:`.models`), one entry in :data:`FIGURES`, and
its inputs in ``workflow/rules/figures.smk`` (``FIGURE_INPUTS``).

:func:`plot_step` and :func:`plot_figures_step` are the steps of the rules ``plot_topic_figures`` and
``plot_corpus_figures``.  They live here rather than in :mod:`zhengfa_trends.steps` so that a figure
job imports only what drawing needs (steps imports every stage: ingest, segmentation, …, about
0.1 CPU s per job).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..history import current_topics
from ..io import read_tsv
from ..topics import read_chosen_k, read_k_choice
from . import models, save_figure, style_context, terms
from . import trends as trend_plots


@dataclass(frozen=True)
class FigureTables:
    """The tables a figure is drawn from: its own ``table``, and for the topic figures the chosen
    K and the stable topic ids (topic_ids.tsv)."""

    table: pd.DataFrame
    chosen_k: int | None = None
    topic_ids: pd.DataFrame | None = None
    k_choice: object | None = None  # topics.KChoice of chosen_k.txt: the one-standard-error band
    convergence: pd.DataFrame | None = None  # every K's convergence.tsv, concatenated


def stable_topic_ids(table: pd.DataFrame, topic_ids: pd.DataFrame) -> pd.DataFrame:
    """The chosen model's rows with ``topic`` replaced by the stable id (what readers see in figures).

    ``topic_ids`` is topic_ids.tsv; its vanished topics (``topic`` -1) are not topics of the model.
    """
    ids = current_topics(topic_ids)
    mapping = dict(zip(ids["topic"], ids["topic_id"], strict=True))
    return table.assign(topic=table["topic"].map(mapping).astype(int))


def _theme_trends(tables: FigureTables, options: Mapping) -> Figure:
    return trend_plots.plot_theme_trends(
        tables.table, language=options["language"], min_docs=options["min_docs"], dpi=options["dpi"]
    )


def _topic_trends(tables: FigureTables, options: Mapping) -> Figure:
    chosen = tables.table[tables.table["k"] == tables.chosen_k]
    return trend_plots.plot_topic_trends(
        stable_topic_ids(chosen, tables.topic_ids), language=options["language"], dpi=options["dpi"]
    )


def _topic_terms(tables: FigureTables, options: Mapping) -> Figure:
    ids = current_topics(tables.topic_ids)
    return terms.plot_topic_terms(
        stable_topic_ids(tables.table, tables.topic_ids),
        k=int(tables.table["k"].iloc[0]),
        language=options["language"],
        n_terms=options["n_terms"],
        dpi=options["dpi"],
        topic_labels=dict(zip(ids["topic_id"].astype(int), ids["label"].astype(str), strict=True)),
    )


def _tfidf_by_year(tables: FigureTables, options: Mapping) -> Figure:
    return terms.plot_tfidf_by_year(
        tables.table, language=options["language"], n_terms=options["n_terms"], dpi=options["dpi"]
    )


def _emerging_terms(tables: FigureTables, options: Mapping) -> Figure:
    return terms.plot_emerging_terms(
        tables.table, language=options["language"], n_terms=options["n_terms"], dpi=options["dpi"]
    )


def _model_selection(tables: FigureTables, options: Mapping) -> Figure:
    return models.plot_model_selection(
        tables.table,
        language=options["language"],
        dpi=options["dpi"],
        band=tables.k_choice,
        convergence=tables.convergence,
    )


def _ordered_periods(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table.sort_values("first", kind="stable")["period"]))


def _tfidf_by_period(tables: FigureTables, options: Mapping) -> Figure:
    return terms.plot_tfidf_by_year(
        tables.table,
        language=options["language"],
        n_terms=options["n_terms"],
        dpi=options["dpi"],
        group="period",
        order=_ordered_periods(tables.table),
    )


def _emerging_terms_by_period(tables: FigureTables, options: Mapping) -> Figure:
    return terms.plot_emerging_terms(
        tables.table,
        language=options["language"],
        n_terms=options["n_terms"],
        dpi=options["dpi"],
        group="period",
        order=_ordered_periods(tables.table),
    )


def _facet_trends(tables: FigureTables, options: Mapping) -> Figure:
    from .groups import plot_facet_trends

    return plot_facet_trends(
        tables.table, language=options["language"], min_docs=options["min_docs"], dpi=options["dpi"]
    )


# Figure name -> drawing function (tables, options) -> Figure.  ``options`` are the figure options of
# the workflow (``language``, ``n_terms``, ``min_docs``, ``dpi``: figures are laid out for the dpi
# they are saved at, no side beyond 4,000 px).
FIGURES: dict[str, Callable[[FigureTables, Mapping], Figure]] = {
    "theme_trends": _theme_trends,
    "topic_trends": _topic_trends,
    "topic_terms": _topic_terms,
    "tfidf_by_year": _tfidf_by_year,
    "emerging_terms": _emerging_terms,
    "model_selection": _model_selection,
    # only when trends.periods / trends.facet are set (rule plot_group_figures)
    "tfidf_by_period": _tfidf_by_period,
    "emerging_terms_by_period": _emerging_terms_by_period,
    "facet_trends": _facet_trends,
}


def draw_figure(name: str, tables: FigureTables, options: Mapping) -> Figure:
    """Draw the figure called ``name`` from its tables.

    Raises
    ------
    ValueError
        If no figure has that name.
    """
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}")
    return FIGURES[name](tables, options)


def _figure_paths(paths: Sequence[str]) -> dict[str, str]:
    return {Path(p).suffix.lstrip("."): str(p) for p in paths}


def plot_step(name: str, inputs: Mapping[str, str], figure_paths: Sequence[str], options: Mapping) -> None:
    """Draw figure ``name`` from its tables and save it in every format (the figure rules' work).

    ``inputs`` holds ``table`` (the figure's table), ``style`` (the .mplstyle file) and, for the
    topic figures, ``chosen_k``, ``topic_ids`` and (model selection) every K's ``convergence``.
    """
    tables = FigureTables(
        table=read_tsv(inputs["table"]),
        chosen_k=read_chosen_k(inputs["chosen_k"]) if "chosen_k" in inputs else None,
        topic_ids=read_tsv(inputs["topic_ids"]) if "topic_ids" in inputs else None,
        k_choice=read_k_choice(inputs["chosen_k"]) if "chosen_k" in inputs else None,
        convergence=(
            pd.concat([read_tsv(path) for path in inputs["convergence"]], ignore_index=True)
            if "convergence" in inputs
            else None
        ),
    )
    with style_context(inputs["style"]):
        fig = draw_figure(name, tables, options)
        save_figure(fig, _figure_paths(figure_paths), dpi=options["dpi"], stamp=options["stamp"])


def plot_figures_step(
    names: Sequence[str],
    inputs: Mapping[str, str],
    figure_paths: Sequence[str],
    options: Mapping,
    roles: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Rules ``plot_corpus_figures`` and ``plot_topic_figures``: several figures in one process,
    each as :func:`plot_step` draws it.

    ``inputs`` holds each figure's table under the figure's name, plus ``style`` and the inputs
    that ``roles`` names for a figure (e.g. ``chosen_k``, ``topic_ids``, ``convergence``), shared
    by the figures that use them; ``figure_paths`` are all output files, each named
    ``<figure>.<format>``.
    """
    roles = roles or {}
    for name in names:
        paths = [path for path in figure_paths if Path(path).stem == name]
        figure_inputs = {"table": inputs[name], "style": inputs["style"]}
        figure_inputs.update((role, inputs[role]) for role in roles.get(name, ()))
        plot_step(name, figure_inputs, paths, options)
