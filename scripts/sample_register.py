"""Write a realistic register of issued results for one province, as its one-stop
information system exports it (the columns of ``sohoa.register.rows.DEFAULT_COLUMNS``).

Tens of agencies over the province, its districts (abolished on 1 July 2025) and their
communes, named from the gazetteer; results issued from 2015 to 2025, more each year and
more of them electronic; construction permits lapse after 12 months, food-safety
certificates after three years; some results revoked or replaced. ``--bad`` puts in a
share of rows an export really holds wrong (no agency, an unreadable or future date, an
unknown level or status, the same dossier twice), each listed in ``--truth``.

    python scripts/sample_register.py OUT.csv|OUT.xlsx [--rows 20000] [--province "Bắc Giang"]
        [--seed 1] [--bad 0.01] [--truth OUT.json] [--scans DIR]

``--scans DIR`` also enters the results of generated scans (their ``.gt.json``), so that
an archive ingested from DIR is part of what the register lists.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_content import DISTRICTS, _gazetteer_units, person

HEADERS = ["Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Cơ quan ban hành", "Cấp", "Số kết quả", "Ngày ban hành",
           "Người được cấp", "Hiệu lực đến", "Trạng thái", "Ngày tiếp nhận", "Kết quả điện tử", "Số hóa hồ sơ",
           "Tái sử dụng"]
LEVEL_WORD = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
STATUS_WORD = {"valid": "còn hiệu lực", "expired": "hết hiệu lực", "revoked": "thu hồi", "replaced": "thay thế"}


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    level: str
    notation: str
    months: int | None
    """How long its result stays valid; None: until revoked."""
    about_a_person: bool
    share: float


PROCEDURES = (
    Procedure("1.009994", "Cấp giấy phép xây dựng", "province", "GPXD", 12, True, 0.5),
    Procedure("1.010019", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "district", "GPXD", 12, True, 1.2),
    Procedure("2.000591", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "province", "GCNATTP-SYT",
              36, True, 0.5),
    Procedure("2.000720", "Đăng ký thành lập hộ kinh doanh", "district", "GCN-TCKH", None, True, 1.5),
    Procedure("1.001193", "Đăng ký khai sinh", "commune", "GKS-UBND", None, True, 3.0),
    Procedure("1.004884", "Chứng thực hợp đồng, giao dịch", "commune", "CT-UBND", None, True, 1.5),
    Procedure("1.003005", "Hỗ trợ cho người có hoàn cảnh khó khăn", "district", "QĐ-UBND", None, True, 0.8),
    Procedure("1.001022", "Phê duyệt dự án, kế hoạch", "province", "QĐ-UBND", None, False, 0.6),
)


@dataclass(frozen=True)
class Agency:
    name: str
    level: str
    district: str | None


def agencies(province: str, rng: random.Random, districts: int = 8, communes: int = 4) -> list[Agency]:
    """The province's issuing agencies: its council and departments, and for each district
    its council and finance office, and a few of its communes."""
    pu = province.upper()
    found = [Agency(f"ỦY BAN NHÂN DÂN TỈNH {pu}", "province", None), Agency("SỞ XÂY DỰNG", "province", None),
             Agency("SỞ Y TẾ", "province", None)]
    names = _gazetteer_units("district", province, ("Huyện",)) or DISTRICTS
    pool = _gazetteer_units("commune", province, ("Xã",)) or ["Tân An", "Xuân Phú", "Đồng Việt", "Quang Châu"]
    for district in rng.sample(names, min(districts, len(names))):
        du = district.upper()
        found += [Agency(f"ỦY BAN NHÂN DÂN HUYỆN {du}", "district", district),
                  Agency(f"PHÒNG TÀI CHÍNH - KẾ HOẠCH HUYỆN {du}", "district", district)]
        found += [Agency(f"ỦY BAN NHÂN DÂN XÃ {c.upper()}", "commune", district)
                  for c in rng.sample(pool, min(communes, len(pool)))]
    return list(dict.fromkeys(found))


def _issuers(procedure: Procedure, all_agencies: list[Agency]) -> list[Agency]:
    if procedure.notation == "GCN-TCKH":
        return [a for a in all_agencies if a.name.startswith("PHÒNG TÀI CHÍNH")]
    if procedure.notation == "GPXD" and procedure.level == "province":
        return [a for a in all_agencies if a.name == "SỞ XÂY DỰNG"]
    if procedure.notation.endswith("SYT"):
        return [a for a in all_agencies if a.name == "SỞ Y TẾ"]
    return [a for a in all_agencies if a.level == procedure.level and a.name.startswith("ỦY BAN")]


def rows(count: int, province: str, seed: int, today: dt.date | None = None) -> list[dict[str, str]]:
    """``count`` register rows (header -> cell text), good ones only."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    every = agencies(province, rng)
    weights = [p.share for p in PROCEDURES]
    issuers = {p.code + p.level: _issuers(p, every) for p in PROCEDURES}
    years = list(range(2015, 2026))
    year_weights = [1 + 0.15 * (y - 2015) for y in years]
    drawn = []
    for _ in range(count):
        procedure = rng.choices(PROCEDURES, weights)[0]
        agency = rng.choice(issuers[procedure.code + procedure.level])
        year = rng.choices(years, year_weights)[0]
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if day > today or (agency.level == "district" and day >= dt.date(2025, 7, 1)):
            day = dt.date(2025, 6, rng.randint(1, 28))  # districts issue nothing after 1 July 2025
        drawn.append((procedure, agency, day))
    # An office numbers its results in the order it issues them, from 1 each year.
    serial: dict[tuple[str, str, int], int] = {}
    numbers: dict[int, str] = {}
    for n in sorted(range(count), key=lambda i: drawn[i][2]):
        procedure, agency, day = drawn[n]
        key = (agency.name, procedure.notation, day.year)
        serial[key] = serial.get(key, 0) + rng.randint(1, 3)
        numbers[n] = f"{serial[key]}/{procedure.notation}"
    out = []
    for n, (procedure, agency, day) in enumerate(drawn):
        year = day.year
        number = numbers[n]
        until = day + relativedelta(months=procedure.months) if procedure.months else None
        roll = rng.random()
        status = "revoked" if roll < 0.02 else "replaced" if roll < 0.035 else None
        if status is None:
            status = "expired" if until and until < today else "valid"
        received = day - dt.timedelta(days=rng.randint(1, 20))
        electronic = rng.random() < min(0.9, 0.05 + 0.09 * (year - 2015))
        digitised = rng.random() < min(0.85, 0.1 * (year - 2016))
        out.append({
            "Mã hồ sơ": f"{agency.level[0].upper()}{seed:02d}.{year}.{n:07d}",
            "Mã thủ tục": procedure.code, "Tên thủ tục": procedure.name, "Cơ quan ban hành": agency.name,
            "Cấp": LEVEL_WORD[agency.level], "Số kết quả": number, "Ngày ban hành": f"{day:%d/%m/%Y}",
            "Người được cấp": person(rng) if procedure.about_a_person else "",
            "Hiệu lực đến": f"{until:%d/%m/%Y}" if until else "", "Trạng thái": STATUS_WORD[status],
            "Ngày tiếp nhận": f"{received:%d/%m/%Y}", "Kết quả điện tử": "có" if electronic else "không",
            "Số hóa hồ sơ": "có" if digitised else "không",
            "Tái sử dụng": "có" if digitised and rng.random() < 0.4 else "không",
        })
    return out


