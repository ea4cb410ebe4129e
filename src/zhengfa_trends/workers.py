"""Forked worker processes that end when the step ends: on Ctrl-C, on an error, or when it is killed.

Ctrl-C in a terminal sends SIGINT to the whole process group: Snakemake, the step and the step's
workers.  A worker that takes it as KeyboardInterrupt mid-task, while the step waits for the rest
of its tasks, can leave the step (and Snakemake, holding its lock) waiting for a long time.  So:

* workers ignore SIGINT (the step decides), and are killed by the kernel if the step dies first
  (``PR_SET_PDEATHSIG`` on Linux; elsewhere they notice their parent is gone at the next task);
* the step, on KeyboardInterrupt or any other error, kills its workers (SIGKILL: nothing of theirs
  is worth keeping, and a worker killed while holding a queue lock cannot block anything that
  waits for it) and does not wait for the tasks still queued.

Nothing a worker computes is written anywhere by the worker, so killing one loses only that work.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def fork_available() -> bool:
    """True where worker processes can be forked (they share the parent's loaded data)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back in the parent: ignored here
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)


def _check_parent(function: Callable, parent: int, item):
    if os.getppid() != parent:
        os._exit(1)
    return function(item)


class _Task:
    """``function(item)`` in a worker, after checking that the step is still there (picklable)."""

    def __init__(self, function: Callable, parent: int):
        self.function = function
        self.parent = parent

    def __call__(self, item):
        return _check_parent(self.function, self.parent, item)


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    result_queue = getattr(pool, "_result_queue", None)  # shutdown() forgets it
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(timeout=5)
    # A worker killed while sending a large result leaves half a message in the result pipe, and the
    # pool's manager thread (joined at interpreter exit) would wait for the rest for ever.  With the
    # workers dead, closing this process's copy of the pipe's writing end ends that read (EOF).
    writer = getattr(result_queue, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


def ordered_map(function: Callable, items: Iterable, workers: int, chunksize: int = 1) -> Iterator:
    """``function(item)`` for every item, in ``workers`` forked processes, yielded in input order.

    Results are yielded as they come (in order).  If the caller stops early, or anything (Ctrl-C
    included) interrupts the step, the workers are killed before the exception goes on.

    Parameters
    ----------
    function : callable
        A picklable one-argument function (module level, or a picklable callable object).
    items : iterable
    workers : int
    chunksize : int
        Items sent to a worker at a time.
    """
    parent = os.getpid()
    pool = None
    try:
        # SIGINT is held back while the workers are forked: one that arrives during a fork is
        # otherwise swallowed by an after-fork hook ("Exception ignored in _releaseLock") and the
        # step would not stop.  Held back, it is raised here once they are started.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(parent,),
            )
            results = pool.map(_Task(function, parent), items, chunksize=chunksize)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield from results
    except BaseException:
        if pool is not None:
            _kill(pool)
        raise
    pool.shutdown(wait=True)


class WorkerPool:
    """Forked workers started before the step loads its data, fed a bounded number of tasks at a time.

    ``ordered_map`` above forks when it is first iterated, after the caller has loaded its tables:
    every worker then maps the parent's pages, and the memory counted for the step (the sum of its
    processes' RSS) grows by the parent's size per worker.  This pool is forked when it is entered,
    so that the workers are small, and :meth:`ordered_map` keeps at most ``window`` tasks submitted
    (``ProcessPoolExecutor.map`` submits every item at once, holding all of them in the parent).
    Workers end with the step as for :func:`ordered_map` (Ctrl-C or an error kills them).

    Parameters
    ----------
    workers : int
    window : int
        Tasks in flight at a time (default: 4 per worker).
    """

    def __init__(self, workers: int, window: int | None = None):
        self.workers = workers
        self.window = window or 4 * workers
        self.parent = os.getpid()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # see ordered_map
        try:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(self.parent,),
            )
            # ProcessPoolExecutor forks lazily, on the first submit: fork now, while the parent is small.
            for future in [self._pool.submit(os.getpid) for _ in range(self.workers)]:
                future.result()
        except BaseException:
            if self._pool is not None:
                _kill(self._pool)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self._pool is None:
            return
        if kind is None:
            self._pool.shutdown(wait=True)
        else:
            _kill(self._pool)
        self._pool = None

    def ordered_map(self, function: Callable, items: Iterable) -> Iterator:
        """``function(item)`` for every item in the workers, yielded in input order.

        Items are taken from ``items`` only as results are collected (at most ``window`` ahead),
        so a lazy iterable is never held in memory whole.  On any error the workers are killed.
        """
        assert self._pool is not None, "WorkerPool used outside its with-block"
        task = _Task(function, self.parent)
        pending: collections.deque = collections.deque()
        try:
            for item in items:
                pending.append(self._pool.submit(task, item))
                if len(pending) >= self.window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            _kill(self._pool)
            self._pool = None
            raise
