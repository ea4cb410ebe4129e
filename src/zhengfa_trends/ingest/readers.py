"""Readers: one corpus-folder entry to its raw text (before cleaning), or the reason it has none.

:func:`read_entry` gets an entry's bytes; :func:`read_raw_text` turns them into text with the
reader registered for the file's suffix in :data:`READERS`.  A new input format is one reader
function ``(path, data) -> RawText`` added to :data:`READERS` (and its suffix to
:data:`zhengfa_trends.files.TEXT_SUFFIXES`, which decides what is read at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..files import CONTROL_CHARACTERS, HTML_SUFFIXES, TEXT_SUFFIXES, leaves_folder
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


# Suffix (lower case) -> reader.  Every suffix of TEXT_SUFFIXES needs one.
READERS: dict[str, Callable[[Path, bytes], RawText]] = dict.fromkeys(TEXT_SUFFIXES, read_text_file)


def read_raw_text(path: Path, data: bytes) -> RawText:
    """The raw text of a corpus file's bytes, read by the reader of its suffix."""
    return READERS[path.suffix.lower()](path, data)
