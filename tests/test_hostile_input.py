"""Hostile corpora: every entry of the folder is accounted for, problems get reasons, runs stop clearly.

Every file is generated inside the test (no committed binaries).  Issue 4.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from zhengfa_trends.ingest import (
    REASONS,
    CorpusError,
    IngestOptions,
    NearDuplicateIndex,
    ingest_corpus,
    jaccard,
    lsh_rows,
    minhash_signature,
    shingle_hashes,
)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "data" / "corpus"
ARTICLE_001 = CORPUS / "001_a386d98355dc88cb.txt"  # 您的位置 / [ 来源: … 浏览:1029次 ] chrome, 2024-01-24

TITLE = "以政法工作现代化支撑和服务中国式现代化"
BODY = (
    "深化地方公安机关机构改革和行业公安机关管理体制调整,健全公安机关、检察机关、审判机关、"
    "司法行政机关各司其职的体制机制。全省政法机关坚持以人民为中心的发展思想,持续推进平安建设"
    "和法治建设,不断提升群众的获得感、幸福感和安全感。"
)
BODY_2 = "坚持和发展新时代枫桥经验,推进矛盾纠纷多元化解,加强基层治理和平安建设,综治中心建设取得新进展。"
BODY_3 = "加快数字政法建设,推动科技手段现代化,建设智慧法院和跨部门协同办案系统,深化数字化改革。"


def _article(date: str, body: str = BODY, title: str = TITLE) -> str:
    return f"{title}\n发布时间:{date}\n{body}\n"


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _ingest(folder: Path, metadata: Path | None = None, **options):
    return ingest_corpus(folder, metadata, IngestOptions(**options), workers=1, cache_dir=None)


def _ledger(result):
    return result.documents.set_index("doc_id")


def _passage_text(result, doc_id: str) -> str:
    return " ".join(result.passages.loc[result.passages["doc_id"] == doc_id, "text"])


# --- 1-4: encodings ------------------------------------------------------------------------------

TRADITIONAL = "以政法工作現代化支撐和服務中國式現代化\n發布時間:2021-07-01\n檢察機關依法履職,維護社會公平正義,推進執法司法制約監督體系建設。\n"
ENCODED = {
    # GB18030 text whose bytes also decode as Big5 (the tie that used to give mojibake)
    "gb18030": (_article("2022-06-01").encode("gb18030"), "gb18030", "2022-06-01", TITLE),
    "gbk": (_article("2022-06-02").encode("gbk"), "gb18030", "2022-06-02", TITLE),
    "big5": (TRADITIONAL.encode("big5hkscs"), "big5hkscs", "2021-07-01", TITLE),
    "utf8_bom": (b"\xef\xbb\xbf" + _article("2020-01-02").encode("utf-8"), "utf-8-sig", "2020-01-02", TITLE),
    "utf16_le_bom": (_article("2019-01-02").encode("utf-16"), "utf-16", "2019-01-02", TITLE),
    "utf16_be_bom": (
        b"\xfe\xff" + _article("2018-01-02").encode("utf-16-be"),
        "utf-16",
        "2018-01-02",
        TITLE,
    ),
    "utf32_bom": (_article("2017-01-02").encode("utf-32"), "utf-32", "2017-01-02", TITLE),
    # a download cut in the middle of the last character
    "utf8_cut": (
        _article("2016-01-02").encode("utf-8")[:-2],
        "utf-8 (1 invalid sequences replaced)",
        "2016-01-02",
        TITLE,
    ),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_encoding_is_detected_and_text_decoded(tmp_path, name):
    data, encoding, date, title = ENCODED[name]
    _write(tmp_path, f"{name}.txt", data)
    result = _ingest(tmp_path)
    row = _ledger(result).loc[name]
    assert row["encoding"] == encoding
    assert (row["included"], row["date"], row["date_source"], row["title"]) == (
        "yes",
        date,
        "text:发布时间",
        title,
    )
    text = _passage_text(result, name)
    assert "\ufeff" not in text
    if name == "big5":
        assert "检察机关依法履职,维护社会公平正义" in text  # decoded, then simplified
    elif name == "utf8_cut":
        assert BODY[:-1] + "\ufffd" in text  # only the cut character is lost
    else:
        assert BODY in text


def test_short_gb18030_headline_with_metadata_date_is_not_mojibake(tmp_path):
    _write(tmp_path, "gb.txt", (TITLE + "\n" + BODY_2 + "\n").encode("gb18030"))
    _write(tmp_path, "metadata.tsv", "doc_id\tdate\ngb\t2023-01-01\n")
    result = _ingest(tmp_path, tmp_path / "metadata.tsv")
    assert _ledger(result).loc["gb", ["encoding", "title", "date"]].tolist() == [
        "gb18030",
        TITLE,
        "2023-01-01",
    ]
    assert BODY_2 in _passage_text(result, "gb")


# --- 5-6: empty, binary, undecodable, not text ---------------------------------------------------


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document>" + BODY + "</w:document>")
    return buffer.getvalue()


def _high_bytes(n: int = 400) -> bytes:
    """Bytes >= 0x80 that no Chinese encoding (nor charset-normalizer) decodes."""
    return bytes(np.random.default_rng(0).integers(0x80, 0x100, n, dtype=np.uint8))


def test_empty_binary_and_non_text_files_get_reasons(tmp_path):
    _write(tmp_path, "good.txt", _article("2023-03-01"))
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "spaces.txt", " \n\t\r\n\u3000\u3000\n")
    _write(tmp_path, "bom_only.txt", b"\xef\xbb\xbf")
    _write(tmp_path, "utf16_blank.txt", " \n \n".encode("utf-16"))
    _write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)))
    _write(tmp_path, "archive.txt", _zip_bytes())  # e.g. a .docx renamed .txt
    _write(tmp_path, "packed.txt", gzip.compress(_article("2023-03-01").encode("utf-8"), mtime=0))
    _write(tmp_path, "control.txt", bytes(range(1, 32)) * 20)
    _write(tmp_path, "noise.txt", _high_bytes())
    _write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00")
    _write(tmp_path, "scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    _write(tmp_path, "report.docx", _zip_bytes())
    (tmp_path / "subfolder").mkdir()
    _write(tmp_path / "subfolder", "inner.txt", _article("2023-03-02", BODY_2))
    reasons = _ledger(_ingest(tmp_path))["reason"].to_dict()
    assert reasons == {
        ".DS_Store": "not_text",
        "archive": "binary",
        "bom_only": "empty",
        "control": "binary",
        "empty": "empty",
        "good": "",
        "image": "binary",
        "noise": "undecodable",
        "packed": "binary",
        "report": "unreadable",  # a zip that is no Word document
        "scan": "unreadable",  # a PDF cut after its first object
        "spaces": "empty",
        "subfolder": "folder",
        "utf16_blank": "empty",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX fifos and symlinks")
def test_broken_link_and_fifo_are_unreadable_not_fatal(tmp_path):
    _write(tmp_path, "good.txt", _article("2023-03-01"))
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    _write(tmp_path, "target.txt", _article("2023-04-01", BODY_2))
    (tmp_path / "link.txt").symlink_to(tmp_path / "target.txt")
    ledger = _ledger(_ingest(tmp_path))
    assert ledger["reason"].to_dict() == {
        "dangling": "unreadable",
        "good": "",
        "link": "",
        "pipe": "unreadable",
        "target": "duplicate_of:link",  # a link to a file of the folder reads the same bytes
    }


def test_same_stem_in_two_files_gives_two_rows_with_distinct_ids(tmp_path):
    _write(tmp_path, "a.txt", _article("2023-03-01"))
    _write(tmp_path, "a.html", f"<html><body><p>{_article('2023-03-02', BODY_2)}</p></body></html>")
    ledger = _ledger(_ingest(tmp_path))
    assert ledger["file"].to_dict() == {"a": "a.html", "a.txt": "a.txt"}
    assert (ledger["included"] == "yes").all()


# --- 7: exact and near duplicates ----------------------------------------------------------------


def _rescrape(text: str) -> str:
    """The same article scraped again: other page chrome, other whitespace and line ends."""
    lines = [line for line in text.split("\n") if not line.startswith(("您的位置", "首页", "[ 来源"))]
    body = "\r\n\r\n".join("\u3000\u3000" + line.strip().replace(",", ", ") for line in lines if line.strip())
    return (
        "首页 >> 政法要闻 >> 正文\r\n"
        "[ 来源:法治日报 | 作者:admin | 发布时间:2024-01-24 10:15 | 浏览:57次 ]\r\n"
        + body
        + "\r\n\r\nCopyright © 2024 政法网 版权所有 未经许可不得转载\r\n"
    )


def _rescrape_with_surviving_chrome(text: str) -> str:
    """Chrome no cleaning pattern knows survives, so the clean texts differ (MinHash path)."""
    return (
        _rescrape(text) + "分享到:微信 微博 QQ空间\r\n【打印本页】【关闭窗口】\r\n上一篇:加强政法队伍建设\r\n"
    )


def test_exact_and_near_duplicates_point_to_the_first_file(tmp_path):
    original = ARTICLE_001.read_text(encoding="utf-8")
    _write(tmp_path, "a_first.txt", original)
    _write(tmp_path, "b_copy.txt", original)
    _write(tmp_path, "c_rescraped.txt", _rescrape(original))
    _write(tmp_path, "d_rescraped_chrome.txt", _rescrape_with_surviving_chrome(original))
    for source in sorted(CORPUS.glob("00[0234]_*.txt")):  # other articles of the same genre
        shutil.copy(source, tmp_path / source.name)
    _write(tmp_path, "metadata.tsv", "doc_id\tdate\n003_98d6ae57023eedb6\t2026\n")
    result = _ingest(tmp_path, tmp_path / "metadata.tsv")
    ledger = _ledger(result)
    assert ledger.loc["a_first", ["included", "date"]].tolist() == ["yes", "2024-01-24"]
    assert ledger["reason"].to_dict() == {
        "000_6151ad92a7c0a352": "",
        "002_6f6ad21846e20957": "",
        "003_98d6ae57023eedb6": "",
        "004_f0d4a305e050400f": "",
        "a_first": "",
        "b_copy": "duplicate_of:a_first",
        "c_rescraped": "duplicate_of:a_first",
        "d_rescraped_chrome": "duplicate_of:a_first",
    }
    assert sorted(result.passages["doc_id"].unique()) == sorted(ledger.index[ledger["included"] == "yes"])


def test_near_duplicate_threshold_decides(tmp_path):
    original = ARTICLE_001.read_text(encoding="utf-8")
    copy = _rescrape_with_surviving_chrome(original)
    similarity = jaccard(shingle_hashes(original), shingle_hashes(copy))
    assert 0.9 <= similarity < 1.0
    _write(tmp_path, "a.txt", original)
    _write(tmp_path, "b.txt", copy)
    strict = _ledger(_ingest(tmp_path, near_duplicate_threshold=1.0))
    assert strict["reason"].to_dict() == {"a": "", "b": ""}
    assert _ledger(_ingest(tmp_path, near_duplicate_threshold=0.9)).loc["b", "reason"] == "duplicate_of:a"


def test_shingles_ignore_spacing_punctuation_and_digits():
    assert jaccard(shingle_hashes("政法工作现代化, 2024"), shingle_hashes("政法 工作\n现代化。")) == 1.0
    assert len(shingle_hashes("政法工作现代化")) == 3  # 5-grams of 7 characters
    assert len(shingle_hashes("政法")) == 1  # shorter than a shingle: one shingle
    assert jaccard(shingle_hashes(BODY), shingle_hashes(BODY_3)) < 0.1


def test_lsh_finds_near_duplicates_without_comparing_all_pairs():
    rng = np.random.default_rng(1)
    han = np.arange(0x4E00, 0x4E00 + 3000)
    texts = ["".join(map(chr, rng.choice(han, 400))) for _ in range(2000)]
    index = NearDuplicateIndex(0.9)
    assert (index.rows, index.bins // index.rows) == (8, 16)
    candidates = 0
    for text in texts:
        signature = minhash_signature(shingle_hashes(text))
        candidates += len(index.candidates(signature))
        index.add(signature)
    assert candidates <= 5  # unrelated documents are (almost) never compared
    near = texts[1234][:380] + "新增的页面文字"  # ~92 % of the shingles shared
    assert 1234 in index.candidates(minhash_signature(shingle_hashes(near)))


def test_lsh_drops_band_sharers_that_agree_in_too_few_bins():
    # Documents drawn from a small common stock of sentences share whole bands often, at
    # similarities far below 0.9; the bin-agreement filter keeps them from being verified.
    rng = np.random.default_rng(2)
    han = np.arange(0x4E00, 0x4E00 + 3000)
    stock = ["".join(map(chr, rng.choice(han, 30))) for _ in range(40)]
    texts = ["".join(rng.choice(stock, 20, replace=False)) for _ in range(300)]
    signatures = [minhash_signature(shingle_hashes(text)) for text in texts]
    unfiltered = NearDuplicateIndex(0.9, margin=1.0)  # agreement threshold 0: band sharing only
    filtered = NearDuplicateIndex(0.9)
    assert filtered.min_agreement == pytest.approx(0.7)
    shared_band = kept = 0
    for signature in signatures:
        shared_band += len(unfiltered.candidates(signature))
        kept += len(filtered.candidates(signature))
        unfiltered.add(signature)
        filtered.add(signature)
    assert shared_band > 50
    assert kept == 0
    near = texts[123][:-12] + "新增的页面文字"
    assert jaccard(shingle_hashes(near), shingle_hashes(texts[123])) >= 0.9
    assert 123 in filtered.candidates(minhash_signature(shingle_hashes(near)))


def test_lsh_candidates_are_exactly_band_sharers_that_agree_enough():
    # The index rules candidates out on the low byte of each bin before reading the whole bins; the
    # result must be what a plain scan over every earlier signature gives.
    rng = np.random.default_rng(3)
    han = np.arange(0x4E00, 0x4E00 + 3000)
    stock = ["".join(map(chr, rng.choice(han, 30))) for _ in range(12)]
    texts = ["".join(rng.choice(stock, 6, replace=False)) for _ in range(400)]
    texts += [text[:-9] + "新增" for text in texts[:40]]  # near copies of earlier documents
    signatures = [minhash_signature(shingle_hashes(text)) for text in texts]
    totals = []
    for margin in (0.2, 0.45, 1.0):
        index = NearDuplicateIndex(0.9, margin=margin)
        bands = index.bins // index.rows
        found = 0
        for number, signature in enumerate(signatures):
            earlier = np.array(signatures[:number], dtype=np.uint64).reshape(number, index.bins)
            bands_of = earlier.reshape(number, bands, index.rows)
            shares_band = (bands_of == signature.reshape(bands, index.rows)).all(axis=2).any(axis=1)
            agreement = (earlier == signature).mean(axis=1)
            reference = np.flatnonzero(shares_band & (agreement >= index.min_agreement)).tolist()
            assert index.candidates(signature) == reference
            if number >= 400:  # a near copy finds its original, whatever the margin
                assert number - 400 in reference
            found += len(reference)
            assert index.add(signature) == number
        assert index.size == len(signatures) and len(index.low_bytes) >= index.size
        totals.append(found)
    assert totals[0] < totals[1] < totals[2]  # the filters were put to work: thousands ruled out
    assert totals[2] > 2000


def test_lsh_rows_follow_the_threshold():
    assert lsh_rows(0.9) == 8
    assert lsh_rows(0.8) < lsh_rows(0.95)


# --- 8-9: dates ----------------------------------------------------------------------------------


def test_missing_and_absurd_dates(tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    _write(tmp_path, "good.txt", _article("2023-03-01"))
    _write(tmp_path, "undated.txt", TITLE + "\n" + BODY_2 + "\n")
    _write(tmp_path, "text_1900.txt", _article("1900-01-01", BODY_3))
    _write(tmp_path, "text_tomorrow.txt", _article(tomorrow.isoformat(), BODY_2 + BODY_3))
    _write(tmp_path, "meta_1900.txt", "另一篇文章\n" + BODY_2 + "\n")
    _write(tmp_path, "meta_future.txt", "第三篇文章\n" + BODY_3 + "\n")
    next_month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    _write(tmp_path, "metadata.tsv", f"doc_id\tdate\nmeta_1900\t1900-05-04\nmeta_future\t{next_month}\n")
    ledger = _ledger(_ingest(tmp_path, tmp_path / "metadata.tsv"))
    assert ledger[["reason", "date", "date_source"]].to_dict("index") == {
        "good": {"reason": "", "date": "2023-03-01", "date_source": "text:发布时间"},
        "meta_1900": {"reason": "bad_date", "date": "1900-05-04", "date_source": "metadata"},
        "meta_future": {"reason": "bad_date", "date": next_month, "date_source": "metadata"},
        "text_1900": {"reason": "bad_date", "date": "1900-01-01", "date_source": "text:发布时间"},
        "text_tomorrow": {"reason": "bad_date", "date": tomorrow.isoformat(), "date_source": "text:发布时间"},
        "undated": {"reason": "no_date", "date": "", "date_source": ""},
    }


def test_scrape_date_is_ignored_even_inside_a_one_line_file(tmp_path):
    line = "欢迎访问甘肃政法网 今天是 2024年12月28日 星期六 " + TITLE + " 发布时间:2022-12-15 " + BODY * 3
    _write(tmp_path, "one_line.txt", line)
    assert _ledger(_ingest(tmp_path)).loc["one_line", "date"] == "2022-12-15"


# --- 10: a 10 MB document -------------------------------------------------------------------------


def test_ten_megabyte_document_is_ingested_quickly(tmp_path):
    rng = np.random.default_rng(0)
    n_paragraphs, length = 13_400, 249  # 249 Han characters + "。" = 750 bytes + a newline
    points = rng.integers(0x4E00, 0x9FA5, size=(n_paragraphs, length), dtype=np.uint32)
    paragraphs = np.frombuffer(points.tobytes(), dtype=f"<U{length}")
    text = "发布时间:2023-03-01\n" + "。\n".join(paragraphs) + "。\n"
    path = _write(tmp_path, "huge.txt", text)
    assert path.stat().st_size > 10_000_000
    result = _ingest(tmp_path)
    row = _ledger(result).loc["huge"]
    # every paragraph (250 characters <= max_chars) is one passage; the date line joins the first
    assert (row["included"], row["passages"]) == ("yes", n_paragraphs)
    assert len(result.passages) == n_paragraphs
    assert result.passages["n_chars"].max() <= 300


def test_text_without_sentence_ends_is_cut_into_bounded_passages(tmp_path):
    rng = np.random.default_rng(2)
    body = "".join(map(chr, rng.integers(0x4E00, 0x9FA5, 20_000)))
    _write(tmp_path, "table_dump.txt", "发布时间:2023-03-01 " + body)  # one line, no 。
    result = _ingest(tmp_path, max_chars=300, min_chars=40)
    assert result.passages["n_chars"].max() <= 300 + 40  # the short date piece joins the first one
    assert _ledger(result).loc["table_dump", "passages"] == len(result.passages) >= 20_000 // 300


# --- 11: HTML -------------------------------------------------------------------------------------

HTML_PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}_政法网</title>
<style>body {{ font-family: "宋体"; }} .nav {{ color: red; }}</style>
<script type="text/javascript">var notice = "<p>脚本里的假段落</p>"; document.write("广告文字");</script>
</head>
<body>
<!-- 注释里的旧段落 <p>不应出现</p> -->
<div class="nav">您的位置:<a href="/">首页</a> &gt;&gt; <a href="/news">政法要闻</a></div>
<h1>{TITLE}</h1>
<table><tr><td>发布时间</td><td>2024-03-05</td><td>来源:法治日报</td></tr></table>
<div class="content"><p>{BODY}</p><p>{BODY_2}&nbsp;</p></div>
<noscript>请启用脚本</noscript>
</body></html>
"""


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page_saved.txt"])
def test_html_page_is_reduced_to_its_text(tmp_path, name):
    _write(tmp_path, name, HTML_PAGE)
    result = _ingest(tmp_path)
    row = result.documents.iloc[0]
    assert (row["included"], row["date"], row["title"]) == ("yes", "2024-03-05", TITLE + "_政法网")
    text = _passage_text(result, row["doc_id"])
    assert BODY in text
    assert BODY_2 in text
    for gone in (
        "<",
        ">",
        "font-family",
        "脚本里的假段落",
        "广告文字",
        "不应出现",
        "请启用脚本",
        "&nbsp;",
        "您的位置",
    ):
        assert gone not in text


