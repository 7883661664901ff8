"""Registers as provincial one-stop systems export them (issue 25): a title block, a header
over two rows with merged cells and a numbering row under it, validity in words and
durations, dates with a time, the processing status, a totals row, the signature lines;
as XLSX, XLS and CSV in the encodings Excel writes; a password-protected, a truncated and
a fake workbook refused with what to do; an unknown validity word stopping the import once.

The table is written here from the forms issue 25 lists, not by sohoa's sample writer."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta

from sohoa.register.sheets import RegisterFileError
from sohoa.register.store import Register
from tests.test_register import cp1258

TODAY = dt.date(2026, 12, 1)

TITLE = [["UBND TỈNH QUẢNG NGÃI", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
         ["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "", "", "", "Độc lập - Tự do - Hạnh phúc"],
         [],
         ["DANH SÁCH HỒ SƠ ĐÃ TRẢ KẾT QUẢ"],
         []]
HEADER = [["STT", "Mã hồ sơ", "Thủ tục hành chính", "", "Cơ quan giải quyết", "Kết quả giải quyết", "", "",
           "Trạng thái"],
          ["", "", "Mã thủ tục", "Tên thủ tục", "", "Số, ký hiệu kết quả", "Ngày trả kết quả", "Thời hạn hiệu lực",
           ""],
          ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"]]
MERGED = ["A6:A7", "B6:B7", "C6:D6", "E6:E7", "F6:H6", "I6:I7"]
DATA = [
    # dossier, code, procedure, agency, number, returned, validity, status
    ("000.00.21.H55-210315-0001", "1.001193", "Đăng ký khai sinh", "UBND xã Trà Hiệp", "1817",
     "15/03/2021 14:32", "Vĩnh viễn", "Đã trả kết quả"),
    ("000.00.21.H55-210316-0002", "2.000720", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
     "Phòng Tài chính - Kế hoạch huyện Bình Gia", "1659/GCN-TCKH", "16/03/2021 09:05", "Không thời hạn",
     "Đã trả kết quả"),
    ("000.00.21.H55-210317-0003", "1.013225", "Cấp giấy phép xây dựng", "UBND tỉnh Hải Dương - Sở Xây dựng",
     "Số: 937/GPXD ngày 10/03/2021", "17/03/2021 10:00", "05 năm", "Đã trả kết quả (đúng hạn)"),
    ("000.00.21.H55-210318-0004", "1.002425", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
     "Sở Nông nghiệp và Phát triển nông thôn", "2486/GCNATTP-SNN", "18/03/2021 08:54", "36 tháng",
     "Đã trả kết quả"),
    ("000.00.21.H55-210319-0005", "1.001612", "Đăng ký thành lập hộ kinh doanh",
     "ỦY BAN NHÂN DÂN XÃ TRÀ HIỆP - HUYỆN TRÀ BỒNG, TỈNH QUẢNG NGÃI", "52/GCN", "19/03/2021 16:40",
     "3 năm kể từ ngày cấp", "Đã trả kết quả"),
    ("000.00.21.H55-210320-0006", "1.003011", "Cấp giấy phép bán lẻ rượu", "UBND huyện Trà Bồng",
     "141/GP-UBND", "20/03/2021 07:15", "20/03/2026", "Đã trả kết quả"),
    ("000.00.21.H55-210321-0007", "1.003012", "Cấp giấy phép bán lẻ rượu", "UBND huyện Trà Bồng",
     "142/GP-UBND", "2021-03-21 14:32:10", "", "Đã trả kết quả"),
    ("000.00.21.H55-210322-0008", "1.001193", "Đăng ký khai sinh", "Ủy ban nhân dân xã Trà Hiệp, huyện Trà Bồng",
     "2230, Quyển số 01/2021", "22/03/2021", "Không xác định", "Đã trả kết quả"),
    ("000.00.21.H55-210323-0009", "1.004227", "Cấp giấy phép kinh doanh karaoke", "UBND tỉnh Quảng Ngãi",
     "12/GP-UBND", "23/03/2021", "01 năm", "Đã trả kết quả"),
]
FOOTER = [["Tổng cộng: 9 hồ sơ"],
          [],
          ["", "", "", "", "", "Quảng Ngãi, ngày 30 tháng 12 năm 2025"],
          ["NGƯỜI LẬP BIỂU", "", "", "", "", "THỦ TRƯỞNG ĐƠN VỊ"],
          ["(Ký, ghi rõ họ tên)", "", "", "", "", "(Ký tên, đóng dấu)"],
          [],
          ["Nguyễn Thị Lan", "", "", "", "", "Trần Văn Hà"],
          ["Ghi chú: danh sách gồm các hồ sơ đã trả kết quả trong kỳ."]]


def _day(text: str) -> dt.date:
    head = text.split()[0]
    return dt.date.fromisoformat(head) if "-" in head else dt.datetime.strptime(head, "%d/%m/%Y").date()


def expected() -> dict[str, dict]:
    """What each row says, read by hand: the issue date (the number's own date, else the
    day it was returned), the end of validity."""
    out = {}
    for dossier, _, _, _, number, returned, validity, _ in DATA:
        issued = dt.date(2021, 3, 10) if "ngày 10/03/2021" in number else _day(returned)
        until = {"05 năm": issued + relativedelta(years=5), "36 tháng": issued + relativedelta(months=36),
                 "3 năm kể từ ngày cấp": issued + relativedelta(years=3), "01 năm": issued + relativedelta(years=1),
                 "20/03/2026": dt.date(2026, 3, 20)}.get(validity)
        out[dossier] = {"issued": issued.isoformat(), "valid_until": until.isoformat() if until else None,
                        "issued_exact": int("ngày 10/03/2021" in number)}
    return out


def table(data: list[tuple] = DATA) -> list[list[str]]:
    """The export's rows, each a new list (a test may change them)."""
    return [list(row) for row in (*TITLE, *HEADER, *([str(i), *row] for i, row in enumerate(data, start=1)),
                                  *FOOTER)]


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for span in MERGED:
        sheet.merge_cells(span)
    book.save(path)


