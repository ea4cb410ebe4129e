"""Tests of zhengfa_trends.trends: theme and topic shares per year with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zhengfa_trends import trends
from zhengfa_trends.config import defaults
from zhengfa_trends.topics import LdaSettings, build_bow, fit_lda, passage_topics
from zhengfa_trends.trends import (
    THEME_COLUMNS,
    TOPIC_COLUMNS,
    bootstrap_ratio,
    count_theme_hits,
    ratio_t_interval,
    theme_share_by_year,
    topic_share_by_year,
)

THEMES = {
    "数字政法": ["数字政法", "数字化改革", "数字赋能"],
    "科技手段现代化": ["科技手段现代化"],
}
YEARS = [2021, 2022, 2023, 2024, 2026]
_TRENDS = defaults()["trends"]


def boot(**options) -> dict:
    """Bootstrap options of the ``trends`` config (schema defaults), with the test's changes."""
    keys = {"n_boot": "bootstrap", "seed": "seed", "level": "level", "min_docs": "min_docs"}
    return {name: _TRENDS[key] for name, key in keys.items()} | options


def themed(**options) -> dict:
    """Options of ``theme_share_by_year``: ``trends.per_tokens`` and :func:`boot`."""
    return {"per_tokens": _TRENDS["per_tokens"]} | boot(**options)


BOOT = {"n_boot": 200, "seed": 0}


@pytest.fixture(scope="module")
def theme_shares(default_tokens):
    return theme_share_by_year(default_tokens, THEMES, **themed(**BOOT))


def _series(table: pd.DataFrame, theme: str, column: str = "share") -> dict[int, float]:
    rows = table[table["theme"] == theme]
    return dict(zip(rows["year"].tolist(), rows[column].tolist(), strict=True))


def test_theme_table_shape(theme_shares):
    assert list(theme_shares.columns) == THEME_COLUMNS
    assert theme_shares["theme"].tolist() == ["数字政法"] * 5 + ["科技手段现代化"] * 5
    assert theme_shares["year"].tolist() == YEARS * 2


def test_digital_theme_present_in_2021_and_2026(theme_shares):
    shares = _series(theme_shares, "数字政法")
    assert shares[2021] > 0
    assert shares[2026] > 0
    hits = _series(theme_shares, "数字政法", "n_hits")
    assert hits == {2021: 3, 2022: 0, 2023: 0, 2024: 0, 2026: 2}


def test_tech_theme_only_in_2024(theme_shares):
    shares = _series(theme_shares, "科技手段现代化")
    assert shares[2024] > 0
    assert {year: share for year, share in shares.items() if year != 2024} == {
        2021: 0.0,
        2022: 0.0,
        2023: 0.0,
        2026: 0.0,
    }
    assert _series(theme_shares, "科技手段现代化", "n_hits")[2024] == 1


def test_share_is_hits_per_thousand_tokens(theme_shares, default_tokens):
    tokens_per_year = default_tokens.groupby("year")["n_tokens"].sum().to_dict()
    for row in theme_shares.itertuples():
        assert row.n_tokens == tokens_per_year[row.year]
        assert row.share == pytest.approx(row.n_hits / row.n_tokens * 1000, abs=1e-6)


def test_interval_contains_share(theme_shares):
    assert (theme_shares["ci_low"] <= theme_shares["share"]).all()
    assert (theme_shares["share"] <= theme_shares["ci_high"]).all()
    # A theme absent from a year: share and lower bound 0, upper bound the Poisson bound for zero
    # events (-log 0.025 = 3.689 hits) over the year's tokens, per 1,000 tokens.
    absent = theme_shares[theme_shares["n_hits"] == 0]
    assert (absent[["share", "ci_low"]] == 0).all().all()
    expected = -np.log(0.025) / absent["n_tokens"] * 1000
    assert np.allclose(absent["ci_high"], expected, atol=1e-6)
    present = theme_shares[theme_shares["n_hits"] > 0]
    assert (present["ci_high"] > present["share"]).all()


def test_single_document_years_resample_passages(theme_shares, default_tokens):
    assert (theme_shares["ci_unit"] == "passages").all()
    assert (theme_shares["n_docs"] == 1).all()
    assert theme_shares["small_n"].tolist() == [True] * 10
    passages_per_year = default_tokens.groupby("year").size().to_dict()
    assert _series(theme_shares, "数字政法", "n_passages") == passages_per_year


