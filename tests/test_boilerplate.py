"""Site boilerplate across documents (issue 13, item 5): removed, counted, listed; small corpora untouched."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from zhengfa_trends.config import defaults, ingest_options
from zhengfa_trends.ingest import (
    BOILERPLATE_COLUMNS,
    IngestOptions,
    find_boilerplate,
    ingest_corpus,
    remove_boilerplate,
)
from zhengfa_trends.ingest.boilerplate import NOT_COUNTED, line_key, line_keys
from zhengfa_trends.steps import ingest_step

SENTENCES = [
    "全省政法机关坚持以人民为中心的发展思想,持续推进平安建设和法治建设,不断提升群众的获得感。",
    "坚持和发展新时代枫桥经验,推进矛盾纠纷多元化解,加强基层治理,综治中心建设取得新进展。",
    "加快数字政法建设,推动科技手段现代化,建设智慧法院和跨部门协同办案系统,深化数字化改革。",
    "深化执法司法体制改革,健全执法司法制约监督体系,让人民群众在每一个司法案件中感受到公平正义。",
    "加强政法队伍建设,锻造忠诚干净担当的政法铁军,推动全面从严管党治警向纵深发展。",
    "坚持总体国家安全观,统筹发展和安全,防范化解重大风险,维护社会大局持续稳定。",
    "推进扫黑除恶常态化,依法严惩群众反映强烈的违法犯罪,守护人民群众生命财产安全。",
]
# Not a chrome pattern of clean.py: only its recurrence across documents shows it is furniture.
FOOTER = "根据《中华人民共和国著作权法》相关规定,转载本站文章须注明出处并保留作者信息。"
FURNITURE = ["下载", "打印", "【字号:", "加大 还原 减小", "】"]


# Three of the seven sentences each, a different three for every document (so none is a near-duplicate).
COMBINATIONS = list(itertools.combinations(range(7), 3))[::2]


def _article(n: int, year: int = 2020, footer: bool = True, zero_width: bool = False) -> str:
    """Document ``n``: furniture, a dated headline, a distinct body, the site footer."""
    body = [f"第{n}号文件。{SENTENCES[i]}" for i in COMBINATIONS[n]]
    if zero_width:
        body[0] = body[0].replace("政法", "政\u200b法").replace("建设", "建\ufeff设\u2060")
    lines = [*FURNITURE, f"第{n}号文章的标题", f"发布时间:{year}-0{1 + n % 9}-1{n % 10}", *body]
    if footer:
        lines.append(FOOTER)
    return "\n".join(lines) + "\n"


def _corpus(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_find_boilerplate_by_corpus_and_by_source():
    footer_a = "甲网版权声明:本文仅代表作者观点。"
    docs = [("甲网", [f"正文{n}", footer_a, "共同的页脚"]) for n in range(5)]
    docs += [
        ("乙网", [f"内容{n}", "共同的页脚", "两篇共有的一句话" if n < 2 else f"其他{n}"]) for n in range(6)
    ]
    found = find_boilerplate(docs, min_share=0.5, min_docs=5)
    # 11 of 11 documents; the 甲网 footer is in 5 of 11 only, all 5 of 甲网
    assert [line for _, _, line in found.corpus.values()] == ["共同的页脚"]
    assert set(found.by_source) == {"甲网"}
    assert [line for _, _, line in found.by_source["甲网"].values()] == [footer_a]
    assert found.keys_for("甲网") == {line_key("共同的页脚"), line_key(footer_a)}
    assert found.keys_for("乙网") == {line_key("共同的页脚")}
    table = found.table()
    assert list(table.columns) == BOILERPLATE_COLUMNS
    assert table.to_dict("records") == [
        {"scope": "corpus", "n_docs": 11, "share": 1.0, "line": "共同的页脚"},
        {"scope": "source:甲网", "n_docs": 5, "share": 1.0, "line": footer_a},
    ]
    assert remove_boilerplate(["正文0", footer_a, "共同的页脚"], found.keys_for("甲网")) == (["正文0"], 22)


def test_lines_compare_without_whitespace_and_min_docs_is_a_floor():
    docs = [("", ["加大 还原 减小", f"正文{n}"]) for n in range(3)] + [("", ["加大还原减小", "正文x"])]
    assert [line for _, _, line in find_boilerplate(docs, 0.5, 4).corpus.values()] == ["加大 还原 减小"]
    assert line_key("加大 还原 减小") == line_key("加大还原减小")
    assert find_boilerplate(docs, 0.5, 5).corpus == {}


def test_line_keys_drop_exactly_the_whitespace_a_regex_drops():
    # line_key joins str.split(); the lines were once compared after re.sub(r"\s+", "") — the same
    # characters must go, or a footer spaced with U+3000 or U+00A0 would stop matching.
    regex_space = [chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))]
    assert len(regex_space) > 20
    assert regex_space == [chr(c) for c in range(0x110000) if chr(c).isspace()]
    line = "加大" + "".join(regex_space) + "还原 减小"
    assert line_key(line) == line_key("加大还原减小") != line_key("加大还原")
    keys = line_keys(["下载", "", " \u3000 ", "打" * 501, "下 载"])
    assert keys.dtype == np.uint64
    assert keys.tolist() == [line_key("下载"), NOT_COUNTED, NOT_COUNTED, NOT_COUNTED, line_key("下载")]
    # a blank line never counts, however many documents have one
    docs = [("", ["", "   ", f"正文{n}"]) for n in range(6)]
    assert find_boilerplate(docs, 0.5, 5).corpus == {}


def test_footer_and_furniture_are_removed_counted_and_listed(tmp_path):
    texts = {f"a{n}": _article(n, zero_width=n == 0) for n in range(8)}
    texts["b_own"] = _article(8, footer=False)
    result = ingest_corpus(_corpus(tmp_path / "c", texts), None, IngestOptions(), workers=1, cache_dir=None)
    ledger = result.documents.set_index("doc_id")
    assert (ledger["included"] == "yes").all()
    passages = " ".join(result.passages["text"])
    assert "著作权法" not in passages and "字号" not in passages and "下载" not in passages
    assert not any(ch in passages for ch in "\u200b\u200c\u200d\u2060\ufeff")
    assert "第0号文件。全省政法机关" in passages  # the zero-width characters are gone, the text kept
    furniture = sum(len(line) for line in FURNITURE)
    assert ledger.loc["a3", "chars_boilerplate"] == furniture + len(FOOTER)
    assert ledger.loc["b_own", "chars_boilerplate"] == furniture
    table = result.boilerplate
    assert table.loc[table["line"] == FOOTER, ["scope", "n_docs", "share"]].values.tolist() == [
        ["corpus", 8, round(8 / 9, 4)]
    ]
    assert set(table["line"]) == {FOOTER, *FURNITURE}
    # the titles and dates still come from the full text
    assert ledger.loc["a3", "title"] == "第3号文章的标题"
    assert ledger.loc["a3", "date_source"] == "text:发布时间"


def test_copies_of_one_article_do_not_make_its_lines_boilerplate(tmp_path):
    article = _article(0, footer=False)
    texts = {f"copy{n}": article for n in range(6)}  # same bytes
    texts.update({f"near{n}": article.replace("第0号文章的标题", f"第0号文章的标题({n})") for n in range(3)})
    texts.update({f"other{n}": _article(n + 1, footer=False) for n in range(4)})
    result = ingest_corpus(_corpus(tmp_path / "c", texts), None, IngestOptions(), workers=1, cache_dir=None)
    ledger = result.documents.set_index("doc_id")
    assert ledger["reason"].str.startswith("duplicate_of:copy0").sum() == 8
    # copy0 and the four others are the five included documents: only the furniture is common to all
    assert set(result.boilerplate["line"]) == set(FURNITURE)
    assert "第0号文件。" in " ".join(result.passages.loc[result.passages["doc_id"] == "copy0", "text"])


def test_a_document_of_boilerplate_only_has_no_text(tmp_path):
    texts = {f"a{n}": _article(n) for n in range(6)}
    # the date sits in a chrome line (removed by the per-file cleaning), the rest is boilerplate
    texts["furniture_only"] = "\n".join([*FURNITURE, "[ 来源: | 发布时间:2020-05-05 ]", FOOTER]) + "\n"
    ledger = ingest_corpus(
        _corpus(tmp_path / "c", texts), None, IngestOptions(), workers=1, cache_dir=None
    ).documents.set_index("doc_id")
    assert ledger.loc["furniture_only", ["included", "reason", "passages"]].tolist() == ["no", "no_text", 0]
    assert ledger.loc["furniture_only", "chars_boilerplate"] > 0


def test_small_corpora_keep_every_line(tmp_path):
    texts = {f"a{n}": _article(n) for n in range(4)}
    result = ingest_corpus(_corpus(tmp_path / "c", texts), None, IngestOptions(), workers=1, cache_dir=None)
    assert result.boilerplate.empty
    assert (result.documents["chars_boilerplate"] == 0).all()
    assert "著作权法" in " ".join(result.passages["text"])


def test_the_cleaning_cache_stays_right_when_the_corpus_grows(tmp_path):
    """The boilerplate set depends on the whole corpus; cached documents are cut again after it."""
    folder = _corpus(tmp_path / "c", {f"a{n}": _article(n) for n in range(4)})
    cache = tmp_path / "cache"
    small = ingest_corpus(folder, None, IngestOptions(), cache_dir=cache, workers=1)
    assert "著作权法" in " ".join(small.passages["text"])
    _corpus(folder, {f"a{n}": _article(n) for n in range(4, 6)})
    grown = ingest_corpus(folder, None, IngestOptions(), cache_dir=cache, workers=1)
    fresh = ingest_corpus(folder, None, IngestOptions(), workers=1, cache_dir=None)
    assert "著作权法" not in " ".join(grown.passages["text"])
    assert grown.passages.equals(fresh.passages)
    assert grown.documents.equals(fresh.documents)
    assert grown.boilerplate.equals(fresh.boilerplate)


def test_ingest_step_writes_boilerplate_tsv(tmp_path):
    folder = _corpus(tmp_path / "c", {f"a{n}": _article(n) for n in range(6)})
    out = tmp_path / "out"
    out.mkdir()
    options = {**ingest_options(defaults()), "boilerplate": {"min_share": 0.9, "min_docs": 6}}
    ingest_step(folder, None, out / "documents.tsv", out / "passages.tsv", options, out / "boilerplate.tsv")
    table = pd.read_csv(out / "boilerplate.tsv", sep="\t")
    assert list(table.columns) == BOILERPLATE_COLUMNS
    assert set(table["line"]) == {FOOTER, *FURNITURE}
    assert (table["n_docs"] == 6).all()
    documents = pd.read_csv(out / "documents.tsv", sep="\t")
    assert (documents["chars_boilerplate"] == sum(map(len, FURNITURE)) + len(FOOTER)).all()
    options = {**ingest_options(defaults()), "boilerplate": {"min_share": 0.5, "min_docs": 7}}
    ingest_step(folder, None, out / "documents.tsv", out / "passages.tsv", options, out / "boilerplate.tsv")
    assert pd.read_csv(out / "boilerplate.tsv", sep="\t").empty


def test_a_date_read_from_site_boilerplate_is_not_used(tmp_path):
    """A site banner that looks like a headline on every page would date every page to its year."""
    banner = "2024年全国两会专题报道"
    texts = {f"banner{n}": f"{banner}\n" + _article(n).split("\n", 7)[7] for n in range(6)}
    texts["banner_labelled"] = f"{banner}\n发布时间:2021-03-05\n" + _article(6).split("\n", 7)[7]
    result = ingest_corpus(_corpus(tmp_path / "c", texts), None, IngestOptions(), workers=1, cache_dir=None)
    ledger = result.documents.set_index("doc_id")
    for n in range(6):
        assert ledger.loc[f"banner{n}", ["included", "reason", "year"]].tolist()[:2] == ["no", "no_date"]
        assert ledger.loc[f"banner{n}", "date_source"] == "text:标题年份 (from site boilerplate: not used)"
    assert ledger.loc["banner_labelled", ["included", "date", "date_source"]].tolist() == [
        "yes",
        "2021-03-05",
        "text:发布时间",
    ]
    assert banner in set(result.boilerplate["line"])
    assert set(result.passages["doc_id"]) == {"banner_labelled"}