def write_xls(path: Path, rows: list[list[str]]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    merged = {(5, 0): (6, 0), (5, 1): (6, 1), (5, 2): (5, 3), (5, 4): (6, 4), (5, 5): (5, 7), (5, 8): (6, 8)}
    covered = {(r, c) for (r0, c0), (r1, c1) in merged.items() for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                sheet.write_merge(r, r1, c, c1, value)
            elif (r, c) not in covered:
                sheet.write(r, c, value)
    book.save(str(path))


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t" if encoding == "utf-16" else ",").writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv utf-8-sig", "csv utf-16", "csv cp1258"])
def test_a_one_stop_export_is_read_whole(tmp_path: Path, kind: str) -> None:
    suffix, _, encoding = kind.partition(" ")
    path = tmp_path / f"export.{suffix}"
    {"xlsx": write_xlsx, "xls": write_xls}.get(suffix, lambda p, r: write_csv(p, r, encoding))(path, table())
    with Register(tmp_path / "home") as reg:
        report = reg.import_file(path, by="test", today=TODAY)
        assert (report.rows, report.added, report.rejected) == (len(DATA), len(DATA), 0), report.errors
        assert report.skipped.get("totals") == 1 and report.skipped.get("footer", 0) >= 4
        assert report.skipped.get("numbering", 0) + any("numbering" in en for _, en in report.notes) == 1
        assert "group" not in report.skipped  # the signers' names under the signature lines are footer too
        got = {e["dossier"]: {k: e[k] for k in ("issued", "valid_until", "issued_exact")} for e in reg.entries()}
        assert got == expected()
        entries = {e["dossier"]: e for e in reg.entries()}
    first = entries[DATA[0][0]]
    assert first["number"] == "1817" and first["status"] == "valid"  # "Đã trả kết quả" is no validity
    assert entries[DATA[2][0]]["number"] == "937/GPXD" and entries[DATA[7][0]]["number"] == "2230"
    assert entries[DATA[5][0]]["procedure_code"] == "1.003011" != entries[DATA[6][0]]["procedure_code"]
    assert entries[DATA[0][0]]["agency_key"] == entries[DATA[4][0]]["agency_key"] == entries[DATA[7][0]]["agency_key"]
    assert entries[DATA[1][0]]["level"] == "district" and entries[DATA[3][0]]["level"] == "province"


