"""Local accounts: a role, the issuing agencies a user is limited to, whether they may
see personal data, and a password kept as an Argon2id hash (argon2-cffi).

Roles, each with what it may do:
- ``officer``: search, read records, download originals and copies;
- ``clerk``: what an officer may, and ingest and correct fields;
- ``auditor``: progress, exports and the access log;
- ``admin``: users and settings.

Sign-in is throttled per account: after ``FREE_ATTEMPTS`` wrong passwords in a row,
each further attempt waits twice as long as the one before (up to ``MAX_WAIT``), and an
attempt made during the wait is refused without the password being checked. A right
password resets the count. A name that is no account is counted and slowed down the same
way, so that the answers never tell which names are accounts. The same holds per network
address, after
``FREE_ATTEMPTS_PER_ADDRESS`` failures of the last ``ADDRESS_MEMORY`` (one address trying
many accounts); a right password there forgives only that account's own failures, so an
attacker who signs in to an account of their own does not start again. Every change to
an account goes to the access log; a failed sign-in under a name that is no account is
logged with any ID number in it masked (people type their ID as a name).

An account may also need a one-time code from an authenticator app (TOTP, RFC 6238,
pyotp): ``set_second_factor``; meant for administrators. A missing or wrong code is a
failed attempt like a wrong password.

Browser sessions and API tokens are kept on the server (``sohoa.accounts.sessions``): a
new password, disabling an account, or a change of what it may do or see ends them all.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sohoa.accounts import sessions
from sohoa.accounts.audit import AccessLog
from sohoa.core.errors import ConfigError, SohoaError
from sohoa.core.privacy import mask_ids
from sohoa.core.sqlite import open_db

ROLES: dict[str, frozenset[str]] = {
    "officer": frozenset({"search", "read", "download"}),
    "clerk": frozenset({"search", "read", "download", "ingest", "correct"}),
    "auditor": frozenset({"search", "read", "progress", "export", "audit_read"}),
    "admin": frozenset({"users", "settings"}),
}
FREE_ATTEMPTS = 5
FREE_ATTEMPTS_PER_ADDRESS = 20
ADDRESS_MEMORY = dt.timedelta(hours=24)
"""An address's failed sign-ins older than this are forgotten."""
MAX_WAIT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name           TEXT PRIMARY KEY,
    password       TEXT NOT NULL,     -- Argon2id, PHC string
    role           TEXT NOT NULL,
    agencies       TEXT NOT NULL,     -- JSON list; empty: every agency
    personal_data  INTEGER NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_failure   TEXT
);
DROP TABLE IF EXISTS addresses;           -- (before: one count per address, reset by any success)
CREATE TABLE IF NOT EXISTS address_failures (   -- failed sign-ins per network address and account name
    address        TEXT NOT NULL,
    user           TEXT NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_failure   TEXT NOT NULL,
    PRIMARY KEY (address, user)
);
CREATE TABLE IF NOT EXISTS name_failures (  -- failed sign-ins under a name that is no account: counted
    name           TEXT PRIMARY KEY,          -- as an account's are, so that the answers do not tell them apart
    failures       INTEGER NOT NULL DEFAULT 0,
    last_failure   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS second_factor (  -- TOTP (RFC 6238) secrets of the accounts that use one
    user           TEXT PRIMARY KEY REFERENCES users(name),
    secret         TEXT NOT NULL,
    since          TEXT NOT NULL
);
""" + sessions.SCHEMA


class AccountError(SohoaError):
    """An account cannot be made or changed as asked (name taken, unknown role...)."""

    exit_code = ConfigError.exit_code


class SignInRefused(SohoaError):
    """Wrong name or password, a disabled account, or an account made to wait."""

    def __init__(self, message_vi: str, message_en: str, *, wait: dt.timedelta | None = None) -> None:
        super().__init__(message_vi, message_en)
        self.wait = wait


@dataclass(frozen=True)
class User:
    name: str
    role: str
    agencies: tuple[str, ...]
    """The issuing agencies whose records the user may see; empty: all of them."""
    personal_data: bool
    """May see personal ID numbers, dates of birth and addresses unmasked."""
    disabled: bool
    created_at: str

    def may(self, permission: str) -> bool:
        return not self.disabled and permission in ROLES[self.role]


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, RFC 9106's low-memory profile


class Accounts:
    """The accounts in ``HOME/accounts.sqlite``; changes are logged in the access log."""

    def __init__(self, home: Path, *, shared: bool = False) -> None:
        """``shared``: used by one thread at a time, not always the one that opened it (a
        server closes the stores of all its threads from one at shutdown)."""
        home.mkdir(parents=True, exist_ok=True)
        self.db = open_db(home / "accounts.sqlite", SCHEMA, "danh sách tài khoản", "accounts", version=1,
                          shared=shared)
        self.log = AccessLog(home, shared=shared)
        self.sessions = sessions.Sessions(self.db, self.log, self.get)
        """Browser sessions and API tokens."""

    def close(self) -> None:
        self.db.close()
        self.log.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def get(self, name: str) -> User | None:
        row = self.db.execute("SELECT name, role, agencies, personal_data, disabled, created_at FROM users "
                              "WHERE name = ?", (name,)).fetchone()
        return _user(row) if row else None

    def all(self) -> list[User]:
        return [_user(r) for r in self.db.execute(
            "SELECT name, role, agencies, personal_data, disabled, created_at FROM users ORDER BY name")]

    # ------------------------------------------------------------------ changing

    def add(self, name: str, password: str, role: str, agencies: Iterable[str] = (), *,
            personal_data: bool = False, by: str) -> User:
        name = name.strip()
        if not name or any(c.isspace() for c in name):
            raise AccountError("Tên tài khoản không được trống hay có khoảng trắng.",
                               "An account name may not be empty or contain spaces.")
        if role not in ROLES:
            raise AccountError(f"Không có vai trò {role!r}; có: {', '.join(ROLES)}.",
                               f"No role {role!r}; there are: {', '.join(ROLES)}.")
        _check_password(password)
        chosen = tuple(sorted({a.strip() for a in agencies if a.strip()}))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self.db.execute("INSERT INTO users(name, password, role, agencies, personal_data, created_at) "
                            "VALUES (?,?,?,?,?,?)", (name, _hasher().hash(password), role,
                                                     json.dumps(chosen, ensure_ascii=False), int(personal_data), now))
        except sqlite3.IntegrityError:
            raise AccountError(f"Đã có tài khoản {name}.", f"There is already an account {name}.") from None
        self.log.append(by, "user_add", {"user": name, "role": role, "agencies": list(chosen),
                                         "personal_data": personal_data})
        return self.get(name)  # type: ignore[return-value]

    def set_disabled(self, name: str, disabled: bool, *, by: str) -> None:
        self._require(name)
        self.db.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
        self.log.append(by, "user_disable" if disabled else "user_enable", {"user": name})
        if disabled:
            self.sessions.end_user(name, why="disabled", by=by)

    def set_access(self, name: str, role: str, agencies: Iterable[str], personal_data: bool, *, by: str) -> User:
        """Change what a user may do and see."""
        before = self.get(name)
        if before is None:
            raise AccountError(f"Không có tài khoản {name}.", f"There is no account {name}.")
        if role not in ROLES:
            raise AccountError(f"Không có vai trò {role!r}; có: {', '.join(ROLES)}.",
                               f"No role {role!r}; there are: {', '.join(ROLES)}.")
        chosen = tuple(sorted({a.strip() for a in agencies if a.strip()}))
        self.db.execute("UPDATE users SET role = ?, agencies = ?, personal_data = ? WHERE name = ?",
                        (role, json.dumps(chosen, ensure_ascii=False), int(personal_data), name))
        self.log.append(by, "user_access", {"user": name, "role": role, "agencies": list(chosen),
                                            "personal_data": personal_data})
        if (before.role, before.agencies, before.personal_data) != (role, chosen, personal_data):
            self.sessions.end_user(name, why="access", by=by)  # sign in again under the new rules
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str, *, by: str) -> None:
        self._require(name)
        _check_password(password)
        self.db.execute("UPDATE users SET password = ?, failures = 0, last_failure = NULL WHERE name = ?",
                        (_hasher().hash(password), name))
        self.log.append(by, "user_password", {"user": name})
        self.sessions.end_user(name, why="password", by=by)

    def _require(self, name: str) -> None:
        if self.get(name) is None:
            raise AccountError(f"Không có tài khoản {name}.", f"There is no account {name}.")

    # ------------------------------------------------------------------ signing in

    def set_second_factor(self, name: str, on: bool, *, by: str) -> str | None:
        """Start (a new secret: the otpauth:// address to give the authenticator app) or
        stop asking ``name`` for a one-time code."""
        import pyotp

        self._require(name)
        if not on:
            self.db.execute("DELETE FROM second_factor WHERE user = ?", (name,))
            self.log.append(by, "second_factor_off", {"user": name})
            return None
        secret = pyotp.random_base32()
        self.db.execute("INSERT OR REPLACE INTO second_factor(user, secret, since) VALUES (?,?,?)",
                        (name, secret, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        self.log.append(by, "second_factor_on", {"user": name})
        return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="sohoa")

    def _code_ok(self, name: str, code: str | None, now: dt.datetime) -> bool:
        import pyotp

        row = self.db.execute("SELECT secret FROM second_factor WHERE user = ?", (name,)).fetchone()
        if row is None:
            return True
        return bool(code) and pyotp.TOTP(row[0]).verify((code or "").strip(), for_time=now, valid_window=1)

    def sign_in(self, name: str, password: str, *, address: str | None = None,
                now: dt.datetime | None = None, code: str | None = None) -> User:
        """The user, when ``password`` is theirs and the account may sign in now; else
        ``SignInRefused`` with the reason (a wrong name and a wrong password say the same)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        now = now or dt.datetime.now(dt.UTC)
        row = self.db.execute("SELECT password, disabled, failures, last_failure FROM users WHERE name = ?",
                              (name,)).fetchone()
        shown = name if row is not None else mask_ids(name)  # an unknown name may be someone's ID number
        wrong = SignInRefused("Sai tên tài khoản hoặc mật khẩu.", "Wrong account name or password.")
        wait = self._address_wait(address, now)
        if not wait:  # an account's count, or a name's that is no account: slowed down alike
            counted = row[2:4] if row is not None else self.db.execute(
                "SELECT failures, last_failure FROM name_failures WHERE name = ?", (name,)).fetchone()
            wait = _wait(*counted, now) if counted else None
        if wait:
            self.log.append(shown, "sign_in_refused", {"reason": "throttled", "wait_s": int(wait.total_seconds())},
                            address=address)
            seconds = int(wait.total_seconds()) + 1
            raise SignInRefused(f"Sai mật khẩu nhiều lần: hãy đợi {seconds} giây rồi thử lại.",
                                f"Too many wrong passwords: wait {seconds} seconds and try again.", wait=wait)
        if row is None:
            _hasher().hash(password)  # as long as a real check: a missing name is not told apart
            self.db.execute("DELETE FROM name_failures WHERE last_failure < ?", ((now - ADDRESS_MEMORY).isoformat(),))
            self.db.execute("INSERT INTO name_failures(name, failures, last_failure) VALUES (?, 1, ?) "
                            "ON CONFLICT(name) DO UPDATE SET failures = failures + 1, "
                            "last_failure = excluded.last_failure", (name, now.isoformat()))
            self._failed_from(address, name, now)
            self.log.append(shown, "sign_in_failed", {"reason": "no such account"}, address=address)
            raise wrong
        stored, disabled, failures, _ = row
        try:
            _hasher().verify(stored, password)
        except (VerificationError, InvalidHashError):
            self._failed(name, address, now, {"reason": "wrong password", "failures": failures + 1})
            raise wrong from None
        if not self._code_ok(name, code, now):
            self._failed(name, address, now, {"reason": "one-time code missing or wrong"})
            raise SignInRefused("Cần mã xác thực một lần đúng (từ ứng dụng xác thực).",
                                "A right one-time code (from the authenticator app) is needed.")
        if disabled:
            self.log.append(name, "sign_in_failed", {"reason": "disabled"}, address=address)
            raise SignInRefused("Tài khoản này đã bị khóa. Hãy hỏi quản trị viên.",
                                "This account is disabled. Ask an administrator.")
        self.db.execute("UPDATE users SET failures = 0, last_failure = NULL WHERE name = ?", (name,))
        if address:  # this account's failures from here are forgiven, no other's
            self.db.execute("DELETE FROM address_failures WHERE address = ? AND user = ?", (address, name))
        self.log.append(name, "sign_in", {}, address=address)
        return self.get(name)  # type: ignore[return-value]

    def _address_wait(self, address: str | None, now: dt.datetime) -> dt.timedelta | None:
        """How long ``address`` must wait: its failures of the last ``ADDRESS_MEMORY``,
        whichever accounts they were against."""
        if not address:
            return None
        failures, last = self.db.execute(
            "SELECT coalesce(sum(failures), 0), max(last_failure) FROM address_failures "
            "WHERE address = ? AND last_failure >= ?", (address, (now - ADDRESS_MEMORY).isoformat())).fetchone()
        return _wait(failures, last, now, free=FREE_ATTEMPTS_PER_ADDRESS)

    def _failed(self, name: str, address: str | None, now: dt.datetime, why: dict[str, object]) -> None:
        """A failed attempt on an existing account: counted for it and for the address."""
        self.db.execute("UPDATE users SET failures = failures + 1, last_failure = ? WHERE name = ?",
                        (now.isoformat(), name))
        self._failed_from(address, name, now)
        self.log.append(name, "sign_in_failed", why, address=address)

    def _failed_from(self, address: str | None, name: str, now: dt.datetime) -> None:
        if address:
            self.db.execute("DELETE FROM address_failures WHERE last_failure < ?",
                            ((now - ADDRESS_MEMORY).isoformat(),))
            self.db.execute("INSERT INTO address_failures(address, user, failures, last_failure) VALUES (?, ?, 1, ?) "
                            "ON CONFLICT(address, user) DO UPDATE SET failures = failures + 1, "
                            "last_failure = excluded.last_failure", (address, name, now.isoformat()))


def _wait(failures: int, last_failure: str | None, now: dt.datetime, *,
          free: int = FREE_ATTEMPTS) -> dt.timedelta | None:
    """How long the account (or address) must still wait before the next attempt, or None."""
    if failures < free or not last_failure:
        return None
    delay = min(dt.timedelta(seconds=2 ** (failures - free)), MAX_WAIT)
    left = dt.datetime.fromisoformat(last_failure) + delay - now
    return left if left > dt.timedelta(0) else None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.",
                           f"A password needs at least {MIN_PASSWORD} characters.")


def _user(row: tuple) -> User:
    name, role, agencies, personal_data, disabled, created_at = row
    return User(name, role, tuple(json.loads(agencies)), bool(personal_data), bool(disabled), created_at)
