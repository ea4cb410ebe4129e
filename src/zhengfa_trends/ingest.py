"""Ingest: read every file of a corpus folder, decode, date, clean, and account for each one.

The result is a ledger with one row per entry of the corpus folder (files, subfolders, links; the
metadata file excepted) and per metadata row naming a missing file, and the passages of the
included documents.  A problem with one document never raises: it
becomes the ``reason`` of that document's ledger row.  Only problems that leave nothing to
analyse raise :class:`CorpusError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import ContentCache
from .clean import (
    clean_text,
    han_only,
    normalize_width,
    remove_pinyin_debris,
    split_passages,
    to_simplified,
)
from .files import HTML_SUFFIXES, TEXT_SUFFIXES, CorpusError, list_corpus_files  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


# The fixed reason vocabulary of documents.tsv (README: "Preparing your corpus").
REASONS = {
    "not_text": "file name does not end in .txt/.text/.htm/.html",
    "folder": "a subfolder of the corpus folder (files in subfolders are not read)",
    "unreadable": "the file cannot be read (permission denied, broken link, not a regular file)",
    "empty": "file is empty or whitespace only",
    "binary": "file content is binary (NUL or control bytes, or a known binary signature)",
    "undecodable": "no text encoding decodes the bytes",
    "no_text": "nothing but page chrome is left after cleaning",
    "no_date": "no date in metadata.tsv and none found in the text",
    "bad_date": "the date is malformed, before corpus.min_year or later than today",
    "duplicate_of:<doc_id>": "same bytes as an earlier file, or the same or nearly the same clean text "
    "as an earlier included document (character 5-gram Jaccard similarity >= "
    "corpus.near_duplicate_threshold)",
    "year_filtered": "the year lies outside corpus.years",
    "missing_file": "metadata.tsv names a file that is not in the corpus folder",
}

LEDGER_COLUMNS = [
    "doc_id",
    "file",
    "encoding",
    "date",
    "year",
    "date_source",
    "title",
    "source",
    "chars_raw",
    "chars_clean",
    "passages",
    "included",
    "reason",
    "sha256",
]
PASSAGE_COLUMNS = ["doc_id", "year", "passage_no", "n_chars", "text"]

_BINARY_SIGNATURES = (
    b"\x89PNG",
    b"PK\x03\x04",  # zip, docx, xlsx, epub
    b"PK\x05\x06",
    b"%PDF",
    b"\xff\xd8\xff",  # jpeg
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"\xd0\xcf\x11\xe0",  # doc, xls (OLE)
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"wOFF",
    b"BZh",
)
# Control bytes that no text encoding of Chinese produces (tab, line ends, form feed and ESC allowed).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

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
_HTML_TAG = re.compile(r"<[^>]+>")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.S | re.I)
_HTML_MARKUP = re.compile(r"<(?:p|div|br|span|td|tr|table|a|h\d|li|ul|meta|font|strong)\b[^>]*>", re.I)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/h\d|/li|/tr|p|div|h\d|li|tr)\b[^>]*>", re.I)


@dataclass(frozen=True)
class IngestOptions:
    """Settings of the ingest stage (the ``corpus``, ``clean`` and ``passages`` config sections)."""

    opencc: str = "t2s"
    max_chars: int = 300
    min_chars: int = 40
    min_year: int = 1978
    max_year: int | None = None
    years: tuple[int, int] | None = None
    title_year_lines: int = 5
    near_duplicate_threshold: float = 0.9


@dataclass(frozen=True)
class IngestResult:
    """Ledger of every file and the passages of the included documents."""

    documents: pd.DataFrame
    passages: pd.DataFrame


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def is_binary(data: bytes) -> bool:
    """True for bytes that are not text.

    A known binary signature (PNG, JPEG, zip/docx, PDF, OLE, …), or, without a UTF-16/32 BOM,
    NUL bytes or more than 5 % control bytes in the first 8 KiB (no encoding of Chinese text
    produces those).
    """
    if data.startswith(_BINARY_SIGNATURES):
        return True
    if data.startswith(_UTF32_BOMS + _UTF16_BOMS):
        return False
    head = data[:8192]
    if b"\x00" in head:
        return True
    return len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.05 * len(head)


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode file bytes; return ``(text, encoding)`` or ``None`` if nothing fits.

    BOMs decide first (UTF-8, UTF-32, UTF-16).  Then strict UTF-8, and UTF-8 with at most a few
    invalid sequences (a file cut in the middle of a character; they become U+FFFD and the
    encoding reads ``utf-8 (N invalid sequences replaced)``).  Then GB18030 and Big5 are both tried and the one whose
    text consists of more common characters wins, ties going to GB18030 (GB18030 decodes nearly
    any byte string, so "it decodes" alone proves nothing).  charset-normalizer is the last resort.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(_UTF32_BOMS):
        return data.decode("utf-32", errors="replace"), "utf-32"
    if data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16", errors="replace")
        return (text, "utf-16") if _replaced(text) <= max(2, len(text) // 1000) else None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = _replaced(text)
    if bad <= max(2, len(text) // 1000):
        return text, f"utf-8 ({bad} invalid sequences replaced)"
    candidates = []
    for order, encoding in enumerate(("gb18030", "big5hkscs")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((-common_share(text), order, encoding, text))
    if candidates:
        share, _, encoding, text = min(candidates)
        if -share >= 0.5:
            return text, encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    if candidates:
        _, _, encoding, text = min(candidates)
        return text, encoding
    return None


def _replaced(text: str) -> int:
    return text.count("\ufffd")


@functools.cache
def _common_han() -> frozenset[str]:
    """The 3,755 level-1 characters of GB 2312: by definition the commonly used ones."""
    chars = bytes(
        byte for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF) for byte in (lead, trail)
    ).decode("gb2312", errors="ignore")
    return frozenset(chars)


_COMMON_MARKS = frozenset("“”‘’…—·")


def common_share(text: str, sample: int = 20000) -> float:
    """Share of the non-ASCII characters of ``text`` that are common in Chinese writing.

    Characters are converted to simplified script first (so Big5 text scores like GB text) and
    count as common if they are level-1 GB 2312 characters or CJK/full-width punctuation.  Text
    decoded with the wrong one of GB18030 and Big5 consists of rare characters and scores low.
    """
    head = "".join(ch for ch in text[:sample] if not ch.isascii() and not ch.isspace())
    if not head:
        return 1.0
    common = _common_han()
    simplified = to_simplified(head)
    hits = sum(
        1
        for ch in simplified
        if ch in common or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in _COMMON_MARKS
    )
    return hits / len(simplified)


def strip_html(text: str) -> str:
    """Reduce an HTML page to its text: drop comments, scripts and styles; tags become breaks."""
    import html

    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_DROP.sub(" ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    return html.unescape(text)


def looks_like_html(text: str) -> bool:
    """True if the text is an HTML page (or an HTML fragment) saved as text."""
    head = text[:5000]
    lowered = head.lower()
    if "<html" in lowered or "<!doctype html" in lowered or ("<body" in lowered and "</" in lowered):
        return True
    return len(_HTML_MARKUP.findall(head)) >= 3


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


def guess_title(paragraphs: Iterable[str]) -> str:
    """First clean line that looks like a headline (6-60 characters, no sentence end)."""
    for line in paragraphs:
        if 6 <= len(line) <= 60 and not line.endswith(("。", "!", "?", ";", ":")):
            return line
    return ""


def read_metadata(path: Path | None) -> tuple[pd.DataFrame, list[str]]:
    """Read metadata.tsv (doc_id, date, optional title/source); return table and warnings.

    A missing file gives an empty table.  The file may be in any encoding :func:`decode_bytes`
    knows (Excel writes GB18030 or UTF-8 with BOM); it is tab-separated without quoting, column
    names are case-insensitive and a repeated column name counts only the first time.  A doc_id
    may carry its file suffix (``a.txt``, ``a.html``).  Rows with too many fields are cut to the
    header's length, rows without a doc_id are skipped, and a doc_id that appears more than once
    keeps its first row; each of these gives a warning.

    Raises
    ------
    CorpusError
        If the file is binary (a spreadsheet), cannot be decoded or has no ``doc_id`` column.
    """
    columns = ["doc_id", "date", "title", "source"]
    empty = pd.DataFrame(columns=columns)
    if path is None or not Path(path).is_file():
        return empty, []
    name = Path(path).name
    data = Path(path).read_bytes()
    decoded = None if is_binary(data) else decode_bytes(data)
    if decoded is None:
        raise CorpusError(
            f"metadata file {path} is not text (a spreadsheet?); save it as tab-separated text with "
            "the header doc_id, date[, title, source], or leave corpus.metadata empty"
        )
    warnings: list[str] = []
    lines = [line for line in decoded[0].splitlines() if line.strip()]
    if not lines:
        return empty, [f"{name}: the metadata file is empty"]
    header = []
    for field in lines[0].split("\t"):
        field = field.strip().lower()
        header.append(field if field not in header else f"{field} ({len(header) + 1})")
    records = []
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) > len(header):
            warnings.append(
                f"{name}: the row of {fields[0]!r} has {len(fields)} fields, the header {len(header)}; "
                "the extra ones are ignored"
            )
        records.append((fields + [""] * len(header))[: len(header)])
    table = pd.DataFrame(records, columns=header, dtype=str)
    if "doc_id" not in table.columns:
        raise CorpusError(
            f"metadata file {path} needs a 'doc_id' column (found: {', '.join(table.columns)}); "
            "its first line must be the tab-separated header doc_id, date[, title, source]"
        )
    for column in columns:
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].astype(str).str.strip()
    table["doc_id"] = table["doc_id"].map(_strip_text_suffix)
    blank = table["doc_id"] == ""
    if blank.any():
        warnings.append(f"{name}: {int(blank.sum())} row(s) without a doc_id are ignored")
        table = table.loc[~blank]
    duplicated = table["doc_id"].duplicated(keep="first")
    for doc_id in table.loc[duplicated, "doc_id"]:
        warnings.append(f"{name}: doc_id {doc_id} appears more than once; the first row is used")
    return table.loc[~duplicated, columns].reset_index(drop=True), warnings


def _strip_text_suffix(name: str) -> str:
    path = Path(name)
    return path.stem if path.suffix.lower() in TEXT_SUFFIXES else name


# --- near-duplicate detection -------------------------------------------------------------------

SHINGLE_CHARS = 5
MINHASH_BINS = 128
_MASK57 = np.uint64((1 << 57) - 1)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial shingle hashes over all 64 bits."""
    values = values + np.uint64(0x9E3779B97F4A7C15)
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingle_text(text: str) -> str:
    """What shingles are taken of: the Han characters of ``text`` (else its non-space characters).

    Spacing, punctuation, digits and Latin letters (where re-scraped copies differ most) are left out.
    """
    return han_only(text) or re.sub(r"\s+", "", text)


