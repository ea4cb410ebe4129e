"""Readers: one corpus-folder entry to its raw text (before cleaning), or the reason it has none.

:func:`read_entry` gets an entry's bytes; :func:`read_raw_text` turns them into text with the
reader registered for the file's suffix in :data:`READERS`.  A new input format is one reader
function ``(path, data) -> RawText`` added to :data:`READERS` (and its suffix to
:data:`zhengfa_trends.files.TEXT_SUFFIXES`, which decides what is read at all).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..files import CONTROL_CHARACTERS, HTML_SUFFIXES, LEGACY_OFFICE_SUFFIXES, TEXT_SUFFIXES, leaves_folder
from .decode import decode_bytes, is_binary
from .markup import looks_like_html, strip_html


@dataclass(frozen=True)
class RawText:
    """What a reader made of a file's bytes.

    ``reason`` is "" if ``text`` holds the file's text; else a ledger reason (``empty``,
    ``binary``, ``undecodable``).  ``encoding`` names how the bytes became text ("" if they did
    not), and is kept in the ledger even when the decoded text turns out to be empty.
    """

    reason: str = ""
    encoding: str = ""
    text: str = ""


def read_entry(path: Path) -> tuple[str, bytes | None]:
    """``(reason, bytes)`` of a corpus entry: a reason for entries that are not read, else ``""``."""
    if CONTROL_CHARACTERS.search(path.name):  # its id and file name would break the ledger's rows
        return "bad_name", None
    if leaves_folder(path, path.parent):  # a link out of the corpus folder is not followed
        return "outside_folder", None
    if path.is_dir():
        return "folder", None
    if path.suffix.lower() in LEGACY_OFFICE_SUFFIXES:
        return "convert_to_docx", None
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return "not_text", None
    if not path.is_file():  # broken link, fifo, socket: never opened (a fifo would block)
        return "unreadable", None
    try:
        return "", path.read_bytes()
    except OSError:
        return "unreadable", None


def read_text_file(path: Path, data: bytes) -> RawText:
    """A text file (plain text, or an HTML page by its suffix or its content) to raw text."""
    if not data.strip():
        return RawText(reason="empty")
    if is_binary(data):
        return RawText(reason="binary")
    decoded = decode_bytes(data)
    if decoded is None:
        return RawText(reason="undecodable")
    raw, encoding = decoded
    del decoded
    if not raw.strip():
        return RawText(reason="empty", encoding=encoding)
    if path.suffix.lower() in HTML_SUFFIXES or looks_like_html(raw):
        raw = strip_html(raw)
    return RawText(encoding=encoding, text=raw)


def read_docx(path: Path, data: bytes) -> RawText:
    """A Word .docx file to raw text: the body's paragraphs and table cells in document order.

    Page headers and footers live in their own parts of the file and are not read; each
    paragraph is one line.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001  (python-docx raises zip, XML and key errors on damaged files)
        return RawText(reason="unreadable")
    lines: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: its cells row by row, each cell's paragraphs
            for table_row in block.rows:
                seen = set()
                for cell in table_row.cells:
                    if id(cell._tc) in seen:  # a merged cell appears once per spanned column
                        continue
                    seen.add(id(cell._tc))
                    lines.extend(p.text for p in cell.paragraphs)
        else:
            lines.append(block.text)
    text = "\n".join(line.strip() for line in lines if line.strip())
    if not text:
        return RawText(reason="empty", encoding="docx")
    return RawText(encoding="docx", text=text)


# Where a PDF page's header and footer lines are looked for: this many lines at the top and bottom.
PDF_EDGE_LINES = 2
# A line at a page edge that recurs on at least this share of the pages (and on two or more) is
# page furniture (running head, footer, page number).
PDF_REPEAT_SHARE = 0.5
# Only lines up to this long can be running heads or footers (longer ones are text).
PDF_RUNNING_MAX_CHARS = 40
# A line this close to the longest line of its page is full: the paragraph goes on in the next line.
PDF_FULL_LINE = 0.8
_SENTENCE_END = tuple("。！？；：”’」』）)!?;:")
_DIGITS = re.compile(r"\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_pdf(path: Path, data: bytes) -> RawText:
    """A PDF's text layer to raw text, in reading order, without running heads and page numbers.

    pypdf extracts each page's text; lines at the top or bottom of the pages that recur (digits
    ignored, so ``第 3 页`` and ``第 4 页`` are the same line) on at least :data:`PDF_REPEAT_SHARE`
    of the pages are dropped, and a line that fills its page's width without ending a sentence is
    joined to the next (PDF lines are the layout's, not the author's paragraphs).  A PDF without a
    text layer (a scan) gets the reason ``no_text_layer``.
    """
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return RawText(reason="unreadable")
        pages = [_CONTROL.sub("", page.extract_text() or "") for page in reader.pages]
    except Exception:  # noqa: BLE001  (pypdf raises many error types on damaged files)
        return RawText(reason="unreadable")
    pages_lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    if not any(pages_lines):
        return RawText(reason="no_text_layer", encoding="pdf")
    pages_lines = drop_running_lines(pages_lines)
    return RawText(encoding="pdf", text=join_wrapped_lines(pages_lines))


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Pages' lines without the header and footer lines that recur on most pages.

    A line among the first or last :data:`PDF_EDGE_LINES` of a page, at most
    :data:`PDF_RUNNING_MAX_CHARS` long, is dropped if the same line (digits ignored) stands at
    the same edge of at least :data:`PDF_REPEAT_SHARE` of the pages, and of two or more.
    """
    if len(pages) < 2:
        return pages
    counts: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        edges = {("top", _DIGITS.sub("#", line)) for line in lines[:PDF_EDGE_LINES]}
        edges |= {("bottom", _DIGITS.sub("#", line)) for line in lines[-PDF_EDGE_LINES:]}
        counts.update(edge for edge in edges if len(edge[1]) <= PDF_RUNNING_MAX_CHARS)
    needed = max(2, PDF_REPEAT_SHARE * len(pages))
    running = {key for key, count in counts.items() if count >= needed}
    kept = []
    for lines in pages:
        n = len(lines)
        kept.append(
            [
                line
                for i, line in enumerate(lines)
                if not (
                    (i < PDF_EDGE_LINES and ("top", _DIGITS.sub("#", line)) in running)
                    or (i >= n - PDF_EDGE_LINES and ("bottom", _DIGITS.sub("#", line)) in running)
                )
            ]
        )
    return kept


def join_wrapped_lines(pages: list[list[str]]) -> str:
    """One line per paragraph: a full-width line that does not end a sentence continues in the next."""
    out: list[str] = []
    open_paragraph = False
    for lines in pages:
        width = max((len(line) for line in lines), default=0)
        for line in lines:
            if open_paragraph and out:
                out[-1] += line
            else:
                out.append(line)
            open_paragraph = len(line) >= PDF_FULL_LINE * width and not line.endswith(_SENTENCE_END)
    return "\n".join(out)


# Suffix (lower case) -> reader.  Every suffix of TEXT_SUFFIXES needs one.
READERS: dict[str, Callable[[Path, bytes], RawText]] = {
    **dict.fromkeys(TEXT_SUFFIXES, read_text_file),
    ".docx": read_docx,
    ".pdf": read_pdf,
}


def read_raw_text(path: Path, data: bytes) -> RawText:
    """The raw text of a corpus file's bytes, read by the reader of its suffix."""
    return READERS[path.suffix.lower()](path, data)
