"""Dates: parsing metadata dates and finding the publication date in an article's text.

Text dating must never guess wrong: a wrong year silently moves evidence between years, a missing
one only leaves a document out (reason ``no_date``, counted in the ledger).  So a date is taken
from the text only where its role is unambiguous, in this order (:data:`TEXT_DATE_RULES`):

1. a labelled publication date (``发布时间:2024-01-24``, ``發佈時間``, ``成文日期``), anywhere in the
   first 20,000 characters, the date on the label's line or the next one;
2. a dateline in the opening lines: a full date in parentheses (``（2023年3月13日…通过）``,
   ``( 2023-05-08 ) 稿件来源``), a bare ``时间：2026-02-09`` label, or a full date after a dash
   (``——2024年3月5日在…会议上``) or followed by ``在…会议上``;
3. the year of the title: the title column (metadata or table) when there is one, else the
   headline, i.e. the first headline-like line before the body starts.  A title whose year is
   ambiguous (two years, a range, a ``年度`` report, a plan or retrospective such as
   ``2025年经济社会发展``, ``…执行情况``, ``…工作总结``) gives none.

Never used: a numbered section heading (``一、2025年工作回顾``, ``（一）``, ``1.``, ``第一章``), which
also ends the opening lines; a body sentence (a line with a sentence end, or longer than a
headline); a page's scrape date (``今天是 2024年12月28日``) or a clock with a weekday.
"""

from __future__ import annotations

import datetime as dt
import re

from ..clean import is_chrome_line, normalize_width, remove_format_chars, remove_pinyin_debris, to_simplified

# --- full dates: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 二〇二四年三月五日 --------------------

_YMD = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
_CN_DIGIT = "〇零○一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
_DATE = (
    rf"(?:(?<!\d)(?P<y>\d{{4}})\s*[-/.年]\s*(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})(?!\d)\s*日?"
    rf"|(?P<cy>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<cm>[{_CN_SMALL}]{{1,2}})\s*月\s*(?P<cd>[{_CN_SMALL}]{{1,3}})\s*日)"
)
_CLOCK_WEEKDAY = re.compile(r"\s*[(（]?\s*(?:星期|周|礼拜)[一二三四五六日天]")

# Publication labels (simplified and traditional, for opencc: none).  更新/修改/访问 dates are not
# publication dates and are not listed.
_PUBLICATION_LABEL = r"(?:发布|发表|发文|成文|印发|公布|刊发|刊登|出版|發佈|發布|發表|發文|印發|刊發|刊登)\s*(?:时间|日期|時間)"
_LABELLED = re.compile(_PUBLICATION_LABEL + r"\s*[:：]?\s*" + _DATE)
_LABEL_AT_END = re.compile(_PUBLICATION_LABEL + r"\s*[:：]?\s*$")
# A bare 时间/日期 label only counts at the start of a line or a field (after a separator), with a
# colon: 会议时间：… inside a sentence is an event, not the page's date.
_BARE_LABEL = r"(?:^|(?<=[\s|｜\[【(（/]))(?:时间|日期|時間)\s*[:：]"
_BARE_LABELLED = re.compile(_BARE_LABEL + r"\s*" + _DATE)
_BARE_LABEL_AT_END = re.compile(_BARE_LABEL + r"\s*$")
_STARTS_WITH_DATE = re.compile(r"^\s*" + _DATE)
_PAREN_DATELINE = re.compile(r"^[(（]\s*" + _DATE)
_DASH_DATELINE = re.compile(r"^[—―–\-─~]+\s*" + _DATE)
_BARE_DATELINE = re.compile(r"^" + _DATE + r"\s*在")
_SENTENCE_END = re.compile(r"[。！？!?]")
# A speech's salutation starts its body (short, so not told apart from furniture by length).
_SALUTATION = re.compile(r"^(?:各位代表|各位委员|代表们|委员们|同志们|朋友们|女士们|先生们)[^:：]{0,8}[:：]$")

# Numbered section headings: 一、 （一） (1) 1. 1、 第一章 第二节 第三部分 …
SECTION_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]"
    r"|[(（]\s*[一二三四五六七八九十百\d]{1,3}\s*[)）]"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|第\s*[一二三四五六七八九十百千\d]+\s*[章节条部分编篇讲])"
)

# --- title years ---------------------------------------------------------------------------------

