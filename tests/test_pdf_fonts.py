"""PDF font subsets with the font's tables parsed once per process (plotting.pdf_fonts).

The reuse must not change a byte of any PDF, must embed every glyph drawn (text extractable), and
must leave fontTools and matplotlib as they were outside ``save_figure``.
"""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont
from matplotlib.backends import _backend_pdf_ps
from pypdf import PdfReader

from zhengfa_trends import plotting
from zhengfa_trends.plotting import pdf_fonts

STYLE = "config/figures.mplstyle"

# Texts of three figures: different glyphs each, so every subset differs (CJK, Latin, digits,
# full-width punctuation and a character outside the first two figures).
TEXTS = {
    "a": ["政法工作的年度变化", "Topic share 2021–2025", "(95% 区间)"],
    "b": ["扫黑除恶专项斗争", "关键词频率(每千词)", "K=10"],
    "c": ["数字政法、智慧法院;诉源治理", "Year"],
}


@pytest.fixture(autouse=True)
def _style(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    with plotting.style_context(STYLE):
        yield


def _figure(texts, family=None):
    fig = plotting.plt.figure(figsize=(3, 2))
    for i, text in enumerate(texts):
        fig.text(0.05, 0.8 - 0.25 * i, text, family=family)
    return fig


def _stock_pdf(texts, path, family=None) -> bytes:
    """matplotlib's own route: savefig outside save_figure, nothing reused."""
    fig = _figure(texts, family)
    fig.savefig(path, format="pdf", metadata=dict(plotting._METADATA["pdf"]))
    plotting.plt.close(fig)
    return path.read_bytes()


def _project_pdf(texts, path, family=None) -> bytes:
    plotting.save_figure(_figure(texts, family), {"pdf": path})
    return path.read_bytes()


def _embedded_fonts(pdf: bytes) -> list[tuple[dict, TTFont]]:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            fonts.append((font, TTFont(io.BytesIO(data))))
    return fonts


def test_subsets_are_byte_identical_to_matplotlibs_route_cold_and_warm(tmp_path):
    stock = {name: _stock_pdf(texts, tmp_path / f"stock-{name}.pdf") for name, texts in TEXTS.items()}
    pdf_fonts.forget()
    # a: parses the font (cold); b, c: reuse what a parsed; a again: reuses as well
    for name in ("a", "b", "c", "a"):
        assert _project_pdf(TEXTS[name], tmp_path / f"{name}.pdf") == stock[name], name
    if pdf_fonts.supported():
        assert pdf_fonts.stats["reused"] > 0
        assert pdf_fonts.stats["parsed"] > 0


def test_the_parse_is_kept_with_the_tested_versions_only():
    if not pdf_fonts.supported():
        pytest.skip(f"not the tested versions {pdf_fonts.TESTED_VERSIONS}: matplotlib's route runs")
    pdf_fonts.forget()
    buffer = io.BytesIO()
    plotting.save_figure(_figure(TEXTS["a"]), {"pdf": buffer})
    # the two cmap subtables, hmtx, vmtx, the charset and the CFF subroutine/CharStrings indexes
    assert pdf_fonts.stats["parsed"] >= 6
    assert pdf_fonts.stats["reused"] == 0
    plotting.save_figure(_figure(TEXTS["b"]), {"pdf": io.BytesIO()})
    assert pdf_fonts.stats["reused"] >= pdf_fonts.stats["parsed"]


def test_every_character_drawn_is_in_the_embedded_type42_font_and_extractable(tmp_path):
    pdf_fonts.forget()
    _project_pdf(TEXTS["a"], tmp_path / "a.pdf")  # so that c's subset is made from kept tables
    pdf = _project_pdf(TEXTS["c"], tmp_path / "c.pdf")
    (font, embedded), *others = _embedded_fonts(pdf)
    assert not others
    assert font["/Subtype"] == "/Type0"
    assert font["/DescendantFonts"][0].get_object()["/Subtype"] == "/CIDFontType2"  # Type 42
    assert "NotoSansCJKsc-Regular" in font["/BaseFont"]
    drawn = {char for text in TEXTS["c"] for char in text if not char.isspace()}
    covered = set(map(chr, embedded.getBestCmap()))
    assert drawn <= covered, sorted(drawn - covered)
    glyphs = embedded["CFF "].cff[0].CharStrings
    for char in drawn:
        name = embedded.getBestCmap()[ord(char)]
        glyph = glyphs[name]
        glyph.decompile()
        assert glyph.program, char  # outlines, not an empty glyph
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for line in TEXTS["c"]:
        assert line in text


def test_a_second_font_in_the_same_process_gets_its_own_subset(tmp_path):
    # DejaVu Sans (matplotlib's own font) after the CJK font: nothing kept for one is used for
    # the other.
    stock = _stock_pdf(["Keyword tokens per 1,000"], tmp_path / "stock.pdf", family="DejaVu Sans")
    pdf_fonts.forget()
    _project_pdf(TEXTS["a"], tmp_path / "cjk.pdf")
    pdf = _project_pdf(["Keyword tokens per 1,000"], tmp_path / "dejavu.pdf", family="DejaVu Sans")
    assert pdf == stock
    (font, _), *_ = _embedded_fonts(pdf)
    assert "DejaVuSans" in font["/BaseFont"]


def test_fonttools_and_matplotlib_are_unchanged_outside_the_block(monkeypatch):
    from fontTools import cffLib
    from fontTools.cffLib import transforms
    from fontTools.ttLib.tables import _c_m_a_p, _h_m_t_x

    before = (
        _backend_pdf_ps.get_glyphs_subset,
        cffLib.parseCharset,
        cffLib.Index.__init__,
        _h_m_t_x.table__h_m_t_x.decompile,
        _c_m_a_p.cmap_format_4.decompile,
        transforms.remove_unused_subroutines,
    )
    with pdf_fonts.parsed_once() as active:
        assert active == pdf_fonts.supported()
        if active:
            assert _backend_pdf_ps.get_glyphs_subset is not before[0]
            assert "decompile" in _c_m_a_p.cmap_format_12.__dict__
            assert transforms.remove_unused_subroutines is pdf_fonts._without_dead_line(before[-1])
    after = (
        _backend_pdf_ps.get_glyphs_subset,
        cffLib.parseCharset,
        cffLib.Index.__init__,
        _h_m_t_x.table__h_m_t_x.decompile,
        _c_m_a_p.cmap_format_4.decompile,
        transforms.remove_unused_subroutines,
    )
    assert after == before
    assert "decompile" not in _c_m_a_p.cmap_format_12.__dict__  # inherited again

    # any other version: nothing is replaced, matplotlib's route runs
    monkeypatch.setitem(pdf_fonts.TESTED_VERSIONS, "fontTools", ("0.0.0",))
    with pdf_fonts.parsed_once() as active:
        assert active is False
        assert _backend_pdf_ps.get_glyphs_subset is before[0]


def test_unknown_versions_give_the_same_bytes(tmp_path, monkeypatch):
    expected = _project_pdf(TEXTS["b"], tmp_path / "reused.pdf")
    monkeypatch.setitem(pdf_fonts.TESTED_VERSIONS, "matplotlib", ("0.0.0",))
    assert _project_pdf(TEXTS["b"], tmp_path / "stock.pdf") == expected


def test_the_subroutine_pruning_copy_skips_only_the_dead_pass(monkeypatch):
    """The copy decodes fewer subroutines than the stock function and gives the same subset bytes."""
    import ast
    import inspect
    import textwrap

    from fontTools.cffLib import transforms
    from fontTools.misc import psCharStrings

    if not pdf_fonts.supported():
        pytest.skip("other matplotlib/fontTools versions: the stock route runs")

    # Statement for statement the rebuilt function is the stock one without the dead line (its
    # docstring aside), and it runs in the stock function's module namespace.
    def statements(function, drop) -> str:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
        tree.name, tree.body = "f", [node for node in tree.body if not drop(node)]
        for loop in ast.walk(tree):
            if isinstance(loop, ast.For):
                loop.body = [node for node in loop.body if not drop(node)] or loop.body
        return ast.dump(tree)

    def dead(node) -> bool:
        return isinstance(node, ast.Assign) and ast.unparse(node) == "subrs = set(subrs)"

    stock_function = transforms.remove_unused_subroutines
    assert "subrs = set(subrs)" in inspect.getsource(stock_function)
    tree = pdf_fonts._tree_without_dead_line(stock_function).body[0]
    tree.name = "f"
    assert ast.dump(tree) == statements(stock_function, dead)
    assert statements(stock_function, dead) != statements(stock_function, lambda node: False)
    rebuilt = pdf_fonts._without_dead_line(stock_function)
    assert rebuilt is not stock_function and rebuilt.__globals__ is stock_function.__globals__

    # a function without the statement is left as it is
    def without():
        return 1

    assert pdf_fonts._without_dead_line(without) is None

    made = {"n": 0}
    original_init = psCharStrings.T2CharString.__init__

    def counting_init(self, *args, **kwargs):
        made["n"] += 1
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(psCharStrings.T2CharString, "__init__", counting_init)
    path = plotting.cjk_font_path()
    from matplotlib import ft2font
    from matplotlib.font_manager import FontPath

    font = ft2font.FT2Font(str(path))
    glyphs = {font.get_char_index(ord(ch)) for ch in "数字政法科技手段现代化0123"}

    def subset_bytes() -> tuple[bytes, int]:
        made["n"] = 0
        with _backend_pdf_ps.get_glyphs_subset(FontPath(str(path), 0), glyphs) as subset:
            buffer = io.BytesIO()
            subset.font.save(buffer)
        return buffer.getvalue(), made["n"]

    stock, stock_made = subset_bytes()
    with pdf_fonts.parsed_once():
        copied, copy_made = subset_bytes()
    assert copied == stock
    assert copy_made < stock_made / 2  # the dead pass decoded most of them
