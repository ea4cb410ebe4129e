"""One function per workflow rule: read the rule's inputs, call the stage modules, write outputs.

The Snakemake scripts in ``scripts/`` only unpack ``snakemake.input/output/params`` and call these,
so every step can also be run (and tested) from plain Python.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import features, history, ingest, shards, topics, trends
from .config import bootstrap_options, check_k_for_passages, theme_options
from .faults import checkpoint
from .io import (
    read_lines,
    read_npy,
    read_token_chunks,
    read_tokens,
    read_tsv,
    write_json,
    write_lines,
    write_npy,
    write_tsv,
    write_tsv_chunks,
)
from .keywords import normalise_themes
from .provenance import PROVENANCE_INPUTS
from .tokenize import (
    PassageTexts,
    SegmentationCache,
    prune_segmentation_caches,
    segmenter_settings,
    settings_fingerprint,
    stream_documents,
    token_tables,
    verified_settings,
)
from .topics import read_chosen_k
from .workers import WorkerPool, fork_available

log = logging.getLogger(__name__)

#: passages of tokens.tsv and passage_topics.tsv export_documents holds at once (plus the rows of
#: one document carried to the next part)
EXPORT_CHUNK_ROWS = 20_000


def ingest_step(
    corpus_dir, metadata, documents_out, passages_out, options: Mapping, boilerplate_out=None
) -> None:
    """Rule ``ingest_corpus``: ledger of every file and table row, passages of the included
    documents, and the site boilerplate removed from them (``boilerplate_out``, if given).

    ``corpus_dir`` may be None (a table corpus); ``metadata`` None means the folder's own
    ``metadata.tsv`` if it has one.  ``options`` holds the ingest settings and ``table``,
    ``columns``, ``include`` and ``exclude`` of the ``corpus`` config section.

    Every file that is not used is logged with its reason (log file) and summarised in one
    warning (stderr); each setting that left valid documents out (``corpus.min_year``,
    ``corpus.years``, ``corpus.include/exclude``) gets a warning of its own naming the key
    (:func:`ingest.setting_exclusions`).  A metadata path that names no file is warned about, not
    fatal (:func:`ingest.metadata_file`).

    Raises
    ------
    ingest.CorpusError
        If the corpus folder is missing or no document can be used (one line naming the folder,
        the reasons and what to do); the reason of every file is logged first.
    """
    corpus_path = Path(corpus_dir) if corpus_dir else None
    metadata_path = ingest.metadata_file(corpus_path, Path(metadata) if metadata else None)
    settings = ingest.ingest_settings(options)
    tables = ingest.list_table_files(options["table"]) if options["table"] else []
    columns = ingest.TableColumns.from_config(options["columns"]) if tables else None
    facets = columns.facets if columns is not None else ()
    selection = ingest.Selection.from_config(options["include"], options["exclude"], facets)
    try:
        result = ingest.ingest_corpus(
            corpus_path,
            metadata_path,
            settings,
            workers=options["workers"],
            cache_dir=options["cache_dir"],
            tables=tables,
            columns=columns,
            selection=selection,
            passages_out=passages_out,  # written as they are cut, never held whole
        )
    except ingest.CorpusError as error:
        if error.documents is not None:
            ingest.log_excluded(error.documents, "the log of this step lists each file with its reason")
        raise
    documents = result.documents
    ingest.log_excluded(documents, f"documents.tsv gives each file's reason ({documents_out})")
    for message in ingest.setting_exclusions(documents, settings):
        log.warning(message)
    included = int((documents["included"] == "yes").sum())
    log.info("%d of %d documents included", included, len(documents))
    if not result.boilerplate.empty:
        log.info(
            "site boilerplate: %d lines removed (%d characters); listed in %s",
            len(result.boilerplate),
            int(documents["chars_boilerplate"].sum()),
            boilerplate_out or "no file",
        )
    write_tsv(documents, documents_out)
    if boilerplate_out is not None:
        write_tsv(result.boilerplate, boilerplate_out)


def _segment(passages_path, user_dictionaries, stopwords, themes, options: Mapping, tokens_out, shard=(0, 1)):
    """Write the tokens of the passages of one shard (of all passages for ``shard=(0, 1)``) to
    ``tokens_out``, a batch of documents at a time; return the run's facts.

    The worker processes are forked before passages.tsv is read, so that they do not map the
    parent's tables (the step's memory is the sum of its processes'), and the token lines are written
    as they come back, in order (:func:`zhengfa_trends.tokenize.stream_documents`), instead of being
    collected into one table first.  A shard's table starts with each passage's row number in
    passages.tsv (column ``row``).

    Returns ``(n_passages, stats, settings, cache)``: the number of passages written,
    ``{"segmented", "reused"}``, the segmenter settings used and the shard's cache (closed; None
    without a cache folder).
    """
    workers = options["workers"]
    chunk_chars = options["chunk_chars"]
    # A file of at most chunk_chars bytes holds at most that many characters of text: no workers.
    parallel = workers > 1 and fork_available() and Path(passages_path).stat().st_size > chunk_chars
    settings = segmenter_settings(user_dictionaries, stopwords, themes, options)
    # The engine check loads jieba's dictionary: in a process of its own, forked while this one is
    # small and ended after the check (see verified_settings).
    check = parallel and settings.engine != "jieba"
    with (
        WorkerPool(workers) if parallel else contextlib.nullcontext() as pool,
        WorkerPool(1) if check else contextlib.nullcontext() as checker,
    ):
        passages = read_tsv(passages_path, dtype={"doc_id": str, "text": str})
        passages["text"] = passages["text"].fillna("")
        texts = PassageTexts(passages["text"])
        # The engine check samples all passages, not the shard's: every shard takes the same decision,
        # so the tokens are those of an unsharded run.
        settings = verified_settings(texts, settings, pool=checker)
        if checker is not None:
            checker.__exit__(None, None, None)
        index, n_shards = shard
        doc_ids = passages["doc_id"].to_list()
        rows = shards.shard_rows(doc_ids, index, n_shards)
        if n_shards > 1:
            doc_ids = [doc_ids[row] for row in rows]
            texts = PassageTexts(passages["text"].iloc[rows])
        cache_dir = options["cache_dir"]
        cache = (
            SegmentationCache(
                cache_dir, settings_fingerprint(settings), shards.cache_file_name(index, n_shards)
            )
            if cache_dir
            else None
        )
        total = texts.chars()
        if total <= chunk_chars:
            pool = None  # as segment_texts: a small corpus is segmented in this process
        else:
            # Small batches (about 40 per worker, at least 20,000 characters) keep the workers busy to the end.
            chunk_chars = min(chunk_chars, max(20_000, total // (max(workers, 1) * 40)))
            log.info("segmenting %d passages (%d chars) on %d workers", len(texts), total, workers)
        meta = passages[["doc_id", "passage_no", "year"]]
        del passages
        stats: dict[str, int] = {}
        batches = stream_documents(
            doc_ids, texts, settings, cache, chunk_chars=chunk_chars, pool=pool, stats=stats
        )
        counter = [0]
        columns = [
            *([shards.ROW] if n_shards > 1 else []),
            "doc_id",
            "passage_no",
            "year",
            "n_tokens",
            "tokens",
        ]
        write_tsv_chunks(token_tables(meta, rows, batches, n_shards > 1, counter), tokens_out, columns)
        written = counter[0]
        if cache is not None:
            cache.close()
    log.info("documents segmented: %d, reused from the cache: %d", stats["segmented"], stats["reused"])
    return written, stats, settings, cache


def segment_step(
    passages_path, user_dictionaries, stopwords, themes, tokens_out, stats_out, options: Mapping
) -> None:
    """Rule ``segment_passages`` (one shard): jieba tokens of every passage, and segmentation statistics."""
    n_passages, stats, settings, cache = _segment(
        passages_path, user_dictionaries, stopwords, themes, options, tokens_out
    )
    write_json({**stats, "passages": n_passages, "engine": settings.engine}, stats_out)
    if cache is not None:
        prune_segmentation_caches(cache.base, cache.fingerprint, 1)


def segment_shard_step(
    passages_path, user_dictionaries, stopwords, themes, scatter_item: str, tokens_out, stats_out, options
) -> None:
    """Rule ``segment_passages`` with ``segment.shards`` > 1: the tokens of one shard's documents.

    ``scatter_item`` is Snakemake's ``<i>-of-<n>``. The shard's table carries each passage's row
    number in passages.tsv (column ``row``) for :func:`gather_tokens_step`; its statistics also
    carry the settings fingerprint, with which the gather prunes the caches.
    """
    shard = shards.parse_scatter_item(scatter_item)
    _n_passages, stats, settings, cache = _segment(
        passages_path, user_dictionaries, stopwords, themes, options, tokens_out, shard
    )
    fingerprint = cache.fingerprint if cache is not None else None
    write_json({**stats, "engine": settings.engine, "fingerprint": fingerprint}, stats_out)


def gather_tokens_step(
    shard_tokens: Sequence, shard_stats: Sequence, tokens_out, stats_out, cache_dir
) -> None:
    """Rule ``gather_tokens``: the shards' tokens as one table in passage order (same bytes as unsharded)."""
    import json

    tokens = shards.gather_tokens(shard_tokens)
    facts = [json.loads(Path(path).read_text(encoding="utf-8")) for path in shard_stats]
    stats = shards.gather_stats(facts)
    write_tsv(tokens, tokens_out)
    counts = {"segmented": stats["segmented"], "reused": stats["reused"]}
    write_json({**counts, "passages": len(tokens), "engine": stats["engine"]}, stats_out)
    if cache_dir and stats["fingerprint"]:
        prune_segmentation_caches(cache_dir, stats["fingerprint"], len(facts))
    log.info(
        "%d shards gathered: %d passages; documents segmented %d, reused %d",
        len(facts),
        len(tokens),
        stats["segmented"],
        stats["reused"],
    )


