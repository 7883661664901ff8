"""What auditors use, for the CLI and the web alike: the register reconciled with the
archive of a home, and progress toward "every still-valid result digitised".

Every entry point brings the ledger's facts up to date and reconciles first when either
side changed (cheap when neither did), so that a figure is never older than the archive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Collection, Iterator

from sohoa.core.settings import Settings
from sohoa.core.text import agency_key
from sohoa.ingest.ledger import Ledger
from sohoa.ocr.issuer import read_block
from sohoa.register import progress as counts
from sohoa.register.store import Reconciled, Register


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
        yield reg, done


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
    with reconciled(settings) as (reg, _):
        return counts.progress(reg.db, by=by, as_of=as_of, deadline=deadline, stage=stage, agencies=scope(agencies),
                               merge=successor_name if successor else None)