def shingle_hashes(text: str, k: int = SHINGLE_CHARS, chunk: int = 1 << 18) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character ``k``-grams of :func:`shingle_text`.

    Vectorised over code points in chunks, so a 10 MB document needs no per-shingle Python objects.
    A text shorter than ``k`` characters is one shingle.
    """
    chars = shingle_text(text)
    if not chars:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(chars.encode("utf-32-le"), dtype="<u4")
    k = min(k, len(points))
    n_shingles = len(points) - k + 1
    parts = []
    for start in range(0, n_shingles, chunk):
        stop = min(start + chunk, n_shingles)
        window = points[start : stop + k - 1].astype(np.uint64)
        hashes = np.zeros(stop - start, dtype=np.uint64)
        for j in range(k):
            hashes = hashes * np.uint64(1_000_003) + window[j : j + stop - start]
        parts.append(_sorted_unique(_mix64(hashes)))
    return _sorted_unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values (np.unique's hash path is many times slower on millions of uint64)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique hash arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def minhash_signature(hashes: np.ndarray, bins: int = MINHASH_BINS) -> np.ndarray:
    """One-permutation MinHash with rotation densification (Shrivastava & Li 2014).

    Each shingle hash falls into one of ``bins`` bins by its top bits; a bin keeps the minimum of
    the remaining 57 bits.  An empty bin borrows the value of the next non-empty bin to its right,
    plus ``distance * 2**57`` so that only equal borrowings agree.  Two documents agree in a bin
    with probability close to the Jaccard similarity of their shingle sets; one hash per shingle
    keeps this linear in the text length.  Deterministic (no random seeds involved).
    """
    shift = np.uint64(64 - int(bins).bit_length() + 1)
    signature = np.full(bins, np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(hashes) == 0:
        return signature
    np.minimum.at(signature, (hashes >> shift).astype(np.intp), hashes & _MASK57)
    empty = signature == np.iinfo(np.uint64).max
    if empty.any():
        filled = np.flatnonzero(~empty)
        positions = np.flatnonzero(empty)
        # the next filled bin to the right, circularly
        nxt = filled[np.searchsorted(filled, positions) % len(filled)]
        distance = (nxt - positions) % bins
        signature[positions] = signature[nxt] + distance.astype(np.uint64) * np.uint64(1 << 57)
    return signature


def lsh_rows(threshold: float, bins: int = MINHASH_BINS, recall: float = 0.999) -> int:
    """Rows per LSH band: the most (fewest candidates) that still find a pair at ``threshold``.

    A pair with Jaccard similarity ``s`` becomes a candidate with probability
    ``1 - (1 - s**rows) ** (bins / rows)``; the largest power of two ``rows`` for which that is at
    least ``recall`` at ``s = threshold`` is chosen (8 rows x 16 bands at the default 0.9).
    """
    best = 1
    rows = 1
    while rows <= bins:
        if 1 - (1 - threshold**rows) ** (bins // rows) >= recall:
            best = rows
        rows *= 2
    return best


class NearDuplicateIndex:
    """Earlier documents whose shingle sets may be similar to a new one (MinHash LSH).

    Signatures are cut into bands; documents sharing a whole band land in the same bucket.  Only
    documents sharing a bucket are candidates, so looking a document up costs the number of
    bands plus its (few) candidates, not the size of the corpus.  Candidates must then be
    verified with the exact :func:`jaccard`.

    Documents that share a band but whose signatures agree in fewer than ``threshold - margin`` of
    the bins are dropped before that check.  Corpora written from a common stock of sentences
    (templates, synthetic benchmarks) share bands by the thousand at similarities far below the
    threshold; the agreement share estimates the Jaccard similarity with a standard error of at most
    ``0.5 / sqrt(bins)`` (0.044 for 128 bins), so the default margin of 0.2 loses no true pair.
    """

    def __init__(self, threshold: float, bins: int = MINHASH_BINS, margin: float = 0.2):
        self.threshold = threshold
        self.bins = bins
        self.rows = lsh_rows(threshold, bins)
        self.min_agreement = max(0.0, threshold - margin)
        self.buckets: dict[tuple[int, bytes], list[int]] = {}
        # Row i: document i's signature (grown by doubling), so that all candidates of a document are
        # compared in one array operation.
        self.signatures = np.zeros((64, bins), dtype=np.uint64)
        self.size = 0

    def _keys(self, signature: np.ndarray) -> list[tuple[int, bytes]]:
        return [
            (band, signature[band * self.rows : (band + 1) * self.rows].tobytes())
            for band in range(self.bins // self.rows)
        ]

    def candidates(self, signature: np.ndarray) -> list[int]:
        """Numbers of the added documents sharing a band with ``signature`` and agreeing in enough
        bins to be possibly similar, earliest first."""
        found: set[int] = set()
        for key in self._keys(signature):
            found.update(self.buckets.get(key, ()))
        if not found:
            return []
        numbers = np.array(sorted(found), dtype=np.int64)
        agreement = (self.signatures[numbers] == signature).mean(axis=1)
        return numbers[agreement >= self.min_agreement].tolist()

    def add(self, signature: np.ndarray) -> int:
        """Add a document; return its number (0, 1, …)."""
        number = self.size
        for key in self._keys(signature):
            self.buckets.setdefault(key, []).append(number)
        if number == len(self.signatures):
            self.signatures = np.concatenate((self.signatures, np.zeros_like(self.signatures)))
        self.signatures[number] = signature
        self.size += 1
        return number


# --- the ingest ----------------------------------------------------------------------------------


def _new_row(doc_id: str, file: str, meta: dict) -> dict:
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(doc_id=doc_id, file=file, included="no", chars_raw=0, chars_clean=0, passages=0)
    row.update(title=meta.get("title", ""), source=meta.get("source", ""))
    return row


def _read_document(path: Path) -> tuple[str, bytes | None]:
    """``(reason, bytes)`` of a corpus entry: a reason for entries that are not read, else ``""``."""
    if path.is_dir():
        return "folder", None
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return "not_text", None
    if not path.is_file():  # broken link, fifo, socket: never opened (a fifo would block)
        return "unreadable", None
    try:
        return "", path.read_bytes()
    except OSError:
        return "unreadable", None


def ingest_corpus(
    corpus_dir: Path,
    metadata_path: Path | None,
    options: IngestOptions,
    workers: int = 1,
    cache_dir: str | Path | None = None,
) -> IngestResult:
    """Read, date, clean and split every document of a corpus folder.

    Parameters
    ----------
    corpus_dir : Path
        Folder of article files; every entry in it (file, subfolder, link) gets a ledger row.
    metadata_path : Path or None
        Optional metadata.tsv; its dates win over dates found in the text.
    options : IngestOptions
    workers : int
        Processes that read, clean and date the documents (the duplicate checks, which depend on
        earlier documents, stay in this process); the result does not depend on it.
    cache_dir : path, optional
        Folder of the cleaning cache (:class:`CleaningCache`): files analysed before under the same
        settings are not decoded and cleaned again.  None: no cache.

    Returns
    -------
    IngestResult
        ``documents`` (one row per entry of the folder and per metadata row without a file,
        columns :data:`LEDGER_COLUMNS`) and ``passages`` (:data:`PASSAGE_COLUMNS`).

    Raises
    ------
    CorpusError
        If the folder is missing or no document is included; the ledger built so far is the
        error's ``documents`` attribute.
    """
    metadata, warnings = read_metadata(metadata_path)
    for warning in warnings:
        log.warning(warning)
    meta_by_id = metadata.set_index("doc_id").to_dict("index")
    entries = list_corpus_files(corpus_dir, exclude=[metadata_path] if metadata_path else [])
    rows: list[dict] = []
    passages: list[dict] = []
    seen_raw: dict[str, str] = {}
    seen_clean: dict[str, str] = {}
    near = NearDuplicateIndex(options.near_duplicate_threshold)
    kept: list[tuple[str, int, int]] = []  # doc_id and passage range of each included document
    doc_ids: list[str] = []
    taken: set[str] = set()
    for path in entries:
        # a.txt and a.html would share the id "a": the second one is called by its file name
        doc_id = path.stem if path.stem not in taken else path.name
        while doc_id in taken:
            doc_id += "~"
        doc_ids.append(doc_id)
        taken.add(doc_id)
    meta_dates = [meta_by_id.get(doc_id, {}).get("date", "") for doc_id in doc_ids]
    cache = CleaningCache(cache_dir, options) if cache_dir else None
    prepared = _prepare_all(entries, meta_dates, options, workers, cache)
    for path, doc_id, prep in zip(entries, doc_ids, prepared, strict=True):
        # Decisions that depend on earlier documents (duplicates), in corpus order; the row gets
        # exactly the fields known at the point where the document is set aside.
        meta = meta_by_id.get(doc_id, {})
        row = _new_row(doc_id, path.name, meta)
        rows.append(row)
        row["reason"] = prep.reason
        if prep.stage < PREPARED_READ:
            continue
        row["sha256"] = prep.sha256
        if prep.stage < PREPARED_DECODED:
            continue
        row["encoding"] = prep.encoding
        if prep.stage < PREPARED_RAW:
            continue
        row["chars_raw"] = prep.chars_raw
        if prep.sha256 in seen_raw:
            row["reason"] = f"duplicate_of:{seen_raw[prep.sha256]}"
            continue
        seen_raw[prep.sha256] = doc_id
        row["chars_clean"] = prep.chars_clean
        if not row["title"]:
            row["title"] = prep.title
        if prep.stage < PREPARED_CLEAN:
            continue
        row["date"], row["year"], row["date_source"] = prep.date, prep.year, prep.date_source
        if prep.stage < PREPARED_DATED:
            continue
        if prep.fingerprint in seen_clean:
            row["reason"] = f"duplicate_of:{seen_clean[prep.fingerprint]}"
            continue
        candidates = near.candidates(prep.signature)
        original = ""
        if candidates:  # rare: the shingles are rebuilt from the passages (same Han characters)
            shingles = shingle_hashes("".join(prep.passages))
            original = _near_duplicate_of(shingles, candidates, kept, passages, options)
        if original:
            row["reason"] = f"duplicate_of:{original}"
            continue
        seen_clean[prep.fingerprint] = doc_id
        near.add(prep.signature)
        kept.append((doc_id, len(passages), len(passages) + len(prep.passages)))
        row.update(passages=len(prep.passages), included="yes")
        for number, passage in enumerate(prep.passages):
            passages.append(
                {
                    "doc_id": doc_id,
                    "year": row["year"],
                    "passage_no": number,
                    "n_chars": len(passage),
                    "text": passage,
                }
            )
    if cache is not None:
        removed = cache.prune()
        cache.close()
        if removed:
            log.info("cleaning cache: %d entries of earlier settings removed", removed)
    for doc_id, meta in meta_by_id.items():
        if doc_id not in taken:
            row = _new_row(doc_id, "", meta)
            row.update(reason="missing_file", date=meta.get("date", ""))
            rows.append(row)
    documents = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    documents["year"] = pd.to_numeric(documents["year"], errors="coerce").astype("Int64")
    passage_table = pd.DataFrame(passages, columns=PASSAGE_COLUMNS)
    if not (documents["included"] == "yes").any():
        error = CorpusError(nothing_usable_message(corpus_dir, documents, options))
        error.documents = documents
        raise error
    return IngestResult(documents, passage_table)


# How far a document got (each stage implies the ones before): read, decoded, raw text, clean text
# (analysis ends here; its results are cached), dated (the date checks passed).
PREPARED_NONE, PREPARED_READ, PREPARED_DECODED, PREPARED_RAW, PREPARED_CLEAN, PREPARED_DATED = range(6)
# Below this many documents to analyse, they are analysed in this process (worker start-up would dominate).
PARALLEL_MIN_ENTRIES = 64
# Bump when a change to the analysis (decoding, cleaning, dating, passages) is not visible in the
# source files hashed by ingest_fingerprint, e.g. a change in how a dependency is called.
INGEST_CACHE_VERSION = 1


@dataclass
class PreparedDocument:
    """What can be learnt about one corpus entry without looking at the others."""

    stage: int = PREPARED_NONE
    reason: str = ""
    sha256: str = ""
    encoding: str = ""
    chars_raw: int = 0
    chars_clean: int = 0
    title: str = ""
    date: str = ""
    year: int | str = ""
    date_source: str = ""
    fingerprint: str = ""
    signature: np.ndarray | None = None
    passages: list[str] = dataclass_field(default_factory=list)

    def to_payload(self) -> str:
        """JSON text of the document (for the cleaning cache)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields["signature"] = None if self.signature is None else [int(v) for v in self.signature]
        return json.dumps(fields, ensure_ascii=False)

    @classmethod
    def from_payload(cls, payload: str) -> PreparedDocument:
        """The document :meth:`to_payload` wrote."""
        fields = json.loads(payload)
        if fields["signature"] is not None:
            fields["signature"] = np.array(fields["signature"], dtype=np.uint64)
        return cls(**fields)