def summarise_terms_step(
    tokens_path, outputs: Mapping, n_terms: int, keyness: Mapping, themes: Mapping, trend_options: Mapping
) -> None:
    """Rule ``summarise_terms``: each year's TF-IDF top terms, G² keyness and keyword-theme rates.

    ``outputs`` holds ``top_terms``, ``keyness``, ``theme_shares`` and ``keyword_hits``
    (theme_keyword_hits.tsv); ``keyness`` the ``keyness`` config section (``min_freq``,
    ``n_terms``, ``min_g2``); ``trend_options`` the ``trends`` section.
    """
    tokens = read_tokens(tokens_path)
    counts = features.yearly_term_counts(tokens)  # both term tables start from the same counts
    write_tsv(features.top_terms_by_year(None, n_terms=n_terms, counts=counts), outputs["top_terms"])
    write_tsv(keyness_table(None, keyness, counts=counts), outputs["keyness"])
    del counts
    shares, keyword_hits = theme_tables(tokens, themes, trend_options)
    write_tsv(shares, outputs["theme_shares"])
    write_tsv(keyword_hits, outputs["keyword_hits"])


def suggest_keywords_step(
    tokens_path, suggestions_out, themes: Mapping, keyword_match: str, options: Mapping
) -> None:
    """Rule ``suggest_keywords``: each theme's nearest corpus terms (results/trends/theme_suggestions.tsv)."""
    from .suggest import SuggestionSettings, theme_suggestions

    settings = SuggestionSettings(**options)
    # The year and the tokens are all it reads: half the parsing of the whole table.
    tokens = read_tokens(tokens_path, columns=["year"])
    table = theme_suggestions(tokens, normalise_themes(themes), keyword_match, settings)
    write_tsv(table, suggestions_out)
    log.info(
        "%d suggested terms for %d themes", table[["theme", "term"]].drop_duplicates().shape[0], len(themes)
    )


