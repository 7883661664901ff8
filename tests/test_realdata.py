"""Real Vietnamese administrative documents (shared/realdata/vn_admin_docs, see its SOURCES.md).

Every file ingests without error; printed fields that a person can read come out right.
Handwritten numbers and days must not be invented (null, or a date from the signing time).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REALDATA, copy_corpus

DOCS = REALDATA / "vn_admin_docs"

LABELS = json.loads((Path(__file__).with_name("realdata_labels.json")).read_text(encoding="utf-8"))
PRINTED_FLOOR = 0.90
"""Exact printed fields today (the issue's target is 0.85): a floor that only goes up."""


@pytest.fixture(scope="module")
def real_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    if not DOCS.exists():
        pytest.fail(f"real documents not found at {DOCS}; set SOHOA_REALDATA")
    from click.testing import CliRunner

    from sohoa.cli import main

    tmp = tmp_path_factory.mktemp("real")
    folder = copy_corpus(DOCS, tmp / "docs")
    runner = CliRunner()
    home = str(tmp / "home")
    result = runner.invoke(main, ["--home", home, "ingest", "--no-progress", str(folder)])
    assert result.exit_code == 0, result.output
    out = runner.invoke(main, ["--home", home, "export"]).stdout
    return {Path(r["source"]["path"]).name: r for r in map(json.loads, filter(None, out.splitlines()))
            if r.get("id")}


@pytest.mark.slow
def test_every_real_document_ingests(real_rows: dict[str, dict]) -> None:
    assert sorted(real_rows) == sorted(p.name for p in DOCS.glob("*.pdf"))
    for name, row in real_rows.items():
        assert row["status"] == "indexed", (name, row["error"])
        assert row["text"].strip(), name
    # Scans whose invisible text layer came from another OCR tool are read again.
    assert real_rows["danang_SGDDT_CV_2019_scan_unsigned.pdf"]["born_digital"] is False
    assert real_rows["qngai_TB-UBND_11_2025_borndigital_5sig.pdf"]["born_digital"] is True
    # The back of QĐ 84's last sheet is blank, its front showing through: not read.
    assert {name: row["blank_pages"] for name, row in real_rows.items() if row["blank_pages"]} == {
        "qngai_QD-UBND_84_2025_scan_2sig.pdf": [4]}


@pytest.mark.slow
def test_real_document_fields(real_rows: dict[str, dict], capsys: pytest.CaptureFixture[str]) -> None:
    """Every field against the hand labels: printed fields mostly exact, and never a wrong
    number or date, handwritten or not (null with a note is the right answer there)."""
    import fieldeval

    report = fieldeval.score_labels(LABELS, list(real_rows.values()))
    with capsys.disabled():
        print(f"\nFields of the {len(real_rows)} real documents against tests/realdata_labels.json:")
        print(report.render())
        for table in (report.printed, report.handwritten):
            for score in table.values():
                for miss in score.misses:
                    print(f"  {miss}")
        for item in (*report.unverifiable, *report.invented):
            print(f"  {item}")
    assert report.wrong() == []
    assert report.invented == []
    assert report.printed_rate >= PRINTED_FLOOR