class CleaningCache(ContentCache):
    """Each file's analysis (decoding, cleaning, date, passages), keyed by its bytes and the settings.

    Editing a file, the cleaning options or the analysis code misses the cache; adding a document
    analyses only that one.  See :mod:`zhengfa_trends.cache`.
    """

    FILE_NAME = "documents.sqlite"

    def __init__(self, folder: str | Path, options: IngestOptions):
        super().__init__(folder, ingest_fingerprint(options), self.FILE_NAME)

    def document_key(self, sha256: str, suffix: str, meta_date: str) -> str:
        """Key of a file's analysis: its content, whether its name says HTML, its metadata date."""
        kind = "html" if suffix.lower() in HTML_SUFFIXES else "text"
        return self.key([sha256, kind, meta_date or ""])

    def get(self, key: str) -> PreparedDocument | None:
        """The cached analysis, or None."""
        entry = self.get_payload(key)
        return None if entry is None else PreparedDocument.from_payload(entry[1])

    def put(self, key: str, prep: PreparedDocument) -> None:
        """Queue an analysis; :meth:`flush` writes the queued entries."""
        self.put_payload(key, len(prep.passages), prep.to_payload())


def ingest_fingerprint(options: IngestOptions) -> str:
    """sha256 of everything the cached analysis depends on: the options that shape it, the source
    of the cleaning and ingest modules, and the versions of the decoding and conversion libraries."""
    from . import clean
    from .provenance import package_version

    payload = {
        "version": INGEST_CACHE_VERSION,
        "options": [options.opencc, options.max_chars, options.min_chars, options.title_year_lines],
        "source": [
            sha256_bytes(Path(module.__file__).read_bytes()) for module in (clean, sys.modules[__name__])
        ],
        "packages": [package_version(name) for name in ("opencc", "charset-normalizer")],
    }
    return sha256_bytes(json.dumps(payload, sort_keys=True).encode("utf-8"))