def test_a_header_answers_to_either_level_of_its_name(tmp_path: Path) -> None:
    """``Kết quả giải quyết / Số, ký hiệu kết quả`` is read as the number; a map may name it
    by its joined name too."""
    path = tmp_path / "export.xlsx"
    rows = table()
    rows[6][5] = "Số"  # the lower level alone means nothing; with the upper one it does
    write_xlsx(path, rows)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nnumber = "Kết quả giải quyết / Số"\n', encoding="utf-8")
    from sohoa.register.columns import column_map

    with Register(tmp_path / "home") as reg:
        report = reg.import_file(path, by="test", mapping=column_map(mapping), today=TODAY)
        assert (report.added, report.rejected) == (len(DATA), 0)


def test_a_register_grouped_by_agency_names_it_in_the_group_rows(tmp_path: Path) -> None:
    rows = [["STT", "Mã hồ sơ", "Số, ký hiệu", "Ngày ký", "Thời hạn hiệu lực", "Trạng thái"],
            ["I. UBND xã Trà Hiệp"],
            ["1", "H55-1", "17/QĐ-UBND", "01/02/2024", "Không thời hạn", "Đã trả kết quả"],
            ["2", "H55-2", "18/QĐ-UBND", "02/02/2024", "", "Đã trả kết quả"],
            ["II. Ban Chỉ đạo 138 tỉnh Quảng Ngãi"],
            ["3", "H55-3", "19/QĐ-BCĐ", "03/02/2024", "", "Đã trả kết quả"],
            ["Tổng số: 3"]]
    path = tmp_path / "grouped.csv"
    write_csv(path, rows, "utf-8-sig")
    with Register(tmp_path / "home") as reg:
        report = reg.import_file(path, by="test", today=TODAY)
        assert (report.added, report.rejected, report.skipped) == (3, 0, {"group": 2, "totals": 1})
        assert [e["agency"] for e in reg.entries("ORDER BY dossier")] == [
            "UBND xã Trà Hiệp", "UBND xã Trà Hiệp", "Ban Chỉ đạo 138 tỉnh Quảng Ngãi"]


def test_a_validity_word_sohoa_does_not_know_stops_the_import_once(tmp_path: Path) -> None:
    data = [*DATA[:3], *((*row[:6], "Theo dự án", *row[7:]) for row in DATA[3:7]), *DATA[7:]]
    path = tmp_path / "export.xlsx"
    write_xlsx(path, table(data))
    with Register(tmp_path / "home") as reg:
        with pytest.raises(RegisterFileError) as raised:
            reg.import_file(path, by="test", today=TODAY)
        assert reg.count() == 0  # nothing went in
        message = raised.value.message_en
        assert message.count("Theo dự án") == 1 and "row 12" in message and "[validity]" in message
        mapping = tmp_path / "map.toml"
        mapping.write_text('[validity]\n"Theo dự án" = "none"\n', encoding="utf-8")
        from sohoa.register.columns import column_map

        assert reg.import_file(path, by="test", mapping=column_map(mapping), today=TODAY).added == len(DATA)


