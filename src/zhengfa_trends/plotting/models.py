"""Model-selection figure: coherence, perplexity and stability against the number of topics, and
the convergence of each K's reported model over its training passes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..config import default
from . import labels
from .layout import figure_size

# Up to this many Ks, each K is a labelled tick; beyond, integer ticks are thinned.
MAX_K_TICKS = 6
# A model counts as converged when its held-out perplexity is within this many per cent of the
# last pass's (issue 17: the defaults are chosen where the benchmark corpora get there).
CONVERGED_PERCENT = 0.5
MEASURES = ["c_npmi", "c_v", "u_mass", "perplexity", "stability"]


def plot_model_selection(
    selection: pd.DataFrame,
    language: str = default("figures.language"),
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    band=None,
    convergence: pd.DataFrame | None = None,
) -> Figure:
    """Coherence (c_npmi, c_v, u_mass), held-out perplexity and seed stability against K, and
    the convergence of the training.

    One panel per measure; each seed is a faint point, the mean over seeds a line with ±1
    standard error bars; the chosen K (``chosen`` column) is marked by a vertical line in each
    of these panels.  In the panel of the measure K was chosen by, ``band`` (a
    :class:`~zhengfa_trends.topics.KChoice`) is shaded: from one standard error below the best
    mean up to it, the smallest K inside it was chosen.  The sixth panel shows, for every K's
    reported model, its held-out perplexity after each pass as per cent above the last pass's
    (the chosen K drawn strong, a dotted line at :data:`CONVERGED_PERCENT`): a curve still
    falling at the end says more passes would change the model.

    Parameters
    ----------
    selection : DataFrame
        ``model_selection.tsv`` (k, seed, c_v, c_npmi, u_mass, perplexity, stability, chosen).
    language : {"zh", "en"}
    width_cm : float
    dpi : float
        The dpi the figure will be saved at (keeps every side within the pixel bound).
    band : KChoice, optional
    convergence : DataFrame, optional
        The ``convergence.tsv`` tables of the Ks (k, seed, pass, perplexity), concatenated;
        without it (or without rows) the panel says n/a.

    Returns
    -------
    Figure
    """
    text = labels(language)
    fig, grid = plt.subplots(2, 3, figsize=figure_size(width_cm, 9.5, dpi), layout="constrained")
    axes = list(grid.flat)
    chosen = selection.loc[selection["chosen"].astype(bool), "k"]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, measure in zip(axes, MEASURES, strict=False):
        values = selection[["k", measure]].dropna()
        ax.scatter(values["k"], values[measure], color=colors[0], alpha=0.35, s=10)
        means = values.groupby("k")[measure].mean()
        errors = values.groupby("k")[measure].sem().reindex(means.index)
        if not means.empty:
            ax.plot(means.index, means.to_numpy(), color=colors[0], marker="o")
            if errors.notna().any():
                ax.errorbar(
                    means.index,
                    means.to_numpy(),
                    yerr=errors.fillna(0).to_numpy(),
                    color=colors[0],
                    linewidth=0,
                    elinewidth=0.9,
                    capsize=2,
                )
            if band is not None and band.measure == measure and np.isfinite(band.best_se):
                ax.axhspan(band.threshold, band.best_mean, color=colors[1], alpha=0.15, linewidth=0)
        else:
            ax.text(0.5, 0.5, "n/a", transform=ax.transAxes, ha="center", va="center", color="0.5")
        if not chosen.empty:
            ax.axvline(int(chosen.iloc[0]), color=colors[1], linestyle="--", linewidth=1)
        ax.set_title(measure)
        ks = np.unique(selection["k"])
        if len(ks) <= MAX_K_TICKS:
            ax.set_xticks(ks)
        else:
            # A grid such as 5 … 40 in a 3 cm panel: a few integer labels, a minor tick per K.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.xaxis.set_minor_locator(FixedLocator(ks))
        ax.set_xlabel("K")
    _convergence_panel(axes[-1], convergence, int(chosen.iloc[0]) if not chosen.empty else None, text, colors)
    fig.suptitle(text["selection_title"].format(k=int(chosen.iloc[0]) if not chosen.empty else "?"))
    return fig


def _convergence_panel(ax, convergence: pd.DataFrame | None, chosen_k: int | None, text, colors) -> None:
    """Held-out perplexity after each pass, in per cent above the last pass, one line per K."""
    ax.set_title(text["convergence_title"])
    ax.set_xlabel(text["convergence_x"])
    ax.set_ylabel(text["convergence_y"])
    rows = convergence.dropna(subset=["perplexity"]) if convergence is not None else None
    if rows is None or rows.empty:
        ax.text(0.5, 0.5, "n/a", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return
    for k, curve in rows.sort_values(["k", "pass"], kind="stable").groupby("k", sort=True):
        values = curve["perplexity"].to_numpy(dtype=float)
        above = (values / values[-1] - 1.0) * 100.0
        strong = int(k) == chosen_k
        ax.plot(
            curve["pass"].to_numpy(),
            above,
            color=colors[1] if strong else colors[0],
            alpha=1.0 if strong else 0.35,
            linewidth=1.4 if strong else 0.8,
            label=f"K={int(k)}" if strong else None,
            zorder=3 if strong else 2,
        )
    ax.axhline(CONVERGED_PERCENT, color="0.4", linestyle=":", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if chosen_k is not None and (rows["k"] == chosen_k).any():
        ax.legend(loc="upper right", frameon=False)