def test_bootstrap_reproducible_and_seed_dependent(default_tokens):
    first = theme_share_by_year(default_tokens, THEMES, interval="bootstrap", **BOOT)
    again = theme_share_by_year(default_tokens, THEMES, interval="bootstrap", **BOOT)
    pd.testing.assert_frame_equal(again, first)
    theme_shares = first
    other = theme_share_by_year(default_tokens, THEMES, interval="bootstrap", n_boot=200, seed=1)
    pd.testing.assert_series_equal(other["share"], theme_shares["share"])
    assert not other[["ci_low", "ci_high"]].equals(theme_shares[["ci_low", "ci_high"]])


def test_no_bootstrap_gives_nan_bounds(default_tokens):
    table = theme_share_by_year(default_tokens, THEMES, interval="bootstrap", n_boot=0, seed=0)
    assert table["ci_low"].isna().all()
    table = theme_share_by_year(default_tokens, THEMES, interval="none")
    assert table["ci_low"].isna().all()
    assert table["ci_high"].isna().all()
    assert table["share"].notna().all()


def _multi_document_tokens() -> pd.DataFrame:
    # 2020: three documents, each with 1 hit in 4 tokens overall, spread unevenly over passages.
    # 2021: one document whose passages differ.
    return pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "c", "c", "d", "d"],
            "year": [2020, 2020, 2020, 2020, 2020, 2021, 2021],
            "tokens": [
                "数字政法 建设",
                "政法 建设",
                "数字赋能 工作 政法 改革",
                "平安 法治 建设",
                "数字化改革",
                "数字政法 政法",
                "政法 建设 改革 法治 平安 综治中心",
            ],
        }
    ).assign(n_tokens=lambda t: t["tokens"].str.split().str.len())


def test_multi_document_year_resamples_documents():
    table = theme_share_by_year(
        _multi_document_tokens(),
        {"数字": ["数字政法", "数字赋能", "数字化改革"]},
        **themed(n_boot=500, seed=3),
    )
    rows = table.set_index("year")
    assert rows.loc[2020, "ci_unit"] == "documents"
    assert rows.loc[2021, "ci_unit"] == "passages"
    assert rows.loc[2020, ["n_docs", "n_passages", "n_tokens", "n_hits"]].tolist() == [3, 5, 12, 3]
    assert rows.loc[2021, ["n_docs", "n_passages", "n_tokens", "n_hits"]].tolist() == [1, 2, 8, 1]
    assert bool(rows.loc[2020, "small_n"]) is False
    assert bool(rows.loc[2021, "small_n"]) is True
    assert rows.loc[2020, "share"] == 250.0
    assert rows.loc[2021, "share"] == 125.0
    # Every document of 2020 has the same ratio, so resampling documents cannot move it,
    # although its passages differ (0 to 1000 per 1000).
    assert rows.loc[2020, "ci_low"] == rows.loc[2020, "ci_high"] == 250.0
    assert rows.loc[2021, "ci_low"] < 125.0 < rows.loc[2021, "ci_high"]


def test_min_docs_sets_small_n():
    table = theme_share_by_year(
        _multi_document_tokens(), {"数字": ["数字政法"]}, **themed(n_boot=10, seed=0, min_docs=4)
    )
    assert table["small_n"].tolist() == [True, True]


def test_count_theme_hits():
    tokens = pd.Series(["数字政法 数字政法 建设", "", "科技手段现代化 数字赋能"], index=[5, 6, 7])
    hits = count_theme_hits(tokens, THEMES)
    assert hits.index.tolist() == [5, 6, 7]
    assert hits.to_dict("list") == {"数字政法": [2, 0, 1], "科技手段现代化": [0, 0, 1]}


def test_bootstrap_ratio_of_constant_ratios():
    denominators = np.array([4.0, 8.0, 2.0, 6.0])
    numerators = np.column_stack([denominators * 0.5, denominators * 0.25])
    low, high = bootstrap_ratio(numerators, denominators, 300, np.random.default_rng(0), 0.95)
    assert low.tolist() == [0.5, 0.25]
    assert high.tolist() == [0.5, 0.25]


def test_bootstrap_ratio_interval_of_varying_ratios():
    denominators = np.array([10.0, 10.0, 10.0, 10.0])
    numerators = np.array([[0.0], [10.0], [5.0], [5.0]])
    low, high = bootstrap_ratio(numerators, denominators, 2000, np.random.default_rng(0), 0.9)
    assert 0.0 <= low[0] < 0.5 < high[0] <= 1.0


