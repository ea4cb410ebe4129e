"""The content-addressed segmentation cache: only new or changed documents are segmented."""

from __future__ import annotations

import dataclasses
import sqlite3

import pandas as pd
import pytest

from zhengfa_trends.config import default
from zhengfa_trends.tokenize import SegmentationCache, segment_documents, settings_fingerprint


@pytest.fixture(scope="module")
def passages(default_ingest) -> pd.DataFrame:
    return default_ingest.passages


def _run(passages, settings, cache):
    return segment_documents(
        passages["doc_id"].to_list(),
        passages["text"].to_list(),
        settings,
        cache=cache,
        workers=1,
        chunk_chars=default("segment.chunk_chars"),
    )


def test_first_run_segments_everything_second_reuses_everything(passages, segmenter_settings, tmp_path):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    first, stats = _run(passages, segmenter_settings, cache)
    assert stats == {"segmented": 5, "reused": 0}
    second, stats = _run(passages, segmenter_settings, cache)
    assert stats == {"segmented": 0, "reused": 5}
    assert second == first
    assert cache.count() == 5
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.sqlite"]


def test_cached_tokens_equal_uncached_tokens(passages, segmenter_settings, tmp_path):
    uncached, stats = _run(passages, segmenter_settings, None)
    assert stats == {"segmented": 5, "reused": 0}
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    _run(passages, segmenter_settings, cache)
    cached, _ = _run(passages, segmenter_settings, cache)
    assert cached == uncached


def test_adding_one_document_segments_only_that_one(passages, segmenter_settings, tmp_path):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    without_2026 = passages[passages["year"] != 2026]
    _run(without_2026, segmenter_settings, cache)
    _, stats = _run(passages, segmenter_settings, cache)
    assert stats == {"segmented": 1, "reused": 4}


def test_editing_one_document_resegments_it(passages, segmenter_settings, tmp_path):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    _run(passages, segmenter_settings, cache)
    edited = passages.copy()
    first_of_2021 = edited.index[edited["year"] == 2021][0]
    edited.loc[first_of_2021, "text"] += "数字政法。"
    tokens, stats = _run(edited, segmenter_settings, cache)
    assert stats == {"segmented": 1, "reused": 4}
    assert "数字政法" in tokens[list(edited.index).index(first_of_2021)].split()


def test_changing_the_user_dictionary_resegments_every_document(passages, segmenter_settings, tmp_path):
    fingerprint = settings_fingerprint(segmenter_settings)
    _run(passages, segmenter_settings, SegmentationCache(tmp_path, fingerprint))
    changed = dataclasses.replace(
        segmenter_settings, user_dictionary=[*segmenter_settings.user_dictionary, ("安安静静", 100000, "a")]
    )
    assert settings_fingerprint(changed) != fingerprint
    _, stats = _run(passages, changed, SegmentationCache(tmp_path, settings_fingerprint(changed)))
    assert stats == {"segmented": 5, "reused": 0}


def test_changing_the_stopwords_changes_the_fingerprint(segmenter_settings):
    fewer = dataclasses.replace(segmenter_settings, stopwords=segmenter_settings.stopwords - {"推进"})
    assert settings_fingerprint(fewer) != settings_fingerprint(segmenter_settings)


def test_a_truncated_cache_entry_is_not_trusted(passages, segmenter_settings, tmp_path):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    _run(passages, segmenter_settings, cache)
    connection = sqlite3.connect(cache.path)
    with connection:
        connection.execute(
            "UPDATE entries SET payload = ? WHERE rowid = (SELECT min(rowid) FROM entries)", ("半截\n",)
        )
    connection.close()
    _, stats = _run(passages, segmenter_settings, cache)
    assert stats == {"segmented": 1, "reused": 4}


def test_a_damaged_cache_file_is_started_afresh(passages, segmenter_settings, tmp_path, caplog):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    cache.path.write_bytes(b"not a database" * 100)
    first, stats = _run(passages, segmenter_settings, cache)
    assert stats == {"segmented": 5, "reused": 0}
    assert f"cache {cache.path} could not be used" in caplog.text
    assert (tmp_path / "tokens.sqlite.damaged-1").read_bytes() == b"not a database" * 100  # set aside
    reopened = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    second, stats = _run(passages, segmenter_settings, reopened)
    assert stats == {"segmented": 0, "reused": 5}
    assert second == first


def test_entries_are_written_only_when_flushed(segmenter_settings, tmp_path):
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    cache.put("a" * 64, ["政法 工作", ""])
    other = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    assert other.get("a" * 64, 2) is None
    cache.flush()
    assert other.get("a" * 64, 2) == ["政法 工作", ""]
    assert other.get("a" * 64, 3) is None


def test_prune_keeps_only_the_current_settings(passages, segmenter_settings, tmp_path):
    old = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    _run(passages, segmenter_settings, old)
    legacy = tmp_path / "0123456789abcdef" / "ab"  # the earlier one-file-per-document layout
    legacy.mkdir(parents=True)
    (legacy / "ab12.txt").write_text("政法\n", encoding="utf-8")
    changed = dataclasses.replace(segmenter_settings, min_chars=3)
    new = SegmentationCache(tmp_path, settings_fingerprint(changed))
    _run(passages, changed, new)
    assert (old.count(), new.count()) == (5, 5)
    assert new.prune() == 5
    assert (old.count(), new.count()) == (0, 5)
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.sqlite"]
    _, stats = _run(passages, changed, new)
    assert stats == {"segmented": 0, "reused": 5}
