"""The K grid of ``lda.k: auto`` (checkpoint ``k_grid``), in a module with no pandas import.

Checkpoint ``k_grid`` sits between segmentation and the LDA fits, and Snakemake's input functions
read its file in the main process on every run: both stay light (numpy only).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# The automatic grid of K: from AUTO_K_MIN up to one topic per AUTO_PASSAGES_PER_TOPIC passages (at
# most AUTO_K_MAX), every K while the grid is short, then about AUTO_K_POINTS values spread evenly on
# a log scale (coherence changes slowly at large K; fitting every K from 3 to 40 would cost 20 fits).
AUTO_K_MIN = 3
AUTO_K_MAX = 40
AUTO_PASSAGES_PER_TOPIC = 10
AUTO_K_POINTS = 8


def auto_k_grid(n_passages: int, include: Iterable[int] = ()) -> list[int]:
    """The Ks that ``lda.k: auto`` fits for a corpus of ``n_passages`` passages.

    ``K_max = min(40, n_passages // 10)`` (at least 2); the grid is every K from 3 to ``K_max``
    when that is at most 8 values, otherwise 8 values from 3 to ``K_max`` evenly spaced on a log
    scale (rounded).  ``include`` (e.g. a fixed ``lda.chosen_k``) is added.

    Examples
    --------
    >>> auto_k_grid(78)
    [3, 4, 5, 6, 7]
    >>> auto_k_grid(150_000)
    [3, 4, 6, 9, 13, 19, 28, 40]
    """
    k_max = max(2, min(AUTO_K_MAX, int(n_passages) // AUTO_PASSAGES_PER_TOPIC))
    k_min = min(AUTO_K_MIN, k_max)
    if k_max - k_min + 1 <= AUTO_K_POINTS:
        grid = set(range(k_min, k_max + 1))
    else:
        grid = {int(round(v)) for v in np.geomspace(k_min, k_max, AUTO_K_POINTS)}
    return sorted(grid | {int(k) for k in include})


def k_grid_step(stats_path, options: Mapping, grid_out) -> list[int]:
    """Checkpoint ``k_grid``: the Ks that ``lda.k: auto`` fits, from the real number of passages.

    ``stats_path`` is ``results/tokens/stats.json`` (its ``passages``: the passages segmented, the
    ones LDA sees); ``options`` holds ``chosen_k`` (a fixed ``lda.chosen_k`` is added to the grid).
    ``grid_out`` gets two lines, ``passages<TAB>n`` and ``k<TAB>3,4,...``
    (:func:`read_k_grid`); the workflow's input functions read it once this job has run.
    """
    n_passages = int(json.loads(Path(stats_path).read_text(encoding="utf-8"))["passages"])
    chosen = options.get("chosen_k")
    grid = auto_k_grid(n_passages, [chosen] if chosen else [])
    Path(grid_out).write_text(f"passages\t{n_passages}\nk\t{','.join(map(str, grid))}\n", encoding="utf-8")
    log.info("lda.k auto: %d passages, K grid %s", n_passages, ", ".join(map(str, grid)))
    return grid


def read_k_grid(path) -> tuple[int, list[int]]:
    """``(passages, Ks)`` written by :func:`k_grid_step`."""
    fields = dict(line.split("\t", 1) for line in Path(path).read_text(encoding="utf-8").splitlines())
    return int(fields["passages"]), [int(k) for k in fields["k"].split(",")]
