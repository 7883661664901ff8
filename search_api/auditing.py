"""What auditors use, for the CLI and the web alike: the register reconciled with the
archive of a home, and progress toward "every still-valid result digitised".

Every entry point brings the ledger's facts up to date and reconciles first when either
side changed (cheap when neither did), so that a figure is never older than the archive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sohoa.core.settings import Settings
from sohoa.core.text import agency_key
from sohoa.ingest.ledger import Ledger
from sohoa.ocr.issuer import read_block
from sohoa.register import progress as counts
from sohoa.register.store import Reconciled, Register, RegisterFileError


@contextlib.contextmanager
def reconciled(settings: Settings, *, force: bool = False) -> Iterator[tuple[Register, Reconciled | None]]:
    """The home's register, reconciled with its ledger (None: no archive yet)."""
    settings.ensure_home()
    done = None
    if settings.ledger_path.is_file():
        ledger = Ledger(settings.ledger_path)
        try:
            ledger.sync_facts()
        finally:
            ledger.close()
    with Register(settings.home) as reg:
        if settings.ledger_path.is_file():
            done = reg.reconcile(settings.ledger_path, force=force)
        else:
            reg.tally()
        yield reg, done


class Counts:
    """Where the figures are counted: SQL over the register (the embedded default), or
    Elasticsearch aggregations over a mirror of its tally when the archive is on a
    cluster (``settings.es_url``); the same answers either way."""

    def __init__(self, reg: Register, settings: Settings) -> None:
        self.db = reg.db
        self._index = None
        self._search: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        if settings.es_url:
            from sohoa.indexer.elastic import open_backend
            from sohoa.register import elastic

            index = self._index = open_backend(settings)
            alias = index.side_index(f"register-{reg.id}", reg.tallied, elastic.MAPPINGS,
                                     lambda: elastic.documents(reg.db))
            self._search = lambda body: index.aggregate(alias, body)

    @property
    def where(self) -> str:
        return "elasticsearch" if self._search else "sqlite"

    def progress(self, **kw: Any) -> counts.Progress:
        from sohoa.register import elastic

        return elastic.progress(self._search, **kw) if self._search else counts.progress(self.db, **kw)

    def grid(self, **kw: Any) -> list[tuple[str, str, int, int]]:
        from sohoa.register import elastic

        return elastic.grid(self._search, **kw) if self._search else counts.grid(self.db, **kw)

    def weekly(self, **kw: Any) -> list[tuple[str, int]]:
        from sohoa.register import elastic

        return elastic.weekly(self._search, **kw) if self._search else counts.weekly(self.db, **kw)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


@contextlib.contextmanager
def counted(settings: Settings) -> Iterator[tuple[Register, Counts]]:
    """The reconciled register and where its figures are counted."""
    with reconciled(settings) as (reg, _):
        found = Counts(reg, settings)
        try:
            yield reg, found
        finally:
            found.close()


def scope(agencies: Collection[str] | None) -> list[str] | None:
    """The agency keys a user limited to ``agencies`` sees (None: every agency)."""
    return sorted({agency_key(a) for a in agencies}) if agencies else None


@functools.lru_cache(maxsize=4096)
def successor_name(agency: str) -> str:
    """The agency that took over ``agency`` on 1 July 2025 where that is certain (a merged
    province's bodies); else the name as printed (a district's tasks went to communes or
    the province depending on the procedure, which the name alone does not tell)."""
    block = read_block([agency])
    return block.successor or agency


def progress(settings: Settings, *, by: str | None, as_of: dt.date, deadline: dt.date, stage: str,
             agencies: Collection[str] | None = None, successor: bool = False) -> counts.Progress:
    with counted(settings) as (_, found):
        return found.progress(by=by, as_of=as_of, deadline=deadline, stage=stage, agencies=scope(agencies),
                              merge=successor_name if successor else None)


@dataclass(frozen=True)
class Overview:
    """Everything an auditor's report and dashboard show, counted in one reconciled state."""
    province: counts.Progress
    breakdowns: dict[str, counts.Progress]
    """``level``, ``agency``, ``procedure``, ``year``."""
    weeks: list[tuple[str, int]]
    cells: list[tuple[str, str, int, int]]
    """Agency × year (``progress.grid``)."""
    missing: list[dict[str, object]]
    """Still valid and not yet scanned on the day: what is left to scan."""
    index: list[counts.IndexRow]
    """The national service index's indicators per agency and quarter."""
    successor: bool
    agencies: tuple[str, ...] | None


