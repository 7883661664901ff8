"""The executor seam: every task reported exactly once, in the calling process, whether
it ran here or in a worker process that died on it."""

from __future__ import annotations

import os

import pytest

from sohoa.core.settings import Settings
from sohoa.ingest.executor import InProcess, ProcessPool, for_settings


def _square_or_die(n: int) -> tuple[int, int]:
    if n == 7:
        os._exit(139)  # as a segfault in a native library would
    return n * n, os.getpid()


def test_a_pool_reports_each_task_once_and_blames_only_the_one_that_kills_its_worker() -> None:
    results: dict[int, tuple[int, int]] = {}
    crashed: list[int] = []
    reporters: set[int] = set()

    def on_result(task: int, result: tuple[int, int]) -> None:
        assert task not in results
        results[task] = result
        reporters.add(os.getpid())

    def on_crash(task: int, reason: str) -> None:
        crashed.append(task)
        reporters.add(os.getpid())
        assert "died" in reason

    ProcessPool(2).run(_square_or_die, list(range(20)), on_result, on_crash)
    assert crashed == [7]
    assert sorted(results) == [n for n in range(20) if n != 7]
    assert all(square == n * n for n, (square, _) in results.items())
    assert {pid for _, pid in results.values()} - {os.getpid()}, "the work ran in worker processes"
    assert reporters == {os.getpid()}, "results are reported in the calling process"


def test_in_process_runs_here_in_order() -> None:
    seen: list[int] = []
    InProcess().run(lambda n: n + 1, [3, 1, 2], lambda task, result: seen.append(result), pytest.fail)
    assert seen == [4, 2, 3]


def test_the_settings_choose_the_executor(tmp_path) -> None:
    assert isinstance(for_settings(Settings.from_env(tmp_path, workers=1)), InProcess)
    pool = for_settings(Settings.from_env(tmp_path, workers=3))
    assert isinstance(pool, ProcessPool) and pool.workers == 3