def lda_step(
    tokens_path,
    ledger_path,
    k: int,
    seed: int,
    outputs: Mapping,
    options: Mapping,
    history_marker=None,
    other_seeds: Sequence[int] = (),
    bag_of_words: Mapping | None = None,
) -> None:
    """Rule ``fit_lda``: the reported LDA model with ``k`` topics (the first of ``lda.seeds``).

    ``outputs`` holds the paths ``topics, passage_topics, topic_word, vocabulary, topic_lambda,
    alpha``, ``seed_scores`` and ``seed_topic_word`` (this seed's scores row and the topic-word
    distributions the seeds' stability compares, :func:`topics.fit_seed`; rule ``fit_lda_seed``
    fits the other seeds, rule ``summarise_topics`` gathers them) and ``convergence`` (held-out perplexity after every
    pass; header only when no model was fitted); ``options`` the ``lda`` config section.  In ``freeze``
    mode with a stored model of this K in the history folder of ``history_marker`` (the rule's
    input in that mode), the stored model is kept instead (:func:`history.frozen_run`; the ledger
    is read in that mode only); in ``update`` mode it is trained on (:func:`topics.continue_lda`).
    ``other_seeds`` (``lda.fit_jobs: per_k``) are fitted too, on the same data, into the lists
    ``outputs["other_scores"]`` and ``outputs["other_topic_words"]`` (the files rule
    ``fit_lda_seed`` writes in ``per_seed`` mode, with the same bytes).  ``bag_of_words`` names the
    files of rule ``build_lda_corpus`` (:func:`topics.write_bag_of_words`), read instead of tokens.tsv;
    without it (freeze mode, which reads no counts unless it has to fit) tokens.tsv is read.
    """
    run = model = start = data = grid_topic_word = passage_parts = None
    if options["mode"] in ("freeze", "update"):
        stored = history.load_model(history.history_folder(history_marker))
        if stored is None or stored.k != k:
            log.warning(
                "lda.mode is %s but no stored model with K=%d was found: fitting a new one",
                options["mode"],
                k,
            )
        elif options["mode"] == "freeze":
            ledger = read_tsv(ledger_path, dtype={"doc_id": str})
            run = history.frozen_run(read_tokens(tokens_path), ledger, stored, seed, options["n_terms"])
        else:
            start = stored
    if run is None:
        settings = topics.LdaSettings.from_config(options)
        passages, data = _lda_data(tokens_path, bag_of_words, settings)
        # one line naming lda.k, before minutes of fitting
        check_k_for_passages(k, len(passages), options["min_passages_per_topic"])
        model, scores, grid_topic_word = topics.fit_seed(
            data, k, seed, settings, watch_convergence=True, start=start
        )
        run = topics.reported_run(passages, data, model, scores, settings, with_passage_topics=False)
        # inferred and written a part at a time (a whole corpus's table is gigabytes at a large K)
        passage_parts = topics.passage_topic_parts(model, data.corpus, passages)
        fall = topics.still_falling(getattr(model, "metrics", {}).get("heldout_perplexity", []))
        if fall is not None:
            log.warning(
                "K=%d: the held-out perplexity still falls %.2f %% per pass at the end of training: the "
                "model has not converged; raise lda.%s (results/lda/k%d/convergence.tsv)",
                k,
                100 * fall,
                "update_passes" if start is not None else "passes",
                k,
            )
    write_tsv(run.scores, outputs["seed_scores"])
    write_tsv(run.terms, outputs["topics"])
    if passage_parts is None:
        write_tsv(run.passage_topics, outputs["passage_topics"])
    else:
        write_tsv_chunks(passage_parts, outputs["passage_topics"], topics.passage_topic_columns(k))
    write_npy(run.topic_word_lambda, outputs["topic_lambda"])
    write_npy(run.alpha, outputs["alpha"])
    write_npy(run.topic_word, outputs["topic_word"])
    # what the seeds' stability compares (the sample's model when the grid learned from one)
    write_npy(run.topic_word if grid_topic_word is None else grid_topic_word, outputs["seed_topic_word"])
    write_lines(run.vocabulary, outputs["vocabulary"])
    write_tsv(topics.convergence_table(model, k, seed), outputs["convergence"])
    if other_seeds:
        if data is None:  # the workflow fits no other seed beside a frozen model (common.smk)
            raise ValueError("freeze mode keeps the stored model: no other seeds are fitted")
        for other, scores_out, topic_word_out in zip(
            other_seeds, outputs["other_scores"], outputs["other_topic_words"], strict=True
        ):
            _fit_other_seed(data, k, other, settings, scores_out, topic_word_out)


