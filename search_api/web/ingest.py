"""Ingests started from the web (clerks): a folder on the server or uploaded scans, and
their progress."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.search_api.jobs import MAX_UPLOAD_FILES, MAX_UPLOAD_TOTAL, Refused, Upload, ingest_roots
from sohoa.search_api.web.deps import API, PAGE, Caller, Ctx, Permission, Web, both, language
from sohoa.search_api.web.schemas import JobState

router = APIRouter()


def start_folder(w: Web, caller: Caller, folder: str) -> dict[str, Any]:
    caller.need(Permission.ingest)
    try:
        job = w.jobs.start(w.jobs.allowed_folder(folder), caller.user.name)
    except Refused as exc:
        raise HTTPException(exc.status, exc.message) from None
    w.log(caller, "ingest_start", {"job": job.id, "folder": str(job.folder), "files": len(job.files)})
    return w.jobs.state(job.id) or {}


def job_owner(caller: Caller) -> str | None:
    """Whose ingests the caller may follow: their own (clerks); everyone's (administrators)."""
    if caller.may(Permission.users):
        return None
    caller.need(Permission.ingest)
    return caller.user.name


def job_state(w: Web, caller: Caller, job_id: str, lang: str = "both") -> dict[str, Any]:
    """A job's state, its failure reasons in ``lang`` (both for an API client)."""
    by = job_owner(caller)
    state = w.jobs.state(job_id, by=by, lang=lang) if re.fullmatch(r"[0-9a-f]{12}", job_id) else None
    if state is None:  # another clerk's ingest is not found either
        raise HTTPException(404, both("Không có lượt nạp này.", "No such ingest."))
    return state


@router.post("/api/v1/ingest", tags=["ingest"], response_model=JobState, response_model_exclude_unset=True)
def api_ingest(w: Ctx, caller: API, body: dict[str, str]) -> dict[str, Any]:
    """Ingest a folder on the server (``{"folder": "..."}``, under ``SOHOA_INGEST_ROOTS``). Clerks."""
    return start_folder(w, caller, body.get("folder", ""))


@router.get("/api/v1/ingest/{job_id}", tags=["ingest"], response_model=JobState, response_model_exclude_unset=True)
def api_ingest_state(w: Ctx, caller: API, job_id: str) -> dict[str, Any]:
    """An ingest's progress: files done, failed with their reasons, waiting; its report when over."""
    return job_state(w, caller, job_id)


@router.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
def ingest_page(w: Ctx, request: Request, caller: PAGE) -> HTMLResponse:
    by = job_owner(caller)
    return w.render(request, "ingest.html", caller, jobs=w.jobs.recent(by=by), roots=ingest_roots(w.settings),
                    may_ingest=caller.may(Permission.ingest))


@router.post("/ingest/upload", include_in_schema=False)
async def ingest_upload(w: Ctx, request: Request, caller: PAGE) -> Response:
    caller.need(Permission.ingest)
    if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_TOTAL:
        raise HTTPException(413, both(f"Lượt tải quá lớn (tối đa {MAX_UPLOAD_TOTAL // 2**30} GiB).",
                                      f"The upload is too large (at most {MAX_UPLOAD_TOTAL // 2**30} GiB)."))
    async with request.form(max_files=MAX_UPLOAD_FILES + 1) as form:
        w.check_csrf(request, str(form.get("csrf") or ""))
        files = []
        for f in form.getlist("files"):
            if isinstance(f, str):
                continue
            head = await f.read(1024)
            files.append(Upload(f.filename or "scan", f.size if f.size is not None else len(head), head, f.file))
        try:
            folder = w.jobs.store_uploads(files)
        except Refused as exc:
            raise HTTPException(exc.status, exc.message) from None
    try:
        job = w.jobs.start(folder, caller.user.name, uploaded=True)
    except Refused as exc:
        raise HTTPException(exc.status, exc.message) from None
    w.log(caller, "ingest_upload", {"job": job.id, "files": [f.name for f in files]})
    return RedirectResponse(f"/ingest/{job.id}", 303)


@router.post("/ingest/folder", include_in_schema=False)
def ingest_folder(w: Ctx, request: Request, caller: PAGE, folder: Annotated[str, Form()],
                  csrf: Annotated[str, Form()] = "") -> Response:
    w.check_csrf(request, csrf)
    return RedirectResponse(f"/ingest/{start_folder(w, caller, folder)['id']}", 303)


@router.get("/ingest/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def ingest_job_page(w: Ctx, request: Request, caller: PAGE, job_id: str) -> HTMLResponse:
    return w.render(request, "ingest_job.html", caller, job=job_state(w, caller, job_id, language(request)))


@router.get("/ingest/{job_id}/state", include_in_schema=False)
def ingest_job_state(w: Ctx, request: Request, caller: PAGE, job_id: str) -> dict[str, Any]:
    return job_state(w, caller, job_id, language(request))
