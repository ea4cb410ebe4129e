"""Layout pieces every figure shares, so that one year and seventy years are both legible.

- :class:`YearLocator`: year labels thinned to what fits the axis (steps 1, 2, 5, 10, 20, 25, 50
  years), computed when the figure is drawn, i.e. from the axis length after the layout; every
  other year gets a minor tick.
- :func:`add_document_strip`: documents per year as small bars under a panel (instead of a row of
  ``n=`` texts that collides beyond a dozen years).
- :func:`series_styles`: colour (from the style file's colour-blind-safe cycle), line style and
  marker, so that no two series of a figure look alike even when there are more series than colours.
- :func:`grid_shape`, :func:`figure_size`: panel grids that grow with the number of panels but never
  make a figure side exceed :data:`MAX_SIDE_PX` pixels at the configured dpi.
- :func:`fit_text`: shorten a text with "…" to a width, measured with matplotlib's own text engine.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from matplotlib import pyplot as plt
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties

CM = 1 / 2.54
# No side of a saved figure may exceed this many pixels (at the configured dpi).
MAX_SIDE_PX = 4000
# Candidate spacings of labelled years; the smallest that fits the axis is used.
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
# Room one year label needs, in multiples of the tick-label font size: four digits (about 0.56 em
# each in Noto Sans CJK) and at least one em of space between neighbours.
YEAR_LABEL_EM = 3.4
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P")
# Grey of the years without documents (axvspan) and of the document bars.
NO_DOCS_GREY = "0.92"
DOCS_GREY = "0.55"


def max_side_inches(dpi: float) -> float:
    """The largest figure side, in inches, that stays within :data:`MAX_SIDE_PX` at ``dpi``."""
    # One pixel of margin: savefig rounds the size to whole pixels.
    return (MAX_SIDE_PX - 1) / float(dpi)


def figure_size(width_cm: float, height_cm: float, dpi: float) -> tuple[float, float]:
    """``(width, height)`` in inches, each capped so that no side exceeds the pixel bound at ``dpi``."""
    limit = max_side_inches(dpi)
    return min(width_cm * CM, limit), min(height_cm * CM, limit)


def grid_shape(n_panels: int, max_cols: int = 5) -> tuple[int, int]:
    """``(rows, cols)`` of a small-multiples grid: about square, at most ``max_cols`` wide.

    1–3 panels sit in one row; 4 → 2×2; 6 → 2×3; 15 → 4×4; 40 → 8×5.
    """
    if n_panels <= 0:
        return 1, 1
    if n_panels <= 3:
        return 1, n_panels
    cols = min(max_cols, math.ceil(math.sqrt(n_panels)))
    return math.ceil(n_panels / cols), cols


def series_styles(n: int) -> list[dict]:
    """``n`` distinct ``{color, linestyle, marker}``: colours of the style file's cycle first,
    then the same colours again with another line style and marker, and so on.

    The project style uses the Okabe–Ito colours (distinguishable with the common colour-vision
    deficiencies); 8 colours × 4 line styles × 6 markers never repeat a combination below 96 series.
    """
    colors = list(dict.fromkeys(plt.rcParams["axes.prop_cycle"].by_key().get("color", ["0.2"])))
    styles = []
    for index in range(n):
        round_ = index // len(colors)
        styles.append(
            {
                "color": colors[index % len(colors)],
                "linestyle": LINESTYLES[round_ % len(LINESTYLES)],
                "marker": MARKERS[round_ % len(MARKERS)],
            }
        )
    return styles


class YearLocator(ticker.Locator):
    """Major ticks on the multiples of the smallest year step whose labels fit the axis.

    The fit is computed at draw time from the axis length in pixels and the tick-label font size,
    so it holds for whatever size the layout gives the panel.  Ticks whose label would stick out
    past the ends of the axis are dropped (neighbouring panels' labels would otherwise touch).
    """

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = int(first), int(last)

    def step(self) -> int:
        """The year spacing of the labels for the axis's current length."""
        length_px, em_px = self._length_and_em()
        capacity = max(1, int(length_px // (YEAR_LABEL_EM * em_px)))
        for step in YEAR_STEPS:
            if len(self._multiples(step)) <= capacity:
                return step
        return YEAR_STEPS[-1]

    def _length_and_em(self) -> tuple[float, float]:
        axis = self.axis
        if axis is None:
            return 1000.0, 10.0
        ax = axis.axes
        length_px = ax.get_window_extent().width
        ticks = axis.get_major_ticks(1)
        size = ticks[0].label1.get_fontsize() if ticks else plt.rcParams["xtick.labelsize"]
        if isinstance(size, str):
            size = FontProperties(size=size).get_size_in_points()
        return length_px, float(size) * ax.figure.dpi / 72.0

    def _multiples(self, step: int) -> list[int]:
        start = math.ceil(self.first / step) * step
        return list(range(start, self.last + 1, step)) or [self.first]

    def __call__(self):
        step = self.step()
        years = self._multiples(step)
        if step == 1 or len(years) <= 1:
            return years
        length_px, em_px = self._length_and_em()
        low, high = self.axis.get_view_interval()
        px_per_year = length_px / max(high - low, 1e-9)
        half_label = 0.5 * (YEAR_LABEL_EM - 1.0) * em_px / px_per_year
        inside = [y for y in years if y - half_label >= low and y + half_label <= high]
        return inside or years[:1]

    def tick_values(self, vmin, vmax):  # noqa: D102  (the Locator interface)
        return self()


class MinorYearLocator(ticker.Locator):
    """A minor tick on every year of the axis that carries no label."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = int(first), int(last)

    def __call__(self):
        return list(range(self.first, self.last + 1))

    def tick_values(self, vmin, vmax):  # noqa: D102
        return self()


def set_year_axis(ax: Axes, first: int, last: int, minor: bool = True) -> None:
    """Year limits, thinned labels (:class:`YearLocator`) and (``minor``) a minor tick on every year.

    Panels above a document strip pass ``minor=False``: the strip carries the yearly ticks, and
    seventy minor ticks in each of forty panels would cost seconds of drawing for nothing.
    """
    ax.set_xlim(first - 0.5, last + 0.5)
    ax.xaxis.set_major_locator(YearLocator(first, last))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _pos: f"{round(value)}"))
    if minor:
        ax.xaxis.set_minor_locator(MinorYearLocator(first, last))
        ax.tick_params(axis="x", which="minor", length=1.5)
    else:
        ax.xaxis.set_minor_locator(ticker.NullLocator())


def _runs(values: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted integers as ``(first, last)`` pairs."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return [(a, b) for a, b in runs]


def shade_missing_years(ax: Axes, missing: Sequence[int]) -> None:
    """Shade the years without documents (one band per run of consecutive empty years)."""
    for first, last in _runs(sorted(missing)):
        ax.axvspan(first - 0.5, last + 0.5, color=NO_DOCS_GREY, zorder=0, linewidth=0)


def add_document_strip(
    parent: Axes,
    counts: dict[int, int],
    first: int,
    last: int,
    label: str | None,
    height: float = 0.16,
    annotate: bool = True,
) -> Axes:
    """Documents per year as small bars in a strip under ``parent`` (sharing its year axis).

    The strip carries the year labels (``parent``'s are hidden).  With few enough years for the
    numbers to fit, each bar is labelled with its count; otherwise the strip's one y tick gives
    the scale.  Years without documents are shaded as in the panel above.

    Parameters
    ----------
    parent : Axes
    counts : mapping year → number of documents (years with documents only)
    first, last : int
        The year axis.
    label : str or None
        Y label of the strip (e.g. "文档数"), for the left column only.
    height : float
        Strip height as a fraction of the parent's height.
    annotate : bool
        Allow count labels above the bars (they are drawn only when they fit).

    Returns
    -------
    Axes
    """
    # Not sharex: shared axes share their tickers, and only the strip needs a tick on every year.
    strip = parent.inset_axes([0.0, -0.04 - height, 1.0, height])
    set_year_axis(strip, first, last)
    years = sorted(counts)
    values = [counts[y] for y in years]
    strip.bar(years, values, width=0.7, color=DOCS_GREY, linewidth=0)
    shade_missing_years(strip, [y for y in range(first, last + 1) if y not in counts])
    top = max(values) if values else 1
    strip.set_ylim(0, top * (1.9 if annotate else 1.05))
    strip.set_yticks([top])
    strip.set_yticklabels([str(top)])
    strip.tick_params(axis="y", length=1.5, labelsize=5.5, pad=1)
    strip.grid(False)
    for side in ("top", "right"):
        strip.spines[side].set_visible(False)
    if label:
        strip.set_ylabel(label, fontsize=5.5, rotation=0, ha="right", va="center", labelpad=2)
    parent.tick_params(axis="x", which="both", labelbottom=False)
    if annotate and _counts_fit(parent, values, first, last):
        for year, value in zip(years, values, strict=True):
            strip.text(year, value, str(value), ha="center", va="bottom", fontsize=5.0, color="0.25")
        strip.set_yticks([])
    return strip


def _counts_fit(ax: Axes, values: Sequence[int], first: int, last: int) -> bool:
    """Whether count labels (5 pt, as many digits as the largest count) fit side by side on ``ax``.

    Judged from the axes' size before the layout (80 % of it, as the layout shrinks panels for
    their labels); only small year spans pass, where the numbers help most.
    """
    if not values:
        return False
    fig = ax.figure
    width_in = ax.get_position().width * fig.get_size_inches()[0] * 0.8
    per_year_pt = width_in * 72 / (last - first + 1)
    digits = len(str(max(values)))
    return per_year_pt >= 5.0 * (0.6 * max(digits, 2) + 1.5)


@functools.lru_cache(maxsize=4096)
def text_width_pt(text: str, size: float, family: str | None = None) -> float:
    """Width of ``text`` in points at font ``size`` (matplotlib's text engine, no figure needed)."""
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family=family or plt.rcParams["font.sans-serif"], size=size)
    width, _height, _descent = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def fit_text(text: str, width_pt: float, size: float) -> str:
    """``text`` shortened with "…" (from the end) until it is at most ``width_pt`` wide at ``size``."""
    if text_width_pt(text, size) <= width_pt:
        return text
    for end in range(len(text) - 1, 0, -1):
        candidate = text[:end].rstrip("·, ") + "…"
        if text_width_pt(candidate, size) <= width_pt:
            return candidate
    return "…"


def panel_width_pt(fig, ncols: int, fraction: float = 0.82) -> float:
    """Approximate width of one grid column in points (``fraction`` leaves room for the labels)."""
    return fig.get_size_inches()[0] * 72 * fraction / max(ncols, 1)


def hide_unused(axes: np.ndarray, used: int) -> None:
    """Hide the panels of a grid beyond the first ``used``."""
    for ax in axes.flat[used:]:
        ax.set_visible(False)
