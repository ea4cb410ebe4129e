"""The font's large tables parsed once per process for the font subsets of PDF figures.

Every PDF that matplotlib writes with ``pdf.fonttype: 42`` embeds a subset of each font used, made
by fontTools from the font file (``matplotlib.backends._backend_pdf_ps.get_glyphs_subset``).  For
the 16 MB Noto Sans CJK SC that costs about 0.25 CPU s per PDF, and half of it is parsing the same
tables again for every figure: the two cmap subtables (45,000 characters), the horizontal and
vertical metrics and the CFF charset and CharStrings offsets (65,535 glyphs each).  The other
half is the subsetting itself (glyph closure, pruning, writing the subset), which depends on the
glyphs of each figure.

The subsetting also does work it throws away: fontTools' (4.68.0, 4.69.1)
``cffLib.transforms.remove_unused_subroutines`` runs ``subrs = set(subrs)`` on the local
subroutines of the last glyph it looked at and then never reads the result, which decodes every
subroutine of that font dictionary (about 30,000 T2CharString objects for this font, a third of
each subset's CPU time).  Inside the block that function runs rebuilt from fontTools' own source
without the dead line (:func:`_without_dead_line`); everything else in it is fontTools' code
unchanged.

Inside :func:`parsed_once`, the parsers of those tables keep what they parsed from a font file and
hand a copy to the next subset of the same file.  The subsetter changes the tables it is given in
place, so what is kept is never handed out itself: each subset gets new dicts and lists holding
the same ints, strings and tuples (which cannot change), exactly what the parser would have made
again.  The PDFs are byte-identical to matplotlib's own route (tests/test_pdf_fonts.py).

This mirrors private parts of fontTools (the parsers' attributes) and of matplotlib (the subset
function), so it is used only with the versions it was tested against (:data:`TESTED_VERSIONS`);
with any other version, :func:`parsed_once` does nothing and matplotlib's route runs unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import functools
import inspect
import os
import textwrap
from collections.abc import Iterator

import fontTools
import matplotlib

# The versions whose internals this module mirrors; any other version uses the stock route.
TESTED_VERSIONS = {"matplotlib": ("3.11.2",), "fontTools": ("4.68.0", "4.69.1")}

# Per process: font file -> {what was parsed -> (the parsed values, ...)}; a few fonts at most.
_PARSED: dict[tuple, dict] = {}
_MAX_FONTS = 4
# The font file whose subset is being made (set only inside the wrapped subset function).
_CURRENT: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("zhengfa_font", default=None)
# How often a parse was answered from what was kept (read by the tests).
stats = {"parsed": 0, "reused": 0}


def supported() -> bool:
    """Whether the installed matplotlib and fontTools are the versions this module mirrors."""
    return (
        matplotlib.__version__ in TESTED_VERSIONS["matplotlib"]
        and fontTools.version in TESTED_VERSIONS["fontTools"]
    )


def _font_key(fontfile) -> tuple:
    path = os.fspath(fontfile)
    stat = os.stat(path)
    return (os.path.realpath(path), getattr(fontfile, "face_index", 0), stat.st_size, stat.st_mtime_ns)


def _memo(key) -> tuple[dict | None, object]:
    font = _CURRENT.get()
    if font is None:
        return None, None
    return _PARSED.setdefault(font, {}), key


def _copied(value):
    # Only flat containers of values that cannot change are kept (checked when first kept).
    return type(value)(value) if isinstance(value, (dict, list)) else value


_IMMUTABLE = {int, str, bytes, tuple, type(None)}
_MISSING = object()


def _keepable(value) -> bool:
    # map(type, …) runs in C: checking 65,535 values costs about a millisecond
    if isinstance(value, dict):
        return set(map(type, value.values())) <= _IMMUTABLE
    if isinstance(value, list):
        return set(map(type, value)) <= _IMMUTABLE
    return type(value) in _IMMUTABLE


def _remember(memo, key, values: dict) -> None:
    if all(_keepable(v) for v in values.values()):
        memo[key] = {name: _copied(v) for name, v in values.items()}
        stats["parsed"] += 1


def _restore(obj, kept: dict) -> None:
    for name, value in kept.items():
        setattr(obj, name, _copied(value))
    stats["reused"] += 1


def _metrics_decompile(original):
    # table__h_m_t_x.decompile (hmtx, and vmtx by inheritance): sets self.metrics only.
    def decompile(self, data, ttFont):
        memo, key = _memo(("metrics", self.tableTag, bytes(data)))
        if memo is not None and key in memo:
            return _restore(self, memo[key])
        original(self, data, ttFont)
        if memo is not None:
            _remember(memo, key, {"metrics": self.metrics})

    return decompile


def _cmap_decompile(original):
    # cmap_format_4 / cmap_format_12.decompile, called lazily with (None, None) on the saved
    # subtable data: sets self.data = None and self.cmap.
    def decompile(self, data, ttFont):
        if data is not None or ttFont is not None or self.data is None:
            return original(self, data, ttFont)
        memo, key = _memo(("cmap", type(self).__name__, self.platformID, self.platEncID, self.data))
        if memo is not None and key in memo:
            return _restore(self, memo[key])
        original(self, data, ttFont)
        if memo is not None:
            _remember(memo, key, {"data": self.data, "cmap": self.cmap})

    return decompile


def _parse_charset(original):
    # cffLib.parseCharset: a list of glyph names read from the CFF data at the file position.
    def parse(numGlyphs, file, strings, isCID, fmt):
        memo, key = _memo(("charset", file.tell(), numGlyphs, isCID, fmt))
        if memo is not None and key in memo:
            kept = memo[key]
            stats["reused"] += 1
            file.seek(kept["end"])
            return list(kept["charset"])
        charset = original(numGlyphs, file, strings, isCID, fmt)
        if memo is not None:
            _remember(memo, key, {"charset": charset, "end": file.tell()})
        return charset

    return parse


def _index_init(original):
    # cffLib.Index.__init__ (a CFF INDEX: its offsets; items are read from the file when used).
    # Kept for the subroutine and CharStrings indexes only; their subclasses' __init__ set their
    # own attributes after this one returns.
    from fontTools import cffLib

    kinds = (cffLib.GlobalSubrsIndex, cffLib.SubrsIndex)

    def init(self, file=None, isCFF2=None):
        if file is None or type(self) not in kinds:
            return original(self, file, isCFF2)
        memo, key = _memo(("index", type(self).__name__, file.tell(), isCFF2))
        if memo is not None and key in memo:
            kept = memo[key]
            stats["reused"] += 1
            self.items = [None] * kept["count"]
            self.offsets = list(kept["offsets"])
            self._isCFF2 = isCFF2
            self.file = file
            if kept["count"]:
                self.offsetBase = kept["offsetBase"]
            file.seek(kept["end"])
            return
        original(self, file, isCFF2)
        if memo is not None:
            values = {"count": len(self.items), "offsets": self.offsets, "end": file.tell()}
            if self.items:
                values["offsetBase"] = self.offsetBase
            _remember(memo, key, values)

    return init


def _subset_with_font_key(original):
    def get_glyphs_subset(fontfile, glyphs):
        key = _font_key(fontfile)
        if key not in _PARSED and len(_PARSED) >= _MAX_FONTS:
            _PARSED.pop(next(iter(_PARSED)))
        token = _CURRENT.set(key)
        try:
            return original(fontfile, glyphs)
        finally:
            _CURRENT.reset(token)

    return get_glyphs_subset


# The one statement of fontTools' ``remove_unused_subroutines`` that :func:`_without_dead_line` drops.
DEAD_LINE = "subrs = set(subrs)"


def _tree_without_dead_line(function) -> ast.Module | None:
    """The syntax tree of ``function``'s source without :data:`DEAD_LINE`, or ``None`` where the
    source cannot be read or does not hold that statement exactly once."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    (definition,) = tree.body
    removed = 0
    for node in ast.walk(definition):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            kept = [statement for statement in body if ast.unparse(statement) != DEAD_LINE]
            removed += len(body) - len(kept)
            node.body = kept or [ast.Pass()]
    if removed != 1:
        return None
    definition.decorator_list = []
    return ast.fix_missing_locations(tree)


