"""Reconciliation of the register with the archive (``sohoa.register.match``), and the
``facts`` the ledger keeps for it.

The archive is generated from the register with the truth known: part of its results
scanned, each field misread as often as poor scans misread it, some scanned twice, and
results the register does not list (older ones, and ones left out of it beside the ones it
lists). Precision and recall of the automatic matches are printed and held to the issue's
figures; decisions of a person survive a re-import and a re-ingest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sample_register

from sohoa.core.model import SignedCopy
from sohoa.ingest.ledger import Ledger
from sohoa.register import match
from sohoa.register.store import Register
from tests.test_search import record

TODAY = dt.date(2026, 12, 1)


def ingest_records(ledger_path: Path, records: list[dict]) -> None:
    """Store ``records`` (``sample_register.archive``) in a real ledger, as an ingest does."""
    ledger = Ledger(ledger_path)
    try:
        for n, r in enumerate(records):
            rec = dataclasses.replace(
                record(n, "", issuer=r["issuer"], number=r["number"], issue_date=r["issue_date"],
                       holder_name=r["holder_name"]), id=r["sha256"])
            ledger.add_document(rec.id, f"/scans/{n}.pdf", 1)
            ledger.store(rec)
    finally:
        ledger.close()


# The matcher's steps were shaped on the misses of the first; the second was never looked at.
WORLDS = {"tuned (Bắc Giang, seed 5)": ("Bắc Giang", 5), "held out (Nghệ An, seed 9)": ("Nghệ An", 9)}


def build_world(tmp: Path, province: str, seed: int) -> tuple[Path, Path, list[dict], dict[str, int]]:
    """A register of 8,000 results (less those left out), an archive of about 5,000 records
    in a real ledger, and the entry id of each dossier code."""
    table = sample_register.rows(8000, province, seed=seed, today=TODAY)
    listed, records = sample_register.archive(table, seed=seed)
    register_file = tmp / "register.csv"
    sample_register.write(register_file, listed)
    with Register(tmp / "home") as reg:
        assert reg.import_file(register_file, by="test", today=TODAY).rejected == 0
        ids = {e["dossier"]: e["id"] for e in reg.entries()}
    ingest_records(tmp / "home" / "ledger.sqlite", records)
    return tmp, register_file, records, ids


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict], dict[str, int]]:
    return build_world(tmp_path_factory.mktemp("reconcile"), "Bắc Giang", 5)


@pytest.mark.parametrize("name", list(WORLDS))
def test_automatic_matches_are_right_and_find_nearly_every_result(name: str, world, tmp_path: Path) -> None:
    province, seed = WORLDS[name]
    tmp, _, records, ids = world if seed == 5 else build_world(tmp_path, province, seed)
    with Register(tmp / "home") as reg:
        done = reg.reconcile(tmp / "home" / "ledger.sqlite")
        assert done.fresh and done.records == len(records)
        auto = [m for m in reg.matches() if m["state"] in (match.AUTO, match.CONFIRMED)]
        waiting = reg.matches(match.WAITING)
    truth = {r["sha256"]: ids.get(r["truth"]) if r["truth"] else None for r in records}
    right = sum(truth[m["sha256"]] == m["entry_id"] for m in auto)
    should = sum(1 for entry in truth.values() if entry is not None)
    precision, recall = right / len(auto), right / should
    by_reason: dict[str, list[int]] = {}
    for m in auto:
        by_reason.setdefault(m["reason"], [0, 0])[truth[m["sha256"]] == m["entry_id"]] += 1
    waiting_records = {m["sha256"] for m in waiting}
    print(f"\nreconciliation, {name}: {len(records)} records, {should} of them listed; automatic matches {len(auto)}, "
          f"precision {precision:.2%}, recall {recall:.2%}; waiting for a person: {len(waiting_records)} records "
          f"({sum(truth[s] is not None for s in waiting_records)} of them listed)")
    print("  right / wrong by step: " + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(by_reason.items())))
    assert precision >= 0.995
    assert recall >= 0.95
    assert len(by_reason) >= 5  # the tolerant steps did their part
    assert all(len({m["entry_id"] for m in auto if m["sha256"] == s}) == 1 for s in {m["sha256"] for m in auto})


def test_nothing_changed_means_no_new_reconciliation(world) -> None:
    tmp, *_ = world
    with Register(tmp / "home") as reg:
        reg.reconcile(tmp / "home" / "ledger.sqlite")
        again = reg.reconcile(tmp / "home" / "ledger.sqlite")
    assert not again.fresh and again.auto > 0


def test_a_persons_decisions_survive_reimport_and_reingest(world, tmp_path: Path) -> None:
    source, register_file, records, ids = world
    home = tmp_path / "home"
    home.mkdir()
    with contextlib.closing(sqlite3.connect(source / "home" / "register.sqlite")) as src, \
            contextlib.closing(sqlite3.connect(home / "register.sqlite")) as dst:
        src.backup(dst)
    ingest_records(home / "ledger.sqlite", records[:600])
    ledger_path = home / "ledger.sqlite"
    with Register(home) as reg:
        reg.reconcile(ledger_path)
        auto = next(m for m in reg.matches(match.AUTO))
        waiting = next(m for m in reg.matches(match.WAITING))
        reg.decide(str(auto["entry_id"]), auto["sha256"], "reject", by="kiểm toán", ledger_path=ledger_path)
        dossier = next(d for d, i in ids.items() if i == waiting["entry_id"])
        reg.decide(dossier, waiting["sha256"], "confirm", by="kiểm toán", ledger_path=ledger_path)
        unmatched = reg.unmatched(ledger_path)[0]
        linked_entry = next(i for i in ids.values() if i not in {m["entry_id"] for m in reg.matches()})
        reg.decide(str(linked_entry), unmatched["record"], "confirm", by="kiểm toán", ledger_path=ledger_path)

        def check() -> None:
            assert reg.reconcile(ledger_path).fresh
            pairs = {(m["entry_id"], m["sha256"]): m for m in reg.matches()}
            assert (auto["entry_id"], auto["sha256"]) not in pairs
            assert pairs[(waiting["entry_id"], waiting["sha256"])]["state"] == match.CONFIRMED
            assert pairs[(linked_entry, unmatched["record"])]["state"] == match.CONFIRMED
            assert not [m for m in reg.matches() if m["sha256"] == waiting["sha256"] and m["state"] == match.WAITING]

        check()
        reg.import_file(register_file, by="test", today=TODAY)  # the same register again
        check()
    ledger_path.unlink()  # the archive ingested again from scratch: the same contents, the same ids
    for extra in home.glob("ledger.sqlite-*"):
        extra.unlink()
    ingest_records(ledger_path, records[:600])
    with Register(home) as reg:
        check()  # ``reg`` is the register opened again, on the new ledger


def test_the_ledger_keeps_each_records_facts_with_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledger = Ledger(path)
    try:
        rec = record(1, "", doc_type="Giấy phép xây dựng", number="12 /gpxd", issue_date="2024-03-05",
                     issuer="SỞ XÂY DỰNG", holder_name="Nguyễn Văn An")
        ledger.add_document(rec.id, "/scans/1.pdf", 1)
        ledger.store(rec)
        facts = ledger.db.execute("SELECT number_key, agency_key, holder_key, extracted_on, verified_on, signed_on "
                                  "FROM facts").fetchall()
        created = ledger.db.execute("SELECT created FROM documents").fetchone()[0]
        day = dt.datetime.fromisoformat(created).astimezone(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
        # The agency as who it is: a department named without its province (none printed above it).
        assert facts == [("12/GPXD", "so:xay dung@?", "nguyen van an", day, day, None)]
        # A result about a person without its holder is not extracted; a person's word makes it so.
        ledger.correct(rec.id, "holder_name", None, by="clerk")
        assert ledger.db.execute("SELECT extracted_on FROM facts").fetchone() == (None,)
        ledger.correct(rec.id, "holder_name", "Nguyễn Văn Bình", by="clerk")
        assert ledger.db.execute("SELECT holder_key, verified_on FROM facts").fetchone()[0] == "nguyen van binh"
        # Doubtful key fields: extracted, not verified.
        doubtful = dataclasses.replace(rec, extraction=dataclasses.replace(
            rec.extraction, confidence={**rec.extraction.confidence, "number": 0.5}))
        ledger.update_record(doubtful)
        assert ledger.db.execute("SELECT extracted_on IS NOT NULL, verified_on FROM facts").fetchone() == (1, None)
        copy = SignedCopy("/copies/x.pdf", "ab" * 32, "B-LT", "2026-02-03T09:00:00+07:00", "SỞ XÂY DỰNG")
        ledger.update_record(dataclasses.replace(rec, signed_copy=copy))
        assert ledger.db.execute("SELECT signed_on FROM facts").fetchone() == ("2026-02-03",)
        ledger.mark_orphaned(rec.id)
        assert ledger.db.execute("SELECT count(*) FROM facts").fetchone() == (0,)
        # A ledger written before the facts existed gets them on the first sync.
        ledger.requeue(rec.id)
        ledger.store(rec)
        ledger.db.execute("DELETE FROM facts")
        assert ledger.sync_facts() == 1
        assert ledger.db.execute("SELECT holder_key FROM facts").fetchone() == ("nguyen van binh",)
        assert ledger.sync_facts() == 0
    finally:
        ledger.close()


def test_matching_steps_on_their_own() -> None:
    # An agency here is its own key and name (the matcher compares keys, and names for a misread).
    entries = [match.EntryKeys(1, "ubnd xa tan an", "ubnd xa tan an", "12/GKS-UBND", "2024-03-05", "nguyen van an"),
               match.EntryKeys(2, "ubnd xa tan an", "ubnd xa tan an", "13/GKS-UBND", "2024-03-05", "tran thi binh"),
               match.EntryKeys(3, "ubnd xa tan ha", "ubnd xa tan ha", "12/GKS-UBND", "2024-03-05", None),
               match.EntryKeys(4, "ubnd xa tan an", "ubnd xa tan an", "40/GKS-UBND", "2024-06-01", None)]
    matcher = match.Matcher(entries)

    def one(agency: str | None, number: str | None, issued: str | None, holder: str | None = None,
            successor: str | None = None) -> list[tuple[int, str, str]]:
        found = matcher.match(match.RecordKeys("x", agency, successor, agency, number, issued, holder))
        return [(m.entry_id, m.state, m.reason) for m in found]

    assert one("ubnd xa tan an", "12/GKS-UBND", "2024-03-05") == [(1, "auto", "exact")]
    assert one("ubnd xa tan an", "l2/GKS-UBND", "2024-03-05") == [(1, "auto", "number_ocr")]
    assert one("ubnd xa tam an", "12/GKS-UBND", "2024-03-05") == [(1, "auto", "agency_ocr")]
    assert one("ubnd xa tan", "12/GKS-UBND", "2024-03-05") == [(1, "waiting", "agency_ocr"),
                                                                (3, "waiting", "agency_ocr")]
    assert one("ubnd xa tan an", "12/GKS-UBND", "2024-03-08") == [(1, "auto", "date_ocr")]
    assert one("ubnd xa tan an", "12/GKS-UBND", "2024-05-03") == [(1, "auto", "date_ocr")]  # day and month
    assert one("ubnd xa tan an", "12/GKS-UBND", "2024-11-20") == [(1, "waiting", "date_near")]
    assert one("ubnd xa tan an", "12/GKS-UBND", None) == [(1, "waiting", "no_date")]
    assert one("ubnd xa tan an", None, "2024-03-05", "tran thi binh") == [(2, "auto", "holder_date")]
    assert one("ubnd xa tan an", "18/GKS-UBND", "2024-03-05", "nguyen van an") == [(1, "auto", "number_holder")]
    assert one("ubnd xa tan an", "18/GKS-UBND", "2024-03-05", "le van cuong") == []  # someone else
    assert [s for _, s, _ in one("ubnd xa tan an", "14/GKS-UBND", "2024-03-05")] == ["waiting", "waiting"]
    assert one("ubnd huyen cu", "40/GKS-UBND", "2024-06-01", successor="ubnd xa tan an") == [(4, "auto", "exact")]
    assert one("ubnd xa khac", "99/GKS-UBND", "2020-01-01") == []
    rejected = matcher.match(match.RecordKeys("x", "ubnd xa tan an", None, "ubnd xa tan an", "12/GKS-UBND",
                                              "2024-03-05", None), {1: "reject"})
    # 12 on that day is entry 1, and a person said it is not: the next guess waits for them.
    assert [(m.entry_id, m.state) for m in rejected] == [(3, "waiting")]
