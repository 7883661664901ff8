"""Search and records: the search page and API, a record, its original, signed copy and
page images, the export, the state of the archive, and verifying an uploaded PDF."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse

from sohoa.core.verdict import DOCUMENT_STATUSES
from sohoa.indexer.base import SearchQuery
from sohoa.ingest.ledger import Ledger
from sohoa.search_api import redaction, service
from sohoa.search_api.web import shared
from sohoa.search_api.web.deps import API, PAGE, Ctx, Permission, both
from sohoa.search_api.web.schemas import ArchiveState, RecordOut, SearchAnswer, Verdict, file_answer

router = APIRouter()

MAX_UPLOAD = 50 * 2**20
"""Bytes of a PDF uploaded to be verified, at most."""
FACETS = ("doc_type", "issuer", "level", "year", "validity", "signature")


@router.get("/api/v1/search", tags=["search"], response_model=SearchAnswer, response_model_exclude_unset=True)
def api_search(w: Ctx, caller: API, q: str = "", type: str | None = None, issuer: str | None = None,
               from_: Annotated[str | None, Query(alias="from")] = None,
               to: str | None = None, validity: str | None = None, level: str | None = None,
               signature: str | None = None, limit: int = 10, page: int = 1,
               facets: bool = False) -> dict[str, Any]:
    """The same answer as ``sohoa search --json``, within the caller's agencies."""
    return shared.run_search(w, caller, {"q": q, "type": type, "issuer": issuer, "from": from_, "to": to,
                                         "validity": validity, "level": level, "signature": signature,
                                         "limit": limit, "page": page}, facets=facets)


@router.get("/api/v1/records/{record_id}", tags=["records"], response_model=RecordOut,
            response_model_exclude_unset=True)
def api_record(w: Ctx, caller: API, record_id: str) -> dict[str, Any]:
    """One record as ``sohoa export`` writes it (masked where the caller may not see personal data)."""
    data = shared.one_record(w, caller, record_id)
    w.log(caller, "record_view", {"record": data["id"]})
    return caller.shown(data)


@router.get("/api/v1/records/{record_id}/original", tags=["records"], response_class=FileResponse,
            responses=file_answer("application/pdf", "image/tiff", "image/jpeg", "image/png"))
def api_original(w: Ctx, caller: API, record_id: str) -> Response:
    return shared.original(w, caller, record_id)


@router.get("/api/v1/records/{record_id}/copy", tags=["records"], response_class=FileResponse,
            responses=file_answer("application/pdf"))
def api_copy(w: Ctx, caller: API, record_id: str) -> Response:
    return shared.signed_copy(w, caller, record_id)


@router.get("/api/v1/records/{record_id}/pages/{number}", tags=["records"], response_class=Response,
            responses=file_answer("image/png"))
def api_page(w: Ctx, caller: API, record_id: str, number: int) -> Response:
    return shared.page_image(w, caller, record_id, number)


@router.get("/api/v1/records/{record_id}/redacted.pdf", tags=["records"], response_class=Response,
            responses=file_answer("application/pdf"))
def api_redacted_pdf(w: Ctx, caller: API, record_id: str) -> Response:
    """Every page with its personal data blacked out, as a PDF of images (no text layer)."""
    return shared.redacted_pdf(w, caller, record_id)


