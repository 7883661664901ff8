"""Sending records from the ledger to the index, in batches, surviving an index that is down.

A record the ledger holds as ``extracted`` is *pending index*: processed, saved, not yet
confirmed by the index. The feed sends such records in batches and marks them
``indexed`` only after the index has taken them. If the index fails (an Elasticsearch
cluster down, say), the records stay pending, and the ingest goes on with OCR. The feed
tries again after a pause, then once more at the end of the run, and what is still
pending goes out on the next run or with ``sohoa index --retry``. Writes are
idempotent by record id, so a batch sent twice is still indexed once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sohoa.core.errors import IndexBackendError
from sohoa.core.model import Record
from sohoa.indexer.base import IndexBackend
from sohoa.ingest.ledger import DocumentState, Ledger

FLUSH_SECONDS = 5.0
"""A partial batch waits at most this long, so that searches soon see new records."""
PAUSE_AFTER_FAILURE = 30.0
"""After a failed send, batches wait this long before trying again (the ledger keeps them)."""


class IndexFeed:
    def __init__(self, index: IndexBackend, ledger: Ledger, batch: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.index = index
        self.ledger = ledger
        self.batch = max(1, batch)
        self.clock = clock
        self.buffer: list[Record] = []
        self.sent = 0
        self.error: IndexBackendError | None = None
        self._last_flush = clock()
        self._failed_at: float | None = None

    def send_pending(self) -> bool:
        """Send every record the ledger holds as pending index, a batch at a time (records
        are read from the ledger as they go, not all at once); False if the index refused."""
        ids = self.ledger.to_index()
        for start in range(0, len(ids), self.batch):
            self.buffer.extend(r for r in map(self.ledger.get, ids[start:start + self.batch]) if r is not None)
            if not self.flush(force=True):
                return False
        return True

    def add(self, records: Iterable[Record]) -> None:
        self.buffer.extend(records)
        if len(self.buffer) >= self.batch or self.clock() - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self, *, force: bool = False) -> bool:
        """Send what is buffered; False if the index refused (the records stay pending)."""
        now = self.clock()
        self._last_flush = now
        if not self.buffer:
            return True
        if not force and self._failed_at is not None and now - self._failed_at < PAUSE_AFTER_FAILURE:
            return False
        try:
            for start in range(0, len(self.buffer), self.batch):
                chunk = self.buffer[start:start + self.batch]
                self.index.upsert(chunk)
                self.ledger.mark_indexed([r.id for r in chunk])
                self.sent += len(chunk)
        except IndexBackendError as exc:
            self.error = exc
            self._failed_at = self.clock()
            self.buffer = [r for r in self.buffer if self.ledger.document_state(r.id) is DocumentState.extracted]
            return False
        self.buffer = []
        self._failed_at = None
        self.error = None
        return True


@dataclass
class Retried:
    indexed: int
    deleted: int
    still_pending: int


def send_pending(ledger: Ledger, index: IndexBackend, batch: int) -> Retried:
    """``sohoa index --retry``: send every pending record, remove every orphaned one.

    Raises :class:`IndexBackendError` if the index is still unreachable; what was sent
    before that stays sent.
    """
    orphans = ledger.orphaned_ids()
    if orphans:
        index.delete(orphans)
    feed = IndexFeed(index, ledger, batch)
    if not feed.send_pending() and feed.error:
        raise feed.error
    return Retried(feed.sent, len(orphans), ledger.state_counts().get(DocumentState.extracted, 0))