_TITLE_YEAR = re.compile(rf"(?<!\d)(\d{{4}})\s*年|([{_CN_DIGIT}]{{4}})\s*年")
_YEAR_RANGE = re.compile(r"(?<!\d)\d{4}\s*年?\s*[—―–\-─~～至到]\s*\d{4}(?!\d)")
# Right after the year: 年度 reports appear the next year; 以来/至/周年 … are not the date of writing.
_AFTER_YEAR_AMBIGUOUS = re.compile(
    r"(?:度|以来|以前|之前|前|后|至|到|起|[—―–\-─~～]|年代|周年|多|(?:国民)?经济(?:和|与)?社会发展)"
)
_BEFORE_YEAR_AMBIGUOUS = re.compile(r"(?:纪念|回顾|自|从|截至|截止|始于|庆祝|迎接|展望|至|到)\s*$")
# Plans, budgets and reviews name the year planned or reviewed, not the year of writing: a year-end
# review (盘点, 成绩单, 十大…) or a year's results (2023年全省法院审结案件超百万件) is often published
# the next January.
_TITLE_AMBIGUOUS = re.compile(
    r"计划|预算|决算|规划|纲要|执行情况|情况的报告|总结|回顾|展望|盘点|成绩单|回眸|回望|年终|收官|十大"
    r"|审结|办结|完成|实现|达到|突破|同比|增长|下降|累计"
)

# The scrape date of a page header (``今天是 2024年12月28日 星期六``) is removed before anything else.
_SCRAPE_MARK = r"今天是|今日是|当前时间|访问时间|现在时间"
_SCRAPE_DATE_LINE = re.compile(_SCRAPE_MARK)
_SCRAPE_DATE = re.compile(rf"(?:{_SCRAPE_MARK})\s*[:：]?\s*{_YMD}\s*日?(?:\s*(?:星期|周)[一二三四五六日天])?")

#: The ``date_source`` of each text rule, in the order they are tried.
TEXT_DATE_RULES = {
    "text:发布时间": "a labelled publication date (发布时间/发布日期/发表时间/成文日期…, also traditional)",
    "text:(日期)": "a full date in parentheses opening one of the first lines: （2023年3月13日…通过）",
    "text:日期": "a 时间：/日期： label opening one of the first lines, with a full date",
    "text:——日期": "a dateline in the first lines: ——2024年3月5日在…会议上, or 2024年3月5日在…会议上",
    "title:标题年份": "the one unambiguous year of the title column (metadata.tsv or table)",
    "text:标题年份": "the one unambiguous year of the headline (first headline-like line before the body)",
}
# Kept for callers of the earlier single-pattern interface.
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("text:发布时间", _LABELLED),
    ("text:(日期)", _PAREN_DATELINE),
    ("text:日期", _BARE_LABELLED),
)
#: Headlines are at most this long (the ledger's title guess uses the same bound).
HEADLINE_MAX_CHARS = 60
# Lines shorter than this are page furniture (下载, 打印, 【字号：, 首页, >) and not counted as opening lines.
_FURNITURE_CHARS = 6


def parse_date(value: str) -> tuple[str, int] | None:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (also ``/``, ``.``, ``年月日``).

    Returns ``(iso_date, year)`` with the precision given, or ``None`` if malformed.
    """
    value = str(value).strip()
    match = re.fullmatch(
        r"(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?", value
    )
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day)).isoformat(), int(year)
        if month:
            if not 1 <= int(month) <= 12:
                return None
            return f"{int(year):04d}-{int(month):02d}", int(year)
    except ValueError:
        return None
    return f"{int(year):04d}", int(year)


def _cn_number(text: str) -> int:
    """一 … 三十一 as an integer (month and day numerals)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if "十" not in text:
        return digits.get(text, 0)
    tens, _, ones = text.partition("十")
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


def _cn_year(text: str) -> int:
    """二〇二四 as 2024 (digit by digit)."""
    return int("".join(str("〇一二三四五六七八九".index("〇" if c in "零○" else c)) for c in text))


def _match_date(match: re.Match[str]) -> tuple[str, int] | None:
    """``(iso_date, year)`` of a :data:`_DATE` match, or None if it is no calendar date."""
    if match.group("y"):
        year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
    else:
        year, month, day = (
            _cn_year(match.group("cy")),
            _cn_number(match.group("cm")),
            _cn_number(match.group("cd")),
        )
    try:
        return dt.date(year, month, day).isoformat(), year
    except ValueError:
        return None


def _is_clock(line: str, match: re.Match[str]) -> bool:
    """True if the date is followed by a weekday: a page's clock (scrape date), not a publication date."""
    return bool(_CLOCK_WEEKDAY.match(line, match.end()))