def test_html_fragment_saved_as_text_is_stripped(tmp_path):
    _write(tmp_path, "fragment.txt", f"<div><p>{TITLE}</p><p>发布时间:2023-06-07</p><p>{BODY}</p></div>")
    result = _ingest(tmp_path)
    assert _ledger(result).loc["fragment", "date"] == "2023-06-07"
    assert "<p>" not in _passage_text(result, "fragment")


# --- 12: metadata.tsv ----------------------------------------------------------------------------


def test_metadata_problems(tmp_path, caplog):
    _write(tmp_path, "dated.txt", _article("2023-03-01"))
    _write(tmp_path, "text_date.txt", _article("2022-02-02", BODY_2))
    _write(tmp_path, "no_text_date.txt", "另一篇文章\n" + BODY_3 + "\n")
    metadata = (
        "doc_id\tdate\ttitle\n"
        "dated.txt\t2020-05\t第一行的标题\n"
        "dated\t2019\t第二行的标题\n"  # the same doc_id again: ignored with a warning
        "text_date\tMay 2022\t\n"  # malformed: the text date is used
        "no_text_date\t2021-13-01\t\n"  # malformed and no date in the text
        "gone\t2021\t丢失的文章\n"  # names no file
    )
    _write(tmp_path, "metadata.tsv", metadata.replace("\n", "\r\n").encode("utf-8-sig"))  # as Excel saves it
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        result = _ingest(tmp_path, tmp_path / "metadata.tsv")
    ledger = _ledger(result)
    assert ledger.index.tolist() == ["dated", "no_text_date", "text_date", "gone"]
    assert ledger.loc["dated", ["date", "date_source", "title", "reason"]].tolist() == [
        "2020-05",
        "metadata",
        "第一行的标题",
        "",
    ]
    assert ledger.loc["text_date", ["date", "date_source", "reason"]].tolist() == [
        "2022-02-02",
        "text:发布时间 (metadata date 'May 2022' malformed)",
        "",
    ]
    assert ledger.loc["no_text_date", ["date", "date_source", "reason"]].tolist() == [
        "2021-13-01",
        "metadata malformed",
        "bad_date",
    ]
    assert ledger.loc["gone", ["file", "included", "reason", "date", "title"]].tolist() == [
        "",
        "no",
        "missing_file",
        "2021",
        "丢失的文章",
    ]
    assert any("doc_id dated appears more than once" in r.getMessage() for r in caplog.records)