def test_a_status_column_of_validity_words_rejects_a_row_it_cannot_read(tmp_path: Path) -> None:
    data = [(*row[:7], status) for row, status in zip(DATA, ["Còn hiệu lực", "Hết hiệu lực", "Đã thu hồi",
                                                               "Còn hiệu lực", "Tạm giữ", "Còn hiệu lực",
                                                               "Còn hiệu lực", "Còn hiệu lực", "Còn hiệu lực"],
                                                      strict=True)]
    path = tmp_path / "export.xlsx"
    write_xlsx(path, table(data))
    with Register(tmp_path / "home") as reg:
        report = reg.import_file(path, by="test", today=TODAY)
        assert [e.row for e in report.errors] == [13] and "Tạm giữ" in report.errors[0].message_en
        assert {e["dossier"]: e["status"] for e in reg.entries()}[DATA[2][0]] == "revoked"


def test_files_sohoa_cannot_open_say_what_to_do(tmp_path: Path, cli) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, table())
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as out:
        OOXMLFile(source).encrypt("mật khẩu", out)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    fake = tmp_path / "fake.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    for path, said in ((locked, "password"), (truncated, "cut short"), (fake, "cut short")):
        result = cli("register", "import", str(path))
        assert result.exit_code == 15, (path, result.output)
        assert said in result.stderr and path.name in result.stderr
        assert "Traceback" not in result.stderr


def test_exports_in_the_other_forms_one_stop_systems_give(tmp_path: Path) -> None:
    """A hostile tester's forms (issue 25): a web page saved as .xls, UTF-16 without its
    mark, a header under 40 title rows, one sheet per commune and a hidden instructions
    sheet, full-width digits, Vietnamese AM/PM times, two-digit years, day numbers as text,
    validity of years and months, "Hết hạn …"."""
    head = ["STT", "Cơ quan ban hành", "Số kết quả", "Ngày ban hành", "Hiệu lực đến"]
    body = [["1", "UBND xã Trà Hiệp", "１８１７", "05/03/2021 8:00:00 SA", "05 năm 06 tháng"],
            ["2", "UBND xã Trà Hiệp", "1818", "05/03/21", "Hết hạn 31/12/2030"],
            ["3", "UBND xã Trà Hiệp", "1819", "44260", "Vĩnh viễn"]]
    want = {"1817": ("2021-03-05", "2026-09-05"), "1818": ("2021-03-05", "2030-12-31"), "1819": ("2021-03-05", None)}
    html = tmp_path / "web.xls"
    html.write_text("<html><body><table><tr><td colspan=5>DANH SÁCH</td></tr><tr>" + "".join(
        f"<th>{h}</th>" for h in head) + "</tr>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                                                      for row in body) + "</table></body></html>", encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_bytes("\n".join("\t".join(r) for r in [head, *body]).encode("utf-16-le"))
    deep = tmp_path / "deep.xlsx"
    write_xlsx(deep, [[f"dòng tiêu đề {i}"] for i in range(39)] + [head, *body])
    sheets = tmp_path / "sheets.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền mỗi xã một trang"])
    book.active.sheet_state = "hidden"
    for name, rows in (("Xã Trà Hiệp", body[:1]), ("Xã Trà Bùi", body[1:])):
        sheet = book.create_sheet(name)
        for row in (head, *rows):
            sheet.append(row)
    book.active = 1  # a hidden sheet is not the one a workbook opens on
    book.save(sheets)
    for path in (html, plain, deep, sheets):
        with Register(tmp_path / f"home-{path.name}") as reg:
            report = reg.import_file(path, by="test", today=TODAY)
            assert (report.rows, report.rejected) == (3, 0), (path.name, report.errors)
            got = {e["number"]: (e["issued"], e["valid_until"]) for e in reg.entries()}
            assert got == want, path.name
    with Register(tmp_path / "home-sheets.xlsx") as reg:
        notes = reg.read_file(sheets, today=TODAY).header.notes
    assert [en for _, en in notes if "sheet" in en] == [
        "sheet “Xã Trà Hiệp”: header on row 1, 1 data rows", "sheet “Xã Trà Bùi”: header on row 1, 2 data rows",
        "hidden sheet “Hướng dẫn”: skipped (--sheet reads it)"]
