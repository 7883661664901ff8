"""Run tasks serially or across worker processes, reporting each result to the parent.

Results come back through a callback in the parent process, which alone writes the
ledger and drives the progress bar. A worker that dies (killed, out of memory, a crash
in a native library) breaks the pool: the pool is rebuilt and the documents that were
in flight are tried again; one that was in flight at two crashes is given up as failed.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_CRASHES = 2


def run(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    workers: int,
    on_result: Callable[[T, R], None],
    on_crash: Callable[[T, str], None],
) -> None:
    """Call ``fn(task)`` for every task; ``on_result`` or ``on_crash`` is called once per task."""
    if workers <= 1:
        for task in tasks:
            on_result(task, fn(task))
        return
    queue = list(tasks)
    queue.reverse()
    crashes: dict[int, int] = {}
    while queue:
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            in_flight: dict[cf.Future[R], T] = {}
            broken = False
            while (queue or in_flight) and not broken:
                while queue and len(in_flight) < workers * 2:
                    task = queue.pop()
                    in_flight[pool.submit(fn, task)] = task
                done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        _requeue(task, queue, crashes, on_crash)
                        continue
                    on_result(task, result)
            if broken:
                for future, task in in_flight.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        on_result(task, future.result())
                    else:
                        _requeue(task, queue, crashes, on_crash)


def _requeue(task: T, queue: list[T], crashes: dict[int, int], on_crash: Callable[[T, str], None]) -> None:
    key = id(task)
    crashes[key] = crashes.get(key, 0) + 1
    if crashes[key] >= MAX_CRASHES:
        on_crash(task, "worker process died while processing this file")
    else:
        queue.append(task)
