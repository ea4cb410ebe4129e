"""Ingest: read every file of a corpus folder, decode, date, clean, and account for each one.

The result is a ledger with one row per file found (and per metadata row naming a missing file)
and the passages of the included documents.  A problem with one document never raises: it
becomes the ``reason`` of that document's ledger row.  Only problems that leave nothing to
analyse raise :class:`CorpusError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .clean import (
    HAN,
    clean_text,
    normalize_width,
    remove_pinyin_debris,
    split_passages,
    to_simplified,
)

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".htm", ".html"})

# The fixed reason vocabulary of documents.tsv (README: "Preparing your corpus").
REASONS = {
    "not_text": "file name does not end in .txt/.text/.htm/.html",
    "empty": "file is empty or whitespace only",
    "binary": "file content is binary (NUL bytes or a known binary signature)",
    "undecodable": "no text encoding decodes the bytes",
    "no_text": "nothing but page chrome is left after cleaning",
    "no_date": "no date in metadata.tsv and none found in the text",
    "bad_date": "the date found is malformed or outside the plausible range",
    "duplicate_of:<doc_id>": "same article as an earlier document (exact or after cleaning)",
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

_BINARY_SIGNATURES = (b"\x89PNG", b"PK\x03\x04", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")

# Publication-date evidence, most specific first.  Applied to simplified text line by line; a line
# holding the scrape date (``今天是 2024年12月28日``) is never used.
_YMD = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("text:发布时间", re.compile(r"(?:发布|发表)(?:时间|日期)\s*[:：]\s*" + _YMD)),
    ("text:(日期)", re.compile(r"[(（]\s*" + _YMD + r"\s*[)）]")),
    ("text:日期", re.compile(r"(?:日期|时间)\s*[:：]\s*" + _YMD)),
)
_SCRAPE_DATE_LINE = re.compile(r"今天是|当前时间|访问时间")
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})年")
_HTML_TAG = re.compile(r"<[^>]+>")
_HTML_DROP = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>", re.S | re.I)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/h\d|/li|/tr|p|div|h\d|li|tr)\b[^>]*>", re.I)


class CorpusError(Exception):
    """The corpus as a whole cannot be analysed (missing folder, nothing included)."""


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


@dataclass(frozen=True)
class IngestResult:
    """Ledger of every file and the passages of the included documents."""

    documents: pd.DataFrame
    passages: pd.DataFrame


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def is_binary(data: bytes) -> bool:
    """True for bytes that are not text: known signatures, or NUL bytes without a UTF-16 BOM."""
    if data.startswith(_BINARY_SIGNATURES):
        return True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in data[:8192]


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode file bytes; return ``(text, encoding)`` or ``None`` if nothing fits.

    BOMs decide first; then strict UTF-8; then GB18030 and Big5 are both tried and the one
    whose result has fewer rare characters wins (GB18030 decodes nearly any byte string, so
    "it decodes" alone proves nothing); charset-normalizer is the last resort.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_rarity(text), encoding, text))
    if candidates:
        _, encoding, text = min(candidates)
        return text, encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best), best.encoding


def _rarity(text: str) -> float:
    """Share of characters outside common Han, ASCII and CJK punctuation (lower = more plausible)."""
    sample = text[:20000]
    if not sample:
        return 1.0
    common = sum(
        1
        for ch in sample
        if ch.isascii()
        or "\u4e00" <= ch <= "\u9fa5"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
    )
    return 1.0 - common / len(sample)


def strip_html(text: str) -> str:
    """Reduce an HTML page to its text: drop scripts and styles, tags become line breaks."""
    import html

    text = _HTML_DROP.sub(" ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    return html.unescape(text)


def looks_like_html(text: str) -> bool:
    """True if the text is an HTML page saved as text."""
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in head)


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
    lines (the headline).  Lines carrying the scrape date (``今天是 …``) are skipped.

    Returns
    -------
    tuple of (date, year, source) or None
    """
    lines = [line for line in text.split("\n") if not _SCRAPE_DATE_LINE.search(line)]
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

    A missing file gives an empty table.  Duplicated doc_ids keep their first row.
    """
    columns = ["doc_id", "date", "title", "source"]
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=columns), []
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=None)
    if "doc_id" not in table.columns:
        raise CorpusError(f"{path}: metadata needs a 'doc_id' column (found: {', '.join(table.columns)})")
    for column in columns:
        if column not in table.columns:
            table[column] = ""
    table["doc_id"] = table["doc_id"].str.strip().map(lambda s: Path(s).stem if s.endswith(".txt") else s)
    warnings = []
    duplicated = table["doc_id"].duplicated(keep="first")
    for doc_id in table.loc[duplicated, "doc_id"]:
        warnings.append(f"metadata.tsv: doc_id {doc_id} appears more than once; the first row is used")
    return table.loc[~duplicated, columns].reset_index(drop=True), warnings


def list_corpus_files(corpus_dir: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """All regular files directly in ``corpus_dir``, sorted by name, minus ``exclude``."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir} (set corpus.dir in your config)")
    skip = {Path(p).resolve() for p in exclude}
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.resolve() not in skip)


