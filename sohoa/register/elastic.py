"""Progress counted by Elasticsearch aggregations, for an archive kept on a cluster: the
same figures as ``sohoa.register.progress`` counts in SQL (a contract test holds both to
the same answers).

The register's tally (one narrow document per entry of status valid: days as integers,
the group keys and labels, the first day each stage was reached) is mirrored into an
index of its own beside the records' (``indexer.elastic.ElasticIndex.side_index``),
rebuilt when the reconciliation changed it. Every count is then one search of size 0:
a range filter for the scope, a composite aggregation for the breakdown, filter
aggregations for the stages. This module builds the documents and the requests and reads
the answers; talking to the cluster is the indexer's.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Collection, Iterator
from typing import Any

from sohoa.register.facts import STAGES
from sohoa.register.progress import (
    DEADLINE,
    JULIAN,
    PACE_DAYS,
    Progress,
    from_julian,
    julian,
    make_row,
    merged,
)

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "issued": {"type": "integer"}, "until": {"type": "integer"}, "level": {"type": "keyword"},
        "agency": {"type": "keyword"}, "agency_label": {"type": "keyword"},
        "procedure": {"type": "keyword"}, "procedure_label": {"type": "keyword"}, "year": {"type": "keyword"},
        **{s: {"type": "integer"} for s in STAGES},
    },
}
FIELDS = {"level": "level", "agency": "agency", "procedure": "procedure", "year": "year"}
LABELS = {"agency": "agency_label", "procedure": "procedure_label"}
PAGE = 1000
"""Buckets a composite aggregation answers at a time."""

Search = Callable[[dict[str, Any]], dict[str, Any]]
"""Runs one search body (``size`` 0, ``query``, ``aggs``) on the mirror; the answer's ``aggregations``."""


def documents(db: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """The register's tally as bulk actions, one per entry."""
    cursor = db.execute(
        "SELECT t.entry_id, t.issued, t.until, t.level, a.key, a.label, p.key, p.label, t.year, "
        f"{', '.join('t.' + s for s in STAGES)} FROM tally t JOIN tally_groups a ON a.id = t.agency "
        "JOIN tally_groups p ON p.id = t.procedure")
    for entry, issued, until, level, agency, agency_label, procedure, procedure_label, year, *days in cursor:
        source = {"issued": issued, "until": until, "level": level, "agency": agency, "agency_label": agency_label,
                  "procedure": procedure, "procedure_label": procedure_label, "year": year}
        source.update({s: d for s, d in zip(STAGES, days, strict=True) if d is not None})
        yield {"_id": str(entry), "_source": source}


def _scope(as_of: dt.date, agencies: Collection[str] | None) -> dict[str, Any]:
    day = julian(as_of)
    filters: list[dict[str, Any]] = [{"range": {"issued": {"lte": day}}}, {"range": {"until": {"gte": day}}}]
    if agencies is not None:
        filters.append({"terms": {"agency": sorted(agencies)}})
    return {"bool": {"filter": filters}}


def _stage_aggs(as_of: dt.date, stage: str) -> dict[str, Any]:
    day = julian(as_of)
    aggs: dict[str, Any] = {s: {"filter": {"range": {s: {"lte": day}}}} for s in STAGES}
    aggs["recent"] = {"filter": {"range": {stage: {"gt": day - PACE_DAYS, "lte": day}}}}
    aggs["last"] = {"filter": {"range": {stage: {"lte": day}}}, "aggs": {"day": {"max": {"field": stage}}}}
    return aggs


def _numbers(bucket: dict[str, Any]) -> list[Any]:
    last = bucket["last"]["day"]["value"]
    return [bucket["doc_count"], *(bucket[s]["doc_count"] for s in STAGES), bucket["recent"]["doc_count"],
            from_julian(int(last)) if last is not None else None]


def _composite(search: Search, query: dict[str, Any], sources: list[dict[str, Any]],
               aggs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {"size": PAGE, "sources": sources}
        if after is not None:
            composite["after"] = after
        found = search({"size": 0, "query": query, "aggs": {"groups": {"composite": composite, "aggs": aggs}}})
        groups = found["groups"]
        yield from groups["buckets"]
        after = groups.get("after_key")
        if after is None or len(groups["buckets"]) < PAGE:
            return


def progress(search: Search, *, by: str | None = None, as_of: dt.date, deadline: dt.date = DEADLINE,
             stage: str = "signed", agencies: Collection[str] | None = None,
             merge: Callable[[str], str] | None = None) -> Progress:
    """``sohoa.register.progress.progress``, answered by the cluster."""
    if stage not in STAGES:
        raise ValueError(stage)
    query = _scope(as_of, agencies)
    aggs = _stage_aggs(as_of, stage)
    rows: list[tuple] = []
    if by is None:
        found = search({"size": 0, "query": query, "aggs": {"all": {"filter": {"match_all": {}}, "aggs": aggs}}})
        if found["all"]["doc_count"]:
            rows.append(("total", "total", *_numbers(found["all"])))
    else:
        if by in LABELS:  # the label SQL takes as min(): the first in order
            aggs = {**aggs, "label": {"terms": {"field": LABELS[by], "size": 1, "order": {"_key": "asc"}}}}
        for bucket in _composite(search, query, [{"key": {"terms": {"field": FIELDS[by]}}}], aggs):
            group = bucket["key"]["key"]
            label = bucket["label"]["buckets"][0]["key"] if by in LABELS else group
            rows.append((group, label, *_numbers(bucket)))
    if merge is not None and by == "agency":
        rows = merged(rows, merge)
    out = tuple(sorted((make_row(r, stage, as_of, deadline) for r in rows), key=lambda r: r.key))
    totals = merged(rows, lambda _: "total") if rows else [("total", "total", 0, 0, 0, 0, 0, 0, None)]
    return Progress(as_of, deadline, stage, by, make_row(totals[0], stage, as_of, deadline), out)


def grid(search: Search, *, as_of: dt.date, stage: str = "signed",
         agencies: Collection[str] | None = None) -> list[tuple[str, str, int, int]]:
    """``sohoa.register.progress.grid``, answered by the cluster."""
    aggs = {"reached": {"filter": {"range": {stage: {"lte": julian(as_of)}}}},
            "label": {"terms": {"field": "agency_label", "size": 1, "order": {"_key": "asc"}}}}
    sources = [{"agency": {"terms": {"field": "agency"}}}, {"year": {"terms": {"field": "year"}}}]
    cells = [(b["label"]["buckets"][0]["key"], b["key"]["year"], b["doc_count"], b["reached"]["doc_count"])
             for b in _composite(search, _scope(as_of, agencies), sources, aggs)]
    return sorted(cells)


def weekly(search: Search, *, as_of: dt.date, stage: str = "signed",
           agencies: Collection[str] | None = None) -> list[tuple[str, int]]:
    """``sohoa.register.progress.weekly``, answered by the cluster: a histogram of weeks
    that start on a Monday (``JULIAN + 1`` is the day number of the Monday 1 January 1)."""
    query = _scope(as_of, agencies)
    query["bool"]["filter"].append({"range": {stage: {"lte": julian(as_of)}}})
    monday = (JULIAN + 1) % 7
    found = search({"size": 0, "query": query, "aggs": {"weeks": {"histogram": {
        "field": stage, "interval": 7, "offset": monday, "min_doc_count": 1}}}})
    out, total = [], 0
    for bucket in found["weeks"]["buckets"]:
        total += bucket["doc_count"]
        out.append((from_julian(int(bucket["key"])), total))
    return out
