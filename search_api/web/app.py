"""The application: its routers, its session and security middleware, its static files
and templates, and how it answers what goes wrong (JSON for the API, a page for people)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware

from sohoa import __version__
from sohoa.accounts.sessions import SESSION_HOURS
from sohoa.core.errors import SohoaError
from sohoa.core.settings import Settings
from sohoa.search_api.jobs import Jobs
from sohoa.search_api.security import SecurityHeaders
from sohoa.search_api.web import audit, auth, health, ingest, progress, records, review, users
from sohoa.search_api.web.deps import HERE, Archive, SignInNeeded, Web, both, language, local_path

ROUTERS = (auth.router, records.router, review.router, ingest.router, progress.router, audit.router,
           users.router, health.router)


def create_app(settings: Settings, *, behind_https: bool = False, secret: bytes | None = None) -> FastAPIOffline:
    """The application over ``settings.home``. The session key is ``secret``, else kept in
    ``HOME/web-session.key`` (made on first use, readable by its owner only)."""
    web = Web(settings, Archive(settings), Jobs(settings), Jinja2Templates(directory=HERE / "templates"),
              behind_https)

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        web.jobs.resume_uploads()  # nothing uploaded is lost to a restart
        yield
        web.jobs.close()
        web.archive.close()

    app = FastAPIOffline(title="sohoa", version=__version__, lifespan=lifespan, description=both(
        "Kho lưu trữ kết quả giải quyết thủ tục hành chính đã số hóa.",
        "The archive of digitised results of administrative procedures."))
    app.state.web = web
    app.add_middleware(SessionMiddleware, secret_key=(secret or _session_key(settings.home)).decode(),
                       session_cookie="sohoa_session", max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=behind_https)
    # Around everything, Starlette's own error answer (a 500) included: the stack is built
    # on the first request, from the method this replaces.
    inner = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(inner(), https=behind_https)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _answer_errors(app, web)
    return app


def _answer_errors(app: FastAPIOffline, web: Web) -> None:
    @app.exception_handler(SignInNeeded)
    def _to_sign_in(request: Request, _: SignInNeeded) -> Response:
        return RedirectResponse("/login?" + urlencode({"next": local_path(str(request.url.path))}), 303)

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path in ("/login", "/metrics"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return RedirectResponse("/login", 303)
        page = web.render(request, "error.html", None, status=exc.status_code, detail=exc.detail)
        page.status_code = exc.status_code
        return page

    @app.exception_handler(SohoaError)
    def _sohoa_error(request: Request, exc: SohoaError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": both(exc.message_vi, exc.message_en)}, exc.http_status)
        page = web.render(request, "error.html", None, status=exc.http_status,
                          detail=exc.message_en if language(request) == "en" else exc.message_vi)
        page.status_code = exc.http_status
        return page


def _session_key(home: Path) -> bytes:
    path = home / "web-session.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.write_bytes(secrets.token_urlsafe(48).encode())
        part.chmod(0o600)
        part.replace(path)
    return path.read_bytes().strip()
