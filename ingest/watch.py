"""``sohoa watch``: ingest the scans that land in the scanners' folders, as a service.

Each pass is an ordinary ingest of the watched folders (``ingest.run.ingest``), so the
guarantees are the ingest's: a file is processed exactly once, a changed one again, a
run killed at any moment is finished by the next one. The first pass catches up with
what arrived while nothing watched; after that a pass runs when the folders change
(``watchfiles``: the kernel's events, or polling for network shares, where events do
not cross the wire), and again while files are still being written, until they settle.
A folder that disappears (a share unmounted, a network down) is waited for and taken up
again when it is back. SIGTERM or Ctrl+C ends it between passes.
"""

from __future__ import annotations

import itertools
import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from sohoa.core.errors import IndexBackendError, IngestBusy
from sohoa.core.i18n import t
from sohoa.core.settings import Settings
from sohoa.indexer.base import IndexBackend
from sohoa.ingest.run import Summary, ingest

log = logging.getLogger(__name__)


def watch(paths: list[Path], settings: Settings, index: IndexBackend, *, poll: bool = False,
          interval: float = 5.0, stop: threading.Event | None = None,
          report: Callable[[Summary], None] = lambda _: None) -> int:
    """Watch ``paths`` until ``stop`` is set (or SIGTERM / Ctrl+C); returns the passes run."""
    import watchfiles

    stop = stop or _stop_on_signals()
    passes = 0
    due = True  # catch up first
    while not stop.is_set():
        missing = [p for p in paths if not p.exists()]
        if missing:
            log.warning(t(f"Không thấy {missing[0]} (ổ mạng ngắt?): chờ nó trở lại.",
                          f"{missing[0]} is not there (a share unmounted?): waiting for it to come back."))
            stop.wait(interval)
            due = True  # what arrived meanwhile is found by the next pass
            continue
        try:
            # One watcher while the folders are there: it gathers the changes made during a
            # pass too, and gives an empty set every ``interval`` to look again.
            events = watchfiles.watch(*paths, force_polling=poll, poll_delay_ms=int(interval * 1000),
                                      rust_timeout=int(interval * 1000), yield_on_timeout=True, stop_event=stop,
                                      raise_interrupt=False, debounce=800)
            for changes in itertools.chain([set()], events):
                if stop.is_set():
                    break
                due = due or bool(changes)
                if any(not p.exists() for p in paths):
                    due = True
                    break
                if due:
                    summary = _pass(paths, settings, index, stop)
                    passes += 1
                    if summary is not None:
                        report(summary)
                    # Files still being written are taken by a later pass, once they settle.
                    due = summary is None or bool(summary.skipped.get("being_written"))
        except (OSError, RuntimeError) as exc:  # a folder went while watched
            log.warning(t(f"Mất theo dõi thư mục ({exc}); thử lại.", f"Lost the watch of the folders ({exc}); again."))
            due = True
            stop.wait(interval)
    return passes


def _pass(paths: list[Path], settings: Settings, index: IndexBackend, stop: threading.Event) -> Summary | None:
    """One ingest of ``paths``; None when it could not run now (another ingest holds the
    ledger, the index is down: tried again at the next pass)."""
    try:
        return ingest(paths, settings, index, progress=False, wait=True)
    except (IngestBusy, IndexBackendError) as exc:
        log.warning(t(f"Chưa nạp được lượt này: {exc}", f"This pass could not run: {exc}"))
        stop.wait(1)
        return None


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
