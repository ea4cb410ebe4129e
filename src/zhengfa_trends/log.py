"""One logging set-up for every workflow script, and a clean exit for expected failures."""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .config import ConfigError
from .files import CorpusError

# BLAS threads of every step.  Measured on the LDA fit (K = 10, 5,000 passages, OpenBLAS): one thread
# used 0.9 CPU s, two threads 4.9 CPU s for the same model (the E-step's matrices are small, and
# idle OpenBLAS threads spin), and a second thread only competes with the other Snakemake job.
BLAS_THREADS_PER_JOB = 1

# Failures that mean "fix your input" (or your installation), not "bug": one line, no traceback.
EXPECTED_ERRORS = (CorpusError, ConfigError, FileNotFoundError)
# Raised by modules too heavy to import here (gensim): matched by class name.
EXPECTED_ERROR_NAMES = frozenset({"EngineMismatch"})


# Failures of the place results are written to (not of the input, not a bug): one line naming the path.
STORAGE_ERRORS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


def storage_message(error: OSError, outputs: list[str] | None = None) -> str | None:
    """The one line for a storage failure (full disk, read-only, no permission), or None for others.

    The path is the one the error names, else the folders of the step's outputs (a write to an
    open file reports no path).
    """
    what = STORAGE_ERRORS.get(error.errno)
    if what is None:
        return None
    if error.filename:
        where = str(error.filename)
    elif outputs:
        where = ", ".join(sorted({os.path.dirname(str(path)) or "." for path in outputs}))
    else:
        where = "the results folder"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "free space there (or set the results on a larger disk) and run again"
    else:
        advice = "make it writable (or run the workflow where you may write) and run again"
    return f"{what} while writing {where}: {advice}; nothing of this step was kept"


def setup_logging(log_path: str | Path | None, level: int = logging.INFO) -> logging.Logger:
    """Send the package's log records to ``log_path`` (and warnings to stderr); return the logger."""
    logger = logging.getLogger("zhengfa_trends")
    logger.setLevel(level)
    # A log file on a full disk must not print a traceback per record (the step reports it once).
    logging.raiseExceptions = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        file_handler.setFormatter(formatter)
        logger.addHandler(file_handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.addHandler(console)
    return logger


def run_script(log_path: str | Path | None, main: Callable[[], None]) -> None:
    """Run a workflow step: log to ``log_path``; an expected error exits 1 with one line.

    The first and last lines of the log time the step (after its imports), which is what
    ``benchmarks/run.py`` draws its job timeline from.
    """
    from threadpoolctl import threadpool_limits

    logger = setup_logging(log_path)
    # threadpool_limits reaches the BLAS libraries loaded so far; one the step loads later (scipy's
    # own OpenBLAS, which numpy's does not share) takes its thread count from the environment.
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = str(BLAS_THREADS_PER_JOB)
    started = time.perf_counter()
    logger.info("step started")
    try:
        with threadpool_limits(limits=BLAS_THREADS_PER_JOB, user_api="blas"):
            main()
        logger.info("step finished in %.2f s", time.perf_counter() - started)
    except EXPECTED_ERRORS as error:
        _exit_with_one_line(logger, str(error))
    except Exception as error:
        if type(error).__name__ in EXPECTED_ERROR_NAMES:
            _exit_with_one_line(logger, str(error))
        if not isinstance(error, OSError):
            raise
        smk = getattr(sys.modules.get("__main__"), "snakemake", None)  # injected into step scripts
        outputs = [str(path) for path in smk.output] if smk is not None else None
        message = storage_message(error, outputs)
        if message is None:
            raise
        _exit_with_one_line(logger, message)
    finally:
        if before is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = before


def _exit_with_one_line(logger: logging.Logger, message: str) -> None:
    # The log file gets the record; the terminal gets exactly one line, from sys.exit.
    for handler in [h for h in logger.handlers if not isinstance(h, logging.FileHandler)]:
        logger.removeHandler(handler)
    if logger.handlers:  # without a log file, logging's last resort would print it a second time
        logger.error("%s", message)
    sys.exit(f"zhengfa-trends: {message}")