def _analyse_document(path: Path, meta_date: str, options: IngestOptions) -> PreparedDocument:
    """Read, decode, clean, date, fingerprint and cut one entry; stop at the first reason to set it aside.

    Everything here depends only on the file, its metadata date and the options that
    :func:`ingest_fingerprint` covers; the date checks (which depend on today) come after.
    """
    prep = PreparedDocument()
    prep.reason, data = _read_document(path)
    if data is None:
        return prep
    prep.stage, prep.sha256 = PREPARED_READ, sha256_bytes(data)
    if not data.strip():
        prep.reason = "empty"
        return prep
    if is_binary(data):
        prep.reason = "binary"
        return prep
    decoded = decode_bytes(data)
    if decoded is None:
        prep.reason = "undecodable"
        return prep
    raw, prep.encoding = decoded
    prep.stage = PREPARED_DECODED
    del data, decoded
    if not raw.strip():
        prep.reason = "empty"
        return prep
    if path.suffix.lower() in HTML_SUFFIXES or looks_like_html(raw):
        raw = strip_html(raw)
    prep.stage, prep.chars_raw = PREPARED_RAW, len(raw)
    cleaned = clean_text(raw, options.opencc)
    prep.chars_clean = sum(len(p) for p in cleaned.paragraphs)
    prep.title = guess_title(cleaned.paragraphs)
    if not cleaned.paragraphs:
        prep.reason = "no_text"
        return prep
    prep.stage = PREPARED_CLEAN
    prep.date, prep.year, prep.date_source = _document_date(meta_date, raw, options)
    del raw
    if prep.year:
        text = cleaned.text
        prep.fingerprint = sha256_bytes(shingle_text(text).encode())
        prep.signature = minhash_signature(shingle_hashes(text))
        prep.passages = split_passages(cleaned.paragraphs, options.max_chars, options.min_chars)
    return prep


