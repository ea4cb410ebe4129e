"""Tests of G² keyness per year (features.keyness_by_year) and of the bootstrap intervals of
trends.bootstrap_ratio / trends.yearly_shares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends.config import defaults
from zhengfa_trends.features import keyness_by_year as _keyness_by_year
from zhengfa_trends.trends import bootstrap_ratio, yearly_shares


def keyness_by_year(tokens, **options):
    """``keyness_by_year`` with the schema's ``keyness`` options where a test sets none."""
    return _keyness_by_year(tokens, **{**defaults()["keyness"], **options})


KEYNESS_COLUMNS = [
    "year",
    "rank",
    "term",
    "freq_year",
    "freq_other",
    "per_10k_year",
    "per_10k_other",
    "g2",
    "log_ratio",
]


def _passages(year_tokens: dict[int, list[str]]) -> pd.DataFrame:
    """One passage per list of tokens: ``{year: ["tok tok", "tok"]}``."""
    rows = [(year, joined) for year, passages in year_tokens.items() for joined in passages]
    return pd.DataFrame(rows, columns=["year", "tokens"])


def _three_years() -> pd.DataFrame:
    # 14 tokens a year.  政法 is 6/14 of every year; 独有 (5×) and 稀少 (3×) occur in 2020 only;
    # 平安 is spread over 2021 and 2022 only.
    return _passages(
        {
            2020: ["政法 政法 政法 独有 独有 独有 稀少", "政法 政法 政法 独有 独有 稀少 稀少"],
            2021: ["政法 政法 政法 平安 平安 平安 平安", "政法 政法 政法 平安 平安 平安 平安"],
            2022: ["政法 政法 政法 平安 平安 平安 平安 政法 政法 政法 平安 平安 平安 平安"],
        }
    )


def _dunning_g2(a: float, b: float, n1: float, n2: float) -> float:
    """G² of the 2×2 table (term, other tokens) × (this year, other years), all four cells."""
    observed = [a, b, n1 - a, n2 - b]
    total = n1 + n2
    term_total, rest_total = a + b, total - a - b
    expected = [
        n1 * term_total / total,
        n2 * term_total / total,
        n1 * rest_total / total,
        n2 * rest_total / total,
    ]
    return 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected, strict=True) if o > 0)


def test_keyness_columns():
    table = keyness_by_year(_three_years(), min_g2=0, min_freq=3)
    assert list(table.columns) == KEYNESS_COLUMNS
    assert table["year"].is_monotonic_increasing


def test_term_of_one_year_ranks_first():
    table = keyness_by_year(_three_years(), min_g2=0, min_freq=5)
    first = table[(table["year"] == 2020) & (table["rank"] == 1)].iloc[0]
    assert first["term"] == "独有"
    assert first["freq_year"] == 5
    assert first["freq_other"] == 0
    assert first["per_10k_year"] == pytest.approx(1e4 * 5 / 14, abs=1e-3)
    assert first["per_10k_other"] == 0
    # log2((5 / 14) / (0.5 / 28)) = log2(20): a zero count elsewhere is taken as 0.5.
    assert first["log_ratio"] == pytest.approx(math.log2(20), abs=1e-3)
    assert math.isfinite(first["log_ratio"]) and first["log_ratio"] > 0
    assert first["g2"] > 0


def test_evenly_spread_term_never_appears():
    table = keyness_by_year(_three_years(), min_g2=0, min_freq=1)
    assert "政法" not in set(table["term"])
    # Terms under-represented in a year are never listed for it.
    assert table[table["year"] == 2020]["term"].tolist() == ["独有", "稀少"]
    assert set(table[table["year"] == 2021]["term"]) == {"平安"}


