"""The fast segmentation engine (rjieba) against the reference (jieba): identical tokens or no use."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from zhengfa_trends.config import default
from zhengfa_trends.tokenize import (
    Segmenter,
    SegmenterSettings,
    engine_mismatches,
    segment_texts,
    settings_fingerprint,
    verified_settings,
)

# jieba cuts a Latin-digit word at the hyphen, jieba-rs keeps it whole: with han_only off the
# filtered tokens differ, which is exactly what the run-time check must catch.
DIFFERING_TEXT = "应对COVID-19疫情的ABC-123方案"


@pytest.mark.parametrize("hmm", [True, False])
def test_rjieba_equals_jieba_on_every_default_passage(default_ingest, segmenter_settings, hmm):
    texts = default_ingest.passages["text"].tolist()
    assert len(texts) == 78
    settings = replace(segmenter_settings, engine="rjieba", hmm=hmm)
    reference = Segmenter(replace(settings, engine="jieba"))
    fast = Segmenter(settings)
    differing = [i for i, text in enumerate(texts) if fast.tokens(text) != reference.tokens(text)]
    assert differing == []
    # The user dictionary reaches the fast engine too.
    assert "数字政法" in fast.tokens("全面推进数字政法建设。")


def test_the_check_finds_a_real_difference():
    settings = SegmenterSettings(engine="rjieba", han_only=False)
    assert Segmenter(settings).tokens(DIFFERING_TEXT) == ["应对", "COVID-19", "疫情", "ABC-123", "方案"]
    mismatches = engine_mismatches(["推进数字政法建设", DIFFERING_TEXT], settings)
    assert [(index, expected) for index, expected, _ in mismatches] == [
        (1, ["应对", "COVID", "疫情", "ABC", "方案"])
    ]


def test_a_difference_sends_the_run_back_to_jieba(caplog):
    settings = SegmenterSettings(engine="rjieba", han_only=False)
    with caplog.at_level(logging.WARNING):
        used = verified_settings(["推进数字政法建设", DIFFERING_TEXT], settings)
    assert used.engine == "jieba"
    assert "differs from jieba on 1 of the checked passages" in caplog.text
    assert segment_texts([DIFFERING_TEXT], used, workers=1, chunk_chars=default("segment.chunk_chars")) == [
        "应对 COVID 疫情 ABC 方案"
    ]


def test_agreement_keeps_the_fast_engine(caplog):
    settings = SegmenterSettings(engine="rjieba")
    with caplog.at_level(logging.WARNING):
        assert verified_settings(["推进数字政法建设", DIFFERING_TEXT], settings).engine == "rjieba"
    assert caplog.text == ""


def test_the_sample_is_spread_over_the_corpus():
    settings = SegmenterSettings(engine="rjieba", han_only=False)
    texts = ["推进数字政法建设"] * 999 + [DIFFERING_TEXT]
    # 1,000 texts, at most 10 checked: every 100th, so the last one (index 999) is not among them ...
    assert engine_mismatches(texts, settings, sample=10) == []
    # ... but it is when it sits on the sampling grid.
    texts = ["推进数字政法建设"] * 900 + [DIFFERING_TEXT] + ["推进数字政法建设"] * 99
    assert [m[0] for m in engine_mismatches(texts, settings, sample=10)] == [900]


def test_engine_is_part_of_the_cache_key():
    assert settings_fingerprint(SegmenterSettings(engine="jieba")) != settings_fingerprint(
        SegmenterSettings(engine="rjieba")
    )


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="segment.engine must be one of jieba, rjieba"):
        Segmenter(SegmenterSettings(engine="thulac"))