def scan_rows(scans: Path, seed: int) -> list[dict[str, str]]:
    """Register rows for the results of generated scans (their ``.gt.json``)."""
    out = []
    for n, truth_file in enumerate(sorted(scans.glob("*.gt.json"))):
        f = json.loads(truth_file.read_text(encoding="utf-8"))["fields"]
        if not f.get("issuer") or not f.get("issue_date"):
            continue
        day = dt.date.fromisoformat(f["issue_date"])
        until = f.get("valid_until")
        level = f.get("issuer_level") or "province"
        out.append({
            "Mã hồ sơ": f"S{seed:02d}.{day.year}.{n:07d}", "Mã thủ tục": "", "Tên thủ tục": f.get("doc_type") or "",
            "Cơ quan ban hành": f["issuer"], "Cấp": LEVEL_WORD.get(level, "tỉnh"), "Số kết quả": f.get("number") or "",
            "Ngày ban hành": f"{day:%d/%m/%Y}", "Người được cấp": f.get("holder_name") or "",
            "Hiệu lực đến": f"{dt.date.fromisoformat(until):%d/%m/%Y}" if until else "",
            "Trạng thái": "", "Ngày tiếp nhận": "", "Kết quả điện tử": "", "Số hóa hồ sơ": "", "Tái sử dụng": "",
        })
    return out


