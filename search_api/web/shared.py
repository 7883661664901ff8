"""What the API and the pages both do, once: search, a record as the caller may see it,
its files, a correction, the review queue, the export. Routes of either face call these
with their ``Web`` context and their ``Caller``."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response
from markupsafe import Markup, escape
from starlette.background import BackgroundTask

from sohoa.core.errors import ConfigError, RecordNotFound
from sohoa.core.model import FIELD_NAMES
from sohoa.core.privacy import MASKED_FIELDS, looks_like_id, mask_personal, mask_record
from sohoa.indexer.base import SearchQuery
from sohoa.search_api import redaction, service
from sohoa.search_api.web.deps import Caller, Permission, Web, both

RECORD_ID = re.compile(r"[0-9a-f]{8,64}")
"""A record id or its unique prefix: lower-case hex. Anything else (a path, ``..``) is refused."""
LOW_CONFIDENCE = service.REVIEW_THRESHOLD
"""A field read with less confidence than this is marked for a person to check (the review
queue's threshold, the register's "verified")."""
MAX_HITS = 10_000
"""Hits past it are not paged through (Elasticsearch's window; a page number is no offset to overflow)."""
PAGE_WIDTH = 1200
"""Pixels: page images are sent at this width at most."""
UNAVAILABLE = {  # service.FileUnavailable's reasons, said to the person who asked for the file
    "gone": ("Tệp gốc không còn ở nơi đã nạp.", "The original file is no longer where it was ingested from."),
    "changed": ("Tệp ở nơi đã nạp đã bị thay đổi hoặc thay thế sau khi nạp: sohoa chỉ trả đúng tệp đã nạp. Hãy báo "
                "văn thư kiểm tra thư mục quét.", "The file where it was ingested from was changed or replaced since: "
                "sohoa serves only the file it ingested. Ask a clerk to check the scanned folder."),
    "link": ("Ở nơi đã nạp giờ là một liên kết: sohoa không trả tệp qua liên kết. Hãy báo văn thư chép tệp thật vào.",
             "Where it was ingested from there is now a link: sohoa does not serve files through links. Ask a "
             "clerk to copy the real file in."),
}


def day(value: str | None) -> dt.date | None:
    try:
        return service.parse_day(value)
    except ConfigError as exc:
        raise ValueError(both(exc.message_vi, exc.message_en)) from None


def marked(snippet: str) -> Markup:
    """A snippet (``indexer.snippets``: text escaped as HTML, ``<mark>`` around the matches)
    as the page shows it: read back to text and escaped once, the marks kept (it was
    escaped twice: an apostrophe showed as ``&#x27;``)."""
    text = html.unescape(snippet.replace("<mark>", "\0m").replace("</mark>", "\0e"))
    return Markup(str(escape(text)).replace("\0m", "<mark>").replace("\0e", "</mark>"))


def run_search(w: Web, caller: Caller, params: dict[str, Any], *, facets: bool) -> dict[str, Any]:
    caller.need(Permission.search)
    if not caller.user.personal_data and looks_like_id(params.get("q") or ""):
        # Whether it answers 0 or 1 would say whether that ID is in the archive.
        w.log(caller, "search_refused", {"query": {k: v for k, v in params.items() if v},
                                         "reason": "ID-like number without personal_data"})
        raise HTTPException(403, both(
            "Không tìm theo số định danh, số CMND/CCCD hay số có dạng đó khi tài khoản không được xem dữ liệu "
            "cá nhân. Hãy tìm theo tên, số văn bản, cơ quan hoặc ngày.",
            "Searching by a personal ID number (or a number that looks like one) needs the permission to see "
            "personal data. Search by name, document number, agency or date instead."))
    try:
        limit = max(1, min(int(params.get("limit") or 10), 100))
        page = max(1, int(params.get("page") or 1))
        if page * limit > MAX_HITS:
            raise ValueError(both(f"Chỉ xem được {MAX_HITS:,} kết quả đầu tiên: hãy thu hẹp tìm kiếm.",
                                  f"Only the first {MAX_HITS:,} hits can be paged through: narrow the search."))
        query = SearchQuery(
            text=params.get("q") or "", doc_type=params.get("type") or None,
            issuer=params.get("issuer") or None, date_from=day(params.get("from")),
            date_to=day(params.get("to")), validity=params.get("validity") or None,
            signature=params.get("signature") or None, level=params.get("level") or None,
            agencies=caller.agencies, personal=caller.user.personal_data, today=w.settings.today,
            limit=limit, offset=(page - 1) * limit,
            facets=facets)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    result = service.search(w.archive.index, query).to_json()
    result["hits"] = [caller.shown(hit) for hit in result["hits"]]
    if "facets" in result and not caller.user.personal_data:
        result["facets"] = {name: {mask_personal(k): v for k, v in counts.items()}
                            for name, counts in result["facets"].items()}
    w.log(caller, "search", {"query": {k: v for k, v in params.items() if v}, "total": result["total"]})
    return result


def one_record(w: Web, caller: Caller, record_id: str) -> dict[str, Any]:
    """The record ``record_id`` names, if the caller may see it; else 404 in the same
    words whether the id is malformed, unknown, ambiguous or outside their agencies."""
    caller.need(Permission.read)
    try:
        data = service.show(w.settings, record_id) if RECORD_ID.fullmatch(record_id) else None
    except RecordNotFound:
        data = None
    if data is None or not caller.sees(data):
        raise HTTPException(404, both("Không có hồ sơ nào có mã này (hoặc mã ngắn trùng nhiều hồ sơ).",
                                      "No record with this id (or the short id matches several)."))
    return data


def files_allowed(caller: Caller, data: dict[str, Any]) -> None:
    """403 unless the caller may have this record's files (``Caller.sees_files``)."""
    if not caller.sees_files(data):
        raise HTTPException(403, both("Hồ sơ có dữ liệu cá nhân: ảnh trang, tệp gốc và bản sao chỉ dành cho người "
                                      "được xem dữ liệu cá nhân.", "This record carries personal data: its page "
                                      "images, original and copy are only for users who may see personal data."))


def original_copy(data: dict[str, Any]) -> Path:
    """A private copy of the record's original as it was ingested (``service.verified_file``),
    in a folder of its own the caller removes; else 410, saying what became of the file."""
    folder = Path(tempfile.mkdtemp(prefix="sohoa-serve-"))
    source = data["source"]
    try:
        return service.verified_file(source["paths"], source["sha256"], source.get("size"), folder / "original")
    except service.FileUnavailable as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(410, both(*UNAVAILABLE[exc.reason])) from None


def original(w: Web, caller: Caller, record_id: str) -> Response:
    caller.need(Permission.download)
    data = one_record(w, caller, record_id)
    files_allowed(caller, data)
    copy = original_copy(data)
    w.log(caller, "download", {"record": data["id"], "what": "original"})
    return FileResponse(copy, filename=Path(caller.shown(data)["source"]["path"]).name,
                        background=BackgroundTask(shutil.rmtree, copy.parent, True))


def signed_copy(w: Web, caller: Caller, record_id: str) -> Response:
    caller.need(Permission.download)
    data = one_record(w, caller, record_id)
    files_allowed(caller, data)
    made = data.get("signed_copy") or {}
    folder = (w.settings.home / "copies").resolve()
    if not made.get("path") or not made.get("sha256") or not Path(made["path"]).resolve().is_relative_to(folder):
        raise HTTPException(404, both("Hồ sơ này chưa có bản sao có ký số.", "This record has no signed copy."))
    served = Path(tempfile.mkdtemp(prefix="sohoa-serve-"))
    try:
        copy = service.verified_file([made["path"]], made["sha256"], None, served / "copy.pdf")
    except service.FileUnavailable as exc:
        shutil.rmtree(served, ignore_errors=True)
        raise HTTPException(410, both(*UNAVAILABLE[exc.reason])) from None
    w.log(caller, "download", {"record": data["id"], "what": "signed_copy"})
    return FileResponse(copy, filename=f"{data['id'][:12]}-sao-y.pdf", media_type="application/pdf",
                        background=BackgroundTask(shutil.rmtree, served, True))


def page_image(w: Web, caller: Caller, record_id: str, number: int) -> Response:
    """A page as a PNG: as scanned for those who may see its files, else redacted
    (``search_api.redaction``), the regions blacked out named in the access log."""
    data = one_record(w, caller, record_id)
    if not 1 <= number <= data["pages"]:
        raise HTTPException(404, both("Không có trang này.", "No such page."))
    if not caller.sees_files(data):
        page = redacted(w, data, [file_page(data, number)])[0]
        w.log(caller, "page_image", {"record": data["id"], "page": number, "redacted": redaction.summary(page.regions)})
        return Response(page.png, media_type="image/png")
    copy = original_copy(data)
    try:
        png = page_png(copy, data["source"]["format"], file_page(data, number), w.settings.max_pixels)
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    w.log(caller, "page_image", {"record": data["id"], "page": number})
    return Response(png, media_type="image/png")  # no-store, as every answer: a page may show personal data


def file_page(data: dict[str, Any], number: int) -> int:
    """Page ``number`` of a record as a page of its file: a stack's result starts further on."""
    return (data.get("page_range") or (1, 1))[0] + number - 1


def page_png(path: Path, fmt: str, number: int, max_pixels: int) -> bytes:
    """Page ``number`` of an original, as a PNG at most ``PAGE_WIDTH`` wide."""
    import cv2

    from sohoa.ocr import pages as pagesmod

    if fmt == "pdf":
        page = next(iter(pagesmod.pdf_page_images(path, [number], max_pixels)))
    else:
        page = next(p for p in pagesmod.raster_page_images(path, max_pixels) if p.number == number)
    image = page.image
    if image.shape[1] > PAGE_WIDTH:
        scale = PAGE_WIDTH / image.shape[1]
        image = cv2.resize(image, (PAGE_WIDTH, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, png = cv2.imencode(".png", image)
    return png.tobytes() if ok else b""


def editable(caller: Caller, data: dict[str, Any]) -> set[str]:
    """The fields this user may correct: none without ``correct``; without
    ``personal_data``, not those shown masked (saving would store the mask)."""
    if not caller.may(Permission.correct):
        return set()
    if caller.user.personal_data:
        return set(FIELD_NAMES)
    shown, fields = mask_record(data)["fields"], data["fields"]
    return {name for name in FIELD_NAMES if name not in MASKED_FIELDS and shown.get(name) == fields.get(name)}


def split_file(w: Web, caller: Caller, record_id: str, pages: str) -> dict[str, Any]:
    """The results of a record's file set by hand (``service.split_stack``). Clerks."""
    caller.need(Permission.correct)
    data = one_record(w, caller, record_id)
    try:
        done = service.split_stack(w.settings, w.archive.index, data["id"], pages, caller.user.name)
    except ConfigError as exc:
        raise HTTPException(422, both(exc.message_vi, exc.message_en)) from None
    answer = {"file": done.file, "ranges": [list(r) for r in done.ranges], "kept": list(done.kept),
              "made": list(done.made), "gone": list(done.gone)}
    w.log(caller, "split", answer)
    return answer


def set_field(w: Web, caller: Caller, record_id: str, field: str, value: str) -> dict[str, Any]:
    caller.need(Permission.correct)
    data = one_record(w, caller, record_id)
    if field not in FIELD_NAMES:
        raise HTTPException(404, both(f"Không có trường {field}.", f"No field {field}."))
    if field not in editable(caller, data):
        raise HTTPException(403, both("Trường này có dữ liệu cá nhân: chỉ người được xem dữ liệu cá nhân mới sửa "
                                      "được.", "This field holds personal data: only users who may see personal "
                                      "data may correct it."))
    if len(value) > 2000:
        raise HTTPException(422, both("Giá trị quá dài.", "The value is too long."))
    record = service.correct_field(w.settings, w.archive.index, data["id"], field, value, caller.user.name)
    w.log(caller, "correction", {"record": data["id"], "field": field, "old": data["fields"].get(field),
                                 "new": record.fields.get(field)})
    return service.current(record, w.settings)


def review_items(w: Web, caller: Caller, limit: int) -> list[dict[str, Any]]:
    caller.need(Permission.correct)
    items = []
    for item in service.review_queue(w.settings):
        if caller.sees(item):
            items.append(caller.shown(item))
            if len(items) >= limit:
                break
    w.log(caller, "review_queue", {"shown": len(items)})
    return items


def export_rows(w: Web, caller: Caller) -> Iterator[dict[str, Any]]:
    for row in service.export_rows(w.settings):
        if row.get("id") and caller.sees(row):
            yield caller.shown(row)


def _redact(w: Web, data: dict[str, Any], numbers: list[int]) -> list[redaction.RedactedPage]:
    record = service.show(w.settings, data["id"], with_layout=True)
    folders: list[Path] = []

    def fetched() -> Path:
        copy = original_copy(record)
        folders.append(copy.parent)
        return copy

    try:
        return redaction.redacted_pages(w.settings, record, numbers, fetched)
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def redacted(w: Web, data: dict[str, Any], numbers: list[int]) -> list[redaction.RedactedPage]:
    """Pages of a record redacted (``search_api.redaction``); 403 for a page that cannot be."""
    try:
        return _redact(w, data, numbers)
    except redaction.CannotRedact as exc:
        raise HTTPException(403, both(*exc.message)) from None


def redacted_pdf(w: Web, caller: Caller, record_id: str) -> Response:
    """Every page of a record redacted, as one PDF of images (no text layer)."""
    caller.need(Permission.download)
    data = one_record(w, caller, record_id)
    pages = redacted(w, data, [file_page(data, n) for n in range(1, data["pages"] + 1)])
    counts: dict[str, int] = {}
    for page in pages:
        for kind, n in redaction.summary(page.regions).items():
            counts[kind] = counts.get(kind, 0) + n
    w.log(caller, "download", {"record": data["id"], "what": "redacted_pdf", "redacted": counts})
    return Response(redaction.as_pdf(pages), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{data["id"][:12]}-da-che.pdf"'})


def redaction_notes(w: Web, data: dict[str, Any]) -> list[dict[str, Any]]:
    """For the record page: each page's regions blacked out by kind, or why it is not
    shown (a (Vietnamese, English) pair, or the answer's text when the file is gone)."""
    notes: list[dict[str, Any]] = []
    for number in range(1, data["pages"] + 1):
        try:
            page = _redact(w, data, [file_page(data, number)])[0]
        except redaction.CannotRedact as exc:
            notes.append({"page": number, "refused": exc.message})
            continue
        except HTTPException as exc:
            notes.append({"page": number, "refused": (exc.detail, exc.detail)})
            continue
        notes.append({"page": number, "regions": redaction.summary(page.regions)})
    return notes