def test_bootstrap_ratio_degenerate_inputs():
    low, high = bootstrap_ratio(np.zeros((3, 2)), np.ones(3), 0, np.random.default_rng(0), 0.95)
    assert np.isnan(low).all() and np.isnan(high).all() and low.shape == (2,)
    low, high = bootstrap_ratio(np.zeros((0, 1)), np.zeros(0), 100, np.random.default_rng(0), 0.95)
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.fixture(scope="module")
def topic_frame(default_tokens):
    settings = LdaSettings(passes=5)
    dictionary, corpus = build_bow([t.split() for t in default_tokens["tokens"]], settings)
    theta = passage_topics(fit_lda(corpus, dictionary, 3, 1, settings), corpus)
    frame = default_tokens[["doc_id", "year", "n_tokens"]].copy()
    for topic in range(3):
        frame[f"topic_{topic}"] = theta[:, topic]
    return frame


def test_topic_shares_sum_to_one_per_year(topic_frame):
    table = topic_share_by_year(topic_frame, 3, {0: "甲", 1: "乙", 2: "丙"}, **boot(**BOOT))
    assert list(table.columns) == TOPIC_COLUMNS
    assert len(table) == 3 * len(YEARS)
    sums = table.groupby(["k", "year"])["share"].sum()
    assert sums.index.get_level_values("year").tolist() == YEARS
    # Each share is rounded to 6 decimals, so three of them may be off by up to 3 * 5e-7 in all.
    assert np.abs(sums.to_numpy() - 1.0).max() <= 3 * 5e-7 + 1e-12
    assert (table["k"] == 3).all()
    assert table.drop_duplicates("topic").set_index("topic")["label"].to_dict() == {0: "甲", 1: "乙", 2: "丙"}
    assert ((table["ci_low"] <= table["share"] + 1e-9) & (table["share"] <= table["ci_high"] + 1e-9)).all()


def test_topic_share_is_token_weighted():
    frame = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "year": [2020, 2020],
            "n_tokens": [30, 10],
            "topic_0": [1.0, 0.0],
            "topic_1": [0.0, 1.0],
        }
    )
    table = topic_share_by_year(frame, 2, {0: "x", 1: "y"}, n_boot=50, seed=0, min_docs=2)
    assert table["share"].tolist() == [0.75, 0.25]
    assert table["ci_unit"].tolist() == ["documents", "documents"]


def test_insert_topic_ids_after_topic_column_and_empty_for_unknown_topics():
    table = pd.DataFrame({"k": [3, 3, 4], "topic": [0, 1, 0], "share": [0.5, 0.5, 1.0]})
    ids = pd.DataFrame({"k": [3, 3], "topic": [0, 1], "topic_id": [7, 2], "terms": ["a", "b"]})
    out = trends.insert_topic_ids(table, ids)
    assert list(out.columns) == ["k", "topic", "topic_id", "share"]
    assert out["topic_id"].tolist() == [7, 2, pd.NA]
    assert str(out["topic_id"].dtype) == "Int64"


# --------------------------------------------------------------------------- the interval rule


def test_ratio_interval_by_hand_with_equal_weights():
    # R = 6/30 = 0.2; residuals (y - R L)/ΣL = (-1, 1, 0)/30; V = Σ residual² / (1 - 1/3) = 1/300;
    # equal weights and equal working variances give Bell-McCaffrey df = n - 1 = 2,
    # t(2, 0.975) = 4.302653.
    low, high = ratio_t_interval(np.array([1.0, 3.0, 2.0]), np.array([10.0, 10.0, 10.0]), 0.95)
    factor = np.exp(4.302653 * np.sqrt(1 / 300) / 0.2)
    assert float(low) == pytest.approx(0.2 / factor, rel=1e-6)
    assert float(high) == pytest.approx(0.2 * factor, rel=1e-6)


def test_ratio_interval_df_counts_the_counting_noise():
    # 3, 2 and 5 hits in 1,000, 500 and 2,000 tokens: R = 1/350, weights a = (2/7, 1/7, 4/7).
    # Q = Σ (y - R L)² / L = 0.00093 is below its counting-noise expectation R(1-R)(n-1) = 0.0057,
    # so τ² = 0 and the working variances are R(1-R)/L: long documents' rates are precise and the
    # df is 45/29 = 1.55 (1.27 if every rate were equally variable). V / R² = 0.016.
    low, high = ratio_t_interval(np.array([3.0, 2.0, 5.0]), np.array([1000.0, 500.0, 2000.0]))
    factor = np.exp(stats.t.ppf(0.975, 45 / 29) * np.sqrt(0.016))
    assert float(low) == pytest.approx((1 / 350) / factor, rel=1e-9)
    assert float(high) == pytest.approx((1 / 350) * factor, rel=1e-9)
    assert (round(float(low), 8), round(float(high), 8)) == (0.00138168, 0.00590822)


