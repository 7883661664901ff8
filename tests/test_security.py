"""The documented promises (docs/officers.md, docs/administrators.md) about who sees what,
each tried by the request an attacker would send, against ``sohoa serve`` started by its
own command (on the embedded index and on a
real Elasticsearch): personal ID numbers never reach a user without ``personal_data`` (in
any answer, however the ID is printed, cut or misread), a search cannot tell whether an ID
is in the archive, files are served only as they were ingested, a session ends when it is
ended, scopes hold for every count and every "not found", throttling cannot be reset or
dodged with a forged address, any query is plain words, every answer carries the security
headers, and a web ingest waits its turn and follows no link out of the allowed folders.

The Dask link (TLS off loopback, the key kept on this machine and its token) is tried in
``test_cluster.py``; what a task carries to a worker, here."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import fcntl
import json
import os
import pickle
import random
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import SOHOA, copy_corpus, leaked, read_back, serving, truth

PASSWORD = "correct-horse-1"
USERS = {  # name: (role, options)
    "olga": ("officer", []),  # no personal data: the one the crawl reads as
    "pete": ("officer", ["--personal-data"]),
    "cleo": ("clerk", []),
    "carl": ("clerk", ["--personal-data"]),
    "lina": ("clerk", []),
    "aud": ("auditor", []),
    "adam": ("admin", []),
}


@dataclass
class Archive:
    url: str
    home: Path
    scans: Path
    roots: Path
    ids: list[str]
    """Every personal ID number the archive holds, as printed (digits only)."""
    records: list[dict]
    crafted: list[dict]
    """The records of the crafted pages (misread, spaced and labelled IDs; an ID as the file name)."""
    printed: list[list[str]]
    """The IDs of each crafted page, in the order ``crafted_pages`` prints them."""
    env: dict[str, str]
    """The environment of a ``sohoa`` command on this archive (its home, its index)."""


def _env(home: Path, backend: dict[str, str], roots: Path) -> dict[str, str]:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_LANG": "en", "SOHOA_TODAY": "2026-11-27",
           "SOHOA_INGEST_ROOTS": str(roots)}
    env.pop("SOHOA_ES_URL", None)
    return {**env, **backend}


def _sohoa(env: dict[str, str], *args: str, stdin: str | None = None,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], input=stdin, capture_output=True, text=True, env=env, timeout=600,
                          check=check)


def crafted_pages(out: Path, seed: int) -> list[tuple[Path, list[str]]]:
    """Born-digital results with a second page of personal data printed the ways a full
    ID slipped out before: misread by OCR beside its label, spaced in groups, on the line
    under its label, a phone number, in the middle of a long sentence that a snippet cuts;
    each file named by its holder's ID, as clerks name scans. (path, IDs as digits)."""
    import sample_content
    import sample_layout
    import sample_render

    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(3):
        doc = sample_content.build_doc(n, rng, "born_digital", dt.date(2026, 11, 1))
        sample_layout.use_typeface(doc.typeface)
        ids = ["".join(rng.choice("0123456789") for _ in range(k)) for k in (11, 12, 12, 10, 12, 12, 12)]
        misread, spaced, below, phone, named, dashed, wide = ids
        grouped = " ".join(spaced[i:i + 4] for i in range(0, 12, 4))
        wide_printed = "".join(chr(ord(c) + 0xFEE0) for c in wide)  # full-width digits
        lines = ["PHỤ LỤC: THÔNG TIN NGƯỜI ĐỀ NGHỊ",
                 f"Họ và tên: Trần Thị Mai; Số định danh cá nhân: {misread} (đọc thiếu một chữ số)",
                 f"Căn cước công dân số {grouped}; điện thoại liên hệ {phone}",
                 "Số định danh của người được ủy quyền:", below,
                 "Ngày sinh: 12/03/1985; Địa chỉ thường trú: thôn Trung, xã Bình Minh",
                 "Cán bộ tiếp nhận đã đối chiếu hồ sơ gốc của người đề nghị có số căn cước",
                 f"{named} cùng bản chụp giấy tờ kèm theo và xác nhận thông tin là đúng sự thật",
                 f"Người làm chứng: {'-'.join(dashed[i:i + 3] for i in range(0, 12, 3))} (mã số bảo hiểm) và "
                 f"{wide_printed}"]
        doc.pages += 1
        doc.ops += [sample_layout.Op("text", doc.pages, 85, 90 + 22 * i, text, size=12) for i, text in enumerate(lines)]
        doc.name = named  # the scan named by the holder's ID
        path = sample_render.write_born_digital(doc, out)
        made.append((path, ids))
    return made


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.service)])
def archive(request: pytest.FixtureRequest, born_digital_corpus: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The eight born-digital results and three crafted ones, one scanned through a link,
    the users of ``USERS``, and ``sohoa serve`` on them."""
    backend: dict[str, str] = {}
    if request.param == "elasticsearch":
        from tests.conftest import start_elasticsearch

        backend = {"SOHOA_ES_URL": os.environ.get("SOHOA_TEST_ES_URL") or start_elasticsearch(),
                   "SOHOA_ES_INDEX": f"sohoa-test-security-{os.getpid()}"}
    base = tmp_path_factory.mktemp("security")
    home, roots = base / "home", base / "roots"
    scans = copy_corpus(born_digital_corpus, roots / "scans")
    crafted = crafted_pages(base / "crafted", 7)
    for path, _ in crafted:
        os.replace(path, scans / path.name)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    linked_target = elsewhere / "real.pdf"
    linked_target.write_bytes((scans / crafted[0][0].name).read_bytes().replace(b"%%EOF", b"%%EOF\n% linked\n"))
    (scans / "linked.pdf").symlink_to(linked_target)
    for p in scans.iterdir():
        os.utime(p, (time.time() - 3600,) * 2, follow_symlinks=False)
    os.utime(linked_target, (time.time() - 3600,) * 2)
    env = _env(home, backend, roots)
    _sohoa(env, "ingest", "--no-progress", "--workers", "1", str(scans))
    records = [json.loads(line) for line in _sohoa(env, "export").stdout.splitlines()]
    for name, (role, extra) in USERS.items():
        _sohoa(env, "user", "add", name, "--role", role, *extra, stdin=PASSWORD + "\n")
    agency = sorted({r["fields"]["issuer"] for r in records if r["fields"]["issuer"]})[0]
    _sohoa(env, "user", "add", "lim", "--role", "officer", "--agency", agency, stdin=PASSWORD + "\n")
    ids = [gt["fields"]["holder_id"] for gt in truth(born_digital_corpus).values() if gt["fields"].get("holder_id")]
    ids += [i for _, made in crafted for i in made]
    names = {path.name for path, _ in crafted} | {"linked.pdf"}
    mine = [r for r in records if Path(r["source"]["path"]).name in names]
    assert len(mine) == 4 and len(ids) >= 15
    try:
        with serving(env) as url:
            yield Archive(url, home, scans, roots, ids, records, mine, [made for _, made in crafted], env)
    finally:
        if backend:
            from elasticsearch import Elasticsearch

            with Elasticsearch(backend["SOHOA_ES_URL"]) as es:
                es.indices.delete(index=f"{backend['SOHOA_ES_INDEX']}-*", ignore_unavailable=True,
                                  allow_no_indices=True)
                es.options(ignore_status=404).indices.delete_index_template(name=backend["SOHOA_ES_INDEX"])


def token(archive: Archive, name: str) -> dict[str, str]:
    answer = httpx.post(archive.url + "/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def browser(archive: Archive, name: str) -> httpx.Client:
    client = httpx.Client(base_url=archive.url, follow_redirects=False, timeout=30)
    csrf = _csrf(client, "/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf, "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def _csrf(client: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _log(archive: Archive) -> list[dict]:
    env = archive.env
    return [json.loads(line) for line in _sohoa(env, "audit", "list", "--json").stdout.splitlines()]


# ---------------------------------------------------------------- personal data

def test_nothing_a_user_without_personal_data_can_fetch_holds_eight_digits_of_an_id(archive: Archive) -> None:
    """Everything an officer, a clerk and an auditor without ``personal_data`` can fetch,
    through the API and the pages: hits (words near the IDs, so that snippets cut around
    them), facets, records, files, the review queue, the export, the access log."""
    answers: list[str] = []
    queries = ["", "định danh", "dinh danh", "căn cước", "so can cuoc", "đối chiếu hồ sơ gốc", "xác nhận thông tin",
               "điện thoại", "Trần Thị Mai", "ngày sinh", "thôn Trung", "phụ lục", "người làm chứng", "bảo hiểm"]
    queries += [r["fields"]["number"] for r in archive.records if r["fields"].get("number")]
    queries += [r["fields"]["holder_name"] for r in archive.records if r["fields"].get("holder_name")]
    olga, page = token(archive, "olga"), browser(archive, "olga")
    for q in queries:
        for n in (1, 2):
            answers.append(httpx.get(archive.url + "/api/v1/search", headers=olga,
                                     params={"q": q, "facets": "true", "limit": "10", "page": str(n)}).text)
        answers.append(page.get("/", params={"q": q}).text)
    for record in archive.records:
        rid = record["id"]
        answers.append(httpx.get(archive.url + f"/api/v1/records/{rid}", headers=olga).text)
        answers.append(page.get(f"/records/{rid}").text)
        for part in ("original", "copy", "pages/1", "pages/2"):
            answers.append(httpx.get(archive.url + f"/api/v1/records/{rid}/{part}", headers=olga).text)
    answers.append(httpx.get(archive.url + "/api/v1/state", headers=olga).text)
    clerk, clerk_page = token(archive, "cleo"), browser(archive, "cleo")
    answers.append(httpx.get(archive.url + "/api/v1/review", headers=clerk, params={"limit": "500"}).text)
    answers.append(clerk_page.get("/review").text)
    answers += [clerk_page.get(f"/records/{r['id']}").text for r in archive.crafted]
    auditor, auditor_page = token(archive, "aud"), browser(archive, "aud")
    for fmt in ("jsonl", "csv"):
        answers.append(httpx.get(archive.url + "/api/v1/export", headers=auditor, params={"format": fmt}).text)
    answers.append(httpx.get(archive.url + "/api/v1/audit", headers=auditor, params={"limit": "10000"}).text)
    answers += [auditor_page.get("/audit").text, auditor_page.get("/audit/export.jsonl").text]
    everything = "\n".join(answers)
    assert not leaked(archive.ids, everything)
    # The checks found the data there to hide: masked, not missing.
    assert "******" in everything and "Trần Thị Mai" in everything
    # Who may see personal data sees it.
    pete = token(archive, "pete")
    shown = "".join(httpx.get(archive.url + f"/api/v1/records/{r['id']}", headers=pete).text for r in archive.crafted)
    assert len(leaked(archive.ids, shown)) >= 12


def test_redacted_pages_show_no_id_to_tesseract_and_keep_number_and_issuer(archive: Archive) -> None:
    """Every page image and redacted PDF an officer without personal data can fetch, read
    back by Tesseract: none of 8 consecutive digits of any ID in the archive, the crafted
    pages' misread, grouped, wrapped, dashed and full-width IDs included; the number and
    the issuer of page 1 still read. Each one served is in the access log, as redacted."""
    olga = token(archive, "olga")
    for record in archive.records:
        rid = record["id"]
        for n in range(1, record["pages"] + 1):
            image = httpx.get(archive.url + f"/api/v1/records/{rid}/pages/{n}", headers=olga, timeout=120)
            if Path(record["source"]["path"]).name == "linked.pdf":  # never through a link, redacted or not
                assert image.status_code == 410, image.text
                continue
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG"), (rid, n, image.text)
            seen = read_back(image.content)
            assert not leaked(archive.ids, seen), (record["source"]["path"], n, seen)
            if n == 1 and record["fields"]["number"]:
                assert record["fields"]["number"].replace(" ", "") in seen.replace(" ", ""), seen
                head = record["fields"]["issuer"].split()[-2:]
                assert all(word.upper() in seen.upper() for word in head), (head, seen)
    for record in archive.crafted:
        if Path(record["source"]["path"]).name == "linked.pdf":
            continue
        pdf = httpx.get(archive.url + f"/api/v1/records/{record['id']}/redacted.pdf", headers=olga, timeout=120)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text
        assert b"/Font" not in pdf.content  # images only: no text layer holding what was blacked out
        assert not leaked(archive.ids, read_back(pdf.content))
    crafted = {r["id"] for r in archive.crafted}
    served = [e for e in _log(archive) if e["who"] == "olga" and e["action"] == "page_image"
              and e["what"]["record"] in crafted]
    assert served and all("redacted" in e["what"] for e in served)
    assert any(e["what"]["redacted"].get("id") for e in served)
    page = browser(archive, "olga").get(f"/records/{archive.crafted[0]['id']}")
    assert "Trang 2" in page.text and "số định danh" in page.text and "/pages/2.png" in page.text


def test_a_search_for_an_id_is_refused_not_answered(archive: Archive) -> None:
    """Whether the ID is in the archive or not, the same refusal; logged as refused."""
    olga = token(archive, "olga")
    present = archive.ids[0]
    absent = str(int(present) + 1).zfill(len(present))
    answers = []
    for q in (present, absent, f"CCCD {present}", " ".join(present[i:i + 4] for i in range(0, len(present), 4)),
              present.replace("0", "O").replace("1", "l"), f"Nguyễn {present}", f"so dinh danh {present[:6]}"):
        answer = httpx.get(archive.url + "/api/v1/search", params={"q": q}, headers=olga)
        assert answer.status_code == 403, (q, answer.text)
        answers.append(answer.json())
    assert all(a == answers[0] for a in answers)
    assert "personal data" in answers[0]["detail"]
    page = browser(archive, "olga").get("/", params={"q": present})
    assert page.status_code == 403 and "dữ liệu cá nhân" in page.text and 'class="hit' not in page.text
    refused = [e for e in _log(archive) if e["who"] == "olga" and e["action"] == "search_refused"]
    assert len(refused) >= 8 and not leaked(archive.ids, json.dumps(refused))
    pete = token(archive, "pete")
    found = httpx.get(archive.url + "/api/v1/search", params={"q": archive.crafted[0]["fields"]["holder_id"] or
                                                             Path(archive.crafted[0]["source"]["path"]).stem},
                      headers=pete)
    assert found.status_code == 200 and found.json()["total"] >= 1


def test_an_address_or_a_birth_date_shown_masked_finds_nothing(archive: Archive) -> None:
    olga, pete = token(archive, "olga"), token(archive, "pete")
    crafted = {r["id"] for r in archive.crafted}
    for q in ("thôn Trung", "thon trung binh minh", "12/03/1985", "1985"):
        hidden = {h["id"] for h in httpx.get(archive.url + "/api/v1/search", params={"q": q, "limit": "50"},
                                             headers=olga).json()["hits"]}
        assert not hidden & crafted, q
    shown = {h["id"] for h in httpx.get(archive.url + "/api/v1/search", params={"q": "thôn Trung", "limit": "50"},
                                        headers=pete).json()["hits"]}
    assert crafted - {_linked(archive)["id"]} <= shown | {_linked(archive)["id"]} and shown & crafted


def test_a_correction_of_an_id_is_masked_like_the_id(archive: Archive) -> None:
    record = archive.crafted[1]
    new = "".join(random.Random(5).choice("0123456789") for _ in range(12))
    changed = httpx.post(archive.url + f"/api/v1/records/{record['id']}/fields/holder_id", json={"value": new},
                         headers=token(archive, "carl"))
    assert changed.status_code == 200, changed.text
    ids = [*archive.ids, new]
    seen = [httpx.get(archive.url + f"/api/v1/records/{record['id']}", headers=token(archive, "olga")).text,
            httpx.get(archive.url + "/api/v1/review", headers=token(archive, "cleo")).text,
            httpx.get(archive.url + "/api/v1/export", headers=token(archive, "aud")).text,
            browser(archive, "olga").get(f"/records/{record['id']}").text]
    assert not leaked(ids, "\n".join(seen))
    mine = httpx.get(archive.url + f"/api/v1/records/{record['id']}", headers=token(archive, "olga")).json()
    assert mine["corrections"][-1]["new"] == new[:4] + "*" * 6 + new[-2:]
    assert httpx.post(archive.url + f"/api/v1/records/{record['id']}/fields/holder_id", json={"value": "1"},
                      headers=token(archive, "cleo")).status_code == 403, "not corrected blind"


def test_the_access_log_masks_an_id_typed_as_a_user_name_and_keeps_record_ids(archive: Archive) -> None:
    typed = archive.ids[2]
    refused = httpx.post(archive.url + "/api/v1/auth/token", data={"username": typed, "password": "wrong-one"})
    assert refused.status_code == 401
    pete = token(archive, "pete")
    for record in archive.records:  # ids hold long runs of digits too
        httpx.get(archive.url + f"/api/v1/records/{record['id']}", headers=pete)
    log = _log(archive)
    assert not leaked(archive.ids, json.dumps(log))
    assert any(e["action"] == "sign_in_failed" and e["who"] == typed[:4] + "*" * (len(typed) - 6) + typed[-2:]
               for e in log)
    viewed = {e["what"].get("record") for e in log if e["action"] == "record_view" and e["who"] == "pete"}
    assert {r["id"] for r in archive.records} <= viewed


def test_an_id_printed_in_groups_cannot_be_found_a_group_at_a_time(archive: Archive) -> None:
    """Each group of an ID printed in groups, asked beside a name: the same answer as a
    group that is not in it (a group is not a word the index keeps; the whole ID is one).
    (After the access log's test: these queries, the attacker's own words, are logged as typed.)"""
    olga = token(archive, "olga")
    for number in [made[n] for made in archive.printed for n in (1, 4, 5)]:  # spaced, named by, dashed
        for group in (number[:4], number[4:8], number[8:], number[:8]):
            for q in (group, f"Trần Thị Mai {group}", f"{group} {number[8:]}"):
                answer = httpx.get(archive.url + "/api/v1/search", params={"q": q}, headers=olga)
                assert answer.status_code == 403 or answer.json()["total"] == 0, (q, answer.text)


# ---------------------------------------------------------------- files

def _linked(archive: Archive) -> dict:
    return next(r for r in archive.crafted if Path(r["source"]["path"]).name == "linked.pdf")


def test_a_file_re_pointed_after_ingest_is_not_served(archive: Archive) -> None:
    """A scanner operator re-points an ingested link at the server's session key, then
    replaces a scan: neither is served, to anyone, by any route."""
    pete, page = token(archive, "pete"), browser(archive, "pete")
    record = _linked(archive)
    link = archive.scans / "linked.pdf"
    ingested = link.read_bytes()
    served = httpx.get(archive.url + f"/api/v1/records/{record['id']}/original", headers=pete)
    assert served.status_code == 410 and "link" in served.json()["detail"], "never through a link, even the same"
    key = (archive.home / "web-session.key").read_bytes()
    target = link.resolve()
    link.unlink()
    link.symlink_to(archive.home / "web-session.key")
    try:
        for answer in (httpx.get(archive.url + f"/api/v1/records/{record['id']}/original", headers=pete),
                       httpx.get(archive.url + f"/api/v1/records/{record['id']}/pages/1", headers=pete),
                       page.get(f"/records/{record['id']}/original"), page.get(f"/records/{record['id']}/pages/1.png")):
            assert answer.status_code == 410 and key not in answer.content
    finally:
        link.unlink()
        link.symlink_to(target)
    # A scan changed in place (same size), replaced by a pipe, or gone.
    other = next(r for r in archive.crafted if r is not record)
    path = Path(other["source"]["path"])
    original = path.read_bytes()
    assert httpx.get(archive.url + f"/api/v1/records/{other['id']}/original", headers=pete).content == original
    try:
        path.write_bytes(original.replace(b"%%EOF", b"%%EOX"))
        changed = httpx.get(archive.url + f"/api/v1/records/{other['id']}/original", headers=pete)
        assert changed.status_code == 410 and "changed or replaced" in changed.json()["detail"]
        path.unlink()
        os.mkfifo(path)
        piped = httpx.get(archive.url + f"/api/v1/records/{other['id']}/original", headers=pete, timeout=10)
        assert piped.status_code == 410
        path.unlink()
        gone = httpx.get(archive.url + f"/api/v1/records/{other['id']}/original", headers=pete)
        assert gone.status_code == 410 and "no longer" in gone.json()["detail"]
    finally:
        path.unlink(missing_ok=True)
        path.write_bytes(original)
    assert httpx.get(archive.url + f"/api/v1/records/{other['id']}/original", headers=pete).content == original
    assert ingested == target.read_bytes()


def test_a_web_folder_ingest_follows_no_link_out_of_the_allowed_folders(archive: Archive, tmp_path: Path) -> None:
    import samplegen

    folder = archive.roots / "drop"
    folder.mkdir()
    outside = tmp_path / "outside"
    samplegen.generate(outside, 1, seed=4343, qualities=("born_digital",))
    (folder / "key.pdf").symlink_to(archive.home / "web-session.key")
    (folder / "outside.pdf").symlink_to(next(outside.glob("*.pdf")))
    samplegen.generate(folder, 1, seed=4344, qualities=("born_digital",))
    for p in folder.iterdir():
        os.utime(p, (time.time() - 3600,) * 2, follow_symlinks=False)
    clerk = token(archive, "carl")
    job = httpx.post(archive.url + "/api/v1/ingest", json={"folder": str(folder)}, headers=clerk).json()
    state = _finished(archive, clerk, job["id"])
    assert state["status"] == "done" and state["done"] == 1, state
    assert state["total"] == 1, "links out of the roots are not even listed"
    ledger = _sohoa(archive.env, "export", "--format", "csv").stdout
    for name in ("key.pdf", "outside.pdf"):
        line = next(line for line in ledger.splitlines() if name in line)
        assert "outside the folders allowed" in line
    secret = (archive.home / "web-session.key").read_text().strip()
    found = httpx.get(archive.url + "/api/v1/search", params={"q": secret[:20]}, headers=token(archive, "pete"))
    assert found.json()["total"] == 0


def _finished(archive: Archive, headers: dict[str, str], job: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(archive.url + f"/api/v1/ingest/{job}", headers=headers).json()
        if not state["running"]:
            return state
        time.sleep(0.3)
    raise AssertionError(f"ingest {job} did not finish: {state}")


# ---------------------------------------------------------------- sessions

def _forged(archive: Archive, session: dict) -> str:
    """A session cookie signed with the server's own key (as one who stole the key would)."""
    import itsdangerous

    signer = itsdangerous.TimestampSigner((archive.home / "web-session.key").read_text().strip())
    return signer.sign(base64.b64encode(json.dumps(session).encode())).decode()


def test_a_session_ends_when_it_is_ended(archive: Archive) -> None:
    env = archive.env
    _sohoa(env, "user", "add", "sam", "--role", "officer", stdin=PASSWORD + "\n")
    # Signing out: the cookie saved before opens nothing afterwards.
    client = browser(archive, "sam")
    saved = dict(client.cookies)
    client.post("/logout", data={"csrf": _csrf(client, "/")})
    replay = httpx.get(archive.url + "/", cookies=saved, follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")
    # A new password, set from the command line: every session and token ends.
    client, api = browser(archive, "sam"), token(archive, "sam")
    assert client.get("/").status_code == 200
    _sohoa(env, "user", "passwd", "sam", stdin="another-long-pass\n")
    assert client.get("/").status_code == 303
    assert httpx.get(archive.url + "/api/v1/search", headers=api).status_code == 401
    _sohoa(env, "user", "passwd", "sam", stdin=PASSWORD + "\n")
    # An administrator sees the session and ends it; disabling ends the rest.
    client, api = browser(archive, "sam"), token(archive, "sam")
    listed = _sohoa(env, "user", "sessions", "sam").stdout.splitlines()
    assert len(listed) == 1 and "\tsam\t" in listed[0]
    admin = browser(archive, "adam")
    assert 'data-session="' in admin.get("/users").text
    answer = admin.post(f"/sessions/{listed[0].split()[0]}/end", data={"csrf": _csrf(admin, "/users")})
    assert answer.status_code == 303 and client.get("/").status_code == 303
    assert httpx.get(archive.url + "/api/v1/search", headers=api).status_code == 200, "a token is not a session"
    admin.post("/users/sam/sessions/end", data={"csrf": _csrf(admin, "/users")})
    assert httpx.get(archive.url + "/api/v1/search", headers=api).status_code == 401
    # A cookie signed with a stolen key: without a session the server issued, nothing.
    for session in ({"user": "adam"}, {"sid": "made-up", "user": "adam"}, {"sid": ""}):
        forged = httpx.get(archive.url + "/users", cookies={"sohoa_session": _forged(archive, session)},
                           follow_redirects=False)
        assert forged.status_code == 303 and forged.headers["location"].startswith("/login"), session


# ---------------------------------------------------------------- scopes

def test_counts_and_not_found_say_nothing_outside_a_scope(archive: Archive) -> None:
    lim = token(archive, "lim")
    mine = httpx.get(archive.url + "/api/v1/search", params={"q": ""}, headers=lim).json()["total"]
    state = httpx.get(archive.url + "/api/v1/state", headers=lim).json()
    assert state["index"]["records"] == mine < len(archive.records)
    assert sum(state["documents"].values()) == mine
    others = [r for r in archive.records
              if not httpx.get(archive.url + f"/api/v1/records/{r['id']}", headers=lim).is_success]
    assert others
    unknown = "ab" * 32
    said = {httpx.get(archive.url + f"/api/v1/records/{rid}", headers=lim).text
            for rid in (others[0]["id"], unknown, others[0]["id"][:10], "not-an-id", others[0]["id"] + "/original")}
    said |= {httpx.get(archive.url + f"/api/v1/records/{rid}/{part}", headers=lim).text
             for rid in (others[0]["id"], unknown) for part in ("original", "redacted.pdf", "pages/1")}
    assert len(said) == 1, said


def test_an_ingest_belongs_to_the_clerk_who_started_it(archive: Archive) -> None:
    import samplegen

    folder = archive.roots / "mine"
    samplegen.generate(folder, 1, seed=4345, qualities=("born_digital",))
    for p in folder.iterdir():
        os.utime(p, (time.time() - 3600,) * 2)
    cleo = token(archive, "cleo")
    job = httpx.post(archive.url + "/api/v1/ingest", json={"folder": str(folder)}, headers=cleo).json()["id"]
    _finished(archive, cleo, job)
    lina, lina_page = token(archive, "lina"), browser(archive, "lina")
    assert httpx.get(archive.url + f"/api/v1/ingest/{job}", headers=lina).status_code == 404
    assert lina_page.get(f"/ingest/{job}").status_code == 404
    assert lina_page.get(f"/ingest/{job}/state").status_code == 404
    assert job not in lina_page.get("/ingest").text
    assert job in browser(archive, "cleo").get("/ingest").text
    admin = browser(archive, "adam")
    assert job in admin.get("/ingest").text and admin.get(f"/ingest/{job}").status_code == 200


# ---------------------------------------------------------------- queries and headers

HOSTILE_QUERIES = ["ho_kinh", "holder_id:0241", 'a"b', "NEAR(quyết định)", "*", "-x", "^x", "(x", "x AND",
                   "OR", "NOT", "{x}", "x:y", "đ_đ", "__init__", "a'b", "100%", "x*y", "\\", "<script>", "%00",
                   "quyết_định", "giấy:phép", "—", "\u0301", "ÐÐ", "SELECT * FROM docs", "'; DROP TABLE docs; --"]


def test_any_query_is_plain_words(archive: Archive) -> None:
    olga, page = token(archive, "olga"), browser(archive, "olga")
    for q in HOSTILE_QUERIES:
        answer = httpx.get(archive.url + "/api/v1/search", params={"q": q, "facets": "true"}, headers=olga)
        assert answer.status_code == 200, (q, answer.text)
        shown = page.get("/", params={"q": q})
        assert shown.status_code == 200 and "<script>" not in shown.text.replace("&lt;script&gt;", ""), q
    number = next(r["fields"]["number"] for r in archive.records if r["fields"].get("number"))
    hits = httpx.get(archive.url + "/api/v1/search", params={"q": number.replace("/", "_")}, headers=olga).json()
    assert hits["total"] >= 1


def test_every_answer_carries_the_security_headers(archive: Archive) -> None:
    page, pete = browser(archive, "olga"), browser(archive, "pete")
    rid = archive.records[0]["id"]
    olga = token(archive, "olga")
    for answer in (page.get("/"), page.get(f"/records/{rid}"), page.get("/login"), page.get("/static/sohoa.css"),
                   page.get("/nonexistent"), httpx.get(archive.url + "/api/v1/search"),
                   httpx.get(archive.url + "/api/v1/search", params={"q": "", "page": str(2**62)}, headers=olga),
                   httpx.get(archive.url + "/api/v1/audit", params={"since": str(2**70)},
                             headers=token(archive, "aud")),
                   pete.get(f"/records/{rid}/pages/1.png"), httpx.get(archive.url + "/openapi.json"),
                   httpx.get(archive.url + "/docs"), httpx.get(archive.url + "/redoc"),
                   httpx.get(archive.url + "/docs/oauth2-redirect")):
        headers = answer.headers
        assert answer.status_code < 500, (answer.url, answer.text)
        assert headers["x-content-type-options"] == "nosniff", answer.url
        assert headers["referrer-policy"] == "no-referrer" and headers["x-frame-options"] == "DENY"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        scripts = policy.split("script-src")[1].split(";")[0]
        assert "'unsafe-inline'" not in scripts and "*" not in scripts, answer.url
        if not answer.url.path.startswith(("/static", "/docs", "/redoc")):
            assert headers["cache-control"] == "no-store", answer.url
    docs = httpx.get(archive.url + "/docs").headers["content-security-policy"]
    assert "'sha256-" in docs, "the documentation's one inline script, by its hash"


@pytest.mark.slow
def test_in_chromium_no_page_breaks_its_own_policy(archive: Archive, page) -> None:  # type: ignore[no-untyped-def]
    """Each role's pages (and the API documentation) load in Chromium without one Content
    Security Policy violation or script error: every asset is sohoa's, no inline script."""
    from tests.test_web import sign_in_page

    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    rid = archive.records[0]["id"]
    for name, paths in (("olga", ("/", "/?q=quyet+dinh", f"/records/{rid}")), ("carl", ("/review", "/ingest")),
                        ("adam", ("/users",)), ("aud", ("/audit", "/progress"))):
        sign_in_page(page, archive.url, name)
        for path in paths:
            answer = page.goto(archive.url + path)
            assert answer is not None and answer.status == 200, path
    page.goto(archive.url + "/docs")
    page.wait_for_selector(".swagger-ui")
    assert not problems, problems


# ---------------------------------------------------------------- throttling and proxies

@pytest.fixture
def proxied(archive: Archive) -> Iterator[str]:
    """The same archive served a second time, behind a proxy on this machine (127.0.0.1)."""
    with serving(archive.env, "--forwarded-allow-ips", "127.0.0.1") as url:
        yield url


def test_signing_in_to_ones_own_account_does_not_reset_an_address(archive: Archive, proxied: str) -> None:
    """An attacker behind one address tries names and passwords, and signs in to an account
    of its own now and then: the address is slowed down all the same."""
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    codes = []
    for n in range(26):
        codes.append(httpx.post(proxied + "/api/v1/auth/token", headers=attacker,
                                data={"username": f"guess{n}", "password": "wrong-password"}).status_code)
        if n % 5 == 4:
            httpx.post(proxied + "/api/v1/auth/token", headers=attacker,
                       data={"username": "lina", "password": PASSWORD})
    assert 429 in codes[20:], codes
    # Another address is not slowed down by it.
    other = httpx.post(proxied + "/api/v1/auth/token", headers={"X-Forwarded-For": "198.51.100.9"},
                       data={"username": "lina", "password": PASSWORD})
    assert other.status_code == 200
    log = [e for e in _log(archive) if e["address"] == "203.0.113.7"]
    assert any(e["action"] == "sign_in_refused" for e in log)


def test_which_names_are_accounts_cannot_be_told(archive: Archive, proxied: str) -> None:
    """Seven wrong passwords for an account and for a name that is none, each from a new
    address: the same answers, in the same order."""
    said = {}
    for name in ("lina", "nobody-here"):
        said[name] = [httpx.post(proxied + "/api/v1/auth/token", headers={"X-Forwarded-For": f"198.18.{n}.{len(name)}"},
                                 data={"username": name, "password": "wrong-password"}).status_code for n in range(7)]
    assert said["lina"] == said["nobody-here"] and said["lina"][-1] == 429, said


def test_a_forged_forwarded_address_is_not_believed(tmp_path: Path, born_digital_corpus: Path) -> None:
    """Behind HTTPS with the proxy at another address: X-Forwarded-For from this client is
    its own invention, throttled as the client's real address and logged as such."""
    home = tmp_path / "home"
    env = _env(home, {}, tmp_path)
    _sohoa(env, "user", "add", "victim", "--role", "officer", stdin=PASSWORD + "\n")
    with serving(env, "--behind-https", "--forwarded-allow-ips", "192.0.2.250") as url:
        codes = [httpx.post(url + "/api/v1/auth/token", headers={"X-Forwarded-For": f"10.9.{n}.{n}"},
                            data={"username": f"guess{n}", "password": "wrong-password"}).status_code
                 for n in range(25)]
    assert 429 in codes, codes
    log = [json.loads(line) for line in _sohoa(env, "audit", "list", "--json").stdout.splitlines()]
    addresses = {e["address"] for e in log if e["action"].startswith("sign_in")}
    assert addresses == {"127.0.0.1"}, addresses
    for everyone in ("*", "0.0.0.0/0", "::/0", "10.0.0.1,0.0.0.0/0", "proxy.example"):
        refused = subprocess.run([SOHOA, "serve", "--forwarded-allow-ips", everyone], env=env, capture_output=True,
                                 text=True, timeout=60)
        assert refused.returncode == 2 and "--forwarded-allow-ips" in refused.stderr, everyone


# ---------------------------------------------------------------- uploads queue

def test_uploads_at_once_wait_their_turn_and_say_so(archive: Archive, tmp_path: Path) -> None:
    """Six uploads at once while an ingest from the command line holds the home: each is
    queued or waiting, never failed, and all are ingested once it lets go."""
    import samplegen

    new = tmp_path / "new"
    samplegen.generate(new, 6, seed=4346, qualities=("born_digital",))
    clerk = browser(archive, "carl")
    csrf = _csrf(clerk, "/ingest")
    with open(archive.home / "ingest.lock", "a+") as held:  # an ingest started elsewhere
        fcntl.flock(held, fcntl.LOCK_EX)
        held.seek(0)
        held.truncate()
        held.write("4242")
        held.flush()
        jobs = []
        for path in sorted(new.glob("*.pdf")):
            answer = clerk.post("/ingest/upload", data={"csrf": csrf},
                                files=[("files", (path.name, path.read_bytes(), "application/pdf"))])
            assert answer.status_code == 303, answer.text
            jobs.append(answer.headers["location"].rsplit("/", 1)[-1])
        time.sleep(2)
        states = [clerk.get(f"/ingest/{job}/state").json() for job in jobs]
        assert [s["status"] for s in states] == ["waiting", *["queued"] * 5], states
        assert "đang đợi một lần nạp khác" in clerk.get(f"/ingest/{jobs[0]}").text  # said in Vietnamese
        assert "đang xếp hàng" in clerk.get(f"/ingest/{jobs[1]}").text
    headers = token(archive, "carl")
    finished = [_finished(archive, headers, job) for job in jobs]
    assert all(s["status"] == "done" and s["done"] == 1 and not s["failed"] for s in finished), finished
    numbers = [json.loads(p.read_text())["fields"]["number"] for p in sorted(new.glob("*.gt.json"))]
    pete = token(archive, "pete")
    for number in numbers:
        assert httpx.get(archive.url + "/api/v1/search", params={"q": number}, headers=pete).json()["total"] >= 1


def test_uploads_left_waiting_by_a_stopped_server_are_ingested_when_it_starts(archive: Archive,
                                                                              tmp_path: Path) -> None:
    import samplegen

    left = archive.home / "uploads" / "20261201-000000-abcdef"
    samplegen.generate(tmp_path / "left", 1, seed=4347, qualities=("born_digital",))
    left.mkdir(parents=True)
    for pdf in (tmp_path / "left").glob("*.pdf"):
        os.replace(pdf, left / pdf.name)
    number = json.loads(next((tmp_path / "left").glob("*.gt.json")).read_text())["fields"]["number"]
    with serving(archive.env) as url:
        admin = httpx.Client(base_url=url, follow_redirects=False)
        csrf = _csrf(admin, "/login")
        admin.post("/login", data={"username": "adam", "password": PASSWORD, "csrf": csrf, "next": "/"})
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            jobs = re.findall(r'data-status="(\w+)"', admin.get("/ingest").text)
            if jobs and jobs[0] in ("done", "failed"):
                break
            time.sleep(0.5)
        assert jobs and jobs[0] == "done", jobs
    found = httpx.get(archive.url + "/api/v1/search", params={"q": number}, headers=token(archive, "pete"))
    assert found.json()["total"] >= 1


# ---------------------------------------------------------------- what a worker is sent

def test_a_cluster_task_carries_no_key_passphrase_or_pin(tmp_path: Path) -> None:
    """What travels to a Dask worker with each document (``Kit``): the settings and the
    trust files, never the signing key's file, its path, its passphrase or a token's PIN."""
    from sohoa.core.settings import Settings
    from sohoa.ingest.cluster import Kit

    p12 = tmp_path / "agency.p12"
    p12.write_bytes(b"PKCS12-KEY-BYTES" * 10)
    for spec, secret in ((str(p12), b"p12-passphrase-42"),
                         ("pkcs11:token=agency;object=seal?module-path=/usr/lib/x.so&pin-value=7788", b"pin-7788")):
        settings = dataclasses.replace(Settings(tmp_path / "home"), sign_with=spec, sign_passphrase=secret,
                                       copy_agency="Ủy ban nhân dân xã Thử Nghiệm",
                                       cluster_tls=("ca.pem", "me.pem", "me-key.pem"))
        sent = pickle.dumps(Kit.of(settings))
        for secret_part in (secret, b"PKCS12-KEY-BYTES", spec.encode(), b"7788", b"me-key.pem"):
            assert secret_part not in sent
        assert Kit.of(settings).settings.copy_agency == settings.copy_agency