@functools.cache
def _without_dead_line(function):
    """fontTools' ``cffLib.transforms.remove_unused_subroutines`` without its dead line, or ``None``.

    The stock function ends its first loop with ``subrs = set(subrs)`` (``subrs``: the local
    subroutines of the last CharString marked), a set that nothing reads: the next loop rebinds the
    name.  Building it decodes every subroutine of that index.  The function is rebuilt here from
    fontTools' own source with that one statement removed (:func:`_tree_without_dead_line`) and
    compiled in the same module namespace, so that everything else is fontTools' code of the
    installed version, unchanged (it did change between 4.68.0 and 4.69.1); the subset, and the PDF,
    are the same bytes (tests/test_pdf_fonts.py).  ``None`` (the stock function stays) where the
    statement is not found exactly once.
    """
    tree = _tree_without_dead_line(function)
    if tree is None:
        return None
    namespace: dict = {}
    exec(compile(tree, inspect.getsourcefile(function), "exec"), function.__globals__, namespace)  # noqa: S102
    rebuilt = namespace[tree.body[0].name]
    rebuilt.__doc__ = f"{function.__module__}.{function.__name__} without `{DEAD_LINE}` (pdf_fonts)"
    return rebuilt


def _pruned_subroutines(original):
    return _without_dead_line(original) or original


def _patches() -> list[tuple[object, str, object]]:
    from fontTools import cffLib
    from fontTools.cffLib import transforms
    from fontTools.ttLib.tables import _c_m_a_p, _h_m_t_x
    from matplotlib.backends import _backend_pdf_ps

    return [
        (_h_m_t_x.table__h_m_t_x, "decompile", _metrics_decompile),
        (_c_m_a_p.cmap_format_4, "decompile", _cmap_decompile),
        (_c_m_a_p.cmap_format_12, "decompile", _cmap_decompile),
        (cffLib, "parseCharset", _parse_charset),
        (cffLib.Index, "__init__", _index_init),
        (_backend_pdf_ps, "get_glyphs_subset", _subset_with_font_key),
        # cffLib.CFFFontSet.remove_unused_subroutines imports it from transforms at each call
        (transforms, "remove_unused_subroutines", _pruned_subroutines),
    ]


@contextlib.contextmanager
def parsed_once() -> Iterator[bool]:
    """Within the block, PDF font subsets reuse the tables parsed for an earlier subset of the font.

    Yields whether the reuse is on (the installed versions are :data:`TESTED_VERSIONS`).  Outside
    the block, fontTools and matplotlib are unchanged; what was parsed stays for the next block.
    """
    if not supported():
        yield False
        return
    saved = []
    try:
        for owner, name, wrap in _patches():
            original = getattr(owner, name)
            # restored as it was: cmap_format_12 inherits its decompile and gets none of its own
            own = owner.__dict__.get(name, _MISSING) if isinstance(owner, type) else original
            saved.append((owner, name, own))
            setattr(owner, name, wrap(original))
        yield True
    finally:
        for owner, name, original in reversed(saved):
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


def forget() -> None:
    """Drop what was kept (tests: the next subset parses the font again)."""
    _PARSED.clear()
    stats.update(parsed=0, reused=0)