def test_metadata_in_gb18030_with_ragged_rows_is_read(tmp_path, caplog):
    _write(tmp_path, "a.txt", TITLE + "\n" + BODY + "\n")
    _write(tmp_path, "b.txt", "另一篇政法文章\n" + BODY_2 + "\n")
    metadata = "doc_id\tdate\ttitle\na\t2021-04-05\t标题甲\t多余的一列\nb\t2022\n"
    _write(tmp_path, "metadata.tsv", metadata.encode("gb18030"))
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        ledger = _ledger(_ingest(tmp_path, tmp_path / "metadata.tsv"))
    assert ledger[["date", "title", "reason"]].to_dict("index") == {
        "a": {"date": "2021-04-05", "title": "标题甲", "reason": ""},
        "b": {"date": "2022", "title": "另一篇政法文章", "reason": ""},
    }
    assert any("extra ones are ignored" in r.getMessage() for r in caplog.records)


def test_metadata_without_doc_id_column_is_one_clear_error(tmp_path):
    _write(tmp_path, "a.txt", _article("2023-03-01"))
    _write(tmp_path, "metadata.tsv", "file,date\na.txt,2021\n")
    with pytest.raises(CorpusError, match=r"needs a 'doc_id' column .*tab-separated header"):
        _ingest(tmp_path, tmp_path / "metadata.tsv")


