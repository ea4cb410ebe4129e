"""The streamed segmentation step: tokens.tsv is written a batch of documents at a time, by workers
forked before the passages are read, and has the bytes of the whole table written at once."""

from __future__ import annotations

import json

import pytest

from zhengfa_trends.config import default
from zhengfa_trends.io import write_tsv
from zhengfa_trends.steps import gather_tokens_step, segment_shard_step, segment_step
from zhengfa_trends.tokenize import (
    SegmentationCache,
    segment_documents,
    segment_passages,
    segmenter_settings,
    settings_fingerprint,
    stream_documents,
)
from zhengfa_trends.workers import WorkerPool


@pytest.fixture(scope="module")
def inputs(default_ingest, dictionaries_dir, tmp_path_factory):
    """passages.tsv of the default corpus, the dictionary files and the step options."""
    folder = tmp_path_factory.mktemp("stream")
    passages_path = folder / "passages.tsv"
    write_tsv(default_ingest.passages, passages_path)
    dictionaries = [dictionaries_dir / "zhengfa_userdict.txt"]
    stopwords = [dictionaries_dir / "stopwords_zh.txt", dictionaries_dir / "stopwords_zhengfa.txt"]
    options = {
        key: default(f"segment.{key}") for key in ("min_chars", "han_only", "hmm", "engine", "chunk_chars")
    }
    return passages_path, dictionaries, stopwords, options


@pytest.fixture(scope="module")
def reference(inputs, default_ingest, tmp_path_factory):
    """tokens.tsv as the whole table, segmented in this process in one chunk."""
    passages_path, dictionaries, stopwords, options = inputs
    settings = segmenter_settings(dictionaries, stopwords, {}, options)
    passages = default_ingest.passages.copy()
    passages["text"] = passages["text"].fillna("")
    table, _stats = segment_passages(passages, settings, None, workers=1, chunk_chars=10**9)
    path = tmp_path_factory.mktemp("reference") / "tokens.tsv"
    write_tsv(table, path)
    return path.read_bytes()


def _step(inputs, folder, workers, chunk_chars, cache_dir=None):
    passages_path, dictionaries, stopwords, options = inputs
    options = {**options, "workers": workers, "chunk_chars": chunk_chars, "cache_dir": cache_dir}
    segment_step(
        passages_path, dictionaries, stopwords, {}, folder / "tokens.tsv", folder / "stats.json", options
    )
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    return (folder / "tokens.tsv").read_bytes(), stats


@pytest.mark.parametrize(("workers", "chunk_chars"), [(1, 10**9), (1, 300), (2, 300), (2, 5000)])
def test_streamed_tokens_have_the_whole_tables_bytes(inputs, reference, tmp_path, workers, chunk_chars):
    # chunk_chars 300 cuts the corpus into a batch per document or so: many parts, one header.
    tokens, stats = _step(inputs, tmp_path, workers, chunk_chars)
    assert tokens == reference
    assert stats["passages"] == reference.count(b"\n") - 1


def test_cache_is_reused_by_the_streamed_step(inputs, reference, tmp_path):
    cache = tmp_path / "cache"
    cold, cold_stats = _step(inputs, tmp_path / "a", 2, 300, cache)
    warm, warm_stats = _step(inputs, tmp_path / "b", 2, 300, cache)
    assert cold == warm == reference
    documents = cold_stats["segmented"]
    assert documents > 1 and cold_stats["reused"] == 0
    assert (warm_stats["segmented"], warm_stats["reused"]) == (0, documents)


def test_sharded_streamed_tokens_gather_to_the_same_bytes(inputs, reference, tmp_path):
    passages_path, dictionaries, stopwords, options = inputs
    options = {**options, "workers": 2, "chunk_chars": 300, "cache_dir": str(tmp_path / "cache")}
    parts = [(tmp_path / f"{i}.tsv", tmp_path / f"{i}.json") for i in (1, 2, 3)]
    for i, (tokens, stats) in enumerate(parts, 1):
        segment_shard_step(passages_path, dictionaries, stopwords, {}, f"{i}-of-3", tokens, stats, options)
    gather_tokens_step(
        [t for t, _ in parts], [s for _, s in parts], tmp_path / "tokens.tsv", tmp_path / "stats.json", None
    )
    assert (tmp_path / "tokens.tsv").read_bytes() == reference


def test_stream_documents_equals_segment_documents_for_any_batch_and_pool(inputs, default_ingest, tmp_path):
    _passages_path, dictionaries, stopwords, options = inputs
    settings = segmenter_settings(dictionaries, stopwords, {}, options)
    doc_ids = default_ingest.passages["doc_id"].to_list()
    texts = default_ingest.passages["text"].fillna("").to_list()
    expected, expected_stats = segment_documents(doc_ids, texts, settings, workers=1, chunk_chars=10**9)
    one = list(stream_documents(doc_ids, texts, settings, chunk_chars=10**9))
    assert len(one) == 1 and one[0] == expected
    stats: dict[str, int] = {}
    with WorkerPool(2, window=2) as pool:  # a window smaller than the batches: items taken lazily
        many = list(stream_documents(doc_ids, texts, settings, chunk_chars=1, pool=pool, stats=stats))
    assert len(many) == expected_stats["segmented"] > 2  # one batch per document
    assert [line for batch in many for line in batch] == expected
    assert stats == expected_stats
    cache = SegmentationCache(tmp_path, settings_fingerprint(settings))
    list(stream_documents(doc_ids, texts, settings, cache, chunk_chars=1))
    stats = {}
    warm = list(stream_documents(doc_ids, texts, settings, cache, chunk_chars=1, stats=stats))
    assert [line for batch in warm for line in batch] == expected
    assert stats == {"segmented": 0, "reused": expected_stats["segmented"]}


def test_passage_texts_and_token_tables_give_the_rows_in_order():
    """PassageTexts hands out strings a slice at a time; token_tables numbers the rows over every
    batch and counts what it wrote."""
    import pandas as pd

    from zhengfa_trends.tokenize import PassageTexts, token_tables

    column = pd.Series(["数字政法", "", "平安中国建设"], index=[7, 8, 9], dtype="str")
    texts = PassageTexts(column)
    assert len(texts) == 3
    assert texts[0] == "数字政法"
    assert texts[1:3] == ["", "平安中国建设"]
    assert texts.chars() == 10
    meta = pd.DataFrame({"doc_id": ["a", "a", "b"], "passage_no": [1, 2, 1], "year": [2021, 2021, 2023]})
    counter = [0]
    parts = list(token_tables(meta, [0, 2], iter([["数字 政法"], ["平安 中国 建设"]]), True, counter))
    assert counter == [2]
    assert [part["row"].tolist() for part in parts] == [[0], [2]]
    assert [part["n_tokens"].tolist() for part in parts] == [[2], [3]]
    assert parts[1][["doc_id", "year", "tokens"]].values.tolist() == [["b", 2023, "平安 中国 建设"]]
