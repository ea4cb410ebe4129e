"""Figure structure (axes, lines, labels, markers), fonts and byte-stable saving; no pixel tests."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from zhengfa_trends import plotting
from zhengfa_trends.plotting.models import plot_model_selection
from zhengfa_trends.plotting.terms import plot_emerging_terms, plot_tfidf_by_year, plot_topic_terms
from zhengfa_trends.plotting.trends import plot_theme_trends, plot_topic_trends

STYLE = "config/figures.mplstyle"


def _theme_table() -> pd.DataFrame:
    rows = []
    for theme, base in (("数字政法", 2.0), ("科技手段现代化", 1.0)):
        for year, n_docs in ((2021, 1), (2022, 4), (2023, 5), (2024, 6), (2026, 2)):
            share = base * (year - 2020)
            rows.append(
                {
                    "theme": theme,
                    "year": year,
                    "share": share,
                    "ci_low": share - 0.5,
                    "ci_high": share + 0.5,
                    "n_docs": n_docs,
                    "small_n": n_docs < 3,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _style(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    with plotting.style_context(STYLE):
        yield


def test_theme_trends_has_one_line_per_theme_and_breaks_at_the_missing_year():
    fig = plot_theme_trends(_theme_table(), language="zh", min_docs=3)
    (ax,) = fig.axes
    labelled = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labelled == ["数字政法", "科技手段现代化"]
    # 2021-2024 are consecutive; 2026 stands alone (2025 has no documents): no line through 2025.
    for line in ax.get_lines():
        xs = np.asarray(line.get_xdata(), dtype=float)
        ys = np.asarray(line.get_ydata(), dtype=float)
        near = np.abs(xs - 2025) < 0.5
        assert not np.isfinite(ys[near]).any()
    # The documents per year are bars in a strip under the panel, which carries the year labels.
    (strip,) = ax.child_axes
    fig.canvas.draw()
    assert [t.get_text() for t in strip.get_xticklabels() if t.get_text()] == [
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    ]
    assert not any(t.get_text() and t.get_visible() for t in ax.get_xticklabels())
    bars = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in strip.containers[0]}
    assert bars == {2021: 1, 2022: 4, 2023: 5, 2024: 6, 2026: 2}
    assert sorted(t.get_text() for t in strip.texts) == ["1", "2", "4", "5", "6"]
    assert strip.get_ylabel() == "文档数"
    assert ax.get_ylabel() == "关键词频率(每千词)"
    assert ax.get_ylim()[0] == 0


def test_theme_trends_draws_small_years_hollow():
    fig = plot_theme_trends(_theme_table(), language="en", min_docs=3)
    (ax,) = fig.axes
    assert ax.child_axes[0].get_xlabel() == "Year"
    hollow = [
        c
        for c in ax.collections
        if len(c.get_offsets())
        and len(c.get_facecolor())
        and np.allclose(c.get_facecolor()[0], to_rgba("white"))
    ]
    hollow_years = sorted({round(float(x)) for c in hollow for x in c.get_offsets()[:, 0]})
    assert hollow_years == [2021, 2026]
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "fewer than 3 documents (hollow; dotted bars: passages only)" in legend_texts
    assert "years without documents (shaded)" in legend_texts


def test_passage_level_intervals_are_dotted_bars_not_bands():
    table = _theme_table().assign(ci_unit=lambda t: np.where(t["small_n"], "passages", "documents"))
    table.loc[(table["theme"] == "数字政法") & (table["year"] == 2026), "ci_unit"] = "none"
    fig = plot_theme_trends(table, language="en", min_docs=3)
    (ax,) = fig.axes
    # Bands (PolyCollections from fill_between) span only the document-interval years 2022-2024.
    bands = [c for c in ax.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")]
    band_years = sorted(
        {round(float(x)) for c in bands for path in c.get_paths() for x in path.vertices[:, 0]}
    )
    assert band_years == [2022, 2023, 2024]
    dotted = [
        c
        for c in ax.collections
        if type(c).__name__ == "LineCollection" and c.get_linestyle() and c.get_linestyle()[0][1] is not None
    ]
    dotted_years = sorted({round(float(seg[0][0])) for c in dotted for seg in c.get_segments()})
    # 2021 for both themes, 2026 for the second only (the first has no interval there).
    assert dotted_years == [2021, 2026]
    assert sum(len(c.get_segments()) for c in dotted) == 3


def test_topic_trends_has_one_panel_per_topic_titled_by_label():
    table = pd.DataFrame(
        [
            {
                "k": 3,
                "topic": t,
                "label": f"词{t}·法治·安全",
                "year": y,
                "share": 1 / 3,
                "ci_low": 0.2,
                "ci_high": 0.5,
                "n_docs": 4,
                "small_n": False,
            }
            for t in range(3)
            for y in (2021, 2022, 2023)
        ]
    )
    fig = plot_topic_trends(table, language="zh", ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert [ax.get_title() for ax in visible] == [
        "主题 0: 词0·法治·安全",
        "主题 1: 词1·法治·安全",
        "主题 2: 词2·法治·安全",
    ]
    assert "K=3" in fig._suptitle.get_text()
    # every panel without a panel below it has the year strip (and the year labels) under it
    fig.canvas.draw()
    strips = [bool(ax.child_axes) for ax in visible]
    assert strips == [False, True, True]
    labelled = [
        any(t.get_visible() and t.get_text() for t in ax.child_axes[0].get_xticklabels())
        for ax in visible[1:]
    ]
    assert labelled == [True, True]


def test_topic_trends_shared_y_axis_shows_every_panel_in_full():
    # The largest share is in the last panel: an axis limit frozen per panel would clip it.
    rows = []
    for topic, top in ((0, 0.1), (1, 0.2), (2, 0.6)):
        for year in (2021, 2022):
            rows.append(
                {
                    "k": 3,
                    "topic": topic,
                    "label": f"词{topic}",
                    "year": year,
                    "share": top,
                    "ci_low": top - 0.05,
                    "ci_high": top + 0.05,
                    "n_docs": 4,
                    "small_n": False,
                }
            )
    fig = plot_topic_trends(pd.DataFrame(rows), language="zh", ncols=2)
    for ax in [ax for ax in fig.axes if ax.get_visible()]:
        bottom, top = ax.get_ylim()
        assert bottom == 0
        assert top >= 0.65


def _terms_table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"topic": t, "rank": r, "term": f"术语{t}{r}", "weight": 1.0 / r, "k": 2}
            for t in range(2)
            for r in range(1, 13)
        ]
    )


def test_term_panels_show_the_top_terms_in_rank_order():
    terms = _terms_table()
    fig = plot_topic_terms(terms, k=2, language="zh", n_terms=10)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    ticks = dict(
        zip(visible[0].get_yticks(), (t.get_text() for t in visible[0].get_yticklabels()), strict=True)
    )
    assert len(ticks) == 10
    assert ticks[max(ticks)] == "术语01"  # rank 1 on top
    assert ticks[min(ticks)] == "术语010"
    assert visible[0].get_xlabel() == "权重"


def test_year_panels_for_tfidf_and_keyness():
    table = pd.DataFrame(
        [
            {"year": y, "rank": r, "term": f"词{y}{r}", "score": 1.0 / r, "g2": 10.0 / r}
            for y in (2021, 2022)
            for r in (1, 2, 3)
        ]
    )
    tfidf = plot_tfidf_by_year(table, language="en")
    assert [ax.get_title() for ax in tfidf.axes if ax.get_visible()] == ["2021", "2022"]
    assert "TF-IDF" in tfidf._suptitle.get_text()
    keyness = plot_emerging_terms(table, language="en")
    bars = [ax for ax in keyness.axes if ax.get_visible()][0].patches
    assert sorted(round(b.get_width(), 6) for b in bars) == [round(10 / 3, 6), 5.0, 10.0]


def test_model_selection_marks_the_chosen_k_in_every_panel():
    selection = pd.DataFrame(
        [
            {
                "k": k,
                "seed": s,
                "c_v": 0.3,
                "c_npmi": -0.1 * k,
                "u_mass": -2.0,
                "perplexity": 100.0 * k,
                "stability": np.nan,
                "chosen": k == 4,
            }
            for k in (3, 4, 5)
            for s in (1, 2)
        ]
    )
    fig = plot_model_selection(selection, language="en")
    titles = ["c_npmi", "c_v", "u_mass", "perplexity", "stability", "convergence (held-out perplexity)"]
    assert [ax.get_title() for ax in fig.axes] == titles
    for ax in fig.axes[:5]:
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert len(dashed) == 1
        assert list(dashed[0].get_xdata()) == [4, 4]
    assert "K=4" in fig._suptitle.get_text()
    # no convergence tables: the panel says so instead of drawing an empty axis
    assert [t.get_text() for t in fig.axes[5].texts] == ["n/a"]


def test_model_selection_shows_each_ks_convergence_relative_to_its_last_pass():
    selection = pd.DataFrame(
        [
            {
                "k": k,
                "seed": 1,
                "c_v": 0.3,
                "c_npmi": -0.1,
                "u_mass": -2.0,
                "perplexity": 100.0,
                "stability": 0.5,
                "chosen": k == 4,
            }
            for k in (3, 4)
        ]
    )
    convergence = pd.DataFrame(
        [(3, 1, p, v) for p, v in enumerate([130.0, 110.0, 104.0, 100.0], 1)]
        + [(4, 1, p, v) for p, v in enumerate([240.0, 220.0, 201.0, 200.0], 1)],
        columns=["k", "seed", "pass", "perplexity"],
    )
    fig = plot_model_selection(selection, language="en", convergence=convergence)
    panel = fig.axes[5]
    assert panel.get_xlabel() == "pass" and panel.get_ylabel() == "% above the last pass"
    curves = [line for line in panel.get_lines() if len(line.get_xdata()) == 4]
    assert len(curves) == 2
    by_start = sorted(curves, key=lambda line: line.get_ydata()[0])
    np.testing.assert_allclose(by_start[0].get_ydata(), [20.0, 10.0, 0.5, 0.0])  # K=4
    np.testing.assert_allclose(by_start[1].get_ydata(), [30.0, 10.0, 4.0, 0.0])  # K=3
    # the chosen K is the strong line and the legend's only entry; 0.5 % is marked
    assert by_start[0].get_linewidth() > by_start[1].get_linewidth()
    assert [t.get_text() for t in panel.get_legend().get_texts()] == ["K=4"]
    assert any(list(line.get_ydata()) == [0.5, 0.5] for line in panel.get_lines())


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="figures.language"):
        plotting.labels("fr")


def test_cjk_font_comes_from_the_installed_package_and_is_used():
    assert plotting.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    assert plotting.register_cjk_font() == "Noto Sans CJK SC"
    fig = plot_theme_trends(_theme_table())
    title = fig.axes[0].title
    assert title.get_fontname() == "Noto Sans CJK SC"


def test_saved_files_are_byte_identical_and_carry_the_stamp(tmp_path):
    digests = []
    for attempt in range(2):
        fig = plot_theme_trends(_theme_table())
        paths = {fmt: tmp_path / f"f{attempt}.{fmt}" for fmt in ("png", "pdf", "svg")}
        plotting.save_figure(fig, paths, dpi=200, stamp="zhengfa-trends test; config sha256:abc")
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.values()])
        for path in paths.values():
            assert b"config sha256:abc" in path.read_bytes()
    assert digests[0] == digests[1]


def _save_with_placeholder_layout(fig, folder, formats=("png", "pdf", "svg")):
    """The route before: layout engine set to matplotlib's "none" placeholder after the first save."""
    out = {}
    for fmt in formats:
        path = folder / f"placeholder.{fmt}"
        fig.savefig(path, format=fmt, dpi=200, metadata=dict(plotting._METADATA[fmt]))
        fig.set_layout_engine("none")
        out[fmt] = path.read_bytes()
    plotting.plt.close(fig)
    return out


