"""Fault injection on the real workflow: kills, Ctrl-C, a full disk, damaged caches (issue 14).

Every case runs Snakemake in a throw-away copy of the project and checks what a user would see:

* ``interrupt``: Ctrl-C (SIGINT to Snakemake's process group, as a terminal sends it) while ingest,
  segmentation or LDA is running: the run must end within a few seconds, release its lock and leave
  no process behind;
* ``kill``: ``SIGKILL`` of record_run (the job, or Snakemake's whole process group) at each of its
  writes, then ``--rerun-incomplete``: the records must equal those of an uninterrupted run;
* ``cache``: 4 KiB of garbage in the middle of a cache file, or altered entries: the results must
  equal a cold run's, with one warning naming the file;
* ``disk``: the results folder on a full (tiny tmpfs) file system: one ``zhengfa-trends:`` line
  naming the path, no traceback.

Usage::

    python benchmarks/faults.py [--tries 20] [--docs 1500] [--out benchmarks/FAULTS.md]

The report is a table: case, tries, passed, and the slowest stop after Ctrl-C.  The pytest suite runs
the same functions a few times each (tests/test_interrupts.py, tests/test_crash_records.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("Snakefile", "workflow", "scripts", "config", "data/dictionaries")
# The step each interrupt case stops, what to run before it, and the target that runs it.
INTERRUPT_STEPS = {
    "ingest": ("", "results/corpus/passages.tsv", "logs/ingest_corpus.log"),
    "segmentation": ("results/corpus/passages.tsv", "results/tokens/tokens.tsv", "logs/segment_passages.log"),
    "lda": ("results/tokens/tokens.tsv", "results/lda/k4/topics.tsv", "logs/fit_lda/k4.log"),
}


@dataclass
class Outcome:
    ok: bool
    seconds: float = 0.0
    detail: str = ""
    step_lasted: float | None = None  # set when the step ended before the interrupt was sent


@dataclass
class Tally:
    tries: int = 0
    passed: int = 0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.tries += 1
        self.passed += outcome.ok
        self.slowest = max(self.slowest, outcome.seconds)
        if not outcome.ok:
            self.failures.append(outcome.detail)


def snakemake(project: Path, *args: str, env=None, timeout=900) -> subprocess.CompletedProcess:
    """Snakemake in ``project`` (targets first: ``--configfile`` takes every value after it)."""
    command = [sys.executable, "-m", "snakemake", *args, "--cores", "2", "--configfile", "faults.yaml"]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=timeout, env=env, start_new_session=True
    )


def make_project(folder: Path, n_docs: int = 1500) -> Path:
    """A copy of the workflow with a synthetic corpus, two workers per step and no caches."""
    from zhengfa_trends.synthetic import make_corpus

    project = folder / "project"
    for part in PROJECT_PARTS:
        source, target = REPO / part, project / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    make_corpus(project / "synthetic", n_docs=n_docs)
    config = {
        "corpus": {
            "dir": "synthetic/docs",
            "metadata": "synthetic/metadata.tsv",
            "cache_dir": None,
            "workers": 2,
        },
        "segment": {"cache_dir": None, "workers": 2, "chunk_chars": 20000},
        "lda": {"k": [4], "seeds": [1], "passes": 30, "chosen_k": 4},
        "trends": {"bootstrap": 100},
    }
    (project / "faults.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return project


def session_processes(session: int) -> list[int]:
    """Ids of the live processes of a session (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            found.append(int(entry.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def interrupt_once(project: Path, step: str, delay: float, limit: float = 20.0) -> Outcome:
    """Start the run of ``step``, send Ctrl-C ``delay`` s after the step began, check how it ended."""
    before, target, log = INTERRUPT_STEPS[step]
    # --rerun-incomplete: an earlier interrupt of this or the previous step leaves its outputs
    # marked incomplete (that try had found them complete); Snakemake refuses to go on without it,
    # as it tells a user after a Ctrl-C.
    if before and not (project / before).exists():
        result = snakemake(project, before, "--rerun-incomplete")
        if result.returncode != 0:
            return Outcome(False, 0, f"preparing {step}: {result.stderr[-500:]}")
    log_path = project / log
    log_path.unlink(missing_ok=True)
    (project / target).unlink(missing_ok=True)  # the step must run
    # faulthandler: a run that does not stop is made to print where each of its threads waits
    command = [sys.executable, "-X", "faulthandler", "-m", "snakemake", target]
    command += ["--cores", "2", "--rerun-incomplete", "--configfile", "faults.yaml"]
    stderr_path = project / "interrupt.stderr"
    with open(stderr_path, "wb") as stderr_file:
        process = subprocess.Popen(
            command,
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
            start_new_session=True,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if log_path.is_file() and "step started" in log_path.read_text(encoding="utf-8", errors="replace"):
            break
        time.sleep(0.05)
    if process.poll() is not None:
        stderr = stderr_path.read_text(encoding="utf-8", errors="replace")[-600:]
        return Outcome(False, 0, f"{step}: the run ended before it could be interrupted: {stderr}")
    started = time.monotonic()
    while time.monotonic() - started < delay and process.poll() is None:
        time.sleep(0.01)
    if process.poll() is not None:
        lasted = time.monotonic() - started
        return Outcome(
            False, 0, f"{step}: the step ended within {lasted:.1f} s (a larger corpus is needed)", lasted
        )
    os.killpg(process.pid, signal.SIGINT)
    sent = time.monotonic()
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        left = session_processes(process.pid)
        commands = [_command_line(pid) for pid in left]
        for pid in left:  # each prints where its threads wait (PYTHONFAULTHANDLER)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGABRT)
        time.sleep(2)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        snakemake(project, "--unlock")
        text = stderr_path.read_text(encoding="utf-8", errors="replace")
        stack = "\n".join(line for line in text.splitlines() if not line.startswith("Extension modules"))
        return Outcome(
            False, limit, f"{step}: still running {limit:.0f} s after Ctrl-C ({commands}): {stack[-6000:]}"
        )
    seconds = time.monotonic() - sent
    stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
    time.sleep(0.5)  # workers killed by the kernel are reaped by init
    left = session_processes(process.pid)
    if left:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return Outcome(False, seconds, f"{step}: {len(left)} processes left behind")
    locks = list((project / ".snakemake" / "locks").glob("*"))
    if locks:
        return Outcome(False, seconds, f"{step}: the lock was left behind ({stderr[-300:]})")
    return Outcome(True, seconds)


def interrupt_trials(project: Path, step: str, tries: int, seed: int = 0) -> Tally:
    """``tries`` interrupts of ``step`` at random moments in its first two seconds.

    On a machine fast enough to finish the step before the chosen moment, the try is repeated (twice
    at most) at a moment within the first half of the step as it just lasted, so the interrupt still
    lands inside the step; a step shorter than 0.3 s is reported, not retried.
    """
    rng = random.Random(seed)
    tally = Tally()
    for _ in range(tries):
        outcome = interrupt_once(project, step, rng.uniform(0.2, 2.0))
        for _retry in range(2):
            if outcome.ok or outcome.step_lasted is None or outcome.step_lasted < 0.3:
                break
            outcome = interrupt_once(project, step, rng.uniform(0.1, 0.5 * outcome.step_lasted))
        tally.add(outcome)
    return tally


def kill_trials(project: Path, points: range, tries: int) -> Tally:
    """record_run killed at each write (job and whole group), resumed, records compared."""
    from zhengfa_trends.faults import ENVIRONMENT_VARIABLE

    tally = Tally()
    if snakemake(project).returncode != 0:
        tally.add(Outcome(False, 0, "the first run failed"))
        return tally
    reference = project.parent / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    shutil.copytree(project, reference, symlinks=True)
    _make_earlier_state(reference)
    pristine = project.parent / "pristine"
    shutil.rmtree(pristine, ignore_errors=True)
    shutil.copytree(reference, pristine, symlinks=True)
    assert snakemake(reference, "--forcerun", "record_run").returncode == 0
    names = ("results/changes.tsv", "results/provenance.json", "results/figures/README.md")
    expected = {name: (reference / name).read_bytes() for name in names}
    for _ in range(tries):
        for point in points:
            for scope in ("job", "group"):
                trial = project.parent / "trial"
                shutil.rmtree(trial, ignore_errors=True)
                shutil.copytree(pristine, trial, symlinks=True)
                env = {
                    **os.environ,
                    ENVIRONMENT_VARIABLE: f"record_run:{point}" + (":group" if scope == "group" else ""),
                }
                killed = snakemake(trial, "--forcerun", "record_run", env=env)
                if scope == "group":
                    snakemake(trial, "--unlock")
                resumed = snakemake(trial, "--rerun-incomplete")
                same = resumed.returncode == 0 and all((trial / n).read_bytes() == expected[n] for n in names)
                tally.add(
                    Outcome(killed.returncode != 0 and same, 0, f"kill at record_run:{point} ({scope})")
                )
    return tally


def _make_earlier_state(project: Path) -> None:
    """Make the stored state that of a smaller earlier run (one document fewer), so there is a change."""
    import pandas as pd

    history = project / "results/history"
    state = history / (history / "CURRENT").read_text(encoding="utf-8").strip()
    (state / "run.json").write_text('{"state": "earlier"}', encoding="utf-8")
    documents = pd.read_csv(state / "documents.tsv", sep="\t", dtype=str, keep_default_na=False)
    documents.iloc[1:].to_csv(state / "documents.tsv", sep="\t", index=False)


def cache_trials(project: Path, tries: int) -> Tally:
    """Garbage in the middle of each cache file, then altered entries: results equal a cold run's."""
    import sqlite3

    tally = Tally()
    config = yaml.safe_load((project / "faults.yaml").read_text(encoding="utf-8"))
    config["corpus"]["cache_dir"] = "results/cache/clean"
    config["segment"]["cache_dir"] = "results/cache/segment"
    (project / "faults.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    target = "results/trends/theme_share_by_year.tsv"
    if snakemake(project, target).returncode != 0:
        tally.add(Outcome(False, 0, "the cold run failed"))
        return tally
    cold = (project / target).read_bytes()
    caches = [
        project / "results/cache/clean/documents.sqlite",
        project / "results/cache/segment/tokens.sqlite",
    ]
    rng = random.Random(1)
    for attempt in range(tries):
        for path in caches:
            if attempt % 2 == 0:
                size = path.stat().st_size
                with open(path, "r+b") as handle:
                    handle.seek(rng.randrange(size // 4, 3 * size // 4) // 4096 * 4096)
                    handle.write(os.urandom(4096))
                how = "4 KiB of garbage"
            else:
                connection = sqlite3.connect(path)
                with connection:
                    connection.execute(
                        "UPDATE entries SET payload = replace(payload, '政法', '攻法') "
                        "WHERE rowid IN (SELECT rowid FROM entries ORDER BY random() LIMIT 20)"
                    )
                connection.close()
                how = "20 altered entries"
            result = snakemake(project, target, "--forcerun", "ingest_corpus")
            warned = str(path.relative_to(project)) in result.stderr or str(path) in result.stderr
            same = result.returncode == 0 and (project / target).read_bytes() == cold
            tally.add(Outcome(same and warned, 0, f"{how} in {path.name}: {result.stderr[-300:]}"))
    return tally


def disk_trials(project: Path, tries: int) -> Tally:
    """The results folder on a 256 KiB tmpfs (a private mount namespace): one line, no traceback."""
    tally = Tally()
    if shutil.which("unshare") is None:
        return tally
    for _ in range(tries):
        shutil.rmtree(project / "results", ignore_errors=True)
        (project / "results").mkdir()
        script = (
            "mount -t tmpfs -o size=256k tmpfs results && "
            f"{sys.executable} -m snakemake results/corpus/passages.tsv --cores 2 --configfile faults.yaml"
        )
        result = subprocess.run(
            ["unshare", "-rm", "sh", "-c", script], cwd=project, capture_output=True, text=True, timeout=600
        )
        lines = [line for line in result.stderr.splitlines() if line.startswith("zhengfa-trends:")]
        ok = (
            result.returncode != 0
            and len(lines) == 1
            and "results/" in lines[0]
            and "Traceback" not in result.stderr
        )
        tally.add(Outcome(ok, 0, f"full disk: {result.stderr[-400:]}"))
    return tally


def report(tallies: dict[str, Tally], n_docs: int) -> str:
    lines = [
        "# Fault injection (benchmarks/faults.py)",
        "",
        f"Synthetic corpus of {n_docs} documents, 2 workers per step, 2 cores.  "
        "`slowest stop`: seconds from Ctrl-C to Snakemake's exit.",
        "",
        "| case | tries | passed | slowest stop (s) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, tally in tallies.items():
        slowest = f"{tally.slowest:.1f}" if name.startswith("interrupt") else ""
        lines.append(f"| {name} | {tally.tries} | {tally.passed} | {slowest} |")
    failures = [
        f"- {name}: {' '.join(detail.split())[:400]}" for name, t in tallies.items() for detail in t.failures
    ]
    if failures:
        lines += ["", "Failures:", "", *failures]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=20, help="interrupts per step, kills per point")
    parser.add_argument("--docs", type=int, default=1500)
    parser.add_argument("--cases", default="interrupt,kill,cache,disk")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "FAULTS.md")
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(prefix="zhengfa-faults-") as scratch:
        project = make_project(Path(scratch), args.docs)
        if "interrupt" in cases:
            for step in INTERRUPT_STEPS:
                tallies[f"interrupt {step}"] = interrupt_trials(project, step, args.tries)
                print(step, tallies[f"interrupt {step}"], flush=True)
        if "kill" in cases:
            tallies["kill record_run at each write"] = kill_trials(
                project, range(1, 7), max(1, args.tries // 10)
            )
            print("kill", tallies["kill record_run at each write"], flush=True)
        if "cache" in cases:
            tallies["damaged cache"] = cache_trials(project, max(2, args.tries // 5))
            print("cache", tallies["damaged cache"], flush=True)
        if "disk" in cases:
            tallies["full disk"] = disk_trials(project, max(1, args.tries // 10))
            print("disk", tallies["full disk"], flush=True)
    text = report(tallies, args.docs)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(t.passed == t.tries for t in tallies.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
