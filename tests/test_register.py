"""The register of issued results (``sohoa.register``): a generated province register in
CSV and XLSX goes in whole except its bad rows, each reported by its row number; importing
it again changes nothing; a changed row updates its entry; exports with other column
names are read through a column map; files that are not a register say why."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import sample_register

from sohoa.register.columns import column_map
from sohoa.register.sheets import RegisterFileError
from sohoa.register.store import Register

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def table() -> tuple[list[dict[str, str]], dict[int, str]]:
    good = sample_register.rows(3000, "Bắc Giang", seed=3, today=TODAY)
    return sample_register.spoil(good, 0.01, seed=3)


def test_every_bad_row_is_reported_by_number_and_the_rest_goes_in(tmp_path: Path, table) -> None:
    rows, bad = table
    path = tmp_path / "register.csv"
    sample_register.write(path, rows)
    with Register(tmp_path / "home") as reg:
        report = reg.import_file(path, by="test", today=TODAY)
        assert {e.row for e in report.errors} == set(bad)  # exactly the bad rows, by number
        assert len(bad) == 30 and report.rows == 3000
        assert report.added == 3000 - len(bad) == reg.count()
        for error in report.errors:
            assert error.message_vi and error.message_en
        kinds = {bad[e.row]: e for e in report.errors}
        assert "01/01/2099" not in kinds["future_date"].message_en and "2099" in kinds["future_date"].message_en
        assert kinds["bad_level"].column == "Cấp" and "trung ương" in kinds["bad_level"].message_vi
        duplicate = kinds["duplicate"]
        assert f"row {duplicate.row - 1}" in duplicate.message_en

        again = reg.import_file(path, by="test", today=TODAY)
        assert (again.added, again.changed, again.unchanged, again.rejected) == (0, 0, report.added, len(bad))
        assert reg.count() == report.added
        history = reg.imports()
        assert [h.id for h in history] == [again.id, report.id]
        assert history[0].sha256 == history[1].sha256 and len(history[0].sha256) == 64
        assert [e.row for e in reg.rejects(report.id)] == sorted(bad)


def test_the_same_register_as_xlsx_gives_the_same_entries(tmp_path: Path, table) -> None:
    rows, _ = table
    entries = {}
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"register.{suffix}"
        sample_register.write(path, rows[:400])
        with Register(tmp_path / suffix) as reg:
            reg.import_file(path, by="test", today=TODAY)
            entries[suffix] = [{k: v for k, v in e.items() if k not in ("id", "added_in")} for e in reg.entries()]
    assert entries["xlsx"] == entries["csv"]
    assert len(entries["csv"]) > 390


def test_a_changed_row_updates_its_entry_and_a_row_without_dossier_is_found_by_number(tmp_path: Path, table) -> None:
    rows, _ = table
    first = [dict(r) for r in rows[:50] if r["Cơ quan ban hành"] and r["Mã hồ sơ"]][:20]
    path = tmp_path / "r.csv"
    sample_register.write(path, first)
    with Register(tmp_path / "home") as reg:
        reg.import_file(path, by="test", today=TODAY)
        later = [dict(r) for r in first]
        later[3]["Trạng thái"] = "thu hồi"  # revoked since
        later[5]["Mã hồ sơ"] = ""  # another export without the dossier code: same agency, number, date
        later[5]["Người được cấp"] = "Nguyễn Văn Mới"
        sample_register.write(path, later)
        report = reg.import_file(path, by="test", today=TODAY)
        assert (report.added, report.changed, report.unchanged, report.rejected) == (0, 2, 18, 0)
        revoked = reg.entries("WHERE dossier = ?", (first[3]["Mã hồ sơ"],))[0]
        assert revoked["status"] == "revoked" and revoked["changed_in"] == report.id
        assert reg.count() == 20


def test_another_provinces_export_is_read_through_a_column_map(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["DANH SÁCH KẾT QUẢ GIẢI QUYẾT TTHC NĂM 2024"])  # a title row above the header
        w.writerow([])
        w.writerow(["STT", "Đơn vị cấp", "Số GP", "Ngày cấp", "Cấp", "Tình trạng", "Ghi chú"])
        w.writerow(["1", "UBND xã Tân An", "12/GKS-UBND", "2024-03-05", "", "Còn hiệu lực", "x"])
        w.writerow(["2", "Sở Xây dựng", "7 / gpxd", "05/03/2024", "", "Đã hủy", ""])
        w.writerow(["3", "Phòng Tư pháp", "8/TP", "5.3.2024", "", "", ""])
    with Register(tmp_path / "home") as reg:
        with pytest.raises(RegisterFileError, match="--map"):
            reg.import_file(path, by="test", today=TODAY)
        mapping_file = tmp_path / "map.toml"
        mapping_file.write_text('[columns]\nagency = "Đơn vị cấp"\nnumber = "Số GP"\n\n'
                                '[statuses]\n"Đã hủy" = "revoked"\n', encoding="utf-8")
        report = reg.import_file(path, by="test", mapping=column_map(mapping_file), today=TODAY)
        assert (report.added, report.rejected) == (3, 0)
        got = {e["number_key"]: e for e in reg.entries()}
        assert got["8/TP"]["level"] == "district"  # no level given: a Phòng is a district's office
        assert got["12/GKS-UBND"]["level"] == "commune" and got["12/GKS-UBND"]["issued"] == "2024-03-05"
        assert got["7/GPXD"]["level"] == "province" and got["7/GPXD"]["status"] == "revoked"
        assert got["7/GPXD"]["issued"] == "2024-03-05"


def test_a_bad_column_map_and_a_file_that_is_not_a_register(tmp_path: Path) -> None:
    bad_map = tmp_path / "map.toml"
    bad_map.write_text('[columns]\nowner = "Chủ"\n', encoding="utf-8")
    with pytest.raises(Exception, match="no field 'owner'"):
        column_map(bad_map)
    legacy = tmp_path / "old.csv"
    text = "Cơ quan ban hành,Số kết quả,Ngày ban hành\nỦy ban nhân dân xã Tân Dĩnh,1/QĐ-UBND,01/02/2020\n"
    # A Windows export: Windows-1258 writes the tone marks apart from their letters.
    legacy.write_bytes(cp1258(text))
    with Register(tmp_path / "home") as reg:
        assert reg.import_file(legacy, by="test", today=TODAY).added == 1
        assert reg.entries()[0]["agency"] == "Ủy ban nhân dân xã Tân Dĩnh"
    garbage = tmp_path / "noise.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    with Register(tmp_path / "home") as reg, pytest.raises(RegisterFileError):
        reg.import_file(garbage, by="test", today=TODAY)
    with Register(tmp_path / "home") as reg, pytest.raises(RegisterFileError, match="no file"):
        reg.import_file(tmp_path / "missing.xlsx", by="test", today=TODAY)


def test_the_cli_reports_rejected_rows_and_keeps_the_history(
        cli, tmp_path: Path, table, monkeypatch: pytest.MonkeyPatch) -> None:
    rows, bad = table
    path = tmp_path / "register.xlsx"
    sample_register.write(path, rows[:500])
    monkeypatch.setenv("SOHOA_LANG", "vi")
    first = cli("register", "import", str(path))
    expected_bad = sorted(r for r in bad if r <= 501)
    assert first.exit_code == 1  # some rows were rejected
    for row in expected_bad:
        assert f"DÒNG {row}" in first.stderr
    assert f"bị từ chối {len(expected_bad)}" in first.stdout
    monkeypatch.setenv("SOHOA_LANG", "en")
    second = cli("register", "import", "--json", str(path))
    assert json.loads(second.stdout)["added"] == 0
    assert json.loads(second.stdout)["unchanged"] == 500 - len(expected_bad)
    history = cli("register", "history", "--json").stdout.splitlines()
    assert [json.loads(h)["id"] for h in history] == [2, 1]
    rejects = cli("register", "rejects", "1")  # the command's answer: on stdout
    assert [line.split(":")[0].split()[1].rstrip(",") for line in rejects.stdout.splitlines()] == [
        str(r) for r in expected_bad]
    assert cli("register", "rejects", "9").exit_code == 5


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 holds Vietnamese: letters with their hat, breve or horn
    precomposed, tone marks after them as combining characters."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        marks = [c for c in parts if c in tones]
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + "".join(marks))
    return "".join(out).encode("cp1258")
