"""Run tasks serially or across worker processes, reporting each result to the parent.

Results come back through a callback in the parent process, which alone writes the
ledger and drives the progress bar. A worker that dies (killed, out of memory, a crash
in a native library) breaks the pool: the pool is rebuilt and the documents that were
in flight are tried again one at a time, so the one that kills its worker is failed
with a reason and the others are processed as usual.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

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
    suspects: list[T] = []
    while queue or suspects:
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            # After a crash, the documents that were in flight run one at a time, so the
            # one that kills its worker is known for sure and the others are not blamed.
            while suspects:
                task = suspects.pop()
                try:
                    result = pool.submit(fn, task).result()
                except BrokenProcessPool:
                    on_crash(task, "worker process died while processing this file")
                    break
                on_result(task, result)
            else:
                suspects = _run_pool(pool, fn, queue, workers, on_result)


def _run_pool(pool: cf.ProcessPoolExecutor, fn: Callable[[T], R], queue: list[T], workers: int,
              on_result: Callable[[T, R], None]) -> list[T]:
    """Feed the pool from ``queue``; on a crash return the tasks that were in flight."""
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