# --- the ledger accounts for every entry -----------------------------------------------------------

REASON_PATTERN = re.compile(
    "^(" + "|".join(re.escape(r) for r in REASONS if ":" not in r) + r"|duplicate_of:\S+|repeated_id:.+)$"
)


def test_one_ledger_row_per_directory_entry_and_per_missing_file(tmp_path):
    original = ARTICLE_001.read_text(encoding="utf-8")
    files = {
        "a.txt": _article("2023-03-01"),
        "a.html": f"<html><body>{_article('2023-03-02', BODY_2)}</body></html>",
        "b.txt": _article("2023-03-01"),
        "gb.txt": _article("2022-06-01", BODY_3).encode("gb18030"),
        "near.txt": _rescrape(original),
        "orig.txt": original,
        "empty.txt": b"",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00",
        "noise.txt": _high_bytes(),
        "undated.txt": "另一篇文章\n" + BODY_2 + "\n",
        "old.txt": _article("1900-01-01", BODY_2),
        "chrome.txt": "您的位置:\n首页 >> 政法要闻\n|\n1\n",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        "notes.docx": _zip_bytes(),
        "metadata.tsv": "doc_id\tdate\ngone\t2021\na\t2023-03-01\n",
    }
    for name, data in files.items():
        _write(tmp_path, name, data)
    (tmp_path / "images").mkdir()
    ledger = _ingest(tmp_path, tmp_path / "metadata.tsv").documents
    entries = [name for name in os.listdir(tmp_path) if name != "metadata.tsv"]
    missing = ledger["reason"] == "missing_file"
    assert len(ledger) == len(entries) + missing.sum() == 16
    assert sorted(ledger.loc[~missing, "file"]) == sorted(entries)
    assert ledger["doc_id"].is_unique
    assert ((ledger["included"] == "yes") == (ledger["reason"] == "")).all()
    assert all(REASON_PATTERN.match(reason) for reason in ledger["reason"] if reason)