def is_section_heading(line: str) -> bool:
    """True for a numbered section heading: ``一、`` ``（一）`` ``(1)`` ``1.`` ``1、`` ``第一章`` …"""
    return bool(SECTION_HEADING.match(line))


def is_headline(line: str) -> bool:
    """True for a line that can be a headline: 6-60 characters, no sentence end, not a section heading."""
    return (
        _FURNITURE_CHARS <= len(line) <= HEADLINE_MAX_CHARS
        and not _SENTENCE_END.search(line)
        and not line.endswith((":", "：", ",", "，", ";", "；", "、"))
        and not is_section_heading(line)
    )


def title_year(title: str) -> int | None:
    """The year of a title, if it names exactly one year and names it as the year of writing.

    ``2021年,我省政法工作重点抓五件大事`` → 2021, ``陕西省2026年政府工作报告`` → 2026.  None for no year,
    two different years or a range (``（2020—2025年）``), a year followed by ``度`` (``2025年度`` reports
    are written the next year), ``以来``, ``至``, ``周年``, ``经济社会发展``, or preceded by ``纪念``,
    ``回顾``, ``自`` …, and for titles of plans, budgets and reviews (``计划``, ``预算``, ``规划``,
    ``执行情况``, ``总结``, ``回顾``), which name the year planned or reviewed.
    """
    title = title.strip()
    if not title or _YEAR_RANGE.search(title) or _TITLE_AMBIGUOUS.search(title):
        return None
    years = set()
    for match in _TITLE_YEAR.finditer(title):
        year = int(match.group(1)) if match.group(1) else _cn_year(match.group(2))
        if _AFTER_YEAR_AMBIGUOUS.match(title, match.end()) or _BEFORE_YEAR_AMBIGUOUS.search(
            title, 0, match.start()
        ):
            return None
        years.add(year)
    return years.pop() if len(years) == 1 else None


def _lines(text: str) -> list[str]:
    """Stripped lines with the scrape date removed; a short line that still names it is dropped."""
    return [
        line.strip(" \t|｜\u3000\u00a0")
        for line in _SCRAPE_DATE.sub(" ", text).split("\n")
        if len(line) > 200 or not _SCRAPE_DATE_LINE.search(line)
    ]


def opening_lines(lines: list[str], count: int) -> list[str]:
    """The lines before the body's sections: up to the ``count``-th substantial line, stopping before
    the first numbered section heading.  Short lines (page furniture such as 下载, 【字号：, 首页) are
    kept but not counted."""
    opening: list[str] = []
    seen = 0
    for line in lines:
        if not line:
            continue
        if is_section_heading(line):
            break
        opening.append(line)
        if len(line) >= _FURNITURE_CHARS:
            seen += 1
            if seen >= count:
                break
    return opening


def _labelled(
    lines: list[str], pattern: re.Pattern[str], at_end: re.Pattern[str], clocks: bool = True
) -> tuple[str, int, str] | None:
    """First date after a label matching ``pattern`` (or a label ending a line, the date opening the
    next): ``(iso_date, year, the line holding the date)``.  ``clocks=False``: a date followed by a
    weekday (``时间：2024年12月28日 星期六``, a page's clock) does not count."""
    for number, line in enumerate(lines):
        for match in pattern.finditer(line):
            parsed = _match_date(match)
            if parsed and (clocks or not _is_clock(line, match)):
                return parsed[0], parsed[1], line
        if at_end.search(line):
            following = next((other for other in lines[number + 1 :] if other), "")
            match = _STARTS_WITH_DATE.match(following)
            if match and (parsed := _match_date(match)) and (clocks or not _is_clock(following, match)):
                return parsed[0], parsed[1], following
    return None


def _dateline(lines: list[str], pattern: re.Pattern[str]) -> tuple[str, int, str] | None:
    for line in lines:
        if _SENTENCE_END.search(line):
            continue
        match = pattern.match(line)
        if match and not _is_clock(line, match):
            parsed = _match_date(match)
            if parsed:
                return parsed[0], parsed[1], line
    return None


def headline(lines: list[str]) -> str:
    """The first headline-like line of the opening lines, or "" if the body starts first.

    Page furniture (short lines, chrome such as 来源：… or 您的位置, dated lines) is skipped; a line
    with a sentence end, a line longer than a headline, or one ending in a colon or comma means the
    body has begun, and there is no headline.
    """
    for line in lines:
        if _SALUTATION.match(line):
            return ""
        if len(line) < _FURNITURE_CHARS or is_chrome_line(line) or _STARTS_WITH_DATE.match(line):
            continue
        if _LABELLED.search(line) or _BARE_LABELLED.search(line) or _PAREN_DATELINE.match(line):
            continue
        if _DASH_DATELINE.match(line):
            continue
        return line if is_headline(line) else ""
    return ""


