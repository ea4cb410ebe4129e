"""One logging set-up for every workflow script, and a clean exit for expected failures."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .config import ConfigError
from .files import CorpusError

# Failures that mean "fix your input", not "bug": reported as one line, without a traceback.
EXPECTED_ERRORS = (CorpusError, ConfigError, FileNotFoundError)


def setup_logging(log_path: str | Path | None, level: int = logging.INFO) -> logging.Logger:
    """Send the package's log records to ``log_path`` (and warnings to stderr); return the logger."""
    logger = logging.getLogger("zhengfa_trends")
    logger.setLevel(level)
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
    logger = setup_logging(log_path)
    started = time.perf_counter()
    logger.info("step started")
    try:
        main()
        logger.info("step finished in %.2f s", time.perf_counter() - started)
    except EXPECTED_ERRORS as error:
        # The log file gets the record; the terminal gets exactly one line, from sys.exit.
        for handler in [h for h in logger.handlers if not isinstance(h, logging.FileHandler)]:
            logger.removeHandler(handler)
        logger.error("%s", error)
        sys.exit(f"zhengfa-trends: {error}")
