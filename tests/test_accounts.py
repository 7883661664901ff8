"""Accounts and the access log: the CLI that makes the first admin, Argon2id passwords,
sign-in throttling, roles, and a hash-chained log that notices any change or deletion."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from sohoa.accounts.audit import AccessLog
from sohoa.accounts.users import FREE_ATTEMPTS, Accounts, SignInRefused
from sohoa.cli import main
from sohoa.core.privacy import mask_ids, mask_personal, mask_record

PASSWORD = "mật-khẩu-đủ-dài"


def _run(home: Path, *args: str, stdin: str | None = None):
    return CliRunner(env={"SOHOA_LANG": "en"}).invoke(main, ["--home", str(home), *args], input=stdin)


def test_the_cli_makes_accounts_with_a_password_from_standard_input(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = _run(home, "user", "add", "lan", "--role", "officer", "--agency", "UBND xã A", "--agency", "UBND xã B",
                stdin=PASSWORD + "\n")
    assert made.exit_code == 0 and "Account lan added (officer; UBND xã A, UBND xã B)." in made.output
    assert _run(home, "user", "add", "lan", "--role", "clerk", stdin=PASSWORD + "\n").exit_code == 2
    short = _run(home, "user", "add", "minh", "--role", "clerk", stdin="ngan\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert _run(home, "user", "add", "minh", "--role", "boss", stdin=PASSWORD + "\n").exit_code == 2
    assert _run(home, "user", "add", "an", "--role", "admin", stdin=PASSWORD + "\n").exit_code == 0
    listed = _run(home, "user", "list").output.splitlines()
    assert listed == ["an\tadmin\t*\t", "lan\tofficer\tUBND xã A, UBND xã B\t"]
    accounts = Accounts(home)
    try:
        stored = accounts.db.execute("SELECT password FROM users WHERE name = 'lan'").fetchone()[0]
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert accounts.sign_in("lan", PASSWORD).agencies == ("UBND xã A", "UBND xã B")
    finally:
        accounts.close()
    assert _run(home, "user", "passwd", "lan", stdin="mat-khau-moi-123\n").exit_code == 0
    assert _run(home, "user", "disable", "lan").exit_code == 0
    assert "DISABLED" in _run(home, "user", "list").output
    assert _run(home, "user", "passwd", "nobody", stdin=PASSWORD + "\n").exit_code == 2


def test_signing_in_right_wrong_disabled_and_slowed_down(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    try:
        accounts.add("lan", PASSWORD, "clerk", by="test")
        start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        assert accounts.sign_in("lan", PASSWORD, now=start).may("correct")
        with pytest.raises(SignInRefused) as unknown:
            accounts.sign_in("nobody", PASSWORD, now=start)
        with pytest.raises(SignInRefused) as wrong:
            accounts.sign_in("lan", "sai-mat-khau-roi", now=start)
        assert unknown.value.message_en == wrong.value.message_en  # a missing name is not told apart
        t = start
        for failures in range(1, 10):  # nine more wrong passwords, each tried once the last wait is over
            if failures >= FREE_ATTEMPTS:
                t += dt.timedelta(seconds=2 ** (failures - FREE_ATTEMPTS) + 1)
            with pytest.raises(SignInRefused) as refused:
                accounts.sign_in("lan", "sai-mat-khau-roi", now=t)
            assert refused.value.wait is None, "checked, not refused for waiting"
        with pytest.raises(SignInRefused) as slowed:  # ten wrong: even the right password waits 32 s
            accounts.sign_in("lan", PASSWORD, now=t + dt.timedelta(seconds=1))
        assert slowed.value.wait is not None and 30 <= slowed.value.wait.total_seconds() <= 31
        assert "wait 32 seconds" in slowed.value.message_en
        last = t
        assert accounts.sign_in("lan", PASSWORD, now=last + dt.timedelta(seconds=40)).name == "lan"
        with pytest.raises(SignInRefused):  # the count was reset: one wrong password is not slowed
            accounts.sign_in("lan", "sai-mat-khau-roi", now=last + dt.timedelta(seconds=41))
        assert accounts.sign_in("lan", PASSWORD, now=last + dt.timedelta(seconds=42))
        accounts.set_disabled("lan", True, by="test")
        with pytest.raises(SignInRefused, match="disabled"):
            accounts.sign_in("lan", PASSWORD, now=last + dt.timedelta(seconds=50))
        actions = [e.action for e in accounts.log.entries()]
        assert actions.count("sign_in") == 3 and "sign_in_refused" in actions and actions[-1] == "sign_in_failed"
    finally:
        accounts.close()


def test_a_name_that_is_no_account_is_slowed_down_as_an_account_is(tmp_path: Path) -> None:
    """Seven wrong passwords, each from another address, under an account's name and under
    a name that is no account: the same answers, in the same order (no way to list accounts)."""
    start = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    with Accounts(tmp_path) as accounts:
        accounts.add("victim", PASSWORD, "officer", by="test")
        said = {}
        for name in ("victim", "nosuchuser"):
            answers = []
            for n in range(FREE_ATTEMPTS + 2):
                try:
                    accounts.sign_in(name, "sai-mat-khau-roi", address=f"10.1.{n}.1", now=start)
                except SignInRefused as refused:
                    answers.append((refused.message_en.split(":")[0], refused.wait is not None))
            said[name] = answers
        assert said["victim"] == said["nosuchuser"]
        assert said["victim"][-1][1], "slowed down after the free attempts"


def test_roles_grant_what_the_issue_lists(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    try:
        users = {role: accounts.add(role, PASSWORD, role, by="test") for role in ("officer", "clerk", "auditor",
                                                                                  "admin")}
    finally:
        accounts.close()
    assert users["officer"].may("download") and not users["officer"].may("ingest")
    assert users["clerk"].may("ingest") and users["clerk"].may("correct") and not users["clerk"].may("export")
    assert users["auditor"].may("audit_read") and users["auditor"].may("export") and not users["auditor"].may("users")
    assert users["admin"].may("users") and not users["admin"].may("correct")


def test_personal_id_numbers_are_masked_but_other_numbers_are_not() -> None:
    assert mask_ids("CCCD 024183148061, CMND 121234567") == "CCCD 0241******61, CMND 1212***67"
    # Any 9 to 13 digits could be an ID OCR read one digit short or long: masked too.
    assert mask_ids("ĐT 0912345678; số 1234567890123; 47/QĐ-UBND") == "ĐT 0912****78; số 1234*******23; 47/QĐ-UBND"
    other = "số 12345678901234; ngày 09/4/2021; 645/QĐ-UBND"
    assert mask_ids(other) == other


def test_dates_of_birth_and_addresses_are_masked_with_or_without_accents() -> None:
    text = ("Ngày sinh: 16/05/1983 Dân tộc: Kinh\nDia chi thuong tru: thon Bac, xa Quang Chau\n"
            "NGÀY SINH 1/2/1990; sinh ngày 03-04-1975\nNgày cấp: 01/02/2020\nĐịa chỉ: số 5, phố Huế")
    assert mask_personal(text) == ("Ngày sinh: **/**/**** Dân tộc: Kinh\nDia chi thuong tru: ***\n"
                                   "NGÀY SINH **/**/****; sinh ngày **/**/****\nNgày cấp: 01/02/2020\nĐịa chỉ: ***")


def test_a_record_masked_keeps_no_personal_data_anywhere(cli, born_digital_corpus: Path, tmp_path: Path) -> None:
    """Through the export form of real ingested records: the fields, the text, the layout."""
    import re

    from tests.conftest import copy_corpus, truth

    folder = copy_corpus(born_digital_corpus, tmp_path / "c")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    rows = [json.loads(line) for line in cli("export", "--with-layout").stdout.splitlines()]
    ids = {gt["fields"]["holder_id"] for gt in truth(born_digital_corpus).values() if gt["fields"].get("holder_id")}
    assert ids and any(i in json.dumps(rows, ensure_ascii=False) for i in ids)  # the data is there to mask
    for row in rows:
        masked = json.dumps({k: v for k, v in mask_record(row).items() if k in ("fields", "text", "layout")},
                            ensure_ascii=False)
        assert not any(i in masked for i in ids)
        assert not re.search(r"(?<!\d)\d{12}(?!\d)", masked)
        assert not re.search(r"[Nn]gày sinh:? \d", masked)
        if row["fields"].get("holder_id"):
            assert "*" in mask_record(row)["fields"]["holder_id"]


def test_the_access_log_notices_a_changed_a_deleted_and_a_cut_off_entry(tmp_path: Path) -> None:
    log = AccessLog(tmp_path)
    try:
        for n in range(1, 6):
            log.append("lan", "search", {"q": f"giay phep 02418314806{n}"}, address="10.0.0.7")
        assert [e.what["q"] for e in log.entries()][:1] == ["giay phep 0241******61"]
        assert log.verify().ok and log.verify().entries == 5
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            log.db.execute("UPDATE log SET who = 'x' WHERE seq = 2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            log.db.execute("DELETE FROM log WHERE seq = 5")
    finally:
        log.close()
    original = (tmp_path / "access-log.sqlite").read_bytes()

    def tampered(sql: str) -> tuple[int | None, str, int]:
        (tmp_path / "access-log.sqlite").write_bytes(original)
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"access-log.sqlite{suffix}").unlink(missing_ok=True)
        db = sqlite3.connect(tmp_path / "access-log.sqlite", isolation_level=None)
        db.executescript("DROP TRIGGER log_no_update; DROP TRIGGER log_no_delete; " + sql)  # as an intruder would
        db.close()
        result = _run(tmp_path, "audit", "verify")
        again = AccessLog(tmp_path)
        try:
            found = again.verify()
        finally:
            again.close()
        return found.broken_at, found.reason, result.exit_code

    assert tampered("UPDATE log SET what = '{\"q\": \"khac\"}' WHERE seq = 3;")[:2] == (
        3, "its content was changed after it was written")
    assert tampered("DELETE FROM log WHERE seq = 2;")[:2] == (2, "entry 2 is missing (the next one is 3)")
    at, reason, code = tampered("DELETE FROM log WHERE seq = 5;")
    assert at == 5 and "cut off the end" in reason and code == 8


def test_audit_verify_and_list_from_the_cli(tmp_path: Path) -> None:
    assert _run(tmp_path, "user", "add", "an", "--role", "admin", stdin=PASSWORD + "\n").exit_code == 0
    verified = _run(tmp_path, "audit", "verify")
    assert verified.exit_code == 0 and "The log holds: 1 entries" in verified.output
    rows = [json.loads(line) for line in _run(tmp_path, "audit", "list", "--json").output.splitlines()]
    assert rows[0]["action"] == "user_add" and rows[0]["who"].startswith("cli:") and rows[0]["what"]["user"] == "an"


def test_the_access_log_holds_when_many_threads_write_at_once(tmp_path: Path) -> None:
    """A server appends from many threads, each with its own connection: every entry is
    kept once, in a chain that verifies, with the head on the newest one."""
    import concurrent.futures

    def writer(n: int) -> None:
        with AccessLog(tmp_path) as log:
            for i in range(25):
                log.append(f"user{n}", "search", {"q": f"{n}-{i}"}, address="127.0.0.1")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    with AccessLog(tmp_path) as log:
        check = log.verify()
        entries = list(log.entries())
    assert check.ok and check.entries == 200, check
    assert sorted(e.what["q"] for e in entries) == sorted(f"{n}-{i}" for n in range(8) for i in range(25))
    assert (tmp_path / "access-log.head").read_text().split()[0] == "200"
