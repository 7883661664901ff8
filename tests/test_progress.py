"""Progress toward "every still-valid result digitised" (``sohoa progress``): the figures
the SQL gives equal a row-by-row count done here in Python, for every breakdown and for
a day in the past; the pace, forecast and status against the deadline; the lists of what
is missing; the CLI's JSON interface."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

import pytest
import sample_register

from sohoa.core.model import SignedCopy
from sohoa.core.settings import Settings
from sohoa.ingest.ledger import Ledger
from sohoa.register import progress as counts
from sohoa.register.facts import STAGES
from sohoa.register.store import Register
from sohoa.search_api import auditing
from tests.test_search import record

TODAY = dt.date(2026, 12, 1)


def ingest_over_time(ledger_path: Path, records: list[dict], seed: int) -> None:
    """Store ``records`` in a real ledger as ingests spread over two years would have:
    registered on various days, some key fields doubtful (a person corrects part of them),
    some with a signed copy."""
    rng = random.Random(seed)
    ledger = Ledger(ledger_path)
    try:
        for n, r in enumerate(records):
            rec = dataclasses.replace(record(n, "", doc_type=r["doc_type"], issuer=r["issuer"], number=r["number"],
                                             issue_date=r["issue_date"], holder_name=r["holder_name"]),
                                      id=r["sha256"])
            if rng.random() < 0.3:  # read with doubt: not verified until a person looks
                rec = dataclasses.replace(rec, extraction=dataclasses.replace(
                    rec.extraction, confidence={**rec.extraction.confidence, "number": 0.6}))
            day = dt.date(2024, 11, 1) + dt.timedelta(days=int(rng.triangular(0, 760, 700)))
            if rng.random() < 0.5:
                signed_at = day + dt.timedelta(days=rng.randint(0, 20))
                rec = dataclasses.replace(rec, signed_copy=SignedCopy(
                    f"/copies/{n}.pdf", "ab" * 32, "B-LT", f"{signed_at.isoformat()}T10:00:00+07:00", "VĂN THƯ"))
            ledger.add_document(rec.id, f"/scans/{n}.pdf", 1)
            ledger.db.execute("UPDATE documents SET created = ? WHERE sha256 = ?",
                              (f"{day.isoformat()}T03:00:00+00:00", rec.id))
            ledger.store(rec)
            if rec.extraction.confidence["number"] < 0.8 and rng.random() < 0.5 and rec.fields["number"]:
                ledger.correct(rec.id, "number", rec.fields["number"], by="clerk")
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("progress") / "home"
    table = sample_register.rows(4000, "Bắc Giang", seed=7, today=TODAY)
    listed, records = sample_register.archive(table, seed=7, share=0.7)
    register_file = home.parent / "register.csv"
    home.mkdir()
    sample_register.write(register_file, listed)
    with Register(home) as reg:
        reg.import_file(register_file, by="test", today=TODAY)
    ingest_over_time(home / "ledger.sqlite", records, seed=7)
    return Settings(home=home, today=TODAY)


def copy_home(source: Path, home: Path) -> None:
    """The register and the ledger of ``source`` copied into ``home`` (SQLite's backup:
    whole, whatever is open)."""
    home.mkdir(parents=True, exist_ok=True)
    for name in ("register.sqlite", "ledger.sqlite"):
        with contextlib.closing(sqlite3.connect(source / name)) as src, \
                contextlib.closing(sqlite3.connect(home / name)) as dst:
            src.backup(dst)


def python_count(settings: Settings, by: str | None, as_of: dt.date) -> dict[str, dict[str, int]]:
    """The same figures, one entry at a time, from the matches and the ledger's records."""
    ledger = Ledger(settings.ledger_path)
    stages_of = {}
    created = dict(ledger.db.execute("SELECT sha256, created FROM documents"))
    for rec in ledger.records(include_failed=False):
        f = rec.fields
        scanned = dt.datetime.fromisoformat(created[rec.id]).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
        key_fields = ("number", "issue_date", "issuer", "doc_type", "holder_name")
        extracted = scanned if all(f.get(k) for k in key_fields) else None
        verified = None
        if extracted and all(k in rec.confirmed or rec.extraction.confidence[k] >= 0.8 for k in key_fields):
            verified = max([scanned, *(dt.date.fromisoformat(c.at[:10]) for c in rec.corrections)])
        signed = dt.date.fromisoformat(rec.signed_copy.signed_at[:10]) if rec.signed_copy else None
        stages_of[rec.id] = {"scanned": scanned, "extracted": extracted, "verified": verified, "signed": signed,
                             "valid_until": f.get("valid_until")}
    ledger.close()
    out: dict[str, dict[str, int]] = {}
    with Register(settings.home) as reg:
        matched: dict[int, list[str]] = {}
        for m in reg.matches():
            if m["state"] in ("auto", "confirmed"):
                matched.setdefault(m["entry_id"], []).append(m["sha256"])
        for e in reg.entries():
            mine = [stages_of[s] for s in matched.get(e["id"], ())]
            until = e["valid_until"] or max((s["valid_until"] for s in mine if s["valid_until"]), default=None)
            if e["status"] != "valid" or e["issued"] > as_of.isoformat() or (until and until < as_of.isoformat()):
                continue
            key = {None: "total", "level": e["level"], "agency": e["agency_label"] or e["agency"],
                   "year": e["issued"][:4],
                   "procedure": " ".join(filter(None, (e["procedure_code"], e["procedure_name"])))}[by]
            row = out.setdefault(key, dict.fromkeys(("valid", *STAGES), 0))
            row["valid"] += 1
            for stage in STAGES:
                days = [s[stage] for s in mine if s[stage] is not None]
                row[stage] += bool(days) and min(days) <= as_of
    return out


