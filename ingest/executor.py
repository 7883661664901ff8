"""Where the work of an ingest runs: the one seam between the ingest and its workers.

An executor calls a function on each task somewhere (here, or in worker processes) and
reports each result back through a callback in the calling process, which alone writes
the ledger and drives the progress bar. Every executor keeps a bounded number of tasks
in flight, so memory stays flat however many files a folder holds, and turns a task that
kills its worker into one ``on_crash`` call instead of a crash of the run.

``for_settings`` chooses the executor (this process, a local process pool, or a Dask
distributed cluster: ``ingest.cluster``); the ingest never asks which one it has.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sohoa.core.settings import Settings

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Job(Generic[T, R]):
    """The work done on each task: ``func(task, settings)``, picklable. ``portable``: a
    worker on another machine can do it with the task's file alone (a job that reads the
    ledger cannot, and runs on this machine)."""

    func: Callable[[T, Settings], R]
    settings: Settings
    portable: bool = True

    def __call__(self, task: T) -> R:
        return self.func(task, self.settings)

OnResult = Callable[[T, R], None]
OnCrash = Callable[[T, str], None]


class Executor(Protocol):
    """Runs ``fn`` on tasks; ``on_result`` or ``on_crash`` is called once per task, in the
    calling process. ``fn`` and the tasks must be picklable (they may travel)."""

    def run(self, fn: Callable[[T], R], tasks: Sequence[T], on_result: OnResult, on_crash: OnCrash) -> None: ...


class InProcess:
    """Every task in the calling process, one after the other (``--workers 1``): the
    simplest to debug; a task that kills its worker kills the run."""

    def run(self, fn: Callable[[T], R], tasks: Sequence[T], on_result: OnResult, on_crash: OnCrash) -> None:
        for task in tasks:
            on_result(task, fn(task))


class ProcessPool:
    """Tasks across ``workers`` local processes. A worker that dies (killed, out of memory,
    a crash in a native library) breaks the pool: the pool is rebuilt and the tasks that
    were in flight are tried again one at a time, so the one that kills its worker is
    reported to ``on_crash`` and the others are processed as usual."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, fn: Callable[[T], R], tasks: Sequence[T], on_result: OnResult, on_crash: OnCrash) -> None:
        workers = min(self.workers, len(tasks))
        if workers <= 1:
            InProcess().run(fn, tasks, on_result, on_crash)
            return
        queue = list(tasks)
        queue.reverse()
        suspects: list[T] = []
        while queue or suspects:
            with cf.ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupts_to_the_parent) as pool:
                try:
                    # After a crash, the tasks that were in flight run one at a time, so the one
                    # that kills its worker is known for sure and the others are not blamed.
                    while suspects:
                        task = suspects.pop()
                        try:
                            result = pool.submit(fn, task).result()
                        except BrokenProcessPool:
                            on_crash(task, "worker process died while processing this file")
                            break
                        on_result(task, result)
                    else:
                        suspects = _feed(pool, fn, queue, workers, on_result)
                except KeyboardInterrupt:
                    _end_workers(pool)
                    raise


def _leave_interrupts_to_the_parent() -> None:
    """In each worker: Ctrl-C (SIGINT to the whole terminal group) is the parent's to
    handle. A worker interrupted in the middle of taking a task from the pool's queue
    would hold the queue's lock and hang the others, and the run's exit with them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_the_parent()


def _die_with_the_parent() -> None:
    """In each worker, on Linux: end when the process that started it ends, even by
    SIGKILL. A worker left behind would keep the home's ingest lock (inherited with the
    parent's open files) and the next run would wait for it for ever."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


PR_SET_PDEATHSIG = 1


def _end_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Ctrl-C in the parent: end the workers now rather than wait for their documents
    (what they were doing stays pending in the ledger, for the next run)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # Before that, no public way: the pool's own list (shutdown empties it, so first).
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _feed(pool: cf.ProcessPoolExecutor, fn: Callable[[T], R], queue: list[T], workers: int,
          on_result: OnResult) -> list[T]:
    """Feed the pool from ``queue``, two tasks per worker in flight; on a crash return the
    tasks that were in flight."""
    in_flight: dict[cf.Future[R], T] = {}
    while queue or in_flight:
        while queue and len(in_flight) < workers * 2:
            task = queue.pop()
            in_flight[pool.submit(fn, task)] = task
        done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
        for future in done:
            try:
                result = future.result()
            except BrokenProcessPool:
                break
            on_result(in_flight.pop(future), result)
        else:
            continue
        suspects = []
        for future, task in in_flight.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                on_result(task, future.result())
            else:
                suspects.append(task)
        return suspects
    return []


def for_settings(settings: Settings) -> Executor:
    """The executor the settings ask for: a Dask cluster (``settings.cluster``), worker
    processes on this machine, or this process."""
    local: Executor = ProcessPool(settings.workers) if settings.workers > 1 else InProcess()
    if settings.cluster:
        from sohoa.ingest.cluster import DaskCluster

        return DaskCluster(settings.cluster, shared_storage=settings.shared_storage, local=local,
                           tls=settings.cluster_tls)
    return local

