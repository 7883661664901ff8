"""Digitisation progress (auditors): the API, the page and its charts, the lists behind
each figure, the reports, and the register's matches waiting for a decision."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from sohoa.core.errors import ConfigError, SohoaError
from sohoa.core.privacy import mask_personal
from sohoa.register.facts import STAGES
from sohoa.register.progress import BREAKDOWNS, DEADLINE
from sohoa.search_api import auditing, charts, report, service
from sohoa.search_api.render import BREAKDOWN_WORDS, PROGRESS_STATUS, STAGE_WORDS
from sohoa.search_api.web.deps import API, PAGE, Caller, Ctx, Permission, Web, both, language, tr_of
from sohoa.search_api.web.schemas import ProgressAnswer

router = APIRouter()

LIST_ROWS = 1000
"""Entries a drill-down page shows at most (its CSV has them all)."""


def day_arg(value: str | None, default: dt.date, name: str) -> dt.date:
    try:
        return service.parse_day(value, name) or default
    except ConfigError as exc:
        raise HTTPException(422, both(exc.message_vi, exc.message_en)) from None


def progress_query(w: Web, caller: Caller, by: str | None, as_of: str | None, deadline: str | None, stage: str,
                   successor: bool) -> dict[str, Any]:
    caller.need(Permission.progress)
    if by is not None and by not in BREAKDOWNS:
        raise HTTPException(422, both(f"by: một trong {', '.join(BREAKDOWNS)}.",
                                      f"by: one of {', '.join(BREAKDOWNS)}."))
    if stage not in STAGES:
        raise HTTPException(422, both(f"stage: một trong {', '.join(STAGES)}.",
                                      f"stage: one of {', '.join(STAGES)}."))
    return {"as_of": day_arg(as_of, w.settings.today, "as_of"), "deadline": day_arg(deadline, DEADLINE, "deadline"),
            "stage": stage, "agencies": caller.agencies, "successor": successor}


@router.get("/api/v1/progress", tags=["progress"], response_model=ProgressAnswer, response_model_exclude_unset=True)
def api_progress(w: Ctx, caller: API, by: str | None = None, as_of: str | None = None, deadline: str | None = None,
                 stage: str = "signed", successor: bool = False) -> dict[str, Any]:
    """What ``sohoa progress --json`` prints, within the caller's agencies. Auditors."""
    args = progress_query(w, caller, by, as_of, deadline, stage, successor)
    w.log(caller, "progress", {"by": by, "as_of": args["as_of"].isoformat()})
    return auditing.progress(w.settings, by=by, **args).to_json()


@router.get("/progress", response_class=HTMLResponse, include_in_schema=False)
def progress_page(w: Ctx, request: Request, caller: PAGE, by: str = "agency", as_of: str | None = None,
                  deadline: str | None = None, stage: str = "signed", successor: bool = False) -> HTMLResponse:
    args = progress_query(w, caller, by, as_of, deadline, stage, successor)
    found = auditing.overview(w.settings, breakdowns=(by,), **args)
    w.log(caller, "progress", {"by": by, "as_of": args["as_of"].isoformat()})
    tr = tr_of(request)
    query = {"by": by, "as_of": args["as_of"].isoformat(), "deadline": args["deadline"].isoformat(),
             "stage": stage, **({"successor": "true"} if successor else {})}
    head, _ = report.table(found.breakdowns[by], tr)
    index_head, index = report.index_table(found, tr)
    return w.render(request, "progress.html", caller, o=found, p=found.breakdowns[by], by=by, stage=stage,
                    stages=STAGES, breakdowns=list(BREAKDOWNS), query=query, q=urlencode(query), head=head,
                    label=lambda key: report.key_label(by, key, tr), definitions=report.definitions(found, tr),
                    status_word=lambda code: tr(*PROGRESS_STATUS[code]), stage_word=lambda s: tr(*STAGE_WORDS[s]),
                    index_head=index_head, index=index,
                    breakdown_word=lambda b: tr(*BREAKDOWN_WORDS[b]), successor=successor)