# How often OCR gets each field of a result wrong, and how. The extractor's measured
# error rates on held-out scans (docs/reading.md: number 0-1%, issuer 1.6%, date 3.1%, holder 9.4%)
# raised to what poor scans and phone photos give, so that the matcher is tried harder
# than the archive will try it.
NOISE = {
    "number_confused": 0.06,  # a letter for a digit or back (0/O, 1/l, 5/S, 8/B, 6/G, 2/Z)
    "number_digit": 0.03,  # one digit misread (3/8, 1/7, 5/6, 0/8)
    "number_missing": 0.03,  # handwritten or under the seal
    "issuer_garbled": 0.05,  # a letter or two lost or changed
    "issuer_cut": 0.02,  # the wrapped last word lost
    "date_digit": 0.03,
    "date_swapped": 0.01,  # day and month read the other way round
    "date_missing": 0.02,
    "holder_slip": 0.10,
    "holder_missing": 0.05,
}
_CONFUSED = {"0": "O", "1": "l", "5": "S", "8": "B", "6": "G", "2": "Z", "O": "0", "I": "1", "S": "5", "B": "8"}
_DIGIT_SLIP = {"3": "8", "8": "3", "1": "7", "7": "1", "5": "6", "6": "5", "0": "8", "2": "7", "4": "9", "9": "4"}


TYPE_OF_NOTATION = {"GPXD": "Giấy phép xây dựng",
                    "GCNATTP-SYT": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
                    "GCN-TCKH": "Giấy chứng nhận đăng ký hộ kinh doanh", "GKS-UBND": "Giấy khai sinh",
                    "CT-UBND": "Quyết định", "QĐ-UBND": "Quyết định"}


def _slip(rng: random.Random, text: str, table: dict[str, str]) -> str:
    spots = [i for i, ch in enumerate(text) if ch in table]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + table[text[i]] + text[i + 1:]


