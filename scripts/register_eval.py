#!/usr/bin/env python3
"""How well sohoa reads registers the way one-stop systems export them, and matches them to
an archive: on registers ``scripts/onestop_register.py`` writes (a writer that shares no
code with sohoa nor with ``scripts/sample_register.py``), from an archive of generated
results and the agencies of the real labelled documents.

For each seed it prints: data rows read, rejected and skipped (totals, signatures,
headings); validity exact per row; the still-valid count against the truth; automatic
matches' precision and recall, per form of the agency's name and per layout feature.

    python scripts/register_eval.py --seeds 1,2,3 --records 300 --extra 60
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

AS_OF = dt.date(2026, 11, 27)
LABELS = ROOT / "tests" / "realdata_labels.json"


def archive_records(count: int, seed: int) -> list[dict]:
    """Results as an archive holds them (fields as read right): generated documents of the
    four families, and the real labelled documents' issuers with numbers and dates of
    their own."""
    import sample_content

    rng = random.Random(seed)
    out = []
    for i in range(count):
        doc = sample_content.build_doc(i, rng, "born_digital", AS_OF, "ABCD"[i % 4])
        out.append(dict(doc.truth))
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    real = [v.get("fields", v) for k, v in labels.items() if not k.startswith("_")]
    for n, fields in enumerate(real * 3):
        if not fields.get("issuer"):
            continue
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1600))
        out.append({**{k: fields.get(k) for k in ("issuer", "issuer_parent", "issuer_level", "issuer_successor")},
                    "doc_type": "Quyết định", "number": f"{rng.randint(1, 3000)}/QĐ-UBND",
                    "issue_date": day.isoformat(), "holder_name": None, "valid_until": None, "subject": f"real {n}"})
    return out


def build(records: list[dict], home: Path, export: Path) -> None:
    """The records in a ledger (as an ingest stores them) and their export for the writer."""
    from sohoa.ingest.ledger import Ledger
    from tests.test_search import record

    with Ledger(home / "ledger.sqlite") as ledger, export.open("w", encoding="utf-8") as out:
        for n, fields in enumerate(records):
            sha = hashlib.sha256(f"eval-{n}".encode()).hexdigest()
            given = {k: v for k, v in fields.items() if k in (
                "doc_type", "number", "issue_date", "issuer", "issuer_parent", "issuer_level", "issuer_successor",
                "holder_name", "valid_until", "subject")}
            rec = dataclasses.replace(record(n, "", **given), id=sha)
            ledger.add_document(rec.id, f"/scans/{n}.pdf", 1)
            ledger.store(rec)
            out.write(json.dumps({"id": sha, "fields": rec.fields}, ensure_ascii=False) + "\n")


def evaluate(seed: int, records: list[dict], tmp: Path, fmt: str, encoding: str, extra: int) -> dict:
    from sohoa.register.store import Register

    home = tmp / f"home-{seed}-{fmt}-{encoding}"
    home.mkdir(parents=True)
    export = home / "archive.jsonl"
    build(records, home, export)
    out = home / "register"
    command = [sys.executable, str(ROOT / "scripts" / "onestop_register.py"), str(export), "--out", str(out),
               "--seed", str(seed), "--format", fmt, "--extra", str(extra), "--as-of", AS_OF.isoformat()]
    if fmt == "csv":
        command += ["--encoding", encoding]
    subprocess.run(command, check=True, capture_output=True)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    path = out / ("register.xlsx" if fmt == "xlsx" else "register.csv")
    rows = truth["rows"]
    result: dict = {"seed": seed, "format": fmt if fmt == "xlsx" else f"csv {encoding}", "rows": len(rows),
                    "features": truth["layout"].get("features", [])}
    with Register(home) as reg:
        try:
            report = reg.import_file(path, by="eval", today=AS_OF)
        except Exception as exc:  # a refused file is a figure too
            result["error"] = getattr(exc, "message_en", str(exc))
            return result
        result.update(read=report.rows, added=report.added, rejected=report.rejected, skipped=report.skipped,
                      errors=[(e.row, e.message_en) for e in report.errors[:5]])
        entries = {e["row"]: e for e in reg.entries()}
        reg.reconcile(home / "ledger.sqlite")
        auto = [m for m in reg.matches() if m["state"] in ("auto", "confirmed")]
    by_id = {e["id"]: row for row, e in entries.items()}
    # Validity: per row, the end the register says, read right.
    exact = total_valid = said_valid = 0
    for key, row in rows.items():
        entry = entries.get(int(key))
        if entry is None:
            continue
        exact += entry["valid_until"] == row["valid_until"]
        total_valid += bool(row["valid_on_as_of"] and row["issued_by_as_of"])
        said_valid += bool(entry["status"] == "valid" and entry["issued"] <= AS_OF.isoformat()
                           and (entry["valid_until"] is None or entry["valid_until"] >= AS_OF.isoformat()))
    result.update(validity_exact=exact, still_valid_truth=total_valid, still_valid_read=said_valid)
    # Matches, per form of the agency's name.
    should: dict[str, set[int]] = defaultdict(set)  # record -> the rows it is
    form_of: dict[int, str] = {}
    groups = {int(g): v.get("name_form") for g, v in (truth["layout"].get("groups") or {}).items()}
    for key, row in rows.items():
        above = [g for g in groups if g < int(key)]
        form_of[int(key)] = (row.get("agency_name_form") or (f"group: {groups[max(above)]}" if above else None)
                             or "?")
        for rid in row.get("record_ids") or ([row["record_id"]] if row.get("record_id") else []):
            should[rid].add(int(key))
    right = sum(by_id.get(m["entry_id"]) in should.get(m["sha256"], set()) for m in auto)
    wanted = sum(1 for rid in should if should[rid])
    found_rows = {by_id.get(m["entry_id"]) for m in auto if by_id.get(m["entry_id"]) in should.get(m["sha256"], set())}
    per_form: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for keys in should.values():
        for key in keys:
            per_form[form_of[key]][1] += 1
            per_form[form_of[key]][0] += key in found_rows
    result.update(auto=len(auto), right=right, wanted=wanted, per_form=dict(per_form))
    archive = {hashlib.sha256(f"eval-{n}".encode()).hexdigest(): r for n, r in enumerate(records)}
    result["misses"] = [(key, form_of[key], entries.get(key, {}).get("agency"), entries.get(key, {}).get("agency_key"),
                         entries.get(key, {}).get("number"), entries.get(key, {}).get("issued"),
                         archive[rid].get("issuer"), archive[rid].get("issuer_parent"), archive[rid].get("number"),
                         archive[rid].get("issue_date"))
                        for rid, keys in should.items() for key in keys if key not in found_rows]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--extra", type=int, default=40)
    ap.add_argument("--formats", default="xlsx,csv:utf-8-sig,csv:utf-16,csv:cp1258")
    ap.add_argument("--misses", action="store_true", help="list the rows whose record was not matched")
    args = ap.parse_args()
    totals: Counter = Counter()
    forms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (int(s) for s in args.seeds.split(",")):
            records = archive_records(args.records, seed)
            for spec in args.formats.split(","):
                fmt, _, encoding = spec.partition(":")
                r = evaluate(seed, records, Path(tmp), fmt, encoding or "utf-8-sig", args.extra)
                if "error" in r:
                    print(f"[seed {seed}, {r['format']}] REFUSED: {r['error']}")
                    totals["refused"] += 1
                    continue
                print(f"[seed {seed}, {r['format']}] rows {r['rows']}: read {r['read']}, added {r['added']}, "
                      f"rejected {r['rejected']}, skipped {r['skipped']}; validity exact {r['validity_exact']}/"
                      f"{r['added']}; still valid {r['still_valid_read']} (truth {r['still_valid_truth']}); "
                      f"matches {r['auto']}: precision {r['right'] / max(1, r['auto']):.2%}, "
                      f"recall {r['right'] / max(1, r['wanted']):.2%}")
                for row, message in r["errors"]:
                    print(f"    rejected row {row}: {message}")
                if args.misses:
                    for miss in r["misses"]:
                        print("    missed row {}: [{}] {!r} ({}) {} {} <- archive {!r} / {!r} {} {}".format(*miss))
                for key in ("rows", "read", "added", "rejected", "validity_exact", "still_valid_truth",
                            "still_valid_read", "auto", "right", "wanted"):
                    totals[key] += r[key]
                for form, (found, want) in r["per_form"].items():
                    forms[form][0] += found
                    forms[form][1] += want
    print(f"\nall: rows {totals['rows']}, read {totals['read']}, rejected {totals['rejected']}, refused files "
          f"{totals['refused']}; validity exact {totals['validity_exact']}/{totals['added']}; still valid read "
          f"{totals['still_valid_read']} of {totals['still_valid_truth']}; precision "
          f"{totals['right'] / max(1, totals['auto']):.2%}, recall {totals['right'] / max(1, totals['wanted']):.2%}")
    print("recall per form of the agency's name:")
    for form, (found, want) in sorted(forms.items(), key=lambda kv: kv[1][0] / max(1, kv[1][1])):
        print(f"  {form:40} {found:5}/{want:<5} {found / max(1, want):.1%}")


if __name__ == "__main__":
    main()
