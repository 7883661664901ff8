"""The access log (auditors): its entries and whether its chain holds, as JSON, a page and
an export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from sohoa.accounts.audit import AccessLog
from sohoa.search_api.web.deps import API, PAGE, Caller, Ctx, Permission, Web
from sohoa.search_api.web.schemas import AuditAnswer

router = APIRouter()


def audit_entries(w: Web, caller: Caller, since: int, limit: int) -> list[dict[str, Any]]:
    caller.need(Permission.audit_read)
    since = max(0, min(since, 2**62))  # an entry number, not an integer for SQLite to overflow on
    entries = [e.to_json() for e in w.archive.log.entries(since=since, limit=max(1, min(limit, 10_000)))]
    w.log(caller, "audit_read", {"since": since, "entries": len(entries)})
    return entries


@router.get("/api/v1/audit", tags=["audit"], response_model=AuditAnswer, response_model_exclude_unset=True)
def api_audit(w: Ctx, caller: API, since: int = 0, limit: int = 1000) -> dict[str, Any]:
    """Entries of the access log after ``since`` (oldest first), and whether the chain holds. Auditors."""
    entries = audit_entries(w, caller, since, limit)
    check = w.archive.log.verify()
    return {"verified": check.ok, "entries_checked": check.entries, "broken_at": check.broken_at,
            "reason": check.reason, "entries": entries}


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(w: Ctx, request: Request, caller: PAGE, since: int = 0) -> HTMLResponse:
    entries = audit_entries(w, caller, since, 200)
    return w.render(request, "audit.html", caller, entries=entries, check=w.archive.log.verify(), since=since,
                    next_since=entries[-1]["seq"] if len(entries) == 200 else None)


@router.get("/audit/export.jsonl", include_in_schema=False)
def audit_export(w: Ctx, caller: PAGE) -> StreamingResponse:
    caller.need(Permission.audit_read)
    w.log(caller, "audit_export", {})

    def lines() -> Iterator[str]:
        with AccessLog(w.settings.home, shared=True) as entries:  # read on by whichever thread streams
            for entry in entries.entries():
                yield json.dumps(entry.to_json(), ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": "attachment; filename=sohoa-access-log.jsonl"})
