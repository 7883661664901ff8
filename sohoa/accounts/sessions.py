"""What a signed-in client holds, kept on the server: browser sessions and API tokens.

A browser that signs in gets a session: a random secret in its (signed) cookie, of which
the server keeps only the SHA-256, who it belongs to, when it began and was last used, and
from where. A session lasts ``SESSION_HOURS`` at most and ends after ``IDLE_HOURS`` unused.
Machine clients get an API token (``issue_token``): a random secret, likewise kept only as
its SHA-256, one per client, revocable.

Both are checked against this store on every request, so ending one takes effect at once:
signing out ends that session; a new password, a disabled account, or a change of role,
agencies or personal-data permission ends every session and token of the user
(``end_user``); an administrator lists and ends sessions (``sohoa user sessions``, the
users page). A cookie copied before any of these opens nothing afterwards, even though
its signature is still good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sohoa.accounts.audit import AccessLog
    from sohoa.accounts.users import User

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id             INTEGER PRIMARY KEY,
    digest         TEXT NOT NULL UNIQUE,  -- SHA-256 of the token; the token itself is not kept
    user           TEXT NOT NULL REFERENCES users(name),
    client         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id             INTEGER PRIMARY KEY,
    digest         TEXT NOT NULL UNIQUE,  -- SHA-256 of the secret in the browser's cookie
    user           TEXT NOT NULL REFERENCES users(name),
    created_at     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    address        TEXT,
    agent          TEXT,
    ended_at       TEXT,
    ended_why      TEXT                   -- sign_out, password, disabled, access, administrator, ...
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user, ended_at);
"""
TOKEN_PREFIX = "sohoa_"
SESSION_HOURS = 8
"""A session ends this long after sign-in, used or not."""
IDLE_HOURS = 2
"""A session unused this long ends."""
TOUCH_SECONDS = 60
"""``last_seen`` is written at most this often (every request would be a write)."""


@dataclass(frozen=True)
class Token:
    """An API token as listed (the secret is shown once, when issued)."""

    id: int
    user: str
    client: str
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class Session:
    """A browser session as listed (its secret is only in the browser's cookie)."""

    id: int
    user: str
    created_at: str
    last_seen: str
    address: str | None
    agent: str | None
    ended_at: str | None
    ended_why: str | None

    def live(self, now: dt.datetime) -> bool:
        return (self.ended_at is None
                and now < dt.datetime.fromisoformat(self.created_at) + dt.timedelta(hours=SESSION_HOURS)
                and now < dt.datetime.fromisoformat(self.last_seen) + dt.timedelta(hours=IDLE_HOURS))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


class Sessions:
    """Sessions and tokens in the accounts database (``Accounts.sessions``)."""

    def __init__(self, db: sqlite3.Connection, log: AccessLog, user: Callable[[str], User | None]) -> None:
        self.db, self.log, self._user = db, log, user

    # ------------------------------------------------------------------ browser sessions

    def open(self, user: str, *, address: str | None = None, agent: str | None = None) -> str:
        """A new session for ``user`` (signed in just now): the secret for its cookie."""
        secret = secrets.token_urlsafe(32)
        now = _stamp(_now())
        cur = self.db.execute("INSERT INTO sessions(digest, user, created_at, last_seen, address, agent) "
                              "VALUES (?,?,?,?,?,?)", (_digest(secret), user, now, now, address, (agent or "")[:200]))
        self.log.append(user, "session_open", {"session": cur.lastrowid}, address=address)
        return secret

    def user_of(self, secret: str, *, now: dt.datetime | None = None) -> tuple[User, int] | None:
        """The user whose live session ``secret`` is, and the session's id; None for an
        unknown, ended or expired session, or a disabled user."""
        now = now or _now()
        row = self.db.execute("SELECT id, user, created_at, last_seen, address, agent, ended_at, ended_why "
                              "FROM sessions WHERE digest = ?", (_digest(secret),)).fetchone()
        if row is None:
            return None
        session = Session(*row)
        if not session.live(now):
            if session.ended_at is None:
                self._end("id = ?", (session.id,), "expired", now)
            return None
        user = self._user(session.user)
        if user is None or user.disabled:
            return None
        if (now - dt.datetime.fromisoformat(session.last_seen)).total_seconds() > TOUCH_SECONDS:
            self.db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (_stamp(now), session.id))
        return user, session.id

    def end(self, session_id: int, *, by: str, why: str = "sign_out", address: str | None = None) -> bool:
        """End one session; False when it was not live."""
        done = self._end("id = ? AND ended_at IS NULL", (session_id,), why, _now())
        if done:
            self.log.append(by, "session_end", {"session": session_id, "why": why}, address=address)
        return bool(done)

    def listed(self, user: str | None = None, *, live: bool = True) -> list[Session]:
        """Sessions, newest first: of ``user`` or everyone's; only the live ones unless ``live`` is False."""
        rows = self.db.execute("SELECT id, user, created_at, last_seen, address, agent, ended_at, ended_why "
                               "FROM sessions" + (" WHERE user = ?" if user else "") + " ORDER BY id DESC",
                               (user,) if user else ())
        now = _now()
        return [s for s in (Session(*row) for row in rows) if not live or s.live(now)]

    def _end(self, where: str, params: tuple[object, ...], why: str, now: dt.datetime) -> int:
        return self.db.execute(f"UPDATE sessions SET ended_at = ?, ended_why = ? WHERE {where}",
                               (_stamp(now), why, *params)).rowcount

    # ------------------------------------------------------------------ everything of one user

    def end_user(self, user: str, *, why: str, by: str, address: str | None = None) -> tuple[int, int]:
        """End every session of ``user`` and revoke every token: (sessions, tokens) ended."""
        now = _now()
        sessions = self._end("user = ? AND ended_at IS NULL", (user,), why, now)
        tokens = self.db.execute("UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL",
                                 (_stamp(now), user)).rowcount
        if sessions or tokens:
            self.log.append(by, "sessions_end", {"user": user, "why": why, "sessions": sessions, "tokens": tokens},
                            address=address)
        return sessions, tokens

    # ------------------------------------------------------------------ API tokens

    def issue_token(self, user: str, client: str, *, address: str | None = None) -> str:
        """A new token for ``user``'s machine client ``client``: the secret, shown this once."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        cur = self.db.execute("INSERT INTO tokens(digest, user, client, created_at) VALUES (?,?,?,?)",
                              (_digest(token), user, client.strip() or "api", _stamp(_now())))
        self.log.append(user, "token_issue", {"token": cur.lastrowid, "client": client}, address=address)
        return token

    def token_user(self, token: str) -> tuple[User, int] | None:
        """The user a live token belongs to, and the token's id; None for an unknown or
        revoked token, or a disabled user."""
        row = self.db.execute("SELECT id, user FROM tokens WHERE digest = ? AND revoked_at IS NULL",
                              (_digest(token),)).fetchone()
        user = self._user(row[1]) if row else None
        return (user, row[0]) if user and not user.disabled else None

    def tokens(self, user: str | None = None) -> list[Token]:
        rows = self.db.execute("SELECT id, user, client, created_at, revoked_at FROM tokens"
                               + (" WHERE user = ?" if user else "") + " ORDER BY id", (user,) if user else ())
        return [Token(*row) for row in rows]

    def revoke_token(self, token_id: int, *, by: str, address: str | None = None) -> bool:
        """Revoke a token by its id; False when there is no such live token."""
        done = self.db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               (_stamp(_now()), token_id)).rowcount
        if done:
            self.log.append(by, "token_revoke", {"token": token_id}, address=address)
        return bool(done)
