"""The auditors' dashboard (``/progress`` of ``sohoa serve``), over HTTP and in Debian's
Chromium: its figures are the CLI's, each count drills down to as many entries, the
charts are drawn by sohoa itself (a screenshot of each is kept), an auditor of one agency
sees that agency only, officers see nothing of it, and a decision made in the page is the
one the CLI then reports."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sohoa.core.settings import Settings
from tests.conftest import ROOT, SOHOA, serving
from tests.test_progress import TODAY, copy_home, settings  # noqa: F401 (the archive and register under test)
from tests.test_web import PASSWORD, sign_in_page, signed_in

ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Dashboard:
    url: str
    home: Path
    agency: str
    """The one agency the auditor ``una`` may see."""


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_LANG": "en", "SOHOA_TODAY": TODAY.isoformat()}
    env.pop("SOHOA_ES_URL", None)
    return env


def _sohoa(home: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([SOHOA, *args], input=stdin, capture_output=True, text=True, env=_env(home), timeout=600,
                          check=True).stdout


@pytest.fixture(scope="module")
def dashboard(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:  # noqa: F811
    home = tmp_path_factory.mktemp("dashboard") / "home"
    copy_home(settings.home, home)  # a copy: decisions made here stay here
    agencies = json.loads(_sohoa(home, "progress", "--by", "agency", "--json"))["rows"]
    agency = max(agencies, key=lambda r: r["valid"])["key"]
    for name, role, extra in (("paula", "auditor", []), ("una", "auditor", ["--agency", agency]),
                              ("olga", "officer", [])):
        _sohoa(home, "user", "add", name, "--role", role, *extra, stdin=PASSWORD + "\n")
    with serving(_env(home)) as url:
        yield Dashboard(url, home, agency)


def _client(d: Dashboard, name: str) -> httpx.Client:
    return signed_in(d, name, timeout=120)  # type: ignore[arg-type]


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_in_chromium_the_dashboard_shows_the_cli_figures_and_its_charts(dashboard: Dashboard, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cli = json.loads(_sohoa(dashboard.home, "progress", "--by", "agency", "--json"))
    sign_in_page(page, dashboard.url, "paula")
    page.goto(dashboard.url + "/progress?by=agency")
    for key in ("valid", "scanned", "extracted", "verified", "signed"):
        assert _number(page.inner_text(f"[data-testid=total-{key}]")) == cli["total"][key], key
    shown = {}
    for tr in page.query_selector_all("[data-testid=breakdown] tbody tr"):
        shown[tr.get_attribute("data-key")] = {
            "valid": _number(tr.query_selector("[data-col=valid]").inner_text()),
            **{s: _number(tr.query_selector(f"[data-col={s}]").inner_text())
               for s in ("scanned", "extracted", "verified", "signed")},
            "forecast": (lambda text: None if text == "-" else text)(
                tr.query_selector("[data-col=forecast]").inner_text().strip())}
    assert shown == {r["key"]: {k: r[k] for k in ("valid", "scanned", "extracted", "verified", "signed", "forecast")}
                     for r in cli["rows"]}
    ARTIFACTS.mkdir(exist_ok=True)
    for chart in ("coverage", "cumulative", "heatmap"):
        img = page.locator(f"[data-testid=chart-{chart}]")
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        assert img.evaluate("img => img.naturalWidth") > 300, chart
        img.screenshot(path=str(ARTIFACTS / f"progress-{chart}.png"))
    page.screenshot(path=str(ARTIFACTS / "progress-page.png"), full_page=True)
    # A count drills down to the entries it counts.
    row = max(cli["rows"], key=lambda r: r["signed"])
    page.click(f"[data-testid=breakdown] tr[data-key='{row['key']}'] [data-col=signed] a")
    assert _number(page.inner_text("[data-testid=list-total]")) == row["signed"]
    assert not errors, errors


def test_the_charts_come_from_sohoa_and_nothing_from_elsewhere(dashboard: Dashboard) -> None:
    client = _client(dashboard, "paula")
    html = client.get("/progress").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") or s.startswith("?") for s in sources), sources
    for chart in ("coverage", "cumulative", "heatmap"):
        answer = client.get(f"/progress/charts/{chart}.svg")
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
        assert answer.text.lstrip().startswith("<?xml") and "<svg" in answer.text
        # Nothing the browser would fetch: every link inside the drawing is to the drawing
        # itself (a clip path, a glyph) or inline data (the heat map's raster).
        assert not re.search(r'(?:href|src)="(?!#|data:image/png;base64,)|url\((?!#)', answer.text)


def test_an_auditor_of_one_agency_sees_that_agency_and_officers_see_nothing(dashboard: Dashboard) -> None:
    expected = json.loads(_sohoa(dashboard.home, "progress", "--by", "agency", "--agency", dashboard.agency,
                                 "--json"))
    client = _client(dashboard, "una")
    token = httpx.post(dashboard.url + "/api/v1/auth/token", data={"username": "una", "password": PASSWORD}).json()
    api = httpx.get(dashboard.url + "/api/v1/progress", params={"by": "agency"},
                    headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert [r["key"] for r in api["rows"]] == [dashboard.agency]
    assert api["total"] == expected["total"]
    everyone = json.loads(_sohoa(dashboard.home, "progress", "--json"))["total"]
    assert api["total"]["valid"] < everyone["valid"]
    page = client.get("/progress?by=agency").text
    assert page.count("<tr data-key=") == 1 and f'data-key="{dashboard.agency}"' in page
    listed = client.get("/progress/list", params={"stage": "scanned", "reached": "false", "format": "csv"}).text
    assert len(listed.strip().splitlines()) - 1 == expected["total"]["valid"] - expected["total"]["scanned"]
    report = client.get("/progress/report.xlsx")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    officer = _client(dashboard, "olga")
    for path in ("/progress", "/progress/charts/coverage.svg", "/progress/list", "/progress/report.pdf",
                 "/progress/waiting"):
        assert officer.get(path).status_code == 403, path


def test_a_match_confirmed_in_the_page_counts_and_the_cli_sees_it(dashboard: Dashboard) -> None:
    client = _client(dashboard, "paula")
    waiting = json.loads("[" + ",".join(_sohoa(dashboard.home, "register", "waiting", "--format", "jsonl")
                                        .splitlines()) + "]")
    assert waiting, "the generated archive leaves some matches to a person"
    first = waiting[0]
    page = client.get("/progress/waiting").text
    assert f'data-record="{first["record"]}"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    before = json.loads(_sohoa(dashboard.home, "progress", "--json"))["total"]
    refused = client.post("/progress/decide", data={"csrf": "forged", "entry": str(first["entry_id"]),
                                                     "record": first["record"], "decision": "confirm"})
    assert refused.status_code == 403
    answer = client.post("/progress/decide", data={"csrf": csrf, "entry": str(first["entry_id"]),
                                                    "record": first["record"], "decision": "confirm"})
    assert answer.status_code == 303 and "error" not in answer.headers["location"]
    after = _sohoa(dashboard.home, "register", "waiting", "--format", "jsonl")
    assert not any(json.loads(line)["record"] == first["record"] and json.loads(line)["entry_id"] == first["entry_id"]
                   for line in after.splitlines())
    now = json.loads(_sohoa(dashboard.home, "progress", "--json"))["total"]
    assert now["scanned"] >= before["scanned"]
    # An auditor of one agency cannot decide for another's entries.
    other = next((w for w in waiting[1:] if w["agency"] != dashboard.agency), None)
    if other is not None:
        una = _client(dashboard, "una")
        form = una.get("/progress/waiting").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        answer = una.post("/progress/decide", data={"csrf": csrf, "entry": str(other["entry_id"]),
                                                     "record": other["record"], "decision": "reject"})
        assert answer.status_code == 303 and "error=" in answer.headers["location"]
