"""Legibility checks of a drawn figure, from matplotlib's own text extents.

Used by the tests (every figure at 1, 5 and 70 years) and handy when a new figure is added:
``legibility_problems(fig, dpi)`` lists overlapping labels, texts outside the canvas and sides
beyond the pixel bound, in words.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from .layout import MAX_SIDE_PX

# Pixels of tolerance: anti-aliasing and rounding of the layout.
_TOLERANCE = 1.0


def _all_axes(fig: Figure):
    """Visible axes of the figure and their child (inset) axes."""
    out = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out.append(ax)
        out.extend(child for child in ax.child_axes if child.get_visible())
    return out


def _drawn_ticks(ax, axis):
    """Ticks that matplotlib draws: those whose location is inside the view interval."""
    low, high = sorted(axis.get_view_interval())
    locs = axis.get_majorticklocs()
    majors = [t for t, loc in zip(axis.get_major_ticks(len(locs)), locs, strict=False) if low <= loc <= high]
    mlocs = axis.get_minorticklocs()
    minors = [
        t for t, loc in zip(axis.get_minor_ticks(len(mlocs)), mlocs, strict=False) if low <= loc <= high
    ]
    return majors + minors


def drawn_tick_labels(fig: Figure, renderer) -> list[tuple[str, Bbox]]:
    """The tick labels matplotlib actually draws, with their window extents."""
    found = []
    for ax in _all_axes(fig):
        for axis in (ax.xaxis, ax.yaxis):
            for tick in _drawn_ticks(ax, axis):
                for label in (tick.label1, tick.label2):
                    if label.get_visible() and label.get_text():
                        found.append((label.get_text(), label.get_window_extent(renderer)))
    return found


def other_texts(fig: Figure, renderer) -> list[tuple[str, Bbox]]:
    """Titles, axis labels, legend texts, annotations and the suptitle that are drawn."""
    texts: list[Text] = []
    for ax in _all_axes(fig):
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += list(ax.texts)
        legend = ax.get_legend()
        if legend is not None:
            texts += list(legend.get_texts())
    for legend in fig.legends:
        texts += list(legend.get_texts())
    texts += list(fig.texts)  # the suptitle is one of them
    unique = list({id(t): t for t in texts}.values())
    return [(t.get_text(), t.get_window_extent(renderer)) for t in unique if t.get_visible() and t.get_text()]


def _overlap(a: Bbox, b: Bbox) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > _TOLERANCE and min(a.y1, b.y1) - max(a.y0, b.y0) > _TOLERANCE


def legibility_problems(fig: Figure, dpi: float) -> list[str]:
    """What makes ``fig`` illegible when saved at ``dpi``: an empty list if nothing.

    Checks that no two drawn tick labels overlap, that no two texts of one axes (annotations,
    title) overlap each other or a tick label, that every text lies inside the canvas, and that
    no side exceeds :data:`~zhengfa_trends.plotting.layout.MAX_SIDE_PX` pixels.
    """
    problems = []
    width, height = fig.get_size_inches() * dpi
    if round(width) > MAX_SIDE_PX or round(height) > MAX_SIDE_PX:
        problems.append(f"figure is {width:.0f} x {height:.0f} px at {dpi} dpi (bound {MAX_SIDE_PX})")
    fig.set_dpi(dpi)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ticks = drawn_tick_labels(fig, renderer)
    texts = other_texts(fig, renderer)
    for i, (text_a, box_a) in enumerate(ticks):
        for text_b, box_b in ticks[i + 1 :]:
            if _overlap(box_a, box_b):
                problems.append(f"tick labels overlap: {text_a!r} and {text_b!r}")
    labelled = ticks + texts
    for text_a, box_a in texts:
        for text_b, box_b in labelled:
            if box_b is box_a:
                continue
            if _overlap(box_a, box_b):
                problems.append(f"texts overlap: {text_a!r} and {text_b!r}")
    canvas = fig.bbox
    for text, box in labelled:
        if (
            box.x0 < canvas.x0 - _TOLERANCE
            or box.y0 < canvas.y0 - _TOLERANCE
            or box.x1 > canvas.x1 + _TOLERANCE
            or box.y1 > canvas.y1 + _TOLERANCE
        ):
            problems.append(f"text leaves the canvas: {text!r}")
    for ax in _all_axes(fig):
        box = ax.get_window_extent(renderer)
        if box.x0 < -_TOLERANCE or box.y0 < -_TOLERANCE or box.x1 > canvas.x1 + 1 or box.y1 > canvas.y1 + 1:
            problems.append("an axes leaves the canvas")
    return sorted(set(problems))
