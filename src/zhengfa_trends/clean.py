"""Cleaning of scraped article text: script, width, pinyin debris, page chrome, duplicates, passages.

Every function here is pure (text in, text out) so that the ingest stage and the tests can
compose them freely.  The order that :func:`clean_text` applies them in matters and is
explained there.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Pinyin that a converter appended after characters it could not map, e.g. ``網(wǎng)``.
# Only lower-case Latin letters with or without tone marks, at most six of them, directly after a
# Han character: real parenthesised Latin text (an acronym, an English gloss) is upper-case,
# spaced or longer and survives.
_PINYIN_LETTERS = "a-zü\u0101\u00e1\u01ce\u00e0\u0113\u00e9\u011b\u00e8\u012b\u00ed\u01d0\u00ec\u014d\u00f3\u01d2\u00f2\u016b\u00fa\u01d4\u00f9\u01d6\u01d8\u01da\u01dc"
PINYIN_DEBRIS = re.compile(rf"(?<=[\u4e00-\u9fff])[(（][{_PINYIN_LETTERS}]{{1,6}}[)）]")

HAN = re.compile(r"[\u4e00-\u9fff]")
_NON_HAN = re.compile(r"[^\u4e00-\u9fff]+")

# Lines that are page chrome as a whole.  Matched against a stripped, simplified line.
CHROME_LINE_PATTERNS: tuple[str, ...] = (
    r"^[|｜\s]*$",  # table rails
    r"^\d{1,3}$",  # lone digits that numbered photos
    r"^您的位置",
    r"^当前位置",
    r"^首页\s*(>>|>|»)",
    r"^\[\s*来源[:：]",  # [ 来源: | 作者:admin | 发布时间:… | 浏览:1029次 ]
    r"^字号[:：]",
    r"^【微海报】",
    r"^欢迎访问",
    r"今天是\s*\d{4}年",
    r"^责任编辑[:：]",
    r"^(稿件)?来源[:：]",
    r"^\(\s*\d{4}-\d{1,2}-\d{1,2}\s*\)\s*稿件来源",
    r"^编辑[:：]",
    r"本网站所有内容",
    r"未经许可不得转载",
    r"版权所有",
    r"^(?i:copyright\b|©)",  # Copyright © 2024 …  /  © 2024 …
    r"^下转第.{1,3}(版)?$",
    r"^上接第.{1,3}(版)?$",
    r"^[□■●]?\s*[\u4e00-\u9fff·]{0,12}记者[\s\u4e00-\u9fff·]{0,30}$",  # bylines
    r"^.{0,40}(供图|摄)[)）]$",  # photo captions: "…受理市民诉求。(嘉峪关市委政法委供图)"
    r"^[(（][^()（）]{0,40}(供图|摄)[)）]$",
)
_CHROME_LINE = re.compile("|".join(f"(?:{p})" for p in CHROME_LINE_PATTERNS))
# Stripped from both ends of every line (table rails and spaces); str.strip stays linear on huge lines.
_RAIL_CHARS = "|｜ \t\n\r\f\v\u3000\u00a0"
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


@functools.lru_cache(maxsize=4)
def opencc_converter(config: str = "t2s"):
    """Return an OpenCC converter, created once per process and configuration.

    Parameters
    ----------
    config : str
        OpenCC configuration name, e.g. ``"t2s"`` (traditional → simplified).
    """
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str, config: str = "t2s") -> str:
    """Convert traditional characters to simplified with OpenCC (no-op for simplified text)."""
    return opencc_converter(config).convert(text)


def han_only(text: str) -> str:
    """The Han characters of ``text`` in order, as one string (no per-character objects)."""
    return _NON_HAN.sub("", text)


def remove_pinyin_debris(text: str) -> str:
    """Drop the ``(pīnyīn)`` a converter left after characters, e.g. ``網(wǎng)`` → ``網``."""
    return PINYIN_DEBRIS.sub("", text)


# Invisible format characters that scraped pages carry between characters (zero-width space, non-joiner
# and joiner, word joiner, BOM / zero-width no-break space): they split words and block OpenCC.
FORMAT_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_FORMAT_TABLE = str.maketrans("", "", FORMAT_CHARS)


def remove_format_chars(text: str) -> str:
    """Drop the invisible format characters of :data:`FORMAT_CHARS` (U+200B-U+200D, U+2060, U+FEFF)."""
    # str.translate looks every character up in the table (slow on Han text); most articles
    # hold none of the five, which five substring searches tell at C speed.
    if not any(char in text for char in FORMAT_CHARS):
        return text
    return text.translate(_FORMAT_TABLE)


def _nfkc(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group())


def normalize_width(text: str) -> str:
    """NFKC-normalise (full-width Latin and digits → half-width) and unify line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # CJK Unified Ideographs (U+4E00-U+9FFF) are stable under NFKC (no decomposition, combining
    # class 0, never part of a composition), so NFKC of a text is the NFKC of the runs between
    # them (_NON_HAN) with the ideographs left as they are: the same string at a fifth of the
    # cost, since CPython's normalisation walks every character of Han text.
    return _NON_HAN.sub(_nfkc, text)


