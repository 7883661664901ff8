"""The web application and HTTP API (``sohoa serve``), over HTTP against the real server
started by its own command on a free loopback port, and in Debian's Chromium: who may see
what (sessions, tokens, agencies, personal data), CSRF, ids that try to leave the archive,
uploads, the throttle, and the same answers as the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sohoa.core.text import fold
from sohoa.core.verdict import Status
from tests.conftest import ROOT, SOHOA, copy_corpus, leaked, read_back, serving

ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct-horse-1"


@dataclass
class Server:
    url: str
    home: Path
    ids: dict[str, str]
    """Every holder ID number in the archive, unmasked, by record id."""
    records: list[dict]


BACKEND: dict[str, str] = {}
"""SOHOA_ES_URL and SOHOA_ES_INDEX of the archive under test (empty: the embedded index)."""


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_LANG": "en", "SOHOA_TODAY": "2026-11-27",
           "SOHOA_MAX_UPLOAD_MB": "2"}
    env.pop("SOHOA_ES_URL", None)
    return {**env, **BACKEND}


def _sohoa(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], input=stdin, capture_output=True, text=True,
                          env=_env(home), timeout=600, check=True)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.service)])
def server(request: pytest.FixtureRequest, born_digital_corpus: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An archive of the eight born-digital results, its users, and ``sohoa serve`` on it,
    on the embedded index and on a real Elasticsearch."""
    BACKEND.clear()
    alias = None
    if request.param == "elasticsearch":
        from tests.conftest import start_elasticsearch

        alias = f"sohoa-test-web-{os.getpid()}"
        BACKEND.update({"SOHOA_ES_URL": os.environ.get("SOHOA_TEST_ES_URL") or start_elasticsearch(),
                        "SOHOA_ES_INDEX": alias})
    home = tmp_path_factory.mktemp("web") / "home"
    scans = copy_corpus(born_digital_corpus, tmp_path_factory.mktemp("web") / "scans")
    _sohoa(home, "ingest", "--no-progress", "--workers", "1", str(scans))
    records = [json.loads(line) for line in _sohoa(home, "export").stdout.splitlines()]
    issuers = sorted({r["fields"]["issuer"] for r in records if r["fields"]["issuer"]})
    users = {"olga": ("officer", []), "pete": ("officer", ["--personal-data"]), "cleo": ("clerk", []),
             "audrey": ("auditor", ["--personal-data"]), "lim": ("officer", ["--agency", issuers[0]]),
             "adam": ("admin", [])}
    for name, (role, extra) in users.items():
        _sohoa(home, "user", "add", name, "--role", role, *extra, stdin=PASSWORD + "\n")
    try:
        with serving(_env(home)) as url:
            ids = {r["id"]: r["fields"]["holder_id"] for r in records if r["fields"].get("holder_id")}
            assert ids, "the sample archive should hold records with personal ID numbers"
            yield Server(url, home, ids, records)
    finally:
        if alias:
            from elasticsearch import Elasticsearch

            with Elasticsearch(BACKEND["SOHOA_ES_URL"]) as es:
                es.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
                es.options(ignore_status=404).indices.delete_index_template(name=alias)
        BACKEND.clear()


