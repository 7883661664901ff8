"""Hand-filled numbers and days on pages sohoa's own generator did not write.

``scripts/handfilled/`` was written by a helper from the issue's forms and the real scans
only (pen strokes of its own, a 7 with a bar, digits touching the notation or written
past the blank, dotted blanks, blue ink, grey scans). Its pages go through the whole
ingest, and the fields are scored against its truth: a number or a date may be missing
(a note then says what each engine read), never wrong. Seed 1 was looked at while fixing
the rule; seed 2 is scored here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_hand_filled_pages_of_an_independent_generator_give_no_wrong_number_or_date(
        cli, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth_file = tmp_path / "pages", tmp_path / "truth.jsonl"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "handfilled" / "make.py"), "--seed", "2", "--count", "24",
                    "--out", str(out), "--truth", str(truth_file)], check=True, capture_output=True, timeout=600)
    for page in out.iterdir():  # written a minute ago: not "still being written"
        os.utime(page, (page.stat().st_mtime - 3600,) * 2)
    assert cli("ingest", "--no-progress", str(out)).exit_code == 0
    rows = {Path(r["source"]["path"]).name: r for r in map(json.loads, cli("export").stdout.splitlines())}
    truth = {t["file"]: t for t in map(json.loads, truth_file.read_text(encoding="utf-8").splitlines())}
    scores = {field: {"right": 0, "wrong": [], "null": 0} for field in ("number", "issue_date")}
    for name, want in truth.items():
        for field, score in scores.items():
            got = rows[name]["fields"][field]
            if got is None:
                score["null"] += 1
            elif got == want[field]:
                score["right"] += 1
            else:
                score["wrong"].append((name, got, want[field]))
    taken = sum("two engines alike" in n for r in rows.values() for n in r["field_notes"])
    suggested = sum("perhaps" in n for r in rows.values() for n in r["field_notes"])
    with capsys.disabled():
        print(f"\nHand-filled pages of the independent generator (seed 2, {len(truth)} pages):")
        for field, score in scores.items():
            print(f"  {field:<11} right {score['right']:>2}, wrong {len(score['wrong'])}, null {score['null']:>2}")
        print(f"  taken from two engines alike: {taken}; left as suggestions naming both reads: {suggested}")
    assert not scores["number"]["wrong"] and not scores["issue_date"]["wrong"], scores
    # Read at all: numbers and days together, 10% of them. Which marginal reads the two
    # engines agree on moves with the boxes of the first pass: 3 numbers and 3 days before
    # pages were read cut to their print, 3 and 2 since.
    assert scores["number"]["right"] + scores["issue_date"]["right"] >= 0.1 * 2 * len(truth)
