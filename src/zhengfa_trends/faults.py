"""Fault injection for the crash tests: a real ``SIGKILL`` of the running step at a chosen write.

``ZHENGFA_TRENDS_KILL_AT=<name>:<n>`` kills the process at the ``n``-th :func:`checkpoint` of that
name (e.g. ``record_run:2``: after the second of record_run's writes); ``<name>:<n>:group`` kills
its whole process group instead (Snakemake and every job, as ``kill -9`` of a run would).  Unset (always, outside the
tests and ``benchmarks/faults.py``), a checkpoint costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT_VARIABLE = "ZHENGFA_TRENDS_KILL_AT"
_passed: dict[str, int] = {}


def checkpoint(name: str) -> None:
    """Count a checkpoint of ``name``; kill this process here if the environment asks for it."""
    target = os.environ.get(ENVIRONMENT_VARIABLE)
    if not target:
        return
    _passed[name] = _passed.get(name, 0) + 1
    wanted, _, number = target.partition(":")
    number, _, scope = number.partition(":")
    if wanted == name and number.isdigit() and int(number) == _passed[name]:
        if scope == "group":
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
