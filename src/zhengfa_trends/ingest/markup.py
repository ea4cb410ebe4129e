"""HTML to text: pages and fragments saved as corpus files are reduced to their text."""

from __future__ import annotations

import re

_HTML_TAG = re.compile(r"<[^>]+>")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.S | re.I)
_HTML_MARKUP = re.compile(r"<(?:p|div|br|span|td|tr|table|a|h\d|li|ul|meta|font|strong)\b[^>]*>", re.I)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/h\d|/li|/tr|p|div|h\d|li|tr)\b[^>]*>", re.I)


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
