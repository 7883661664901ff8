"""The index interface every search backend implements, and the registry of backends.

A backend stores the searchable projection of records (the ledger keeps the records
themselves) and answers :class:`SearchQuery` with a :class:`SearchResult`. Writes are
idempotent by record id, so replaying them after a crash never doubles a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sohoa.model import Record


@dataclass(frozen=True)
class SearchQuery:
    """What an officer asks for. Empty ``text`` lists by filters alone, newest first."""

    text: str = ""
    doc_type: str | None = None
    """Folded substring of the type name (``giay phep`` matches Giấy phép xây dựng)."""
    issuer: str | None = None
    """Folded substring of the issuer."""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    validity: str | None = None
    """``valid``, ``expired`` or ``unknown``, judged as of ``today``."""
    today: dt.date = field(default_factory=dt.date.today)
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    id: str
    path: str
    score: float
    fields: dict[str, Any]
    snippet: str
    """Text around the first match, matches wrapped in ``<mark>``."""
    validity: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [
                {"id": h.id, "path": h.path, "score": round(h.score, 4), "fields": h.fields,
                 "snippet": h.snippet, "validity": h.validity}
                for h in self.hits
            ],
        }


class IndexBackend(Protocol):
    name: str

    def upsert(self, records: Sequence[Record]) -> None:
        """Add or replace these records (by id)."""

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these ids; unknown ids are ignored."""

    def replace_all(self, records: Iterable[Record]) -> int:
        """Hold exactly these records (the indexed ones), switching over at once; the count."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


BACKENDS: dict[str, Callable[..., IndexBackend]] = {}


def register(name: str) -> Callable[[Callable[..., IndexBackend]], Callable[..., IndexBackend]]:
    def deco(factory: Callable[..., IndexBackend]) -> Callable[..., IndexBackend]:
        BACKENDS[name] = factory
        return factory

    return deco


def open_index(settings: Any, backend: str = "sqlite", *, discard_stale: bool = False) -> IndexBackend:
    """Open the configured backend (the embedded SQLite index by default).

    With ``discard_stale``, an embedded index written by another sohoa version is deleted
    and created empty (``sohoa reindex`` then fills it from the ledger).
    """
    import indexer.sqlite_fts  # noqa: F401  (registers the backend)
    from sohoa.errors import IndexBackendError
    from sohoa.sqlite import SchemaMismatch

    if backend not in BACKENDS:
        raise IndexBackendError(f"Không có loại chỉ mục {backend!r}.", f"No index backend {backend!r}.")
    settings.ensure_home()
    try:
        return BACKENDS[backend](settings.index_path)
    except SchemaMismatch:
        if not discard_stale:
            raise
        for suffix in ("", "-wal", "-shm"):
            settings.index_path.with_name(settings.index_path.name + suffix).unlink(missing_ok=True)
        return BACKENDS[backend](settings.index_path)
