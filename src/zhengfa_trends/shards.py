"""Segmentation in shards: which documents a shard segments, and the gather back into one table.

A scheduler can only spread work it is given as separate jobs, so the segmentation is cut into
``segment.shards`` jobs (Snakemake ``scattergather``). A document's shard is a hash of its id, not
its position: adding a document to the corpus moves no other document to another shard, so every
shard's cache segment (one SQLite file per shard, see :func:`cache_file_name`) keeps serving the
documents it served before. The gather puts the passages back in the order of ``passages.tsv``,
so ``tokens.tsv`` has the same bytes for any number of shards.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

# Snakemake names scatter items "<i>-of-<n>" (1-based).
_SCATTER_ITEM = re.compile(r"^(\d+)-of-(\d+)$")
# Column of a shard's table holding each passage's row number in passages.tsv (the gather's sort key).
ROW = "row"


def parse_scatter_item(item: str) -> tuple[int, int]:
    """``(index, n_shards)`` of a Snakemake scatter item such as ``"2-of-4"`` (index 0-based: 1).

    Raises
    ------
    ValueError
        If ``item`` is not of the form ``<i>-of-<n>`` with ``1 <= i <= n``.
    """
    match = _SCATTER_ITEM.match(item)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"not a scatter item of the form <i>-of-<n>: {item!r}")
    return int(match.group(1)) - 1, int(match.group(2))


def shard_of(doc_id: str, n_shards: int) -> int:
    """The shard (0-based) that segments document ``doc_id``: a hash of the id, stable across runs."""
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n_shards


def shard_rows(doc_ids: Sequence[str], index: int, n_shards: int) -> np.ndarray:
    """Row numbers (ascending) of the passages whose document belongs to shard ``index``."""
    if n_shards == 1:
        return np.arange(len(doc_ids))
    shard = {doc: shard_of(doc, n_shards) for doc in dict.fromkeys(doc_ids)}
    return np.array([i for i, doc in enumerate(doc_ids) if shard[doc] == index], dtype=np.int64)


def cache_file_name(index: int, n_shards: int) -> str:
    """The segmentation-cache file of shard ``index`` of ``n_shards``.

    One file per shard, so that shard jobs running at once on different nodes never write to the
    same SQLite file (SQLite's locking is not to be trusted on network file systems). One shard
    keeps the single file of an unsharded run.
    """
    return "tokens.sqlite" if n_shards == 1 else f"tokens_{index + 1}of{n_shards}.sqlite"


def gather_tokens(shard_paths: Sequence[str | Path]) -> pd.DataFrame:
    """The shards' tables as one, in the order of ``passages.tsv``, without the row column.

    Every value is read back as the exact string the shard wrote (no type guessing, no NA), so
    writing the result with :func:`zhengfa_trends.io.write_tsv` gives the bytes an unsharded
    segmentation writes.

    Raises
    ------
    ValueError
        If the shards' row numbers are not exactly ``0 … n-1`` once each (a shard of another run).
    """
    tables = [
        pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False) for path in shard_paths
    ]
    table = pd.concat(tables, ignore_index=True)
    rows = table.pop(ROW).astype(np.int64).to_numpy()
    order = np.argsort(rows, kind="stable")
    if not np.array_equal(rows[order], np.arange(len(rows))):
        raise ValueError(
            "the segmentation shards do not add up to the passages (rows missing or repeated): "
            "rerun with --forcerun segment_passages"
        )
    return table.iloc[order].reset_index(drop=True)


def gather_stats(facts: Sequence[dict]) -> dict:
    """The segmentation statistics of all shards (their stats.json contents) as one run's:
    ``segmented``, ``reused``, ``engine`` and the settings ``fingerprint``.

    Raises
    ------
    ValueError
        If the shards used different engines (one line: rerun them).
    """
    engines = sorted({fact["engine"] for fact in facts})
    if len(engines) != 1:
        raise ValueError(f"the segmentation shards used different engines ({', '.join(engines)}): rerun them")
    return {
        **{key: sum(fact[key] for fact in facts) for key in ("segmented", "reused")},
        "engine": engines[0],
        "fingerprint": facts[0]["fingerprint"],
    }
