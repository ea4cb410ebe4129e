"""HTML to text: pages and fragments saved as corpus files are reduced to their text.

The page goes through the standard library's HTML tokenizer (:class:`html.parser.HTMLParser`), not
through regular expressions, so that a ``>`` inside a quoted attribute (``<a title="a>b">``) ends
no tag, and text that merely contains ``<`` (``1 < 2``) stays text.  What a tokenizer leaves to its
caller is decided here, the same on every Python version: the content of ``script``, ``style``,
``noscript`` and ``template`` is dropped even when the closing tag is missing, and an unclosed
comment runs to the end of the page (as in a browser).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_MARKUP = re.compile(r"<(?:p|div|br|span|td|tr|table|a|h\d|li|ul|meta|font|strong)\b[^>]*>", re.I)
# Elements whose content is never article text.
DROPPED_ELEMENTS = frozenset({"script", "style", "noscript", "template"})
# Elements that end a line of text (their start and end tags become line breaks; other tags a space).
BREAK_ELEMENTS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
# A tag cut off by the end of the page (``…</p``): the tokenizer would hand it back as text.
_TRAILING_PARTIAL_TAG = re.compile(r"<[A-Za-z/!?][^<>]*\Z")


class _TextExtractor(HTMLParser):
    """Collects the text of a page: tags become spaces or line breaks, dropped elements vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0  # depth of open DROPPED_ELEMENTS

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DROPPED_ELEMENTS:
            self.dropping += 1
        self.parts.append("\n" if tag in BREAK_ELEMENTS else " ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        # <br/>, <template/>: an empty element opens nothing that needs closing.
        self.parts.append("\n" if tag in BREAK_ELEMENTS else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_ELEMENTS and self.dropping:
            self.dropping -= 1
        self.parts.append("\n" if tag in BREAK_ELEMENTS else " ")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(" ")

    def handle_decl(self, decl: str) -> None:
        self.parts.append(" ")

    def handle_pi(self, data: str) -> None:
        self.parts.append(" ")

    def unknown_decl(self, data: str) -> None:
        self.parts.append(" ")


def _cut_unclosed_comment(text: str) -> str:
    """``text`` up to its first comment that is never closed (a browser hides the rest too)."""
    start = text.find("<!--")
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            return text[:start]
        start = text.find("<!--", end + 3)
    return text


def strip_html(text: str) -> str:
    """Reduce an HTML page to its text.

    Comments, scripts, styles, ``noscript`` and ``template`` content are dropped (also when never
    closed); attribute values never reach the text; block tags (:data:`BREAK_ELEMENTS`) become line
    breaks and every other tag a space; character references are decoded.
    """
    text = _TRAILING_PARTIAL_TAG.sub("", _cut_unclosed_comment(text))
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def looks_like_html(text: str) -> bool:
    """True if the text is an HTML page (or an HTML fragment) saved as text."""
    head = text[:5000]
    lowered = head.lower()
    if "<html" in lowered or "<!doctype html" in lowered or ("<body" in lowered and "</" in lowered):
        return True
    return len(_HTML_MARKUP.findall(head)) >= 3
