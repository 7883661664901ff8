"""The auditors' report (``sohoa report``) and the national service index: the XLSX opens
with openpyxl and its totals equal the CLI's, sheet by sheet; the PDF renders with
pdftoppm and shows the charts; the service index equals a count done entry by entry."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from sohoa.core.settings import Settings
from sohoa.register.facts import STAGES
from sohoa.register.progress import service_index
from sohoa.register.store import Register
from sohoa.search_api import charts
from tests.conftest import ROOT
from tests.test_progress import TODAY, settings  # noqa: F401 (the archive and register under test)

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    from sohoa.cli import main

    monkeypatch.setenv("SOHOA_LANG", "en")
    monkeypatch.setenv("SOHOA_TODAY", TODAY.isoformat())

    def invoke(*args: str):
        out = CliRunner().invoke(main, ["--home", str(settings.home), *args], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        return out.stdout

    return invoke


def _progress(run, *args: str) -> dict:
    return json.loads(run("progress", "--json", *args))


def _row_numbers(row: tuple) -> list[int]:
    return [int(v) for v in row[1:6]]


def test_the_xlsx_opens_and_its_totals_equal_the_cli(run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    said = run("report", "-o", str(out))
    assert "Wrote" in said and out.is_file() and not list(tmp_path.glob(".*.part"))
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "By level", "By agency", "By procedure", "By year of issue", "Index 766",
                               "Missing", "Definitions"]
    total = _progress(run)["total"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[1][:2] == ("Figures as of", TODAY.isoformat())  # every figure says its day
    province = next(r for r in summary if r[0] == "Total" and isinstance(r[1], int))
    assert _row_numbers(province) == [total["valid"], *(total[s] for s in STAGES)]
    assert any(r[0] and str(r[0]).startswith("Scope:") for r in summary)  # and its definition
    assert len(book["Summary"]._images) >= 4  # the charts
    for by, sheet in (("level", "By level"), ("agency", "By agency"), ("procedure", "By procedure"),
                      ("year", "By year of issue")):
        cli = _progress(run, "--by", by)
        rows = list(book[sheet].iter_rows(min_row=3, values_only=True))
        assert TODAY.isoformat() in book[sheet]["A1"].value
        assert _row_numbers(rows[-1]) == [total["valid"], *(total[s] for s in STAGES)]
        assert [_row_numbers(r) for r in rows[:-1]] == [[r["valid"], *(r[s] for s in STAGES)] for r in cli["rows"]]
        assert [r[-1] for r in rows[:-1]] == [r["status"].replace("_", " ") for r in cli["rows"]]
    missing = list(book["Missing"].iter_rows(min_row=3, values_only=True))
    assert len(missing) == total["valid"] - total["scanned"]
    listed = run("register", "missing", "--format", "jsonl", "--as-of", TODAY.isoformat()).splitlines()
    assert [m[0] for m in missing] == [json.loads(line)["dossier"] for line in listed]
    index = json.loads(run("progress", "--service-index", "--json"))
    last = list(book["Index 766"].iter_rows(values_only=True))[-1]
    assert last[2] == sum(r["dossiers"] for r in index["rows"])
    assert last[3] == pytest.approx(index["total"]["electronic_result"]["share"], abs=1e-4)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is installed by scripts/bootstrap")
def test_the_pdf_renders_and_shows_the_charts(run, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    run("report", "--format", "pdf", "-o", str(out))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    total = _progress(run)["total"]
    assert f"Figures as of {TODAY.isoformat()}" in text
    assert f"{total['valid']:,}" in text and f"{total['signed']:,}" in text
    assert "Digitisation indicators of the service index" in text and "not yet scanned" in text
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) > 5
    # Page 2 holds the first chart: the coverage bars by level, in the stages' colours.
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "2", "-l", "2", str(out), str(tmp_path / "page")],
                   check=True)
    png = next(tmp_path.glob("page*.png"))
    pixels = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3).astype(int)
    for colour in (charts.STAGE_COLOURS["scanned"], charts.STAGE_COLOURS["signed"]):
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - rgb).sum(axis=1) < 30).sum() > 500, f"no bar drawn in {colour}"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "report-page-2.png")


def test_a_report_that_cannot_be_written_is_said_so(settings: Settings, tmp_path: Path,  # noqa: F811
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa.cli import main

    monkeypatch.setenv("SOHOA_LANG", "en")
    out = CliRunner().invoke(main, ["--home", str(settings.home), "report", "-o", str(tmp_path / "r.docx")])
    assert out.exit_code == 2 and "cannot tell the format of r.docx" in out.output
    blocked = tmp_path / "file"
    blocked.write_text("")
    out = CliRunner().invoke(main, ["--home", str(settings.home), "report", "-o", str(blocked / "r.xlsx")])
    assert out.exit_code != 0 and "r.xlsx" in out.output and "Traceback" not in out.output


def test_the_service_index_equals_a_count_entry_by_entry(settings: Settings) -> None:  # noqa: F811
    expected: dict[tuple[str, str], Counter] = {}
    with Register(settings.home) as reg:
        for e in reg.entries():
            day = dt.date.fromisoformat(e["received"] or e["issued"])
            if day > TODAY:
                continue
            c = expected.setdefault((e["agency"], f"{day.year}-Q{(day.month + 2) // 3}"), Counter())
            c["dossiers"] += 1
            for m in ("electronic_result", "dossier_digitised", "reused"):
                if e[m] is not None:
                    c[f"{m} known"] += 1
                    c[f"{m} yes"] += e[m]
        found = service_index(reg.db, period="quarter", until=TODAY)
    got = {(r.agency, r.period): Counter({"dossiers": r.dossiers, **{f"{m} known": x.known for m, x in
                                                                     r.measures.items()},
                                          **{f"{m} yes": x.yes for m, x in r.measures.items()}}) for r in found}
    assert got == {k: v for k, v in expected.items()}
    # Full points at 80%, pro rata below.
    some = next(r.measures["electronic_result"] for r in found if r.measures["electronic_result"].known)
    assert some.points == pytest.approx(min(1.0, some.yes / some.known / 0.8))
    shares = [r.measures["electronic_result"].share for r in found if r.measures["electronic_result"].known]
    assert min(shares) < 0.8 < max(shares)  # a register with both sides of the line
