"""Registers written by an independent one-stop writer (``scripts/onestop_register.py``,
which shares no code with sohoa nor with ``scripts/sample_register.py``), matched to an
archive of generated results and the real labelled documents' issuers: every data row
read, the still-valid count exact, recall and precision per form of the agencies' names
(issue 25). Seed 1 tuned the reader; the seeds here are held out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import register_eval

HELD_OUT = (2, 3, 4, 5, 6)
FORMATS = (("xlsx", "utf-8-sig"), ("csv", "cp1258"))


@pytest.mark.slow
def test_one_stop_registers_are_read_whole_and_matched_by_who_agencies_are(tmp_path: Path) -> None:
    totals: Counter = Counter()
    forms: Counter = Counter()
    found_forms: Counter = Counter()
    for seed in HELD_OUT:
        records = register_eval.archive_records(200, seed)
        for fmt, encoding in FORMATS:
            r = register_eval.evaluate(seed, records, tmp_path, fmt, encoding, 40)
            assert "error" not in r, (seed, fmt, r.get("error"))
            assert (r["read"], r["added"], r["rejected"]) == (r["rows"], r["rows"], 0), (seed, fmt, r["errors"])
            assert r["still_valid_read"] == r["still_valid_truth"], (seed, fmt)
            for key in ("rows", "validity_exact", "auto", "right", "wanted"):
                totals[key] += r[key]
            for form, (found, want) in r["per_form"].items():
                found_forms[form] += found
                forms[form] += want
    precision, recall = totals["right"] / totals["auto"], totals["right"] / totals["wanted"]
    table = "\n".join(f"  {form:48} {found_forms[form]:5}/{forms[form]:<5} {found_forms[form] / forms[form]:.1%}"
                      for form in sorted(forms, key=lambda f: found_forms[f] / forms[f]))
    print(f"\none-stop registers, seeds {HELD_OUT}: {totals['rows']} rows, validity exact "
          f"{totals['validity_exact']}/{totals['rows']}, precision {precision:.2%}, recall {recall:.2%}\n{table}")
    assert precision >= 0.995 and recall >= 0.97
    assert totals["validity_exact"] >= 0.97 * totals["rows"]  # a duration from a return date is days off
