"""Tests of zhengfa_trends.ingest: the default corpus ledger, dates, encodings and exclusion reasons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zhengfa_trends.ingest import (
    LEDGER_COLUMNS,
    PASSAGE_COLUMNS,
    CorpusError,
    IngestOptions,
    decode_bytes,
    find_text_date,
    ingest_corpus,
    parse_date,
)

DOC = {
    "000": "000_6151ad92a7c0a352",
    "001": "001_a386d98355dc88cb",
    "002": "002_6f6ad21846e20957",
    "003": "003_98d6ae57023eedb6",
    "004": "004_f0d4a305e050400f",
}
PINYIN_IN_PARENS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
TRADITIONAL = list("發網時國與對會現進過這說們為當實點動關經務門東車長問區體產華萬號熱訴設統續黨應")

BODY = (
    "全省政法机关坚持以人民为中心的发展思想,持续推进平安建设和法治建设,不断提升群众的获得感、幸福感和安全感。"
)


def _ledger(result):
    return result.documents.set_index("doc_id")


# --- the default corpus ----------------------------------------------------------------------


def test_default_corpus_has_five_included_documents(default_ingest):
    documents = default_ingest.documents
    assert list(documents.columns) == LEDGER_COLUMNS
    assert list(default_ingest.passages.columns) == PASSAGE_COLUMNS
    assert documents["doc_id"].tolist() == list(DOC.values())
    assert (documents["included"] == "yes").all()
    assert (documents["reason"] == "").all()
    assert (documents["encoding"] == "utf-8").all()


def test_default_corpus_years_and_date_sources(default_ingest):
    ledger = _ledger(default_ingest)
    years = {key: int(ledger.loc[doc_id, "year"]) for key, doc_id in DOC.items()}
    assert years == {"000": 2023, "001": 2024, "002": 2021, "003": 2026, "004": 2022}
    sources = {key: ledger.loc[doc_id, "date_source"] for key, doc_id in DOC.items()}
    assert sources == {
        "000": "text:(日期)",
        "001": "text:发布时间",
        "002": "text:标题年份",
        "003": "metadata",
        "004": "text:发布时间",
    }


def test_default_corpus_dates(default_ingest):
    ledger = _ledger(default_ingest)
    dates = {key: ledger.loc[doc_id, "date"] for key, doc_id in DOC.items()}
    assert dates == {
        "000": "2023-05-08",
        "001": "2024-01-24",
        "002": "2021",
        "003": "2026",
        "004": "2022-12-15",
    }


def test_scrape_date_is_never_used(default_ingest, corpus_dir):
    assert "2024-12-28" not in default_ingest.documents["date"].tolist()
    without_metadata = ingest_corpus(corpus_dir, None, IngestOptions(), workers=1, cache_dir=None)
    assert "2024-12-28" not in without_metadata.documents["date"].tolist()
    assert _ledger(without_metadata).loc[DOC["004"], "date"] == "2022-12-15"


@pytest.mark.parametrize("key", ["000", "001"])
def test_duplicated_body_is_removed(default_ingest, key):
    row = _ledger(default_ingest).loc[DOC[key]]
    assert 0.4 * row["chars_raw"] <= row["chars_clean"] <= 0.6 * row["chars_raw"]


def test_titles_come_from_metadata(default_ingest):
    ledger = _ledger(default_ingest)
    assert ledger.loc[DOC["001"], "title"] == "以政法工作现代化支撑和服务中国式现代化"
    assert ledger.loc[DOC["002"], "title"] == "2021年,我省政法工作重点抓五件大事"


def test_passages_match_ledger(default_ingest):
    passages = default_ingest.passages
    ledger = _ledger(default_ingest)
    counts = passages.groupby("doc_id").size()
    for doc_id in DOC.values():
        assert counts[doc_id] == ledger.loc[doc_id, "passages"] > 0
        numbers = passages.loc[passages["doc_id"] == doc_id, "passage_no"].tolist()
        assert numbers == list(range(len(numbers)))
        assert (passages.loc[passages["doc_id"] == doc_id, "year"] == ledger.loc[doc_id, "year"]).all()
    assert (passages["n_chars"] == passages["text"].str.len()).all()
    assert (passages["text"].str.strip() != "").all()


def test_traditional_document_is_clean(default_ingest):
    texts = default_ingest.passages.loc[default_ingest.passages["doc_id"] == DOC["004"], "text"].tolist()
    assert texts
    joined = "\n".join(texts)
    assert PINYIN_IN_PARENS.search(joined) is None
    assert [ch for ch in TRADITIONAL if ch in joined] == []
    # The content survives, simplified.
    assert "徐永胜" in joined
    assert "枫桥经验" in joined


def test_no_chrome_in_default_passages(default_ingest):
    joined = "\n".join(default_ingest.passages["text"])
    for chrome in (
        "您的位置",
        "首页 >>",
        "浏览:1029次",
        "今天是",
        "未经许可不得转载",
        "供图)",
        "本报记者 张倩",
    ):
        assert chrome not in joined


def test_without_metadata_003_has_no_date(corpus_dir):
    result = ingest_corpus(corpus_dir, None, IngestOptions(), workers=1, cache_dir=None)
    ledger = _ledger(result)
    assert ledger.loc[DOC["003"], "included"] == "no"
    assert ledger.loc[DOC["003"], "reason"] == "no_date"
    for key in ("000", "001", "002", "004"):
        assert ledger.loc[DOC[key], "included"] == "yes"
    assert DOC["003"] not in set(result.passages["doc_id"])
    # metadata.tsv is then just another file of the folder.
    assert ledger.loc["metadata", "reason"] == "not_text"


def test_years_option_filters(corpus_dir):
    result = ingest_corpus(
        corpus_dir, corpus_dir / "metadata.tsv", IngestOptions(years=(2021, 2023)), workers=1, cache_dir=None
    )
    reasons = {key: _ledger(result).loc[doc_id, "reason"] for key, doc_id in DOC.items()}
    assert reasons == {"000": "", "001": "year_filtered", "002": "", "003": "year_filtered", "004": ""}
    assert sorted(result.passages["year"].unique().tolist()) == [2021, 2022, 2023]


def test_implausible_year_is_bad_date(corpus_dir):
    result = ingest_corpus(
        corpus_dir, corpus_dir / "metadata.tsv", IngestOptions(max_year=2025), workers=1, cache_dir=None
    )
    ledger = _ledger(result)
    assert ledger.loc[DOC["003"], "reason"] == "bad_date"
    assert ledger.loc[DOC["001"], "included"] == "yes"


# --- parse_date / find_text_date -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021", ("2021", 2021)),
        ("2021-05", ("2021-05", 2021)),
        ("2021-05-08", ("2021-05-08", 2021)),
        ("2021年5月8日", ("2021-05-08", 2021)),
        ("2021/5/8", ("2021-05-08", 2021)),
        ("2021.05.08", ("2021-05-08", 2021)),
        (" 2021-05-08 ", ("2021-05-08", 2021)),
        ("May 2021", None),
        ("2021-13-01", None),
        ("2021-13", None),
        ("2021-02-30", None),
        ("21-05-08", None),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_find_text_date_prefers_labelled_date():
    text = "( 2023-05-08 )\n发布时间:2024-01-24\n2021年工作总结"
    assert find_text_date(text) == ("2024-01-24", 2024, "text:发布时间")


def test_find_text_date_parenthesised_date():
    assert find_text_date("标题\n( 2023-05-08 )\n正文。") == ("2023-05-08", 2023, "text:(日期)")


def test_find_text_date_headline_year():
    text = "2021年,我省政法工作重点抓五件大事\n1月20日,省委政法工作会议召开。"
    assert find_text_date(text) == ("2021", 2021, "text:标题年份")


def test_find_text_date_ignores_scrape_date_line():
    assert find_text_date("欢迎访问甘肃政法网 今天是 2024年12月28日 星期六\n政法工作新篇章") is None
    text = "今天是 2024年12月28日\n责任编辑:孔令闻 发布时间:2022-12-15"
    assert find_text_date(text) == ("2022-12-15", 2022, "text:发布时间")


def test_find_text_date_headline_only_before_the_body():
    # short lines are page furniture and skipped; a sentence means the body has begun
    assert find_text_date("\n".join(["标题"] * 5 + ["2019年的工作"])) == ("2019", 2019, "text:标题年份")
    assert find_text_date("政法工作开创新局面。\n2019年的工作") is None


# --- small corpora in tmp_path ---------------------------------------------------------------


def _article(date: str, body: str = BODY) -> str:
    return f"发布时间:{date}\n{body}\n"


def _write(folder: Path, name: str, data: bytes | str) -> None:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def test_problem_files_get_reasons(tmp_path):
    _write(tmp_path, "a.txt", _article("2023-03-01"))
    _write(tmp_path, "b.txt", _article("2023-03-01"))  # byte-identical to a.txt
    _write(tmp_path, "c.txt", "您的位置:\n首页 >> 政法要闻\n" + _article("2023-03-01"))  # same after cleaning
    _write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1\x00\x00")
    _write(tmp_path, "scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "blank.txt", " \n\t\n")
    _write(tmp_path, "nul.txt", b"abc\x00def\x00")
    _write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    _write(tmp_path, "chrome.txt", "您的位置:\n首页 >> 政法要闻\n|\n1\n")
    _write(tmp_path, "undated.txt", BODY + "\n")
    result = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)
    reasons = _ledger(result)["reason"].to_dict()
    assert reasons == {
        ".DS_Store": "not_text",
        "a": "",
        "b": "duplicate_of:a",
        "blank": "empty",
        "c": "duplicate_of:a",
        "chrome": "no_text",
        "empty": "empty",
        "image": "binary",
        "nul": "binary",
        "scan": "unreadable",  # a PDF cut after its header
        "undated": "no_date",
    }
    assert result.passages["doc_id"].tolist() == ["a"]
    assert _ledger(result).loc["a", "included"] == "yes"


LE_BODY = "政法队伍教育整顿扎实开展,锻造忠诚干净担当的新时代政法铁军。"
BE_BODY = "深化执法司法体制改革,推动执法司法制约监督体系更加完善。"


def test_encodings_decode_to_the_right_text(tmp_path):
    gb_body = "综治中心建设全面推进,基层社会治理效能明显提升,群众满意度持续提高。"
    big5_body = "臺灣同胞與大陸居民共同關注法治建設,檢察機關依法履職,維護社會公平正義。"
    _write(tmp_path, "gb.txt", _article("2022-06-01", gb_body).encode("gb18030"))
    _write(tmp_path, "big5.txt", ("發布時間:2021-07-01\n" + big5_body + "\n").encode("big5hkscs"))
    _write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + _article("2020-01-02").encode("utf-8"))
    _write(tmp_path, "u16le.txt", _article("2019-01-02", LE_BODY).encode("utf-16"))
    _write(tmp_path, "u16be.txt", b"\xfe\xff" + _article("2018-01-02", BE_BODY).encode("utf-16-be"))
    result = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)
    ledger = _ledger(result)
    assert ledger["encoding"].to_dict() == {
        "big5": "big5hkscs",
        "bom": "utf-8-sig",
        "gb": "gb18030",
        "u16be": "utf-16",
        "u16le": "utf-16",
    }
    assert (ledger["included"] == "yes").all()
    assert ledger["year"].astype(int).to_dict() == {
        "big5": 2021,
        "bom": 2020,
        "gb": 2022,
        "u16be": 2018,
        "u16le": 2019,
    }
    text = result.passages.set_index("doc_id")["text"]
    assert text["gb"] == "发布时间:2022-06-01 " + gb_body
    assert (
        text["big5"]
        == "发布时间:2021-07-01 台湾同胞与大陆居民共同关注法治建设,检察机关依法履职,维护社会公平正义。"
    )
    assert text["bom"] == "发布时间:2020-01-02 " + BODY  # no stray U+FEFF
    assert text["u16le"] == "发布时间:2019-01-02 " + LE_BODY
    assert text["u16be"] == "发布时间:2018-01-02 " + BE_BODY


SHORT_GB = (
    "以政法工作现代化支撑和服务中国式现代化\n"
    "深化地方公安机关机构改革和行业公安机关管理体制调整,党的二十大擘画了以中国式现代化推进中华民族伟大复兴的宏伟蓝图\n"
)


def test_decode_bytes_prefers_gb18030_on_a_tie():
    assert decode_bytes(SHORT_GB.encode("gb18030")) == (SHORT_GB, "gb18030")


def test_short_gb18030_article_is_not_mojibake(tmp_path):
    _write(tmp_path, "gb.txt", SHORT_GB.encode("gb18030"))
    _write(tmp_path, "metadata.tsv", "doc_id\tdate\ngb\t2023-01-01\n")
    result = ingest_corpus(tmp_path, tmp_path / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None)
    assert _ledger(result).loc["gb", "encoding"] == "gb18030"
    assert "中国式现代化" in result.passages["text"].iloc[0]


def test_metadata_date_wins_and_missing_file_gets_a_row(tmp_path):
    _write(tmp_path, "a.txt", _article("2023-03-01"))
    _write(tmp_path, "metadata.tsv", "doc_id\tdate\ttitle\na.txt\t2020-05\t标题甲\ngone\t2021\t标题乙\n")
    result = ingest_corpus(tmp_path, tmp_path / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None)
    ledger = _ledger(result)
    assert ledger.index.tolist() == ["a", "gone"]
    assert ledger.loc["a", ["date", "date_source", "title"]].tolist() == ["2020-05", "metadata", "标题甲"]
    assert int(ledger.loc["a", "year"]) == 2020
    assert ledger.loc["gone", ["included", "reason", "date", "title"]].tolist() == [
        "no",
        "missing_file",
        "2021",
        "标题乙",
    ]


def test_malformed_metadata_date_without_text_date_is_bad_date(tmp_path):
    _write(tmp_path, "a.txt", _article("2023-03-01"))
    _write(tmp_path, "b.txt", "另一篇文章。" + BODY + "\n")
    _write(tmp_path, "metadata.tsv", "doc_id\tdate\nb\tMay 2021\n")
    ledger = _ledger(
        ingest_corpus(tmp_path, tmp_path / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None)
    )
    assert ledger.loc["b", ["included", "reason", "date_source"]].tolist() == [
        "no",
        "bad_date",
        "metadata malformed",
    ]


def test_nothing_usable_raises(tmp_path):
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "scan.pdf", b"%PDF-1.4\n")
    _write(tmp_path, "undated.txt", BODY + "\n")
    with pytest.raises(CorpusError, match="no document"):
        ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)


def test_missing_folder_raises(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder not found"):
        ingest_corpus(tmp_path / "does_not_exist", None, IngestOptions(), workers=1, cache_dir=None)


# --- parallel preparation ----------------------------------------------------------------------


def test_worker_processes_give_the_same_ledger_and_passages(tmp_path):
    from zhengfa_trends.ingest import PARALLEL_MIN_ENTRIES
    from zhengfa_trends.synthetic import make_corpus

    make_corpus(
        tmp_path,
        n_docs=PARALLEL_MIN_ENTRIES + 6,
        seed=3,
        min_sentences=4,
        max_sentences=8,
        traditional_share=0.2,
    )
    docs = tmp_path / "docs"
    files = sorted(docs.glob("*.txt"))
    # Entries whose fate depends on earlier ones or stops early: an exact copy, a re-scrape with
    # extra chrome (near duplicate), a binary file, an empty file, an undated text, a folder.
    (docs / "zz_copy.txt").write_bytes(files[5].read_bytes())
    (docs / "zz_rescrape.txt").write_text(
        files[9].read_text(encoding="utf-8") + "\n责任编辑:王五\n", encoding="utf-8"
    )
    (docs / "zz_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (docs / "zz_empty.txt").write_text("  \n", encoding="utf-8")
    (docs / "zz_undated.txt").write_text(BODY * 3, encoding="utf-8")
    (docs / "zz_folder").mkdir()
    serial = ingest_corpus(docs, tmp_path / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None)
    parallel = ingest_corpus(docs, tmp_path / "metadata.tsv", IngestOptions(), workers=2, cache_dir=None)
    assert serial.documents.equals(parallel.documents)
    assert serial.passages.equals(parallel.passages)
    reasons = _ledger(serial)["reason"]
    assert reasons["zz_copy"] == f"duplicate_of:{files[5].stem}"
    assert reasons["zz_rescrape"] == f"duplicate_of:{files[9].stem}"
    assert (reasons["zz_binary"], reasons["zz_empty"], reasons["zz_undated"]) == (
        "binary",
        "empty",
        "no_date",
    )
    assert reasons["zz_folder"] == "folder"
    assert (serial.documents["included"] == "yes").sum() == PARALLEL_MIN_ENTRIES + 6


# --- cleaning cache ------------------------------------------------------------------------------


def test_cleaning_cache_reuses_seen_files_and_gives_the_same_result(tmp_path, caplog):
    import logging

    import zhengfa_trends.ingest.corpus as ingest_module
    from zhengfa_trends.ingest import CleaningCache

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for source in sorted((Path(__file__).parents[1] / "data" / "corpus").glob("*.txt")):
        (corpus / source.name).write_bytes(source.read_bytes())
    (corpus / "zz_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    metadata = Path(__file__).parents[1] / "data" / "corpus" / "metadata.tsv"
    cache_dir = tmp_path / "cache"
    uncached = ingest_corpus(corpus, metadata, IngestOptions(), workers=1, cache_dir=None)
    with caplog.at_level(logging.INFO, logger="zhengfa_trends.ingest"):
        first = ingest_corpus(corpus, metadata, IngestOptions(), cache_dir=cache_dir, workers=1)
        assert "documents analysed: 6, reused from the cleaning cache: 0" in caplog.text
        caplog.clear()
        calls = []
        original = ingest_module._analyse_document
        ingest_module._analyse_document = lambda *args: calls.append(args) or original(*args)
        try:
            second = ingest_corpus(corpus, metadata, IngestOptions(), cache_dir=cache_dir, workers=1)
        finally:
            ingest_module._analyse_document = original
        assert "documents analysed: 0, reused from the cleaning cache: 6" in caplog.text
    assert calls == []
    for result in (first, second):
        assert result.documents.equals(uncached.documents)
        assert result.passages.equals(uncached.passages)
    assert CleaningCache(cache_dir, IngestOptions()).count() == 6

    # An edited file and other cleaning options miss the cache; date filters do not.
    target = sorted(corpus.glob("00*.txt"))[0]
    target.write_text(
        target.read_text(encoding="utf-8") + "\n新增一段关于数字政法建设的文字。\n", encoding="utf-8"
    )
    with caplog.at_level(logging.INFO, logger="zhengfa_trends.ingest"):
        caplog.clear()
        ingest_corpus(corpus, metadata, IngestOptions(years=(2021, 2023)), cache_dir=cache_dir, workers=1)
        assert "documents analysed: 1, reused from the cleaning cache: 5" in caplog.text
        caplog.clear()
        # passages are cut after the cache (the boilerplate pass needs every document): reused
        longer = ingest_corpus(corpus, metadata, IngestOptions(max_chars=500), cache_dir=cache_dir, workers=1)
        assert "documents analysed: 0, reused from the cleaning cache: 6" in caplog.text
        caplog.clear()
        ingest_corpus(corpus, metadata, IngestOptions(opencc="tw2s"), cache_dir=cache_dir, workers=1)
        assert "documents analysed: 6, reused from the cleaning cache: 0" in caplog.text
    assert longer.passages["n_chars"].max() > uncached.passages["n_chars"].max()
    assert CleaningCache(cache_dir, IngestOptions(opencc="tw2s")).count() == 6
    assert CleaningCache(cache_dir, IngestOptions()).count() == 0  # pruned: other settings


# --- passages written as they are cut ------------------------------------------------------------


@pytest.mark.parametrize("part_rows", [1, 7, None])
def test_passages_written_as_cut_are_one_writes_bytes(
    tmp_path, corpus_dir, default_ingest, monkeypatch, part_rows
):
    # passages_out writes the passages in parts as the documents are cut; the file must be the
    # bytes of one write of the whole table, and the ledger the same.
    import zhengfa_trends.ingest.corpus as ingest_module
    from zhengfa_trends.io import write_tsv

    if part_rows is not None:
        monkeypatch.setattr(ingest_module, "PASSAGE_PART_ROWS", part_rows)
    out = tmp_path / "corpus" / "passages.tsv"
    streamed = ingest_corpus(
        corpus_dir, corpus_dir / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None, passages_out=out
    )
    assert streamed.passages is None
    write_tsv(default_ingest.passages, tmp_path / "whole.tsv")
    assert len(default_ingest.passages) > 7
    assert out.read_bytes() == (tmp_path / "whole.tsv").read_bytes()
    assert streamed.documents.equals(default_ingest.documents)
    assert not list(out.parent.glob("*.partial"))


def test_passages_in_parts_equal_one_table(corpus_dir, default_ingest, monkeypatch):
    import zhengfa_trends.ingest.corpus as ingest_module

    monkeypatch.setattr(ingest_module, "PASSAGE_PART_ROWS", 4)
    result = ingest_corpus(
        corpus_dir, corpus_dir / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None
    )
    assert result.passages.equals(default_ingest.passages)
    assert list(result.passages.dtypes) == list(default_ingest.passages.dtypes)


def test_no_passages_file_when_nothing_is_usable(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_bytes(b"")
    out = tmp_path / "passages.tsv"
    with pytest.raises(CorpusError):
        ingest_corpus(tmp_path / "docs", None, IngestOptions(), workers=1, cache_dir=None, passages_out=out)
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_cleaning_cache_flushed_in_parts_gives_the_same_entries(
    tmp_path, corpus_dir, default_ingest, monkeypatch
):
    # A folder's new cache entries are written every CACHE_FLUSH_ENTRIES documents (their queue
    # would otherwise hold the whole corpus's text): every entry is there, and a rerun reuses them.
    import zhengfa_trends.ingest.corpus as ingest_module
    from zhengfa_trends.ingest import CleaningCache

    monkeypatch.setattr(ingest_module, "CACHE_FLUSH_ENTRIES", 2)
    flushes = []
    original = CleaningCache.flush
    monkeypatch.setattr(
        CleaningCache, "flush", lambda self: flushes.append(len(self._pending)) or original(self)
    )
    cache_dir = tmp_path / "cache"
    metadata = corpus_dir / "metadata.tsv"
    first = ingest_corpus(corpus_dir, metadata, IngestOptions(), workers=1, cache_dir=cache_dir)
    assert max(flushes) <= 2 and len(flushes) >= 3
    analysed = (default_ingest.documents["sha256"] != "").sum()
    assert CleaningCache(cache_dir, IngestOptions()).count() == analysed
    second = ingest_corpus(corpus_dir, metadata, IngestOptions(), workers=1, cache_dir=cache_dir)
    for result in (first, second):
        assert result.documents.equals(default_ingest.documents)
        assert result.passages.equals(default_ingest.passages)
