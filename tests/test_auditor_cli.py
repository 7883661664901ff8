"""What an auditor is told, as issue 25 asked (each promise tried by the request that broke
it before): no figure, never "done", from no register, a mistyped agency or key; two
procedures of one name told apart by code; one scan counted for one result unless marked
as the result of both; decisions and imports in the access log; an import undone; a
register previewed (``--dry-run``) and its agencies listed and settled by hand
(``register agencies``, ``[agencies]``); lists that end quietly on a closed pipe; the
report in Vietnam's time and number format, without the sections it has no data for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sohoa.ingest.ledger import Ledger
from tests.test_register_layouts import DATA, HEADER, TITLE, table, write_xlsx
from tests.test_search import record

# What the archive read from the scans: the issuer as printed, with its parent above it.
ARCHIVE = [
    ("ỦY BAN NHÂN DÂN XÃ TRÀ HIỆP", "HUYỆN TRÀ BỒNG, TỈNH QUẢNG NGÃI", "1817", "2021-03-15"),
    ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "UBND HUYỆN BÌNH GIA", "1659/GCN-TCKH", "2021-03-16"),
    ("SỞ XÂY DỰNG", "UBND TỈNH HẢI DƯƠNG", "937/GPXD", "2021-03-10"),
    ("ỦY BAN NHÂN DÂN XÃ TRÀ HIỆP", "HUYỆN TRÀ BỒNG, TỈNH QUẢNG NGÃI", "52/GCN", "2021-03-19"),
    ("ỦY BAN NHÂN DÂN HUYỆN TRÀ BỒNG", "TỈNH QUẢNG NGÃI", "141/GP-UBND", "2021-03-20"),
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", None, "12/GP-UBND", "2021-03-23"),
    ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", None, "7/QĐ-TTPVHCC", "2021-04-01"),  # no unit printed; in no register
]


def build_home(home: Path, *, register: bool = True) -> Path:
    """A home with the layouts test's one-stop export imported and an archive of the
    results above (the export's file is returned)."""
    home.mkdir(parents=True, exist_ok=True)
    with Ledger(home / "ledger.sqlite") as ledger:
        for n, (issuer, parent, number, issued) in enumerate(ARCHIVE):
            rec = record(n, "", doc_type="Quyết định", issuer=issuer, issuer_parent=parent, number=number,
                         issue_date=issued)
            ledger.add_document(rec.id, f"/scans/hop-{n}.pdf", 1)
            ledger.store(rec)
    path = home.parent / "export.xlsx"
    write_xlsx(path, table())
    if register:
        from sohoa.register.store import Register

        with Register(home) as reg:
            reg.import_file(path, by="test", today=dt.date(2026, 11, 27))
    return path


def test_no_register_no_figure(cli, home: Path) -> None:
    build_home(home, register=False)
    for command in (("progress",), ("progress", "--by", "agency"), ("report", "-o", str(home / "r.xlsx")),
                    ("register", "missing")):
        result = cli(*command)
        assert result.exit_code == 5, (command, result.output)
        assert "No register" in result.stderr and "register import" in result.stderr
        assert "done" not in result.stdout and not (home / "r.xlsx").exists()


def test_a_mistyped_agency_or_key_is_said_not_counted(cli, home: Path) -> None:
    build_home(home)
    result = cli("progress", "--agency", "UBND xa Tra Hiepp")
    assert result.exit_code == 5 and "no agency 'UBND xa Tra Hiepp'" in result.stderr
    assert "Trà Hiệp" in result.stderr  # the closest name is offered
    one = cli("progress", "--agency", "Uy ban nhan dan xa Tra Hiep")  # any way of writing it
    assert one.exit_code == 0 and "Province" not in one.stdout  # one agency's figures are no province's
    assert [line.split()[0] for line in one.stdout.splitlines()[2:]] == ["Total"]  # said once
    for by, key in (("agency", "Sở Y tế"), ("year", "1999"), ("level", "trung ương"), ("procedure", "Cấp phép xyz")):
        result = cli("register", "missing", "--by", by, "--key", key)
        assert result.exit_code == 5, (by, key, result.output)
        assert result.stdout == ""


def test_two_procedures_of_one_name_are_told_apart_by_code(cli, home: Path) -> None:
    build_home(home)
    rows = {r["key"]: r for r in json.loads(cli("progress", "--by", "procedure", "--as-of", "2025-01-01",
                                                "--json").stdout)["rows"]}
    assert "1.003011 Cấp giấy phép bán lẻ rượu" in rows and "1.003012 Cấp giấy phép bán lẻ rượu" in rows
    both = cli("register", "missing", "--by", "procedure", "--key", "Cấp giấy phép bán lẻ rượu")
    assert both.exit_code == 5 and "1.003011" in both.stderr and "1.003012" in both.stderr
    for key in ("1.003012", "1.003012 Cấp giấy phép bán lẻ rượu"):
        one = cli("register", "missing", "--by", "procedure", "--key", key, "--stage", "signed", "--format", "jsonl")
        assert one.exit_code == 0 and [json.loads(x)["procedure_code"] for x in one.stdout.splitlines()] == [
            "1.003012"]


def test_a_status_is_never_done_for_nothing(cli, home: Path) -> None:
    build_home(home)
    data = json.loads(cli("progress", "--by", "year", "--as-of", "2021-03-01", "--json").stdout)
    assert data["total"]["valid"] == 0 and all(r["status"] != "done" for r in [*data["rows"]])
    text = cli("progress", "--as-of", "2021-03-01").stdout
    assert "nothing to count" in text and " done" not in text


def test_much_of_the_archive_unmatched_is_said(cli, home: Path) -> None:
    build_home(home)
    with Ledger(home / "ledger.sqlite") as ledger:  # scans of an agency the register does not list
        for n in range(20):
            rec = record(100 + n, "", doc_type="Quyết định", issuer="ỦY BAN NHÂN DÂN XÃ BA ĐIỀN",
                         issuer_parent="HUYỆN BA TƠ, TỈNH QUẢNG NGÃI", number=f"{n + 1}/QĐ-UBND",
                         issue_date="2022-05-01")
            ledger.add_document(rec.id, f"/scans/x-{n}.pdf", 1)
            ledger.store(rec)
    result = cli("progress")
    assert result.exit_code == 0 and "match no register entry" in result.stderr
    assert "register agencies" in result.stderr
    assert json.loads(cli("progress", "--json").stdout)["warnings"]


def test_one_scan_counts_for_one_result_unless_it_is_both(cli, home: Path) -> None:
    build_home(home)
    entries = {json.loads(x)["number"]: json.loads(x) for x in
               cli("register", "missing", "--format", "jsonl", "--stage", "signed").stdout.splitlines()}
    trahiep = next(json.loads(x) for x in cli("register", "unmatched", "--format", "jsonl").stdout.splitlines()
                   if json.loads(x)["number"] == "7/QĐ-TTPVHCC")
    first, second = str(entries["1817"]["id"]), str(entries["2230"]["id"])
    assert cli("register", "link", first, trahiep["record"]).exit_code == 0  # a wrong link, as a person may make
    refused = cli("register", "link", second, trahiep["record"])
    assert refused.exit_code == 15 and "--both" in refused.stderr and "counts for one result" in refused.stderr
    assert cli("register", "link", "--both", second, trahiep["record"], "--note", "one decision, two dossiers"
               ).exit_code == 0
    log = [json.loads(x) for x in cli("audit", "list", "--json").stdout.splitlines()]
    decisions = [e for e in log if e["action"] == "register_decision"]
    assert [(d["what"]["entry"], d["what"]["both"]) for d in decisions] == [(int(first), False), (int(second), True)]


def test_an_import_is_undone_from_the_newest_back(cli, home: Path, tmp_path: Path) -> None:
    path = build_home(home, register=False)
    assert cli("register", "import", str(path)).exit_code == 0
    first = cli("register", "missing", "--format", "jsonl", "--stage", "signed").stdout
    changed = [list(r) for r in table()]
    changed[8][8] = "Đã thu hồi"  # the first result revoked since
    changed.append(["10", "000.00.21.H55-210324-0010", "1.001193", "Đăng ký khai sinh", "UBND xã Trà Hiệp", "99",
                    "24/03/2021", "", "Đã trả kết quả"])
    later = tmp_path / "later.xlsx"
    write_xlsx(later, changed)
    assert cli("register", "import", str(later)).exit_code == 1  # the status column now holds validity words
    before = cli("register", "missing", "--format", "jsonl", "--stage", "signed").stdout
    assert cli("register", "undo", "1").exit_code == 15  # import 2 came after it
    done = cli("register", "undo", "2")
    assert done.exit_code == 0 and "removed" in done.stdout
    after = cli("register", "missing", "--format", "jsonl", "--stage", "signed").stdout
    assert after != before and after == first
    assert "undone" in cli("register", "history").stdout.splitlines()[0]
    assert cli("register", "undo", "2").exit_code == 15  # once
    assert cli("register", "undo", "1").exit_code == 0
    assert cli("register", "missing").exit_code == 5  # nothing left: no register
    actions = [json.loads(x)["action"] for x in cli("audit", "list", "--json").stdout.splitlines()]
    assert actions.count("register_import") == 2 and actions.count("register_undo") == 2


def test_a_dry_run_shows_how_the_file_is_read_and_stores_nothing(cli, home: Path) -> None:
    path = build_home(home, register=False)
    shown = cli("register", "import", "--dry-run", str(path))
    assert shown.exit_code == 0
    out = shown.stdout
    assert "“Kết quả giải quyết / Số, ký hiệu kết quả” → number" in out
    assert "“Kết quả giải quyết / Ngày trả kết quả” → returned" in out
    assert "numbering" in out and "the return date" in out
    assert "“05 năm” ×1 → 5 years from the issue date" in out and "“Vĩnh viễn” ×1 → no end" in out
    assert "“Đã trả kết quả” ×8 → the dossier's processing status, not validity" in out
    assert "Ủy ban nhân dân xã Trà Hiệp (Trà Bồng, Quảng Ngãi)" in out
    assert "Nothing was imported" in out and cli("register", "history").stdout == ""
    keys = json.loads(cli("register", "import", "--dry-run", "--json", str(path)).stdout)
    assert keys["imported"] is False and keys["columns"]["number"]["name"] == "Kết quả giải quyết / Số, ký hiệu kết quả"
    assert {"word": "Vĩnh viễn", "rows": 1, "meaning": "no end"} in keys["words"]["valid_until"]
    trahiep = next(r for r in keys["first_rows"] if "Trà Hiệp" in r["agency"])
    assert trahiep["identity"] == "Ủy ban nhân dân xã Trà Hiệp (Trà Bồng, Quảng Ngãi)" and trahiep["places"] == 1
    assert keys["read"] + keys["bad"] == keys["rows"] and cli("register", "history").stdout == ""


def test_agencies_are_listed_unplaced_first_and_settled_by_hand(cli, home: Path, tmp_path: Path) -> None:
    build_home(home)
    listed = [json.loads(x) for x in cli("register", "agencies", "--format", "jsonl").stdout.splitlines()]
    states = [r["state"] for r in listed]
    assert states == sorted(states, key=["unresolved", "ambiguous", "mapped", "resolved"].index)
    centre = next(r for r in listed if r["side"] == "archive" and r["name"].startswith("TRUNG TÂM PHỤC VỤ"))
    assert centre["state"] == "unresolved" and centre["matched"] == 0
    trahiep = [r for r in listed if "Trà Hiệp" in str(r["identity"])]
    assert {r["side"] for r in trahiep} == {"register", "archive"} and len({r["key"] for r in trahiep}) == 1
    # The scan names its centre without a place; the register names the province's. Said by hand:
    mapping = tmp_path / "map.toml"
    mapping.write_text('[agencies]\n"Trung tâm Phục vụ hành chính công" = "Trung tâm Phục vụ hành chính công '
                       'tỉnh Quảng Ngãi"\n', encoding="utf-8")
    tried = [json.loads(x) for x in cli("register", "agencies", "--map", str(mapping), "--format", "jsonl"
                                        ).stdout.splitlines()]
    assert next(r for r in tried if r["name"].startswith("TRUNG TÂM PHỤC VỤ"))["state"] == "mapped"
    extra = [list(r) for r in table()]
    extra.insert(len(TITLE) + len(HEADER) + len(DATA), [
        "10", "H55-TTPVHCC", "", "", "Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi", "7/QĐ-TTPVHCC",
        "01/04/2021", "", "Đã trả kết quả"])
    path = tmp_path / "with_centre.xlsx"
    write_xlsx(path, extra)
    assert "7/QĐ-TTPVHCC" in cli("register", "unmatched").stdout
    assert cli("register", "import", str(path)).exit_code == 0
    assert "7/QĐ-TTPVHCC" in cli("register", "unmatched").stdout  # listed, but not the same body by its name
    assert cli("register", "import", "--map", str(mapping), str(path)).exit_code == 0
    assert "7/QĐ-TTPVHCC" not in cli("register", "unmatched").stdout  # matched through the map, kept with the register
    assert "7/QĐ-TTPVHCC" not in cli("register", "unmatched").stdout


def test_a_list_read_in_part_ends_quietly(home: Path) -> None:
    build_home(home)
    env = {**os.environ, "SOHOA_HOME": str(home)}
    pipe = subprocess.run(f"{sys.executable} -m sohoa register missing --stage signed | head -1", shell=True,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert pipe.stdout.startswith("Entry\tDossier code") and pipe.stderr == ""
    status = subprocess.run([sys.executable, "-m", "sohoa", "register", "missing", "--stage", "signed"], env=env,
                            capture_output=True, timeout=120, check=False)
    assert status.returncode == 0
    empty = subprocess.run([sys.executable, "-m", "sohoa", "register", "waiting"], env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert empty.stdout.startswith("Entry\tDossier code") and "The list is empty" in empty.stderr


def test_the_report_is_in_vietnam_time_and_numbers(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_home(home)
    from sohoa.core.settings import Settings
    from sohoa.register.progress import DEADLINE
    from sohoa.search_api import auditing, report

    monkeypatch.setenv("SOHOA_LANG", "vi")
    settings = Settings(home=home, today=dt.date(2026, 11, 27))
    found = auditing.overview(settings, as_of=settings.today, deadline=DEADLINE)
    made = dt.datetime(2026, 11, 27, 20, 30, tzinfo=dt.UTC)  # 03:30 the next day in Vietnam
    path = home / "report.xlsx"
    report.write_xlsx(found, path, made=made)
    book = openpyxl.load_workbook(path)
    cells = [str(c.value) for row in book[book.sheetnames[0]].iter_rows() for c in row if c.value is not None]
    assert "28/11/2026 03:30 (giờ Việt Nam)" in cells
    assert not any(n.startswith("Chỉ số 766") for n in book.sheetnames)  # the export has no dossier-flow columns
    missing = book["Còn thiếu"]
    levels = {row[2] for row in missing.iter_rows(min_row=3, values_only=True)}
    assert levels <= {"tỉnh", "huyện", "xã"} and levels
    assert report.num(1525) == "1.525" and report.num(0.805, percent=True) == "80,5%"
    pdf = home / "report.pdf"
    report.write_pdf(dataclasses.replace(found, missing=[]), pdf, made=made)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "28/11/2026 03:30" in text and "766" not in text and "Không còn kết quả nào chưa được quét" in text


def test_namesakes_are_never_matched_and_waiting_is_not_matched(cli, home: Path, tmp_path: Path) -> None:
    """Two communes of one name in two districts, a district and the town of its name, are
    other bodies: a result of one never counts for the other, however alike the number and
    the day; a record with only a proposal waiting counts for nothing and is listed. A
    name misread into another commune's (Đồng Tiến read Đông Tiến) is still one body."""
    home.mkdir(parents=True)
    with Ledger(home / "ledger.sqlite") as ledger:
        for n, (issuer, parent, number) in enumerate([
                ("ỦY BAN NHÂN DÂN XÃ HỒNG PHONG", "HUYỆN NINH GIANG, TỈNH HẢI DƯƠNG", "501"),
                ("ỦY BAN NHÂN DÂN THỊ TRẤN NAM SÁCH", "HUYỆN NAM SÁCH, TỈNH HẢI DƯƠNG", "503"),
                ("ỦY BAN NHÂN DÂN XÃ HỒNG PHONG", "HUYỆN NAM SÁCH, TỈNH HẢI DƯƠNG", "507"),
                ("ỦY BAN NHÂN DÂN XÃ ĐÔNG TIẾN", None, "509")]):
            rec = record(n, "", doc_type="Quyết định", issuer=issuer, issuer_parent=parent, number=number,
                         issue_date="2021-03-05")
            ledger.add_document(rec.id, f"/scans/n-{n}.pdf", 1)
            ledger.store(rec)
    path = tmp_path / "namesakes.csv"
    path.write_text("Cơ quan ban hành,Số kết quả,Ngày ban hành\n"
                    "\"UBND xã Hồng Phong, huyện Nam Sách\",501,05/03/2021\n"
                    "UBND huyện Nam Sách,503,05/03/2021\n"
                    "ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN,509,05/03/2021\n", encoding="utf-8")
    assert cli("register", "import", str(path)).exit_code == 0
    data = json.loads(cli("progress", "--json", "--stage", "scanned", "--as-of", "2026-12-31").stdout)
    assert data["total"]["scanned"] == 1 and data["total"]["valid"] == 3 and data["rows"][0]["status"] != "done"
    unmatched = [json.loads(x) for x in cli("register", "unmatched", "--format", "jsonl").stdout.splitlines()]
    assert len(unmatched) == 3  # the Nam Sách Hồng Phong's 507 is at most a proposal, and counts for nothing
    assert json.loads(cli("progress", "--json").stdout)["warnings"]


def test_formula_cells_saved_without_their_value_are_said(cli, home: Path, tmp_path: Path) -> None:
    """A program that writes formulas without computing them (openpyxl does) leaves cells
    every reader sees as empty: the import says so, in words, instead of losing them silently."""
    rows = [list(r) for r in table()]
    at = len(TITLE) + len(HEADER)
    rows[at][6] = "=DATE(2021,3,5)"  # an issue date as a formula, with no value saved
    rows[at + 1][6] = "=DATE(2021,3,6)"
    path = tmp_path / "formulas.xlsx"
    write_xlsx(path, rows)
    from sohoa.register.sheets import unsaved_formulas

    assert unsaved_formulas(path) == {"Sheet": 2}
    dry = cli("register", "import", "--dry-run", str(path))
    assert "Warning: sheet “Sheet”: 2 formula cells have no saved value" in dry.stdout and "LibreOffice" in dry.stdout
    said = cli("register", "import", str(path))
    assert "2 formula cells have no saved value" in said.stderr  # beside the figures, where a person reads
    done = cli("register", "import", "--json", str(path))
    assert json.loads(done.stdout)["warnings"] == [
        "sheet “Sheet”: 2 formula cells have no saved value and read as empty: open the file in Excel or "
        "LibreOffice, save it and import it again"]
    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, table())
    assert unsaved_formulas(plain) == {} and unsaved_formulas(tmp_path / "none.csv") == {}
