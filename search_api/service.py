"""Search, show and export: what officers and other tools ask of the archive.

The CLI (and later the web UI) call these functions; they know the ledger and the
index, not how either is stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sohoa.core.errors import RecordNotFound
from sohoa.core.i18n import t
from sohoa.core.model import FIELD_NAMES, Record
from sohoa.core.paths import dumps, readable
from sohoa.core.settings import Settings
from sohoa.core.validity import again
from sohoa.indexer.base import IndexBackend, SearchQuery, SearchResult
from sohoa.ingest.ledger import Ledger


def search(index: IndexBackend, query: SearchQuery) -> SearchResult:
    return index.search(query)


def verify_paths(paths: list[Path], settings: Settings) -> list[dict[str, Any]]:
    """``sohoa verify``: the verdict for each file, ``{"path", "status", "signatures"}``."""
    from sohoa.core.errors import DocumentError
    from sohoa.core.verdict import Status
    from sohoa.ocr.pages import sniff_format
    from sohoa.signatures.verify import verify_file

    out = []
    for path in paths:
        try:
            verdict = verify_file(path, sniff_format(path), settings)
        except (DocumentError, OSError) as exc:
            message = exc.message if isinstance(exc, DocumentError) else str(exc)
            out.append({"path": str(path), "status": "error", "message": message, "signatures": []})
            continue
        item = {"path": str(path), **verdict.to_json()}
        if verdict.status == "unsigned":
            item["message"] = t(*Status.unsigned.message)
        out.append(item)
    return out


def render_signature(sig: dict[str, Any]) -> str:
    """One signature on one line, then its message, for a terminal."""
    signer = sig.get("signer") or {}
    who = ", ".join(v for v in (signer.get("cn"), signer.get("o")) if v) or "?"
    when = sig.get("timestamp_time") or sig.get("signing_time") or "?"
    weak = f" [{', '.join(sig['weak_algorithms'])}]" if sig.get("weak_algorithms") else ""
    head = f"{sig['status']}: {who} ({sig.get('sub_filter') or '?'}, {when}){weak}"
    return head + "\n    " + t(sig.get("message_vi", ""), sig.get("message_en", ""))


def current(record: Record, settings: Settings, *, with_layout: bool = False) -> dict[str, Any]:
    """A record's export form with validity judged again as of today (OCR layout on request)."""
    data = record.to_json()
    if not with_layout:
        data.pop("layout", None)
    if record.status == "indexed":
        verdict = again(record.validity, record.fields.get("valid_until"), settings.today)
        data["validity"] = {"status": verdict.status.value, "as_of": verdict.as_of.isoformat(),
                            "reason": verdict.reason, "without_end_date": verdict.without_end_date}
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
                   "signatures": None, "status": "failed", "error": error, "error_code": code}
    finally:
        ledger.close()


CSV_COLUMNS = ("id", "path", "sha256", "size", "format", "pages", "born_digital", "ocr_engine",
               "mean_confidence", *FIELD_NAMES, "validity", "validity_as_of", "signature_status", "signers",
               "status", "error")


def write_export(settings: Settings, fmt: str, out: TextIO, *, with_layout: bool = False) -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows(settings, with_layout=with_layout):
            out.write(dumps(row) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in export_rows(settings):
        flat = {
            "id": row["id"], "path": readable(row["source"]["path"]), "sha256": row["source"]["sha256"],
            "size": row["source"]["size"], "format": row["source"]["format"], "pages": row["pages"],
            "born_digital": row["born_digital"], "ocr_engine": row["ocr"]["engine"],
            "mean_confidence": row["ocr"]["mean_confidence"], **row["fields"],
            "validity": row["validity"]["status"], "validity_as_of": row["validity"]["as_of"],
            "signature_status": (row.get("signatures") or {}).get("status", "unchecked"),
            "signers": "; ".join(f"{(s.get('signer') or {}).get('cn') or '?'} ({s['status']})"
                                 for s in (row.get("signatures") or {}).get("signatures", [])),
            "status": row["status"], "error": row["error"],
        }
        writer.writerow(flat)
        count += 1
    return count


SIGNATURE_LABELS = {
    "valid": ("chữ ký số hợp lệ", "signature valid"),
    "valid_untrusted": ("chữ ký chưa xác minh nguồn", "signature untrusted"),
    "invalid": ("CHỮ KÝ SAI", "SIGNATURE INVALID"),
    "modified": ("SỬA SAU KHI KÝ", "MODIFIED AFTER SIGNING"),
    "expired": ("chứng thư hết hạn lúc ký", "certificate expired at signing"),
    "revoked": ("CHỨNG THƯ BỊ THU HỒI", "CERTIFICATE REVOKED"),
    "unknown_revocation": ("chưa rõ thu hồi", "revocation unknown"),
    "error": ("không đọc được chữ ký", "signature unreadable"),
    "unsigned": ("không có chữ ký số", "unsigned"),
    "unchecked": ("chưa kiểm tra chữ ký", "signature not checked"),
}

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
        sig_vi, sig_en = SIGNATURE_LABELS.get(hit.signature, (hit.signature, hit.signature))
        buf.write(f"{n}. {title or t('(không rõ loại)', '(unknown type)')}  [{t(vi, en)}; {t(sig_vi, sig_en)}]  "
                  f"{hit.id[:12]}\n")
        if f.get("issuer"):
            buf.write(f"   {f['issuer']}\n")
        if f.get("subject"):
            buf.write(f"   {f['subject']}\n")
        buf.write(f"   {hit.path}\n")
        if hit.snippet:
            buf.write("   " + hit.snippet.replace("<mark>", "\033[1m").replace("</mark>", "\033[0m") + "\n")
    return buf.getvalue()


FACET_LABELS = {"doc_type": ("Loại văn bản", "Type"), "issuer": ("Cơ quan ban hành", "Issuer"),
                "year": ("Năm ban hành", "Year of issue"), "validity": ("Hiệu lực", "Validity"),
                "signature": ("Chữ ký số", "Digital signature")}


def render_facets(facets: dict[str, dict[str, int]]) -> str:
    """Facet counts for a terminal, one block per facet."""
    buf = io.StringIO()
    for name, counts in facets.items():
        if not counts:
            continue
        buf.write(t(*FACET_LABELS.get(name, (name, name))) + ":\n")
        for key, count in counts.items():
            labels = {"validity": VALIDITY_LABELS, "signature": SIGNATURE_LABELS}.get(name, {})
            label = t(*labels[key]) if key in labels else key
            buf.write(f"   {count:>7}  {label}\n")
    return buf.getvalue()