@router.post("/api/v1/verify", tags=["signatures"], response_model=Verdict, response_model_exclude_unset=True)
def api_verify(w: Ctx, caller: API, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """The verdict ``sohoa verify --json`` gives for an uploaded PDF; the file is not kept."""
    caller.need(Permission.read)
    head = file.file.read(MAX_UPLOAD + 1)
    if len(head) > MAX_UPLOAD:
        raise HTTPException(413, both(f"Tệp quá lớn (tối đa {MAX_UPLOAD // 2**20} MiB).",
                                      f"The file is too large (at most {MAX_UPLOAD // 2**20} MiB)."))
    if not head.startswith(b"%PDF-"):
        raise HTTPException(415, both("Tệp tải lên không phải PDF.", "The uploaded file is not a PDF."))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(head)
        tmp.flush()
        verdict = service.verify_paths([Path(tmp.name)], w.settings)[0]
    w.log(caller, "verify", {"file": file.filename, "status": verdict["status"]})
    return {**verdict, "path": file.filename}


@router.get("/api/v1/export", tags=["records"], response_class=StreamingResponse,
            responses=file_answer("application/x-ndjson", "text/csv"))
def api_export(w: Ctx, caller: API, format: str = "jsonl") -> StreamingResponse:
    """Every record within the caller's agencies, streamed as JSON lines or CSV."""
    caller.need(Permission.export)
    if format not in ("jsonl", "csv"):
        raise HTTPException(422, "format: jsonl or csv")
    w.log(caller, "export", {"format": format})
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(service.export_lines(shared.export_rows(w, caller), format), media_type=media,
                             headers={"Content-Disposition": f"attachment; filename=sohoa-export.{format}"})


@router.get("/api/v1/state", tags=["ingest"], response_model=ArchiveState, response_model_exclude_unset=True)
def api_state(w: Ctx, caller: API) -> dict[str, Any]:
    """What the ledger holds, by state, and what the index holds; for a user limited to
    agencies, only their records (files not yet read belong to no agency)."""
    caller.need(Permission.search)
    index = w.archive.index
    if caller.agencies:
        mine = service.search(index, SearchQuery(text="", agencies=caller.agencies, today=w.settings.today,
                                                 limit=1)).total
        return {"documents": {"indexed": mine} if mine else {}, "index": {"backend": index.name, "records": mine}}
    with Ledger.reading(w.settings.ledger_path) as ledger:
        states = ledger.state_counts()
    return {"documents": states, "index": {"backend": index.name, "records": index.count()}}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def search_page(w: Ctx, request: Request, caller: PAGE) -> HTMLResponse:
    params = {k: request.query_params.get(k, "") for k in
              ("q", "type", "issuer", "from", "to", "validity", "level", "signature", "page")}
    params["limit"] = "20"
    result = shared.run_search(w, caller, params, facets=True)
    page = max(1, int(params["page"] or 1))
    hits = [{**hit, "snippet": shared.marked(hit["snippet"])} for hit in result["hits"]]

    def link(**changes: str) -> str:
        kept = {k: v for k, v in {**params, "page": "", **changes}.items() if v and k != "limit"}
        return "/?" + urlencode(kept)

    pages = -(-result["total"] // 20)
    return w.render(request, "search.html", caller, params=params, result=result, hits=hits, page=page,
                    pages=pages, link=link, facet_names=FACETS, statuses=DOCUMENT_STATUSES)


@router.get("/records/{record_id}", response_class=HTMLResponse, include_in_schema=False)
def record_page(w: Ctx, request: Request, caller: PAGE, record_id: str) -> HTMLResponse:
    data = shared.one_record(w, caller, record_id)
    w.log(caller, "record_view", {"record": data["id"]})
    files = caller.sees_files(data)
    confirmed = {c["field"]: c for c in data.get("corrections") or ()}
    redactions = [] if files else shared.redaction_notes(w, data)
    stack = service.stack(w.settings, data["id"])
    return w.render(request, "record.html", caller, record=caller.shown(data), files=files,
                    redactions=redactions, redaction_kinds=redaction.KINDS, stack=stack,
                    may_split=caller.may(Permission.correct),
                    low=shared.LOW_CONFIDENCE, may_download=caller.may(Permission.download),
                    editable=shared.editable(caller, data), confirmed=confirmed)


@router.get("/records/{record_id}/original", include_in_schema=False)
def page_original(w: Ctx, caller: PAGE, record_id: str) -> Response:
    return shared.original(w, caller, record_id)


@router.get("/records/{record_id}/copy", include_in_schema=False)
def page_copy(w: Ctx, caller: PAGE, record_id: str) -> Response:
    return shared.signed_copy(w, caller, record_id)


@router.get("/records/{record_id}/redacted.pdf", include_in_schema=False)
def page_redacted_pdf(w: Ctx, caller: PAGE, record_id: str) -> Response:
    return shared.redacted_pdf(w, caller, record_id)


@router.get("/records/{record_id}/pages/{number}.png", include_in_schema=False)
def page_png(w: Ctx, caller: PAGE, record_id: str, number: int) -> Response:
    return shared.page_image(w, caller, record_id, number)
