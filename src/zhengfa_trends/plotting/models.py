"""Model-selection figure: coherence and stability against the number of topics."""

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


def plot_model_selection(
    selection: pd.DataFrame,
    language: str = default("figures.language"),
    width_cm: float = 17.0,
    dpi: float = default("figures.dpi"),
    band=None,
) -> Figure:
    """Coherence (c_npmi, c_v, u_mass), held-out perplexity and seed stability against K.

    One panel per measure; each seed is a faint point, the mean over seeds a line with ±1
    standard error bars; the chosen K (``chosen`` column) is marked by a vertical line in every
    panel.  In the panel of the measure K was chosen by, ``band`` (a
    :class:`~zhengfa_trends.topics.KChoice`) is shaded: from one standard error below the best
    mean up to it, the smallest K inside it was chosen.

    Parameters
    ----------
    selection : DataFrame
        ``model_selection.tsv`` (k, seed, c_v, c_npmi, u_mass, perplexity, stability, chosen).
    language : {"zh", "en"}
    width_cm : float
    dpi : float
        The dpi the figure will be saved at (keeps every side within the pixel bound).
    band : KChoice, optional

    Returns
    -------
    Figure
    """
    text = labels(language)
    measures = ["c_npmi", "c_v", "u_mass", "perplexity", "stability"]
    fig, axes = plt.subplots(1, len(measures), figsize=figure_size(width_cm, 5.0, dpi), layout="constrained")
    chosen = selection.loc[selection["chosen"].astype(bool), "k"]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, measure in zip(axes, measures, strict=True):
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
    fig.suptitle(text["selection_title"].format(k=int(chosen.iloc[0]) if not chosen.empty else "?"))
    return fig
