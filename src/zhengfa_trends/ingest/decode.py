"""Bytes to text: binary sniffing, encoding detection and content hashes.

A corpus file's bytes are first checked for being text at all (:func:`is_binary`), then decoded
(:func:`decode_bytes`): byte-order marks, UTF-8, and the one of GB18030 and Big5 whose text reads
like common Chinese (:func:`common_share`).
"""

from __future__ import annotations

import functools
import hashlib

from ..clean import to_simplified

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
