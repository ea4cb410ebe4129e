"""Figures from the tidy tables of the analysis: functions take DataFrames and return a Figure.

Nothing here changes matplotlib's global state except registering the CJK font file with the
font manager (which only makes the font findable); styles are applied with ``style_context``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Iterator, Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..config import default  # noqa: E402

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_NAME = "Noto Sans CJK SC"

# Saved-file metadata without dates or versions, so that two runs write identical bytes.
_METADATA = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    "svg": {"Creator": None, "Date": None},
}

LABELS = {
    "zh": {
        "year": "年份",
        "theme_share": "关键词频率(每千词)",
        "topic_share": "主题占比",
        "weight": "权重",
        "tfidf": "TF-IDF 得分",
        "no_docs": "无文档",
        "no_docs_shaded": "无文档的年份(灰底)",
        "docs": "文档数",
        "shown_of": "显示 {total} 个中的 {shown} 个(平均占比最高者)",
        "terms_shown": "每个主题前 {n} 个词",
        "first_of": "显示 {total} 个中的前 {shown} 个",
        "heatmap_note": "得分最高的 {n} 个词;空白:不在该年的前列",
        "tfidf_period_title": "各时期最具区分度的词(TF-IDF)",
        "emerging_period_title": "各时期的新兴词(相对其他时期的 G² 关键度)",
        "period": "时期",
        "facet_title": "关键词主题,按 {facet} 分(95% 自助法区间)",
        "facet_bars_title": "关键词主题,按 {facet} 分,{when}(95% 自助法区间)",
        "small_n_bars": "文档少于 {min_docs} 篇(空心条)",
        "no_terms": "没有符合条件的词",
        "score": "得分",
        "small_n": "文档少于 {min_docs} 篇(空心点;点线:仅段落间差异)",
        "topic": "主题",
        "theme_title": "关键词主题的年度变化(95% 区间)",
        "topic_title": "LDA 主题的年度变化(K={k},95% 区间)",
        "terms_title": "LDA 主题的高权重词(K={k})",
        "tfidf_title": "各年份最具区分度的词(TF-IDF)",
        "g2": "对数似然 G²",
        "emerging_title": "各年份的新兴词(相对其他年份的 G² 关键度)",
        "selection_title": "主题数 K 的选择(虚线:选定 K={k};阴影:最佳均值一个标准误以内)",
        "convergence_title": "收敛(留出困惑度)",
        "convergence_x": "训练轮次",
        "convergence_y": "高于末轮 %",
    },
    "en": {
        "year": "Year",
        "theme_share": "Keyword tokens per 1,000 tokens",
        "topic_share": "Topic share",
        "weight": "Weight",
        "tfidf": "TF-IDF score",
        "no_docs": "no docs",
        "no_docs_shaded": "years without documents (shaded)",
        "docs": "Docs",
        "shown_of": "{shown} of {total} shown (largest mean share)",
        "terms_shown": "top {n} terms per topic",
        "first_of": "first {shown} of {total} shown",
        "heatmap_note": "the {n} highest-scoring terms; blank: not among that column's top terms",
        "tfidf_period_title": "Most distinctive terms of each period (TF-IDF)",
        "emerging_period_title": "Emerging terms of each period (G² keyness against the other periods)",
        "period": "Period",
        "facet_title": "Keyword themes by {facet} (95% bootstrap intervals)",
        "facet_bars_title": "Keyword themes by {facet}, {when} (95% bootstrap intervals)",
        "small_n_bars": "fewer than {min_docs} documents (hollow bars)",
        "no_terms": "no terms pass the thresholds",
        "score": "Score",
        "small_n": "fewer than {min_docs} documents (hollow; dotted bars: passages only)",
        "topic": "Topic",
        "theme_title": "Keyword themes by year (95% intervals)",
        "topic_title": "LDA topics by year (K={k}, 95% intervals)",
        "terms_title": "Top terms of each LDA topic (K={k})",
        "tfidf_title": "Most distinctive terms of each year (TF-IDF)",
        "g2": "Log-likelihood G²",
        "emerging_title": "Emerging terms of each year (G² keyness against the other years)",
        "selection_title": "Choosing K (dashed: chosen K={k}; shaded: within one standard error of the best mean)",
        "convergence_title": "convergence (held-out perplexity)",
        "convergence_x": "pass",
        "convergence_y": "% above the last pass",
    },
}


def labels(language: str) -> Mapping[str, str]:
    """Axis and title texts in ``"zh"`` or ``"en"``."""
    try:
        return LABELS[language]
    except KeyError:
        raise ValueError(f"figures.language must be one of {sorted(LABELS)}, not {language!r}") from None


@functools.cache
def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC font shipped by the ``mplfonts`` package (no network).

    Raises
    ------
    FileNotFoundError
        If mplfonts is not installed or lacks the font.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the CJK font comes with the 'mplfonts' package: pip install mplfonts")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; reinstall mplfonts")
    return path


@functools.cache
def register_cjk_font() -> str:
    """Make the CJK font known to matplotlib's font manager (once per process); return its name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextlib.contextmanager
def style_context(style_file: str | Path | None = None) -> Iterator[None]:
    """Apply the project style file (and the CJK font) for the figures made inside the block."""
    register_cjk_font()
    styles = [str(style_file)] if style_file else []
    with plt.style.context(styles), plt.rc_context({"svg.hashsalt": "zhengfa-trends"}):
        yield


# Formats whose files embed font subsets made by fontTools (pdf.fonttype / ps.fonttype 42).
_EMBEDS_FONT_SUBSETS = {"pdf", "ps", "eps"}

# Where each format keeps a free-text description: the figure's provenance line goes there.
_STAMP_KEY = {"png": "Description", "pdf": "Subject", "svg": "Description"}


def save_figure(
    fig: Figure, paths: Mapping[str, str | Path], dpi: int = default("figures.dpi"), stamp: str | None = None
) -> None:
    """Save ``fig`` to each ``format → path`` with date-free metadata, then close it.

    ``stamp`` (e.g. ``"zhengfa-trends 0.1.0; config sha256:…"``) is written into the PNG text chunk,
    the PDF Subject or the SVG description, so a figure found on disk can be traced to its config.
    """
    with contextlib.ExitStack() as stack:
        if _EMBEDS_FONT_SUBSETS.intersection(paths):
            from .pdf_fonts import parsed_once

            # the font's large tables parsed once per process, not once per PDF (same bytes)
            stack.enter_context(parsed_once())
        for fmt, path in paths.items():
            metadata = dict(_METADATA.get(fmt, {}))
            if stamp and fmt in _STAMP_KEY:
                metadata[_STAMP_KEY[fmt]] = stamp
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
            _keep_layout(fig)
    plt.close(fig)


def _keep_layout(fig: Figure) -> None:
    """After the first save: draw the other formats at the positions its layout gave.

    Layout is the costliest part of drawing, and the same positions in every format is what we
    want.  The engine is removed rather than set to ``"none"``: ``savefig`` draws a figure that
    has any layout engine, even matplotlib's "none" placeholder, once more with drawing disabled
    before it draws it for real (a third of every SVG save, a seventh of a PDF); with none, it
    draws once.  The files are byte-identical either way (tests/test_plotting.py).
    """
    # set_layout_engine(None) would install the rcParams' engine if they asked for one
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
