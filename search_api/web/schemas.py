"""The shapes of the API's answers, for ``/openapi.json`` and the clients generated from
it. Records, hits and progress rows carry more than is named here (every field sohoa
reads, every figure): the models name what a client can rely on and let the rest through
(``extra="allow"``); nothing is added to an answer that it did not hold."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Token(BaseModel):
    access_token: str
    token_type: str


class Revoked(BaseModel):
    revoked: bool


class Hit(_Open):
    id: str
    path: str
    score: float
    fields: dict[str, Any]
    snippet: str
    validity: Any = None
    signature: Any = None


class SearchAnswer(_Open):
    """What ``sohoa search --json`` prints."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] | None = None


class RecordOut(_Open):
    """A record as ``sohoa export`` writes it: its source, fields (with their confidence
    and notes), validity, signatures, signed copy and corrections."""

    id: str
    source: dict[str, Any]
    pages: int
    fields: dict[str, Any]
    validity: dict[str, Any]


class ReviewItem(RecordOut):
    weak: list[str]
    """The fields to check: missing, or read with little confidence."""
    score: float


class Verdict(_Open):
    """What ``sohoa verify --json`` gives for one file."""

    path: str | None
    status: str
    signatures: list[dict[str, Any]] = []


class IndexState(_Open):
    backend: str
    records: int


class ArchiveState(_Open):
    documents: dict[str, int]
    """How many documents the ledger holds in each state."""
    index: IndexState


class JobState(_Open):
    """Where an ingest started from the web stands."""

    id: str
    by: str
    folder: str
    status: str
    running: bool
    exit_code: int | None
    total: int
    done: int
    failed: list[dict[str, Any]]
    waiting: int
    report: str


class ProgressAnswer(_Open):
    """What ``sohoa progress --json`` prints."""

    as_of: str
    deadline: str
    stage: str
    by: str | None
    total: dict[str, Any]
    rows: list[dict[str, Any]]
    warnings: list[dict[str, str]]


class AuditAnswer(_Open):
    verified: bool
    entries_checked: int
    broken_at: int | None
    reason: str | None
    entries: list[dict[str, Any]]


def file_answer(*media: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of a route that sends a file of one of these types."""
    return {200: {"description": "The file.",
                  "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media}}}


class SplitAnswer(BaseModel):
    """What a correction of a stack's split did (``sohoa split``)."""

    file: str
    ranges: list[list[int]]
    kept: list[str]
    made: list[str]
    gone: list[str]
