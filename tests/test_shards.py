"""Segmentation shards: assignment by document, a cache file per shard, the gather in passage order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zhengfa_trends.io import write_tsv
from zhengfa_trends.shards import (
    ROW,
    cache_file_name,
    gather_tokens,
    parse_scatter_item,
    shard_of,
    shard_rows,
)


def test_scatter_items_are_parsed_to_a_zero_based_index():
    assert parse_scatter_item("1-of-1") == (0, 1)
    assert parse_scatter_item("3-of-4") == (2, 4)
    for bad in ("0-of-4", "5-of-4", "2of4", "a-of-b"):
        with pytest.raises(ValueError, match="scatter item"):
            parse_scatter_item(bad)


def test_each_document_goes_to_one_shard_and_each_passage_to_exactly_one():
    doc_ids = [f"doc{d:03d}" for d in range(60) for _ in range(d % 4 + 1)]
    shards = [shard_rows(doc_ids, i, 4) for i in range(4)]
    assert sorted(int(r) for rows in shards for r in rows) == list(range(len(doc_ids)))
    for index, rows in enumerate(shards):
        assert list(rows) == sorted(rows)
        assert {shard_of(doc_ids[r], 4) for r in rows} == {index}
    assert all(len(rows) > 0 for rows in shards)  # 60 documents reach all four shards


def test_adding_a_document_moves_no_other_document():
    before = [f"doc{d:03d}" for d in range(40)]
    after = ["aaa_new", *before]
    for n_shards in (2, 3, 4):
        old = {before[r] for r in shard_rows(before, 1, n_shards)}
        new = {after[r] for r in shard_rows(after, 1, n_shards)} - {"aaa_new"}
        assert old == new
        assert len(old) > 0


def test_one_shard_keeps_the_unsharded_cache_file():
    assert cache_file_name(0, 1) == "tokens.sqlite"
    assert [cache_file_name(i, 3) for i in range(3)] == [
        "tokens_1of3.sqlite",
        "tokens_2of3.sqlite",
        "tokens_3of3.sqlite",
    ]


def _tokens_table() -> pd.DataFrame:
    # doc ids that look like numbers, a token with a quote, an empty passage, a float-looking year
    return pd.DataFrame(
        {
            "doc_id": ["007", "007", "a b", "x", "y", "y", "z"],
            "passage_no": [0, 1, 0, 0, 0, 1, 0],
            "year": [2021, 2021, 2022, 2022, 2023, 2023, 2024],
            "n_tokens": [2, 0, 1, 3, 1, 1, 2],
            "tokens": ["数字 政法", "", '"引号', "NA nan null", "1e5", "0012", "枫桥 经验"],
        }
    )


@pytest.mark.parametrize("n_shards", [1, 2, 3, 5])
def test_gathered_shards_have_the_bytes_of_the_whole_table(tmp_path, n_shards):
    table = _tokens_table()
    write_tsv(table, tmp_path / "whole.tsv")
    paths = []
    for index in range(n_shards):
        rows = shard_rows(table["doc_id"].to_list(), index, n_shards)
        part = table.iloc[rows].copy()
        part.insert(0, ROW, rows)
        paths.append(tmp_path / f"{index + 1}-of-{n_shards}.tsv")
        write_tsv(part, paths[-1])
    write_tsv(gather_tokens(paths), tmp_path / "gathered.tsv")
    assert (tmp_path / "gathered.tsv").read_bytes() == (tmp_path / "whole.tsv").read_bytes()


def test_shards_of_another_run_are_refused(tmp_path):
    table = _tokens_table()
    part = table.iloc[:3].copy()
    part.insert(0, ROW, [0, 1, 1])
    write_tsv(part, tmp_path / "bad.tsv")
    with pytest.raises(ValueError, match="do not add up"):
        gather_tokens([tmp_path / "bad.tsv"])


@pytest.mark.workflow
def test_tokens_have_the_same_bytes_for_any_number_of_shards_and_each_shard_keeps_its_cache(tmp_path):
    import json
    import subprocess
    import sys

    from test_workflow import TINY_CORPUS, _project_copy

    project = _project_copy(tmp_path)
    targets = ["results/tokens/tokens.tsv", "results/tokens/stats.json"]

    def segment(n_shards: int) -> tuple[bytes, dict]:
        for target in targets:
            (project / target).unlink(missing_ok=True)
        command = [sys.executable, "-m", "snakemake", *targets, "--cores", "2", "--configfile", "tiny.yaml"]
        command += ["--set-scatter", f"shard={n_shards}"]
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        stats = json.loads((project / targets[1]).read_text(encoding="utf-8"))
        return (project / targets[0]).read_bytes(), stats

    unsharded, stats = segment(1)
    assert stats["segmented"] == len(TINY_CORPUS) and stats["reused"] == 0
    tokens, sharded_stats = segment(3)
    assert tokens == unsharded
    assert sharded_stats == stats  # a new shard count starts its own cache files: all segmented
    # shard 2 of 3 gets none of these four documents: an empty shard gathers too
    shard_files_made = {f"tokens_{shard_of(Path(name).stem, 3) + 1}of3.sqlite" for name in TINY_CORPUS}
    assert shard_files_made == {"tokens_1of3.sqlite", "tokens_3of3.sqlite"}
    cache = {p.name for p in (project / "results/cache/segment").iterdir()}
    assert cache == {"tokens.sqlite", *shard_files_made}
    shard_files = project / "results/tokens/shards"
    assert not shard_files.exists() or not any(shard_files.iterdir())  # temporary, removed after the gather
    # A new document: the 3 shards take the 4 others from their own cache files
    (project / "tiny" / "e_2023.txt").write_text(
        "发布时间:2023-12-01\n\n" + "推进诉源治理,完善矛盾纠纷多元化解机制,建设综治中心。" * 4,
        encoding="utf-8",
    )
    tokens, stats = segment(3)
    assert stats["segmented"] == 1 and stats["reused"] == len(TINY_CORPUS)
    assert tokens.startswith(unsharded.split(b"\n", 1)[0])
