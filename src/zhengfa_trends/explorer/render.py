"""The explorer page: one self-contained HTML file (plotly.js, styles, script and data inline).

The template (``template.html``), its style sheet and script are package files; this module only
fills them in.  Nothing in the page refers to another file or address, so it opens from
``file://`` on a machine without a network, and the same data always give the same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def plotly_bundle() -> tuple[str, str]:
    """The plotly.js bundle shipped inside the ``plotly`` pip package, and its version."""
    import plotly
    from plotly.offline import get_plotlyjs

    return get_plotlyjs(), plotly.__version__


def json_for_script(data) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # "<" only occurs inside JSON strings, where \\u003c means the same character.
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _script_text(text: str) -> str:
    """Library code inside an inline ``<script>``: a literal ``</script`` would end the element early."""
    return text.replace("</script", "<\\/script")


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
    plotly_js, plotly_version = plotly_bundle()
    payload = dict(payload)
    payload["provenance"] = dict(payload.get("provenance", {}))
    versions = dict(payload["provenance"].get("versions", {}))
    versions["plotly.js (inline)"] = plotly_version
    payload["provenance"]["versions"] = versions
    html = _asset("template.html")
    replacements = {
        "{{TITLE}}": title,
        "{{STYLE}}": _asset("explorer.css"),
        "{{PLOTLY}}": _script_text(plotly_js),
        "{{DATA}}": json_for_script(payload),
        "{{APP}}": _script_text(_asset("explorer.js")),
    }
    # One pass over the template: a placeholder inside the inserted text is never replaced again.
    parts = []
    rest = html
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


def write_html(payload: dict, path: str | Path) -> int:
    """Write the page to ``path`` (UTF-8, ``\\n`` line ends); return its size in bytes."""
    data = render_html(payload).encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    return len(data)