def token(server: Server, name: str) -> dict[str, str]:
    answer = httpx.post(server.url + "/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}


def signed_in(server: Server, name: str, timeout: float = 5.0) -> httpx.Client:
    """A browser-like client with a session: the form's CSRF token, then the form
    (``server``: anything with the ``url`` of a running ``sohoa serve``)."""
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=timeout)
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf, "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def sign_in_page(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Sign ``name`` in through the form, in the browser ``page`` (cookies cleared first)."""
    page.context.clear_cookies()
    page.goto(url + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def test_nothing_answers_without_a_session_or_a_token(server: Server) -> None:
    for path in ("/api/v1/search", "/api/v1/records/" + next(iter(server.ids)), "/api/v1/export",
                 "/api/v1/state", f"/api/v1/records/{next(iter(server.ids))}/original"):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"] == "Bearer"
    bad = httpx.get(server.url + "/api/v1/search", headers={"Authorization": "Bearer sohoa_not-a-token"})
    assert bad.status_code == 401
    for path in ("/", "/?q=x", f"/records/{next(iter(server.ids))}", f"/records/{next(iter(server.ids))}/pages/1.png"):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path


def test_the_api_search_answers_what_the_cli_answers(server: Server) -> None:
    """The same query, filters and pages: the same JSON as ``sohoa search --json``."""
    headers = token(server, "pete")
    for params, cli in (({"q": "quyet dinh"}, ["quyet dinh"]),
                        ({"q": "", "limit": "3", "page": "2"}, ["", "--limit", "3", "--page", "2"]),
                        ({"q": "giay", "facets": "true"}, ["giay", "--facets"]),
                        ({"q": "", "validity": "valid", "from": "2020-01-01"},
                         ["", "--validity", "valid", "--from", "2020-01-01"]),
                        ({"q": "", "level": "commune", "facets": "true"}, ["", "--level", "commune", "--facets"])):
        api = httpx.get(server.url + "/api/v1/search", params=params, headers=headers)
        assert api.status_code == 200, api.text
        assert api.json() == json.loads(_sohoa(server.home, "search", "--json", *cli).stdout), params
    levels = httpx.get(server.url + "/api/v1/search", params={"q": "", "facets": "true"}, headers=headers).json()
    expected = {}
    for r in server.records:
        if r["fields"]["issuer_level"]:
            expected[r["fields"]["issuer_level"]] = expected.get(r["fields"]["issuer_level"], 0) + 1
    assert levels["facets"]["level"] == expected and len(expected) > 1
    communes = httpx.get(server.url + "/api/v1/search", params={"q": "", "level": "commune"}, headers=headers).json()
    assert communes["total"] == expected.get("commune", 0)
    record = httpx.get(server.url + f"/api/v1/records/{server.records[0]['id'][:10]}", headers=headers).json()
    assert record == json.loads(_sohoa(server.home, "show", "--json", server.records[0]["id"]).stdout)
    schema = httpx.get(server.url + "/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/records/{record_id}", "/api/v1/auth/token"} <= set(schema["paths"])


def test_reading_waits_for_no_writer_of_the_ledger(server: Server) -> None:
    """Search, a record, the review queue, the export and the state read the ledger opened
    read-only: while an ingest holds its write lock they answer at once, and the ledger's
    file and log are byte for byte the same after them."""
    import hashlib
    import sqlite3

    def ledger_files() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in server.home.glob("ledger.sqlite*")
                if not p.name.endswith("-shm") and p.stat().st_size}

    headers = token(server, "audrey")
    clerk = signed_in(server, "cleo", timeout=10.0)
    some = server.records[0]["id"]
    before = ledger_files()
    writer = sqlite3.connect(server.home / "ledger.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as an ingest storing a record holds it
    try:
        for path in ("/api/v1/search?q=quyet", f"/api/v1/records/{some}", "/api/v1/export", "/api/v1/state"):
            assert httpx.get(server.url + path, headers=headers, timeout=10.0).status_code == 200, path
        for path in ("/review", f"/records/{some}"):
            assert clerk.get(path).status_code == 200, path
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        clerk.close()
    assert ledger_files() == before


def test_a_token_is_per_client_and_revocable(server: Server) -> None:
    first, second = token(server, "olga"), token(server, "olga")
    assert first != second
    assert httpx.delete(server.url + "/api/v1/auth/token", headers=first).json() == {"revoked": True}
    assert httpx.get(server.url + "/api/v1/search", headers=first).status_code == 401
    assert httpx.get(server.url + "/api/v1/search", headers=second).status_code == 200


def test_without_personal_data_no_full_id_anywhere(server: Server) -> None:
    """An officer without ``personal_data``: no holder ID in full in hits, snippets,
    facets, records or the search page; page images of those records redacted (Tesseract
    reads no 8 digits of the ID on them, and still reads the number), originals withheld."""
    headers = token(server, "olga")
    answers = [httpx.get(server.url + "/api/v1/search", params={"q": "", "limit": "50", "facets": "true"},
                         headers=headers).text]
    for record_id, number in server.ids.items():
        answers.append(httpx.get(server.url + f"/api/v1/records/{record_id}", headers=headers).text)
        answers.append(httpx.get(server.url + "/api/v1/search", params={"q": number}, headers=headers).text)
        for part in ("original", "copy"):
            assert httpx.get(server.url + f"/api/v1/records/{record_id}/{part}", headers=headers).status_code == 403
        record = next(r for r in server.records if r["id"] == record_id)
        for n in range(1, record["pages"] + 1):
            image = httpx.get(server.url + f"/api/v1/records/{record_id}/pages/{n}", headers=headers, timeout=120)
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG"), image.text
            seen = read_back(image.content)
            assert not leaked([number], seen), (record_id, n, seen)
            if n == 1:
                assert fold(record["fields"]["number"]).replace(" ", "") in fold(seen).replace(" ", ""), seen
    page = signed_in(server, "olga")
    answers.append(page.get("/", params={"q": ""}).text)
    answers += [page.get(f"/records/{record_id}").text for record_id in server.ids]
    for text in answers:
        for number in server.ids.values():
            assert number not in text
    assert "******" in answers[1]  # masked, not dropped
    # Who may see them sees them, and the page images.
    allowed = token(server, "pete")
    record_id, number = next(iter(server.ids.items()))
    assert number in httpx.get(server.url + f"/api/v1/records/{record_id}", headers=allowed).text
    image = httpx.get(server.url + f"/api/v1/records/{record_id}/pages/1", headers=allowed)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_a_user_limited_to_one_agency_sees_nothing_else(server: Server) -> None:
    """Through the totals and the facets, the records, the files and the export."""
    mine = sorted({r["fields"]["issuer"] for r in server.records if r["fields"]["issuer"]})[0]
    headers = token(server, "lim")
    found = httpx.get(server.url + "/api/v1/search", params={"q": "", "limit": "50", "facets": "true"},
                      headers=headers).json()
    expected = [r for r in server.records if mine in (r["fields"]["issuer"], r["fields"]["issuer_successor"])]
    assert found["total"] == len(expected) < len(server.records)
    assert set(found["facets"]["issuer"]) <= {mine, *(r["fields"]["issuer"] for r in expected)}
    assert sum(found["facets"]["doc_type"].values()) == len(expected)
    others = [r for r in server.records if r not in expected]
    for other in others:
        assert httpx.get(server.url + f"/api/v1/records/{other['id']}", headers=headers).status_code == 404
        assert httpx.get(server.url + f"/api/v1/records/{other['id']}/original",
                         headers=headers).status_code == 404
        by_number = httpx.get(server.url + "/api/v1/search", params={"q": other["fields"]["number"]},
                              headers=headers).json()
        assert other["id"] not in {hit["id"] for hit in by_number["hits"]}
    page = signed_in(server, "lim").get("/", params={"q": ""}).text
    assert all(other["id"] not in page for other in others)


def test_export_is_for_auditors_and_streams_jsonl_and_csv(server: Server) -> None:
    assert httpx.get(server.url + "/api/v1/export", headers=token(server, "olga")).status_code == 403
    headers = token(server, "audrey")
    lines = httpx.get(server.url + "/api/v1/export", params={"format": "jsonl"}, headers=headers).text.splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(r["id"] for r in server.records)
    csv_text = httpx.get(server.url + "/api/v1/export", params={"format": "csv"}, headers=headers).text
    assert csv_text.splitlines()[0].startswith("id,path,sha256") and len(csv_text.splitlines()) == 1 + len(lines)


def test_downloads_by_id_only_and_ids_that_leave_the_archive_are_refused(server: Server) -> None:
    headers = token(server, "pete")
    record = server.records[0]
    original = httpx.get(server.url + f"/api/v1/records/{record['id']}/original", headers=headers)
    assert original.status_code == 200
    assert original.content == Path(record["source"]["path"]).read_bytes()
    for bad in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "../../etc/passwd", record["source"]["path"],
                "ZZZZZZZZZZ", record["id"][:4]):
        answer = httpx.get(server.url + f"/api/v1/records/{bad}/original", headers=headers)
        assert answer.status_code == 404, bad
        assert b"root:" not in answer.content
    assert httpx.get(server.url + f"/api/v1/records/{record['id']}/copy", headers=headers).status_code == 404
    # A sign-in never sends the browser to another site.
    client = httpx.Client(base_url=server.url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": "olga", "password": PASSWORD, "csrf": csrf,
                                         "next": "//evil.example/"}, follow_redirects=False)
    assert answer.headers["location"] == "/"


