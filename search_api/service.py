"""Search, show and export: what officers and other tools ask of the archive.

The CLI (and later the web UI) call these functions; they know the ledger and the
index, not how either is stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

from indexer.base import IndexBackend, SearchQuery, SearchResult
from ingest.ledger import Ledger
from ocr.rules import by_doc_type
from sohoa.errors import RecordNotFound
from sohoa.i18n import t
from sohoa.model import FIELD_NAMES, Record
from sohoa.settings import Settings
from sohoa.validity import judge


def search(index: IndexBackend, query: SearchQuery) -> SearchResult:
    return index.search(query)


def current(record: Record, settings: Settings, *, with_layout: bool = False) -> dict[str, Any]:
    """A record's export form with validity judged again as of today (OCR layout on request)."""
    data = record.to_json()
    if not with_layout:
        data.pop("layout", None)
    if record.status == "indexed":
        rule = by_doc_type(record.fields.get("doc_type") or "")
        verdict = judge(record.fields.get("valid_until"), rule.validity_without_end_date if rule else None,
                        settings.today)
        data["validity"] = {"status": verdict.status.value, "as_of": verdict.as_of.isoformat(),
                            "reason": verdict.reason}
    return data


def show(settings: Settings, record_id: str, *, with_layout: bool = False) -> dict[str, Any]:
    ledger = Ledger(settings.ledger_path)
    try:
        record = ledger.record(record_id.lower())
        if record is None:
            raise RecordNotFound(
                f"Không có hồ sơ nào có mã {record_id} (hoặc mã ngắn trùng nhiều hồ sơ). "
                "Dùng `sohoa search` để tìm mã.",
                f"No record with id {record_id} (or the prefix matches several). Use `sohoa search` to find ids.",
            )
        data = current(record, settings, with_layout=with_layout)
        data["source"]["paths"] = ledger.paths_of(record.id)
        return data
    finally:
        ledger.close()


def export_rows(settings: Settings, *, with_layout: bool = False) -> Iterator[dict[str, Any]]:
    """Every document, failed ones included, then files that failed before hashing."""
    ledger = Ledger(settings.ledger_path)
    try:
        for record in ledger.records(include_failed=True):
            data = current(record, settings, with_layout=with_layout)
            data["source"]["paths"] = ledger.paths_of(record.id)
            yield data
        for path, error, code in ledger.failed_files():
            yield {"id": None, "source": {"path": path, "sha256": None, "size": None, "format": None,
                                          "paths": [path]},
                   "pages": 0, "born_digital": False, "ocr": {"engine": "none", "mean_confidence": None},
                   "text": "", "fields": dict.fromkeys(FIELD_NAMES),
                   "field_confidence": dict.fromkeys(FIELD_NAMES, 0.0),
                   "validity": {"status": "unknown", "as_of": settings.today.isoformat(), "reason": "not processed"},
                   "status": "failed", "error": error, "error_code": code}
    finally:
        ledger.close()


CSV_COLUMNS = ("id", "path", "sha256", "size", "format", "pages", "born_digital", "ocr_engine",
               "mean_confidence", *FIELD_NAMES, "validity", "validity_as_of", "status", "error")


def write_export(settings: Settings, fmt: str, out: TextIO, *, with_layout: bool = False) -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows(settings, with_layout=with_layout):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in export_rows(settings):
        flat = {
            "id": row["id"], "path": row["source"]["path"], "sha256": row["source"]["sha256"],
            "size": row["source"]["size"], "format": row["source"]["format"], "pages": row["pages"],
            "born_digital": row["born_digital"], "ocr_engine": row["ocr"]["engine"],
            "mean_confidence": row["ocr"]["mean_confidence"], **row["fields"],
            "validity": row["validity"]["status"], "validity_as_of": row["validity"]["as_of"],
            "status": row["status"], "error": row["error"],
        }
        writer.writerow(flat)
        count += 1
    return count


VALIDITY_LABELS = {
    "valid": ("còn hiệu lực", "valid"),
    "expired": ("hết hiệu lực", "expired"),
    "unknown": ("chưa rõ hiệu lực", "validity unknown"),
}


def render_text(result: SearchResult) -> str:
    """Human-readable hits for a terminal."""
    buf = io.StringIO()
    for n, hit in enumerate(result.hits, start=1):
        f = hit.fields
        title = " · ".join(str(v) for v in (f.get("doc_type"), f.get("number"), f.get("issue_date")) if v)
        vi, en = VALIDITY_LABELS.get(hit.validity, (hit.validity, hit.validity))
        buf.write(f"{n}. {title or t('(không rõ loại)', '(unknown type)')}  [{t(vi, en)}]  {hit.id[:12]}\n")
        if f.get("issuer"):
            buf.write(f"   {f['issuer']}\n")
        if f.get("subject"):
            buf.write(f"   {f['subject']}\n")
        buf.write(f"   {hit.path}\n")
        if hit.snippet:
            buf.write("   " + hit.snippet.replace("<mark>", "\033[1m").replace("</mark>", "\033[0m") + "\n")
    return buf.getvalue()


FACET_LABELS = {"doc_type": ("Loại văn bản", "Type"), "issuer": ("Cơ quan ban hành", "Issuer"),
                "year": ("Năm ban hành", "Year of issue"), "validity": ("Hiệu lực", "Validity")}


def render_facets(facets: dict[str, dict[str, int]]) -> str:
    """Facet counts for a terminal, one block per facet."""
    buf = io.StringIO()
    for name, counts in facets.items():
        if not counts:
            continue
        buf.write(t(*FACET_LABELS.get(name, (name, name))) + ":\n")
        for key, count in counts.items():
            label = t(*VALIDITY_LABELS[key]) if name == "validity" and key in VALIDITY_LABELS else key
            buf.write(f"   {count:>7}  {label}\n")
    return buf.getvalue()
