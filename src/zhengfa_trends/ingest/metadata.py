"""Document metadata: the corpus folder's metadata.tsv, and the title guessed from an article's text."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..files import TEXT_SUFFIXES, CorpusError
from .dates import is_section_heading
from .decode import decode_bytes, is_binary

log = logging.getLogger(__name__)


def metadata_file(corpus_dir: Path | None, metadata: Path | None) -> Path | None:
    """The metadata table to read: ``metadata`` if given, else the folder's own metadata.tsv if it
    has one; None for a table corpus (metadata.tsv describes the files of a folder).

    A given path that names no file is warned about (dates then come from the texts), not fatal.
    """
    if corpus_dir is None:
        return None
    if metadata is None and (corpus_dir / "metadata.tsv").is_file():
        metadata = corpus_dir / "metadata.tsv"
    if metadata is not None and not metadata.is_file():
        log.warning("metadata file %s not found: dates come from the article texts only", metadata)
        return None
    return metadata


def guess_title(paragraphs: Iterable[str]) -> str:
    """First clean line that looks like a headline (6-60 characters, no sentence end, not a numbered
    section heading such as ``一、2024年工作回顾``)."""
    for line in paragraphs:
        if (
            6 <= len(line) <= 60
            and not line.endswith(("。", "!", "?", ";", ":"))
            and not is_section_heading(line)
        ):
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
