"""Measuring one subprocess: wall time, CPU time, peak memory (largest process and whole tree), and
how busy the rest of the machine was meanwhile; and the facts about the machine a report states.

Used by :mod:`runner` (``benchmarks/run.py``'s runs); see ``run.py`` for what is measured how.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from zhengfa_trends.provenance import TRACKED_PACKAGES, package_version

REPO = Path(__file__).resolve().parents[1]
GNU_TIME = Path("/usr/bin/time")
MIB = 1024 * 1024
# Environment of every measured subprocess: None (this process's), or the one
# :func:`runner.use_snapshot` sets so that a snapshot's src/ shadows the editable install.
CHILD_ENV: dict[str, str] | None = None


def local_run_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) for a measured local run: ``SLURM_CONF`` set to
    an empty file, ``PYTHONDONTWRITEBYTECODE`` removed.

    The measured processes load compiled bytecode, as a user's Python does: pip compiles the
    installed packages, and :func:`compile_package` compiles the benchmarked ``src/`` before the
    timed runs.  With ``PYTHONDONTWRITEBYTECODE`` set (this project's sandboxes set it) and no
    ``.pyc`` files, every job would compile the package's modules again, about 0.4 CPU s per job
    start that no user pays.

    With the ``slurm`` extra installed, Snakemake imports the SLURM executor plugin at every start,
    and the plugin runs ``scontrol show config``; where SLURM's commands are installed but no
    controller answers (a machine with ``slurm-wlm`` and the cluster stopped), scontrol retries for
    about 9 s before giving up, and every measured Snakemake command would carry that wait.  An
    empty configuration makes scontrol stop at once; the local runs never use SLURM.
    """
    child = dict(os.environ if env is None else env)
    child["SLURM_CONF"] = os.devnull
    child.pop("PYTHONDONTWRITEBYTECODE", None)
    return child


def compile_package(src: Path) -> None:
    """Compile every module under ``src`` to ``__pycache__`` (what installing a package does), so
    that the measured jobs load bytecode instead of compiling the sources at every start."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True)


@dataclass
class Measured:
    """One measured subprocess."""

    command: list[str]
    wall: float = float("nan")
    returncode: int | None = None
    timed_out: bool = False
    max_rss_mib: float | None = None  # largest single process
    rss_source: str = ""
    tree_peak_mib: float | None = None  # largest sampled sum of RSS over the process tree
    tree_peak_pss_mib: float | None = None  # largest sampled sum of PSS (shared pages split) over the tree
    cpu_s: float | None = None  # user + system CPU seconds of the process and its descendants
    machine_busy_s: float | None = None  # CPU seconds the whole machine was busy meanwhile
    log: str = ""
    tail: str = ""
    started_at: float | None = None  # epoch seconds at launch (for the job timeline)
    # The processes alive at the tree's RSS peak: (label, RSS MiB), largest first, and when it was.
    tree_peak_parts: list | None = None
    tree_peak_at_s: float | None = None

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


# PSS needs /proc/PID/smaps_rollup (Linux 4.14); without it only RSS is sampled.
HAS_SMAPS_ROLLUP = os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children = _ppid_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def tree_rss_bytes(root: int) -> int:
    """Sum of the resident set sizes of ``root`` and all its descendants (shared pages counted twice)."""
    return tree_memory_bytes(root)[0]


# A Snakemake ``script:`` job runs ``python .snakemake/scripts/tmpXXXX.<script>.py``.
_SCRIPT_JOB = re.compile(r"tmp[^/.]+\.(\w+)\.py$")


def process_label(pid: int) -> str:
    """A short name for a process of a workflow run: the rule's script, ``snakemake`` or the program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0") if a]
    except OSError:
        return "?"
    for arg in argv:
        match = _SCRIPT_JOB.search(arg)
        if match:
            return match.group(1)
    if any(Path(a).name == "snakemake" or a.endswith("snakemake/__main__.py") for a in argv[:3]):
        return "snakemake"
    return Path(argv[0]).name if argv else "?"


def tree_memory_bytes(root: int, parts: list | None = None) -> tuple[int, int | None]:
    """``(RSS, PSS)`` summed over ``root`` and all its descendants, in bytes.

    RSS counts a page shared by several processes (forked workers, shared libraries) once per
    process: an upper bound.  PSS (``/proc/PID/smaps_rollup``) splits each shared page between its
    processes, so its sum is the tree's real share of memory; None where the kernel does not give it.
    Given a list as ``parts``, each process's ``(pid, RSS bytes)`` is appended to it.
    """
    page = os.sysconf("SC_PAGE_SIZE")
    rss, pss = 0, 0 if HAS_SMAPS_ROLLUP else None
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                own = int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        rss += own
        if parts is not None:
            parts.append((pid, own))
        if pss is None:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                match = re.search(r"^Pss:\s+(\d+) kB", handle.read(), flags=re.M)
            pss += int(match.group(1)) * 1024 if match else 0  # a zombie has no mappings left
        except OSError:
            pass  # the process ended between the two reads (ENOENT, ESRCH)
    return rss, pss


class TreeSampler(threading.Thread):
    """Poll the RSS and PSS of a process tree until stopped; keep the peaks."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.peak_pss: int | None = 0
        self.peak_parts: list[tuple[str, float]] = []
        self.peak_at_s: float | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._stop_event.is_set():
            parts: list[tuple[int, int]] = []
            rss, pss = tree_memory_bytes(self.pid, parts)
            if rss > self.peak:
                # Which jobs overlap at the peak is what decides whether it can be lowered.
                self.peak_at_s = time.perf_counter() - start
                labelled = [(process_label(pid), own / MIB) for pid, own in parts if own >= 20 * MIB]
                self.peak_parts = sorted(labelled, key=lambda item: -item[1])
            self.peak = max(self.peak, rss)
            self.peak_pss = None if pss is None else max(self.peak_pss or 0, pss)
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
            full,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=CHILD_ENV or local_run_env(),
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
    result.tree_peak_pss_mib = sampler.peak_pss / MIB if sampler.peak_pss else None
    result.tree_peak_parts = [[label, round(mib, 1)] for label, mib in sampler.peak_parts]
    result.tree_peak_at_s = None if sampler.peak_at_s is None else round(sampler.peak_at_s, 1)
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
    # Set in this environment (as in this project's sandboxes), and removed for the measured
    # processes (local_run_env), which load the .pyc files compile_package wrote.
    info["python_dont_write_bytecode"] = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    info["bytecode_compiled"] = True
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
        env=CHILD_ENV or local_run_env(),
    )
    info["package_file"] = where.stdout.strip() or "not importable"
    try:
        info["loadavg"] = " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        info["loadavg"] = "unknown"
    date = subprocess.run(["date", "-u"], capture_output=True, text=True)
    info["date"] = date.stdout.strip() or dt.datetime.now(dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    return info