# --- whole-run problems: the real workflow stops with one line -------------------------------------


def _project(tmp_path: Path, corpus: dict[str, bytes] | None) -> Path:
    project = tmp_path / "project"
    for part in ("Snakefile", "workflow", "scripts", "config", "data/dictionaries"):
        source, target = REPO / part, project / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    if corpus is not None:
        (project / "my_articles").mkdir()
        for name, data in corpus.items():
            (project / "my_articles" / name).write_bytes(data)
    config = {
        "corpus": {"dir": "my_articles", "metadata": None},
        "lda": {"k": [2], "seeds": [1], "chosen_k": 2, "min_passages_per_topic": 1},
    }
    (project / "x.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return project


def _run_workflow(project: Path) -> list[str]:
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", "x.yaml"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("zhengfa-trends:")]
    assert len(lines) == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return lines


@pytest.mark.workflow
def test_workflow_stops_with_one_line_on_a_missing_corpus_folder(tmp_path):
    (line,) = _run_workflow(_project(tmp_path, None))
    assert line.startswith("zhengfa-trends: corpus folder not found: my_articles")
    assert "set corpus.dir in your config" in line


@pytest.mark.workflow
def test_workflow_stops_with_one_line_when_no_file_is_usable(tmp_path):
    corpus = {"empty.txt": b"", "blank.txt": b" \n\n", "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\r"}
    (line,) = _run_workflow(_project(tmp_path, corpus))
    assert line.startswith("zhengfa-trends: no document in corpus folder my_articles can be used")
    assert "2 empty (blank.txt, empty.txt)" in line
    assert "1 binary (photo.txt)" in line
    assert "set corpus.dir" in line
