"""Who writes to a shared alias, and who rebuilds it: the writers' leases and the rebuild
lock, kept as documents of the index ``{alias}-locks`` beside it.

A rebuild takes its lock and then looks at the leases; a writer takes its lease and then
looks at the lock; so one of the two always sees the other. A lock older than
``LOCK_STALE_SECONDS`` was left by a rebuild that died and is taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sohoa.core.errors import IndexBackendError

LEASE_SECONDS = 120
"""A ledger that wrote to the alias less than this long ago is taken to be ingesting: a
rebuild of the alias from every ledger (``reindex --all-ledgers``) waits for it."""
LOCK_STALE_SECONDS = 6 * 3600
"""A rebuild lock older than this was left by a rebuild that died."""


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")



def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Guard:
    """The leases and the rebuild lock of ``alias``, written by the ledger ``owner()``,
    each request sent through ``call`` (retried with backoff)."""

    def __init__(self, es: Any, alias: str, call: Callable[..., Any], owner: Callable[[], str | None]) -> None:
        self.es = es
        self.alias = alias
        self.index = f"{alias}-locks"
        self.call = call
        self.owner = owner
        self._leased = -LEASE_SECONDS

    def release(self) -> None:
        """This writer is done: its lease goes."""
        if self._leased >= 0 and self.owner() is not None:
            with contextlib.suppress(Exception):
                self.es.options(ignore_status=404).delete(index=self.index, id=f"writer-{self.owner()}", refresh=True)

    def lease(self) -> None:
        """Say that this ledger writes (at most every ``LEASE_SECONDS / 4``), then make sure
        no rebuild of the alias is under way: a rebuild takes its lock and then looks at the
        leases, a writer takes its lease and then looks at the lock, so one of the two sees
        the other. Under a rebuild the records stay pending (``sohoa index --retry``)."""
        now = time.monotonic()
        if self.owner() is None or now - self._leased < LEASE_SECONDS / 4:
            return
        self.call("Ghi dấu đang ghi", "Noting this writer", self.es.index, index=self.index,
                  id=f"writer-{self.owner()}", document={"owner": self.owner(), "at": _now_iso()}, refresh=True)
        self._leased = now
        lock = self.held()
        if lock is not None and lock.get("owner") != self.owner():
            self._leased = -LEASE_SECONDS
            raise IndexBackendError(
                f"Bí danh {self.alias} đang được dựng lại (sổ theo dõi {lock.get('owner')}, từ {lock.get('at')}): hồ "
                "sơ được giữ chờ chỉ mục; chạy `sohoa index --retry` khi việc dựng lại xong.",
                f"The alias {self.alias} is being rebuilt (ledger {lock.get('owner')}, since {lock.get('at')}): the "
                "records are kept pending; run `sohoa index --retry` once the rebuild is done.")

    def held(self) -> dict[str, Any] | None:
        """The rebuild lock, unless there is none or it is stale (a rebuild that died)."""
        from elasticsearch import NotFoundError

        try:
            found = self.es.get(index=self.index, id="rebuild")
        except NotFoundError:
            return None
        lock = found.body["_source"]
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(lock["at"])
        return None if age.total_seconds() > LOCK_STALE_SECONDS else lock

    def take(self) -> None:
        """The rebuild lock, refused while another rebuild holds it or another ledger wrote
        within ``LEASE_SECONDS``."""
        from elasticsearch import ConflictError
        from elasticsearch.helpers import scan

        held = self.held()
        if held is not None:
            raise IndexBackendError(
                f"Bí danh {self.alias} đang được dựng lại (sổ theo dõi {held.get('owner')}, từ {held.get('at')}).",
                f"The alias {self.alias} is already being rebuilt (ledger {held.get('owner')}, "
                f"since {held.get('at')}).")
        if self.es.options(ignore_status=404).get(index=self.index, id="rebuild").body.get("found"):
            self.drop()  # stale: left by a rebuild that died
        try:
            self.es.index(index=self.index, id="rebuild", document={"owner": self.owner(), "at": _now_iso()},
                          op_type="create", refresh=True)
        except ConflictError as exc:
            raise IndexBackendError(f"Bí danh {self.alias} vừa được nơi khác bắt đầu dựng lại.",
                                    f"Another process has just started to rebuild the alias {self.alias}.") from exc
        now = dt.datetime.now(dt.UTC)
        leases = [hit["_source"] for hit in scan(self.es, index=self.index, query={"query": {"match_all": {}}})
                  if hit["_id"].startswith("writer-")]
        recent = [lease for lease in leases if lease.get("owner") != self.owner()
                  and (now - dt.datetime.fromisoformat(lease["at"])).total_seconds() < LEASE_SECONDS]
        if recent:
            self.drop()
            ago = min((now - dt.datetime.fromisoformat(r["at"])).total_seconds() for r in recent)
            raise IndexBackendError(
                f"Sổ theo dõi {recent[0]['owner']} vừa ghi vào bí danh {self.alias} ({ago:.0f} giây trước): không dựng "
                "lại khi văn phòng khác đang nạp. Chạy lại khi không ai nạp.",
                f"The ledger {recent[0]['owner']} wrote to the alias {self.alias} {ago:.0f} s ago: no rebuild while "
                "another office ingests. Run it again when none does.")

    def drop(self) -> None:
        """Let go of the rebuild lock (a failure to is left to staleness)."""
        with contextlib.suppress(Exception):
            self.es.options(ignore_status=404).delete(index=self.index, id="rebuild", refresh=True)
