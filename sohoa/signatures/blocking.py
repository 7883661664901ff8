"""pyHanko's blocking calls (signing, validating) run ``asyncio.run`` inside, which refuses
to start where an event loop already runs in the calling thread: Playwright's sync API in
the tests, a web application's handlers. ``outside_event_loop`` runs such a call in a
thread of its own when it has to, and directly otherwise."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def outside_event_loop(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop in this thread: pyHanko may start its own
            return fn(*args, **kwargs)
        with cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sohoa-pyhanko") as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return call
