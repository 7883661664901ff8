"""The check of workers that join a Dask cluster during a run (``ingest.cluster``).

A worker restarted by its nanny, or a machine started after the run's first check, is
checked the same way before it takes a file: its sohoa code, its Tesseract and its
language model by hash. One that differs closes itself, with its nanny, and says why in
its log. In a module of its own so that the rest of sohoa does not import Dask.
"""

from __future__ import annotations

import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from sohoa.ingest.cluster import refusal, worker_check

log = logging.getLogger(__name__)


class JoinCheck(WorkerPlugin):
    """Registered by the run; ``setup`` runs on every worker, those there and those to come."""

    idempotent = True

    def __init__(self, language: str, expected: dict[str, str | None], where: tuple[str, str]) -> None:
        self.language, self.expected, self.where = language, expected, where

    def setup(self, worker: Any) -> None:
        reason = refusal(worker_check(self.language), self.expected, self.where)
        if reason is not None:
            log.warning("sohoa: worker %s may not read for this run: it %s; closing", worker.address, reason[1])
            worker.loop.add_callback(worker.close, nanny=True, reason=f"sohoa: {reason[1]}")
