"""Headers every answer of the web application carries, so that a browser holds the pages
to what sohoa serves them for: scripts, styles and images only from sohoa itself, no page
framed by another site, no content type guessed, no address (which holds the query: names,
numbers) sent on to another site, nothing personal kept by a shared cache.

A plain ASGI middleware, wrapped around the whole application (error pages included): it
adds to the headers of each answer as it starts, streamed answers (exports) included,
without reading their bodies. The API documentation pages (Swagger UI, ReDoc) start with an
inline script of FastAPI's: for them alone the page is read first, and the policy allows
exactly that script, by its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""Pages: nothing from elsewhere, no inline script, no other site may frame them."""
CSP_API_DOCS = ("default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
                "frame-ancestors 'none'")
"""The API documentation: its inline scripts by their hashes; styles as Swagger UI sets them."""
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
API_DOCS = ("/docs", "/redoc")
"""Paths of the API documentation pages."""
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """Adds ``COMMON`` and a Content-Security-Policy to every answer; ``Cache-Control:
    no-store`` where the answer set none (pages and JSON hold personal data); HSTS behind
    HTTPS."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        def secured(message: Message, policy: str) -> Message:
            headers = list(message.get("headers") or [])
            names = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in COMMON if name not in names]
            if b"content-security-policy" not in names:
                headers.append((b"content-security-policy", policy.encode()))
            if b"cache-control" not in names and not path.startswith(("/static/", "/static-offline-docs/")):
                headers.append((b"cache-control", b"no-store"))
            if self.https:
                headers.append((b"strict-transport-security", b"max-age=31536000"))
            return {**message, "headers": headers}

        if not path.startswith(API_DOCS):
            async def with_headers(message: Message) -> None:
                await send(secured(message, CSP) if message["type"] == "http.response.start" else message)

            await self.app(scope, receive, with_headers)
            return
        held: list[Message] = []  # a documentation page: read whole, to name its inline scripts

        async def after_reading(message: Message) -> None:
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                body = b"".join(m.get("body", b"") for m in held[1:])
                hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
                                  for script in INLINE_SCRIPT.findall(body))
                await send(secured(held[0], CSP_API_DOCS.format(scripts=hashes)))
                await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, after_reading)
