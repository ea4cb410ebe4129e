"""The explorer page: one self-contained HTML file (plotly.js, a font subset, styles, script, data).

The template (``template.html``), its style sheet and script are package files; this module only
fills them in.  Nothing in the page refers to another file or address, so it opens from
``file://`` on a machine without a network, and the same data always give the same bytes.

Two parts are packed to keep the page small:

* plotly.js (4.8 MB as shipped in the ``plotly`` pip package) is inlined gzip-compressed and
  base64-encoded in a non-executing ``<script type="application/gzip">`` element; the page's
  script inflates it with the browser's own ``DecompressionStream`` and runs it (about 1.9 MB
  instead of 4.8 MB; Chromium 80, Firefox 113, Safari 16.4 and later).
* The CJK font is a WOFF subset of Noto Sans CJK SC (the font the figures use, from the
  ``mplfonts`` pip package) holding only the characters the page can show, in an ``@font-face``
  ``data:`` URL: the page looks the same on a machine without a Chinese font.
"""

from __future__ import annotations

import base64
import functools
import gzip
import io
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

# The page's name for the embedded subset (a name of its own, so that a system-installed Noto Sans
# CJK SC never stands in for it and the browser test can tell that the embedded font is used).
FONT_FAMILY = "zhengfa Noto Sans CJK SC subset"
# Characters the page's script or plotly may write besides those of the data and templates
# (number formatting, plotly's minus sign, ellipses of cut labels).
_EXTRA_CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—−…·×“”‘’«»°±²√≤≥→←↑↓"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def plotly_bundle() -> tuple[str, str]:
    """The plotly.js bundle shipped inside the ``plotly`` pip package, and its version."""
    import plotly
    from plotly.offline import get_plotlyjs

    return get_plotlyjs(), plotly.__version__


@functools.cache
def packed_plotly() -> tuple[str, str, int]:
    """plotly.js gzip-compressed (``mtime`` 0: the same bytes every run) and base64-encoded.

    Returns
    -------
    tuple of (str, str, int)
        The base64 text, the plotly version and the size of the uncompressed bundle in bytes.
    """
    code, version = plotly_bundle()
    raw = code.encode("utf-8")
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii"), version, len(raw)


def fonttools_version() -> str:
    """The version of fontTools, which makes the embedded font's bytes."""
    import fontTools

    return fontTools.version


def page_characters(texts: Iterable[str]) -> str:
    """The characters the page can show: those of ``texts`` and printable ASCII, sorted, without
    control characters and white space other than the space."""
    chars = set(_EXTRA_CHARACTERS)
    for text in texts:
        chars.update(text)
    return "".join(sorted(c for c in chars if c == " " or (c.isprintable() and not c.isspace())))


def font_subset(characters: str) -> bytes:
    """A WOFF font with the glyphs of ``characters`` from Noto Sans CJK SC (``mplfonts``).

    Hinting and the regional glyph variants are dropped (the page is simplified Chinese on a
    screen), the font-wide bounding boxes are the full font's; the font's own ``head.modified`` is kept (fontTools would otherwise stamp the time of
    the run into the file), so the same characters always give the same bytes.  Characters the
    font lacks are left out: the browser takes them from the next font of the CSS stack.

    Parameters
    ----------
    characters : str

    Returns
    -------
    bytes
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from ..plotting import cjk_font_path

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.desubroutinize = False
    # Only kerning from the layout tables: "locl" would pull in the Japanese, Korean and traditional
    # forms of the characters (40 % of the bytes) for a page that is all simplified Chinese.
    options.layout_features = ["kern"]
    # recalcBBoxes=False: the font-wide bounding boxes stay the full font's (a valid superset for a
    # subset); recomputing them runs every kept glyph's outlines, about 40 % of this function's time.
    font = TTFont(cjk_font_path(), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def font_face(characters: str) -> tuple[str, dict]:
    """The ``@font-face`` rule with the subset of ``characters`` inline, and what it holds."""
    from fontTools.ttLib import TTFont

    data = font_subset(characters)
    font = TTFont(io.BytesIO(data), lazy=True)
    covered = set(font.getBestCmap())
    version = font["name"].getDebugName(5) or ""
    encoded = base64.b64encode(data).decode("ascii")
    rule = (
        f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; font-weight: 400;"
        f" font-display: block;\n  src: url(data:font/woff;base64,{encoded}) format('woff'); }}\n"
    )
    info = {
        "family": FONT_FAMILY,
        "source": "Noto Sans CJK SC (mplfonts) " + version.strip(),
        "glyphs": len(font.getGlyphOrder()),
        "characters": sum(1 for c in characters if ord(c) in covered),
        "bytes": len(data),
    }
    return rule, info


def json_for_script(data) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # "<" only occurs inside JSON strings, where \\u003c means the same character.
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _script_text(text: str) -> str:
    """Library code inside an inline ``<script>``: a literal ``</script`` would end the element early."""
    return text.replace("</script", "<\\/script")


def _fill(template: str, replacements: dict[str, str]) -> str:
    """``template`` with each placeholder replaced, in one pass: a placeholder inside inserted text
    is never replaced again."""
    parts = []
    rest = template
    while True:
        positions = [(rest.find(key), key) for key in replacements if rest.find(key) >= 0]
        if not positions:
            parts.append(rest)
            break
        start, key = min(positions)
        parts.append(rest[:start])
        parts.append(replacements[key])
        rest = rest[start + len(key) :]
    return "".join(parts)


def render_html(payload: dict, title: str = "zhengfa-trends explorer") -> str:
    """The page for ``payload`` (from :func:`zhengfa_trends.explorer.data.assemble`).

    Parameters
    ----------
    payload : dict
    title : str

    Returns
    -------
    str
        The whole HTML document.
    """
    plotly_packed, plotly_version, _ = packed_plotly()
    style, app, template = _asset("explorer.css"), _asset("explorer.js"), _asset("template.html")
    payload = dict(payload)
    payload["provenance"] = dict(payload.get("provenance", {}))
    versions = dict(payload["provenance"].get("versions", {}))
    versions["plotly.js (inline)"] = plotly_version
    versions["fontTools (font subset)"] = fonttools_version()
    payload["provenance"]["versions"] = versions
    # The font covers every character of the data and of the page's own text; its description,
    # added to the data afterwards, is ASCII.
    characters = page_characters(
        [json.dumps(payload, ensure_ascii=False), title, style, app, template, FONT_FAMILY]
    )
    rule, font = font_face(characters)
    payload["provenance"]["font"] = font
    return _fill(
        template,
        {
            "{{TITLE}}": title,
            "{{FONT}}": rule,
            "{{STYLE}}": style.replace("{{FONT_FAMILY}}", FONT_FAMILY),
            "{{PLOTLY}}": plotly_packed,
            "{{DATA}}": json_for_script(payload),
            "{{APP}}": _script_text(app),
        },
    )


def write_html(payload: dict, path: str | Path) -> int:
    """Write the page to ``path`` (UTF-8, ``\\n`` line ends); return its size in bytes."""
    data = render_html(payload).encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    return len(data)
