"""The web application and the HTTP API (``sohoa serve``): what officers, clerks, auditors
and administrators use from a browser or a program, over the same home and index as the
CLI (embedded or Elasticsearch).

- ``/api/v1``: machine clients sign in once (``POST /api/v1/auth/token``, OAuth2's
  password flow) and send ``Authorization: Bearer TOKEN``; a token per client, revocable.
  Search answers the same JSON as ``sohoa search --json``; a record as ``sohoa export``
  writes it. ``/openapi.json`` and ``/docs`` describe it (the documentation pages are
  served from the package, not a CDN: fastapi-offline).
- The pages: people sign in with a form and keep a session, held on the server
  (``sohoa.accounts.sessions``) and named in a signed cookie (HttpOnly, SameSite=Lax,
  Secure with ``behind_https``); every form carries the session's CSRF token. Vietnamese
  by default, English by the switch in the header. Every answer carries the security
  headers of ``search_api.security``.

Whoever asks, the same rules hold: a user limited to agencies sees nothing outside them
(hits, totals, facets, records, files, counts, other people's ingests), and a record
outside them is "not found" in the same words as one that does not exist; without
``personal_data`` ID numbers, dates of birth and addresses are masked everywhere
(``sohoa.core.privacy``), a search for an ID-like number is refused (its answer would
say whether that ID is in the archive), and page images are shown only for records that
carry none (an image cannot be masked without redaction). Files are served only as they
were ingested: checked against their SHA-256, never through a link. Every sign-in,
search, record view, download and export goes to the access log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import OAuth2PasswordRequestForm
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from markupsafe import Markup, escape
from starlette.background import BackgroundTask
from starlette.middleware.sessions import SessionMiddleware

from sohoa import __version__
from sohoa.accounts.audit import AccessLog
from sohoa.accounts.sessions import SESSION_HOURS
from sohoa.accounts.users import ROLES, AccountError, Accounts, SignInRefused, User
from sohoa.core.errors import ConfigError, RecordNotFound, SohoaError
from sohoa.core.model import FIELD_NAMES
from sohoa.core.privacy import MASKED_FIELDS, looks_like_id, mask_personal, mask_record
from sohoa.core.settings import Settings
from sohoa.core.verdict import DOCUMENT_STATUSES
from sohoa.indexer.base import IndexBackend, SearchQuery, agency_keys, open_index, scope_key
from sohoa.ingest.ledger import Ledger
from sohoa.register.facts import STAGES
from sohoa.register.progress import BREAKDOWNS, DEADLINE
from sohoa.search_api import auditing, charts, metrics, report, service
from sohoa.search_api.jobs import MAX_UPLOAD_FILES, MAX_UPLOAD_TOTAL, Jobs, Refused, Upload, ingest_roots
from sohoa.search_api.render import (
    BREAKDOWN_WORDS,
    FACET_LABELS,
    JOB_STATUS,
    LEVEL_LABELS,
    PROGRESS_STATUS,
    SIGNATURE_LABELS,
    STAGE_WORDS,
    VALIDITY_LABELS,
)
from sohoa.search_api.security import SecurityHeaders

HERE = Path(__file__).resolve().parent
RECORD_ID = re.compile(r"[0-9a-f]{8,64}")
"""A record id or its unique prefix: lower-case hex. Anything else (a path, ``..``) is refused."""
MAX_UPLOAD = 50 * 2**20
"""Bytes of a PDF uploaded to be verified, at most."""
LOW_CONFIDENCE = 0.8
"""A field read with less confidence than this is marked for a person to check."""
MAX_HITS = 10_000
"""Hits past it are not paged through (Elasticsearch's window; a page number is no offset to overflow)."""
LIST_ROWS = 1000
"""Entries a drill-down page shows at most (its CSV has them all)."""
PAGE_WIDTH = 1200
"""Pixels: page images are sent at this width at most."""
FACETS = ("doc_type", "issuer", "level", "year", "validity", "signature")
UNAVAILABLE = {  # service.FileUnavailable's reasons, said to the person who asked for the file
    "gone": ("Tệp gốc không còn ở nơi đã nạp.", "The original file is no longer where it was ingested from."),
    "changed": ("Tệp ở nơi đã nạp đã bị thay đổi hoặc thay thế sau khi nạp: sohoa chỉ trả đúng tệp đã nạp. Hãy báo "
                "văn thư kiểm tra thư mục quét.", "The file where it was ingested from was changed or replaced since: "
                "sohoa serves only the file it ingested. Ask a clerk to check the scanned folder."),
    "link": ("Ở nơi đã nạp giờ là một liên kết: sohoa không trả tệp qua liên kết. Hãy báo văn thư chép tệp thật vào.",
             "Where it was ingested from there is now a link: sohoa does not serve files through links. Ask a "
             "clerk to copy the real file in."),
}
REASONS = (  # sohoa.core.validity's reasons (English in the export, for other tools), said on the pages
    (re.compile(r"no end date; valid until revoked or replaced"),
     ("không ghi thời hạn: có hiệu lực đến khi bị thu hồi hoặc thay thế",
      "no end date; valid until revoked or replaced")),
    (re.compile(r"no end date could be read"), ("không đọc được thời hạn", "no end date could be read")),
    (re.compile(r"valid_until (\S+) has passed"), ("đã hết hạn ngày {0}", "its end date {0} has passed")),
    (re.compile(r"valid until (\S+)"), ("có hiệu lực đến ngày {0}", "valid until {0}")),
    (re.compile(r"unreadable valid_until (.+)"), ("không đọc được thời hạn {0}", "unreadable end date {0}")),
)


class _PerThread(threading.local):
    accounts: Accounts | None = None
    log: AccessLog | None = None
    index: IndexBackend | None = None


class Archive:
    """The home a server runs on: one connection to each store per server thread, each used
    by its thread only, and closed from the one that shuts the server down (``shared``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = _PerThread()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def _keep(self, thing: Any) -> Any:
        with self._lock:
            self._all.append(thing)
        return thing

    @property
    def accounts(self) -> Accounts:
        if self._local.accounts is None:
            self._local.accounts = self._keep(Accounts(self.settings.home, shared=True))
        return self._local.accounts

    @property
    def log(self) -> AccessLog:
        if self._local.log is None:
            self._local.log = self._keep(AccessLog(self.settings.home, shared=True))
        return self._local.log

    @property
    def index(self) -> IndexBackend:
        if self._local.index is None:
            self._local.index = self._keep(open_index(self.settings, shared=True))
        return self._local.index

    def close(self) -> None:
        with self._lock:
            for thing in self._all:
                thing.close()
            self._all.clear()


# ---------------------------------------------------------------- who asks, and what they may see

class Caller:
    """A signed-in user and where the request came from: through an API token or a
    browser session (their ids)."""

    def __init__(self, user: User, address: str | None, via: str, token_id: int | None = None,
                 session_id: int | None = None) -> None:
        self.user, self.address, self.via, self.token_id, self.session_id = user, address, via, token_id, session_id

    def need(self, permission: str) -> None:
        if not self.user.may(permission):
            raise HTTPException(403, both(f"Tài khoản {self.user.name} ({self.user.role}) không có quyền này "
                                       f"({permission}).",
                                       f"Account {self.user.name} ({self.user.role}) may not do this ({permission})."))

    @property
    def agencies(self) -> tuple[str, ...] | None:
        return self.user.agencies or None

    def sees(self, data: dict[str, Any]) -> bool:
        """Whether a record (its export form) lies within the user's agencies."""
        if not self.user.agencies:
            return True
        return bool({scope_key(a) for a in self.user.agencies} & set(agency_keys(data.get("fields") or {})))

    def shown(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` as this user may see it (masked without ``personal_data``)."""
        return data if self.user.personal_data else mask_record(data)

    def sees_files(self, data: dict[str, Any]) -> bool:
        """Page images, originals and copies show personal data as printed: only for users
        who may see it, or for records that carry none (in what the paper says: its fields
        and text)."""
        printed = {key: data.get(key) for key in ("fields", "text")}
        return self.user.personal_data or mask_record(printed) == printed


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


class SignInNeeded(Exception):
    """A page asked for without a session: the browser goes to the sign-in form."""


def api_caller(request: Request) -> Caller:
    """The user whose API token the request carries, or 401."""
    archive: Archive = request.app.state.archive
    token = _bearer(request)
    found = archive.accounts.sessions.token_user(token) if token else None
    if found is None:
        raise HTTPException(401, both("Cần mã truy cập hợp lệ (Authorization: Bearer ...).",
                                      "A valid access token is needed (Authorization: Bearer ...)."),
                            headers={"WWW-Authenticate": "Bearer"})
    return Caller(found[0], _address(request), "api", found[1])


def page_caller(request: Request) -> Caller:
    """The user whose live session the cookie names; without one, the browser goes to sign in."""
    archive: Archive = request.app.state.archive
    secret = request.session.get("sid")
    found = archive.accounts.sessions.user_of(secret) if isinstance(secret, str) else None
    if found is None:
        request.session.clear()
        raise SignInNeeded()
    return Caller(found[0], _address(request), "web", session_id=found[1])


API = Annotated[Caller, Depends(api_caller)]
PAGE = Annotated[Caller, Depends(page_caller)]


# ---------------------------------------------------------------- the application

def create_app(settings: Settings, *, behind_https: bool = False, secret: bytes | None = None) -> FastAPIOffline:
    """The application over ``settings.home``. The session key is ``secret``, else kept in
    ``HOME/web-session.key`` (made on first use, readable by its owner only)."""
    archive = Archive(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        jobs.resume_uploads()  # nothing uploaded is lost to a restart
        yield
        jobs.close()
        archive.close()

    app = FastAPIOffline(title="sohoa", version=__version__, lifespan=lifespan, description=both(
        "Kho lưu trữ kết quả giải quyết thủ tục hành chính đã số hóa.",
        "The archive of digitised results of administrative procedures."))
    app.state.archive = archive
    jobs = Jobs(settings)
    app.add_middleware(SessionMiddleware, secret_key=(secret or _session_key(settings.home)).decode(),
                       session_cookie="sohoa_session", max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=behind_https)
    # Around everything, Starlette's own error answer (a 500) included: the stack is built
    # on the first request, from the method this replaces.
    inner = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(inner(), https=behind_https)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")

    def log(caller: Caller, action: str, what: dict[str, Any]) -> None:
        archive.log.append(caller.user.name, action, {"via": caller.via, **what}, address=caller.address)

    @app.exception_handler(SignInNeeded)
    def _to_sign_in(request: Request, _: SignInNeeded) -> Response:
        return RedirectResponse("/login?" + urlencode({"next": _local_path(str(request.url.path))}), 303)

    # ------------------------------------------------------------ what both faces share

    def run_search(caller: Caller, params: dict[str, Any], *, facets: bool) -> dict[str, Any]:
        caller.need("search")
        if not caller.user.personal_data and looks_like_id(params.get("q") or ""):
            # Whether it answers 0 or 1 would say whether that ID is in the archive.
            log(caller, "search_refused", {"query": {k: v for k, v in params.items() if v},
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
                issuer=params.get("issuer") or None, date_from=_day(params.get("from")),
                date_to=_day(params.get("to")), validity=params.get("validity") or None,
                signature=params.get("signature") or None, level=params.get("level") or None,
                agencies=caller.agencies, personal=caller.user.personal_data, today=settings.today,
                limit=limit, offset=(page - 1) * limit,
                facets=facets)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        result = service.search(archive.index, query).to_json()
        result["hits"] = [caller.shown(hit) for hit in result["hits"]]
        if "facets" in result and not caller.user.personal_data:
            result["facets"] = {name: {mask_personal(k): v for k, v in counts.items()}
                                for name, counts in result["facets"].items()}
        log(caller, "search", {"query": {k: v for k, v in params.items() if v}, "total": result["total"]})
        return result

    def one_record(caller: Caller, record_id: str) -> dict[str, Any]:
        """The record ``record_id`` names, if the caller may see it; else 404 in the same
        words whether the id is malformed, unknown, ambiguous or outside their agencies."""
        caller.need("read")
        try:
            data = service.show(settings, record_id) if RECORD_ID.fullmatch(record_id) else None
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

    def original(caller: Caller, record_id: str) -> Response:
        caller.need("download")
        data = one_record(caller, record_id)
        files_allowed(caller, data)
        copy = original_copy(data)
        log(caller, "download", {"record": data["id"], "what": "original"})
        return FileResponse(copy, filename=Path(caller.shown(data)["source"]["path"]).name,
                            background=BackgroundTask(shutil.rmtree, copy.parent, True))

    def signed_copy(caller: Caller, record_id: str) -> Response:
        caller.need("download")
        data = one_record(caller, record_id)
        files_allowed(caller, data)
        made = data.get("signed_copy") or {}
        folder = (settings.home / "copies").resolve()
        if not made.get("path") or not made.get("sha256") or not Path(made["path"]).resolve().is_relative_to(folder):
            raise HTTPException(404, both("Hồ sơ này chưa có bản sao có ký số.", "This record has no signed copy."))
        served = Path(tempfile.mkdtemp(prefix="sohoa-serve-"))
        try:
            copy = service.verified_file([made["path"]], made["sha256"], None, served / "copy.pdf")
        except service.FileUnavailable as exc:
            shutil.rmtree(served, ignore_errors=True)
            raise HTTPException(410, both(*UNAVAILABLE[exc.reason])) from None
        log(caller, "download", {"record": data["id"], "what": "signed_copy"})
        return FileResponse(copy, filename=f"{data['id'][:12]}-sao-y.pdf", media_type="application/pdf",
                            background=BackgroundTask(shutil.rmtree, served, True))

    def page_image(caller: Caller, record_id: str, number: int) -> Response:
        data = one_record(caller, record_id)
        files_allowed(caller, data)
        if not 1 <= number <= data["pages"]:
            raise HTTPException(404, both("Không có trang này.", "No such page."))
        copy = original_copy(data)
        try:
            png = _page_png(copy, data["source"]["format"], number, settings.max_pixels)
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        log(caller, "page_image", {"record": data["id"], "page": number})
        return Response(png, media_type="image/png")  # no-store, as every answer: a page may show personal data

    def editable(caller: Caller, data: dict[str, Any]) -> set[str]:
        """The fields this user may correct: none without ``correct``; without
        ``personal_data``, not those shown masked (saving would store the mask)."""
        if not caller.user.may("correct"):
            return set()
        if caller.user.personal_data:
            return set(FIELD_NAMES)
        shown, fields = mask_record(data)["fields"], data["fields"]
        return {name for name in FIELD_NAMES if name not in MASKED_FIELDS and shown.get(name) == fields.get(name)}

    def set_field(caller: Caller, record_id: str, field: str, value: str) -> dict[str, Any]:
        caller.need("correct")
        data = one_record(caller, record_id)
        if field not in FIELD_NAMES:
            raise HTTPException(404, both(f"Không có trường {field}.", f"No field {field}."))
        if field not in editable(caller, data):
            raise HTTPException(403, both("Trường này có dữ liệu cá nhân: chỉ người được xem dữ liệu cá nhân mới sửa "
                                          "được.", "This field holds personal data: only users who may see personal "
                                          "data may correct it."))
        if len(value) > 2000:
            raise HTTPException(422, both("Giá trị quá dài.", "The value is too long."))
        record = service.correct(settings, data["id"], field, value, caller.user.name)
        archive.index.upsert([record])
        log(caller, "correction", {"record": data["id"], "field": field, "old": data["fields"].get(field),
                                   "new": record.fields.get(field)})
        return service.current(record, settings)

    def review_items(caller: Caller, limit: int) -> list[dict[str, Any]]:
        caller.need("correct")
        items = []
        for item in service.review_queue(settings):
            if caller.sees(item):
                items.append(caller.shown(item))
                if len(items) >= limit:
                    break
        log(caller, "review_queue", {"shown": len(items)})
        return items

    def export_rows(caller: Caller) -> Iterator[dict[str, Any]]:
        for row in service.export_rows(settings):
            if row.get("id") and caller.sees(row):
                yield caller.shown(row)

    # ------------------------------------------------------------ the API

    @app.post("/api/v1/auth/token", tags=["auth"])
    def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
              totp: Annotated[str, Form()] = "") -> dict[str, str]:
        """Sign in with ``username`` and ``password`` (and ``totp``, the one-time code, for an
        account that needs one); a new token for this client."""
        try:
            user = archive.accounts.sign_in(form.username, form.password, address=_address(request), code=totp)
        except SignInRefused as exc:
            status = 429 if exc.wait else 401
            raise HTTPException(status, both(exc.message_vi, exc.message_en),
                                headers={"WWW-Authenticate": "Bearer"}) from None
        client = form.client_id or request.headers.get("user-agent", "api")[:80]
        return {"access_token": archive.accounts.sessions.issue_token(user.name, client, address=_address(request)),
                "token_type": "bearer"}

    @app.delete("/api/v1/auth/token", tags=["auth"])
    def revoke(caller: API) -> dict[str, bool]:
        """Revoke the token this request carries."""
        assert caller.token_id is not None
        return {"revoked": archive.accounts.sessions.revoke_token(caller.token_id, by=caller.user.name,
                                                         address=caller.address)}

    @app.get("/api/v1/search", tags=["search"])
    def api_search(caller: API, q: str = "", type: str | None = None, issuer: str | None = None,
                   from_: Annotated[str | None, Query(alias="from")] = None,
                   to: str | None = None, validity: str | None = None, level: str | None = None,
                   signature: str | None = None, limit: int = 10, page: int = 1,
                   facets: bool = False) -> dict[str, Any]:
        """The same answer as ``sohoa search --json``, within the caller's agencies."""
        return run_search(caller, {"q": q, "type": type, "issuer": issuer, "from": from_, "to": to,
                                   "validity": validity, "level": level, "signature": signature, "limit": limit,
                                   "page": page}, facets=facets)

    @app.get("/api/v1/records/{record_id}", tags=["records"])
    def api_record(caller: API, record_id: str) -> dict[str, Any]:
        """One record as ``sohoa export`` writes it (masked where the caller may not see personal data)."""
        data = one_record(caller, record_id)
        log(caller, "record_view", {"record": data["id"]})
        return caller.shown(data)

    @app.get("/api/v1/records/{record_id}/original", tags=["records"])
    def api_original(caller: API, record_id: str) -> Response:
        return original(caller, record_id)

    @app.get("/api/v1/records/{record_id}/copy", tags=["records"])
    def api_copy(caller: API, record_id: str) -> Response:
        return signed_copy(caller, record_id)

    @app.get("/api/v1/records/{record_id}/pages/{number}", tags=["records"])
    def api_page(caller: API, record_id: str, number: int) -> Response:
        return page_image(caller, record_id, number)

    @app.post("/api/v1/records/{record_id}/fields/{field}", tags=["review"])
    def api_correct(caller: API, record_id: str, field: str, body: dict[str, str | None]) -> dict[str, Any]:
        """Set a field as a person confirmed it (``{"value": "..."}``; null or "" clears it):
        kept with who and when, preferred over OCR in search and export, kept by re-ingest
        and reindex. Clerks."""
        return caller.shown(set_field(caller, record_id, field, body.get("value") or ""))

    @app.get("/api/v1/review", tags=["review"])
    def api_review(caller: API, limit: int = 50) -> list[dict[str, Any]]:
        """Records whose key fields are missing or read with little confidence, most useful first."""
        return review_items(caller, max(1, min(limit, 500)))

    @app.post("/api/v1/verify", tags=["signatures"])
    def api_verify(caller: API, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
        """The verdict ``sohoa verify --json`` gives for an uploaded PDF; the file is not kept."""
        caller.need("read")
        head = file.file.read(MAX_UPLOAD + 1)
        if len(head) > MAX_UPLOAD:
            raise HTTPException(413, both(f"Tệp quá lớn (tối đa {MAX_UPLOAD // 2**20} MiB).",
                                       f"The file is too large (at most {MAX_UPLOAD // 2**20} MiB)."))
        if not head.startswith(b"%PDF-"):
            raise HTTPException(415, both("Tệp tải lên không phải PDF.", "The uploaded file is not a PDF."))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            tmp.write(head)
            tmp.flush()
            verdict = service.verify_paths([Path(tmp.name)], settings)[0]
        log(caller, "verify", {"file": file.filename, "status": verdict["status"]})
        return {**verdict, "path": file.filename}

    @app.get("/api/v1/export", tags=["records"])
    def api_export(caller: API, format: str = "jsonl") -> StreamingResponse:
        """Every record within the caller's agencies, streamed as JSON lines or CSV."""
        caller.need("export")
        if format not in ("jsonl", "csv"):
            raise HTTPException(422, "format: jsonl or csv")
        log(caller, "export", {"format": format})
        media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
        return StreamingResponse(service.export_lines(export_rows(caller), format), media_type=media,
                                 headers={"Content-Disposition": f"attachment; filename=sohoa-export.{format}"})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """Liveness: the server answers."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Readiness: the ledger, the accounts and the index can be read."""
        checks = metrics.readiness({"ledger": lambda: metrics.ledger_readable(settings.ledger_path),
                                    "accounts": lambda: archive.accounts.all(),
                                    "index": lambda: archive.index.count()})
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    def prometheus(caller: API) -> Response:
        """Prometheus metrics, for an administrator's API token (a scrape config's bearer token)."""
        caller.need("settings")
        body = metrics.exposition(settings.ledger_path, archive.index.count)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get("/api/v1/state", tags=["ingest"])
    def api_state(caller: API) -> dict[str, Any]:
        """What the ledger holds, by state, and what the index holds; for a user limited to
        agencies, only their records (files not yet read belong to no agency)."""
        caller.need("search")
        if caller.agencies:
            mine = service.search(archive.index, SearchQuery(text="", agencies=caller.agencies, today=settings.today,
                                                             limit=1)).total
            return {"documents": {"indexed": mine} if mine else {},
                    "index": {"backend": archive.index.name, "records": mine}}
        with Ledger.reading(settings.ledger_path) as ledger:
            states = ledger.state_counts()
        return {"documents": states, "index": {"backend": archive.index.name, "records": archive.index.count()}}

    # ------------------------------------------------------------ the pages

    def render(request: Request, template: str, caller: Caller | None, **context: Any) -> HTMLResponse:
        lang = request.cookies.get("sohoa_lang", "vi")
        csrf = request.session.setdefault("csrf", secrets.token_urlsafe(24))

        def tr(vi: str, en: str) -> str:
            return en if lang == "en" else vi

        def said(words: dict[str, tuple[str, str]], code: str | None) -> str:
            return tr(*words[code]) if code in words else (code or "")

        def reason_words(reason: str | None) -> str:
            for pattern, (vi, en) in REASONS:
                found = pattern.fullmatch(reason or "")
                if found:
                    return tr(vi, en).format(*found.groups())
            return reason or ""

        def verdict(code: str | None) -> str:
            from sohoa.core.verdict import Status

            try:
                return tr(*Status(code).message)
            except ValueError:
                return said(SIGNATURE_LABELS, code)

        here = _local_path(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
        return templates.TemplateResponse(request, template, {
            "tr": tr, "lang": lang, "csrf": csrf, "verdict": verdict,
            "validity_word": lambda code: said(VALIDITY_LABELS, code),
            "signature_word": lambda code: said(SIGNATURE_LABELS, code),
            "level_word": lambda code: said(LEVEL_LABELS, code),
            "reason_words": reason_words,
            "facet_title": lambda name: tr(*FACET_LABELS.get(name, (name, name))),
            "job_status": lambda job: tr(*JOB_STATUS[job["status"]]), "job_statuses": list(JOB_STATUS),
            "user": caller.user if caller else None, "here": here,
            "version": __version__, **context})

    def check_csrf(request: Request, sent: str) -> None:
        expected = request.session.get("csrf")
        if not expected or not secrets.compare_digest(expected, sent or ""):
            raise HTTPException(403, both("Biểu mẫu đã hết hạn hoặc không hợp lệ (CSRF). Hãy tải lại trang.",
                                       "The form expired or is not valid (CSRF). Reload the page."))

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", None, next=_local_path(next), error=None)

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
              csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
              code: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        try:
            user = archive.accounts.sign_in(username, password, address=_address(request), code=code)
        except SignInRefused as exc:
            lang = request.cookies.get("sohoa_lang", "vi")
            message = exc.message_en if lang == "en" else exc.message_vi
            response = render(request, "login.html", None, next=_local_path(next), error=message)
            response.status_code = 429 if exc.wait else 401
            return response
        request.session.clear()  # a new session for the signed-in user: no fixation
        session = archive.accounts.sessions.open(user.name, address=_address(request),
                                                 agent=request.headers.get("user-agent"))
        request.session.update({"sid": session, "csrf": secrets.token_urlsafe(24)})
        return RedirectResponse(_local_path(next), 303)

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, caller: PAGE, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        log(caller, "sign_out", {})
        if caller.session_id is not None:  # the cookie, copied or not, opens nothing any more
            archive.accounts.sessions.end(caller.session_id, by=caller.user.name, address=caller.address)
        request.session.clear()
        return RedirectResponse("/login", 303)

    @app.get("/lang/{lang}", include_in_schema=False)
    def switch_language(lang: str, next: str = "/") -> Response:
        response = RedirectResponse(_local_path(next), 303)
        response.set_cookie("sohoa_lang", "en" if lang == "en" else "vi", max_age=365 * 86400, samesite="lax",
                            httponly=True, secure=behind_https)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, caller: PAGE) -> HTMLResponse:
        params = {k: request.query_params.get(k, "") for k in
                  ("q", "type", "issuer", "from", "to", "validity", "level", "signature", "page")}
        params["limit"] = "20"
        result = run_search(caller, params, facets=True)
        page = max(1, int(params["page"] or 1))
        hits = [{**hit, "snippet": _marked(hit["snippet"])} for hit in result["hits"]]

        def link(**changes: str) -> str:
            kept = {k: v for k, v in {**params, "page": "", **changes}.items() if v and k != "limit"}
            return "/?" + urlencode(kept)

        pages = -(-result["total"] // 20)
        return render(request, "search.html", caller, params=params, result=result, hits=hits, page=page,
                      pages=pages, link=link, facet_names=FACETS, statuses=DOCUMENT_STATUSES)

    @app.get("/records/{record_id}", response_class=HTMLResponse, include_in_schema=False)
    def record_page(request: Request, caller: PAGE, record_id: str) -> HTMLResponse:
        data = one_record(caller, record_id)
        log(caller, "record_view", {"record": data["id"]})
        files = caller.sees_files(data)
        confirmed = {c["field"]: c for c in data.get("corrections") or ()}
        return render(request, "record.html", caller, record=caller.shown(data), files=files,
                      low=LOW_CONFIDENCE, may_download=caller.user.may("download") and files,
                      editable=editable(caller, data), confirmed=confirmed)

    @app.post("/records/{record_id}/fields/{field}", include_in_schema=False)
    def page_correct(request: Request, caller: PAGE, record_id: str, field: str,
                     value: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        data = set_field(caller, record_id, field, value)
        return RedirectResponse(f"/records/{data['id']}#field-{field}", 303)

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page(request: Request, caller: PAGE) -> HTMLResponse:
        return render(request, "review.html", caller, items=review_items(caller, 100))

    # ------------------------------------------------------------ ingest (clerks)

    def start_folder(caller: Caller, folder: str) -> dict[str, Any]:
        caller.need("ingest")
        try:
            job = jobs.start(jobs.allowed_folder(folder), caller.user.name)
        except Refused as exc:
            raise HTTPException(exc.status, exc.message) from None
        log(caller, "ingest_start", {"job": job.id, "folder": str(job.folder), "files": len(job.files)})
        return jobs.state(job.id) or {}

    def job_owner(caller: Caller) -> str | None:
        """Whose ingests the caller may follow: their own (clerks); everyone's (administrators)."""
        if caller.user.may("users"):
            return None
        caller.need("ingest")
        return caller.user.name

    def job_state(caller: Caller, job_id: str) -> dict[str, Any]:
        by = job_owner(caller)
        state = jobs.state(job_id, by=by) if re.fullmatch(r"[0-9a-f]{12}", job_id) else None
        if state is None:  # another clerk's ingest is not found either
            raise HTTPException(404, both("Không có lượt nạp này.", "No such ingest."))
        return state

    @app.post("/api/v1/ingest", tags=["ingest"])
    def api_ingest(caller: API, body: dict[str, str]) -> dict[str, Any]:
        """Ingest a folder on the server (``{"folder": "..."}``, under ``SOHOA_INGEST_ROOTS``). Clerks."""
        return start_folder(caller, body.get("folder", ""))

    @app.get("/api/v1/ingest/{job_id}", tags=["ingest"])
    def api_ingest_state(caller: API, job_id: str) -> dict[str, Any]:
        """An ingest's progress: files done, failed with their reasons, waiting; its report when over."""
        return job_state(caller, job_id)

    @app.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
    def ingest_page(request: Request, caller: PAGE) -> HTMLResponse:
        by = job_owner(caller)
        return render(request, "ingest.html", caller, jobs=jobs.recent(by=by), roots=ingest_roots(settings),
                      may_ingest=caller.user.may("ingest"))

    @app.post("/ingest/upload", include_in_schema=False)
    async def ingest_upload(request: Request, caller: PAGE) -> Response:
        caller.need("ingest")
        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_TOTAL:
            raise HTTPException(413, both(f"Lượt tải quá lớn (tối đa {MAX_UPLOAD_TOTAL // 2**30} GiB).",
                                          f"The upload is too large (at most {MAX_UPLOAD_TOTAL // 2**30} GiB)."))
        async with request.form(max_files=MAX_UPLOAD_FILES + 1) as form:
            check_csrf(request, str(form.get("csrf") or ""))
            files = []
            for f in form.getlist("files"):
                if isinstance(f, str):
                    continue
                head = await f.read(1024)
                files.append(Upload(f.filename or "scan", f.size if f.size is not None else len(head), head, f.file))
            try:
                folder = jobs.store_uploads(files)
            except Refused as exc:
                raise HTTPException(exc.status, exc.message) from None
        try:
            job = jobs.start(folder, caller.user.name, uploaded=True)
        except Refused as exc:
            raise HTTPException(exc.status, exc.message) from None
        log(caller, "ingest_upload", {"job": job.id, "files": [f.name for f in files]})
        return RedirectResponse(f"/ingest/{job.id}", 303)

    @app.post("/ingest/folder", include_in_schema=False)
    def ingest_folder(request: Request, caller: PAGE, folder: Annotated[str, Form()],
                      csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        return RedirectResponse(f"/ingest/{start_folder(caller, folder)['id']}", 303)

    @app.get("/ingest/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def ingest_job_page(request: Request, caller: PAGE, job_id: str) -> HTMLResponse:
        return render(request, "ingest_job.html", caller, job=job_state(caller, job_id))

    @app.get("/ingest/{job_id}/state", include_in_schema=False)
    def ingest_job_state(caller: PAGE, job_id: str) -> dict[str, Any]:
        return job_state(caller, job_id)

    # ------------------------------------------------------------ progress (auditors)

    def tr_of(request: Request) -> Callable[[str, str], str]:
        lang = request.cookies.get("sohoa_lang", "vi")
        return lambda vi, en: en if lang == "en" else vi

    def day_arg(value: str | None, default: dt.date, name: str) -> dt.date:
        try:
            return service.parse_day(value, name) or default
        except ConfigError as exc:
            raise HTTPException(422, both(exc.message_vi, exc.message_en)) from None

    def progress_query(caller: Caller, by: str | None, as_of: str | None, deadline: str | None, stage: str,
                       successor: bool) -> dict[str, Any]:
        caller.need("progress")
        if by is not None and by not in BREAKDOWNS:
            raise HTTPException(422, both(f"by: một trong {', '.join(BREAKDOWNS)}.",
                                          f"by: one of {', '.join(BREAKDOWNS)}."))
        if stage not in STAGES:
            raise HTTPException(422, both(f"stage: một trong {', '.join(STAGES)}.",
                                          f"stage: one of {', '.join(STAGES)}."))
        return {"as_of": day_arg(as_of, settings.today, "as_of"), "deadline": day_arg(deadline, DEADLINE, "deadline"),
                "stage": stage, "agencies": caller.agencies, "successor": successor}

    @app.get("/api/v1/progress", tags=["progress"])
    def api_progress(caller: API, by: str | None = None, as_of: str | None = None, deadline: str | None = None,
                     stage: str = "signed", successor: bool = False) -> dict[str, Any]:
        """What ``sohoa progress --json`` prints, within the caller's agencies. Auditors."""
        args = progress_query(caller, by, as_of, deadline, stage, successor)
        log(caller, "progress", {"by": by, "as_of": args["as_of"].isoformat()})
        return auditing.progress(settings, by=by, **args).to_json()

    @app.get("/progress", response_class=HTMLResponse, include_in_schema=False)
    def progress_page(request: Request, caller: PAGE, by: str = "agency", as_of: str | None = None,
                      deadline: str | None = None, stage: str = "signed", successor: bool = False) -> HTMLResponse:
        args = progress_query(caller, by, as_of, deadline, stage, successor)
        found = auditing.overview(settings, breakdowns=(by,), **args)
        log(caller, "progress", {"by": by, "as_of": args["as_of"].isoformat()})
        tr = tr_of(request)
        query = {"by": by, "as_of": args["as_of"].isoformat(), "deadline": args["deadline"].isoformat(),
                 "stage": stage, **({"successor": "true"} if successor else {})}
        head, _ = report.table(found.breakdowns[by], tr)
        return render(request, "progress.html", caller, o=found, p=found.breakdowns[by], by=by, stage=stage,
                      stages=STAGES, breakdowns=list(BREAKDOWNS), query=query, q=urlencode(query), head=head,
                      label=lambda key: report.key_label(by, key, tr), definitions=report.definitions(found, tr),
                      status_word=lambda code: tr(*PROGRESS_STATUS[code]), stage_word=lambda s: tr(*STAGE_WORDS[s]),
                      index_head=report.index_table(found, tr)[0], index=report.index_table(found, tr)[1],
                      breakdown_word=lambda b: tr(*BREAKDOWN_WORDS[b]), successor=successor)

    @app.get("/progress/charts/{name}.svg", include_in_schema=False)
    def progress_chart(request: Request, caller: PAGE, name: str, by: str = "agency", as_of: str | None = None,
                       deadline: str | None = None, stage: str = "signed", successor: bool = False) -> Response:
        if name not in ("coverage", "cumulative", "heatmap"):
            raise HTTPException(404, both("Không có biểu đồ này.", "No such chart."))
        args = progress_query(caller, by, as_of, deadline, stage, successor)
        found = auditing.overview(settings, breakdowns=(by,) if name == "coverage" else (), lists=False, **args)
        tr = tr_of(request)
        if name == "coverage":
            fig = charts.coverage(found.breakdowns[by], lambda key: report.key_label(by, key, tr), tr)
        elif name == "cumulative":
            fig = charts.cumulative(found.weeks, found.province, tr)
        else:
            fig = charts.heatmap(found.cells, found.province, tr)
        return Response(charts.image(fig, "svg"), media_type="image/svg+xml",
                        headers={"Cache-Control": "private, no-store"})

    @app.get("/progress/list", response_class=HTMLResponse, include_in_schema=False)
    def progress_list(request: Request, caller: PAGE, stage: str = "scanned", reached: bool = False,
                      by: str | None = None, group: str | None = None, as_of: str | None = None,
                      successor: bool = False, format: str = "html") -> Response:
        args = progress_query(caller, by, as_of, None, stage, successor)
        rows = auditing.drill(settings, as_of=args["as_of"], stage=stage, reached=reached, by=by, group=group,
                              agencies=caller.agencies, successor=successor)
        log(caller, "progress_list", {"stage": stage, "reached": reached, "by": by, "group": group,
                                      "entries": len(rows)})
        if not caller.user.personal_data:  # a file's path may hold a name or an ID number
            for row in rows:
                if row.get("files"):
                    row["files"] = mask_personal(str(row["files"]))
        if format == "csv":
            return StreamingResponse(service.list_lines(rows, "csv", tr=tr_of(request)),
                                     media_type="text/csv; charset=utf-8",
                                     headers={"Content-Disposition": "attachment; filename=sohoa-progress.csv"})
        return render(request, "progress_list.html", caller, rows=rows[:LIST_ROWS], total=len(rows), stage=stage,
                      reached=reached, group=group, by=by, as_of=args["as_of"],
                      stage_word=lambda s: tr_of(request)(*STAGE_WORDS[s]),
                      csv="/progress/list?" + urlencode({**request.query_params, "format": "csv"}))

    @app.get("/progress/report.{fmt}", include_in_schema=False)
    def progress_report(request: Request, caller: PAGE, fmt: str, as_of: str | None = None,
                        deadline: str | None = None, stage: str = "signed", successor: bool = False) -> Response:
        if fmt not in ("xlsx", "pdf"):
            raise HTTPException(404, both("Báo cáo có dạng xlsx hoặc pdf.", "Reports are xlsx or pdf."))
        args = progress_query(caller, None, as_of, deadline, stage, successor)
        found = auditing.overview(settings, **args)
        log(caller, "progress_report", {"format": fmt, "as_of": args["as_of"].isoformat()})
        out = Path(tempfile.mkdtemp(prefix="sohoa-report-")) / f"sohoa-tien-do-{args['as_of'].isoformat()}.{fmt}"
        (report.write_xlsx if fmt == "xlsx" else report.write_pdf)(found, out, tr_of(request))
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                 else "application/pdf")
        return FileResponse(out, media_type=media, filename=out.name,
                            background=BackgroundTask(shutil.rmtree, out.parent, True))

    @app.get("/progress/waiting", response_class=HTMLResponse, include_in_schema=False)
    def progress_waiting(request: Request, caller: PAGE, error: str = "") -> HTMLResponse:
        caller.need("progress")
        return render(request, "progress_waiting.html", caller, rows=auditing.waiting(settings, caller.agencies),
                      error=error)

    @app.post("/progress/decide", include_in_schema=False)
    def progress_decide(request: Request, caller: PAGE, csrf: Annotated[str, Form()], entry: Annotated[str, Form()],
                        record: Annotated[str, Form()], decision: Annotated[str, Form()]) -> Response:
        check_csrf(request, csrf)
        caller.need("progress")
        if decision not in ("confirm", "reject"):
            raise HTTPException(422, "decision: confirm or reject")
        try:
            entry_id, sha = auditing.decide(settings, entry.strip(), record.strip(), decision, by=caller.user.name,
                                            agencies=caller.agencies)
        except SohoaError as exc:
            said = exc.message_en if request.cookies.get("sohoa_lang") == "en" else exc.message_vi
            return RedirectResponse("/progress/waiting?" + urlencode({"error": said}), 303)
        log(caller, "register_decision", {"entry": entry_id, "record": sha, "decision": decision})
        return RedirectResponse("/progress/waiting", 303)

    # ------------------------------------------------------------ the access log (auditors)

    def audit_entries(caller: Caller, since: int, limit: int) -> list[dict[str, Any]]:
        caller.need("audit_read")
        since = max(0, min(since, 2**62))  # an entry number, not an integer for SQLite to overflow on
        entries = [e.to_json() for e in archive.log.entries(since=since, limit=max(1, min(limit, 10_000)))]
        log(caller, "audit_read", {"since": since, "entries": len(entries)})
        return entries

    @app.get("/api/v1/audit", tags=["audit"])
    def api_audit(caller: API, since: int = 0, limit: int = 1000) -> dict[str, Any]:
        """Entries of the access log after ``since`` (oldest first), and whether the chain holds. Auditors."""
        entries = audit_entries(caller, since, limit)
        check = archive.log.verify()
        return {"verified": check.ok, "entries_checked": check.entries, "broken_at": check.broken_at,
                "reason": check.reason, "entries": entries}

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, caller: PAGE, since: int = 0) -> HTMLResponse:
        entries = audit_entries(caller, since, 200)
        return render(request, "audit.html", caller, entries=entries, check=archive.log.verify(), since=since,
                      next_since=entries[-1]["seq"] if len(entries) == 200 else None)

    @app.get("/audit/export.jsonl", include_in_schema=False)
    def audit_export(caller: PAGE) -> StreamingResponse:
        caller.need("audit_read")
        log(caller, "audit_export", {})
        def lines() -> Iterator[str]:
            with AccessLog(settings.home, shared=True) as entries:  # read on by whichever thread streams
                for entry in entries.entries():
                    yield json.dumps(entry.to_json(), ensure_ascii=False) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson",
                                 headers={"Content-Disposition": "attachment; filename=sohoa-access-log.jsonl"})

    @app.get("/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request, caller: PAGE, error: str = "") -> HTMLResponse:
        caller.need("users")
        tokens: dict[str, int] = {}
        for live in archive.accounts.sessions.tokens():
            if live.revoked_at is None:
                tokens[live.user] = tokens.get(live.user, 0) + 1
        return render(request, "users.html", caller, users=archive.accounts.all(), roles=list(ROLES),
                      tokens=tokens, sessions=archive.accounts.sessions.listed(), error=error)

    def user_change(request: Request, caller: Caller, csrf: str, change: Callable[[], object]) -> Response:
        check_csrf(request, csrf)
        caller.need("users")
        try:
            change()
        except AccountError as exc:
            said = exc.message_en if request.cookies.get("sohoa_lang") == "en" else exc.message_vi
            return RedirectResponse("/users?" + urlencode({"error": said}), 303)
        return RedirectResponse("/users", 303)

    @app.post("/users", include_in_schema=False)
    def add_user(request: Request, caller: PAGE, name: Annotated[str, Form()], password: Annotated[str, Form()],
                 role: Annotated[str, Form()], agencies: Annotated[str, Form()] = "",
                 personal_data: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
        return user_change(request, caller, csrf, lambda: archive.accounts.add(
            name, password, role, agencies.splitlines(), personal_data=bool(personal_data), by=caller.user.name))

    @app.post("/users/{name}/access", include_in_schema=False)
    def user_access(request: Request, caller: PAGE, name: str, role: Annotated[str, Form()],
                    agencies: Annotated[str, Form()] = "", personal_data: Annotated[str, Form()] = "",
                    csrf: Annotated[str, Form()] = "") -> Response:
        return user_change(request, caller, csrf, lambda: archive.accounts.set_access(
            name, role, agencies.splitlines(), bool(personal_data), by=caller.user.name))

    @app.post("/users/{name}/disabled", include_in_schema=False)
    def user_disabled(request: Request, caller: PAGE, name: str, disabled: Annotated[str, Form()] = "",
                      csrf: Annotated[str, Form()] = "") -> Response:
        if name == caller.user.name and disabled:
            return RedirectResponse("/users?" + urlencode({"error": "Không tự khóa tài khoản mình được. / "
                                                                     "You cannot disable your own account."}), 303)
        return user_change(request, caller, csrf, lambda: archive.accounts.set_disabled(
            name, bool(disabled), by=caller.user.name))

    @app.post("/users/{name}/sessions/end", include_in_schema=False)
    def user_sessions_end(request: Request, caller: PAGE, name: str, csrf: Annotated[str, Form()] = "") -> Response:
        """End every session and token of ``name`` (a lost laptop, a shared computer)."""
        return user_change(request, caller, csrf, lambda: archive.accounts.sessions.end_user(
            name, why="administrator", by=caller.user.name, address=caller.address))

    @app.post("/sessions/{session_id}/end", include_in_schema=False)
    def session_end(request: Request, caller: PAGE, session_id: int, csrf: Annotated[str, Form()] = "") -> Response:
        """End one session."""
        return user_change(request, caller, csrf, lambda: archive.accounts.sessions.end(
            session_id, by=caller.user.name, why="administrator", address=caller.address))

    @app.post("/users/{name}/password", include_in_schema=False)
    def user_password(request: Request, caller: PAGE, name: str, password: Annotated[str, Form()],
                      csrf: Annotated[str, Form()] = "") -> Response:
        return user_change(request, caller, csrf, lambda: archive.accounts.set_password(
            name, password, by=caller.user.name))

    @app.get("/records/{record_id}/original", include_in_schema=False)
    def page_original(caller: PAGE, record_id: str) -> Response:
        return original(caller, record_id)

    @app.get("/records/{record_id}/copy", include_in_schema=False)
    def page_copy(caller: PAGE, record_id: str) -> Response:
        return signed_copy(caller, record_id)

    @app.get("/records/{record_id}/pages/{number}.png", include_in_schema=False)
    def page_png(caller: PAGE, record_id: str, number: int) -> Response:
        return page_image(caller, record_id, number)

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path in ("/login", "/metrics"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return RedirectResponse("/login", 303)
        page = render(request, "error.html", None, status=exc.status_code, detail=exc.detail)
        page.status_code = exc.status_code
        return page

    @app.exception_handler(SohoaError)
    def _sohoa_error(request: Request, exc: SohoaError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": both(exc.message_vi, exc.message_en)}, exc.http_status)
        lang = request.cookies.get("sohoa_lang", "vi")
        page = render(request, "error.html", None, status=exc.http_status,
                      detail=exc.message_en if lang == "en" else exc.message_vi)
        page.status_code = exc.http_status
        return page

    return app


def both(vi: str, en: str) -> str:
    """A message for a person, in Vietnamese and English (an API client has no language switch)."""
    return f"{vi} / {en}"


def _session_key(home: Path) -> bytes:
    path = home / "web-session.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.write_bytes(secrets.token_urlsafe(48).encode())
        part.chmod(0o600)
        part.replace(path)
    return path.read_bytes().strip()


def _local_path(target: str) -> str:
    """``target`` when it is a path on this site, else ``/``: a sign-in never sends the
    browser elsewhere (``//evil.example``, ``https://...``)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _day(value: str | None) -> dt.date | None:
    try:
        return service.parse_day(value)
    except ConfigError as exc:
        raise ValueError(both(exc.message_vi, exc.message_en)) from None


def _marked(snippet: str) -> Markup:
    """A snippet as HTML: escaped, but for the index's ``<mark>`` around the matches."""
    return Markup(str(escape(snippet)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def _page_png(path: Path, fmt: str, number: int, max_pixels: int) -> bytes:
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
