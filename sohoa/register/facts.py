"""What a record tells the register: the few facts reconciliation and progress need.

A record's JSON (text, layout) is far too big to read a million of them for a count, so
the ledger keeps beside each processed document one ``facts`` row (schema ``FACTS_SCHEMA``,
row ``facts_of``): the keys it is matched to the register on, its validity, and the day it
reached each stage of digitisation:

- **scanned**: a record exists;
- **extracted**: its number, issue date, issuer and type are present (and the holder, for a
  result about a person);
- **verified**: each of those fields was confirmed by a person or read with at least
  ``VERIFIED_CONFIDENCE``;
- **signed**: a valid signed copy exists, or the original carries a valid signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass, fields

from sohoa.core.agencies import resolve
from sohoa.core.model import Record, SignedCopy
from sohoa.core.text import search_form
from sohoa.core.validity import VIETNAM
from sohoa.register.rows import number_key

VERIFIED_CONFIDENCE = 0.8
"""A field read with less confidence than this waits for a person (the review queue too)."""

KEY_FIELDS = ("number", "issue_date", "issuer", "doc_type")
"""The fields without which a result cannot be found or counted."""

PROCEDURE_LABEL = ("CASE WHEN min({t}.procedure_code) IS NULL THEN coalesce(min({t}.procedure_name), '') "
                   "ELSE min({t}.procedure_code) || coalesce(' ' || min({t}.procedure_name), '') END")
"""SQL: a procedure as a row of a breakdown names it, its code and its name (two procedures
may share a name); ``{t}``: the entries' table alias."""
STAGES = ("scanned", "extracted", "verified", "signed")
FACTS_VERSION = "2"
"""The layout and meaning of ``facts`` rows (2: agencies by who they are); a ledger whose
facts are of another version drops them, and they are written again from the records."""

FACTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (      -- per processed document: what the register needs (sohoa.register.facts)
    sha256        TEXT PRIMARY KEY,
    agency        TEXT,
    parent        TEXT,
    agency_key    TEXT,                 -- who the issuer is: sohoa.core.agencies.Agency.key
    agency_name   TEXT,                 -- Agency.short, for a name one letter off
    successor_key TEXT,
    level         TEXT,
    doc_type      TEXT,
    number        TEXT,
    number_key    TEXT,
    issued        TEXT,
    holder_key    TEXT,
    valid_until   TEXT,
    without_end   TEXT,
    scanned_on    TEXT,
    extracted_on  TEXT,
    verified_on   TEXT,
    signed_on     TEXT
);
CREATE INDEX IF NOT EXISTS facts_key ON facts(agency_key, number_key, issued);
"""


@dataclass(frozen=True)
class Facts:
    """One ``facts`` row; a stage's day is None until the record reaches it."""

    sha256: str
    agency: str | None
    parent: str | None
    agency_key: str | None
    agency_name: str | None
    successor_key: str | None
    level: str | None
    doc_type: str | None
    number: str | None
    number_key: str | None
    issued: str | None
    holder_key: str | None
    valid_until: str | None
    without_end: str | None
    scanned_on: str | None
    extracted_on: str | None
    verified_on: str | None
    signed_on: str | None

    def row(self) -> tuple[str | None, ...]:
        return astuple(self)


COLUMNS = tuple(f.name for f in fields(Facts))


def holder_key(name: str | None) -> str | None:
    """A holder's name as register and archive are matched on: folded, one space between words."""
    return " ".join(search_form(name).split()) or None if name else None


def local_day(stamp: str | dt.datetime) -> str:
    """The day in Vietnam of an ISO time (UTC when it has no offset)."""
    when = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(VIETNAM).date().isoformat()


def facts_of(record: Record, *, created: str, about_person: bool) -> Facts:
    """The facts of a processed ``record`` (as people corrected it), first registered at
    ``created`` (ISO, UTC); ``about_person``: its type names a holder (a permit, a certificate)."""
    f = record.fields
    scanned = local_day(created)
    needed = (*KEY_FIELDS, "holder_name") if about_person else KEY_FIELDS
    extracted = scanned if all(f.get(name) for name in needed) else None
    verified = None
    if extracted:
        confirmed = record.confirmed
        if all(name in confirmed or record.extraction.confidence.get(name, 0.0) >= VERIFIED_CONFIDENCE
               for name in needed):
            people = [c.at for c in record.corrections if c.field in needed]
            verified = max([scanned, *(local_day(at) for at in people)])
    signed = None
    if isinstance(record.signed_copy, SignedCopy):
        signed = record.signed_copy.signed_at[:10]
    elif record.signature_status == "valid":
        signed = scanned
    issuer = resolve(f["issuer"], f.get("issuer_parent")) if f.get("issuer") else None
    successor = resolve(f["issuer_successor"]) if f.get("issuer_successor") else None
    return Facts(
        sha256=record.id, agency=f.get("issuer"), parent=f.get("issuer_parent"),
        agency_key=issuer.key if issuer else None, agency_name=issuer.short if issuer else None,
        successor_key=successor.key if successor else None,
        level=f.get("issuer_level"), doc_type=f.get("doc_type"), number=f.get("number"),
        number_key=number_key(f.get("number")), issued=f.get("issue_date"), holder_key=holder_key(f.get("holder_name")),
        valid_until=f.get("valid_until"), without_end=record.validity.without_end_date, scanned_on=scanned,
        extracted_on=extracted, verified_on=verified, signed_on=signed)
