"""Every workflow step runs with one BLAS thread (see zhengfa_trends.log.BLAS_THREADS_PER_JOB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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


def test_a_blas_library_the_step_loads_itself_also_gets_one_thread(tmp_path):
    # scipy ships its own OpenBLAS, which threadpool_limits cannot reach before it is loaded: a
    # step importing scipy.linalg for the first time must still run it with one thread.
    script = (
        "import json, sys\n"
        "import numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "from zhengfa_trends.log import run_script\n"
        "assert 'scipy.linalg' not in sys.modules\n"
        "seen = []\n"
        "def step():\n"
        "    import scipy.linalg\n"
        "    scipy.linalg.qr(numpy.ones((50, 50)))\n"
        "    seen.extend((p['filepath'], p['num_threads']) for p in threadpool_info() if p['user_api'] == 'blas')\n"
        "run_script(sys.argv[1], step)\n"
        "print(json.dumps(seen))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "step.log")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert len(seen) >= 2, seen  # numpy's OpenBLAS and scipy's
    assert {threads for _, threads in seen} == {1}, seen
