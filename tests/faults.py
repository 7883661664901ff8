"""Fault injection through the executor seam (``sohoa.ingest.executor``): the run's own
executor, with a fault wrapped around the function each worker calls."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sohoa.ingest.executor import Executor


class WithFault:
    """``inner``, except that each task runs as ``fault(fn, task)`` in its worker; ``fault``
    is a module-level function (it travels to worker processes by pickle)."""

    def __init__(self, inner: Executor, fault: Callable[[Callable[[Any], Any], Any], Any]) -> None:
        self.inner, self.fault = inner, fault

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any], on_result: Callable[[Any, Any], None],
            on_crash: Callable[[Any, str], None]) -> None:
        self.inner.run(functools.partial(self.fault, fn), tasks, on_result, on_crash)