@router.get("/progress/charts/{name}.svg", include_in_schema=False)
def progress_chart(w: Ctx, request: Request, caller: PAGE, name: str, by: str = "agency", as_of: str | None = None,
                   deadline: str | None = None, stage: str = "signed", successor: bool = False) -> Response:
    if name not in ("coverage", "cumulative", "heatmap"):
        raise HTTPException(404, both("Không có biểu đồ này.", "No such chart."))
    args = progress_query(w, caller, by, as_of, deadline, stage, successor)
    found = auditing.overview(w.settings, breakdowns=(by,) if name == "coverage" else (), lists=False, **args)
    tr = tr_of(request)
    if name == "coverage":
        fig = charts.coverage(found.breakdowns[by], lambda key: report.key_label(by, key, tr), tr)
    elif name == "cumulative":
        fig = charts.cumulative(found.weeks, found.province, tr)
    else:
        fig = charts.heatmap(found.cells, found.province, tr)
    return Response(charts.image(fig, "svg"), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


@router.get("/progress/list", response_class=HTMLResponse, include_in_schema=False)
def progress_list(w: Ctx, request: Request, caller: PAGE, stage: str = "scanned", reached: bool = False,
                  by: str | None = None, group: str | None = None, as_of: str | None = None,
                  successor: bool = False, format: str = "html") -> Response:
    args = progress_query(w, caller, by, as_of, None, stage, successor)
    rows = auditing.drill(w.settings, as_of=args["as_of"], stage=stage, reached=reached, by=by, group=group,
                          agencies=caller.agencies, successor=successor)
    w.log(caller, "progress_list", {"stage": stage, "reached": reached, "by": by, "group": group,
                                    "entries": len(rows)})
    if not caller.user.personal_data:  # a file's path may hold a name or an ID number
        for row in rows:
            if row.get("files"):
                row["files"] = mask_personal(str(row["files"]))
    tr = tr_of(request)
    if format == "csv":
        return StreamingResponse(service.list_lines(rows, "csv", tr=tr), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": "attachment; filename=sohoa-progress.csv"})
    return w.render(request, "progress_list.html", caller, rows=rows[:LIST_ROWS], total=len(rows), stage=stage,
                    reached=reached, group=group, by=by, as_of=args["as_of"],
                    stage_word=lambda s: tr(*STAGE_WORDS[s]),
                    csv="/progress/list?" + urlencode({**request.query_params, "format": "csv"}))


@router.get("/progress/report.{fmt}", include_in_schema=False)
def progress_report(w: Ctx, request: Request, caller: PAGE, fmt: str, as_of: str | None = None,
                    deadline: str | None = None, stage: str = "signed", successor: bool = False) -> Response:
    if fmt not in ("xlsx", "pdf"):
        raise HTTPException(404, both("Báo cáo có dạng xlsx hoặc pdf.", "Reports are xlsx or pdf."))
    args = progress_query(w, caller, None, as_of, deadline, stage, successor)
    found = auditing.overview(w.settings, **args)
    w.log(caller, "progress_report", {"format": fmt, "as_of": args["as_of"].isoformat()})
    out = Path(tempfile.mkdtemp(prefix="sohoa-report-")) / f"sohoa-tien-do-{args['as_of'].isoformat()}.{fmt}"
    (report.write_xlsx if fmt == "xlsx" else report.write_pdf)(found, out, tr_of(request))
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
             else "application/pdf")
    return FileResponse(out, media_type=media, filename=out.name,
                        background=BackgroundTask(shutil.rmtree, out.parent, True))


@router.get("/progress/waiting", response_class=HTMLResponse, include_in_schema=False)
def progress_waiting(w: Ctx, request: Request, caller: PAGE, error: str = "") -> HTMLResponse:
    caller.need(Permission.progress)
    return w.render(request, "progress_waiting.html", caller, rows=auditing.waiting(w.settings, caller.agencies),
                    error=error)


@router.post("/progress/decide", include_in_schema=False)
def progress_decide(w: Ctx, request: Request, caller: PAGE, csrf: Annotated[str, Form()],
                    entry: Annotated[str, Form()], record: Annotated[str, Form()],
                    decision: Annotated[str, Form()]) -> Response:
    w.check_csrf(request, csrf)
    caller.need(Permission.progress)
    if decision not in ("confirm", "reject"):
        raise HTTPException(422, "decision: confirm or reject")
    try:
        made = auditing.decide(w.settings, entry.strip(), record.strip(), decision, by=caller.user.name,
                               agencies=caller.agencies)
    except SohoaError as exc:
        said = exc.message_en if language(request) == "en" else exc.message_vi
        return RedirectResponse("/progress/waiting?" + urlencode({"error": said}), 303)
    w.log(caller, "register_decision", {"entry": made.entry_id, "record": made.sha256, "decision": decision})
    return RedirectResponse("/progress/waiting", 303)