def _fit_other_seed(data, k: int, seed: int, settings, scores_out, topic_word_out) -> None:
    """One more model with ``k`` topics, for the stability of the reported one: its scores row and
    its topic-word distributions."""
    _, scores, grid_topic_word = topics.fit_seed(data, k, seed, settings, reported=False)
    write_tsv(scores, scores_out)
    write_npy(grid_topic_word, topic_word_out)


def _lda_data(tokens_path, bag_of_words: Mapping | None, settings):
    """``(passages, data)`` of rule ``build_lda_corpus``'s files, or else of tokens.tsv."""
    if bag_of_words:
        return topics.lda_data_from_bag_of_words(bag_of_words, settings)
    # tokens.tsv a chunk at a time: its token strings are never held whole
    return topics.lda_data_from_file(tokens_path, settings)


def bag_of_words_inputs(inputs: Mapping) -> dict | None:
    """Rule ``build_lda_corpus``'s files among a fit's inputs (named ``bow_<file>``), or None if they are
    not (freeze mode): the ``bag_of_words`` of :func:`lda_step`."""
    files = {name: inputs.get(f"bow_{name}") for name in topics.BAG_OF_WORDS_FILES}
    return files if all(files.values()) else None


def build_lda_corpus_step(tokens_path, outputs: Mapping, options: Mapping) -> None:
    """Rule ``build_lda_corpus``: the vocabulary, counts and coherence sample every K and seed learns from,
    built once from tokens.tsv (:func:`topics.write_bag_of_words`); ``options`` the ``lda`` section."""
    bow = topics.write_bag_of_words(tokens_path, topics.LdaSettings.from_config(options), outputs)
    log.info(
        "LDA corpus: %d passages, %d terms, %d coherence passages",
        len(bow.corpus),
        len(bow.dictionary),
        len(bow.texts),
    )


