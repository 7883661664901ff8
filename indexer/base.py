"""The index interface every search backend implements, and the registry of backends.

A backend stores the searchable projection of records (the ledger keeps the records
themselves) and answers :class:`SearchQuery` with a :class:`SearchResult`. Writes are
idempotent by record id, so replaying them after a crash never doubles a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sohoa.core.model import Record
from sohoa.core.settings import Settings
from sohoa.core.text import scope_key


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
    signature: str | None = None
    """A document signature status (``sohoa.core.verdict.DOCUMENT_STATUSES``, or ``unchecked``)."""
    level: str | None = None
    """The issuer's level: ``province``, ``district`` or ``commune``."""
    agencies: tuple[str, ...] | None = None
    """Only records issued by one of these agencies, or by one they succeeded on 1 July
    2025 (``agency_keys``): what a user limited to them may see, in the hits, the totals
    and the facets. None: no limit."""
    personal: bool = True
    """Whether the words may match personal data (ID numbers, dates of birth, addresses:
    ``sohoa.core.privacy.split_personal``); False for a user who may not see it, whose
    search must not find a record by what it would show them masked."""
    today: dt.date = field(default_factory=dt.date.today)
    limit: int = 10
    offset: int = 0
    facets: bool = False
    """Also count the matches by type, issuer, year of issue and validity."""


def agency_keys(record: Record | Mapping[str, Any]) -> tuple[str, ...]:
    """The agencies a record (or its fields) belongs to: its issuer as printed and, for a
    legacy issuer, the agency that took over its results (``issuer_successor``)."""
    fields = record.fields if isinstance(record, Record) else record
    names = (fields.get("issuer"), fields.get("issuer_successor"))
    return tuple(dict.fromkeys(scope_key(n) for n in names if n and scope_key(n)))


@dataclass(frozen=True)
class Hit:
    id: str
    path: str
    score: float
    fields: dict[str, Any]
    snippet: str
    """Text around the first match, matches wrapped in ``<mark>``."""
    validity: str
    signature: str = "unchecked"
    """The document's digital-signature status."""


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] | None = None
    """Counts over all matches, when asked: ``{"doc_type": {...}, "issuer": {...},
    "year": {"2024": n}, "validity": {"valid": n}, "signature": {"valid": n}}``."""

    def to_json(self) -> dict[str, Any]:
        facets = {"facets": self.facets} if self.facets is not None else {}
        return {
            "total": self.total,
            "hits": [
                {"id": h.id, "path": h.path, "score": round(h.score, 4), "fields": h.fields,
                 "snippet": h.snippet, "validity": h.validity, "signature": h.signature}
                for h in self.hits
            ],
            **facets,
        }


class IndexBackend(Protocol):
    name: str
    target: str
    """Where the records go (``sqlite:/home/index.sqlite``, ``elasticsearch:URL/alias``)."""

    def upsert(self, records: Sequence[Record]) -> None:
        """Add or replace these records (by id)."""

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these ids; unknown ids are ignored."""

    def replace_all(self, records: Iterable[Record]) -> int:
        """Hold exactly these records (the indexed ones), switching over at once; the count."""

    def held(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids the index holds for this ledger (on a shared alias: with this
        ledger's claim)."""

    def mine(self) -> Iterator[str]:
        """Every id the index holds for this ledger."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


BACKENDS = {"sqlite": "sohoa.indexer.sqlite_fts", "elasticsearch": "sohoa.indexer.elastic"}
"""The backends by name, and the module of each. A module defines ``open_backend(settings,
*, discard_stale, shared)``, which reads the settings it needs and opens the index. A new
backend is a line here and a module that passes ``tests/test_search.py``."""


def backend_name(settings: Settings) -> str:
    """The backend ``settings`` select: Elasticsearch when a URL is set, else embedded."""
    return "elasticsearch" if settings.es_url else "sqlite"


def open_index(settings: Settings, backend: str | None = None, *, discard_stale: bool = False,
               shared: bool = False) -> IndexBackend:
    """Open the backend ``settings`` select (or ``backend``, named explicitly).

    With ``discard_stale``, an index written by another sohoa version is not an error: the
    backend starts it afresh (``sohoa reindex`` then fills it).
    """
    import importlib

    from sohoa.core.errors import ConfigError

    backend = backend or backend_name(settings)
    if backend not in BACKENDS:
        raise ConfigError(f"Không có loại chỉ mục {backend!r}; có: {', '.join(sorted(BACKENDS))}.",
                          f"No index backend {backend!r}; there are: {', '.join(sorted(BACKENDS))}.")
    settings.ensure_home()
    module = importlib.import_module(BACKENDS[backend])
    return module.open_backend(settings, discard_stale=discard_stale, shared=shared)
