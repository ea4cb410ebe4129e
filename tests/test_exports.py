"""results/exports/documents.{csv,parquet,dta}: one row per included document (issue 13, item 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from zhengfa_trends.exports import document_table, stata_names, write_exports

THEMES = {"数字政法": ["数字政法", "大数据"], "基层治理": ["枫桥经验"]}


def _inputs():
    ledger = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "date": ["2021-03-05", "2022", ""],
            "year": ["2021", "2022", ""],
            "title": ["甲报告", "乙报告", "丙"],
            "source": ["", "网站", ""],
            "省份": ["上海市", "云南省", ""],
            "included": ["yes", "yes", "no"],
        }
    )
    tokens = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b"],
            "passage_no": [0, 1, 0],
            "n_tokens": [4, 6, 5],
            "tokens": [
                "数字政法 大数据 建设 法治",
                "枫桥经验 基层 数字政法 工作 推进 改革",
                "法院 检察 公安 司法 行政",
            ],
        }
    )
    passage_topics = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b"],
            "passage_no": [0, 1, 0],
            "year": [2021, 2021, 2022],
            "n_tokens": [4, 6, 5],
            "topic_0": [1.0, 0.0, 0.25],
            "topic_1": [0.0, 1.0, 0.75],
        }
    )
    return ledger, tokens, passage_topics


def _table():
    ledger, tokens, passage_topics = _inputs()
    labels = {0: (7, "建设·法治"), 1: (3, "基层·改革")}
    return document_table(ledger, tokens, THEMES, passage_topics, labels, facets=["省份"], per_tokens=1000)


def test_one_row_per_included_document_with_hits_rates_and_shares():
    table, labels = _table()
    assert table["doc_id"].tolist() == ["a", "b"]
    assert list(table.columns) == [
        "doc_id", "date", "year", "title", "source", "省份", "n_passages", "n_tokens",
        "数字政法_hits", "数字政法_rate", "基层治理_hits", "基层治理_rate", "topic_7", "topic_3",
    ]  # fmt: skip
    assert table["n_passages"].tolist() == [2, 1]
    assert table["n_tokens"].tolist() == [10, 5]
    assert table["数字政法_hits"].tolist() == [3, 0]
    assert table["数字政法_rate"].tolist() == [300.0, 0.0]
    assert table["基层治理_hits"].tolist() == [1, 0]
    # token-weighted: document a = (4 * 1.0 + 6 * 0.0) / 10 on model topic 0 (stable id 7)
    assert table["topic_7"].tolist() == [0.4, 0.25]
    assert table["topic_3"].tolist() == [0.6, 0.75]
    assert labels["topic_7"] == "topic 7 share (token-weighted): 建设·法治"


def test_stata_names_are_valid_and_unique():
    names = stata_names(
        ["doc_id", "省份", "数字政法_hits", "数字政法_rate", "in", "topic_3"], ["数字政法"], ["省份"]
    )
    assert names == {
        "doc_id": "doc_id",
        "省份": "facet1",
        "数字政法_hits": "theme1_hits",
        "数字政法_rate": "theme1_rate",
        "in": "var5",
        "topic_3": "topic_3",
    }


def test_exports_round_trip_in_three_formats(tmp_path):
    table, labels = _table()
    outputs = {name: tmp_path / f"documents.{name}" for name in ("csv", "parquet", "dta")}
    outputs["codebook"] = tmp_path / "codebook.tsv"
    write_exports(table, labels, outputs, themes=list(THEMES), facets=["省份"])
    csv = pd.read_csv(outputs["csv"], encoding="utf-8-sig", keep_default_na=False)
    assert csv["数字政法_hits"].tolist() == [3, 0]
    assert outputs["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    parquet = pd.read_parquet(outputs["parquet"])
    assert parquet["省份"].tolist() == ["上海市", "云南省"]
    assert parquet["topic_3"].tolist() == [0.6, 0.75]
    with pd.io.stata.StataReader(outputs["dta"]) as reader:
        dta = reader.read()
        variable_labels = reader.variable_labels()
    assert list(dta.columns[:8]) == [
        "doc_id",
        "date",
        "year",
        "title",
        "source",
        "facet1",
        "n_passages",
        "n_tokens",
    ]
    assert dta["theme1_hits"].tolist() == [3, 0]
    assert dta["facet1"].tolist() == ["上海市", "云南省"]
    assert dta["year"].tolist() == [2021, 2022]
    assert variable_labels["theme1_rate"] == "数字政法: keyword tokens per 1,000 tokens"
    assert variable_labels["facet1"] == "facet 省份"
    codebook = pd.read_csv(outputs["codebook"], sep="\t")
    assert codebook.loc[codebook["column"] == "基层治理_hits", "stata_name"].item() == "theme2_hits"


def test_exports_are_byte_identical_when_written_twice(tmp_path):
    table, labels = _table()
    digests = []
    for run in ("one", "two"):
        outputs = {name: tmp_path / run / f"documents.{name}" for name in ("csv", "parquet", "dta")}
        outputs["codebook"] = tmp_path / run / "codebook.tsv"
        write_exports(table, labels, outputs, themes=list(THEMES), facets=["省份"])
        digests.append([path.read_bytes() for path in outputs.values()])
    assert digests[0] == digests[1]


@pytest.mark.parametrize("n_tokens", [0])
def test_document_without_tokens_has_missing_rate(n_tokens):
    ledger, tokens, passage_topics = _inputs()
    tokens.loc[2, ["n_tokens", "tokens"]] = [n_tokens, ""]
    passage_topics.loc[2, "n_tokens"] = n_tokens
    table, _ = document_table(ledger, tokens, THEMES, passage_topics, facets=["省份"], per_tokens=1000)
    assert pd.isna(table.loc[1, "数字政法_rate"])
    assert pd.isna(table.loc[1, "topic_0"])
