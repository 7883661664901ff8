"""The application functions over records, one per action, that the CLI and the web both
call: search, show, the review queue, a correction (``correct_field``), export, verify,
and the day a person types (``parse_day``). They know the ledger and the index, not how
either is stored, nor which face asked."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from sohoa.core.errors import ConfigError, RecordNotFound
from sohoa.core.i18n import shown, t
from sohoa.core.model import FIELD_NAMES, Record, RecordStatus
from sohoa.core.paths import dumps, readable
from sohoa.core.settings import Settings
from sohoa.core.validity import again
from sohoa.indexer.base import IndexBackend, SearchQuery, SearchResult
from sohoa.ingest.ledger import Ledger
from sohoa.ingest.resplit import Resplit
from sohoa.ocr.dates import parse_date
from sohoa.register.facts import VERIFIED_CONFIDENCE


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


def current(record: Record, settings: Settings, *, with_layout: bool = False, lang: str = "both") -> dict[str, Any]:
    """A record's export form with validity judged again as of today (OCR layout on request),
    its failure reasons in ``lang`` (``sohoa.core.i18n.shown``: both languages by default)."""
    data = record.to_json()
    data["error"] = shown(data["error"], lang)
    if data.get("signed_copy") and "error" in data["signed_copy"]:
        data["signed_copy"]["error"] = shown(data["signed_copy"]["error"], lang)
    if not with_layout:
        data.pop("layout", None)
    if record.status is RecordStatus.indexed:
        verdict = again(record.validity, record.fields.get("valid_until"), settings.today)
        data["validity"] = {"status": verdict.status.value, "as_of": verdict.as_of.isoformat(),
                            "reason": verdict.message[1], "reason_code": verdict.reason,
                            "reason_value": verdict.value, "without_end_date": verdict.without_end_date}
    return data


def parse_day(value: str | None, name: str = "") -> dt.date | None:
    """A day a person typed, for every face (the CLI's options, the API's parameters, the
    pages' forms): ``2021-04-09``, ``09/4/2021``, ``9.4.2021``, ``ngày 09 tháng 4 năm 2021``;
    None for nothing typed. Anything else is a ``ConfigError`` saying the forms taken."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        parsed = parse_date(value)
    if parsed is None:
        label = f"{name}: " if name else ""
        raise ConfigError(f"{label}ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc 09/4/2021)",
                          f"{label}invalid date: {value} (use YYYY-MM-DD or 09/4/2021)")
    return parsed


def show(settings: Settings, record_id: str, *, with_layout: bool = False, lang: str = "both") -> dict[str, Any]:
    ledger = Ledger.reading(settings.ledger_path)
    try:
        record = ledger.record(record_id.lower())
        if record is None:
            raise RecordNotFound(
                f"Không có hồ sơ nào có mã {record_id} (hoặc mã ngắn trùng nhiều hồ sơ). "
                "Dùng `sohoa search` để tìm mã.",
                f"No record with id {record_id} (or the prefix matches several). Use `sohoa search` to find ids.",
            )
        data = current(record, settings, with_layout=with_layout, lang=lang)
        data["source"]["paths"] = ledger.paths_of(record.id)
        return data
    finally:
        ledger.close()


REVIEW_WEIGHTS = {"number": 3, "issue_date": 3, "issuer": 3, "doc_type": 2, "signer_name": 1, "subject": 1}
"""What a missing or doubtful field costs an archive: a result cannot be found or counted
without its number, date, issuer and type."""
REVIEW_THRESHOLD = VERIFIED_CONFIDENCE
"""Below it a field waits for a person; all key fields at or above it count a result as verified."""


def weak_fields(record: Record, threshold: float = REVIEW_THRESHOLD) -> list[str]:
    """The fields of ``record`` a person should check: missing key fields, and fields
    read with less confidence than ``threshold``; never a field a person set."""
    weak = []
    for name in FIELD_NAMES:
        if name in record.confirmed:
            continue
        value, confidence = record.fields.get(name), record.extraction.confidence.get(name, 0.0)
        if (value is None and name in REVIEW_WEIGHTS) or (value is not None and confidence < threshold):
            weak.append(name)
    return weak


def review_queue(settings: Settings, *, threshold: float = REVIEW_THRESHOLD) -> Iterator[dict[str, Any]]:
    """Records with fields to check, most useful first: the more of the number, date,
    issuer and type missing or doubtful, the earlier; then the newest issued. Each item
    is the record's export form (without its text and layout) with ``weak`` and ``score``."""
    ledger = Ledger.reading(settings.ledger_path)
    try:
        queue = []
        for record in ledger.records(include_failed=False):
            weak = weak_fields(record, threshold)
            if weak:
                score = sum(REVIEW_WEIGHTS.get(name, 1) for name in weak)
                queue.append((score, record.fields.get("issue_date") or "", record, weak))
    finally:
        ledger.close()
    queue.sort(key=lambda item: item[1], reverse=True)  # the newest first among equals,
    queue.sort(key=lambda item: -item[0])  # the most to check first (the sort is stable)
    for score, _, record, weak in queue:
        data = current(record, settings)
        data.pop("text", None)
        yield {**data, "weak": weak, "score": score}


def correct_field(settings: Settings, index: IndexBackend, record_id: str, field: str, value: str | None,
                  by: str) -> Record:
    """A field set as a person confirmed it, in the ledger and the index: the one function
    the CLI (``sohoa correct``) and the web (the record page, the API) call."""
    if field not in FIELD_NAMES:
        raise RecordNotFound(f"Không có trường {field}.", f"No field {field}.")
    record = correct(settings, record_id, field, value, by)
    index.upsert([record])
    return record


def stack(settings: Settings, record_id: str) -> list[tuple[str, int, int]]:
    """The results of the file ``record_id`` was read from: (id, first page, last page) each,
    in page order (one for a file of one result)."""
    with Ledger.reading(settings.ledger_path) as ledger:
        return ledger.pages_of_results(ledger.file_of(record_id))


def split_stack(settings: Settings, index: IndexBackend, record_id: str, pages: str, by: str) -> Resplit:
    """Set by hand the page ranges of the results of the file ``record_id`` was read from
    (``1-4,5-6,7``): the one function the CLI (``sohoa split``) and the record page call."""
    from sohoa.ingest.resplit import parse_ranges, resplit

    return resplit(settings, index, record_id, parse_ranges(pages), by)


def correct(settings: Settings, record_id: str, field: str, value: str | None, by: str) -> Record:
    """Set one field of a record as a person confirmed it; the corrected record (for the
    index). The correction is kept in the ledger apart from the record, so a new reading
    or a rebuilt index keeps it."""
    ledger = Ledger(settings.ledger_path)
    try:
        record = ledger.record(record_id.lower())
        if record is None:
            raise RecordNotFound(f"Không có hồ sơ nào có mã {record_id}.", f"No record with id {record_id}.")
        ledger.correct(record.id, field, value, by)
        return ledger.get(record.id)  # type: ignore[return-value]
    finally:
        ledger.close()


class FileUnavailable(Exception):
    """A record's file cannot be served as it was ingested: ``gone`` (no file at any of
    its paths), ``changed`` (a file is there, but not the one ingested) or ``link`` (a
    link is there now: files are served without following links)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verified_file(paths: Iterable[str], sha256: str, size: int | None, target: Path) -> Path:
    """The first of ``paths`` whose content is still what was ingested (``sha256``),
    copied to ``target`` while it is checked: what is served is the copy, so a file that
    changes after the check cannot be served either. Each path is opened without following
    a link, and only a regular file of the recorded ``size`` is read (never a device or a
    pipe a link could lead to); else ``FileUnavailable``."""
    found = "gone"
    for name in paths:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                found = "link" if found == "gone" else found
            continue
        with os.fdopen(fd, "rb") as src:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or (size is not None and info.st_size != size):
                found = "changed"
                continue
            digest = hashlib.sha256()
            with target.open("wb") as out:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        if digest.hexdigest() == sha256:
            return target
        target.unlink(missing_ok=True)
        found = "changed"
    raise FileUnavailable(found)


def export_rows(settings: Settings, *, with_layout: bool = False) -> Iterator[dict[str, Any]]:
    """Every document, failed ones included, then files that failed before hashing (the
    ledger may be read on from another thread: a streamed web answer)."""
    ledger = Ledger.reading(settings.ledger_path, shared=True)
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
                   "validity": {"status": "unknown", "as_of": settings.today.isoformat(), "reason": "not processed",
                                "reason_code": "not_processed"},
                   "signatures": None, "status": "failed", "error": shown(error, "both"), "error_code": code}
    finally:
        ledger.close()


CSV_COLUMNS = ("id", "path", "sha256", "size", "format", "pages", "born_digital", "ocr_engine",
               "mean_confidence", *FIELD_NAMES, "validity", "validity_as_of", "signature_status", "signers",
               "status", "error")


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One exported record as a CSV row (``CSV_COLUMNS``)."""
    return {
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


def export_lines(rows: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """``rows`` as JSON lines or CSV text, a line at a time (for streaming)."""
    if fmt == "jsonl":
        for row in rows:
            yield dumps(row) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(csv_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def write_export(settings: Settings, fmt: str, out: TextIO, *, with_layout: bool = False) -> int:
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in export_rows(settings, with_layout=with_layout and fmt == "jsonl"):
            count += 1
            yield row

    for line in export_lines(counted(), fmt):
        out.write(line)
    return count


def list_lines(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
               tr: Callable[[str, str], str] = t) -> Iterator[str]:
    """A list of flat rows (the register's lists) as TSV (for a terminal), JSONL, or CSV
    (for a spreadsheet: UTF-8 with a BOM), a line at a time. TSV and CSV name their columns
    and write levels and reasons in the reader's language (``tr``); JSONL keeps the keys.
    ``columns``: the columns (the header of an empty list too)."""
    from sohoa.search_api.render import list_cell, list_head

    if fmt == "jsonl":
        for row in rows:
            yield dumps(row) + "\n"
        return
    names = list(columns or (rows[0] if rows else []))
    cells = ([list_cell(c, row.get(c), tr) for c in names] for row in rows)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(list_head(names, tr))
        for row in cells:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
        return
    if names:
        yield "\t".join(list_head(names, tr)) + "\n"
    for row in cells:
        yield "\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) + "\n"