def find_text_date(
    text: str, opening: int = 10, title: str | None = None
) -> tuple[str, int | str, str] | None:
    """Find the publication date in (simplified, width-normalised) article text.

    The rules of :data:`TEXT_DATE_RULES`, in that order (see the module docstring); a date must
    be a calendar date (``2024-02-30`` is none).

    Parameters
    ----------
    text : str
        The head of the article (markup removed, simplified, NFKC-normalised).
    opening : int
        How many substantial lines (of six characters or more) count as the opening lines, where
        datelines and the headline are looked for; a numbered section heading ends them earlier.
    title : str, optional
        The document's title from a title column; when given (non-empty), its year replaces the
        headline's.

    Returns
    -------
    tuple of (date, year, source) or None
        ``date`` is ``YYYY-MM-DD``, or ``YYYY`` for a title year.
    """
    found = text_date_evidence(text, opening, title)
    return found[:3] if found else None


def text_date_evidence(
    text: str, opening: int = 10, title: str | None = None
) -> tuple[str, int, str, str] | None:
    """:func:`find_text_date` and the line of the text the date was read from ("" for a title column).

    The line lets the corpus-level pass reject a date read from site boilerplate (a banner such as
    ``2024年全国两会专题`` heading every page of a site looks like a headline to one page alone).
    """
    lines = _lines(text)
    first = opening_lines(lines, opening)
    rules = (
        ("text:发布时间", lambda: _labelled(lines, _LABELLED, _LABEL_AT_END)),
        ("text:(日期)", lambda: _dateline(first, _PAREN_DATELINE)),
        ("text:日期", lambda: _labelled(first, _BARE_LABELLED, _BARE_LABEL_AT_END, clocks=False)),
        ("text:——日期", lambda: _dateline(first, _DASH_DATELINE) or _dateline(first, _BARE_DATELINE)),
    )
    for source, rule in rules:
        found = rule()
        if found:
            return found[0], found[1], source, found[2]
    if title and title.strip():
        year = title_year(normalize_width(title))
        return (f"{year:04d}", year, "title:标题年份", "") if year else None
    line = headline(first)
    year = title_year(line)
    return (f"{year:04d}", year, "text:标题年份", line) if year else None


def document_date(
    meta_date: str,
    raw: str,
    opencc: str,
    opening_lines: int = 10,
    title: str = "",
    from_text: bool = True,
) -> tuple[str, int | str, str]:
    """Date of a document: metadata wins, else text evidence.

    Parameters
    ----------
    meta_date : str
        The document's date in metadata.tsv or the table's date column ("" if none).
    raw : str
        The document's raw text (markup removed, not yet cleaned).
    opencc : str
        OpenCC conversion applied before the text is searched ("none": none).
    opening_lines : int
        Opening lines searched for a dateline and the headline (:func:`find_text_date`).
    title : str
        The title column's value ("" if none).
    from_text : bool
        False: only ``meta_date`` counts (``corpus.date_from_text: false``).

    Returns
    -------
    tuple of (date, year or "", source)
    """
    return document_date_evidence(meta_date, raw, opencc, opening_lines, title, from_text)[:3]


def document_date_evidence(
    meta_date: str,
    raw: str,
    opencc: str,
    opening_lines: int = 10,
    title: str = "",
    from_text: bool = True,
) -> tuple[str, int | str, str, str]:
    """:func:`document_date` and the text line the date was read from ("" if not from a text line)."""
    meta_date = (meta_date or "").strip()
    note = ""
    if meta_date:
        parsed = parse_date(meta_date)
        if parsed:
            return parsed[0], parsed[1], "metadata", ""
        note = f" (metadata date {meta_date!r} malformed)"
    found = None
    if from_text:
        head = remove_pinyin_debris(remove_format_chars(raw[:20000]))
        if title and opencc != "none":
            title = to_simplified(title, opencc)
        if opencc != "none":
            head = to_simplified(head, opencc)
        found = text_date_evidence(normalize_width(head), opening_lines, title)
    if found:
        return found[0], found[1], found[2] + note, found[3]
    if note:
        return meta_date, "", "metadata malformed", ""
    return "", "", "", ""