def test_min_freq_filters():
    with_rare = keyness_by_year(_three_years(), min_g2=0, min_freq=3)
    assert with_rare[with_rare["year"] == 2020]["term"].tolist() == ["独有", "稀少"]
    assert with_rare[with_rare["year"] == 2020]["rank"].tolist() == [1, 2]
    without_rare = keyness_by_year(_three_years(), min_g2=0, min_freq=4)
    assert without_rare[without_rare["year"] == 2020]["term"].tolist() == ["独有"]
    assert keyness_by_year(_three_years(), min_g2=0, min_freq=9).empty


def test_n_terms_limits_rows_per_year():
    table = keyness_by_year(_three_years(), min_g2=0, min_freq=1, n_terms=1)
    assert table.groupby("year").size().max() == 1


def test_log_ratio_hand_computation():
    # 平安 in 2021: a = 8 of 14, b = 8 of 28 → log2((8/14) / (8/28)) = 1.
    table = keyness_by_year(_three_years(), min_g2=0, min_freq=5)
    row = table[(table["year"] == 2021) & (table["term"] == "平安")].iloc[0]
    assert row["freq_year"] == 8
    assert row["freq_other"] == 8
    assert row["log_ratio"] == pytest.approx(1.0, abs=1e-4)


def test_dunning_helper_agrees_with_scipy():
    # The helper is the textbook G² = 2 Σ O ln(O / E) over the four cells; scipy's log-likelihood
    # statistic of the same uncorrected 2×2 table is an independent reference.
    from scipy.stats import chi2_contingency

    statistic = chi2_contingency([[5, 1], [9, 27]], correction=False, lambda_="log-likelihood")[0]
    assert _dunning_g2(5, 1, 14, 28) == pytest.approx(statistic, abs=1e-9)
    assert _dunning_g2(5, 1, 14, 28) == pytest.approx(7.5723, abs=1e-4)
    assert _dunning_g2(10, 20, 100, 200) == pytest.approx(0.0, abs=1e-12)  # O == E everywhere


def test_g2_equals_dunning_2x2_hand_computation():
    tokens = _passages({2020: ["甲 甲 甲 甲 甲 乙 乙 乙 乙 乙 乙 乙 乙 乙"], 2021: ["乙 " * 27 + "甲"]})
    # 甲: a = 5 of n1 = 14 in 2020, b = 1 of n2 = 28 elsewhere.
    table = keyness_by_year(tokens, min_g2=0, min_freq=5)
    row = table[(table["year"] == 2020) & (table["term"] == "甲")].iloc[0]
    assert (row["freq_year"], row["freq_other"]) == (5, 1)
    # E = 14·6/42 = 2, 28·6/42 = 4, 14·36/42 = 12, 28·36/42 = 24 for O = 5, 1, 9, 27.
    expected = 2 * (5 * math.log(5 / 2) + 1 * math.log(1 / 4) + 9 * math.log(9 / 12) + 27 * math.log(27 / 24))
    assert expected == pytest.approx(_dunning_g2(5, 1, 14, 28), abs=1e-12)
    assert row["g2"] == pytest.approx(expected, abs=1e-3)


# --------------------------------------------------------------------------- bootstrap intervals