def test_ratio_interval_with_between_document_variance_by_matrices():
    # 2, 1, 9 and 30 hits in 100, 50, 300 and 400 tokens: the document rates differ beyond
    # counting noise (τ² > 0). The df from sums equals tr(AΩ)² / tr((AΩ)²) built as matrices.
    y, lengths = np.array([2.0, 1.0, 9.0, 30.0]), np.array([100.0, 50.0, 300.0, 400.0])
    total, n = lengths.sum(), 4
    ratio, a = y.sum() / total, lengths / total
    variance = np.sum(a**2 * (y / lengths - ratio) ** 2 / (1 - a))
    q = np.sum((y - ratio * lengths) ** 2 / lengths)
    tau2 = (q - ratio * (1 - ratio) * (n - 1)) / (total - np.sum(lengths**2) / total)
    assert tau2 > 0
    m = np.eye(n) - np.outer(np.ones(n), a)
    a_omega = m.T @ np.diag(a**2 / (1 - a)) @ m @ np.diag(tau2 + ratio * (1 - ratio) / lengths)
    df = np.trace(a_omega) ** 2 / np.trace(a_omega @ a_omega)
    factor = np.exp(stats.t.ppf(0.975, df) * np.sqrt(variance) / ratio)
    low, high = ratio_t_interval(y, lengths)
    assert float(low) == pytest.approx(ratio / factor, rel=1e-9)
    assert float(high) == pytest.approx(ratio * factor, rel=1e-9)
    assert (round(float(low), 8), round(float(high), 8)) == (0.00357452, 0.68303481)


def test_ratio_interval_widens_when_one_document_carries_the_weight():
    y_equal, y_skewed = np.array([[4.0, 6.0, 5.0, 5.0]]), np.array([[40.0, 6.0, 5.0, 5.0]])
    equal = ratio_t_interval(y_equal, np.array([100.0, 100.0, 100.0, 100.0]))
    skewed = ratio_t_interval(y_skewed, np.array([1000.0, 100.0, 100.0, 100.0]))
    # Same document rates (0.04-0.06) in both; with one long document the effective number of
    # documents is smaller, so the relative width is larger.
    assert skewed[1][0] / skewed[0][0] > equal[1][0] / equal[0][0]


def test_interval_rule_documents_from_min_docs_passages_below_flagged():
    tokens = _multi_document_tokens()  # 2020: three documents; 2021: one document, two passages
    themes = {"数字": ["数字政法", "数字赋能", "数字化改革"]}
    rows = theme_share_by_year(tokens, themes, min_docs=3, n_boot=0).set_index("year")
    assert rows["ci_unit"].to_dict() == {2020: "documents", 2021: "passages"}
    assert rows["small_n"].to_dict() == {2020: False, 2021: True}
    assert rows.loc[2021, "ci_low"] < rows.loc[2021, "share"] < rows.loc[2021, "ci_high"]
    # Two documents are fewer than min_docs: no document interval is made from them.
    rows = theme_share_by_year(tokens, themes, min_docs=4, n_boot=0).set_index("year")
    assert rows["ci_unit"].to_dict() == {2020: "passages", 2021: "passages"}
    # small_n_interval: none -> no interval at all below min_docs, said in ci_unit.
    rows = theme_share_by_year(tokens, themes, min_docs=3, small_n_interval="none").set_index("year")
    assert rows.loc[2021, "ci_unit"] == "none"
    assert np.isnan(rows.loc[2021, "ci_low"]) and np.isnan(rows.loc[2021, "ci_high"])
    assert rows.loc[2020, "ci_unit"] == "documents"
    with pytest.raises(ValueError, match="trends.interval"):
        theme_share_by_year(tokens, themes, interval="bca")


def test_ratio_interval_t_quantile_is_scipy_stats_t_ppf():
    # trends takes the t quantile from scipy.special.stdtrit to spare its jobs the import of
    # scipy.stats: the same numbers as stats.t.ppf over small, large, infinite and missing df.
    from scipy.special import stdtrit

    df = np.concatenate([np.geomspace(0.05, 1e9, 2000), [1.0, 2.0, np.inf, np.nan]])
    for level in (0.5, 0.9, 0.95, 0.99):
        assert np.array_equal(stdtrit(df, 0.5 + level / 2), stats.t.ppf(0.5 + level / 2, df), equal_nan=True)


def test_yearly_intervals_do_not_import_scipy_stats():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from zhengfa_trends.trends import ratio_t_interval\n"
        "low, high = ratio_t_interval(np.array([3.0, 2.0, 5.0]), np.array([1000.0, 500.0, 2000.0]))\n"
        "print(round(float(low), 8), round(float(high), 8), 'scipy.stats' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0.00138168", "0.00590822", "False"]
