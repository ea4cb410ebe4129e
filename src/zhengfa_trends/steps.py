"""One function per workflow rule: read the rule's inputs, call the stage modules, write outputs.

The Snakemake scripts in ``scripts/`` only unpack ``snakemake.input/output/params`` and call these,
so every step can also be run (and tested) from plain Python.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import features, ingest, topics, trends
from .io import read_tsv, write_json, write_tsv
from .tokenize import SegmenterSettings, read_user_dictionary, read_word_list, segment_texts

log = logging.getLogger(__name__)

# Frequency given to theme keywords in the segmenter, so each keyword is one token.
THEME_KEYWORD_FREQ = 200000


def ingest_step(corpus_dir, metadata, documents_out, passages_out, options: Mapping) -> None:
    """Rule ``ingest_corpus``: ledger of every file, passages of the included documents."""
    metadata_path = Path(metadata) if metadata and Path(metadata).exists() else None
    years = options.get("years") or None
    result = ingest.ingest_corpus(
        Path(corpus_dir),
        metadata_path,
        ingest.IngestOptions(
            opencc=options.get("opencc", "t2s"),
            max_chars=options.get("max_chars", 300),
            min_chars=options.get("min_chars", 40),
            min_year=options.get("min_year", 1978),
            years=tuple(years) if years else None,
        ),
    )
    documents = result.documents
    excluded = documents[documents["included"] != "yes"]
    for row in excluded.itertuples():
        log.warning("not used: %s (%s)", row.file or row.doc_id, row.reason)
    log.info("%d of %d documents included", len(documents) - len(excluded), len(documents))
    write_tsv(documents, documents_out)
    write_tsv(result.passages, passages_out)


def segmenter_settings(
    user_dictionaries: Sequence[str],
    stopwords: Sequence[str],
    themes: Mapping[str, Sequence[str]],
    options: Mapping,
) -> SegmenterSettings:
    """Segmenter settings from dictionary files, stopword files, theme keywords and options."""
    entries = read_user_dictionary(user_dictionaries)
    entries += [(word, THEME_KEYWORD_FREQ, "n") for words in themes.values() for word in words]
    return SegmenterSettings(
        user_dictionary=entries,
        stopwords=frozenset(read_word_list(stopwords)),
        min_chars=options.get("min_chars", 2),
        han_only=options.get("han_only", True),
        hmm=options.get("hmm", True),
    )


def segment_step(
    passages_path, user_dictionaries, stopwords, themes, tokens_out, stats_out, options: Mapping
) -> None:
    """Rule ``segment_passages``: jieba tokens of every passage, and segmentation statistics."""
    passages = read_tsv(passages_path, dtype={"doc_id": str, "text": str})
    passages["text"] = passages["text"].fillna("")
    settings = segmenter_settings(user_dictionaries, stopwords, themes, options)
    joined = segment_texts(
        passages["text"].to_list(),
        settings,
        workers=options.get("workers", 1),
        chunk_chars=options.get("chunk_chars", 2_000_000),
    )
    tokens = passages[["doc_id", "passage_no", "year"]].copy()
    tokens["n_tokens"] = [len(t.split()) for t in joined]
    tokens["tokens"] = joined
    write_tsv(tokens, tokens_out)
    documents = int(passages["doc_id"].nunique())
    write_json({"segmented": documents, "reused": 0, "passages": len(passages)}, stats_out)
    log.info("segmented %d passages of %d documents", len(passages), documents)


def read_tokens(path) -> pd.DataFrame:
    """Read tokens.tsv (empty token strings stay empty strings)."""
    tokens = read_tsv(path, dtype={"doc_id": str, "tokens": str})
    tokens["tokens"] = tokens["tokens"].fillna("")
    return tokens


def tfidf_step(tokens_path, top_terms_out, n_terms: int) -> None:
    """Rule ``rank_terms_by_year``: the most distinctive TF-IDF terms of each year."""
    write_tsv(features.top_terms_by_year(read_tokens(tokens_path), n_terms=n_terms), top_terms_out)


def lda_step(
    tokens_path, k: int, seeds: Sequence[int], topics_out, passage_topics_out, options: Mapping
) -> None:
    """Rule ``fit_lda``: LDA with ``k`` topics; the first seed's model is reported."""
    tokens = read_tokens(tokens_path)
    settings = topics.LdaSettings(
        passes=options.get("passes", 20),
        iterations=options.get("iterations", 400),
        alpha=options.get("alpha", "symmetric"),
        no_below=options.get("no_below", 2),
        no_above=options.get("no_above", 0.5),
        n_terms=options.get("n_terms", 15),
    )
    token_lists = [t.split() for t in tokens["tokens"]]
    dictionary, corpus = topics.build_bow(token_lists, settings)
    log.info("LDA k=%d on %d passages, vocabulary %d", k, len(corpus), len(dictionary))
    model = topics.fit_lda(corpus, dictionary, k, seeds[0], settings)
    write_tsv(topics.topic_terms(model, settings.n_terms), topics_out)
    write_tsv(topics.passage_topic_table(tokens, topics.passage_topics(model, corpus)), passage_topics_out)


