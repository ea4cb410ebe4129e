"""Benchmark harness for issue 7 ("Performance and scale"): workflow vs. the one-script baseline.

Usage::

    python benchmarks/run.py --docs 2000 [--docs 20000] --out benchmarks/RESULTS.md [--workdir /tmp/zf-bench]

For every ``--docs N`` below ``--scale-threshold`` (a *comparison run*):

1. write a synthetic corpus with ``python -m zhengfa_trends.synthetic DIR --docs N``;
2. run ``benchmarks/baseline.py`` on it;
3. run the workflow on it with the same settings (``lda.k [10]``, one seed, ``lda.passes 5``,
   everything else the default) with ``snakemake --cores 2`` in a fresh copy of the project;
   (2 and 3 are repeated ``--repeat`` times in turn; the fastest of each is compared);
4. run ``snakemake --cores 2`` again (the no-op rerun).

Then the default five-document corpus is run cold with ``--cores all`` and again as a no-op
(unless ``--no-default-corpus``).  Every ``--docs N`` at or above the threshold is a *scale run*:
the workflow with the default config (only the corpus is overridden), no baseline,
``--scale-timeout`` seconds at most, and only if the smallest comparison run's workflow succeeded in
less than ``--scale-gate`` seconds (``--force-scale`` runs it anyway).

Wall times are ``time.perf_counter`` around each subprocess; peak memory is the largest single
process (``/usr/bin/time -v``, else ``getrusage(RUSAGE_CHILDREN)``) and the largest sum over the
process tree, sampled from ``/proc`` every 0.2 s; the CPU time of the tree (``RUSAGE_CHILDREN``) is
set against the machine's busy time (``/proc/stat``) to show how much other processes ran
meanwhile.  Per-rule times and memory come from Snakemake's benchmark files
(``logs/benchmarks/**.tsv`` of the project copy).  The report is written to ``--out`` (Markdown)
and next to it as JSON.
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
from pathlib import Path

import yaml

from zhengfa_trends.provenance import TRACKED_PACKAGES, package_version

REPO = Path(__file__).resolve().parents[1]
# What is benchmarked: the working tree (default), or a snapshot of a commit (--ref), whose src/ is
# put first on PYTHONPATH of every subprocess so that it shadows the editable install.
SOURCE = REPO
CHILD_ENV: dict[str, str] | None = None
BASELINE = Path(__file__).resolve().parent / "baseline.py"
# Body sentences per synthetic document. 45-105 of the generator's sentences make about 7 kB per
# document: 2,000 documents are about 14 MB and 20,000 about 140 MB, the corpus sizes the issue's
# targets are stated for (set by --sentences).
SENTENCES = (45, 105)
# --corpus: benchmark this existing corpus folder instead of generating one (comparison runs only).
EXTERNAL_CORPUS: Path | None = None
PROJECT_PARTS = ("Snakefile", "workflow", "scripts", "config", "data/dictionaries")
GNU_TIME = Path("/usr/bin/time")


def default_seed() -> int:
    """The first of ``lda.seeds`` in config/config.yaml (the seed of the reported model)."""
    config = yaml.safe_load((SOURCE / "config" / "config.yaml").read_text(encoding="utf-8"))
    return int(config["lda"]["seeds"][0])


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
    cpu_s: float | None = None  # user + system CPU seconds of the process and its descendants
    machine_busy_s: float | None = None  # CPU seconds the whole machine was busy meanwhile
    log: str = ""
    tail: str = ""
    started_at: float | None = None  # epoch seconds at launch (for the job timeline)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def other_cpu_s(self) -> float | None:
        """CPU seconds used by processes outside the measured tree while it ran."""
        if self.cpu_s is None or self.machine_busy_s is None:
            return None
        return max(0.0, self.machine_busy_s - self.cpu_s)

    @property
    def other_load(self) -> float | None:
        """Share of the machine (all CPUs over the wall time) used by other processes."""
        other, cpus = self.other_cpu_s, os.cpu_count() or 1
        return other / (self.wall * cpus) if other is not None and self.wall > 0 else None


def machine_busy_seconds() -> float | None:
    """CPU seconds the machine has been busy (all CPUs; /proc/stat without idle and iowait)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


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
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage_before.ru_maxrss
    busy_before = machine_busy_seconds()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(result.command) + f"\n# cwd: {cwd}\n")
        log.flush()
        start = time.perf_counter()
        result.started_at = time.time()
        process = subprocess.Popen(
            full, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=CHILD_ENV
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
        busy_after = machine_busy_seconds()
        sampler.stop()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.cpu_s = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    if busy_before is not None and busy_after is not None:
        result.machine_busy_s = busy_after - busy_before
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
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
    result.tail = "\n".join(line if len(line) <= 300 else line[:300] + " …" for line in lines)
    return result


# --------------------------------------------------------------------------- project and corpus


def project_copy(dest: Path, with_default_corpus: bool = False) -> Path:
    """A fresh copy of what a clone holds (like tests/test_workflow.py), optionally with data/corpus."""
    if dest.exists():
        shutil.rmtree(dest)
    parts = [*PROJECT_PARTS, "data/corpus"] if with_default_corpus else list(PROJECT_PARTS)
    for part in parts:
        source, target = SOURCE / part, dest / part
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
    stats = project / "results" / "tokens" / "stats.json"
    if stats.is_file():
        counts = json.loads(stats.read_text(encoding="utf-8"))
        details["documents_segmented"] = counts.get("segmented")
        details["documents_from_cache"] = counts.get("reused")
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
    lda_seed: int | None = None
    unbenchmarked: list[str] = field(default_factory=list)  # rules that ran without a benchmark file
    timeline: list[dict] = field(default_factory=list)  # per job: log, started, finished (s after launch)
    attempts: list[dict] = field(default_factory=list)  # every repetition of a comparison run
    best_project: str = ""

    def rule_seconds(self, rule: str) -> float | None:
        values = [r["s"] for r in self.rules if r["rule"] == rule and r["s"] is not None]
        return sum(values) if values else None

    @property
    def throughput(self) -> float | None:
        seconds = self.rule_seconds("segment_passages")
        return self.corpus_mb / seconds if seconds and self.corpus_mb else None


def generate_corpus(run: Run, workdir: Path, seed: int) -> Path:
    if EXTERNAL_CORPUS is not None:
        # --corpus: an existing corpus (docs/ and metadata.tsv), e.g. one written by another generator
        run.corpus_dir = str(EXTERNAL_CORPUS)
        run.corpus_mb = corpus_bytes(EXTERNAL_CORPUS / "docs") / 1e6
        return EXTERNAL_CORPUS
    corpus = workdir / f"corpus-{run.docs}"
    command = [sys.executable, "-m", "zhengfa_trends.synthetic", str(corpus), "--docs", str(run.docs)]
    command += [
        "--seed",
        str(seed),
        "--min-sentences",
        str(SENTENCES[0]),
        "--max-sentences",
        str(SENTENCES[1]),
    ]
    print(f"[{run.docs} docs] generating corpus in {corpus}", flush=True)
    generated = measure(command, workdir, workdir / "logs" / f"generate-{run.docs}.log")
    if not generated.ok:
        raise SystemExit(f"corpus generation failed:\n{generated.tail}")
    run.generate_s = generated.wall
    run.corpus_dir = str(corpus)
    run.corpus_mb = corpus_bytes(corpus / "docs") / 1e6
    return corpus


def run_workflow(
    run: Run, project: Path, cores: str, configfile: Path | None, workdir: Path, timeout, tag: str = ""
) -> Measured:
    """Run the workflow in ``project``; keep its measurements, rule benchmarks and segmentation facts."""
    tag = tag or f"{run.kind}-{run.docs}"
    print(f"[{tag}] snakemake --cores {cores} in {project}", flush=True)
    command = snakemake_command(project, cores, configfile)
    measured = measure(command, project, workdir / "logs" / f"{tag}-workflow.log", timeout=timeout)
    print(f"[{tag}] workflow: {measured.wall:.1f} s, ok={measured.ok}", flush=True)
    run.workflow = measured
    run.rules = read_rule_benchmarks(project)
    run.timeline = job_timeline(project, measured.started_at)
    run.segmentation = segmentation_details(project)
    ran = set(re.findall(r"^\s*(?:local)?rule (\w+):", Path(measured.log).read_text(encoding="utf-8"), re.M))
    run.unbenchmarked = sorted(ran - {r["rule"] for r in run.rules} - {"all"})
    return measured


LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


def job_timeline(project: Path, launched: float | None) -> list[dict]:
    """When each job's step ran, in seconds after Snakemake was launched, from the job logs.

    Every workflow script logs "step started" after its imports and "step finished" at the end
    (``zhengfa_trends.log.run_script``), with millisecond timestamps.
    """
    if launched is None:
        return []
    rows = []
    for log_file in sorted((project / "logs").rglob("*.log")):
        if "benchmarks" in log_file.parts:
            continue
        stamps = [
            m.group(1) for m in map(LOG_TIME.match, log_file.read_text(encoding="utf-8").splitlines()) if m
        ]
        if not stamps:
            continue
        first, last = (
            dt.datetime.strptime(t, "%Y-%m-%d %H:%M:%S,%f").timestamp() for t in (stamps[0], stamps[-1])
        )
        rows.append(
            {
                "job": str(log_file.relative_to(project / "logs").with_suffix("")),
                "started": first - launched,
                "finished": last - launched,
            }
        )
    return sorted(rows, key=lambda row: row["started"])


def timeline_table(run: Run) -> list[str]:
    """Markdown rows of the job timeline (see :func:`job_timeline`)."""
    if not run.timeline:
        return []
    lines = [
        "Job timeline (from the job logs: a step starts after its script's imports; seconds after "
        "Snakemake was launched):",
        "",
        "| job | step started | step finished | step s |",
        "|---|---:|---:|---:|",
    ]
    for row in run.timeline:
        lines.append(
            f"| {row['job']} | {row['started']:.2f} | {row['finished']:.2f} | "
            f"{row['finished'] - row['started']:.2f} |"
        )
    return [*lines, ""]


def run_noop(
    run: Run, project: Path, cores: str, configfile: Path | None, workdir: Path, tag: str = ""
) -> None:
    """The same snakemake command again in a finished project: it should do nothing."""
    tag = tag or f"{run.kind}-{run.docs}"
    command = snakemake_command(project, cores, configfile)
    run.noop = measure(command, project, workdir / "logs" / f"{tag}-noop.log", timeout=300)
    text = Path(run.noop.log).read_text(encoding="utf-8", errors="replace")
    run.noop_nothing_to_do = "Nothing to be done" in text
    print(f"[{tag}] no-op rerun: {run.noop.wall:.1f} s", flush=True)


def comparison_run(docs: int, workdir: Path, cores: str, seed: int, corpus_seed: int, repeat: int = 1) -> Run:
    """Baseline and workflow on the same corpus, ``repeat`` times in turn; the fastest of each is kept."""
    run = Run(kind="comparison", docs=docs, lda_seed=seed)
    corpus = generate_corpus(run, workdir, corpus_seed)
    override = {
        "corpus": {"dir": str(corpus / "docs"), "metadata": str(corpus / "metadata.tsv")},
        "lda": {"k": [K], "seeds": [seed], "passes": PASSES, "chosen_k": K},
    }
    best_baseline: tuple[Measured, dict] | None = None
    best_workflow: tuple[Measured, dict, Path] | None = None
    for attempt in range(1, repeat + 1):
        suffix = f"-r{attempt}" if repeat > 1 else ""
        out = workdir / f"baseline-{docs}{suffix}"
        out.mkdir(parents=True, exist_ok=True)
        (out / "timings.json").unlink(missing_ok=True)
        command = [
            sys.executable,
            str(BASELINE),
            str(corpus / "docs"),
            "--metadata",
            str(corpus / "metadata.tsv"),
        ]
        command += ["--k", str(K), "--passes", str(PASSES), "--seed", str(seed)]
        command += ["--out", str(out / "topic_trends.png"), "--json", str(out / "timings.json")]
        print(f"[{docs} docs{suffix}] baseline", flush=True)
        baseline = measure(command, workdir, workdir / "logs" / f"baseline-{docs}{suffix}.log")
        print(f"[{docs} docs{suffix}] baseline: {baseline.wall:.1f} s, ok={baseline.ok}", flush=True)
        timings = out / "timings.json"
        phases = json.loads(timings.read_text(encoding="utf-8")) if timings.is_file() else {}
        if best_baseline is None or (
            baseline.ok and not (best_baseline[0].ok and best_baseline[0].wall <= baseline.wall)
        ):
            best_baseline = (baseline, phases)

        project = project_copy(workdir / f"project-{docs}{suffix}")
        configfile = project / "bench.yaml"
        configfile.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
        scratch = Run(kind="comparison", docs=docs)
        flow = run_workflow(
            scratch, project, cores, configfile, workdir, None, tag=f"comparison-{docs}{suffix}"
        )
        details = {
            "rules": scratch.rules,
            "segmentation": scratch.segmentation,
            "unbenchmarked": scratch.unbenchmarked,
            "timeline": scratch.timeline,
        }
        if best_workflow is None or (
            flow.ok and not (best_workflow[0].ok and best_workflow[0].wall <= flow.wall)
        ):
            best_workflow = (flow, details, project)
        run.attempts.append({"attempt": attempt, "baseline": baseline, "workflow": flow})

    run.baseline, run.baseline_phases = best_baseline
    run.workflow, details, project = best_workflow
    run.rules, run.segmentation, run.unbenchmarked, run.timeline = (
        details["rules"],
        details["segmentation"],
        details["unbenchmarked"],
        details["timeline"],
    )
    run.best_project = str(project)
    if run.workflow.ok:
        run_noop(run, project, cores, project / "bench.yaml", workdir)
    return run


def scale_run(docs: int, workdir: Path, cores: str, corpus_seed: int, timeout: float) -> Run:
    run = Run(kind="scale", docs=docs)
    corpus = generate_corpus(run, workdir, corpus_seed)
    project = project_copy(workdir / f"project-scale-{docs}")
    override = {"corpus": {"dir": str(corpus / "docs"), "metadata": str(corpus / "metadata.tsv")}}
    configfile = project / "bench.yaml"
    configfile.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    if run_workflow(run, project, cores, configfile, workdir, timeout).ok:
        run_noop(run, project, cores, configfile, workdir)
    return run


def default_corpus_run(workdir: Path) -> Run:
    run = Run(kind="default", docs=len(list((SOURCE / "data" / "corpus").glob("*.txt"))))
    run.corpus_dir = str(SOURCE / "data" / "corpus")
    run.corpus_mb = corpus_bytes(SOURCE / "data" / "corpus") / 1e6
    project = project_copy(workdir / "project-default", with_default_corpus=True)
    if run_workflow(run, project, "all", None, workdir, 1800).ok:
        run_noop(run, project, "all", None, workdir)
    return run


# --------------------------------------------------------------------------- machine and report


def use_snapshot(ref: str, workdir: Path) -> str:
    """Benchmark commit ``ref``: extract it (``git archive``) and put its src/ first on PYTHONPATH."""
    global SOURCE, CHILD_ENV
    sha = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    snapshot = workdir / f"snapshot-{sha[:12]}"
    if not (snapshot / "Snakefile").is_file():
        if snapshot.exists():
            shutil.rmtree(snapshot)
        snapshot.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", sha], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive.stdout, check=True)
    SOURCE = snapshot
    CHILD_ENV = dict(os.environ)
    CHILD_ENV["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(snapshot / "src"), os.environ.get("PYTHONPATH")])
    )
    print(f"benchmarking {ref} = {sha[:12]} from {snapshot}", flush=True)
    return sha[:12]


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
    # The same list (and lookup) as results/provenance.json, so a benchmark and a run can be compared.
    info["packages"] = {name: package_version(name) for name in TRACKED_PACKAGES}
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
    info["source"] = "working tree"
    where = subprocess.run(
        [sys.executable, "-c", "import zhengfa_trends; print(zhengfa_trends.__file__)"],
        capture_output=True,
        text=True,
        env=CHILD_ENV,
    )
    info["package_file"] = where.stdout.strip() or "not importable"
    try:
        info["loadavg"] = " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        info["loadavg"] = "unknown"
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


def _load(measured: Measured | None) -> str:
    load = measured.other_load if measured is not None else None
    return "–" if load is None else f"{100 * load:.0f} %"


def targets_table(comparisons: list[Run], scales: list[Run], default: Run | None, cores: str) -> list[str]:
    lines = ["| measure | target | measured | verdict |", "|---|---|---|---|"]
    for run in comparisons:
        base, flow = run.baseline, run.workflow
        ratio = flow.wall / base.wall if base and flow and base.ok and flow.ok else None
        fastest = f"fastest of {len(run.attempts)} each; " if len(run.attempts) > 1 else ""
        lines.append(
            f"| {run.docs:,} docs, full run K={K}, one seed, passes={PASSES}, --cores {cores} "
            f"| ≤ {TARGET_RATIO} × baseline wall time, same run "
            f"| workflow {_f(flow.wall if flow else None)} s / baseline {_f(base.wall if base else None)} s "
            f"= **{_f(ratio, 2)} ×** ({fastest}{_status(flow)}; other processes' load {_load(flow)} / {_load(base)}) "
            f"| {_verdict(None if ratio is None else ratio <= TARGET_RATIO)} |"
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
            measured = (
                f"{flow.wall / 60:.1f} min, peak RSS {_f(peak, 2)} GiB ({_status(flow)}; "
                f"other processes' load {_load(flow)})"
            )
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
            f"| cold {_f(cold.wall if cold else None)} s ({_status(cold)}; other processes' load {_load(cold)}); "
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


PROCESS_HEADER = [
    "| process | wall s | CPU s | other processes' load | max RSS MiB (largest process) "
    "| peak RSS MiB (process tree, sampled) | status |",
    "|---|---:|---:|---:|---:|---:|---|",
]


def measured_line(name: str, measured: Measured | None) -> str:
    if measured is None:
        return f"| {name} | not run | | | | | |"
    return (
        f"| {name} | {_f(measured.wall, 2)} | {_f(measured.cpu_s, 1)} | {_load(measured)} "
        f"| {_f(measured.max_rss_mib)} | {_f(measured.tree_peak_mib)} | {_status(measured)} |"
    )


def attempts_table(run: Run) -> list[str]:
    lines = [
        "| attempt | baseline s | other load | workflow s | other load | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for attempt in run.attempts:
        base, flow = attempt["baseline"], attempt["workflow"]
        ratio = flow.wall / base.wall if base.ok and flow.ok else None
        lines.append(
            f"| {attempt['attempt']} | {_f(base.wall, 2)} | {_load(base)} | {_f(flow.wall, 2)} | {_load(flow)} "
            f"| {_f(ratio, 2)} |"
        )
    return lines


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
        f"- load average when the run started: {info.get('loadavg', '?')}",
        (
            f"- benchmarked: snapshot of commit {info['ref_commit']} (`--ref {info['ref']}`) in `{SOURCE}`"
            if info.get("ref")
            else f"- benchmarked: the working tree at commit {info['commit']}"
            + (" with uncommitted changes in src/workflow/scripts/config" if info["dirty"] else "")
        ),
        f"- zhengfa_trends imported by the jobs from `{info['package_file']}`",
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
            title = f"## {run.docs:,} synthetic documents: baseline vs workflow (K={K}, seed {run.lda_seed}, passes={PASSES})"
        elif run.kind == "scale":
            title = f"## {run.docs:,} synthetic documents: workflow, default config"
        else:
            title = f"## Default corpus (`data/corpus`, {run.docs} documents), cold, `--cores all`"
        lines += [title, ""]
        if run.skipped:
            lines += [f"Not run: {run.skipped}", ""]
            continue
        if run.kind != "default":
            origin = (
                "given with --corpus"
                if EXTERNAL_CORPUS is not None
                else f"written by `python -m zhengfa_trends.synthetic --min-sentences {SENTENCES[0]} "
                f"--max-sentences {SENTENCES[1]}` in {_f(run.generate_s)} s"
            )
            lines.append(
                f"Corpus: `{run.corpus_dir}` ({run.docs:,} files, {run.corpus_mb:.2f} MB), {origin}."
            )
        seg = run.segmentation
        if seg.get("passages"):
            lines.append(
                f"The workflow segmented {seg['passages']:,} passages ({seg['passage_chars']:,} characters, "
                f"{seg['passage_bytes'] / 1e6:.2f} MB of clean text) with {seg.get('workers_used', '?')} worker "
                f"process(es) in {seg.get('chunks', '?')} chunk(s); documents segmented "
                f"{seg.get('documents_segmented', '?')}, taken from the segmentation cache "
                f"{seg.get('documents_from_cache', '?')}."
            )
        lines += ["", *PROCESS_HEADER]
        if run.baseline is not None:
            lines.append(measured_line("baseline.py (1 process)", run.baseline))
        cores_here = "all" if run.kind == "default" else cores
        lines.append(measured_line(f"snakemake --cores {cores_here}", run.workflow))
        lines.append(measured_line("snakemake no-op rerun", run.noop))
        lines.append("")
        if len(run.attempts) > 1:
            lines += [
                f"Baseline and workflow ran {len(run.attempts)} times in turn (each workflow in a fresh project "
                "copy); the table above and the target use the fastest of each, the per-rule table is from "
                f"the fastest workflow (`{run.best_project}`).",
                "",
                *attempts_table(run),
                "",
            ]
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
            if run.unbenchmarked:
                lines += [
                    "Rules that ran without a `benchmark:` file (not in the table): "
                    + ", ".join(f"`{rule}`" for rule in run.unbenchmarked)
                    + ".",
                    "",
                ]
            lines += timeline_table(run)
        if run.workflow is not None and not run.workflow.ok:
            lines += ["Last lines of the workflow log:", "", "```", run.workflow.tail, "```", ""]
    lines += [
        "## Caveats",
        "",
        "- The baseline segments whole documents with jieba's global tokenizer, fits TF-IDF and LDA on",
        "  documents with gensim's defaults (iterations 50, chunksize 2000, eval_every 10) and draws one",
        "  plot; the workflow also cleans text, cuts passages, filters tokens, fits LDA on passages",
        "  (`lda.iterations` of the config), bootstraps intervals and draws every figure of the",
        "  workflow in PNG and PDF (see the per-rule table for what ran).",
        "- The jieba dictionary cache (`jieba.cache` in the temp folder) and the OS file cache are warm",
        '  for every run; "cold" means a fresh project copy without `.snakemake/` or results.',
        "- Per-rule `s` is the wall time of the job including interpreter start-up; with two cores some",
        "  jobs run side by side, so the per-rule times add up to more than the critical path.",
        '- "Other processes\' load" is the CPU time the machine spent outside the measured process tree',
        "  while it ran, as a share of all CPUs (from /proc/stat). Anything above a few per cent means the",
        "  machine was shared (tests, CI) and the wall times are inflated; rerun when the machine is idle.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    payload = {"machine": info, "argv": argv, "runs": [asdict(r) for r in runs]}
    path.with_suffix(".json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    global SENTENCES
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Benchmark the workflow against the one-script baseline.")
    parser.add_argument(
        "--docs", type=int, action="append", help="synthetic corpus size (repeatable; default 2000)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/RESULTS.md"), help="Markdown report")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-bench"), help="scratch folder (reused)")
    parser.add_argument("--cores", default="2", help="--cores of the comparison and scale runs (default 2)")
    parser.add_argument(
        "--ref",
        help="benchmark this commit (e.g. HEAD) from a git-archive snapshot instead of the working tree",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run baseline and workflow of each comparison this many times"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="LDA seed of baseline and workflow (default: the first of lda.seeds)",
    )
    parser.add_argument("--corpus-seed", type=int, default=7, help="seed of the synthetic corpus")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="compare on this existing corpus folder (docs/, metadata.tsv) instead of a generated one",
    )
    parser.add_argument(
        "--sentences",
        default=f"{SENTENCES[0]}-{SENTENCES[1]}",
        help="body sentences per synthetic document, MIN-MAX (default: about 7 kB per document)",
    )
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
    try:
        low, high = (int(part) for part in args.sentences.split("-"))
    except ValueError:
        parser.error(f"--sentences must look like 45-105, got {args.sentences!r}")
    SENTENCES = (low, high)
    global EXTERNAL_CORPUS
    if args.corpus is not None:
        if not (args.corpus / "docs").is_dir():
            parser.error(f"--corpus {args.corpus}: no docs/ folder in it")
        EXTERNAL_CORPUS = args.corpus.resolve()
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    ref_commit = use_snapshot(args.ref, workdir) if args.ref else None
    seed = args.seed if args.seed is not None else default_seed()
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    info = machine_info()
    if args.ref:
        info["ref"], info["ref_commit"] = args.ref, ref_commit
    runs: list[Run] = []
    for docs in [n for n in sizes if n < args.scale_threshold]:
        runs.append(comparison_run(docs, workdir, args.cores, seed, args.corpus_seed, args.repeat))
        write_report(out, info, runs, args.cores, workdir, argv)
    if not args.no_default_corpus:
        runs.append(default_corpus_run(workdir))
        write_report(out, info, runs, args.cores, workdir, argv)
    gate_run = next((r for r in runs if r.kind == "comparison"), None)
    for docs in [n for n in sizes if n >= args.scale_threshold]:
        gate_flow = gate_run.workflow if gate_run else None
        if not args.force_scale and (
            gate_flow is None or not gate_flow.ok or gate_flow.wall >= args.scale_gate
        ):
            if gate_flow is None:
                reason = "no comparison run to gate on (add a smaller --docs, or --force-scale)"
            elif not gate_flow.ok:
                reason = f"the {gate_run.docs:,}-document comparison run failed (use --force-scale to run it anyway)"
            else:
                reason = (
                    f"the {gate_run.docs:,}-document comparison run's workflow took {gate_flow.wall:.1f} s, "
                    f"not under {args.scale_gate:.0f} s (use --force-scale to run it anyway)"
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
