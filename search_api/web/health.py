"""For monitoring: liveness, readiness, and Prometheus metrics (an administrator's token)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from sohoa.search_api import metrics
from sohoa.search_api.web.deps import API, Ctx, Permission

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """Liveness: the server answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(w: Ctx) -> JSONResponse:
    """Readiness: the ledger, the accounts and the index can be read."""
    checks = metrics.readiness({"ledger": lambda: metrics.ledger_readable(w.settings.ledger_path),
                                "accounts": lambda: w.archive.accounts.all(),
                                "index": lambda: w.archive.index.count()})
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
def prometheus(w: Ctx, caller: API) -> Response:
    """Prometheus metrics, for an administrator's API token (a scrape config's bearer token)."""
    caller.need(Permission.settings)
    body = metrics.exposition(w.settings.ledger_path, w.archive.index.count)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