@pytest.mark.parametrize("as_of", [TODAY, dt.date(2025, 6, 30)])
@pytest.mark.parametrize("by", [None, "level", "agency", "procedure", "year"])
def test_the_figures_equal_a_count_done_row_by_row(settings: Settings, by: str | None, as_of: dt.date) -> None:
    found = auditing.progress(settings, by=by, as_of=as_of, deadline=counts.DEADLINE, stage="signed")
    expected = python_count(settings, by, as_of)
    rows = {r.key: {k: getattr(r, k) for k in ("valid", *STAGES)} for r in (found.rows if by else [found.total])}
    assert rows == expected
    assert found.total.valid == sum(r["valid"] for r in expected.values())
    assert found.total.signed < found.total.scanned < found.total.valid  # a real picture, not all or nothing
    if by is None and as_of == TODAY:
        print(f"\nprogress on {as_of}: {found.to_json()['total']}")


def test_a_legacy_agency_is_reported_under_its_successor_when_asked(settings: Settings) -> None:
    printed = auditing.progress(settings, by="agency", as_of=TODAY, deadline=counts.DEADLINE, stage="signed")
    merged = auditing.progress(settings, by="agency", as_of=TODAY, deadline=counts.DEADLINE, stage="signed",
                               successor=True)
    keys = {r.key for r in printed.rows}
    assert "Ủy ban nhân dân tỉnh Bắc Giang" in keys
    assert "Ủy ban nhân dân tỉnh Bắc Ninh" in {r.key for r in merged.rows}  # merged on 1 July 2025
    assert "Ủy ban nhân dân tỉnh Bắc Giang" not in {r.key for r in merged.rows}
    assert merged.total == printed.total


def test_an_auditor_of_one_agency_sees_that_agency(settings: Settings) -> None:
    every = auditing.progress(settings, by="agency", as_of=TODAY, deadline=counts.DEADLINE, stage="signed")
    one = auditing.progress(settings, by="agency", as_of=TODAY, deadline=counts.DEADLINE, stage="signed",
                            agencies=["Sở Y tế"])
    assert [r.key for r in one.rows] == ["Sở Y tế tỉnh Bắc Giang"]  # named as the register's province's
    assert one.total.valid == next(r.valid for r in every.rows if r.key == "Sở Y tế tỉnh Bắc Giang") < every.total.valid


