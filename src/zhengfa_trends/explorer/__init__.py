"""The explorer: one self-contained HTML page behind every number of a run.

:mod:`.data` assembles what the page shows from the result tables (tidy DataFrames in, plain
dicts out); :mod:`.render` inlines plotly.js, the page's style and script and that data into one
HTML file.  :func:`explorer_step` is rule ``build_explorer``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from .data import ExplorerOptions, assemble, passage_texts_reader, read_passage_topics
from .render import render_html, write_html

__all__ = ["ExplorerOptions", "assemble", "explorer_step", "load_inputs", "render_html", "write_html"]

log = logging.getLogger(__name__)

# Passages of tokens.tsv read at a time (about 7 MB of token strings at 350 bytes a passage).
TOKEN_CHUNK_ROWS = 20_000


def _chosen(paths: Sequence[str], k: int) -> str:
    """The path among per-K ``paths`` (…/k{K}/…) that belongs to ``k``."""
    for path in paths:
        if Path(path).parent.name == f"k{k}":
            return path
    raise FileNotFoundError(f"no k{k} file among {', '.join(map(str, paths))}")


def _rows_of_k(table, k: int):
    """The rows of one K in a table of every K (``k`` column)."""
    return table[table["k"] == k].reset_index(drop=True)


def load_inputs(inputs: Mapping, themes: Mapping[str, Sequence[str]], options: Mapping) -> dict:
    """Read the result files named in ``inputs`` and assemble the page's data.

    ``inputs`` holds ``documents, passages, tokens, theme_shares, topic_shares, theme_topics,
    chosen_k, topic_ids, keyness, provenance, stability`` (topic_stability.tsv, every K) and per-K
    lists ``passage_topics, topic_word, vocabulary``; optionally ``period_shares`` and ``topic_period_shares``.
    """
    from functools import partial

    import numpy as np

    from ..io import read_token_chunks, read_tsv
    from ..topics import read_chosen_k

    k = read_chosen_k(inputs["chosen_k"])

    def optional(name):
        path = inputs.get(name)
        if isinstance(path, list | tuple):
            path = path[0] if path else None
        return read_tsv(path) if path and Path(path).is_file() else None

    vocabulary = Path(_chosen(inputs["vocabulary"], k)).read_text(encoding="utf-8").splitlines()
    # the texts are read for the quoted passages alone (passage_texts)
    passages = read_tsv(inputs["passages"], usecols=["doc_id", "passage_no"], dtype={"doc_id": str})
    return assemble(
        documents=read_tsv(inputs["documents"], dtype={"doc_id": str}),
        passages=passages,
        passage_texts=passage_texts_reader(inputs["passages"]),
        # tokens.tsv and passage_topics.tsv whole would hold 2 GB at 1.67 million passages: the
        # tokens are read in chunks (twice), and so is θ (summarise_topics)
        tokens=partial(read_token_chunks, inputs["tokens"], TOKEN_CHUNK_ROWS),
        theme_shares=read_tsv(inputs["theme_shares"]),
        topic_shares=read_tsv(inputs["topic_shares"]),
        theme_topics=read_tsv(inputs["theme_topics"]),
        topic_ids=read_tsv(inputs["topic_ids"]),
        stability=_rows_of_k(read_tsv(inputs["stability"]), k),
        passage_topics=partial(read_passage_topics, _chosen(inputs["passage_topics"], k), passages, k),
        topic_word=np.load(_chosen(inputs["topic_word"], k), allow_pickle=False),
        vocabulary=vocabulary,
        keyness=read_tsv(inputs["keyness"]),
        themes=themes,
        k=k,
        provenance=json.loads(Path(inputs["provenance"]).read_text(encoding="utf-8")),
        options=ExplorerOptions.from_config(options),
        period_shares=optional("period_shares"),
        topic_period_shares=optional("topic_period_shares"),
    )


def explorer_step(inputs: Mapping, themes: Mapping[str, Sequence[str]], options: Mapping, html_out) -> None:
    """Rule ``build_explorer``: results/explorer.html from the run's result files."""
    payload = load_inputs(inputs, themes, options)
    size = write_html(payload, html_out)
    log.info(
        "explorer: %d passages quoted, %d terms, %.2f MB",
        len(payload["passages"]),
        len(payload["terms"]["terms"]),
        size / 1e6,
    )
