"""Tests of zhengfa_trends.features: yearly TF-IDF top terms."""

from __future__ import annotations

import pandas as pd

from zhengfa_trends.features import top_terms_by_year


def _three_years() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2022, 2022],
            "tokens": [
                "政法 建设 枫桥经验",
                "枫桥经验 政法",
                "政法 建设 智慧法院",
                "政法 建设",
                "数字政法 数字政法 数字政法",
            ],
        }
    )


def test_columns_and_years():
    table = top_terms_by_year(_three_years(), n_terms=10)
    assert list(table.columns) == ["year", "rank", "term", "score"]
    assert table["year"].unique().tolist() == [2020, 2021, 2022]


def test_term_of_one_year_ranks_first():
    table = top_terms_by_year(_three_years(), n_terms=10)
    first = table[table["rank"] == 1].set_index("year")["term"].to_dict()
    assert first == {2020: "枫桥经验", 2021: "智慧法院", 2022: "数字政法"}


def test_full_ranking_with_tie_broken_by_term():
    table = top_terms_by_year(_three_years(), n_terms=10)
    # 2021: 建设 and 政法 tie (both in every year, tf 1); the tie is ordered by the term.
    assert table.loc[table["year"] == 2021, "term"].tolist() == ["智慧法院", "建设", "政法"]
    assert table.loc[table["year"] == 2021, "rank"].tolist() == [1, 2, 3]
    scores = table.loc[table["year"] == 2021, "score"].tolist()
    assert scores[1] == scores[2] < scores[0]
    # Every year's scores are in descending order.
    for _, group in table.groupby("year"):
        assert group["score"].is_monotonic_decreasing


def test_scores_are_l2_normalised_tfidf():
    table = top_terms_by_year(_three_years(), n_terms=10)
    for _, group in table.groupby("year"):
        assert abs((group["score"] ** 2).sum() - 1.0) < 1e-5
    # 2021 by hand: idf = ln(4/2)+1 for 智慧法院, 1 for 建设/政法; tf 1 each.
    unique, common = 1.6931471805599454, 1.0
    norm = (unique**2 + 2 * common**2) ** 0.5
    row = table[(table["year"] == 2021) & (table["term"] == "智慧法院")]
    assert abs(row["score"].iloc[0] - unique / norm) < 1e-6


def test_n_terms_respected():
    table = top_terms_by_year(_three_years(), n_terms=2)
    assert table.groupby("year").size().to_dict() == {2020: 2, 2021: 2, 2022: 2}
    assert table["rank"].tolist() == [1, 2, 1, 2, 1, 2]


def test_year_without_tokens_is_left_out():
    tokens = pd.DataFrame({"year": [2020, 2021], "tokens": ["政法 建设", "  "]})
    assert top_terms_by_year(tokens, n_terms=20)["year"].unique().tolist() == [2020]


def test_no_tokens_at_all_gives_empty_table():
    table = top_terms_by_year(pd.DataFrame({"year": [2020], "tokens": [""]}), n_terms=20)
    assert table.empty
    assert list(table.columns) == ["year", "rank", "term", "score"]


def test_default_corpus_years(default_tokens):
    table = top_terms_by_year(default_tokens, n_terms=5)
    assert sorted(table["year"].unique().tolist()) == [2021, 2022, 2023, 2024, 2026]
    assert table.groupby("year").size().tolist() == [5, 5, 5, 5, 5]
    assert not table.duplicated(["year", "term"]).any()


def test_scores_equal_scikit_learns_pipeline_over_one_document_per_year(default_tokens, monkeypatch):
    """The yearly counts come from Counters (no passages x terms matrix): the scores are those of
    CountVectorizer + TfidfTransformer over each year's passages pooled into one document, also
    when the counting goes chunk by chunk."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    from zhengfa_trends import features

    monkeypatch.setattr(features, "COUNT_CHUNK", 7)  # many chunks, the last one short
    counts = features.yearly_term_counts(default_tokens)
    table = top_terms_by_year(None, n_terms=10_000, counts=counts)
    pooled = default_tokens.groupby("year")["tokens"].apply(" ".join)
    vectorizer = CountVectorizer(analyzer=str.split)
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(vectorizer.fit_transform(pooled)).toarray()
    vocabulary = vectorizer.get_feature_names_out()
    for year, row in zip(pooled.index, matrix, strict=True):
        expected = {vocabulary[i]: round(float(row[i]), 6) for i in np.flatnonzero(row)}
        got = table[table["year"] == year]
        assert dict(zip(got["term"], got["score"], strict=True)) == expected
    assert sum(counts[2021].values()) == default_tokens.loc[default_tokens["year"] == 2021, "n_tokens"].sum()
    assert top_terms_by_year(default_tokens, n_terms=10_000).equals(table)