def _garble(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(["", "I", "l", text[i].lower()]) + text[i + 1:]


def archive(table: list[dict[str, str]], seed: int, *, share: float = 0.6, outside: float = 0.1,
            rescans: float = 0.03, noise: dict[str, float] | None = None
            ) -> tuple[list[dict[str, str]], list[dict[str, str | None]]]:
    """An archive scanned from part of the register ``table``, as OCR read it, and the
    register that goes with it. ``share`` of the results are scanned, each field wrong as
    often as ``noise`` says, some twice (``rescans``); ``outside`` as many again are
    results the register does not list: half of them older than it, half left out of it
    (the same offices, numbers beside the ones it lists). Returns the register's rows (the
    table less those left out) and the records; each record's ``truth`` is the dossier code
    of its entry, or None."""
    rng = random.Random(seed + 11)
    noise = noise or NOISE
    order = list(range(len(table)))
    rng.shuffle(order)
    scanned = int(len(table) * share)
    missing = int(scanned * outside / 2)
    left_out = {table[i]["Mã hồ sơ"] for i in order[scanned:scanned + missing]}
    chosen = [table[i] for i in order[:scanned]]
    results = [(row, row["Mã hồ sơ"]) for row in chosen]
    results += [(row, row["Mã hồ sơ"]) for row in rng.sample(chosen, int(len(chosen) * rescans))]
    results += [(table[i], None) for i in order[scanned:scanned + missing]]
    for row in rng.sample(table, missing):  # an older result of the same office
        day = dt.datetime.strptime(row["Ngày ban hành"], "%d/%m/%Y").date()
        day = day.replace(year=rng.randint(2008, 2014), day=min(day.day, 28))
        results.append(({**row, "Ngày ban hành": f"{day:%d/%m/%Y}",
                         "Người được cấp": person(rng) if row["Người được cấp"] else ""}, None))
    out: list[dict[str, str | None]] = []
    for n, (row, truth) in enumerate(results):
        def happens(kind: str) -> bool:
            return rng.random() < noise[kind]

        number: str | None = row["Số kết quả"] or None
        if number and happens("number_confused"):
            number = _slip(rng, number, _CONFUSED)
        elif number and happens("number_digit"):
            number = _slip(rng, number, _DIGIT_SLIP)
        elif happens("number_missing"):
            number = None
        issuer = row["Cơ quan ban hành"]
        if happens("issuer_garbled"):
            issuer = _garble(rng, _garble(rng, issuer) if rng.random() < 0.5 else issuer)
        elif happens("issuer_cut"):
            issuer = issuer.rsplit(" ", 1)[0]
        day = dt.datetime.strptime(row["Ngày ban hành"], "%d/%m/%Y").date()
        issued: str | None = day.isoformat()
        if happens("date_digit"):
            slipped = _slip(rng, day.strftime("%d/%m/%Y"), _DIGIT_SLIP)
            try:
                issued = dt.datetime.strptime(slipped, "%d/%m/%Y").date().isoformat()
            except ValueError:
                issued = None  # a date that cannot be is not read at all
        elif happens("date_swapped") and day.day <= 12:
            issued = day.replace(month=day.day, day=day.month).isoformat()
        elif happens("date_missing"):
            issued = None
        holder: str | None = row["Người được cấp"] or None
        if holder and happens("holder_slip"):
            holder = _garble(rng, holder)
        elif holder and happens("holder_missing"):
            holder = None
        doc_type = TYPE_OF_NOTATION.get(row["Số kết quả"].partition("/")[2])
        out.append({"sha256": f"{seed:04x}{n:060x}", "doc_type": doc_type, "issuer": issuer, "number": number,
                    "issue_date": issued, "holder_name": holder, "truth": truth})
    return [row for row in table if row["Mã hồ sơ"] not in left_out], out


BAD_KINDS = ("no_agency", "bad_date", "future_date", "bad_level", "bad_status", "duplicate", "no_number")


def spoil(good: list[dict[str, str]], share: float, seed: int) -> tuple[list[dict[str, str]], dict[int, str]]:
    """The rows with ``share`` of them made bad; the spreadsheet row number (header = 1) of
    each bad row and what is wrong with it."""
    rng = random.Random(seed + 7)
    out = [dict(r) for r in good]
    bad: dict[int, str] = {}
    chosen = rng.sample(range(1, len(out)), int(len(out) * share))
    kinds = {i: rng.choice(BAD_KINDS) for i in chosen}
    # A duplicate repeats a row that stays good, so that the first of the two goes in.
    for i, kind in kinds.items():
        if kind == "duplicate" and (i - 1) in kinds:
            kinds[i] = "no_agency"
    for i, kind in kinds.items():
        row = out[i]
        if kind == "no_agency":
            row["Cơ quan ban hành"] = ""
        elif kind == "bad_date":
            row["Ngày ban hành"] = rng.choice(["31/02/2020", "2020-13-01", "ngày 5", "12/2019"])
        elif kind == "future_date":
            row["Ngày ban hành"] = "01/01/2099"
        elif kind == "bad_level":
            row["Cấp"] = "trung ương"
        elif kind == "bad_status":
            row["Trạng thái"] = "đang xem xét"
        elif kind == "duplicate":
            row["Mã hồ sơ"] = good[i - 1]["Mã hồ sơ"]
        elif kind == "no_number":
            row["Số kết quả"] = ""
            row["Mã hồ sơ"] = ""
        bad[i + 2] = kind  # spreadsheet rows: the header is row 1
    return out, bad


def write(path: Path, table: list[dict[str, str]]) -> None:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Kết quả")
        sheet.append(HEADERS)
        for row in table:
            sheet.append([row.get(h, "") for h in HEADERS])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, HEADERS)
        writer.writeheader()
        writer.writerows(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--province", default="Bắc Giang")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad", type=float, default=0.0, help="share of rows made bad (0.01 = 1%%)")
    ap.add_argument("--truth", type=Path, help="write the bad rows' numbers and kinds here (JSON)")
    ap.add_argument("--scans", type=Path, help="also enter the results of the generated scans in this folder")
    args = ap.parse_args()
    table = (scan_rows(args.scans, args.seed) if args.scans else []) + rows(args.rows, args.province, args.seed)
    table, bad = spoil(table, args.bad, args.seed) if args.bad else (table, {})
    write(args.out, table)
    if args.truth:
        args.truth.write_text(json.dumps({"rows": len(table), "bad": bad}, ensure_ascii=False, indent=1))
    print(f"{args.out}: {len(table)} rows, {len(bad)} bad")


if __name__ == "__main__":
    main()