def test_forms_without_their_csrf_token_are_refused(server: Server) -> None:
    client = httpx.Client(base_url=server.url)
    client.get("/login")
    answer = client.post("/login", data={"username": "olga", "password": PASSWORD})
    assert answer.status_code == 403 and "CSRF" in answer.text
    answer = client.post("/login", data={"username": "olga", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403
    page = signed_in(server, "olga")
    assert page.post("/logout", data={}).status_code == 403
    assert page.get("/").status_code == 200, "still signed in: the forged sign-out did nothing"


def test_uploads_too_large_or_not_a_pdf_are_refused_and_nothing_is_kept(server: Server, tmp_path: Path) -> None:
    headers = token(server, "olga")
    before = sorted(p for p in server.home.rglob("*") if p.is_file() and p.suffix != ".sqlite-wal")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 1000
    answer = httpx.post(server.url + "/api/v1/verify", files={"file": ("result.pdf", png, "application/pdf")},
                        headers=headers)
    assert answer.status_code == 415 and "not a PDF" in answer.json()["detail"]
    huge = b"%PDF-1.7\n" + b"0" * (50 * 2**20)
    answer = httpx.post(server.url + "/api/v1/verify", files={"file": ("big.pdf", huge)}, headers=headers,
                        timeout=60)
    assert answer.status_code == 413 and "too large" in answer.json()["detail"]
    after = sorted(p for p in server.home.rglob("*") if p.is_file() and p.suffix != ".sqlite-wal")
    assert [p for p in after if p not in before and "log" not in p.name] == []
    pdf = Path(server.records[0]["source"]["path"])
    verdict = httpx.post(server.url + "/api/v1/verify", files={"file": (pdf.name, pdf.read_bytes())},
                         headers=headers).json()
    cli = json.loads(_sohoa(server.home, "verify", "--json", str(pdf)).stdout)[0]
    assert verdict == {**cli, "path": pdf.name}


def test_ten_wrong_passwords_slow_the_account_down(server: Server) -> None:
    _sohoa(server.home, "user", "add", "victim", "--role", "officer", stdin=PASSWORD + "\n")
    codes = [httpx.post(server.url + "/api/v1/auth/token", data={"username": "victim", "password": "wrong-guess"}
                        ).status_code for _ in range(10)]
    assert codes[:5] == [401] * 5 and 429 in codes[5:]
    right = httpx.post(server.url + "/api/v1/auth/token", data={"username": "victim", "password": PASSWORD})
    assert right.status_code == 429 and "wait" in right.json()["detail"]


@pytest.mark.slow
def test_in_chromium_an_officer_finds_and_opens_a_record(server: Server, page) -> None:
    """Sign in, search without accents, open the record, see its fields and verdict; no
    full ID on any page for an officer without personal data; screenshots kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    record = next(r for r in server.records if r["id"] in server.ids)
    page.goto(server.url + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "web-login.png"))
    page.click("button[type=submit]")
    words = " ".join(record["fields"]["doc_type"].split()[:2])
    page.fill("input[name=q]", fold(words).lower())  # typed without accents
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".hit")
    assert "q=" in page.url, "the URL holds the query"
    page.screenshot(path=str(ARTIFACTS / "web-search.png"), full_page=True)
    page.click(f"a[href='/records/{record['id']}']")
    page.wait_for_selector("[data-field=number]")
    assert record["fields"]["number"] in page.inner_text("[data-field=number]")
    assert page.get_attribute("[data-testid=signature]", "data-status") == record["signatures"]["status"]
    said = Status(record["signatures"]["status"]).message[0]  # in plain words, in Vietnamese by default
    assert page.inner_text("[data-testid=signature]").strip() == said
    assert page.is_visible("[data-testid=redacted]")  # the pages, redacted, and what was blacked out
    assert "số định danh" in page.inner_text("[data-testid=redacted]")
    page.wait_for_function("[...document.querySelectorAll('.pages-view img')].every(i => i.complete)")
    assert page.evaluate("[...document.querySelectorAll('.pages-view img')].map(i => i.naturalWidth)")[0] > 0
    page.screenshot(path=str(ARTIFACTS / "web-record.png"), full_page=True)
    html = page.content()
    for number in server.ids.values():
        assert number not in html
    assert "không ghi thời hạn" in page.inner_text("[data-testid=validity]")  # the reason in Vietnamese
    page.click("text=English")
    assert page.is_visible("text=Extracted fields")
    assert "valid until revoked or replaced" in page.inner_text("[data-testid=validity]")
    # A user limited to one agency, in the browser: no other agency's record in the hits.
    mine = sorted({r["fields"]["issuer"] for r in server.records if r["fields"]["issuer"]})[0]
    others = [r["id"] for r in server.records if mine not in (r["fields"]["issuer"], r["fields"]["issuer_successor"])]
    sign_in_page(page, server.url, "lim")
    page.goto(server.url + "/?q=")
    html = page.content()
    assert others and all(other not in html for other in others)
    total = re.search(r"\d+", page.inner_text("[data-testid=total]")).group(0)  # type: ignore[union-attr]
    assert total == str(len(server.records) - len(others))


def test_reads_and_downloads_go_to_the_access_log_with_ids_masked(server: Server) -> None:
    headers = token(server, "pete")
    record_id, number = next(iter(server.ids.items()))
    httpx.get(server.url + "/api/v1/search", params={"q": number}, headers=headers)
    httpx.get(server.url + f"/api/v1/records/{record_id}", headers=headers)
    httpx.get(server.url + f"/api/v1/records/{record_id}/original", headers=headers)
    log = [json.loads(line) for line in _sohoa(server.home, "audit", "list", "--json").stdout.splitlines()]
    mine = [(e["action"], e["what"]) for e in log if e["who"] == "pete" and e["address"] == "127.0.0.1"]
    actions = [action for action, _ in mine]
    assert {"sign_in", "token_issue", "search", "record_view", "download"} <= set(actions)
    search = next(what for action, what in reversed(mine) if action == "search")
    assert search["query"]["q"] == number[:4] + "*" * (len(number) - 6) + number[-2:]
    assert number not in json.dumps(log)
    assert _sohoa(server.home, "audit", "verify").returncode == 0


def test_a_clerk_corrects_a_field_and_the_correction_outlives_reindex_and_reingest(server: Server) -> None:
    clerk = token(server, "cleo")
    queue = httpx.get(server.url + "/api/v1/review", headers=clerk).json()
    assert queue and all(item["weak"] for item in queue)
    assert [item["score"] for item in queue] == sorted((item["score"] for item in queue), reverse=True)
    target = queue[0]
    new = "Về việc thử nghiệm hiệu đính bởi văn thư"
    assert httpx.post(server.url + f"/api/v1/records/{target['id']}/fields/subject", json={"value": new},
                      headers=token(server, "olga")).status_code == 403, "officers do not correct"
    changed = httpx.post(server.url + f"/api/v1/records/{target['id']}/fields/subject", json={"value": new},
                         headers=clerk)
    assert changed.status_code == 200, changed.text
    assert changed.json()["fields"]["subject"] == new
    assert changed.json()["corrections"][-1] | {"at": None} == {
        "field": "subject", "old": target["fields"]["subject"], "new": new, "by": "cleo", "at": None}
    if any(r["fields"].get("holder_id") for r in server.records if r["id"] == target["id"]):
        assert httpx.post(server.url + f"/api/v1/records/{target['id']}/fields/holder_id", json={"value": "1"},
                          headers=clerk).status_code == 403, "a masked field is not corrected blind"

    def found() -> list[str]:
        hits = httpx.get(server.url + "/api/v1/search", params={"q": "thu nghiem hieu dinh boi van thu"},
                         headers=clerk).json()["hits"]
        return [hit["id"] for hit in hits]

    assert found() == [target["id"]]
    assert target["id"] not in [item["id"] for item in httpx.get(server.url + "/api/v1/review", headers=clerk).json()
                                if "subject" in item["weak"]]
    _sohoa(server.home, "reindex")
    assert found() == [target["id"]]
    scans = Path(target["source"]["path"]).parent
    _sohoa(server.home, "ingest", "--no-progress", "--workers", "1", str(scans))
    assert found() == [target["id"]]
    exported = {json.loads(line)["id"]: json.loads(line) for line in _sohoa(server.home, "export").stdout.splitlines()}
    assert exported[target["id"]]["fields"]["subject"] == new
    assert exported[target["id"]]["field_confidence"]["subject"] == 1.0
    assert [c["by"] for c in exported[target["id"]]["corrections"]] == ["cleo"]
    log = [json.loads(line) for line in _sohoa(server.home, "audit", "list", "--json").stdout.splitlines()]
    assert any(e["action"] == "correction" and e["who"] == "cleo" and e["what"]["new"] == new for e in log)


@pytest.mark.slow
def test_in_chromium_a_clerk_corrects_a_field_beside_the_page(server: Server, page) -> None:
    record = next(r for r in server.records if r["id"] not in server.ids)  # no personal data: pages shown
    page.goto(server.url + f"/login?next=/records/{record['id']}")
    page.fill("input[name=username]", "cleo")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-field=signer_name] form.edit")
    page.wait_for_function("() => { const img = document.querySelector('.pages-view img');"
                           " return img && img.complete && img.naturalWidth > 0; }")  # the page image shows
    new = "Nguyễn Thị Hiệu Đính"
    page.fill("[data-field=signer_name] input[name=value]", new)
    page.click("[data-field=signer_name] button")
    page.wait_for_selector("[data-field=signer_name].confirmed")
    assert page.input_value("[data-field=signer_name] input[name=value]") == new
    page.screenshot(path=str(ARTIFACTS / "web-correction.png"), full_page=True)
    page.goto(server.url + "/?q=" + "hieu dinh")
    assert record["id"] in page.inner_html(".results")


def _csrf(client: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def test_an_administrator_adds_limits_resets_and_disables_users_in_the_page(server: Server) -> None:
    assert signed_in(server, "olga").get("/users").status_code == 403, "officers do not manage users"
    admin = signed_in(server, "adam")
    csrf = _csrf(admin, "/users")
    assert admin.post("/users", data={"name": "newbie", "password": "short", "role": "officer",
                                      "csrf": csrf}).headers["location"].startswith("/users?error=")
    assert admin.post("/users", data={"name": "newbie", "password": "a-long-password", "role": "officer",
                                      "agencies": "", "csrf": "forged"}).status_code == 403
    assert admin.post("/users", data={"name": "newbie", "password": "a-long-password", "role": "officer",
                                      "agencies": "", "csrf": csrf}).status_code == 303
    newbie = httpx.post(server.url + "/api/v1/auth/token", data={"username": "newbie", "password": "a-long-password"})
    headers = {"Authorization": f"Bearer {newbie.json()['access_token']}"}
    everything = httpx.get(server.url + "/api/v1/search", params={"q": ""}, headers=headers).json()["total"]
    one = sorted({r["fields"]["issuer"] for r in server.records if r["fields"]["issuer"]})[-1]
    assert admin.post("/users/newbie/access", data={"role": "clerk", "agencies": one, "csrf": csrf}).status_code == 303
    assert httpx.get(server.url + "/api/v1/search", headers=headers).status_code == 401, "a new access: sign in again"
    again = httpx.post(server.url + "/api/v1/auth/token", data={"username": "newbie", "password": "a-long-password"})
    headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
    limited = httpx.get(server.url + "/api/v1/search", params={"q": ""}, headers=headers).json()["total"]
    assert 0 < limited < everything
    assert admin.post("/users/newbie/password", data={"password": "another-long-one", "csrf": csrf}).status_code == 303
    assert httpx.get(server.url + "/api/v1/search", headers=headers).status_code == 401, "a new password: the same"
    newest = httpx.post(server.url + "/api/v1/auth/token", data={"username": "newbie", "password": "another-long-one"})
    assert newest.status_code == 200
    headers = {"Authorization": f"Bearer {newest.json()['access_token']}"}
    assert admin.post("/users/newbie/disabled", data={"disabled": "1", "csrf": csrf}).status_code == 303
    assert httpx.get(server.url + "/api/v1/search", headers=headers).status_code == 401, "its tokens stop"
    page = admin.get("/users").text
    assert 'data-user="newbie" class="disabled"' in page
    log = [json.loads(line) for line in _sohoa(server.home, "audit", "list", "--json").stdout.splitlines()]
    assert [e["action"] for e in log if e["who"] == "adam" and e["action"].startswith("user_")] == [
        "user_add", "user_access", "user_password", "user_disable"]


def test_an_administrator_can_be_asked_for_a_one_time_code(server: Server) -> None:
    import pyotp

    _sohoa(server.home, "user", "add", "root2", "--role", "admin", stdin=PASSWORD + "\n")
    uri = _sohoa(server.home, "user", "totp", "root2").stdout.strip().splitlines()[-1]
    totp = pyotp.parse_uri(uri)
    ask = {"username": "root2", "password": PASSWORD}
    assert httpx.post(server.url + "/api/v1/auth/token", data=ask).status_code == 401
    assert httpx.post(server.url + "/api/v1/auth/token", data={**ask, "totp": "000000" if totp.now() != "000000"
                                                                else "111111"}).status_code == 401
    assert httpx.post(server.url + "/api/v1/auth/token", data={**ask, "totp": totp.now()}).status_code == 200
    client = httpx.Client(base_url=server.url)
    answer = client.post("/login", data={**ask, "csrf": _csrf(client, "/login"), "code": totp.now()},
                         follow_redirects=False)
    assert answer.status_code == 303 and client.get("/users").status_code == 200
    _sohoa(server.home, "user", "totp", "root2", "--off")
    assert httpx.post(server.url + "/api/v1/auth/token", data=ask).status_code == 200


def test_a_clerk_uploads_scans_and_follows_the_ingest(server: Server, tmp_path: Path) -> None:
    """New files are ingested and found; a disguised or oversized upload is refused whole
    and nothing of it is stored; folders outside the allowed roots are refused."""
    import samplegen

    assert signed_in(server, "olga").get("/ingest").status_code == 403, "officers do not ingest"
    clerk = signed_in(server, "cleo")
    csrf = _csrf(clerk, "/ingest")
    uploads = server.home / "uploads"
    before = sorted(uploads.rglob("*")) if uploads.exists() else []
    new = tmp_path / "new"
    samplegen.generate(new, 2, seed=4242, qualities=("born_digital",))
    good = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in sorted(new.glob("*.pdf"))]
    png = ("files", ("decision.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "application/pdf"))
    answer = clerk.post("/ingest/upload", data={"csrf": csrf}, files=[*good, png])
    assert answer.status_code == 415 and "decision.pdf" in answer.text and "renamed" in answer.text
    big = ("files", ("big.pdf", b"%PDF-1.7\n" + b"0" * (3 * 2**20), "application/pdf"))
    answer = clerk.post("/ingest/upload", data={"csrf": csrf}, files=[*good, big])
    assert answer.status_code == 413 and "too large" in answer.text
    assert clerk.post("/ingest/upload", data={"csrf": "forged"}, files=good).status_code == 403
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == before, "nothing of a refused upload kept"
    answer = clerk.post("/ingest/upload", data={"csrf": csrf}, files=good)
    assert answer.status_code == 303, answer.text
    job = answer.headers["location"].rsplit("/", 1)[-1]
    for _ in range(600):
        state = clerk.get(f"/ingest/{job}/state").json()
        if not state["running"]:
            break
        time.sleep(0.2)
    assert state["total"] == 2 and state["done"] == 2 and state["failed"] == [] and state["exit_code"] == 0
    assert "2" in state["report"]
    numbers = [json.loads(p.read_text())["fields"]["number"] for p in sorted(new.glob("*.gt.json"))]
    headers = token(server, "pete")
    for number in numbers:
        hits = httpx.get(server.url + "/api/v1/search", params={"q": number}, headers=headers).json()["hits"]
        assert hits and hits[0]["fields"]["number"] == number
    page = clerk.get(f"/ingest/{job}").text
    assert 'data-running="no"' in page and "/static/ingest.js" in page
    clerk_api = token(server, "cleo")
    for outside in ("/etc", str(server.home), "/nonexistent-folder"):
        answer = httpx.post(server.url + "/api/v1/ingest", json={"folder": outside}, headers=clerk_api)
        assert answer.status_code in (403, 404), outside


def test_auditors_browse_and_export_the_access_log(server: Server) -> None:
    assert signed_in(server, "olga").get("/audit").status_code == 403
    auditor = signed_in(server, "audrey")
    page = auditor.get("/audit").text
    assert 'data-testid="chain"' in page and "Chuỗi băm nguyên vẹn" in page  # Vietnamese by default
    exported = [json.loads(line) for line in auditor.get("/audit/export.jsonl").text.splitlines()]
    api = httpx.get(server.url + "/api/v1/audit", params={"limit": 10000}, headers=token(server, "audrey")).json()
    assert api["verified"] is True and api["broken_at"] is None
    assert [e["seq"] for e in exported] == list(range(1, len(exported) + 1))
    assert [e["seq"] for e in api["entries"]][:len(exported)] == [e["seq"] for e in exported]
    assert any(e["action"] == "sign_in" and e["who"] == "audrey" for e in exported)


@pytest.mark.slow
def test_in_chromium_every_page_for_its_role(server: Server, page) -> None:
    """The review, ingest, users and access-log pages open in Chromium for their roles,
    without a script error; a screenshot of each is kept."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, paths in (("cleo", ("/review", "/ingest")), ("adam", ("/users",)), ("audrey", ("/audit",))):
        sign_in_page(page, server.url, name)
        for path in paths:
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, path
            page.screenshot(path=str(ARTIFACTS / f"web{path.replace('/', '-')}.png"), full_page=True)
    assert page.is_visible("[data-testid=chain]")
    assert not errors, errors


RAW_IN_VIETNAMESE = re.compile(r"\b(province|district|commune|other|expired|valid|unknown|unsigned|invalid|modified|"
                               r"pending|failed|indexed|queued|running|confirm|reject)\b")
"""Codes that are English words: on a Vietnamese page, a code shown as it is stored."""
RAW_ANYWHERE = re.compile(r"\b[a-z]+_[a-z_]+\b|\\u[0-9a-fA-F]{4}|&#x?[0-9a-fA-F]+;|&amp;|&lt;|&gt;")
"""A snake_case code (``signer_title``, ``user_add``), an escape left in (``\\u1ee6``), or
an entity escaped twice (``&#x27;``)."""


def test_in_chromium_no_page_shows_a_code_or_an_escape(server: Server, page) -> None:
    """Every page each role opens, in Vietnamese and in English, as the reader sees it (the
    text Chromium renders): the words for codes (levels, validity, fields, the access
    log's actions), never the codes, and no escape sequence. An access-log entry's details
    are shown as recorded (JSON): they are checked for escapes only."""
    some = [r["id"] for r in server.records[:4]]
    pages = {"cleo": ["/", "/?q=quyet+dinh", "/?validity=valid&level=commune", "/review", "/ingest",
                      *[f"/records/{i}" for i in some]],
             "adam": ["/users", "/ingest"], "audrey": ["/audit", "/progress", "/progress/waiting"]}
    seen = 0
    for name, paths in pages.items():
        sign_in_page(page, server.url, name)
        for lang in ("vi", "en"):
            page.goto(f"{server.url}/lang/{lang}?next=/")
            for path in paths:
                response = page.goto(server.url + path)
                assert response is not None and response.status == 200, (name, lang, path)
                # What the page says; not an entry's details, kept as recorded (JSON, for auditors).
                text = page.evaluate("() => { const m = document.querySelector('main').cloneNode(true);"
                                     " m.querySelectorAll('td code').forEach(c => c.remove()); return m.innerText; }")
                seen += 1
                assert not RAW_ANYWHERE.findall(text), (name, lang, path, RAW_ANYWHERE.findall(text)[:5])
                escapes = re.compile(r"\\u[0-9a-fA-F]{4}|&#x?[0-9a-fA-F]+;")
                assert not escapes.findall(page.inner_text("main")), (name, lang, path)
                if lang == "vi":
                    assert not RAW_IN_VIETNAMESE.findall(text), (name, path, RAW_IN_VIETNAMESE.findall(text)[:5])
    assert seen == 2 * sum(len(p) for p in pages.values())


def test_health_readiness_and_metrics_for_monitoring(server: Server) -> None:
    """Liveness and readiness answer anyone; the metrics, an administrator's token only
    (an officer's is refused, as is no token at all)."""
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"ledger": "ok", "accounts": "ok", "index": "ok"}
    assert httpx.get(server.url + "/metrics").status_code == 401
    assert httpx.get(server.url + "/metrics", headers=token(server, "olga")).status_code == 403
    # The requests an outsider would try: a forged token, an administrator's browser session
    # (a cookie, which a page on another site could make the browser send), a path around it.
    assert httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer sohoa_forged"}).status_code == 401
    browser = signed_in(server, "adam")
    assert browser.get("/metrics").status_code == 401
    browser.close()
    assert httpx.get(server.url + "/metrics/", follow_redirects=True).status_code in (401, 404)
    assert set(ready.json()) == {"status", "checks"}  # readiness names the stores, nothing they hold
    answer = httpx.get(server.url + "/metrics", headers=token(server, "adam"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    figures = {line.split()[0]: float(line.split()[1]) for line in answer.text.splitlines()
               if line and not line.startswith("#")}
    indexed = figures['sohoa_documents{state="indexed"}']
    assert indexed >= 8 and figures["sohoa_index_records"] == indexed  # the eight, and any a test uploaded
    assert figures["sohoa_queue_depth"] == 0 and figures["sohoa_index_pending"] == 0
    assert figures["sohoa_pages_read_total"] >= indexed