def is_chrome_line(line: str) -> bool:
    """True if a whole line is navigation, byline, caption or copyright chrome."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) > 200:
        # Body paragraphs are long; chrome lines never are.  Saves regex work on big files.
        return False
    return bool(_CHROME_LINE.search(stripped))


@dataclass(frozen=True)
class CleanResult:
    """Outcome of :func:`clean_text`: the paragraphs kept and what was removed."""

    paragraphs: tuple[str, ...]
    chrome_lines: int
    duplicate_paragraphs: int

    @property
    def text(self) -> str:
        """The clean text, one paragraph per line."""
        return "\n".join(self.paragraphs)


def clean_text(raw: str, opencc_config: str = "t2s") -> CleanResult:
    """Clean one scraped article.

    Order: invisible format characters first (they split what the later steps match), pinyin debris
    next (it sits between traditional characters that OpenCC must see
    joined), then OpenCC, then width normalisation, then line-level chrome removal, and last
    paragraph de-duplication, because the duplicated bodies only compare equal once chrome
    and spacing are gone.

    Parameters
    ----------
    raw : str
        Decoded file content.
    opencc_config : str
        OpenCC configuration; ``"none"`` skips script conversion.

    Returns
    -------
    CleanResult
    """
    text = remove_pinyin_debris(remove_format_chars(raw))
    if opencc_config != "none":
        text = to_simplified(text, opencc_config)
    text = normalize_width(text)
    kept: list[str] = []
    seen: set[str] = set()
    chrome = duplicates = 0
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line.strip(_RAIL_CHARS)).strip()
        if is_chrome_line(line):
            chrome += 1 if line else 0
            continue
        key = han_only(line) or line
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        kept.append(line)
    return CleanResult(tuple(kept), chrome, duplicates)


def split_passages(paragraphs: tuple[str, ...] | list[str], max_chars: int, min_chars: int) -> list[str]:
    """Cut paragraphs into passages of at most ``max_chars`` characters at sentence ends.

    A paragraph longer than ``max_chars`` is split between sentences; pieces shorter than
    ``min_chars`` (headings, one-line leads) are joined to the passage that follows, so that every
    passage carries enough words for a topic model.  A single sentence longer than ``max_chars``
    stays whole rather than being cut mid-sentence, unless it is longer than
    ``OVERLONG_FACTOR * max_chars`` (text without sentence punctuation, e.g. a scraped table or a
    whole file on one line): that is cut at commas, or failing that every ``max_chars`` characters.

    Runs in time linear in the text length (pieces are collected in lists, never by repeated
    concatenation of a growing string).

    Parameters
    ----------
    paragraphs : sequence of str
        Clean paragraphs in document order.
    max_chars, min_chars : int
        Target upper and lower passage length in characters.

    Returns
    -------
    list of str
    """
    pieces: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= max_chars:
            pieces.append(paragraph)
            continue
        sentences = _SENTENCE_END.split(paragraph)
        if any(len(s) > OVERLONG_FACTOR * max_chars for s in sentences):
            sentences = [part for s in sentences for part in _cut_overlong(s, max_chars)]
        pieces.extend(_pack(sentences, max_chars))
    passages: list[str] = []
    carry = ""
    for piece in pieces:
        piece = (carry + " " + piece).strip() if carry else piece
        if len(piece) < min_chars:
            carry = piece
            continue
        carry = ""
        passages.append(piece)
    if carry:
        if passages and len(passages[-1]) + len(carry) <= 2 * max_chars:
            passages[-1] = passages[-1] + " " + carry
        else:
            passages.append(carry)
    return passages


# A "sentence" longer than this many times max_chars is no sentence: it is cut (split_passages).
OVERLONG_FACTOR = 4
_CLAUSE_END = re.compile(r"(?<=[,，、:：])")


def _pack(parts: list[str], max_chars: int) -> list[str]:
    """Join consecutive parts into pieces of at most ``max_chars`` (a longer part stays alone)."""
    pieces: list[str] = []
    current: list[str] = []
    length = 0
    for part in parts:
        if current and length + len(part) > max_chars:
            piece = "".join(current).strip()
            if piece:
                pieces.append(piece)
            current, length = [], 0
        current.append(part)
        length += len(part)
    piece = "".join(current).strip()
    if piece:
        pieces.append(piece)
    return pieces


def _cut_overlong(sentence: str, max_chars: int) -> list[str]:
    """Cut an over-long sentence at clause ends (commas), else every ``max_chars`` characters."""
    if len(sentence) <= OVERLONG_FACTOR * max_chars:
        return [sentence]
    parts: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        if len(clause) <= max_chars:
            parts.append(clause)
        else:
            parts.extend(clause[i : i + max_chars] for i in range(0, len(clause), max_chars))
    return _pack(parts, max_chars)
