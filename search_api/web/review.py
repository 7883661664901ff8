"""Review and corrections (clerks): the queue of records with fields to check, and a
field set as a person confirmed it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.search_api.web import shared
from sohoa.search_api.web.deps import API, PAGE, Ctx
from sohoa.search_api.web.schemas import RecordOut, ReviewItem, SplitAnswer

router = APIRouter()


@router.post("/api/v1/records/{record_id}/fields/{field}", tags=["review"], response_model=RecordOut,
             response_model_exclude_unset=True)
def api_correct(w: Ctx, caller: API, record_id: str, field: str, body: dict[str, str | None]) -> dict[str, Any]:
    """Set a field as a person confirmed it (``{"value": "..."}``; null or "" clears it):
    kept with who and when, preferred over OCR in search and export, kept by re-ingest
    and reindex. Clerks."""
    return caller.shown(shared.set_field(w, caller, record_id, field, body.get("value") or ""))


@router.get("/api/v1/review", tags=["review"], response_model=list[ReviewItem], response_model_exclude_unset=True)
def api_review(w: Ctx, caller: API, limit: int = 50) -> list[dict[str, Any]]:
    """Records whose key fields are missing or read with little confidence, most useful first."""
    return shared.review_items(w, caller, max(1, min(limit, 500)))


@router.post("/records/{record_id}/fields/{field}", include_in_schema=False)
def page_correct(w: Ctx, request: Request, caller: PAGE, record_id: str, field: str,
                 value: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    w.check_csrf(request, csrf)
    data = shared.set_field(w, caller, record_id, field, value)
    return RedirectResponse(f"/records/{data['id']}#field-{field}", 303)


@router.post("/api/v1/records/{record_id}/split", tags=["review"], response_model=SplitAnswer)
def api_split(w: Ctx, caller: API, record_id: str, body: dict[str, str]) -> dict[str, Any]:
    """Set where the results of a stack scanned as one file begin and end (``{"pages":
    "1-4,5-6,7"}``, page ranges of the file; one range joins them all): only the results
    whose pages changed are read again. Clerks."""
    return shared.split_file(w, caller, record_id, body.get("pages", ""))


@router.post("/records/{record_id}/split", include_in_schema=False)
def page_split(w: Ctx, request: Request, caller: PAGE, record_id: str, pages: Annotated[str, Form()] = "",
               csrf: Annotated[str, Form()] = "") -> Response:
    w.check_csrf(request, csrf)
    done = shared.split_file(w, caller, record_id, pages)
    return RedirectResponse(f"/records/{done['file']}#stack", 303)  # the file's first result


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(w: Ctx, request: Request, caller: PAGE) -> HTMLResponse:
    return w.render(request, "review.html", caller, items=shared.review_items(w, caller, 100))
