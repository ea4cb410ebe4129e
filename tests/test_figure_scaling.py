"""Every figure stays legible from one year to seventy, with 15 themes and up to K = 40 topics.

Legibility is judged from matplotlib's own text extents (``get_window_extent`` after a layout at the
saved dpi): no two tick labels overlap, no text overlaps another text or a tick label, nothing
leaves the canvas, and no side exceeds 4,000 px.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from test_groups import PROVINCES

from zhengfa_trends import plotting
from zhengfa_trends.plotting.checks import legibility_problems
from zhengfa_trends.plotting.layout import MAX_SIDE_PX, YearLocator, series_styles
from zhengfa_trends.plotting.models import plot_model_selection
from zhengfa_trends.plotting.terms import plot_emerging_terms, plot_tfidf_by_year, plot_topic_terms
from zhengfa_trends.plotting.trends import plot_theme_trends, plot_topic_trends

STYLE = "config/figures.mplstyle"
DPI = 300
SPANS = {"1 year": (2024, 2024), "5 years": (2021, 2025), "70 years": (1954, 2023)}
THEMES = [
    "数字政法",
    "科技手段现代化",
    "基层治理",
    "依法治国",
    "扫黑除恶",
    "平安中国",
    "司法体制改革",
    "政法队伍建设",
    "社会治理现代化",
    "反腐败",
    "人权司法保障",
    "法治政府",
    "知识产权保护",
    "网络安全",
    "生态环境司法",
]


@pytest.fixture(autouse=True)
def _style(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    with plotting.style_context(STYLE):
        yield


def _years(first: int, last: int) -> dict[int, int]:
    """Documents per year, 1–40, with a few gaps in long spans (years without documents)."""
    rng = np.random.default_rng(first * 31 + last)
    years = {}
    for year in range(first, last + 1):
        if last - first > 10 and year not in (first, last) and rng.random() < 0.12:
            continue
        years[year] = int(rng.integers(1, 41))
    return years


def _shares(first: int, last: int, series: list, column: str) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for name in series:
        for year, n_docs in _years(first, last).items():
            share = float(rng.uniform(0, 5))
            rows.append(
                {
                    column: name,
                    "year": year,
                    "share": share,
                    "ci_low": share * 0.6,
                    "ci_high": share * 1.4,
                    "n_docs": n_docs,
                    "small_n": n_docs < 3,
                }
            )
    return pd.DataFrame(rows)


def _topic_shares(first: int, last: int, k: int) -> pd.DataFrame:
    table = _shares(first, last, list(range(k)), "topic")
    table["share"] /= 10
    table["ci_low"] /= 10
    table["ci_high"] /= 10
    table["k"] = k
    table["label"] = table["topic"].map(lambda t: f"综合治理·智慧法院·矛盾纠纷{t}")
    return table


def _terms(groups, column: str, n: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    words = [f"{a}{b}" for a in "政法治安司检警网数智" for b in "务理建改革院察格据能"]
    return pd.DataFrame(
        [
            {
                column: g,
                "rank": r,
                "term": words[int(rng.integers(0, len(words)))] + str(r),
                "score": 1 / r,
                "g2": 40 / r,
                "weight": 0.2 / r,
            }
            for g in groups
            for r in range(1, n + 1)
        ]
    )


def _assert_legible(fig) -> None:
    problems = legibility_problems(fig, DPI)
    width, height = fig.get_size_inches() * DPI
    plt.close(fig)
    assert problems == []
    assert max(width, height) <= MAX_SIDE_PX


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize("n_themes", [3, 15])
def test_theme_trends_is_legible(span, n_themes):
    fig = plot_theme_trends(_shares(*SPANS[span], THEMES[:n_themes], "theme"), dpi=DPI)
    _assert_legible(fig)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    # up to five themes share one panel; more get one panel each
    assert len(panels) == (1 if n_themes <= 5 else n_themes)


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize("k", [4, 40])
def test_topic_trends_is_legible_up_to_k_40(span, k):
    fig = plot_topic_trends(_topic_shares(*SPANS[span], k), dpi=DPI)
    _assert_legible(fig)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == k


def test_topic_trends_beyond_the_panel_limit_says_how_many_are_shown():
    table = _topic_shares(2021, 2025, 45)
    table.loc[table["topic"] == 44, "share"] = 9.0  # the largest topic must be among those shown
    fig = plot_topic_trends(table, language="en", dpi=DPI)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 40
    assert "40 of 45 shown" in fig._suptitle.get_text()
    assert any(ax.get_title().startswith("44:") for ax in visible)


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize("plot", [plot_tfidf_by_year, plot_emerging_terms])
def test_term_figures_are_legible_and_become_a_heatmap_beyond_eight_years(span, plot):
    first, last = SPANS[span]
    fig = plot(_terms(range(first, last + 1), "year"), dpi=DPI)
    _assert_legible(fig)
    n_years = last - first + 1
    visible = [ax for ax in fig.axes if ax.get_visible()]
    if n_years <= 8:
        assert [ax.get_title() for ax in visible] == [str(y) for y in range(first, last + 1)]
    else:
        # one heatmap (and its colour bar): terms as rows, years as columns
        assert len(visible) == 2
        mesh = visible[0].collections[0]
        assert mesh.get_array().shape[1] == n_years
        assert len(visible[0].get_yticklabels()) == 40


@pytest.mark.parametrize("k", [3, 12, 40])
def test_topic_terms_is_legible_up_to_k_40(k):
    fig = plot_topic_terms(_terms(range(k), "topic", n=15), k=k, n_terms=10, dpi=DPI)
    _assert_legible(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == k
    shown = len(visible[0].get_yticklabels())
    if shown < 10:
        assert f"每个主题前 {shown} 个词" in fig._suptitle.get_text()


@pytest.mark.parametrize("ks", [[4], [3, 4, 5, 6], list(range(5, 41))])
def test_model_selection_is_legible_for_long_k_grids(ks):
    selection = pd.DataFrame(
        [
            {
                "k": k,
                "seed": seed,
                "c_v": 0.3,
                "c_npmi": -0.01 * k,
                "u_mass": -2.0,
                "perplexity": 100.0 + k,
                "stability": 0.6,
                "chosen": k == ks[0],
            }
            for k in ks
            for seed in (1, 2)
        ]
    )
    convergence = pd.DataFrame(
        [(k, 1, p, 100.0 + k + 10.0 / p) for k in ks for p in range(1, 11)],
        columns=["k", "seed", "pass", "perplexity"],
    )
    fig = plot_model_selection(selection, dpi=DPI, convergence=convergence)
    assert len([line for line in fig.axes[5].get_lines() if len(line.get_xdata()) == 10]) == len(ks)
    _assert_legible(fig)


def test_a_higher_dpi_keeps_every_side_within_the_bound():
    fig = plot_topic_trends(_topic_shares(1954, 2023, 40), dpi=600)
    assert max(fig.get_size_inches() * 600) <= MAX_SIDE_PX


def test_no_two_of_fifteen_series_look_alike():
    styles = series_styles(15)
    assert len({(s["color"], s["linestyle"], s["marker"]) for s in styles}) == 15
    # the first eight differ by colour alone (the style file's colour-blind-safe cycle)
    assert len({s["color"] for s in styles[:8]}) == 8


def test_year_labels_thin_to_round_years_with_a_minor_tick_on_every_year():
    fig = plot_theme_trends(_shares(1954, 2023, THEMES[:3], "theme"), dpi=DPI)
    strip = fig.axes[0].child_axes[0]
    fig.draw_without_rendering()
    labels = [int(t.get_text()) for t in strip.get_xticklabels() if t.get_text()]
    step = strip.xaxis.get_major_locator().step()
    assert step in (5, 10, 20)
    assert all(year % step == 0 for year in labels)
    assert 3 <= len(labels) <= 14
    ticked = set(strip.xaxis.get_minorticklocs()) | set(strip.xaxis.get_majorticklocs())
    assert sorted(int(year) for year in ticked) == list(range(1954, 2024))


def test_year_locator_labels_every_year_of_a_short_axis():
    locator = YearLocator(2021, 2026)
    assert locator() == [2021, 2022, 2023, 2024, 2025, 2026]  # unattached: room for all


def _facet_shares(first: int, last: int, values: list, n_themes: int) -> pd.DataFrame:
    parts = []
    for number, value in enumerate(values):
        part = _shares(first, last, THEMES[:n_themes], "theme").assign(
            share=lambda t, n=number: t["share"] / (1 + n % 3)
        )
        part.insert(0, "facet_value", value)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, "facet", "province")
    return table


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize(("n_values", "n_themes"), [(3, 3), (31, 15)])
def test_facet_trends_is_legible(span, n_values, n_themes):
    from zhengfa_trends.plotting.groups import plot_facet_trends

    first, last = SPANS[span]
    table = _facet_shares(first, last, PROVINCES[:n_values], n_themes)
    fig = plot_facet_trends(table, dpi=DPI)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    if first == last:
        # one year: a panel per theme, a bar per facet value
        assert len(visible) == n_themes
        assert len(visible[0].get_yticklabels()) == n_values
    else:
        assert len(visible) == n_values
    _assert_legible(fig)


def test_facet_trends_over_periods_label_the_periods():
    from zhengfa_trends.plotting.groups import plot_facet_trends

    table = _facet_shares(1, 8, PROVINCES[:4], 3)
    labels = {
        year: (f"{1950 + 8 * year}–{1957 + 8 * year}", 1950 + 8 * year, 1957 + 8 * year)
        for year in range(1, 9)
    }
    table["period"] = table.pop("year").map(lambda y: labels[y][0])
    table["first"] = table["period"].map({v[0]: v[1] for v in labels.values()})
    table["last"] = table["period"].map({v[0]: v[2] for v in labels.values()})
    fig = plot_facet_trends(table, dpi=DPI)
    bottom = [ax for ax in fig.axes if ax.get_visible()][-1]
    assert [t.get_text() for t in bottom.get_xticklabels()] == [v[0] for v in labels.values()]
    _assert_legible(fig)