def test_what_is_missing_and_what_counts_for_a_figure(settings: Settings) -> None:
    found = auditing.progress(settings, by=None, as_of=TODAY, deadline=counts.DEADLINE, stage="signed")
    with auditing.reconciled(settings) as (reg, _):
        left = counts.missing(reg.db, as_of=TODAY)
        done = counts.reached(reg.db, as_of=TODAY, stage="signed")
        year = counts.reached(reg.db, as_of=TODAY, stage="scanned", key=("year", "2024"))
        weeks = counts.weekly(reg.db, as_of=TODAY, stage="signed")
    assert len(left) == found.total.valid - found.total.scanned
    assert len(done) == found.total.signed and all(d["records"] for d in done)
    assert year and {d["issued"][:4] for d in year} == {"2024"}
    assert weeks[-1][1] == found.total.signed and [w for w, _ in weeks] == sorted(w for w, _ in weeks)
    assert all(dt.date.fromisoformat(w).weekday() == 0 for w, _ in weeks)


def _tiny(tmp_path: Path, stages: list[str | None]) -> Register:
    """A register whose entries reached the signed stage on the given days (None: not yet)."""
    reg = Register(tmp_path / "home")
    for n, day in enumerate(stages):
        reg.db.execute("INSERT INTO entries (id, agency, agency_key, level, issued, status, digest, added_in) "
                       "VALUES (?, 'SỞ Y TẾ', 'so y te', 'province', '2020-01-01', 'valid', '', 1)", (n + 1,))
        if day:
            reg.db.execute("INSERT INTO coverage (entry_id, records, scanned_on, signed_on) VALUES (?, 1, ?, ?)",
                           (n + 1, day, day))
    reg.tally(archive=True)
    return reg


def test_pace_forecast_and_status_against_the_deadline(tmp_path: Path) -> None:
    as_of = dt.date(2024, 6, 1)
    # 10 results, 4 signed, 3 of them in the last 30 days: 0.1 a day, 6 left -> 60 days.
    reg = _tiny(tmp_path, ["2024-01-10", "2024-05-10", "2024-05-20", "2024-05-30", *[None] * 6])
    row = counts.progress(reg.db, as_of=as_of, deadline=dt.date(2024, 12, 31)).total
    assert (row.valid, row.signed, row.forecast, row.status) == (10, 4, "2024-07-31", "on_track")
    assert counts.progress(reg.db, as_of=as_of, deadline=dt.date(2024, 7, 1)).total.status == "late"
    assert counts.progress(reg.db, as_of=dt.date(2025, 1, 5), deadline=dt.date(2024, 12, 31)).total.status == "overdue"
    # Nothing signed in the last 30 days: no pace, no forecast.
    stalled = counts.progress(reg.db, as_of=dt.date(2024, 9, 1), deadline=dt.date(2024, 12, 31)).total
    assert (stalled.forecast, stalled.status) == (None, "late")
    # Before the first result was signed, the past is counted as it was.
    assert counts.progress(reg.db, as_of=dt.date(2024, 1, 9)).total.signed == 0
    reg.close()
    done = _tiny(tmp_path / "done", ["2024-01-10", "2024-03-02"])
    row = counts.progress(done.db, as_of=as_of).total
    assert (row.status, row.forecast) == ("done", "2024-03-02")
    done.close()


