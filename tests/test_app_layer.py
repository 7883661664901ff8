"""The CLI and the web are two faces over one application layer: for each action they
call the same function (``search_api.auditing.decide``, ``search_api.service.correct_field``,
``sohoa.accounts.users.Accounts``' changes). Each test runs the action through both faces,
in process (click's runner, FastAPI's ``TestClient``), and sees the one function called
for both, with the same arguments."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sohoa.accounts.users import Accounts
from sohoa.core.settings import Settings
from sohoa.search_api.web import create_app
from tests.test_auditor_cli import build_home

PASSWORD = "a long enough password"


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple]:
    """Calls of ``owner.name`` (still doing what it does), as (args, kwargs)."""
    calls: list[tuple] = []
    real: Callable = getattr(owner, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spied)
    return calls


def _page_client(home: Path, user: str, role: str) -> TestClient:
    with Accounts(home) as accounts:
        accounts.add(user, PASSWORD, role, personal_data=True, by="test")
    client = TestClient(create_app(Settings.from_env(home)), follow_redirects=False)
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"username": user, "password": PASSWORD, "csrf": csrf}).status_code == 303
    return client


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def test_a_register_decision_is_one_function_for_both_faces(cli, home: Path, monkeypatch) -> None:
    from sohoa.search_api import auditing

    build_home(home)
    calls = _spy(monkeypatch, auditing, "decide")
    cli("register", "reject", "1", "ab" * 8)
    with _page_client(home, "audrey", "auditor") as client:
        client.post("/progress/decide", data={"csrf": _csrf(client, "/progress/waiting"), "entry": "1",
                                              "record": "ab" * 8, "decision": "reject"})
    assert [(c[0][1:4]) for c in calls] == [("1", "ab" * 8, "reject")] * 2  # the CLI's, then the page's


def test_a_correction_is_one_function_for_both_faces(cli, home: Path, monkeypatch) -> None:
    from sohoa.search_api import service

    build_home(home, register=False)
    some = cli("export").stdout.splitlines()[0]
    record_id = re.search(r'"id": "([0-9a-f]{64})"', some).group(1)  # type: ignore[union-attr]
    calls = _spy(monkeypatch, service, "correct_field")
    done = cli("correct", record_id, "number", "1817/QĐ-UBND")
    assert done.exit_code == 0, done.output
    with _page_client(home, "cleo", "clerk") as client:
        page = client.post(f"/records/{record_id}/fields/number",
                           data={"csrf": _csrf(client, f"/records/{record_id}"), "value": "1817/QĐ-UBND"})
        assert page.status_code == 303, page.text
    assert [c[0][2:5] for c in calls] == [(record_id, "number", "1817/QĐ-UBND")] * 2
    assert "1817/QĐ-UBND" in cli("show", "--json", record_id).stdout


def test_a_user_change_is_one_function_for_both_faces(cli, home: Path, monkeypatch) -> None:
    home.mkdir(parents=True, exist_ok=True)
    calls = _spy(monkeypatch, Accounts, "set_disabled")
    with Accounts(home) as accounts:
        accounts.add("olga", PASSWORD, "officer", by="test")
    assert cli("user", "disable", "olga").exit_code == 0
    with _page_client(home, "adam", "admin") as client:
        client.post("/users/olga/disabled", data={"csrf": _csrf(client, "/users"), "disabled": ""})
    assert [(c[0][1:3]) for c in calls] == [("olga", True), ("olga", False)]
