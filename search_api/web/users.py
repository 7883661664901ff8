"""Accounts (administrators): users added, their access changed, disabled, their password
reset, their sessions and tokens ended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.accounts.users import ROLES, AccountError
from sohoa.search_api.web.deps import PAGE, Caller, Ctx, Permission, Web, language

router = APIRouter()


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(w: Ctx, request: Request, caller: PAGE, error: str = "") -> HTMLResponse:
    caller.need(Permission.users)
    tokens: dict[str, int] = {}
    for live in w.archive.accounts.sessions.tokens():
        if live.revoked_at is None:
            tokens[live.user] = tokens.get(live.user, 0) + 1
    return w.render(request, "users.html", caller, users=w.archive.accounts.all(), roles=list(ROLES),
                    tokens=tokens, sessions=w.archive.accounts.sessions.listed(), error=error)


def user_change(w: Web, request: Request, caller: Caller, csrf: str, change: Callable[[], object]) -> Response:
    w.check_csrf(request, csrf)
    caller.need(Permission.users)
    try:
        change()
    except AccountError as exc:
        said = exc.message_en if language(request) == "en" else exc.message_vi
        return RedirectResponse("/users?" + urlencode({"error": said}), 303)
    return RedirectResponse("/users", 303)


@router.post("/users", include_in_schema=False)
def add_user(w: Ctx, request: Request, caller: PAGE, name: Annotated[str, Form()], password: Annotated[str, Form()],
             role: Annotated[str, Form()], agencies: Annotated[str, Form()] = "",
             personal_data: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.add(
        name, password, role, agencies.splitlines(), personal_data=bool(personal_data), by=caller.user.name))


@router.post("/users/{name}/access", include_in_schema=False)
def user_access(w: Ctx, request: Request, caller: PAGE, name: str, role: Annotated[str, Form()],
                agencies: Annotated[str, Form()] = "", personal_data: Annotated[str, Form()] = "",
                csrf: Annotated[str, Form()] = "") -> Response:
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.set_access(
        name, role, agencies.splitlines(), bool(personal_data), by=caller.user.name))


@router.post("/users/{name}/disabled", include_in_schema=False)
def user_disabled(w: Ctx, request: Request, caller: PAGE, name: str, disabled: Annotated[str, Form()] = "",
                  csrf: Annotated[str, Form()] = "") -> Response:
    if name == caller.user.name and disabled:
        return RedirectResponse("/users?" + urlencode({"error": "Không tự khóa tài khoản mình được. / "
                                                                 "You cannot disable your own account."}), 303)
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.set_disabled(
        name, bool(disabled), by=caller.user.name))


@router.post("/users/{name}/sessions/end", include_in_schema=False)
def user_sessions_end(w: Ctx, request: Request, caller: PAGE, name: str,
                      csrf: Annotated[str, Form()] = "") -> Response:
    """End every session and token of ``name`` (a lost laptop, a shared computer)."""
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.sessions.end_user(
        name, why="administrator", by=caller.user.name, address=caller.address))


@router.post("/sessions/{session_id}/end", include_in_schema=False)
def session_end(w: Ctx, request: Request, caller: PAGE, session_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    """End one session."""
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.sessions.end(
        session_id, by=caller.user.name, why="administrator", address=caller.address))


@router.post("/users/{name}/password", include_in_schema=False)
def user_password(w: Ctx, request: Request, caller: PAGE, name: str, password: Annotated[str, Form()],
                  csrf: Annotated[str, Form()] = "") -> Response:
    return user_change(w, request, caller, csrf, lambda: w.archive.accounts.set_password(
        name, password, by=caller.user.name))