def lda_seed_step(
    tokens_path, k: int, seed: int, outputs: Mapping, options: Mapping, bag_of_words: Mapping | None = None
) -> None:
    """Rule ``fit_lda_seed`` (``lda.fit_jobs: per_seed``): one more model with ``k`` topics.

    ``outputs`` holds ``scores`` (its scores row) and ``topic_word`` (its topic-word distributions);
    ``bag_of_words`` names rule ``build_lda_corpus``'s files (as :func:`lda_step`).
    """
    settings = topics.LdaSettings.from_config(options)
    passages, data = _lda_data(tokens_path, bag_of_words, settings)
    check_k_for_passages(k, len(passages), options["min_passages_per_topic"])
    del passages
    _fit_other_seed(data, k, seed, settings, outputs["scores"], outputs["topic_word"])


def gather_seeds_step(
    inputs: Mapping, ks: Sequence[int], seeds: Sequence[int]
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Each K's scores and topic stability from its per-seed fits (part of ``summarise_topics``).

    ``inputs`` holds per-K lists ``topic_lambda`` and ``vocabulary`` (the reported models),
    ``seed_scores`` (every K's rows for every seed, K-major) and ``seed_topic_word`` (every seed's
    topic-word arrays as the grid compares them, K-major: :func:`topics.fit_seed`).

    Returns
    -------
    list of (scores, stability)
        Per K: every seed's scores row, and the topic stability table labelled by relevance
        (:func:`summarise_topics_step` writes them, with the chosen model's hand labels).
    """
    n = len(seeds)
    gathered = []
    for i, _k in enumerate(ks):
        scores = [read_tsv(path) for path in inputs["seed_scores"][i * n : (i + 1) * n]]
        topic_word = [read_npy(path) for path in inputs["seed_topic_word"][i * n : (i + 1) * n]]
        gathered.append(topics.gather_seeds(scores, topic_word, _auto_labels(inputs, i)))
    return gathered


def select_k_step(
    score_tables: Sequence,
    topic_tables: Sequence,
    ks: Sequence[int],
    outputs: Mapping,
    options: Mapping,
    note: str = "",
) -> None:
    """Gather every K's scores, choose K, and copy out the chosen model's terms (rule ``summarise_topics``).

    ``outputs`` holds ``selection`` (model_selection.tsv), ``chosen_k`` (chosen_k.txt: the K, the
    rule that chose it and the one-standard-error band, :class:`~zhengfa_trends.topics.KChoice`;
    then ``note``, e.g. :func:`topics.selection_text`) and ``chosen_topics`` (the chosen K's
    topics.tsv with a ``k`` column).
    """
    tables = [table if isinstance(table, pd.DataFrame) else read_tsv(table) for table in score_tables]
    selection = pd.concat(tables, ignore_index=True).sort_values(["k", "seed"])
    choice = topics.choose_k_band(selection, options["chosen_k"], options["min_stability"])
    k, reason = choice.k, choice.reason
    selection["chosen"] = selection["k"] == k
    write_tsv(selection, outputs["selection"])
    Path(outputs["chosen_k"]).write_text(choice.to_text() + note, encoding="utf-8")
    terms = read_tsv(topic_tables[list(ks).index(k)])
    terms.insert(0, "k", k)
    write_tsv(terms, outputs["chosen_topics"])
    log.info("chosen K = %d (%s)", k, reason)


def summarise_topics_step(
    inputs: Mapping,
    ks: Sequence[int],
    seeds: Sequence[int],
    outputs: Mapping,
    options: Mapping,
    trend_options: Mapping,
    themes: Mapping[str, Sequence[str]],
) -> None:
    """Rule ``summarise_topics``: choose K, id the chosen topics, then every K's yearly topic shares
    and its links to the keyword themes.

    ``inputs`` holds ``tokens``, per-K lists ``topics``, ``topic_word``, ``topic_lambda``,
    ``vocabulary``, ``passage_topics`` and the per-seed fits of :func:`gather_seeds_step`;
    ``outputs`` those of :func:`select_k_step` plus ``stability`` (topic_stability.tsv, every K),
    ``topic_ids``,
    ``topic_shares`` (topic_share_by_year.tsv) and ``theme_topics``.  Each K's passage table is
    read once for both yearly shares and theme links.
    """
    gathered = gather_seeds_step(inputs, ks, seeds)
    theme_keywords = normalise_themes(themes)
    # The keyword occurrences do not depend on K: found once, reading the token strings (most
    # of this job's memory on a large corpus when held whole) 20,000 passages at a time.
    occurrences, n_passages = trends.theme_occurrences_in_parts(
        read_token_chunks(inputs["tokens"], 20_000, columns=[]),
        theme_keywords,
        trend_options["keyword_match"],
    )
    note = topics.selection_text(n_passages, topics.LdaSettings.from_config(options))
    select_k_step([scores for scores, _ in gathered], inputs["topics"], ks, outputs, options, note)
    chosen_labels = align_topics_step(outputs["chosen_k"], ks, inputs, options, outputs["topic_ids"])
    chosen = read_chosen_k(outputs["chosen_k"])
    # topic_stability.tsv (every K) carries the label every other table shows: relevance, and the
    # hand labels for the chosen K.
    stability = []
    for (_, table), k in zip(gathered, ks, strict=True):
        if int(k) == chosen:
            table = table.assign(label=table["topic"].astype(int).map(chosen_labels))
        stability.append(table)
    write_tsv(pd.concat(stability, ignore_index=True), outputs["stability"])
    shares, links = [], []
    for i, k in enumerate(ks):
        labels = chosen_labels if int(k) == chosen else _auto_labels(inputs, i)
        # only the columns used (passage_no is not), parsed as before
        passage_topics = read_tsv(
            inputs["passage_topics"][i],
            dtype={"doc_id": str},
            usecols=["doc_id", "year", "n_tokens", *(f"topic_{t}" for t in range(int(k)))],
        )
        shares.append(
            trends.topic_share_by_year(passage_topics, int(k), labels, **bootstrap_options(trend_options))
        )
        topic_word = read_npy(inputs["topic_word"][i])
        vocabulary = read_lines(inputs["vocabulary"][i])
        links.append(
            trends.theme_topic_shares(
                None,
                passage_topics,
                topic_word,
                vocabulary,
                theme_keywords,
                labels,
                trend_options["keyword_match"],
                occurrences=occurrences,
            )
        )
    write_tsv(
        with_topic_ids(pd.concat(shares, ignore_index=True), outputs["topic_ids"]), outputs["topic_shares"]
    )
    write_tsv(pd.concat(links, ignore_index=True), outputs["theme_topics"])


def theme_trends_table(
    tokens: pd.DataFrame, themes: Mapping[str, Sequence[str]], options: Mapping
) -> pd.DataFrame:
    """Keyword-theme shares per year with intervals (see :func:`theme_tables`)."""
    return theme_tables(tokens, themes, options)[0]


def theme_tables(
    tokens: pd.DataFrame, themes: Mapping[str, Sequence[str]], options: Mapping
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keyword-theme shares per year with intervals, and every keyword's hits per year.

    Keywords are normalised first (:func:`~zhengfa_trends.keywords.normalise_themes`).  A theme
    none of whose keywords occurs is logged, and the keywords that never occur are listed in one
    warning.
    """
    table, keyword_hits = trends.theme_tables(tokens, normalise_themes(themes), **theme_options(options))
    for theme, hits in table.groupby("theme", sort=False)["n_hits"].sum().items():
        if hits == 0:
            log.warning("theme %s: none of its keywords occurs in the corpus (tracked as zeros)", theme)
    missing = trends.missing_keywords(keyword_hits)
    if missing:
        log.warning(
            "%d theme keywords never occur in the corpus (keyword_match: %s): %s",
            len(missing),
            options["keyword_match"],
            ", ".join(missing),
        )
    return table, keyword_hits


def with_topic_ids(shares: pd.DataFrame, topic_ids_path) -> pd.DataFrame:
    """Yearly topic shares with the stable ``topic_id`` of topic_ids.tsv (empty for other Ks)."""
    topic_ids = history.current_topics(read_tsv(topic_ids_path))
    return trends.insert_topic_ids(shares[trends.TOPIC_COLUMNS], topic_ids)


def keyness_table(tokens: pd.DataFrame | None, options: Mapping, counts=None) -> pd.DataFrame:
    """G² keyness of each year against the other years, with the ``keyness`` config options
    (``counts``: :func:`features.yearly_term_counts` of ``tokens``, where already counted)."""
    return features.keyness_by_year(
        tokens,
        min_freq=options["min_freq"],
        n_terms=options["n_terms"],
        min_g2=options["min_g2"],
        counts=counts,
    )


def figure_index_step(
    names: Sequence[str], config: Mapping, ledger_path, formats: Sequence[str], index_out
) -> None:
    """results/figures/README.md: every figure with its files and caption (rule ``record_run``)."""
    from .captions import figure_index

    ledger = read_tsv(ledger_path, dtype={"doc_id": str})
    Path(index_out).write_text(figure_index(list(names), config, ledger, list(formats)), encoding="utf-8")


def provenance_step(
    inputs: Mapping, config: Mapping, provenance_out, ledger_path, corpus_files: Sequence[str] = ()
) -> None:
    """provenance.json: hashes of every input, resolved config, seeds, versions, chosen K (rule ``record_run``).

    ``inputs`` maps a role to a path or a list of paths; every role but ``chosen_k`` is hashed.
    ``ledger_path`` (documents.tsv) gives the corpus files' hashes (``documents``, for
    ``corpus_files``: :func:`~zhengfa_trends.provenance.corpus_file_hashes`) and the latest included
    date, recorded as ``max_date`` when ``corpus.max_date`` is not set.
    """
    from .provenance import build_provenance, corpus_file_hashes, latest_included_date

    chosen_k = read_chosen_k(inputs["chosen_k"])
    ledger = read_tsv(ledger_path, dtype={"doc_id": str, "date": str, "file": str, "sha256": str})
    hashed = {"documents": corpus_file_hashes(corpus_files, ledger)}
    hashed.update(
        (role, [paths] if isinstance(paths, str) else list(paths))
        for role, paths in inputs.items()
        if role != "chosen_k"
    )
    included = ledger.loc[ledger["included"] == "yes", "date"].dropna()
    latest = latest_included_date(included.tolist())
    write_json(build_provenance(hashed, dict(config), chosen_k, latest), provenance_out)


def align_topics_step(
    chosen_k_path, ks: Sequence[int], inputs: Mapping, options: Mapping, topic_ids_out
) -> None:
    """Stable topic ids of the chosen model against the previous run's model (rule ``summarise_topics``).

    ``inputs`` holds per-K lists ``topic_word``, ``topic_lambda`` and ``vocabulary``, and
    ``history`` (the history folder's marker: the previous run's model is read there).  Topics are
    labelled by relevance (:func:`~zhengfa_trends.topics.relevance_labels`), or by hand where
    ``options["labels"]`` (``lda.labels``: topic id → name) names their id; a hand label whose id
    is not a topic of this model is warned about.

    Returns
    -------
    dict
        The chosen model's labels by topic number (what every table and figure shows).
    """
    k = read_chosen_k(chosen_k_path)
    i = list(ks).index(k)
    labels = _auto_labels(inputs, i)
    topic_word = read_npy(inputs["topic_word"][i])
    vocabulary = read_lines(inputs["vocabulary"][i])
    previous = history.load_model(history.history_folder(inputs["history"]))
    ids = history.assign_topic_ids(topic_word, vocabulary, labels, previous, options["match_similarity"])
    ids, labels = history.label_topic_ids(ids, labels, options["labels"] or {}, k)
    write_tsv(ids, topic_ids_out)
    return labels


def _auto_labels(inputs: Mapping, i: int) -> dict[int, str]:
    """Relevance labels of the i-th K's model, from its stored lambda and vocabulary."""
    return topics.relevance_labels(read_npy(inputs["topic_lambda"][i]), read_lines(inputs["vocabulary"][i]))


def record_changes_step(inputs: Mapping, ks: Sequence[int], changes_out) -> dict:
    """Compare this run with the stored previous one and write changes.tsv (rule ``record_run``).

    ``inputs``: ``documents``, ``theme_shares``, ``topic_shares``, ``topic_ids``, ``chosen_k``, per-K
    lists ``topic_lambda``, ``alpha``, ``vocabulary``, ``passage_topics``, and ``history`` (the
    history folder's marker; the stored state is beside it).  Returns the arguments of
    :func:`history.save_state`, which the caller runs once every record of the run is written.
    If the stored state is already this run's (a run killed after storing it, then resumed), its
    stored change records are written again instead of comparing the run with itself.
    """
    k = read_chosen_k(inputs["chosen_k"])
    i = list(ks).index(k)
    model_files = {name: inputs[role][i] for name, role in history.MODEL_INPUTS.items()}
    run = {
        role: inputs[role] for role in ("documents", "theme_shares", "topic_shares", "topic_ids", "chosen_k")
    }
    return history.record_changes(history.history_folder(inputs["history"]), k, run, model_files, changes_out)


def record_run_step(
    inputs: Mapping,
    outputs: Mapping,
    ks: Sequence[int],
    figure_names: Sequence[str],
    formats: Sequence[str],
    config: Mapping,
    corpus_dir: str | None = None,
) -> None:
    """Rule ``record_run``: ``changes`` (:func:`record_changes_step`), ``provenance``
    (:func:`provenance_step`, with the files of the corpus folder ``corpus_dir``) and
    ``figure_index`` (:func:`figure_index_step`); then this run's state is stored for the next run
    (:func:`history.save_state`) and ``manifest`` (the history folder's manifest.json, the rule's
    declared output there) names it.

    Every record is written before the stored state is replaced, and the replacement is one atomic
    switch, so a run killed at any point and resumed (``--rerun-incomplete``) writes the same
    records as an uninterrupted one.
    """
    state = record_changes_step(inputs, ks, outputs["changes"])
    checkpoint("record_run")
    provenance_inputs = {listed: inputs[role] for role, listed in PROVENANCE_INPUTS.items() if role in inputs}
    corpus_files = []
    if corpus_dir is not None:
        from .files import readable_corpus_files

        corpus_files = readable_corpus_files(corpus_dir, exclude=inputs.get("metadata") or [])
    provenance_step(provenance_inputs, config, outputs["provenance"], inputs["documents"], corpus_files)
    checkpoint("record_run")
    figure_index_step(figure_names, config, inputs["documents"], formats, outputs["figure_index"])
    checkpoint("record_run")
    history.save_state(**state)
    history.write_manifest(state["history_dir"], outputs["manifest"])


def export_documents_step(
    inputs: Mapping, outputs: Mapping, themes: Mapping, facets: Sequence[str], options: Mapping
) -> None:
    """Rule ``export_documents``: documents.{csv,parquet,dta} and their codebook.

    ``inputs`` holds ``documents`` (the ledger), ``tokens``, ``chosen_k``, ``topic_ids`` and
    ``passage_topics`` (one file per K; the chosen K's is used); ``options`` the ``trends``
    settings ``per_tokens`` and ``keyword_match``.  Keywords are normalised and matched as the
    trends step does, so a document's hits add up to the yearly theme counts.  tokens.tsv and
    passage_topics.tsv are read :data:`EXPORT_CHUNK_ROWS` passages at a time: held whole, with
    the weighted copy of the topic shares, they took 3.1 GB at 100,000 documents.
    """
    from . import exports

    k = read_chosen_k(inputs["chosen_k"])
    paths = (
        [inputs["passage_topics"]] if isinstance(inputs["passage_topics"], str) else inputs["passage_topics"]
    )
    chosen = next(p for p in paths if Path(p).parent.name == f"k{k}")
    labels = exports.topic_labels(read_tsv(inputs["topic_ids"]), k)
    ledger = read_tsv(inputs["documents"], dtype=str)
    # passage_no and year are not used
    passage_topics = read_tsv(
        chosen,
        dtype={"doc_id": str},
        usecols=lambda column: column in ("doc_id", "n_tokens") or column.startswith("topic_"),
        chunksize=EXPORT_CHUNK_ROWS,
    )
    theme_keywords = normalise_themes(themes)
    table, column_labels = exports.document_table(
        ledger,
        read_token_chunks(inputs["tokens"], EXPORT_CHUNK_ROWS, columns=["doc_id", "n_tokens"]),
        theme_keywords,
        passage_topics,
        labels,
        facets=list(facets),
        per_tokens=options["per_tokens"],
        keyword_match=options["keyword_match"],
    )
    exports.write_exports(table, column_labels, outputs, themes=list(theme_keywords), facets=list(facets))
    log.info("exported %d documents, %d columns (K=%d)", len(table), len(table.columns), k)
