"""Benchmark harness for issue 7 ("Performance and scale"): workflow vs. the one-script baseline.

Usage::

    python benchmarks/run.py --docs 2000 [--docs 20000] --out benchmarks/RESULTS.md [--workdir /tmp/zf-bench]

For every ``--docs N`` below ``--scale-threshold`` (a *comparison run*):

1. write a synthetic corpus with ``python -m zhengfa_trends.synthetic DIR --docs N``;
2. run ``benchmarks/baseline.py`` on it;
3. run the workflow on it with the same settings (``lda.k [10]``, one seed, ``lda.passes 5``,
   everything else the default) with ``snakemake --cores 2`` in a fresh copy of the project;
4. run ``snakemake --cores 2`` again (the no-op rerun).

Every ``--docs N`` at or above the threshold is a *scale run*: the workflow with the default
config (only the corpus is overridden), no baseline, ``--scale-timeout`` seconds at most, and only
if the smallest comparison run's workflow took less than ``--scale-gate`` seconds (``--force-scale``
runs it anyway).  Then the default five-document corpus is run cold with ``--cores all`` and again
as a no-op (unless ``--no-default-corpus``).

Wall times are ``time.perf_counter`` around each subprocess; peak memory is the largest single
process (``/usr/bin/time -v``, else ``getrusage(RUSAGE_CHILDREN)``) and the largest sum over the
process tree, sampled from ``/proc`` every 0.2 s.  Per-rule times and memory come from Snakemake's
benchmark files (``logs/benchmarks/**.tsv`` of the project copy).  The report is written to
``--out`` (Markdown) and next to it as JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().parent / "baseline.py"
PROJECT_PARTS = ("Snakefile", "workflow", "scripts", "config", "data/dictionaries")
PACKAGES = (
    "snakemake",
    "jieba",
    "gensim",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "opencc",
)
GNU_TIME = Path("/usr/bin/time")
SEED = 20240601  # the first of lda.seeds in config/config.yaml
K = 10
PASSES = 5
MIB = 1024 * 1024

# The targets.
TARGET_RATIO = 0.7
TARGET_THROUGHPUT = 2.5  # MB/s
TARGET_SCALE_WALL = 600.0  # s
TARGET_SCALE_RSS_GIB = 4.0
TARGET_DEFAULT_COLD = 60.0  # s
TARGET_NOOP = 5.0  # s


# --------------------------------------------------------------------------- measuring processes


@dataclass
class Measured:
    """One measured subprocess."""

    command: list[str]
    wall: float = float("nan")
    returncode: int | None = None
    timed_out: bool = False
    max_rss_mib: float | None = None  # largest single process
    rss_source: str = ""
    tree_peak_mib: float | None = None  # largest sampled sum over the process tree
    log: str = ""
    tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _ppid_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss_bytes(root: int) -> int:
    """Sum of the resident set sizes of ``root`` and all its descendants (shared pages counted twice)."""
    children = _ppid_map()
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total


class TreeSampler(threading.Thread):
    """Poll the RSS of a process tree until stopped; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(command: list[str], cwd: Path, log_path: Path, timeout: float | None = None) -> Measured:
    """Run ``command`` in ``cwd``; wall time, peak RSS, exit status; output goes to ``log_path``."""
    result = Measured(command=[str(c) for c in command], log=str(log_path))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    time_file = None
    full = list(result.command)
    if GNU_TIME.exists():
        handle, time_file = tempfile.mkstemp(prefix="zf-time-", suffix=".txt")
        os.close(handle)
        full = [str(GNU_TIME), "-v", "-o", time_file, *full]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(result.command) + f"\n# cwd: {cwd}\n")
        log.flush()
        start = time.perf_counter()
        process = subprocess.Popen(
            full, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            result.returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            result.returncode = process.returncode
        result.wall = time.perf_counter() - start
        sampler.stop()
    result.tree_peak_mib = sampler.peak / MIB if sampler.peak else None
    if time_file:
        text = Path(time_file).read_text(encoding="utf-8", errors="replace")
        Path(time_file).unlink(missing_ok=True)
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if match:
            result.max_rss_mib = int(match.group(1)) / 1024
            result.rss_source = "/usr/bin/time -v"
    if result.max_rss_mib is None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result.max_rss_mib = after / 1024
        result.rss_source = "getrusage(RUSAGE_CHILDREN)" + (" (upper bound)" if after == before else "")
    result.tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
    return result


# --------------------------------------------------------------------------- project and corpus


def project_copy(dest: Path, with_default_corpus: bool = False) -> Path:
    """A fresh copy of what a clone holds (like tests/test_workflow.py), optionally with data/corpus."""
    if dest.exists():
        shutil.rmtree(dest)
    parts = [*PROJECT_PARTS, "data/corpus"] if with_default_corpus else list(PROJECT_PARTS)
    for part in parts:
        source, target = REPO / part, dest / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return dest


def corpus_bytes(docs: Path) -> int:
    return sum(p.stat().st_size for p in docs.glob("*.txt"))


def snakemake_command(project: Path, cores: str, configfile: Path | None) -> list[str]:
    command = [sys.executable, "-m", "snakemake", "--cores", cores, "--snakefile", str(project / "Snakefile")]
    if configfile is not None:
        command += ["--configfile", str(configfile)]
    return [*command, "--directory", str(project)]


def read_rule_benchmarks(project: Path) -> list[dict]:
    """One row per Snakemake benchmark file of ``project`` (``logs/benchmarks/**.tsv``)."""
    rows = []
    root = project / "logs" / "benchmarks"
    for path in sorted(root.rglob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if not records:
            continue
        record = records[-1]
        relative = path.relative_to(root).with_suffix("")
        rule = relative.parts[0]
        wildcards = "/".join(relative.parts[1:])

        def number(key: str, record=record) -> float | None:
            try:
                return float(record[key])
            except (KeyError, TypeError, ValueError):
                return None

        rows.append(
            {
                "rule": rule,
                "wildcards": wildcards,
                "s": number("s"),
                "max_rss_mib": number("max_rss"),
                "max_uss_mib": number("max_uss"),
                "cpu_time": number("cpu_time"),
                "mean_load": number("mean_load"),
            }
        )
    return rows


def segmentation_details(project: Path) -> dict:
    """Characters and bytes of the passages that jieba saw, and how many workers segmented them."""
    details: dict = {}
    passages = project / "results" / "corpus" / "passages.tsv"
    if passages.is_file():
        with open(passages, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_MINIMAL)
            texts = [row.get("text") or "" for row in reader]
        details["passages"] = len(texts)
        details["passage_chars"] = sum(len(t) for t in texts)
        details["passage_bytes"] = sum(len(t.encode("utf-8")) for t in texts)
    log = project / "logs" / "segment_passages.log"
    if log.is_file():
        match = re.search(
            r"in (\d+) chunks on (\d+) workers", log.read_text(encoding="utf-8", errors="replace")
        )
        details["workers_used"] = int(match.group(2)) if match else 1
        details["chunks"] = int(match.group(1)) if match else 1
    return details


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    """One corpus and what was measured on it."""

    kind: str  # comparison | scale | default
    docs: int
    corpus_dir: str = ""
    corpus_mb: float = 0.0
    generate_s: float | None = None
    baseline: Measured | None = None
    baseline_phases: dict = field(default_factory=dict)
    workflow: Measured | None = None
    noop: Measured | None = None
    noop_nothing_to_do: bool | None = None
    rules: list[dict] = field(default_factory=list)
    segmentation: dict = field(default_factory=dict)
    skipped: str = ""

    def rule_seconds(self, rule: str) -> float | None:
        values = [r["s"] for r in self.rules if r["rule"] == rule and r["s"] is not None]
        return sum(values) if values else None

    @property
    def throughput(self) -> float | None:
        seconds = self.rule_seconds("segment_passages")
        return self.corpus_mb / seconds if seconds and self.corpus_mb else None


def generate_corpus(run: Run, workdir: Path, seed: int) -> Path:
    corpus = workdir / f"corpus-{run.docs}"
    command = [sys.executable, "-m", "zhengfa_trends.synthetic", str(corpus), "--docs", str(run.docs)]
    command += ["--seed", str(seed)]
    print(f"[{run.docs} docs] generating corpus in {corpus}", flush=True)
    generated = measure(command, workdir, workdir / "logs" / f"generate-{run.docs}.log")
    if not generated.ok:
        raise SystemExit(f"corpus generation failed:\n{generated.tail}")
    run.generate_s = generated.wall
    run.corpus_dir = str(corpus)
    run.corpus_mb = corpus_bytes(corpus / "docs") / 1e6
    return corpus


def run_workflow(
    run: Run, project: Path, cores: str, configfile: Path | None, workdir: Path, timeout
) -> None:
    tag = f"{run.kind}-{run.docs}"
    print(f"[{tag}] snakemake --cores {cores} in {project}", flush=True)
    command = snakemake_command(project, cores, configfile)
    run.workflow = measure(command, project, workdir / "logs" / f"{tag}-workflow.log", timeout=timeout)
    print(f"[{tag}] workflow: {run.workflow.wall:.1f} s, ok={run.workflow.ok}", flush=True)
    run.rules = read_rule_benchmarks(project)
    run.segmentation = segmentation_details(project)
    if run.workflow.ok:
        run.noop = measure(command, project, workdir / "logs" / f"{tag}-noop.log", timeout=300)
        text = Path(run.noop.log).read_text(encoding="utf-8", errors="replace")
        run.noop_nothing_to_do = "Nothing to be done" in text
        print(f"[{tag}] no-op rerun: {run.noop.wall:.1f} s", flush=True)


def comparison_run(docs: int, workdir: Path, cores: str, seed: int, corpus_seed: int) -> Run:
    run = Run(kind="comparison", docs=docs)
    corpus = generate_corpus(run, workdir, corpus_seed)
    out = workdir / f"baseline-{docs}"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(BASELINE),
        str(corpus / "docs"),
        "--metadata",
        str(corpus / "metadata.tsv"),
    ]
    command += ["--k", str(K), "--passes", str(PASSES), "--seed", str(seed)]
    command += ["--out", str(out / "topic_trends.png"), "--json", str(out / "timings.json")]
    print(f"[{docs} docs] baseline", flush=True)
    run.baseline = measure(command, workdir, workdir / "logs" / f"baseline-{docs}.log")
    print(f"[{docs} docs] baseline: {run.baseline.wall:.1f} s, ok={run.baseline.ok}", flush=True)
    if (out / "timings.json").is_file():
        run.baseline_phases = json.loads((out / "timings.json").read_text(encoding="utf-8"))
    project = project_copy(workdir / f"project-{docs}")
    override = {
        "corpus": {"dir": str(corpus / "docs"), "metadata": str(corpus / "metadata.tsv")},
        "lda": {"k": [K], "seeds": [seed], "passes": PASSES, "chosen_k": K},
    }
    configfile = project / "bench.yaml"
    configfile.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    run_workflow(run, project, cores, configfile, workdir, timeout=None)
    return run


def scale_run(docs: int, workdir: Path, cores: str, corpus_seed: int, timeout: float) -> Run:
    run = Run(kind="scale", docs=docs)
    corpus = generate_corpus(run, workdir, corpus_seed)
    project = project_copy(workdir / f"project-scale-{docs}")
    override = {"corpus": {"dir": str(corpus / "docs"), "metadata": str(corpus / "metadata.tsv")}}
    configfile = project / "bench.yaml"
    configfile.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    run_workflow(run, project, cores, configfile, workdir, timeout=timeout)
    return run


def default_corpus_run(workdir: Path) -> Run:
    run = Run(kind="default", docs=len(list((REPO / "data" / "corpus").glob("*.txt"))))
    run.corpus_dir = str(REPO / "data" / "corpus")
    run.corpus_mb = corpus_bytes(REPO / "data" / "corpus") / 1e6
    project = project_copy(workdir / "project-default", with_default_corpus=True)
    run_workflow(run, project, "all", None, workdir, timeout=1800)
    return run


# --------------------------------------------------------------------------- machine and report


def machine_info() -> dict:
    info: dict = {"nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.M)
        info["cpu"] = models[0].strip() if models else platform.processor() or "unknown"
        info["cpu_threads_listed"] = len(models)
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kib = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, flags=re.M).group(1))
        info["ram_gib"] = round(kib / MIB, 1)
    except (OSError, AttributeError):
        info["ram_gib"] = None
    info["python"] = platform.python_version()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    info["packages"] = versions
    git = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        [
            "git",
            "-C",
            str(REPO),
            "status",
            "--porcelain",
            "--",
            "src",
            "scripts",
            "workflow",
            "Snakefile",
            "config",
        ],
        capture_output=True,
        text=True,
    )
    info["commit"] = git.stdout.strip() or "unknown"
    info["dirty"] = bool(dirty.stdout.strip())
    date = subprocess.run(["date", "-u"], capture_output=True, text=True)
    info["date"] = date.stdout.strip() or dt.datetime.now(dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    return info


def _f(value, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**pass**" if ok else "**FAIL**")


def _peak_gib(measured: Measured | None) -> float | None:
    if measured is None:
        return None
    values = [v for v in (measured.tree_peak_mib, measured.max_rss_mib) if v is not None]
    return max(values) / 1024 if values else None


def _status(measured: Measured | None) -> str:
    if measured is None:
        return "not run"
    if measured.timed_out:
        return f"timed out after {measured.wall:.0f} s"
    return "ok" if measured.ok else f"failed (exit {measured.returncode})"


def targets_table(comparisons: list[Run], scales: list[Run], default: Run | None, cores: str) -> list[str]:
    lines = ["| measure | target | measured | verdict |", "|---|---|---|---|"]
    for run in comparisons:
        base, flow = run.baseline, run.workflow
        ratio = flow.wall / base.wall if base and flow and base.ok and flow.ok else None
        lines.append(
            f"| {run.docs:,} docs, full run K={K}, one seed, passes={PASSES}, --cores {cores} "
            f"| ≤ {TARGET_RATIO} × baseline wall time, same run "
            f"| workflow {_f(flow.wall if flow else None)} s / baseline {_f(base.wall if base else None)} s "
            f"= **{_f(ratio, 2)} ×** ({_status(flow)}) | {_verdict(None if ratio is None else ratio <= TARGET_RATIO)} |"
        )
    for run in comparisons + scales:
        tp = run.throughput
        lines.append(
            f"| segmentation throughput on {cores} cores ({run.docs:,} docs, {run.corpus_mb:.1f} MB) "
            f"| ≥ {TARGET_THROUGHPUT} MB/s "
            f"| {_f(tp, 2)} MB/s ({run.corpus_mb:.2f} MB / {_f(run.rule_seconds('segment_passages'), 2)} s) "
            f"| {_verdict(None if tp is None else tp >= TARGET_THROUGHPUT)} |"
        )
    for run in scales:
        flow = run.workflow
        if run.skipped or flow is None:
            measured, verdict = f"not run: {run.skipped}", "–"
        else:
            peak = _peak_gib(flow)
            ok = (
                flow.ok
                and flow.wall <= TARGET_SCALE_WALL
                and peak is not None
                and peak <= TARGET_SCALE_RSS_GIB
            )
            measured = f"{flow.wall / 60:.1f} min, peak RSS {_f(peak, 2)} GiB ({_status(flow)})"
            verdict = _verdict(ok)
        lines.append(
            f"| {run.docs:,} docs, full run default config "
            f"| ≤ {TARGET_SCALE_WALL / 60:.0f} min, peak RSS ≤ {TARGET_SCALE_RSS_GIB:.0f} GiB | {measured} | {verdict} |"
        )
    if not scales:
        lines.append(
            f"| 20,000 docs, full run default config | ≤ {TARGET_SCALE_WALL / 60:.0f} min, "
            f"peak RSS ≤ {TARGET_SCALE_RSS_GIB:.0f} GiB | not run (no --docs ≥ scale threshold) | – |"
        )
    if default is not None:
        cold, noop = default.workflow, default.noop
        cold_ok = cold.ok and cold.wall <= TARGET_DEFAULT_COLD if cold else None
        noop_ok = noop.ok and noop.wall <= TARGET_NOOP and bool(default.noop_nothing_to_do) if noop else None
        both = None if cold_ok is None or noop_ok is None else cold_ok and noop_ok
        lines.append(
            f"| default corpus cold run (--cores all) | ≤ {TARGET_DEFAULT_COLD:.0f} s; no-op rerun ≤ {TARGET_NOOP:.0f} s "
            f"| cold {_f(cold.wall if cold else None)} s ({_status(cold)}); "
            f"no-op {_f(noop.wall if noop else None)} s | {_verdict(both)} |"
        )
    for run in comparisons:
        noop = run.noop
        lines.append(
            f"| no-op rerun, {run.docs:,} docs (--cores {cores}) | ≤ {TARGET_NOOP:.0f} s "
            f"| {_f(noop.wall if noop else None)} s{'' if run.noop_nothing_to_do else ' (did work!)'} "
            f"| {_verdict(None if noop is None else noop.ok and noop.wall <= TARGET_NOOP)} |"
        )
    return lines


def rules_table(run: Run) -> list[str]:
    lines = [
        "| rule | wildcards | s | share of workflow wall | max_rss MiB | max_uss MiB | cpu_time s | mean_load % |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    wall = run.workflow.wall if run.workflow else None
    for row in sorted(run.rules, key=lambda r: -(r["s"] or 0)):
        share = f"{100 * row['s'] / wall:.0f} %" if wall and row["s"] is not None else "–"
        lines.append(
            f"| {row['rule']} | {row['wildcards'] or ''} | {_f(row['s'], 2)} | {share} | {_f(row['max_rss_mib'])} "
            f"| {_f(row['max_uss_mib'])} | {_f(row['cpu_time'], 2)} | {_f(row['mean_load'], 0)} |"
        )
    total = sum(r["s"] or 0 for r in run.rules)
    lines.append(f"| **sum of jobs** | | {_f(total, 2)} | | | | | |")
    return lines


def measured_line(name: str, measured: Measured | None) -> str:
    if measured is None:
        return f"| {name} | not run | | | |"
    return (
        f"| {name} | {_f(measured.wall, 2)} | {_f(measured.max_rss_mib)} | {_f(measured.tree_peak_mib)} "
        f"| {_status(measured)} |"
    )


def write_report(path: Path, info: dict, runs: list[Run], cores: str, workdir: Path, argv: list[str]) -> None:
    comparisons = [r for r in runs if r.kind == "comparison"]
    scales = [r for r in runs if r.kind == "scale"]
    default = next((r for r in runs if r.kind == "default"), None)
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    lines = [
        "# Benchmark results (issue 7, performance and scale)",
        "",
        "Written by `benchmarks/run.py` (see `benchmarks/README.md` for how to read it). Ratios are against the",
        "baseline (`benchmarks/baseline.py`) measured in the same run, on the same corpus.",
        "",
        f"- date: {info['date']}",
        f"- command: `python benchmarks/run.py {' '.join(argv)}` (work folder `{workdir}`)",
        f"- machine: {info['nproc']} CPUs (nproc), {info['cpu']}, {_f(info['ram_gib'])} GiB RAM, {info['platform']}",
        f"- Python {info['python']}; {packages}",
        f"- project commit {info['commit']}{' with uncommitted changes in src/workflow/scripts/config' if info['dirty'] else ''}",
        "",
        "## Targets",
        "",
        *targets_table(comparisons, scales, default, cores),
        "",
        "Peak RSS of the scale target is the larger of the biggest single process (`/usr/bin/time -v`) and the",
        "sampled sum over the whole process tree (which counts pages shared by forked workers twice).",
        "",
    ]
    for run in runs:
        if run.kind == "comparison":
            title = f"## {run.docs:,} synthetic documents: baseline vs workflow (K={K}, seed {SEED}, passes={PASSES})"
        elif run.kind == "scale":
            title = f"## {run.docs:,} synthetic documents: workflow, default config"
        else:
            title = f"## Default corpus (`data/corpus`, {run.docs} documents), cold, `--cores all`"
        lines += [title, ""]
        if run.skipped:
            lines += [f"Not run: {run.skipped}", ""]
            continue
        if run.kind != "default":
            lines.append(
                f"Corpus: `{run.corpus_dir}` ({run.docs:,} files, {run.corpus_mb:.2f} MB), written by "
                f"`python -m zhengfa_trends.synthetic` in {_f(run.generate_s)} s."
            )
        seg = run.segmentation
        if seg.get("passages"):
            lines.append(
                f"The workflow segmented {seg['passages']:,} passages ({seg['passage_chars']:,} characters, "
                f"{seg['passage_bytes'] / 1e6:.2f} MB of clean text) with {seg.get('workers_used', '?')} worker "
                f"process(es) in {seg.get('chunks', '?')} chunk(s)."
            )
        lines += [
            "",
            "| process | wall s | max RSS MiB (largest process) | peak RSS MiB (process tree, sampled) | status |",
            "|---|---:|---:|---:|---|",
        ]
        if run.baseline is not None:
            lines.append(measured_line("baseline.py (1 process)", run.baseline))
        cores_here = "all" if run.kind == "default" else cores
        lines.append(measured_line(f"snakemake --cores {cores_here}", run.workflow))
        lines.append(measured_line("snakemake no-op rerun", run.noop))
        lines.append("")
        phases = run.baseline_phases.get("phases")
        if phases:
            lines += [
                "Baseline phases (s): "
                + ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items())
                + f"; {run.baseline_phases.get('tokens', 0):,} tokens, vocabulary "
                f"{run.baseline_phases.get('vocabulary', 0):,}.",
                "",
            ]
        if run.rules:
            total = sum(r["s"] or 0 for r in run.rules)
            wall = run.workflow.wall if run.workflow else float("nan")
            lines += [
                f"Per rule (Snakemake benchmark files; a job's time includes its Python start-up and imports). "
                f"Jobs sum to {total:.1f} s of {wall:.1f} s wall with --cores {cores_here}.",
                "",
                *rules_table(run),
                "",
            ]
        if run.workflow is not None and not run.workflow.ok:
            lines += ["Last lines of the workflow log:", "", "```", run.workflow.tail, "```", ""]
    lines += [
        "## Caveats",
        "",
        "- The baseline segments whole documents with jieba's global tokenizer, fits TF-IDF and LDA on",
        "  documents with gensim's defaults (iterations 50, chunksize 2000, eval_every 10) and draws one",
        "  plot; the workflow also cleans text, cuts passages, filters tokens, fits LDA on passages",
        "  (iterations from config, default 400), bootstraps intervals and draws every figure of the",
        "  workflow in PNG and PDF (see the per-rule table for what ran).",
        "- The jieba dictionary cache (`jieba.cache` in the temp folder) and the OS file cache are warm",
        '  for every run; "cold" means a fresh project copy without `.snakemake/` or results.',
        "- Per-rule `s` is the wall time of the job including interpreter start-up; with two cores some",
        "  jobs run side by side, so the per-rule times add up to more than the critical path.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    payload = {"machine": info, "argv": argv, "runs": [asdict(r) for r in runs]}
    path.with_suffix(".json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Benchmark the workflow against the one-script baseline.")
    parser.add_argument(
        "--docs", type=int, action="append", help="synthetic corpus size (repeatable; default 2000)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/RESULTS.md"), help="Markdown report")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-bench"), help="scratch folder (reused)")
    parser.add_argument("--cores", default="2", help="--cores of the comparison and scale runs (default 2)")
    parser.add_argument("--seed", type=int, default=SEED, help="LDA seed of baseline and workflow")
    parser.add_argument("--corpus-seed", type=int, default=7, help="seed of the synthetic corpus")
    parser.add_argument(
        "--scale-threshold", type=int, default=10000, help="--docs from here on are scale runs"
    )
    parser.add_argument(
        "--scale-gate",
        type=float,
        default=60.0,
        help="run scale runs only if the smallest comparison workflow took less than this many seconds",
    )
    parser.add_argument("--force-scale", action="store_true", help="run scale runs whatever the gate says")
    parser.add_argument(
        "--scale-timeout", type=float, default=900.0, help="seconds before a scale run is stopped"
    )
    parser.add_argument("--no-default-corpus", action="store_true", help="skip the default-corpus cold run")
    args = parser.parse_args(argv)

    sizes = sorted(set(args.docs or [2000]))
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    info = machine_info()
    runs: list[Run] = []
    for docs in [n for n in sizes if n < args.scale_threshold]:
        runs.append(comparison_run(docs, workdir, args.cores, args.seed, args.corpus_seed))
        write_report(out, info, runs, args.cores, workdir, argv)
    if not args.no_default_corpus:
        runs.append(default_corpus_run(workdir))
        write_report(out, info, runs, args.cores, workdir, argv)
    comparison_walls = [r.workflow.wall for r in runs if r.kind == "comparison" and r.workflow]
    gate_wall = comparison_walls[0] if comparison_walls else None
    for docs in [n for n in sizes if n >= args.scale_threshold]:
        if not args.force_scale and (gate_wall is None or gate_wall >= args.scale_gate):
            reason = (
                f"the smallest comparison run's workflow took {_f(gate_wall)} s, not under "
                f"{args.scale_gate:.0f} s (use --force-scale to run it anyway)"
            )
            runs.append(Run(kind="scale", docs=docs, skipped=reason))
            print(f"[scale-{docs}] skipped: {reason}", flush=True)
        else:
            runs.append(scale_run(docs, workdir, args.cores, args.corpus_seed, args.scale_timeout))
        write_report(out, info, runs, args.cores, workdir, argv)
    write_report(out, info, runs, args.cores, workdir, argv)
    print(f"wrote {out} and {out.with_suffix('.json')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
