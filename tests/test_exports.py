"""results/exports/documents.{csv,parquet,dta}: one row per included document (issue 13, item 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends.exports import document_table, stata_names, topic_labels, whole_documents, write_exports
from zhengfa_trends.io import read_token_chunks, read_tokens, read_tsv, write_tsv
from zhengfa_trends.keywords import normalise_themes
from zhengfa_trends.steps import export_documents_step
from zhengfa_trends.topics import KChoice
from zhengfa_trends.trends import theme_tables

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


# Several passages per document, written and read back as the workflow does: d has only
# zero-token passages, b one among others; c is excluded (no passages), e has one passage.
PASSAGES = [
    ("a", 2021, 5, "数字政法 大数据 建设 法治 改革"),
    ("a", 2021, 3, "枫桥经验 基层 全面依法治国"),
    ("a", 2021, 4, "依法治国 数字政法 工作 推进"),
    ("b", 2022, 0, ""),
    ("b", 2022, 6, "大数据 大数据平台 法院 检察 公安 司法"),
    ("b", 2022, 2, "依法治国 枫桥经验"),
    ("d", 2023, 0, ""),
    ("d", 2023, 0, ""),
    ("e", 2023, 7, "全面依法治国 数字化 改革 推进 落实 基层 治理"),
    ("f", 2024, 1, "依法治国"),
]
STREAM_THEMES = {**THEMES, "法治": ["依法治国"]}


def _write_inputs(folder, k=3):
    """documents.tsv, tokens.tsv, chosen_k.txt, topic_ids.tsv and k<k>/passage_topics.tsv in
    ``folder``; the step's ``inputs``."""
    doc_ids = ["a", "b", "c", "d", "e", "f"]
    ledger = pd.DataFrame(
        {
            "doc_id": doc_ids,
            "date": ["2021-03-05", "2022", "2022-01-01", "2023", "2023-07", "2024"],
            "year": ["2021", "2022", "2022", "2023", "2023", "2024"],
            "title": [f"报告{d}" for d in doc_ids],
            "source": ["网站"] * 6,
            "省份": ["上海市", "云南省", "", "浙江省", "", "北京市"],
            "included": ["yes", "yes", "no", "yes", "yes", "yes"],
        }
    )
    tokens = pd.DataFrame(PASSAGES, columns=["doc_id", "year", "n_tokens", "tokens"])
    tokens.insert(1, "passage_no", tokens.groupby("doc_id").cumcount())
    rng = np.random.default_rng(7)
    shares = rng.dirichlet(np.ones(k), size=len(tokens)).round(6)
    shares[[1, 6], -1] = 0.0  # a part whose last topic column reads as integers
    passage_topics = tokens[["doc_id", "passage_no", "year", "n_tokens"]].copy()
    for topic in range(k):
        passage_topics[f"topic_{topic}"] = shares[:, topic]
    topic_ids = pd.DataFrame(
        {
            "k": k,
            "topic": range(k),
            "topic_id": [10 + t for t in range(k)],
            "label": [f"标签{t}" for t in range(k)],
            "similarity": "",
            "status": "first_run",
        }
    )
    inputs = {
        "documents": folder / "documents.tsv",
        "tokens": folder / "tokens.tsv",
        "chosen_k": folder / "chosen_k.txt",
        "topic_ids": folder / "topic_ids.tsv",
        "passage_topics": [str(folder / f"k{k}" / "passage_topics.tsv")],
    }
    write_tsv(ledger, inputs["documents"])
    write_tsv(tokens, inputs["tokens"])
    write_tsv(passage_topics, inputs["passage_topics"][0])
    write_tsv(topic_ids, inputs["topic_ids"])
    inputs["chosen_k"].write_text(KChoice(k, "fixed in config (lda.chosen_k)").to_text(), encoding="utf-8")
    return inputs


def _export_bytes(table, labels, folder):
    outputs = {name: folder / f"documents.{name}" for name in ("csv", "parquet", "dta")}
    outputs["codebook"] = folder / "codebook.tsv"
    write_exports(table, labels, outputs, themes=list(STREAM_THEMES), facets=["省份"])
    return {name: Path(path).read_bytes() for name, path in outputs.items()}


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 50])
def test_exports_from_chunks_are_byte_identical_to_the_whole_tables(tmp_path, chunk_rows):
    inputs = _write_inputs(tmp_path)
    ledger = read_tsv(inputs["documents"], dtype=str)
    passage_topics = inputs["passage_topics"][0]
    labels = topic_labels(read_tsv(inputs["topic_ids"]), 3)
    options = {"facets": ["省份"], "per_tokens": 1000}
    whole = document_table(
        ledger,
        read_tokens(inputs["tokens"]),
        STREAM_THEMES,
        read_tsv(passage_topics, dtype={"doc_id": str}),
        labels,
        **options,
    )
    chunked = document_table(
        ledger,
        read_token_chunks(inputs["tokens"], chunk_rows, columns=["doc_id", "n_tokens"]),
        STREAM_THEMES,
        read_tsv(passage_topics, dtype={"doc_id": str}, chunksize=chunk_rows),
        labels,
        **options,
    )
    assert whole[0]["doc_id"].tolist() == ["a", "b", "d", "e", "f"]
    assert whole[0]["n_passages"].tolist() == [3, 3, 2, 1, 1]
    assert whole[0]["n_tokens"].tolist() == [12, 8, 0, 7, 1]
    assert whole[0].loc[2, ["数字政法_rate", "topic_10"]].isna().all()
    pd.testing.assert_frame_equal(chunked[0], whole[0], check_exact=True)
    assert _export_bytes(*chunked, tmp_path / "chunked") == _export_bytes(*whole, tmp_path / "whole")


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 50])
def test_parts_are_recut_between_documents(tmp_path, chunk_rows):
    path = _write_inputs(tmp_path)["tokens"]
    parts = list(whole_documents(read_token_chunks(path, chunk_rows)))
    seen = [sorted(set(part["doc_id"])) for part in parts]
    assert sorted(d for ids in seen for d in ids) == ["a", "b", "d", "e", "f"]  # each in one part
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), read_tokens(path))


def test_export_counts_keywords_as_configured_like_the_trends(tmp_path):
    inputs = _write_inputs(tmp_path)
    tokens = read_tokens(inputs["tokens"])
    hits = {}
    for keyword_match in ("contains", "token"):
        folder = tmp_path / keyword_match
        outputs = {name: folder / f"documents.{name}" for name in ("csv", "parquet", "dta")}
        outputs["codebook"] = folder / "codebook.tsv"
        options = {"per_tokens": 1000, "keyword_match": keyword_match}
        export_documents_step(inputs, outputs, STREAM_THEMES, ["省份"], options)
        table = pd.read_parquet(outputs["parquet"])
        hits[keyword_match] = dict(zip(table["doc_id"], table["法治_hits"], strict=True))
        # per year and theme, the export's hits are the trends' keyword hits
        _, keyword_hits = theme_tables(tokens, normalise_themes(STREAM_THEMES), keyword_match=keyword_match)
        expected = keyword_hits.groupby(["theme", "year"])["hits"].sum()
        for theme in STREAM_THEMES:
            exported = table.groupby("year")[f"{theme}_hits"].sum()
            assert exported.to_dict() == expected[theme].to_dict()
    # 全面依法治国 counts for 依法治国 when contained, not as a token of its own
    assert hits["contains"] == {"a": 2, "b": 1, "d": 0, "e": 1, "f": 1}
    assert hits["token"] == {"a": 1, "b": 1, "d": 0, "e": 0, "f": 1}
