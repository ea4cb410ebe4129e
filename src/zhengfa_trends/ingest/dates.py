"""Dates: parsing metadata dates and finding the publication date in an article's text."""

from __future__ import annotations

import datetime as dt
import re

from ..clean import normalize_width, remove_pinyin_debris, to_simplified

# Publication-date evidence, most specific first.  Applied to simplified text line by line; a line
# holding the scrape date (``今天是 2024年12月28日``) is never used.
_YMD = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # The colon may be missing where an HTML table cell held the label: 发布时间</td><td>2024-…
    ("text:发布时间", re.compile(r"(?:发布|发表)(?:时间|日期)\s*[:：]?\s*" + _YMD)),
    ("text:(日期)", re.compile(r"[(（]\s*" + _YMD + r"\s*[)）]")),
    ("text:日期", re.compile(r"(?:日期|时间)\s*[:：]\s*" + _YMD)),
)
_SCRAPE_MARK = r"今天是|今日是|当前时间|访问时间|现在时间"
_SCRAPE_DATE_LINE = re.compile(_SCRAPE_MARK)
_SCRAPE_DATE = re.compile(rf"(?:{_SCRAPE_MARK})\s*[:：]?\s*{_YMD}\s*日?(?:\s*(?:星期|周)[一二三四五六日天])?")
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})年")


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


def find_text_date(text: str, title_year_lines: int = 5) -> tuple[str, int, str] | None:
    """Find the publication date in (simplified) article text.

    Looks for a labelled publication date (``发布时间:2024-01-24``), then a parenthesised date
    (``( 2023-05-08 )``), then a ``YYYY年`` in one of the first ``title_year_lines`` non-empty
    lines (the headline).  The scrape date of a page header (``今天是 2024年12月28日 星期六``) is
    removed first, and a short line that still carries such a marker is skipped.

    Returns
    -------
    tuple of (date, year, source) or None
    """
    lines = [
        line
        for line in _SCRAPE_DATE.sub(" ", text).split("\n")
        if len(line) > 200 or not _SCRAPE_DATE_LINE.search(line)
    ]
    for source, pattern in DATE_PATTERNS:
        for line in lines:
            match = pattern.search(line)
            if match:
                parsed = parse_date("-".join(match.groups()))
                if parsed:
                    return parsed[0], parsed[1], source
    headline = [line.strip() for line in lines if line.strip() and len(line.strip()) <= 80]
    for line in headline[:title_year_lines]:
        match = _TITLE_YEAR.search(line)
        if match:
            return match.group(1), int(match.group(1)), "text:标题年份"
    return None


def document_date(meta_date: str, raw: str, opencc: str, title_year_lines: int) -> tuple[str, int | str, str]:
    """Date of a document: metadata wins, else text evidence.

    Parameters
    ----------
    meta_date : str
        The document's date in metadata.tsv ("" if none).
    raw : str
        The document's raw text (markup removed, not yet cleaned).
    opencc : str
        OpenCC conversion applied before the text is searched ("none": none).
    title_year_lines : int
        Headline lines searched for a ``YYYY年`` (:func:`find_text_date`).

    Returns
    -------
    tuple of (date, year or "", source)
    """
    meta_date = (meta_date or "").strip()
    note = ""
    if meta_date:
        parsed = parse_date(meta_date)
        if parsed:
            return parsed[0], parsed[1], "metadata"
        note = f" (metadata date {meta_date!r} malformed)"
    head = remove_pinyin_debris(raw[:20000])
    if opencc != "none":
        head = to_simplified(head, opencc)
    simplified = normalize_width(head)
    found = find_text_date(simplified, title_year_lines)
    if found:
        return found[0], found[1], found[2] + note
    if note:
        return meta_date, "", "metadata malformed"
    return "", "", ""
