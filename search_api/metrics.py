"""What a running sohoa says to its monitoring: ``/healthz``, ``/readyz`` and Prometheus
metrics at ``/metrics`` (``prometheus-client``'s text format).

The figures are read from the ledger at each scrape, read-only, so that they are those of
every process that writes it (ingests, ``sohoa watch``, cluster runs), not of the server
alone: documents by state, failures by reason, pages read (Prometheus's ``rate()`` of
the counter is pages per second), records waiting for the index and documents waiting to
be read (the queue).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


def _ledger(path: Path) -> sqlite3.Connection | None:
    if not path.exists():
        return None
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


class LedgerCollector(Collector):
    """The ledger's figures, and the index's count, at each scrape."""

    def __init__(self, ledger_path: Path, index_count: Callable[[], int]) -> None:
        self.ledger_path, self.index_count = ledger_path, index_count

    def collect(self) -> Iterator[Any]:
        states = GaugeMetricFamily("sohoa_documents", "Documents in the ledger, by state", labels=["state"])
        failed = GaugeMetricFamily("sohoa_documents_failed", "Documents failed, by reason", labels=["reason"])
        pages = CounterMetricFamily("sohoa_pages_read", "Pages of the documents read (rate(): pages per second)")
        pending_index = GaugeMetricFamily("sohoa_index_pending", "Records read and saved, not yet in the index")
        queue = GaugeMetricFamily("sohoa_queue_depth", "Documents registered and waiting to be read")
        records = GaugeMetricFamily("sohoa_index_records", "Records in the search index")
        db = _ledger(self.ledger_path)
        counts: dict[str, int] = {}
        if db is not None:
            with contextlib.closing(db):
                counts = dict(db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())
                for code, n in db.execute("SELECT coalesce(error_code, 'unknown'), count(*) FROM documents "
                                          "WHERE state = 'failed' GROUP BY 1"):
                    failed.add_metric([code], n)
                read = db.execute("SELECT coalesce(sum(json_extract(record, '$.pages')), 0) FROM documents "
                                  "WHERE state IN ('extracted', 'indexed')").fetchone()[0]
                pages.add_metric([], read)
        for state in ("pending", "extracted", "indexed", "failed", "orphaned"):
            states.add_metric([state], counts.get(state, 0))
        pending_index.add_metric([], counts.get("extracted", 0))
        queue.add_metric([], counts.get("pending", 0))
        yield from (states, failed, pages, pending_index, queue)
        with contextlib.suppress(Exception):  # the index unreachable: said by /readyz, not here
            records.add_metric([], self.index_count())
            yield records


def exposition(ledger_path: Path, index_count: Callable[[], int]) -> bytes:
    """The metrics in Prometheus's text format."""
    registry = CollectorRegistry()
    registry.register(LedgerCollector(ledger_path, index_count))
    return generate_latest(registry)


def readiness(checks: dict[str, Callable[[], object]]) -> dict[str, str]:
    """Each check run: ``ok``, or what went wrong (the type of the error, nothing more)."""
    found = {}
    for name, check in checks.items():
        try:
            check()
            found[name] = "ok"
        except Exception as exc:  # any fault of a store is "not ready"
            found[name] = type(exc).__name__
    return found


def ledger_readable(path: Path) -> None:
    db = _ledger(path)
    if db is not None:
        with contextlib.closing(db):
            db.execute("SELECT count(*) FROM documents").fetchone()
