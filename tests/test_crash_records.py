"""Records that survive any crash (issue 14): record_run killed at each of its writes, then resumed
with ``--rerun-incomplete``, writes the same changes.tsv (and provenance, figure index, stored
state) as an uninterrupted run.  The kills are real: ``SIGKILL`` of the job, or of Snakemake's whole
process group, at a checkpoint (:mod:`zhengfa_trends.faults`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from zhengfa_trends.faults import ENVIRONMENT_VARIABLE

pytestmark = pytest.mark.workflow
RECORDS = ("changes.tsv", "provenance.json", "figures/README.md")
# record_run's checkpoints: 1 changes.tsv, 2 provenance.json, 3 figure index, 4 state staged,
# 5 state renamed, 6 state made current.  The default suite kills at the one that lost the change
# records before (the stored state replaced, the run not finished); ``-m faults`` (and
# benchmarks/faults.py) at every one, both ways.
ALL_POINTS = [(str(n), scope) for n in range(1, 7) for scope in ("job", "group")]
KILL_POINTS = [
    point if point == ("6", "group") else pytest.param(*point, marks=pytest.mark.faults)
    for point in ALL_POINTS
]


def _snakemake(project: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "tiny.yaml", *args]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=600, env=env, start_new_session=True
    )


@pytest.fixture(scope="module")
def pending_record(finished_run, tmp_path_factory) -> Path:
    """The tiny project after a run, its stored state made that of a smaller earlier run.

    The stored ledger lacks ``d_2023`` and one theme share differs, so record_run has changes to
    record (forced with ``--forcerun record_run``; no other step needs to run again).
    """
    project = tmp_path_factory.mktemp("crash") / "project"
    shutil.copytree(finished_run, project, symlinks=True)
    history = project / "results/history"
    state = history / (history / "CURRENT").read_text(encoding="utf-8").strip()
    (state / "run.json").write_text('{"state": "earlier"}', encoding="utf-8")
    documents = pd.read_csv(state / "documents.tsv", sep="\t", dtype=str, keep_default_na=False)
    documents[documents["doc_id"] != "d_2023"].to_csv(state / "documents.tsv", sep="\t", index=False)
    themes = pd.read_csv(state / "theme_share_by_year.tsv", sep="\t")
    themes.loc[0, "share"] += 1.0
    themes.to_csv(state / "theme_share_by_year.tsv", sep="\t", index=False)
    return project


@pytest.fixture(scope="module")
def uninterrupted(pending_record, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("reference") / "project"
    shutil.copytree(pending_record, project, symlinks=True)
    result = _snakemake(project, "--forcerun", "record_run")
    assert result.returncode == 0, result.stderr[-3000:]
    changes = pd.read_csv(project / "results/changes.tsv", sep="\t", dtype={"key": str})
    assert changes.loc[changes["change"] == "document_added", "key"].tolist() == ["d_2023"]
    assert (changes["change"] == "theme_share").sum() == 1
    return project


def _history_files(project: Path) -> dict[str, bytes]:
    history = project / "results/history"
    return {str(p.relative_to(history)): p.read_bytes() for p in sorted(history.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("point", "scope"), KILL_POINTS)
def test_a_kill_at_any_write_resumes_to_the_same_records(
    pending_record, uninterrupted, tmp_path, point, scope
):
    project = tmp_path / "project"
    shutil.copytree(pending_record, project, symlinks=True)
    target = f"record_run:{point}" + (":group" if scope == "group" else "")
    killed = _snakemake(project, "--forcerun", "record_run", env={**os.environ, ENVIRONMENT_VARIABLE: target})
    assert killed.returncode != 0  # the kill happened
    if scope == "group":
        assert _snakemake(project, "--unlock").returncode == 0
    resumed = _snakemake(project, "--rerun-incomplete")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for name in RECORDS:
        assert (project / "results" / name).read_bytes() == (uninterrupted / "results" / name).read_bytes(), (
            name
        )
    assert _history_files(project) == _history_files(uninterrupted)
    assert "Nothing to be done" in _snakemake(project, "-n").stdout