def ingest_corpus(corpus_dir: Path, metadata_path: Path | None, options: IngestOptions) -> IngestResult:
    """Read, date, clean and split every document of a corpus folder.

    Parameters
    ----------
    corpus_dir : Path
        Folder of article files; every file in it gets a ledger row.
    metadata_path : Path or None
        Optional metadata.tsv; its dates win over dates found in the text.
    options : IngestOptions

    Returns
    -------
    IngestResult
        ``documents`` (one row per file and per metadata row without a file, columns
        :data:`LEDGER_COLUMNS`) and ``passages`` (:data:`PASSAGE_COLUMNS`).

    Raises
    ------
    CorpusError
        If the folder is missing or no document is included.
    """
    metadata, warnings = read_metadata(metadata_path)
    for warning in warnings:
        log.warning(warning)
    meta_by_id = metadata.set_index("doc_id").to_dict("index")
    files = list_corpus_files(corpus_dir, exclude=[metadata_path] if metadata_path else [])
    max_year = options.max_year or dt.date.today().year
    rows: list[dict] = []
    passages: list[dict] = []
    seen_raw: dict[str, str] = {}
    seen_clean: dict[str, str] = {}
    for path in files:
        doc_id = path.stem
        meta = meta_by_id.get(doc_id, {})
        row = dict.fromkeys(LEDGER_COLUMNS, "")
        row.update(doc_id=doc_id, file=path.name, included="no", chars_raw=0, chars_clean=0, passages=0)
        row.update(title=meta.get("title", ""), source=meta.get("source", ""))
        rows.append(row)
        if path.suffix.lower() not in TEXT_SUFFIXES:
            row["reason"] = "not_text"
            continue
        data = path.read_bytes()
        row["sha256"] = sha256_bytes(data)
        if not data.strip():
            row["reason"] = "empty"
            continue
        if is_binary(data):
            row["reason"] = "binary"
            continue
        decoded = decode_bytes(data)
        if decoded is None:
            row["reason"] = "undecodable"
            continue
        raw, row["encoding"] = decoded
        del data
        if not raw.strip():
            row["reason"] = "empty"
            continue
        if path.suffix.lower() in {".htm", ".html"} or looks_like_html(raw):
            raw = strip_html(raw)
        row["chars_raw"] = len(raw)
        if row["sha256"] in seen_raw:
            row["reason"] = f"duplicate_of:{seen_raw[row['sha256']]}"
            continue
        seen_raw[row["sha256"]] = doc_id

        cleaned = clean_text(raw, options.opencc)
        row["chars_clean"] = sum(len(p) for p in cleaned.paragraphs)
        if not row["title"]:
            row["title"] = guess_title(cleaned.paragraphs)
        if not cleaned.paragraphs:
            row["reason"] = "no_text"
            continue
        date = _document_date(meta.get("date", ""), raw, options)
        row["date"], row["year"], row["date_source"] = date
        if not row["year"]:
            row["reason"] = "no_date" if not row["date"] else "bad_date"
            continue
        if not options.min_year <= row["year"] <= max_year:
            row["reason"] = "bad_date"
            continue
        if options.years and not options.years[0] <= row["year"] <= options.years[1]:
            row["reason"] = "year_filtered"
            continue
        fingerprint = sha256_bytes("".join(HAN.findall(cleaned.text)).encode())
        if fingerprint in seen_clean:
            row["reason"] = f"duplicate_of:{seen_clean[fingerprint]}"
            continue
        seen_clean[fingerprint] = doc_id

        texts = split_passages(cleaned.paragraphs, options.max_chars, options.min_chars)
        row.update(passages=len(texts), included="yes")
        for number, text in enumerate(texts):
            passages.append(
                {
                    "doc_id": doc_id,
                    "year": row["year"],
                    "passage_no": number,
                    "n_chars": len(text),
                    "text": text,
                }
            )
    found = {row["doc_id"] for row in rows}
    for doc_id, meta in meta_by_id.items():
        if doc_id not in found:
            row = dict.fromkeys(LEDGER_COLUMNS, "")
            row.update(
                doc_id=doc_id, included="no", reason="missing_file", chars_raw=0, chars_clean=0, passages=0
            )
            row.update(title=meta.get("title", ""), source=meta.get("source", ""), date=meta.get("date", ""))
            rows.append(row)
    documents = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    documents["year"] = pd.to_numeric(documents["year"], errors="coerce").astype("Int64")
    passage_table = pd.DataFrame(passages, columns=PASSAGE_COLUMNS)
    if not (documents["included"] == "yes").any():
        reasons = documents["reason"].value_counts().to_dict()
        raise CorpusError(
            f"no document in {corpus_dir} could be used ({len(documents)} files; reasons: {reasons}); "
            "see the ledger for each file"
        )
    return IngestResult(documents, passage_table)


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
