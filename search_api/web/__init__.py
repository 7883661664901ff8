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

The package: ``app`` builds the application; ``deps`` holds who asks (``Caller``), what
they may do (``Permission``) and the context every route reaches (``Ctx``); ``shared`` is
what both faces do once; a router per area (``auth``, ``records``, ``review``,
``ingest``, ``progress``, ``audit``, ``users``, ``health``) holds the API's routes and the
pages' side by side.
"""

from sohoa.search_api.web.app import create_app

__all__ = ["create_app"]