def _check_dates(prep: PreparedDocument, options: IngestOptions) -> PreparedDocument:
    """Set a cleaned document aside for a missing, implausible or filtered-out date, else mark it dated."""
    if prep.stage < PREPARED_CLEAN:
        return prep
    today = dt.date.today()
    if not prep.year:
        prep.reason = "no_date" if not prep.date else "bad_date"
    elif (
        not options.min_year <= prep.year <= (options.max_year or today.year)
        or prep.date > today.isoformat()[: len(prep.date)]
    ):
        prep.reason = "bad_date"
    elif options.years and not options.years[0] <= prep.year <= options.years[1]:
        prep.reason = "year_filtered"
    else:
        prep.stage = PREPARED_DATED
    return prep


def _prepare_all(
    entries: list[Path], meta_dates: list[str], options: IngestOptions, workers: int, cache=None
) -> Iterator[PreparedDocument]:
    """Every entry's :func:`_analyse_document` (from the cache where possible) and date checks, in order.

    Entries missing from ``cache`` are analysed, in ``workers`` forked processes if there are enough
    of them, and queued for the cache (the caller flushes it).
    """
    cached: dict[int, PreparedDocument] = {}
    # Looking entries up means reading every file here first; an empty cache can have no hits.
    if cache is not None and cache.count() > 0:
        for index, (path, meta_date) in enumerate(zip(entries, meta_dates, strict=True)):
            _, data = _read_document(path)
            if data is not None:
                found = cache.get(cache.document_key(sha256_bytes(data), path.suffix, meta_date))
                if found is not None:
                    cached[index] = found
    todo = [index for index in range(len(entries)) if index not in cached]
    analysed = _analyse_all([entries[i] for i in todo], [meta_dates[i] for i in todo], options, workers)
    for index in range(len(entries)):
        if index in cached:
            prep = cached[index]
        else:
            prep = next(analysed)
            if cache is not None and prep.stage >= PREPARED_READ:
                cache.put(cache.document_key(prep.sha256, entries[index].suffix, meta_dates[index]), prep)
        yield _check_dates(prep, options)
    if cache is not None:
        log.info("documents analysed: %d, reused from the cleaning cache: %d", len(todo), len(cached))