def _bootstrap_options(options: Mapping) -> dict:
    return {
        "n_boot": options.get("bootstrap", 1000),
        "seed": options.get("seed", 12345),
        "level": options.get("level", 0.95),
        "min_docs": options.get("min_docs", 3),
    }


def theme_trends_step(tokens_path, themes: Mapping[str, Sequence[str]], shares_out, options: Mapping) -> None:
    """Rule ``compute_theme_trends``: keyword-theme shares per year with intervals."""
    tokens = read_tokens(tokens_path)
    table = trends.theme_share_by_year(
        tokens, themes, per_tokens=options.get("per_tokens", 1000), **_bootstrap_options(options)
    )
    for theme, hits in table.groupby("theme", sort=False)["n_hits"].sum().items():
        if hits == 0:
            log.warning("theme %s: none of its keywords occurs in the corpus (tracked as zeros)", theme)
    write_tsv(table, shares_out)


def topic_trends_step(
    topic_tables: Sequence, passage_tables: Sequence, ks: Sequence[int], shares_out, options
) -> None:
    """Rule ``compute_topic_trends``: topic shares per year for every K, with intervals."""
    parts = []
    for k, terms_path, passages_path in zip(ks, topic_tables, passage_tables, strict=True):
        labels = topics.topic_labels(read_tsv(terms_path))
        passage_topics = read_tsv(passages_path, dtype={"doc_id": str})
        parts.append(
            trends.topic_share_by_year(passage_topics, int(k), labels, **_bootstrap_options(options))
        )
    write_tsv(pd.concat(parts, ignore_index=True), shares_out)


def _figure_paths(paths: Sequence[str]) -> dict[str, str]:
    return {Path(p).suffix.lstrip("."): str(p) for p in paths}


def plot_step(name: str, tables: Sequence[str], figure_paths: Sequence[str], style, options: Mapping) -> None:
    """Rules ``plot_*``: draw figure ``name`` from its tables and save it in every format.

    ``name`` is one of ``theme_trends``, ``topic_trends``, ``topic_terms``, ``tfidf_by_year``.
    """
    from . import plotting
    from .plotting.terms import plot_tfidf_by_year, plot_topic_terms
    from .plotting.trends import plot_theme_trends, plot_topic_trends

    language = options.get("language", "zh")
    n_terms = options.get("n_terms", 10)
    table = read_tsv(tables[0])
    with plotting.style_context(style):
        if name == "theme_trends":
            fig = plot_theme_trends(table, language=language, min_docs=options.get("min_docs", 3))
        elif name == "topic_trends":
            chosen = table[table["k"] == options["k"]]
            fig = plot_topic_trends(chosen, language=language)
        elif name == "topic_terms":
            fig = plot_topic_terms(table, k=options["k"], language=language, n_terms=n_terms)
        elif name == "tfidf_by_year":
            fig = plot_tfidf_by_year(table, language=language, n_terms=n_terms)
        else:
            raise ValueError(f"unknown figure {name!r}")
        plotting.save_figure(fig, _figure_paths(figure_paths), dpi=options.get("dpi", 300))