def test_removing_the_layout_engine_after_the_first_save_changes_no_byte(tmp_path):
    # save_figure removes the engine (so savefig does not draw each later format twice); the
    # files must be those of keeping matplotlib's "none" placeholder engine.
    def make():
        return plot_topic_terms(_terms_table(), k=2)

    expected = _save_with_placeholder_layout(make(), tmp_path)
    fig = make()
    assert fig.get_layout_engine() is not None
    paths = {fmt: tmp_path / f"together.{fmt}" for fmt in ("png", "pdf", "svg")}
    plotting.save_figure(fig, paths, dpi=200)
    assert fig.get_layout_engine() is None
    for fmt, path in paths.items():
        assert path.read_bytes() == expected[fmt], fmt


def test_a_figure_job_imports_no_other_stage():
    # The figure rules' steps live in plotting.figures so that a figure job does not import every
    # stage through zhengfa_trends.steps (ingest, segmentation, …: about 0.1 CPU s per job).
    import subprocess
    import sys

    code = (
        "import sys, zhengfa_trends.plotting.figures as f; f.plot_step, f.plot_figures_step; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('zhengfa_trends'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(loaded.stdout.split())
    assert "zhengfa_trends.plotting.figures" in modules
    for other in ("zhengfa_trends.steps", "zhengfa_trends.ingest", "zhengfa_trends.tokenize"):
        assert other not in modules
