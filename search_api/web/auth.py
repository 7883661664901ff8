"""Signing in and out: API tokens (OAuth2's password flow) and browser sessions; the
language switch."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm

from sohoa.accounts.users import SignInRefused
from sohoa.search_api.web.deps import API, PAGE, Ctx, address, both, language, local_path
from sohoa.search_api.web.schemas import Revoked, Token

router = APIRouter()


@router.post("/api/v1/auth/token", tags=["auth"], response_model=Token)
def token(w: Ctx, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          totp: Annotated[str, Form()] = "") -> dict[str, str]:
    """Sign in with ``username`` and ``password`` (and ``totp``, the one-time code, for an
    account that needs one); a new token for this client."""
    try:
        user = w.archive.accounts.sign_in(form.username, form.password, address=address(request), code=totp)
    except SignInRefused as exc:
        status = 429 if exc.wait else 401
        raise HTTPException(status, both(exc.message_vi, exc.message_en),
                            headers={"WWW-Authenticate": "Bearer"}) from None
    client = form.client_id or request.headers.get("user-agent", "api")[:80]
    return {"access_token": w.archive.accounts.sessions.issue_token(user.name, client, address=address(request)),
            "token_type": "bearer"}


@router.delete("/api/v1/auth/token", tags=["auth"], response_model=Revoked)
def revoke(w: Ctx, caller: API) -> dict[str, bool]:
    """Revoke the token this request carries."""
    assert caller.token_id is not None
    return {"revoked": w.archive.accounts.sessions.revoke_token(caller.token_id, by=caller.user.name,
                                                                address=caller.address)}


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(w: Ctx, request: Request, next: str = "/") -> HTMLResponse:
    return w.render(request, "login.html", None, next=local_path(next), error=None)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(w: Ctx, request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
          code: Annotated[str, Form()] = "") -> Response:
    w.check_csrf(request, csrf)
    try:
        user = w.archive.accounts.sign_in(username, password, address=address(request), code=code)
    except SignInRefused as exc:
        message = exc.message_en if language(request) == "en" else exc.message_vi
        response = w.render(request, "login.html", None, next=local_path(next), error=message)
        response.status_code = 429 if exc.wait else 401
        return response
    request.session.clear()  # a new session for the signed-in user: no fixation
    session = w.archive.accounts.sessions.open(user.name, address=address(request),
                                               agent=request.headers.get("user-agent"))
    request.session.update({"sid": session, "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse(local_path(next), 303)


@router.post("/logout", include_in_schema=False)
def logout(w: Ctx, request: Request, caller: PAGE, csrf: Annotated[str, Form()] = "") -> Response:
    w.check_csrf(request, csrf)
    w.log(caller, "sign_out", {})
    if caller.session_id is not None:  # the cookie, copied or not, opens nothing any more
        w.archive.accounts.sessions.end(caller.session_id, by=caller.user.name, address=caller.address)
    request.session.clear()
    return RedirectResponse("/login", 303)


@router.get("/lang/{lang}", include_in_schema=False)
def switch_language(w: Ctx, lang: str, next: str = "/") -> Response:
    response = RedirectResponse(local_path(next), 303)
    response.set_cookie("sohoa_lang", "en" if lang == "en" else "vi", max_age=365 * 86400, samesite="lax",
                        httponly=True, secure=w.behind_https)
    return response