def overview(settings: Settings, *, as_of: dt.date, deadline: dt.date, stage: str = "signed",
             agencies: Collection[str] | None = None, successor: bool = False,
             breakdowns: Collection[str] = tuple(counts.BREAKDOWNS), period: str = "quarter",
             lists: bool = True) -> Overview:
    """``lists=False``: without the list of what is missing and the service index (a page
    that shows neither)."""
    seen = scope(agencies)
    merge = successor_name if successor else None
    with counted(settings) as (reg, found):
        db = reg.db
        def count(by: str | None) -> counts.Progress:
            return found.progress(by=by, as_of=as_of, deadline=deadline, stage=stage, agencies=seen, merge=merge)

        cells = found.grid(as_of=as_of, stage=stage, agencies=seen)
        if merge is not None:
            added: dict[tuple[str, str], list[int]] = {}
            for agency, year, valid, reached in cells:
                got = added.setdefault((merge(agency), year), [0, 0])
                got[0], got[1] = got[0] + valid, got[1] + reached
            cells = [(a, y, v, r) for (a, y), (v, r) in sorted(added.items())]
        return Overview(
            province=count(None), breakdowns={by: count(by) for by in breakdowns},
            weeks=found.weekly(as_of=as_of, stage=stage, agencies=seen), cells=cells,
            missing=counts.missing(db, as_of=as_of, stage="scanned", agencies=seen) if lists else [],
            index=counts.service_index(db, period=period, until=as_of, agencies=seen, merge=merge) if lists else [],
            successor=successor, agencies=tuple(agencies) if agencies else None)


def service_index(settings: Settings, *, period: str, until: dt.date, agencies: Collection[str] | None = None,
                  successor: bool = False) -> list[counts.IndexRow]:
    with reconciled(settings) as (reg, _):
        return counts.service_index(reg.db, period=period, until=until, agencies=scope(agencies),
                                    merge=successor_name if successor else None)


def drill(settings: Settings, *, as_of: dt.date, stage: str, reached: bool, by: str | None = None,
          group: str | None = None, agencies: Collection[str] | None = None,
          successor: bool = False) -> list[dict[str, object]]:
    """The entries behind one count of ``progress``: those of the row ``group`` of the
    breakdown ``by`` (a row's ``group``) that had (``reached``) or had not reached ``stage``."""
    seen = scope(agencies)
    key = None
    with reconciled(settings) as (reg, _):
        if by == "agency" and group is not None:
            keys = [group]
            if successor:
                keys = [k for name, k in reg.db.execute("SELECT min(agency), agency_key FROM entries "
                                                        "GROUP BY agency_key") if successor_name(name) == group]
            seen = keys if seen is None else sorted(set(seen) & set(keys))
        elif by is not None and group is not None:
            key = (by, group)
        find = counts.reached if reached else counts.missing
        return find(reg.db, as_of=as_of, stage=stage, agencies=seen, key=key)


def waiting(settings: Settings, agencies: Collection[str] | None = None) -> list[dict[str, object]]:
    """The matches waiting for a person, within ``agencies``."""
    seen = scope(agencies)
    with reconciled(settings) as (reg, _):
        found = reg.waiting(settings.ledger_path)
    return found if seen is None else [w for w in found if agency_key(str(w["agency"] or "")) in seen]


def decide(settings: Settings, entry: str, sha256: str, decision: str, *, by: str,
           agencies: Collection[str] | None = None) -> tuple[int, str]:
    """A person's decision on a pair (``Register.decide``); an auditor limited to agencies
    decides only on their entries."""
    seen = scope(agencies)
    with Register(settings.home) as reg:
        entry_id = reg.entry_id(entry)
        if seen is not None:
            (key,) = reg.db.execute("SELECT agency_key FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if key not in seen:
                raise RegisterFileError(f"Mục {entry} thuộc cơ quan ngoài phạm vi của tài khoản này.",
                                        f"Entry {entry} belongs to an agency outside this account's.")
        return reg.decide(str(entry_id), sha256, decision, by=by, ledger_path=settings.ledger_path)


def group_of(settings: Settings, by: str, printed: str) -> str:
    """The group of a row of ``sohoa progress --by`` from its key as printed: an agency's
    name, a level in Vietnamese or English, a procedure's name or code, a year."""
    if by == "agency":
        return agency_key(printed)
    if by == "level":
        return counts.LEVEL_KEYS.get(printed.strip().lower(), printed)
    if by == "procedure":
        with Register(settings.home) as reg:
            found = [r[0] for r in reg.db.execute(
                "SELECT DISTINCT coalesce(procedure_code, procedure_name, '') FROM entries "
                "WHERE procedure_name = ?1 OR procedure_code = ?1", (printed,))]
        return found[0] if len(found) == 1 else printed
    return printed
