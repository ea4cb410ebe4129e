"""Interrupts that end (issue 14): Ctrl-C — SIGINT to the whole process group, as a terminal sends
it — stops a step within seconds, leaves no worker behind and, in a workflow run, releases
Snakemake's lock.  The default run interrupts each step once; ``-m faults`` (and
``benchmarks/faults.py``, 20 tries each) many times."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import faults  # noqa: E402  (benchmarks/faults.py: the fault-injection harness)

# The step takes Ctrl-C as a terminal's foreground process does, whoever started the test: a shell
# that starts a command in the background (`cmd &` without job control) makes it ignore SIGINT, and
# Python then installs no KeyboardInterrupt handler.
POOL_RUN = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from zhengfa_trends.workers import ordered_map

def slow(item):
    time.sleep(0.2)
    return item

print("started", flush=True)
for item in ordered_map(slow, range(10000), 2):
    pass
"""


def test_ctrl_c_kills_the_worker_pool_at_once():
    process = subprocess.Popen(
        [sys.executable, "-c", POOL_RUN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 30
    while len(faults.session_processes(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the step and its two workers
    assert len(faults.session_processes(process.pid)) >= 3
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=10)  # without the pool's clean-up: 10,000 tasks × 0.2 s / 2 workers
    assert process.returncode != 0
    assert "KeyboardInterrupt" in process.stderr.read()
    time.sleep(0.5)
    assert faults.session_processes(process.pid) == []  # no worker left behind


BIG_RESULTS_RUN = POOL_RUN.replace(
    "    time.sleep(0.2)\n    return item", '    return "政法" * 2_000_000  # 12 MB: sent in many writes'
)


def test_ctrl_c_while_workers_send_large_results_ends():
    """A worker killed halfway through sending a result must not leave the step waiting at exit."""
    for delay in (0.3, 0.6, 0.9):
        process = subprocess.Popen(
            [sys.executable, "-c", BIG_RESULTS_RUN],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        assert process.stdout.readline().strip() == "started"
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        assert process.returncode != 0
        assert faults.session_processes(process.pid) == []


def test_workers_die_with_a_killed_step():
    process = subprocess.Popen(
        [sys.executable, "-c", POOL_RUN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 30
    while len(faults.session_processes(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # the step only: its workers must not outlive it
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while faults.session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert faults.session_processes(process.pid) == []


@pytest.fixture(scope="module")
def synthetic_project(tmp_path_factory) -> Path:
    return faults.make_project(tmp_path_factory.mktemp("interrupts"), n_docs=1500)


STEPS = list(faults.INTERRUPT_STEPS)


@pytest.mark.workflow
@pytest.mark.parametrize("step", STEPS)
def test_ctrl_c_during_a_step_stops_the_run_and_releases_the_lock(synthetic_project, step):
    tally = faults.interrupt_trials(synthetic_project, step, tries=1, seed=STEPS.index(step))
    assert tally.failures == []
    assert tally.slowest < 20


@pytest.mark.workflow
@pytest.mark.faults
@pytest.mark.parametrize("step", STEPS)
def test_twenty_interrupts_of_each_step_all_end(synthetic_project, step):
    tally = faults.interrupt_trials(synthetic_project, step, tries=20, seed=100 + STEPS.index(step))
    assert tally.failures == []