def _units(seed: int = 3, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    denominators = rng.integers(50, 500, size=n).astype(float)
    numerators = np.column_stack(
        [rng.binomial(denominators.astype(int), 0.1), rng.binomial(denominators.astype(int), 0.3)]
    ).astype(float)
    return numerators, denominators


def test_bootstrap_ratio_contains_point_estimate():
    numerators, denominators = _units()
    low, high = bootstrap_ratio(numerators, denominators, 500, np.random.default_rng(0), 0.95)
    point = numerators.sum(axis=0) / denominators.sum()
    assert low.shape == high.shape == (2,)
    assert (low < point).all()
    assert (point < high).all()
    assert (high - low < 0.1).all()


def test_bootstrap_ratio_same_seed_identical_other_seed_different():
    numerators, denominators = _units()
    first = bootstrap_ratio(numerators, denominators, 300, np.random.default_rng(7), 0.95)
    again = bootstrap_ratio(numerators, denominators, 300, np.random.default_rng(7), 0.95)
    other = bootstrap_ratio(numerators, denominators, 300, np.random.default_rng(8), 0.95)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    assert not np.array_equal(first[1], other[1])


def test_bootstrap_ratio_wider_level_gives_wider_interval():
    numerators, denominators = _units()
    low90, high90 = bootstrap_ratio(numerators, denominators, 500, np.random.default_rng(1), 0.90)
    low99, high99 = bootstrap_ratio(numerators, denominators, 500, np.random.default_rng(1), 0.99)
    assert (low99 < low90).all()
    assert (high99 > high90).all()


def test_bootstrap_ratio_no_resamples_gives_nan():
    numerators, denominators = _units()
    low, high = bootstrap_ratio(numerators, denominators, 0, np.random.default_rng(0), 0.95)
    assert low.shape == high.shape == (2,)
    assert np.isnan(low).all() and np.isnan(high).all()


def _yearly_passages() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for year, rate in ((2021, 0.05), (2022, 0.10), (2023, 0.20)):
        for doc in range(12):
            for _passage in range(3):
                n_tokens = int(rng.integers(40, 120))
                rows.append((f"{year}_{doc}", year, n_tokens, int(rng.binomial(n_tokens, rate))))
    return pd.DataFrame(rows, columns=["doc_id", "year", "n_tokens", "hits"])


def test_yearly_shares_interval_contains_share():
    passages = _yearly_passages()
    table = yearly_shares(passages, ["hits"], scale=1000, n_boot=400, seed=1, level=0.95, min_docs=3)
    assert table["year"].tolist() == [2021, 2022, 2023]
    assert (table["ci_unit"] == "documents").all()
    assert (table["n_docs"] == 12).all()
    assert (table["n_passages"] == 36).all()
    for row in table.itertuples():
        expected = 1000 * passages.loc[passages["year"] == row.year, "hits"].sum() / row.n_tokens
        assert row.share == pytest.approx(expected, abs=1e-6)
        assert row.ci_low < row.share < row.ci_high


def test_yearly_shares_seeded():
    passages = _yearly_passages()
    first = yearly_shares(passages, ["hits"], n_boot=300, interval="bootstrap", seed=1)
    pd.testing.assert_frame_equal(
        first, yearly_shares(passages, ["hits"], n_boot=300, interval="bootstrap", seed=1)
    )
    other = yearly_shares(passages, ["hits"], n_boot=300, interval="bootstrap", seed=2)
    pd.testing.assert_series_equal(first["share"], other["share"])
    assert (first["ci_low"] != other["ci_low"]).all()
    assert (first["ci_high"] != other["ci_high"]).all()


def test_yearly_shares_year_stream_independent_of_other_years():
    passages = _yearly_passages()
    full = yearly_shares(passages, ["hits"], n_boot=300, interval="bootstrap", seed=1)
    without_2021 = yearly_shares(
        passages[passages["year"] != 2021], ["hits"], n_boot=300, interval="bootstrap", seed=1
    )
    pd.testing.assert_frame_equal(full[full["year"] != 2021].reset_index(drop=True), without_2021)


def test_yearly_shares_no_resamples_gives_nan_bounds():
    table = yearly_shares(_yearly_passages(), ["hits"], n_boot=0, interval="bootstrap")
    assert table["ci_low"].isna().all()
    assert table["ci_high"].isna().all()
    assert table["share"].notna().all()


def test_min_g2_drops_terms_that_are_not_clearly_over_represented():
    everything = keyness_by_year(_three_years(), min_g2=0, min_freq=1)
    screened = keyness_by_year(_three_years(), min_freq=1)  # schema default 3.84, chi-square 5 % (1 df)
    assert (screened["g2"] >= 3.84).all()
    assert len(screened) < len(everything)
    assert set(screened["term"]) <= set(everything["term"])
