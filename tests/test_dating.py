"""Text dating never guesses wrong (issue 13, item 3): the right year or none.

The test corpus is built here: documents with numbered section headings naming another year,
datelines, plan years, body years, page furniture and scrape dates, each with its known true year.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zhengfa_trends.ingest import IngestOptions, document_date, find_text_date, ingest_corpus
from zhengfa_trends.ingest.dates import TEXT_DATE_RULES, headline, is_section_heading, title_year

SENTENCES = [
    "全省政法机关坚持以人民为中心的发展思想,持续推进平安建设和法治建设,不断提升群众的获得感。",
    "坚持和发展新时代枫桥经验,推进矛盾纠纷多元化解,加强基层治理,综治中心建设取得新进展。",
    "加快数字政法建设,推动科技手段现代化,建设智慧法院和跨部门协同办案系统,深化数字化改革。",
    "深化执法司法体制改革,健全执法司法制约监督体系,让人民群众在每一个司法案件中感受到公平正义。",
    "加强政法队伍建设,锻造忠诚干净担当的政法铁军,推动全面从严管党治警向纵深发展。",
]


def _body(n: int) -> str:
    """A distinct body of plain sentences (no years) for document number ``n``."""
    return "\n".join(f"第{n}篇。{SENTENCES[(n + i) % 5]}{SENTENCES[(n + 2 * i) % 5]}" for i in range(3))


FURNITURE = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n"

# name -> (text, true year, year text dating must give: the true one or None)
CORPUS = {
    # Reports: a dateline beside a section heading that names the previous year.
    "report_dateline": (
        "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理 李强\n各位代表：\n"
        "现在，我代表国务院，向大会报告政府工作，请予审议。\n一、2023年工作回顾\n{body}",
        2024,
        2024,
    ),
    "report_furniture_dateline": (
        FURNITURE + "2026年上海市政府工作报告\n——2026年2月3日在上海市第十六届人民代表大会第四次会议上\n"
        "来源：解放日报\n时间：2026-02-09\n上海市市长 龚 正\n各位代表：\n一、2025年工作回顾\n{body}",
        2026,
        2026,
    ),
    "report_cn_numerals": (
        "政府工作报告\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n"
        "各位代表：\n“十四五”时期工作回顾\n{body}",
        2026,
        2026,
    ),
    "report_1954": (
        "政府工作报告\n――1954年9月23日在第一届全国人民代表大会第一次会议上\n各位代表：\n"
        "一、1953年以来的工作\n{body}",
        1954,
        1954,
    ),
    "report_no_dash": (
        "陕西省政府工作报告\n2026年1月27日在陕西省第十四届人民代表大会第四次会议上 陕西省省长 赵刚\n"
        "各位代表：\n一、2025年工作回顾\n{body}",
        2026,
        2026,
    ),
    # The heading names the previous year and nothing else dates the report: no year.
    "report_heading_first": ("一、2024年工作回顾\n2024年是关键之年。{body}", 2025, None),
    "report_heading_after_title": ("政府工作报告\n各位代表：\n一、2024年工作回顾\n{body}", 2025, None),
    "heading_paren": ("（一）2024年主要工作\n{body}", 2025, None),
    "heading_number": ("1. 2023年重点工作\n{body}", 2024, None),
    "heading_chapter": ("第一章 2020年的改革\n{body}", 2022, None),
    "furniture_then_heading": (FURNITURE + "一、2025年工作回顾\n{body}", 2026, None),
    # Resolutions: a parenthesised dateline, and a plan year in the body.
    "resolution_dateline": (
        "关于政府工作报告的决议\n（2025年3月11日第十四届全国人民代表大会第三次会议通过）\n"
        "会议同意报告提出的2025年经济社会发展总体要求。\n{body}",
        2025,
        2025,
    ),
    "resolution_plan_year_only": (
        "第十四届全国人民代表大会第三次会议关于政府工作报告的决议\n"
        "会议同意报告提出的2025年经济社会发展总体要求。\n{body}",
        2025,
        None,
    ),
    "plan_year_first_line": ("2025年经济社会发展主要目标\n{body}", 2025, None),
    "plan_title": (
        "关于2024年国民经济和社会发展计划执行情况与2025年国民经济和社会发展计划草案的报告\n{body}",
        2025,
        None,
    ),
    "annual_report": ("2025年度法治政府建设情况报告\n{body}", 2026, None),
    "anniversary": ("纪念1978年改革开放40周年\n{body}", 2018, None),
    "range_title": ("法治中国建设规划（2020—2025年）\n{body}", 2021, None),
    "work_summary": ("2023年工作总结\n{body}", 2024, None),
    # Body years and sentences.
    "body_years": (
        "政法工作新篇章\n2019年以来，全省政法机关持续发力。\n2020年，平安建设再上台阶。\n{body}",
        2021,
        None,
    ),
    "lead_sentence": ("2024年3月5日，十四届全国人大二次会议在北京开幕。\n{body}", 2024, None),
    "event_time": ("政法工作新篇章\n会议时间：2019年5月6日，地点在省委。\n{body}", 2024, None),
    "salutation_first": ("各位代表：\n2023年是全面贯彻党的二十大精神的开局之年。\n{body}", 2024, None),
    # Scrape dates and page clocks.
    "scrape_date": ("欢迎访问某某政法网 今天是 2024年12月28日 星期六\n政法工作新篇章\n{body}", 2022, None),
    "page_clock": ("2024年12月28日 星期六\n政法工作新篇章\n{body}", 2022, None),
    "page_clock_labelled": ("时间：2024年12月28日 星期六\n政法工作新篇章\n{body}", 2022, None),
    "page_clock_paren": ("（2024年12月28日 星期六）\n政法工作新篇章\n{body}", 2022, None),
    # Labelled publication dates and headline years.
    "labelled": (
        "政法工作新篇章\n[ 来源: | 作者:admin | 发布时间:2024-01-24 | 浏览:1029次 ]\n{body}",
        2024,
        2024,
    ),
    "labelled_next_line": (
        "当前位置：\n首页\n发表时间：\n2026-02-09 09:45:30\n政府工作报告\n{body}",
        2026,
        2026,
    ),
    "labelled_traditional": ("政法工作新篇章\n發佈時間：2019-05-06\n{body}", 2019, 2019),
    "parenthesised_iso": ("积极推进政法工作现代化\n( 2023-05-08 ) 稿件来源: 法治日报 |\n{body}", 2023, 2023),
    "headline_year": (
        "2021年,我省政法工作重点抓五件大事\n本报记者 张倩\n1月20日,省委政法工作会议召开。\n{body}",
        2021,
        2021,
    ),
    "headline_after_furniture": (
        FURNITURE + "陕西省2026年政府工作报告\n各位代表：\n一、2025年工作回顾\n{body}",
        2026,
        2026,
    ),
    "results_headline": ("2023年全省法院审结案件超百万件\n本报讯 记者从省高院获悉。\n{body}", 2024, None),
    "headline_without_year": ("政法工作新篇章\n2023年，全省政法机关持续发力。\n{body}", 2023, None),
}


def test_text_dating_gives_the_right_year_or_none(tmp_path):
    for number, (name, (text, _, _)) in enumerate(CORPUS.items()):
        (tmp_path / f"{name}.txt").write_text(text.format(body=_body(number)), encoding="utf-8")
    ledger = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None).documents.set_index(
        "doc_id"
    )
    wrong = {}
    for name, (_, true_year, expected) in CORPUS.items():
        year = ledger.loc[name, "year"]
        found = None if str(year) == "<NA>" else int(year)
        if found is not None and found != true_year:
            wrong[name] = (found, true_year, ledger.loc[name, "date_source"])
        assert found == expected, (name, found, ledger.loc[name, "date_source"])
        assert ledger.loc[name, "reason"] == ("" if expected else "no_date")
    assert wrong == {}
    assert set(ledger["date_source"]) - {""} <= set(TEXT_DATE_RULES)
    sources = ledger["date_source"].to_dict()
    assert sources["report_dateline"] == "text:——日期"
    assert sources["report_furniture_dateline"] == "text:日期"  # 时间：2026-02-09, before the dateline rule
    assert sources["resolution_dateline"] == "text:(日期)"
    assert sources["labelled_next_line"] == "text:发布时间"
    assert sources["headline_year"] == "text:标题年份"
    assert ledger.loc["report_1954", "date"] == "1954-09-23"  # corpus.min_year 1949 keeps it
    assert ledger.loc["report_cn_numerals", "date"] == "2026-01-27"


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2021年,我省政法工作重点抓五件大事", 2021),
        ("陕西省2026年政府工作报告", 2026),
        ("二〇二四年政府工作报告", 2024),
        ("在2025年全省政法工作会议上的讲话", 2025),
        ("政府工作报告", None),
        ("2025年度法治政府建设情况报告", None),
        ("2024年和2025年的两件大事", None),
        ("法治社会建设实施纲要(2020-2025年)", None),
        ("2019年以来的政法改革", None),
        ("建党100周年 1921年至今", None),
        ("庆祝1949年新中国成立", None),
        ("2025年国民经济和社会发展计划", None),
        ("关于2024年中央和地方预算执行情况的报告", None),
        ("2023年工作回顾", None),
        ("盘点2023年全省法院十大典型案例", None),
        ("2023年政法成绩单", None),
        ("2023年全省法院审结案件超百万件", None),
        ("全省1900多名干警投入安保", None),
    ],
)
def test_title_year(title, year):
    assert title_year(title) == year


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("一、2025年工作回顾", True),
        ("十二、加强政府自身建设", True),
        ("（一）2024年主要工作", True),
        ("(3)完善机制", True),
        ("1. 2023年重点工作", True),
        ("2、深化改革", True),
        ("第一章 总则", True),
        ("第三部分 展望", True),
        ("2025年工作回顾", False),
        ("2025.3.5 会议", False),
        ("一是经济持续回升向好。", False),
    ],
)
def test_section_headings(line, heading):
    assert is_section_heading(line) is heading


def test_headline_is_the_first_headline_like_line_before_the_body():
    assert (
        headline(["下载", "【字号：", "2026年某省政府工作报告", "——2026年1月1日在…会议上"])
        == "2026年某省政府工作报告"
    )
    assert headline(["来源：解放日报", "2026年某省政府工作报告"]) == "2026年某省政府工作报告"
    assert headline(["各位代表：", "2026年某省政府工作报告"]) == ""
    assert headline(["2023年是开局之年，各项工作取得新进展。", "2024年某省政府工作报告"]) == ""


def test_title_column_replaces_the_headline():
    text = "2020年某某工作报告\n正文第一句。"
    assert find_text_date(text) == ("2020", 2020, "text:标题年份")
    assert find_text_date(text, title="2021年某某工作报告") == ("2021", 2021, "title:标题年份")
    assert find_text_date(text, title="某某工作报告") is None
    # a dateline still wins over the title column
    assert find_text_date("——2022年1月5日在会议上\n正文。", title="2021年报告") == (
        "2022-01-05",
        2022,
        "text:——日期",
    )


def test_opening_lines_bound_the_datelines():
    lines = [f"第{n}行政法工作新篇章内容" for n in range(10)]
    text = "\n".join([*lines, "——2022年1月5日在会议上"])
    assert find_text_date(text, opening=10) is None
    assert find_text_date(text, opening=11) == ("2022-01-05", 2022, "text:——日期")


def test_invalid_calendar_dates_are_none():
    assert find_text_date("标题文字很长\n发布时间:2024-02-30\n正文。") is None
    assert find_text_date("标题文字很长\n——二〇二四年二月三十日在会议上\n正文。") is None


def test_date_from_text_false_keeps_only_metadata_dates():
    raw = "政法工作新篇章\n发布时间:2024-01-24\n正文。"
    assert document_date("", raw, "t2s") == ("2024-01-24", 2024, "text:发布时间")
    assert document_date("", raw, "t2s", from_text=False) == ("", "", "")
    assert document_date("2020-05", raw, "t2s", from_text=False) == ("2020-05", 2020, "metadata")
    assert document_date("May 2020", raw, "t2s", from_text=False) == ("May 2020", "", "metadata malformed")


def test_format_characters_do_not_hide_a_label():
    raw = "政法工作新篇章\n发\u200b布\u2060时间\ufeff:2024-01-24\n正文。"
    assert document_date("", raw, "t2s") == ("2024-01-24", 2024, "text:发布时间")


def test_date_from_text_option_in_the_ledger(tmp_path):
    (tmp_path / "a.txt").write_text("政法工作新篇章\n发布时间:2024-01-24\n" + _body(1), encoding="utf-8")
    (tmp_path / "b.txt").write_text("政法工作新篇章二\n" + _body(2), encoding="utf-8")
    (tmp_path / "meta.tsv").write_text("doc_id\tdate\nb\t2023\n", encoding="utf-8")
    ledger = ingest_corpus(
        tmp_path, tmp_path / "meta.tsv", IngestOptions(date_from_text=False), workers=1, cache_dir=None
    )
    ledger = ledger.documents.set_index("doc_id")
    assert ledger.loc["a", ["reason", "date_source"]].tolist() == ["no_date", ""]
    assert ledger.loc["b", ["reason", "date", "date_source"]].tolist() == ["", "2023", "metadata"]


def test_default_corpus_text_dates_without_metadata(corpus_dir: Path):
    """Text dating alone dates four of the five default documents exactly; the fifth has no date in its text."""
    ledger = ingest_corpus(corpus_dir, None, IngestOptions(), workers=1, cache_dir=None).documents.set_index(
        "doc_id"
    )
    dates = {
        doc[:3]: (ledger.loc[doc, "date"], ledger.loc[doc, "date_source"])
        for doc in ledger.index
        if doc[0] == "0"
    }
    assert dates == {
        "000": ("2023-05-08", "text:(日期)"),
        "001": ("2024-01-24", "text:发布时间"),
        "002": ("2021", "text:标题年份"),
        "003": ("", ""),
        "004": ("2022-12-15", "text:发布时间"),
    }


def test_each_excluding_setting_is_warned_about_with_its_key(tmp_path, caplog):
    """Issue 13, item 4: documents left out by a setting are named in one warning line per key."""
    from zhengfa_trends.config import defaults, ingest_options
    from zhengfa_trends.steps import ingest_step

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number, date in enumerate(["1954-09-23", "1960-04-10", "1975-01-13", "2020-05-22", "2023-03-05"]):
        text = f"政府工作报告\n——{date[:4]}年{int(date[5:7])}月{int(date[8:])}日在全国人民代表大会上\n"
        (corpus / f"r{number}.txt").write_text(text + _body(number), encoding="utf-8")
    options = {**ingest_options(defaults()), "min_year": 1978, "years": [2021, 2025]}
    with caplog.at_level("WARNING"):
        ingest_step(corpus, None, tmp_path / "documents.tsv", tmp_path / "passages.tsv", options)
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert (
        "3 documents dated before corpus.min_year (1978) were left out; lower corpus.min_year to keep them"
        in warnings
    )
    assert (
        "1 document dated outside corpus.years (2021-2025) was left out; widen corpus.years (or set it to []) "
        "to keep it" in warnings
    )
    caplog.clear()
    with caplog.at_level("WARNING"):
        ingest_step(
            corpus, None, tmp_path / "documents.tsv", tmp_path / "passages.tsv", ingest_options(defaults())
        )
    assert not [r for r in caplog.records if "corpus.min_year" in r.getMessage()]  # 1949 keeps all five


def test_guessed_titles_are_never_section_headings():
    from zhengfa_trends.ingest import guess_title

    assert guess_title(["一、2024年工作回顾", "（一）主要工作", "政府工作报告全文"]) == "政府工作报告全文"