def _analyse_all(
    entries: list[Path], meta_dates: list[str], options: IngestOptions, workers: int
) -> Iterator[PreparedDocument]:
    """:func:`_analyse_document` of every entry, in order; in ``workers`` forked processes if worth it."""
    import multiprocessing

    if (
        workers <= 1
        or len(entries) < PARALLEL_MIN_ENTRIES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for path, meta_date in zip(entries, meta_dates, strict=True):
            yield _analyse_document(path, meta_date, options)
        return
    analyse = functools.partial(_analyse_document, options=options)
    chunk = max(1, min(32, len(entries) // (workers * 8)))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        # imap keeps the corpus order; results are consumed as they come.
        yield from pool.imap(_StarCall(analyse), zip(entries, meta_dates, strict=True), chunksize=chunk)


class _StarCall:
    """``f(*args)`` as a picklable one-argument callable (for ``Pool.imap``)."""

    def __init__(self, function):
        self.function = function

    def __call__(self, args):
        return self.function(*args)


def _near_duplicate_of(
    shingles: np.ndarray,
    candidates: list[int],
    kept: list[tuple[str, int, int]],
    passages: list[dict],
    options: IngestOptions,
) -> str:
    """doc_id of the earliest kept document whose shingle set is similar enough, else ``""``.

    The kept document's shingles are recomputed from its passages (same Han characters, in
    order, as its clean text), so nothing but the MinHash buckets is held per document.
    """
    for number in candidates:
        doc_id, first, last = kept[number]
        other = shingle_hashes("".join(p["text"] for p in passages[first:last]))
        if jaccard(shingles, other) >= options.near_duplicate_threshold:
            return doc_id
    return ""


def nothing_usable_message(corpus_dir: Path, documents: pd.DataFrame, options: IngestOptions) -> str:
    """One line saying why no document of ``corpus_dir`` is usable and what to do about it."""
    if documents.empty:
        return (
            f"corpus folder {corpus_dir} is empty; put the articles in it (one per .txt or .html "
            "file, UTF-8 preferred) or set corpus.dir in your config to the folder that holds them"
        )
    reasons = documents["reason"].map(lambda r: "duplicate_of" if r.startswith("duplicate_of:") else r)
    counts = Counter(reasons)
    parts = []
    for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        names = documents.loc[reasons == reason]
        names = (names["file"].where(names["file"] != "", names["doc_id"])).head(3).tolist()
        more = ", …" if count > len(names) else ""
        parts.append(f"{count} {reason} ({', '.join(names)}{more})")
    summary = (
        f"no document in corpus folder {corpus_dir} can be used: {len(documents)} entries, "
        + "; ".join(parts)
    )
    if counts.get("year_filtered") and options.years:
        years = documents.loc[reasons == "year_filtered", "year"].dropna().astype(int)
        return (
            f"{summary}. corpus.years {list(options.years)} excludes every dated document "
            f"(their years: {years.min()}-{years.max()}); widen corpus.years or set it to []"
        )
    return (
        f"{summary}. Put the articles in {corpus_dir} (one per .txt or .html file, with a date in the "
        "text or in metadata.tsv), or set corpus.dir in your config to the folder that holds them; "
        "the reasons are explained in the README section 'Preparing your corpus'"
    )


def _document_date(meta_date: str, raw: str, options: IngestOptions) -> tuple[str, int | str, str]:
    """Date of a document: metadata wins, else text evidence; ``(date, year or '', source)``."""
    meta_date = (meta_date or "").strip()
    note = ""
    if meta_date:
        parsed = parse_date(meta_date)
        if parsed:
            return parsed[0], parsed[1], "metadata"
        note = f" (metadata date {meta_date!r} malformed)"
    head = remove_pinyin_debris(raw[:20000])
    if options.opencc != "none":
        head = to_simplified(head, options.opencc)
    simplified = normalize_width(head)
    found = find_text_date(simplified, options.title_year_lines)
    if found:
        return found[0], found[1], found[2] + note
    if note:
        return meta_date, "", "metadata malformed"
    return "", "", ""
