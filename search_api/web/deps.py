"""What every route of the web application depends on: the archive it runs on, who asks
(``Caller``, from an API token or a browser session) and what they may do
(``Permission``), and the context a route reaches through ``Ctx`` (settings, stores,
ingest jobs, templates, the access log)."""

from __future__ import annotations

import enum
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sohoa import __version__
from sohoa.accounts.audit import AccessLog
from sohoa.accounts.users import Accounts, User
from sohoa.core.model import validity_message
from sohoa.core.privacy import mask_record
from sohoa.core.settings import Settings
from sohoa.indexer.base import IndexBackend, agency_keys, open_index, scope_key
from sohoa.search_api.jobs import Jobs
from sohoa.search_api.render import (
    ACTION_WORDS,
    FACET_LABELS,
    FIELD_LABELS,
    JOB_STATUS,
    LEVEL_LABELS,
    SIGNATURE_LABELS,
    VALIDITY_LABELS,
)

HERE = Path(__file__).resolve().parent.parent
"""``search_api``: its ``static`` and ``templates`` folders."""
class Permission(enum.StrEnum):
    """What a role may do (``sohoa.accounts.users.ROLES`` grants them by name)."""

    search = "search"
    read = "read"
    download = "download"
    correct = "correct"
    export = "export"
    ingest = "ingest"
    progress = "progress"
    audit_read = "audit_read"
    users = "users"
    settings = "settings"


def both(vi: str, en: str) -> str:
    """A message for a client whose language is not known (an API caller): both."""
    return f"{vi} / {en}"


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

    def may(self, permission: Permission) -> bool:
        return self.user.may(permission)

    def need(self, permission: Permission) -> None:
        """403 unless the user's role grants ``permission``: the one check every route makes."""
        if not self.user.may(permission):
            raise HTTPException(403, both(f"Tài khoản {self.user.name} ({self.user.role}) không có quyền này "
                                          f"({permission}).",
                                          f"Account {self.user.name} ({self.user.role}) may not do this "
                                          f"({permission})."))

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


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


class SignInNeeded(Exception):
    """A page asked for without a session: the browser goes to the sign-in form."""


def api_caller(request: Request) -> Caller:
    """The user whose API token the request carries, or 401."""
    archive: Archive = request.app.state.web.archive
    token = _bearer(request)
    found = archive.accounts.sessions.token_user(token) if token else None
    if found is None:
        raise HTTPException(401, both("Cần mã truy cập hợp lệ (Authorization: Bearer ...).",
                                      "A valid access token is needed (Authorization: Bearer ...)."),
                            headers={"WWW-Authenticate": "Bearer"})
    return Caller(found[0], address(request), "api", found[1])


def page_caller(request: Request) -> Caller:
    """The user whose live session the cookie names; without one, the browser goes to sign in."""
    archive: Archive = request.app.state.web.archive
    secret = request.session.get("sid")
    found = archive.accounts.sessions.user_of(secret) if isinstance(secret, str) else None
    if found is None:
        request.session.clear()
        raise SignInNeeded()
    return Caller(found[0], address(request), "web", session_id=found[1])


API = Annotated[Caller, Depends(api_caller)]
PAGE = Annotated[Caller, Depends(page_caller)]


# ---------------------------------------------------------------- the context of a request

def local_path(target: str) -> str:
    """``target`` when it is a path on this site, else ``/``: a sign-in never sends the
    browser elsewhere (``//evil.example``, ``https://...``)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def language(request: Request) -> str:
    """The reader's language: the switch's cookie, Vietnamese by default."""
    return "en" if request.cookies.get("sohoa_lang") == "en" else "vi"


def tr_of(request: Request) -> Callable[[str, str], str]:
    """The words of a (Vietnamese, English) pair in the reader's language."""
    lang = language(request)
    return lambda vi, en: en if lang == "en" else vi


@dataclass
class Web:
    """What the routes of one application share: its settings, its stores, its ingest
    jobs and its templates."""

    settings: Settings
    archive: Archive
    jobs: Jobs
    templates: Jinja2Templates
    behind_https: bool = False

    def log(self, caller: Caller, action: str, what: dict[str, Any]) -> None:
        self.archive.log.append(caller.user.name, action, {"via": caller.via, **what}, address=caller.address)

    def render(self, request: Request, template: str, caller: Caller | None, **context: Any) -> HTMLResponse:
        """A page in the reader's language, with the words for the codes it shows."""
        lang = language(request)
        csrf = request.session.setdefault("csrf", secrets.token_urlsafe(24))
        tr = tr_of(request)

        def said(words: dict[str, tuple[str, str]], code: str | None) -> str:
            return tr(*words[code]) if code in words else (code or "")

        def reason_words(validity: dict[str, Any]) -> str:
            """A verdict's reason (``Record.to_json``'s validity) in the reader's language."""
            return tr(*validity_message(validity.get("reason_code", validity.get("reason", "")),
                                        validity.get("reason_value")))

        def verdict(code: str | None) -> str:
            from sohoa.core.verdict import Status

            try:
                return tr(*Status(code).message)
            except ValueError:
                return said(SIGNATURE_LABELS, code)

        here = local_path(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
        return self.templates.TemplateResponse(request, template, {
            "tr": tr, "lang": lang, "csrf": csrf, "verdict": verdict,
            "validity_word": lambda code: said(VALIDITY_LABELS, code),
            "signature_word": lambda code: said(SIGNATURE_LABELS, code),
            "level_word": lambda code: said(LEVEL_LABELS, code),
            "reason_words": reason_words,
            "facet_title": lambda name: tr(*FACET_LABELS.get(name, (name, name))),
            "field_word": lambda name: said(FIELD_LABELS, name), "field_labels": list(FIELD_LABELS),
            "action_word": lambda code: said(ACTION_WORDS, code),
            "as_json": lambda data: json.dumps(data, ensure_ascii=False, sort_keys=True),
            "job_status": lambda job: tr(*JOB_STATUS[job["status"]]), "job_statuses": list(JOB_STATUS),
            "user": caller.user if caller else None, "here": here,
            "version": __version__, **context})

    @staticmethod
    def check_csrf(request: Request, sent: str) -> None:
        expected = request.session.get("csrf")
        if not expected or not secrets.compare_digest(expected, sent or ""):
            raise HTTPException(403, both("Biểu mẫu đã hết hạn hoặc không hợp lệ (CSRF). Hãy tải lại trang.",
                                          "The form expired or is not valid (CSRF). Reload the page."))


def _web(request: Request) -> Web:
    return request.app.state.web


Ctx = Annotated[Web, Depends(_web)]
