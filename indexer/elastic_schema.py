"""What the Elasticsearch index holds and how it is asked: the mapping, a record as a
document, a search as a query, and the facets.

Words are stored as ``indexer.snippets`` tokenises them (see ``indexer.elastic``), so
that the server only splits on whitespace and the tokens are the embedded index's. The
evidence and its weights are those of ``indexer.sqlite_fts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sohoa.core.model import Record
from sohoa.core.paths import readable
from sohoa.core.text import index_form, normalise_number, search_form
from sohoa.indexer.base import SearchQuery, agency_keys, scope_key
from sohoa.indexer.snippets import (
    EVIDENCE,
    NUMBER_SCORE,
    PHRASE_SCORE,
    folded_terms,
    head_text,
    issuer_text,
    searchable_text,
    terms,
    tokens,
)

SCHEMA_VERSION = 7  # 3: issuer filters match issuer_parent and issuer_successor too; 4: agency scopes; 5: level;
# 6: the ledgers (offices) that hold each record; 7: personal data in a field of its own, agencies accented
FACET_SIZE = 50

_WORDS = {"type": "text", "analyzer": "whitespace", "norms": False}
_WORDS_NO_POSITIONS = {**_WORDS, "index_options": "docs"}
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "path": {"type": "keyword", "index": False},
        "fields": {"type": "object", "enabled": False},  # shown, never searched
        "body": {"type": "text", "index": False},  # the text snippets are cut from
        "doc_type": {"type": "keyword"},  # facets
        "issuer": {"type": "keyword"},
        "issuer_level": {"type": "keyword"},
        "kind": _WORDS_NO_POSITIONS,  # filters: folded words of type and issuer
        "issuer_words": _WORDS_NO_POSITIONS,
        "number": {"type": "keyword"},  # as typed
        "number_norm": {"type": "keyword"},  # as sohoa.core.text.normalise_number gives it
        "issue_date": {"type": "date", "format": "strict_date"},
        "valid_until": {"type": "date", "format": "strict_date"},
        "no_end": {"type": "keyword"},  # the type's verdict when there is no end date
        "signature_status": {"type": "keyword"},  # sohoa.core.model.Record.signature_status
        "agencies": {"type": "keyword"},  # indexer.base.agency_keys: what a limited user may see
        "orig": _WORDS_NO_POSITIONS,
        "folded": _WORDS,  # positions for phrase evidence
        "personal": _WORDS_NO_POSITIONS,  # privacy.split_personal: matched for who may see it only
        "head": _WORDS_NO_POSITIONS,
        "head_folded": _WORDS_NO_POSITIONS,
        "indexed_at": {"type": "date"},
        "ledgers": {"type": "keyword"},  # the ledgers (offices) holding the record: ingest.ledger's ledger_id
    },
}


def _iso(value: str | None) -> str | None:
    """An ISO date, or None for anything the date field would refuse."""
    try:
        return dt.date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def _words(text: str, folded: bool) -> str:
    """``text`` as the embedded index tokenises it: in index (or folded) form, split on non-word characters."""
    return " ".join(tokens(search_form(text) if folded else index_form(text)))


def _all_words(field: str, words: Sequence[str]) -> dict[str, Any]:
    return {"match": {field: {"query": " ".join(words), "operator": "and"}}}


def _scored(query: dict[str, Any], boost: float) -> dict[str, Any]:
    return {"constant_score": {"filter": query, "boost": boost}}


def validity_filter(validity: str, today: dt.date) -> dict[str, Any]:
    """The documents whose validity, judged on ``today``, is ``validity``."""
    day = today.isoformat()
    no_end = {"bool": {"must_not": {"exists": {"field": "valid_until"}}}}
    if validity == "expired":
        return {"range": {"valid_until": {"lt": day}}}
    if validity == "valid":
        return {"bool": {"should": [
            {"range": {"valid_until": {"gte": day}}},
            {"bool": {"filter": [no_end, {"term": {"no_end": "valid"}}]}},
        ], "minimum_should_match": 1}}
    return {"bool": {"filter": [no_end], "must_not": [{"term": {"no_end": "valid"}}]}}


def validity_of(source: dict[str, Any], today: dt.date) -> str:
    """A found document's validity on ``today``: from its end date, else its type's verdict."""
    until = source.get("valid_until")
    if until:
        return "expired" if until < today.isoformat() else "valid"
    return source.get("no_end") or "unknown"


def document(record: Record) -> dict[str, Any]:
    """The document of ``record`` as the index holds it."""
    f = record.fields
    (searchable, personal), head = searchable_text(record), head_text(record)
    return {
        "id": record.id, "path": readable(record.source.path), "fields": f, "body": record.text,
        "doc_type": f.get("doc_type"), "issuer": f.get("issuer"), "issuer_level": f.get("issuer_level"),
        "kind": _words(f.get("doc_type") or "", True), "issuer_words": _words(issuer_text(record), True),
        "number": f.get("number"), "number_norm": normalise_number(f.get("number") or "") or None,
        "issue_date": _iso(f.get("issue_date")), "valid_until": _iso(f.get("valid_until")),
        "no_end": record.validity.without_end_date, "signature_status": record.signature_status,
        "agencies": list(agency_keys(record)),
        "orig": _words(searchable, False), "folded": _words(searchable, True), "personal": _words(personal, True),
        "head": _words(head, False), "head_folded": _words(head, True),
        "indexed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def filters(q: SearchQuery) -> list[dict[str, Any]]:
    """The filters of ``q``: type, issuer, dates, validity, level, signature, agencies."""
    out: list[dict[str, Any]] = []
    for value, field in ((q.doc_type, "kind"), (q.issuer, "issuer_words")):
        words = [w for w in folded_terms(value or "") if w]
        if words:
            out.append(_all_words(field, words))
    if q.date_from or q.date_to:
        bounds = {"gte": q.date_from.isoformat() if q.date_from else None,
                  "lte": q.date_to.isoformat() if q.date_to else None}
        out.append({"range": {"issue_date": {k: v for k, v in bounds.items() if v}}})
    if q.validity:
        out.append(validity_filter(q.validity, q.today))
    if q.level:
        out.append({"term": {"issuer_level": q.level}})
    if q.signature:
        out.append({"term": {"signature_status": q.signature}})
    if q.agencies is not None:  # a user limited to some agencies: nothing else, anywhere
        out.append({"terms": {"agencies": [k for k in map(scope_key, q.agencies) if k]}})
    return out


def query(q: SearchQuery) -> tuple[dict[str, Any], list[Any]]:
    """The query of ``q`` and its sort: evidence-scored words and number, then the newest."""
    wanted = filters(q)
    folded = [w for w in folded_terms(q.text) if w]
    exact = [w for w in terms(q.text) if w]
    number = normalise_number(q.text) if q.text else None
    ways: list[dict[str, Any]] = []
    if folded:
        evidence = [_scored(_all_words(field, exact if kind == "exact" else folded), weight)
                    for field, kind, weight in EVIDENCE]
        if len(folded) > 1:
            evidence.append(_scored({"match_phrase": {"folded": " ".join(folded)}}, PHRASE_SCORE))
        # Each word in the text; for a user who may see personal data, in it or in that data.
        recall = ({"combined_fields": {"query": " ".join(folded), "fields": ["folded", "personal"],
                                       "operator": "and"}} if q.personal else _all_words("folded", folded))
        ways.append({"bool": {"filter": [recall], "should": evidence}})
    if number:
        ways.append(_scored({"term": {"number_norm": number}}, NUMBER_SCORE))
    newest = [{"issue_date": {"order": "desc", "missing": "_last"}}, {"id": {"order": "desc"}}]
    if not ways:
        return {"bool": {"filter": wanted}}, newest
    return ({"bool": {"filter": wanted, "should": ways, "minimum_should_match": 1}},
            [{"_score": {"order": "desc"}}, *newest])


def facet_aggregations(today: dt.date) -> dict[str, Any]:
    """The aggregations that count the facets of a search (validity judged on ``today``)."""
    return {
        "doc_type": {"terms": {"field": "doc_type", "size": FACET_SIZE}},
        "issuer": {"terms": {"field": "issuer", "size": FACET_SIZE}},
        "level": {"terms": {"field": "issuer_level", "size": FACET_SIZE, "order": {"_key": "asc"}}},
        "year": {"date_histogram": {"field": "issue_date", "calendar_interval": "year", "format": "yyyy",
                                    "min_doc_count": 1}},
        "validity": {"filters": {"filters": {v: validity_filter(v, today) for v in ("valid", "expired", "unknown")}}},
        "signature": {"terms": {"field": "signature_status", "size": FACET_SIZE, "order": {"_key": "asc"}}},
    }


def read_facets(aggs: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The facets' counts from the answer to ``facet_aggregations``."""
    out = {name: {b["key"]: b["doc_count"] for b in aggs[name]["buckets"]} for name in ("doc_type", "issuer")}
    out["level"] = {b["key"]: b["doc_count"] for b in aggs["level"]["buckets"]}
    out["year"] = {b["key_as_string"]: b["doc_count"] for b in aggs["year"]["buckets"]}
    out["validity"] = {k: b["doc_count"] for k, b in aggs["validity"]["buckets"].items() if b["doc_count"]}
    out["signature"] = {b["key"]: b["doc_count"] for b in aggs["signature"]["buckets"]}
    return out
