"""Code-aware reruns and cache keys (issue 14): editing a function of the package reruns exactly the
steps whose script can reach it (a ``code`` params value of every rule), and misses the cache whose
entries it produced."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zhengfa_trends.codehash import code_digest

pytestmark = pytest.mark.workflow
REPO = Path(__file__).resolve().parents[1]


def _snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    # targets before --configfile, which takes every value after it
    command = [sys.executable, "-m", "snakemake", *args, "--cores", "2", "--configfile", "tiny.yaml"]
    env = {**os.environ, "PYTHONPATH": str(project / "src")}  # the copy's package, for every job too
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600, env=env)


def _edit(path: Path, qualified: str) -> None:
    """Add a statement at the end of function (or class) ``qualified`` (``name`` or ``Class.method``)."""
    source = path.read_text(encoding="utf-8")
    node: ast.AST = ast.parse(source)
    for part in qualified.split("."):
        node = next(n for n in node.body if getattr(n, "name", None) == part)
    lines = source.splitlines(keepends=True)
    indent = " " * (node.body[-1].col_offset)
    lines.insert(node.end_lineno, f"{indent}_edited = None  # an edit\n")
    path.write_text("".join(lines), encoding="utf-8")


def _rerun_reasons(project: Path) -> dict[str, str]:
    """Rules a dry run would run because their params (the code hash) changed, with the reason."""
    result = _snakemake(project, "-n")
    assert result.returncode == 0, result.stderr[-3000:]
    rules = {}
    rule = None
    for line in result.stdout.splitlines():
        match = re.match(r"(?:rule|checkpoint) (\w+):", line)  # ingest_corpus is a checkpoint
        if match:
            rule = match.group(1)
        elif line.strip().startswith("reason:") and rule:
            rules.setdefault(rule, line.strip())
    return {rule: reason for rule, reason in rules.items() if "Params have changed" in reason}


@pytest.fixture
def project(finished_run, tmp_path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(finished_run, project, symlinks=True)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    assert "Nothing to be done" in _snakemake(project, "-n").stdout  # same code: nothing to rerun
    return project


@pytest.mark.parametrize(
    ("module", "function", "rules"),
    [
        ("features.py", "keyness_by_year", {"summarise_terms"}),
        ("trends.py", "topic_share_by_year", {"summarise_topics"}),
        ("history.py", "compare_runs", {"record_run"}),
        ("ingest/dates.py", "parse_date", {"ingest_corpus"}),
    ],
)
def test_editing_a_function_reruns_exactly_the_steps_that_use_it(project, module, function, rules):
    _edit(project / "src/zhengfa_trends" / module, function)
    assert set(_rerun_reasons(project)) == rules


def test_editing_the_segmenter_reruns_segmentation_and_misses_its_cache(project):
    _edit(project / "src/zhengfa_trends/tokenize.py", "Segmenter.tokens")
    assert set(_rerun_reasons(project)) == {"segment_passages"}
    result = _snakemake(project, "results/tokens/stats.json")
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((project / "results/tokens/stats.json").read_text(encoding="utf-8"))
    assert (stats["segmented"], stats["reused"]) == (4, 0)


def test_the_cache_keys_follow_the_code_they_cache(tmp_path):
    package = tmp_path / "zhengfa_trends"
    shutil.copytree(REPO / "src/zhengfa_trends", package, ignore=shutil.ignore_patterns("__pycache__"))
    entries = ["zhengfa_trends.tokenize:segment_texts", "zhengfa_trends.tokenize:SegmentationCache"]
    before = code_digest(entries)
    script = f"from zhengfa_trends.codehash import code_digest; print(code_digest({entries!r}))"

    def digest_of_copy() -> str:
        env = {**os.environ, "PYTHONPATH": str(tmp_path)}
        command = [sys.executable, "-c", script]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout.strip()

    assert digest_of_copy() == before
    _edit(package / "features.py", "keyness_by_year")  # not segmentation code: same key
    assert digest_of_copy() == before
    _edit(package / "tokenize.py", "Segmenter.keep")
    assert digest_of_copy() != before
