"""The workflow through a live SLURM cluster (profiles/slurm) gives the bytes of a local run.

Runs when ``sinfo`` answers. Where it does not, but Debian's ``slurm-wlm`` and ``munge`` are
installed and we are root, the single-node cluster of ``profiles/slurm/local-cluster.sh`` is
started for the test and stopped after it. Otherwise the test is skipped, with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_workflow import _hashes, _project_copy

REPO = Path(__file__).resolve().parents[1]
CLUSTER_SCRIPT = REPO / "profiles" / "slurm" / "local-cluster.sh"
pytestmark = [pytest.mark.slurm, pytest.mark.workflow]

SLURM_ARGS = ("--profile", "profiles/slurm", "--set-scatter", "shard=3")
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+)")
JOB_BLOCK = re.compile(r"^(localrule|rule) (\w+):\n(?:    .*\n)*?    jobid: (\d+)$", re.MULTILINE)


@pytest.fixture(scope="module", autouse=True)
def _machine_slurm_conf(machine_slurm_conf):
    """The SLURM configuration of the machine, not the empty one of the other tests (conftest)."""
    with pytest.MonkeyPatch.context() as patch:
        if machine_slurm_conf is None:
            patch.delenv("SLURM_CONF", raising=False)
        else:
            patch.setenv("SLURM_CONF", machine_slurm_conf)
        yield


def _node_ready() -> bool:
    """sinfo answers and lists a node that takes jobs."""
    if shutil.which("sinfo") is None:
        return False
    try:
        result = subprocess.run(
            ["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return False
    states = result.stdout.split()
    return result.returncode == 0 and any(s in {"idle", "mixed", "allocated"} for s in states)


@pytest.fixture(scope="module")
def slurm_cluster():
    """A SLURM cluster that answers: the running one, or the local one started here (and stopped)."""
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip('snakemake-executor-plugin-slurm is not installed (pip install -e ".[slurm]")')
    started = False
    if not _node_ready():
        daemons = ("munged", "slurmctld", "slurmd")
        if not all(shutil.which(name) for name in daemons) or os.geteuid() != 0:
            pytest.skip(
                "no SLURM cluster answers sinfo, and the local one needs root and "
                "'apt-get install slurm-wlm munge' (then profiles/slurm/local-cluster.sh start)"
            )
        result = subprocess.run(
            ["bash", str(CLUSTER_SCRIPT), "start"], capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stdout + result.stderr
        started = True
    yield
    if started:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop"], capture_output=True, text=True, timeout=180)


def _project_with_profile(tmp_path: Path) -> Path:
    """The tiny project of test_workflow with the profile, and two seeds (a fit_lda_seed job per K)."""
    project = _project_copy(tmp_path)
    shutil.copytree(REPO / "profiles", project / "profiles")
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["lda"]["seeds"] = [7, 8]
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return project


def _run(project: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--configfile", "tiny.yaml", *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory) -> Path:
    project = _project_with_profile(tmp_path_factory.mktemp("local"))
    result = _run(project, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, tmp_path_factory) -> tuple[Path, str]:
    project = _project_with_profile(tmp_path_factory.mktemp("slurm"))
    # The profile as a user runs it, with 3 segmentation shards; only the first status check comes
    # sooner (tiny jobs).
    result = _run(project, *SLURM_ARGS, "--slurm-init-seconds-before-status-checks", "2")
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    return project, log


def test_every_job_but_the_target_went_through_sbatch(slurm_run):
    _, log = slurm_run
    blocks = JOB_BLOCK.findall(log)
    local = {rule for kind, rule, _ in blocks if kind == "localrule"}
    remote = {int(jobid): rule for kind, rule, jobid in blocks if kind == "rule"}
    submitted = {int(job): int(slurm_id) for job, slurm_id in SUBMITTED.findall(log)}
    assert local == {"all", "start_history"}  # the history folder's marker: a localrule (record.smk)
    rules = list(remote.values())
    assert rules.count("segment_passages") == 3  # one job per shard
    assert rules.count("fit_lda") == 2 and rules.count("fit_lda_seed") == 2  # K 2 and 3, seeds 7 and 8
    assert {"ingest_corpus", "gather_tokens", "summarise_topics", "plot_topic_figures", "record_run"} <= set(
        rules
    )
    assert set(submitted) == set(remote)
    assert len(set(submitted.values())) == len(submitted)  # one SLURM job per Snakemake job


def test_squeue_reports_every_job_completed(slurm_run):
    _, log = slurm_run
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    slurm_ids = {slurm_id for _, slurm_id in SUBMITTED.findall(log)}
    # No accounting here (no sacct history): squeue keeps finished jobs for MinJobAge seconds.
    result = subprocess.run(
        ["squeue", "--states=all", "--noheader", f"--name={run_id}", "--format=%i|%T"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    states = dict(line.split("|") for line in result.stdout.split())
    assert set(states) == slurm_ids
    assert set(states.values()) == {"COMPLETED"}


def test_outputs_are_byte_identical_to_a_local_run(slurm_run, local_run):
    project, _ = slurm_run
    on_slurm, local = _hashes(project / "results"), _hashes(local_run / "results")
    assert len(local) >= 40
    assert on_slurm == local


def test_rerun_through_slurm_has_nothing_to_do(slurm_run):
    project, _ = slurm_run
    result = _run(project, *SLURM_ARGS, "-n")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing to be done" in result.stdout + result.stderr