def test_the_cli_prints_the_interface_other_tools_rely_on(settings: Settings, cli, home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    copy_home(settings.home, home)
    monkeypatch.setenv("SOHOA_TODAY", TODAY.isoformat())
    out = cli("progress", "--by", "agency", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) >= {"as_of", "deadline", "total", "rows"}
    assert data["as_of"] == TODAY.isoformat() and data["deadline"] == "2024-12-31"
    assert set(data["total"]) == {"valid", "scanned", "extracted", "verified", "signed"}
    for row in data["rows"]:
        assert set(row) >= {"key", "valid", "scanned", "extracted", "verified", "signed", "forecast", "status"}
        assert row["status"] in ("done", "on_track", "late", "overdue", "empty")
        assert row["forecast"] is None or dt.date.fromisoformat(row["forecast"])
    table = cli("progress", "--by", "level").stdout
    assert "commune" in table and "Total" in table and f"{data['total']['valid']}" in table
    monkeypatch.setenv("SOHOA_LANG", "vi")
    assert "còn hiệu lực" in cli("progress").stdout
    monkeypatch.setenv("SOHOA_LANG", "en")
    missing = cli("register", "missing", "--format", "jsonl").stdout.splitlines()
    assert len(missing) == data["total"]["valid"] - data["total"]["scanned"]
    waiting = cli("register", "waiting", "--format", "csv").stdout  # for a person: named columns, reasons in words
    assert waiting.startswith("\ufeffEntry,Dossier code,Agency") and "number_near" not in waiting
    first = json.loads(cli("register", "waiting", "--format", "jsonl").stdout.splitlines()[0])
    assert {"entry_id", "record", "file", "reason", "score"} <= set(first)  # for a tool: the keys
    unmatched = cli("register", "unmatched").stdout.splitlines()
    assert unmatched[0].startswith("Record\tFile\tAgency") and len(unmatched) > 1
    assert all(line.split("\t")[1].endswith(".pdf") for line in unmatched[1:])  # a file name beside each hash
    monkeypatch.setenv("SOHOA_LANG", "vi")
    assert cli("register", "waiting").stdout.startswith("Mục\tMã hồ sơ\tCơ quan")


@pytest.mark.service
def test_elasticsearch_aggregations_give_the_same_answers_as_sql(settings: Settings, es_url: str,
                                                                 es_alias: str) -> None:
    """The contract, as for search: with the archive on a cluster the figures are counted
    there (aggregations over a mirror of the register's tally), and they are the embedded
    default's, for every breakdown, on two days, with legacy agencies merged, one
    agency's scope, the heat map and the weekly curve."""
    on_es = dataclasses.replace(settings, es_url=es_url, es_index=es_alias)
    with auditing.counted(on_es) as (_, found):
        assert found.where == "elasticsearch"
    one = [sorted({e["agency"] for e in _entries(settings)})[3]]
    for as_of in (TODAY, dt.date(2025, 6, 30)):
        for by in (None, "level", "agency", "procedure", "year"):
            for kw in ({}, {"successor": True}, {"agencies": one}):
                sql = auditing.progress(settings, by=by, as_of=as_of, deadline=counts.DEADLINE, stage="signed", **kw)
                es = auditing.progress(on_es, by=by, as_of=as_of, deadline=counts.DEADLINE, stage="signed", **kw)
                assert es == sql, (by, as_of, kw)
        sql_view = auditing.overview(settings, as_of=as_of, deadline=counts.DEADLINE, breakdowns=(), lists=False)
        es_view = auditing.overview(on_es, as_of=as_of, deadline=counts.DEADLINE, breakdowns=(), lists=False)
        assert (es_view.cells, es_view.weeks) == (sql_view.cells, sql_view.weeks)
        assert sql_view.weeks and sql_view.cells
    # The mirror is built again only when the reconciliation changed: the same index answers twice.
    from elasticsearch import Elasticsearch

    with Elasticsearch(es_url) as es:
        before = sorted(es.indices.get(index=f"{es_alias}-register-*").body)
        auditing.progress(on_es, by=None, as_of=TODAY, deadline=counts.DEADLINE, stage="signed")
        assert sorted(es.indices.get(index=f"{es_alias}-register-*").body) == before and len(before) == 1


def _entries(settings: Settings) -> list[dict]:
    with Register(settings.home) as reg:
        return reg.entries()


@pytest.mark.parametrize("by", ["level", "agency", "procedure", "year"])
def test_each_count_drills_down_to_as_many_entries(settings: Settings, cli, home: Path, by: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    copy_home(settings.home, home)
    monkeypatch.setenv("SOHOA_TODAY", TODAY.isoformat())
    rows = json.loads(cli("progress", "--by", by, "--json").stdout)["rows"]
    for row in rows[:4]:
        key = {"province": "tỉnh", "district": "huyện", "commune": "xã"}.get(row["key"], row["key"])  # as typed
        signed = cli("register", "missing", "--by", by, "--key", key, "--stage", "signed", "--reached",
                     "--format", "jsonl").stdout.splitlines()
        assert len(signed) == row["signed"], (by, row["key"])
        assert all(json.loads(line)["records"] for line in signed)
        left = cli("register", "missing", "--by", by, "--key", key, "--format", "jsonl").stdout.splitlines()
        assert len(left) == row["valid"] - row["scanned"], (by, row["key"])
