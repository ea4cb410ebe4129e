"""Every workflow step runs with one BLAS thread (see zhengfa_trends.log.BLAS_THREADS_PER_JOB)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from zhengfa_trends.log import BLAS_THREADS_PER_JOB, run_script


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_a_step_runs_with_one_blas_thread_and_the_limit_ends_with_it(tmp_path):
    np.dot(np.ones((4, 4)), np.ones((4, 4)))  # numpy's BLAS is loaded
    seen = []
    with threadpool_limits(limits=2, user_api="blas"):
        outside = _blas_threads()
        run_script(tmp_path / "step.log", lambda: seen.extend(_blas_threads()))
        after = _blas_threads()
    assert BLAS_THREADS_PER_JOB == 1
    assert seen and set(seen) == {1}
    assert after == outside
    assert "step finished" in (tmp_path / "step.log").read_text(encoding="utf-8")
