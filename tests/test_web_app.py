"""The web application in process (FastAPI's ``TestClient``, no server): how it answers
what goes wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.core.errors import ConfigError, IndexBackendError, IngestBusy, RecordNotFound, SohoaError
from sohoa.core.settings import Settings
from sohoa.search_api.web import create_app


@pytest.mark.parametrize(("error", "status"), [
    (IngestBusy("Một lần nạp khác đang chạy.", "Another ingest is running."), 409),
    (RecordNotFound("Không có hồ sơ.", "No record."), 404),
    (ConfigError("Thiết lập sai.", "A wrong setting."), 400),
    (IndexBackendError("Chỉ mục không trả lời.", "The index does not answer."), 503),
])
def test_an_error_of_sohoa_answers_with_its_own_status_as_json_or_a_page(tmp_path: Path, error: SohoaError,
                                                                         status: int) -> None:
    """Not every trouble is the service's (503): another ingest running is a conflict, an
    unknown record is not found; an API caller gets JSON, a reader a page in their language."""
    app = create_app(Settings(home=tmp_path / "home"))

    def fails() -> None:
        raise error

    app.add_api_route("/api/v1/fails", fails)
    app.add_api_route("/fails", fails)
    with TestClient(app) as client:
        api = client.get("/api/v1/fails")
        assert api.status_code == status
        assert error.message_en in api.json()["detail"] and error.message_vi in api.json()["detail"]
        client.cookies.set("sohoa_lang", "en")
        page = client.get("/fails")
        assert page.status_code == status and "text/html" in page.headers["content-type"]
        assert error.message_en in page.text and error.message_vi not in page.text


def test_the_api_takes_a_day_as_the_cli_does(tmp_path: Path) -> None:
    """``09/4/2021`` and ``2021-04-09`` alike, on every face (one parser,
    ``service.parse_day``); a day that is none is said with the forms taken."""
    from sohoa.accounts.users import Accounts
    from sohoa.search_api.service import parse_day

    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    with Accounts(settings.home) as accounts:
        accounts.add("olga", "a long enough password", "officer", by="test")
    with TestClient(create_app(settings)) as client:
        sign_in = client.post("/api/v1/auth/token", data={"username": "olga", "password": "a long enough password"})
        headers = {"Authorization": f"Bearer {sign_in.json()['access_token']}"}
        for day in ("09/4/2021", "2021-04-09", "ngày 09 tháng 4 năm 2021"):
            assert parse_day(day).isoformat() == "2021-04-09"
            assert client.get("/api/v1/search", params={"from": day}, headers=headers).status_code == 200, day
        wrong = client.get("/api/v1/search", params={"from": "31/2/2021"}, headers=headers)
        assert wrong.status_code == 422 and "09/4/2021" in wrong.text
        progress = client.get("/api/v1/progress", params={"as_of": "09/4/2021"}, headers=headers)
        assert progress.status_code in (200, 403), progress.text  # an officer may not see progress: not a 422


def test_every_api_answer_has_a_schema(tmp_path: Path) -> None:
    """``/openapi.json`` says what each API route answers: a model of its own (records,
    hits, progress, jobs…), a list of one, or a file of named types, never a bare object."""
    with TestClient(create_app(Settings(home=tmp_path / "home"))) as client:
        spec = client.get("/openapi.json").json()
    routes = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
              if path.startswith("/api/v1/")]
    assert len(routes) >= 15
    for path, method, op in routes:
        ok = op["responses"].get("200") or op["responses"].get("201")
        assert ok and ok.get("content"), (method, path)
        for media, body in ok["content"].items():
            schema = body.get("schema", {})
            named = "$ref" in schema or "$ref" in schema.get("items", {}) or schema.get("format") == "binary"
            assert named, (method, path, media, schema)
    assert {"RecordOut", "SearchAnswer", "JobState", "ProgressAnswer"} <= set(spec["components"]["schemas"])
