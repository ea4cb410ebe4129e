"""Acceptance test (issue 5): the package recovers a planted trend of the digital theme.

A synthetic corpus of 1000 documents (2021–2025) has a digital-sentence probability rising
linearly from 0.10 to 0.40.  The real path — ingest, segmentation with the repository's
dictionaries and the configured themes, theme shares with bootstrap intervals — must find the rise.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

from zhengfa_trends import ingest, synthetic, tokenize, trends

YEARS = [2021, 2022, 2023, 2024, 2025]
DIGITAL_THEMES = ("数字政法", "科技手段现代化")
COMBINED = "数字政法+科技手段现代化"
THEME_IDS = ["combined", "digital", "technology"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory, repo_root):
    started = time.perf_counter()
    folder = tmp_path_factory.mktemp("planted")
    truth = synthetic.make_corpus(folder, n_docs=1000, years=(2021, 2025), seed=11)
    result = ingest.ingest_corpus(
        folder / "docs", folder / "metadata.tsv", ingest.IngestOptions(), workers=1, cache_dir=None
    )

    config = yaml.safe_load((repo_root / "config" / "config.yaml").read_text(encoding="utf-8"))
    themes = config["themes"]
    dictionaries = repo_root / "data" / "dictionaries"
    settings = tokenize.segmenter_settings(
        [dictionaries / "zhengfa_userdict.txt"],
        [dictionaries / "stopwords_zh.txt", dictionaries / "stopwords_zhengfa.txt"],
        themes,
        config["segment"],
    )
    passages = result.passages.reset_index(drop=True)
    # A small chunk size makes the two forked workers really share the ~1 M characters.
    joined = tokenize.segment_texts(passages["text"].tolist(), settings, workers=2, chunk_chars=200_000)
    tokens = passages[["doc_id", "passage_no", "year"]].assign(
        n_tokens=[len(t.split()) for t in joined], tokens=joined
    )
    all_themes = {**themes, COMBINED: [w for name in DIGITAL_THEMES for w in themes[name]]}
    shares = trends.theme_share_by_year(
        tokens, all_themes, per_tokens=1000, n_boot=500, seed=12345, level=0.95, min_docs=3
    )
    return {
        "truth": truth,
        "documents": result.documents,
        "tokens": tokens,
        "shares": shares,
        "seconds": time.perf_counter() - started,
    }


def _theme(shares: pd.DataFrame, theme: str) -> pd.DataFrame:
    return shares[shares["theme"] == theme].set_index("year").sort_index()


def test_whole_corpus_is_ingested(planted):
    documents = planted["documents"]
    assert len(documents) == 1000
    assert (documents["included"] == "yes").all()
    assert sorted(planted["tokens"]["year"].unique().tolist()) == YEARS


def test_digital_keywords_are_single_tokens(planted):
    vocabulary = {token for joined in planted["tokens"]["tokens"] for token in joined.split()}
    for keyword in ("数字政法", "科技手段现代化", "跨部门协同办案系统", "智慧法院", "人工智能"):
        assert keyword in vocabulary


@pytest.mark.parametrize("theme", [COMBINED, *DIGITAL_THEMES], ids=THEME_IDS)
def test_share_rises_every_year(planted, theme):
    series = _theme(planted["shares"], theme)
    assert series.index.tolist() == YEARS
    share = series["share"].tolist()
    assert share[0] > 0
    assert all(later > earlier for earlier, later in zip(share, share[1:], strict=False))


@pytest.mark.parametrize("theme", [COMBINED, *DIGITAL_THEMES], ids=THEME_IDS)
def test_rank_correlation_with_planted_share_is_one(planted, theme):
    series = _theme(planted["shares"], theme)
    truth = planted["truth"].set_index("year").loc[YEARS]
    rho = spearmanr(series.loc[YEARS, "share"], truth["planted_share"]).statistic
    # With 5 points rho moves in steps of 0.1 (1 - Σd²/20): within 1e-12 of 1 means exactly 1,
    # up to the floating point of scipy's Pearson-on-ranks.
    assert rho == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("theme", [COMBINED, *DIGITAL_THEMES], ids=THEME_IDS)
def test_first_and_last_year_intervals_do_not_overlap(planted, theme):
    series = _theme(planted["shares"], theme)
    assert (series["ci_low"] <= series["share"]).all()
    assert (series["share"] <= series["ci_high"]).all()
    assert series.loc[2021, "ci_high"] < series.loc[2025, "ci_low"]


def test_year_bookkeeping_matches_truth(planted):
    series = _theme(planted["shares"], COMBINED)
    truth = planted["truth"].set_index("year")
    assert (series["ci_unit"] == "documents").all()
    assert not series["small_n"].any()
    assert series["n_docs"].tolist() == truth.loc[YEARS, "n_docs"].tolist()
    assert series["n_docs"].tolist() == [200] * 5


def test_combined_theme_is_sum_of_its_parts(planted):
    shares = planted["shares"]
    combined = _theme(shares, COMBINED)
    parts = sum(_theme(shares, name)["n_hits"] for name in DIGITAL_THEMES)
    assert combined["n_hits"].tolist() == parts.tolist()


def test_counterweight_theme_does_not_rise(planted):
    # 基层治理 keywords sit mostly in the non-digital sentences, whose probability falls from 0.9 to 0.6.
    series = _theme(planted["shares"], "基层治理")["share"]
    assert series.loc[2025] < series.loc[2021]


def test_runs_in_under_a_minute(planted):
    assert planted["seconds"] < 60
