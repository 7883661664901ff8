#!/usr/bin/env python3
"""Write a register of issued procedure results the way one-stop systems export it.

Purpose
-------
Auditors give sohoa a "register of issued results" exported from a province's
one-stop system (Hệ thống thông tin giải quyết TTHC: "Sổ theo dõi hồ sơ",
"Danh sách hồ sơ đã giải quyết / đã trả kết quả"). sohoa matches that register
against its scanned archive. This script builds such registers from a
`sohoa export` archive. It was written WITHOUT reading the project's own
register writer or matcher, so it does not share their assumptions. For every
data row, `truth.json` records what that row really is.

Input: one JSON record per line, as written by `sohoa export`. Only `id` and
`fields` are read. With --truth-dir, the ground truth of each scan is used
instead: the `.gt.json` next to the scan file whose sha256 equals the record
`id`. If no hash matches, the fallback is the scan's file name from
`source.path`.

Output: DIR/register.xlsx or DIR/register.csv, plus DIR/truth.json.

What the registers contain. Every choice is seeded; names and validity forms
are dealt from shuffled decks, so one register mixes many of them.
* Agency names built from body x unit x parents:
  - body written in full or abbreviated (UBND, HĐND, Sở GD&ĐT, Phòng TC-KH ...);
  - unit kind in full or abbreviated (TP., TX., TT., Q., H., P.), or dropped;
  - parents: none, the nearest, all, or all but the province;
  - parents placed before or after, joined by ", ", " - " or a line break;
  - normal case or UPPER CASE; diacritics standard, stripped, or in the old
    tone-mark placement (Uỷ, Hoà);
  - the issuer copied as printed on the paper;
  - the one-stop desk ("Bộ phận Một cửa UBND xã ...").
* Layout:
  - header of one row, or two rows with merged group cells ("Kết quả giải
    quyết" over Số ký hiệu / Ngày ban hành / Thời hạn hiệu lực);
  - optional title block: unit, title, period, status line, or R3-style
    multi-line A1;
  - optional numbering row "(1) (2) ..." or 1 2 3;
  - STT, mã hồ sơ `000.00.00.H30-210315-0001`, procedure code and name in
    separate or combined columns. Codes are short or long, and some exports
    store them as numbers. Two procedures can share a name but have different
    codes (food-safety certificates from the Health and the Industry & Trade
    departments);
  - Trạng thái holds the processing status, not validity; an optional "Địa
    bàn" column holds a locality that is not the issuer;
  - dates as dd/mm/yyyy, dd/mm/yyyy HH:MM, yyyy-mm-dd HH:MM:SS,
    dd/mm/yyyy HH:MM:SS, or real Excel dates (XLSX only; a CSV shows their
    displayed text);
  - optional group rows ("I. Lĩnh vực Hộ tịch", by agency or by field);
  - totals row at the bottom or top; its stated count is sometimes the whole
    period's count, not the rows shown;
  - signature block (NGƯỜI LẬP BIỂU / (Ký, ghi rõ họ tên) / THỦ TRƯỞNG ĐƠN
    VỊ) and footnotes.
* Validity ("Thời hạn hiệu lực"): Không thời hạn, Vĩnh viễn, Không xác định,
  blank, "Lâu dài" (land certificates), an end date (also "đến ngày ..."), or a duration from the issue date
  ("01 năm", "3 năm", "36 tháng", "3 năm kể từ ngày cấp"). A duration is used
  only when it lands exactly on the true end date.
* CSV: utf-8-sig, utf-16 (tab-separated, like Excel's "Unicode Text") or
  cp1258 (tone marks decomposed, as Windows-1258 needs). Separator is "," or
  ";" (a Vietnamese-locale Excel uses ";").

truth.json
----------
`rows` is keyed by the row number in the sheet (for CSV: the 1-based record
number). Each entry gives:
- record_id / record_ids (null for invented results);
- valid_until (null = no end) and valid_on_as_of;
- the agency's canonical identity (body, unit, parents, key) and the naming
  form used;
- the cell texts.
`layout` lists the features used and the role of each column.

Procedure codes 1.001193, 1.000894, 1.004873, 1.001612, 2.000720, 1.013225
and 1.014199 were seen in public code tied to those names. The others are
format-only placeholders (`code_verified: false`). Province H-codes in the
dossier codes are placeholders, not the QCVN 102 table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- text helpers

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
OLD_TONE = {  # new-style placement -> old-style placement (hòa -> hoà, thủy -> thuỷ)
    "òa": "oà",
    "óa": "oá",
    "ỏa": "oả",
    "õa": "oã",
    "ọa": "oạ",
    "òe": "oè",
    "óe": "oé",
    "ỏe": "oẻ",
    "õe": "oẽ",
    "ọe": "oẹ",
    "ùy": "uỳ",
    "úy": "uý",
    "ủy": "uỷ",
    "ũy": "uỹ",
    "ụy": "uỵ",
}
OLD_TONE.update({k.upper(): v.upper() for k, v in list(OLD_TONE.items())})
OLD_TONE.update({k[0].upper() + k[1:]: v[0].upper() + v[1:] for k, v in list(OLD_TONE.items()) if k.islower()})


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def strip_marks(s: str) -> str:
    d = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in d if not unicodedata.combining(c))


def old_tones(s: str) -> str:
    for k, v in OLD_TONE.items():
        s = re.sub(k + r"(?![a-zà-ỹA-ZÀ-Ỹ])", v, s)
    return s


def fold(s: str) -> str:
    """ASCII, lower case, single spaces: used only for canonical keys."""
    return re.sub(r"\s+", " ", strip_marks(nfc(s)).lower()).strip()


def for_cp1258(s: str) -> str:
    """Decompose characters cp1258 lacks into base letter + combining tone mark."""
    out = []
    for ch in nfc(s):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = nfc("".join(c for c in d if c not in TONE_MARKS))
        out.append(base + "".join(c for c in d if c in TONE_MARKS))
    return "".join(out)


def cap_words(s: str) -> str:
    """'TRÀ HIỆP' -> 'Trà Hiệp'."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


# --------------------------------------------------------------------------- agencies

UNIT_KINDS = ["thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "phường", "xã"]
UNIT_ABBR = {"thành phố": "TP.", "thị xã": "TX.", "thị trấn": "TT.", "quận": "Q.", "huyện": "H.", "phường": "P."}
BODY_CANON = {  # printed caps -> canonical spelling
    "ỦY BAN NHÂN DÂN": "Ủy ban nhân dân",
    "HỘI ĐỒNG NHÂN DÂN": "Hội đồng nhân dân",
    "SỞ CÔNG THƯƠNG": "Sở Công Thương",
    "SỞ Y TẾ": "Sở Y tế",
    "SỞ XÂY DỰNG": "Sở Xây dựng",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO": "Sở Giáo dục và Đào tạo",
    "BAN CHỈ ĐẠO 138": "Ban Chỉ đạo 138",
    "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI": "Sở Lao động - Thương binh và Xã hội",
    "CHI CỤC AN TOÀN VỆ SINH THỰC PHẨM": "Chi cục An toàn vệ sinh thực phẩm",
}
BODY_ABBR = {
    "Ủy ban nhân dân": "UBND",
    "Hội đồng nhân dân": "HĐND",
    "Sở Giáo dục và Đào tạo": "Sở GD&ĐT",
    "Sở Tài nguyên và Môi trường": "Sở TN&MT",
    "Sở Kế hoạch và Đầu tư": "Sở KH&ĐT",
    "Sở Lao động - Thương binh và Xã hội": "Sở LĐTB&XH",
    "Phòng Tài chính - Kế hoạch": "Phòng TC-KH",
    "Phòng Kinh tế và Hạ tầng": "Phòng KT&HT",
    "Chi cục An toàn vệ sinh thực phẩm": "Chi cục ATVSTP",
}
BODY_HEADS = ["Chi cục", "Trung tâm", "Văn phòng", "Sở", "Phòng", "Ban", "Cục"]


@dataclass(frozen=True)
class Unit:
    kind: str  # one of UNIT_KINDS
    name: str  # "Trà Hiệp"

    def text(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class Agency:
    body: str  # canonical body name, "Ủy ban nhân dân", "Sở Y tế"
    body_kind: str  # ubnd | hdnd | department | other | unknown
    unit: Unit | None  # the administrative unit the body belongs to
    parents: tuple[Unit, ...]  # units above `unit`, nearest first
    level: str  # province | district | commune
    printed: str | None = None  # issuer as printed on a scanned result
    printed_parent: str | None = None

    @property
    def key(self) -> str:
        parts = [self.body] + ([self.unit.text()] if self.unit else []) + [p.text() for p in self.parents]
        return "|".join(fold(p) for p in parts)

    def identity(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "body_kind": self.body_kind,
            "unit": self.unit.text() if self.unit else None,
            "unit_kind": self.unit.kind if self.unit else None,
            "unit_name": self.unit.name if self.unit else None,
            "parents": [p.text() for p in self.parents],
            "level": self.level,
            "key": self.key,
        }

    @property
    def province(self) -> Unit | None:
        """The province-level unit, when known (a centrally run city counts)."""
        chain = ([self.unit] if self.unit else []) + list(self.parents)
        if not chain:
            return None
        top = chain[-1]
        if top.kind == "tỉnh" or (top.kind == "thành phố" and (len(chain) > 1 or self.level == "province")):
            return top
        return None


def canon_body(caps: str) -> str:
    caps = nfc(caps).replace("UỶ", "ỦY").strip()
    if caps in BODY_CANON:
        return BODY_CANON[caps]
    low = caps.lower()
    for head in BODY_HEADS:  # "SỞ NỘI VỤ" -> "Sở Nội vụ"; capitalise after "và" and "-"
        if low.startswith(head.lower() + " "):
            rest = low[len(head) + 1 :]
            rest = re.sub(r"(^|\bvà |- )(\w)", lambda m: m.group(1) + m.group(2).upper(), rest)
            return f"{head} {rest}"
    return caps[:1] + caps[1:].lower()


def parse_unit(text: str) -> Unit | None:
    t = nfc(text).strip()
    low = t.lower()
    for prefix in ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd "):
        if low.startswith(prefix):
            t, low = t[len(prefix) :], low[len(prefix) :]
    for kind in UNIT_KINDS:
        if low.startswith(kind + " "):
            return Unit(kind, cap_words(t[len(kind) + 1 :]))
    return None


def parse_agency(issuer: str | None, parent: str | None, level: str | None) -> Agency | None:
    if not issuer or issuer.strip() in ("?", ""):
        return None
    issuer_n = nfc(issuer).strip()
    low = issuer_n.lower().replace("uỷ", "ủy")
    parents: list[Unit] = []
    if parent:
        for piece in re.split(r"\s*,\s*|\s+-\s+", nfc(parent)):
            u = parse_unit(piece)
            if u:
                parents.append(u)
    lvl = level or "province"
    for caps_body, kind in (
        ("ủy ban nhân dân ", "ubnd"),
        ("hội đồng nhân dân ", "hdnd"),
        ("ubnd ", "ubnd"),
        ("hđnd ", "hdnd"),
    ):
        if low.startswith(caps_body):
            unit = None
            rest = issuer_n[len(caps_body) :]
            for k in UNIT_KINDS:
                if rest.lower().startswith(k + " "):
                    unit = Unit(k, cap_words(rest[len(k) + 1 :]))
                    break
            body = "Ủy ban nhân dân" if kind == "ubnd" else "Hội đồng nhân dân"
            return Agency(body, kind, unit, tuple(parents), lvl, issuer_n, parent)
    body = canon_body(issuer_n)
    unit = parents[0] if parents else None
    return Agency(
        body,
        "department" if body.split()[0] in ("Sở", "Phòng", "Chi") else "other",
        unit,
        tuple(parents[1:]),
        lvl,
        issuer_n,
        parent,
    )


def pool_agency(body: str, unit: tuple[str, str], parents: Iterable[tuple[str, str]], level: str) -> Agency:
    kind = (
        "ubnd" if body == "Ủy ban nhân dân" else "department" if body.split()[0] in ("Sở", "Phòng", "Chi") else "other"
    )
    return Agency(body, kind, Unit(*unit), tuple(Unit(*p) for p in parents), level)


# Bodies named in the brief, the real issuers in tests/realdata_labels.json, and a few
# real units chosen so that every abbreviation (TP., TX., TT., Q., H., P.) can appear.
EXTRA_POOL: list[Agency] = [
    pool_agency("Ủy ban nhân dân", ("xã", "Trà Hiệp"), [("huyện", "Trà Bồng"), ("tỉnh", "Quảng Ngãi")], "commune"),
    pool_agency("Phòng Tài chính - Kế hoạch", ("huyện", "Bình Gia"), [("tỉnh", "Lạng Sơn")], "district"),
    pool_agency("Ủy ban nhân dân", ("tỉnh", "Hải Dương"), [], "province"),
    pool_agency("Sở Xây dựng", ("tỉnh", "Bắc Giang"), [], "province"),
    pool_agency("Sở Công Thương", ("tỉnh", "Bắc Giang"), [], "province"),
    pool_agency("Sở Lao động - Thương binh và Xã hội", ("tỉnh", "Bắc Giang"), [], "province"),
    pool_agency("Phòng Kinh tế và Hạ tầng", ("huyện", "Tân Yên"), [("tỉnh", "Bắc Giang")], "district"),
    pool_agency(
        "Ủy ban nhân dân", ("thị trấn", "Cao Thượng"), [("huyện", "Tân Yên"), ("tỉnh", "Bắc Giang")], "commune"
    ),
    pool_agency(
        "Ủy ban nhân dân", ("phường", "Trần Phú"), [("thành phố", "Bắc Giang"), ("tỉnh", "Bắc Giang")], "commune"
    ),
    pool_agency("Ủy ban nhân dân", ("thị xã", "Việt Yên"), [("tỉnh", "Bắc Giang")], "district"),
    pool_agency("Ủy ban nhân dân", ("quận", "Hải Châu"), [("thành phố", "Đà Nẵng")], "district"),
]
LABELS_PATH = Path(__file__).resolve().parent.parent / "tests" / "realdata_labels.json"


def label_agencies() -> list[Agency]:
    try:
        labels = json.loads(LABELS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for name, rec in sorted(labels.items()):
        if name.startswith("_"):
            continue
        f = rec.get("fields", {})
        a = parse_agency(f.get("issuer"), f.get("issuer_parent"), f.get("issuer_level"))
        if a:
            out.append(a)
    return out


# --------------------------------------------------------------------------- naming forms


@dataclass(frozen=True)
class NameForm:
    id: str
    body: str = "full"  # full | abbr
    unit: str = "full"  # full | abbr | bare | omit
    parents: str = "none"  # none | near | all | no_province
    pos: str = "after"  # after | before
    sep: str = ", "  # ", " | " - " | "\n"
    case: str = "normal"  # normal | upper
    marks: str = "std"  # std | none | old
    special: str = ""  # "" | printed | desk | owner_before


NAME_DECK = [
    NameForm("abbr", body="abbr"),  # UBND xã Trà Hiệp
    NameForm("full"),  # Ủy ban nhân dân xã Trà Hiệp
    NameForm("full+near_parent", parents="near"),  # ..., huyện Trà Bồng
    NameForm("upper+dash+all_parents", parents="all", sep=" - ", case="upper"),
    NameForm("abbr+unit_abbr+all_parents", body="abbr", unit="abbr", parents="all"),
    NameForm("abbr+no_province", body="abbr", parents="no_province"),
    NameForm("parent_before+dash", body="abbr", parents="all", pos="before", sep=" - "),
    NameForm("parent_before+linebreak+upper", body="abbr", parents="near", pos="before", sep="\n", case="upper"),
    NameForm("abbr+near_parent+dash", body="abbr", parents="near", sep=" - "),
    NameForm("unit_bare", body="abbr", unit="bare"),  # Sở Y tế Bắc Giang / UBND Trà Hiệp
    NameForm("unit_omitted", unit="omit"),  # Sở Y tế
    NameForm("as_printed", special="printed"),
    NameForm("one_stop_desk", body="abbr", special="desk"),
    NameForm("full+all_parents+linebreak", parents="all", sep="\n"),
    NameForm("owner_before+dash", body="full", special="owner_before", sep=" - "),  # UBND tỉnh X - Sở Y tế
    NameForm("owner_before+linebreak+upper", special="owner_before", sep="\n", case="upper"),
]


MARKS_DECK = ["std"] * 6 + ["none", "old"]  # per-row modifier on top of any form: stripped / old tone marks


def with_marks(form: NameForm, marks: str) -> NameForm:
    if marks == "std" or form.special == "printed":
        return form
    return NameForm(
        f"{form.id}+{'no_diacritics' if marks == 'none' else 'old_tone_marks'}",
        form.body,
        form.unit,
        form.parents,
        form.pos,
        form.sep,
        form.case,
        marks,
        form.special,
    )


def unit_str(u: Unit, style: str, first: bool) -> str:
    if style == "abbr" and u.kind in UNIT_ABBR:
        return f"{UNIT_ABBR[u.kind]} {u.name}"
    if style == "bare":
        return u.name
    s = f"{u.kind} {u.name}"
    return s[:1].upper() + s[1:] if first else s


def render_agency(a: Agency, form: NameForm) -> str | None:
    """Render `a` with `form`; None when the form does not apply to this agency."""
    if form.special == "printed":  # copied from the paper: keep exactly as printed
        if not a.printed:
            return None
        return a.printed if not a.printed_parent else f"{a.printed_parent}\n{a.printed}"
    if a.body_kind == "unknown":  # the source does not say who issued it: the register cell stays empty
        return ""
    txt = _structure(a, form)
    if txt is None:
        return None
    if form.case == "upper":
        txt = txt.upper()
    if form.marks == "none":
        txt = strip_marks(txt)
    elif form.marks == "old":
        txt = old_tones(txt)
    return txt


def _structure(a: Agency, form: NameForm) -> str | None:
    if form.special == "desk" and (a.body_kind != "ubnd" or a.level == "province"):
        return None
    if form.special == "owner_before":  # "UBND tỉnh Bắc Giang - Sở Y tế"
        if a.body_kind not in ("department", "other") or not a.unit:
            return None
        return f"UBND {unit_str(a.unit, 'full', False)}{form.sep}{a.body}"
    chain = list(a.parents)
    if form.parents == "none":
        chain = []
    elif form.parents == "near":
        chain = chain[:1]
    elif form.parents == "no_province":
        if len(chain) < 2 or chain[-1].kind not in ("tỉnh", "thành phố"):
            return None
        chain = chain[:-1]
    if form.parents != "none" and not chain:
        return None
    if form.unit == "omit" and (a.body_kind in ("ubnd", "hdnd") or chain):
        return None
    if form.unit == "abbr" and not ((a.unit and a.unit.kind in UNIT_ABBR) or any(p.kind in UNIT_ABBR for p in chain)):
        return None
    body = BODY_ABBR.get(a.body, a.body) if form.body == "abbr" else a.body
    own = f"{body} {unit_str(a.unit, form.unit, False)}" if a.unit and form.unit != "omit" else body
    if form.special == "desk":
        own = f"Bộ phận Một cửa {own}"
    pstyle = "abbr" if form.unit == "abbr" else "full"
    if not chain:
        return own
    if form.pos == "after":
        return f"{own}{form.sep}" + ", ".join(unit_str(p, pstyle, False) for p in chain)
    return " - ".join(unit_str(p, pstyle, True) for p in reversed(chain)) + f"{form.sep}{own}"


# --------------------------------------------------------------------------- procedures


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    doc_type: str
    years: int = 0
    months: int = 0
    days: int = 3  # working days allowed
    verified: bool = False  # code seen next to this name in public material
    notation: str = "{n}/GCN"


PROCS: dict[str, Procedure] = {
    "khai_sinh": Procedure(
        "1.001193", "Đăng ký khai sinh", "Hộ tịch", "Giấy khai sinh", days=1, verified=True, notation="{n}"
    ),
    "ket_hon": Procedure(
        "1.000894", "Đăng ký kết hôn", "Hộ tịch", "Giấy chứng nhận kết hôn", days=1, verified=True, notation="{n}"
    ),
    "tthn": Procedure(
        "1.004873",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Hộ tịch",
        "Giấy xác nhận tình trạng hôn nhân",
        months=6,
        days=3,
        verified=True,
        notation="{n}/XNTTHN",
    ),
    "hkd_moi": Procedure(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        days=3,
        verified=True,
        notation="HKD",
    ),
    "hkd_doi": Procedure(
        "2.000720",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        days=3,
        verified=True,
        notation="HKD",
    ),
    "gpxd": Procedure(
        "1.013225",
        "Cấp giấy phép xây dựng mới",
        "Hoạt động xây dựng",
        "Giấy phép xây dựng",
        months=12,
        days=15,
        verified=True,
        notation="{n}/GPXD",
    ),
    # same name, different codes (Health vs Industry & Trade); codes are placeholders
    "attp_yt": Procedure(
        "1.002425",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "An toàn thực phẩm",
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        years=3,
        days=20,
        notation="{n}/GCNATTP-SYT",
    ),
    "attp_ct": Procedure(
        "2.000591",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "An toàn thực phẩm",
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        years=3,
        days=20,
        notation="{n}/GCNATTP-SCT",
    ),
    "ruou": Procedure(
        "2.000633",
        "Cấp Giấy phép bán lẻ rượu",
        "Lưu thông hàng hóa trong nước",
        "Giấy phép bán lẻ rượu",
        years=5,
        days=10,
        notation="{n}/GP-KTHT",
    ),
    "gpld": Procedure(
        "1.014199",
        "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
        "Việc làm",
        "Giấy phép lao động",
        years=2,
        days=5,
        verified=True,
        notation="{n}/GPLĐ-SLĐTBXH",
    ),
    "cchn_xd": Procedure(
        "1.009986",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
        "Hoạt động xây dựng",
        "Chứng chỉ hành nghề hoạt động xây dựng",
        years=5,
        days=20,
        notation="{n}/CCHN-SXD",
    ),
    "gpxd_huyen": Procedure(
        "1.009994",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        "Giấy phép xây dựng",
        months=12,
        days=15,
        notation="{n}/GPXD",
    ),
    "dat_lan_dau": Procedure(
        "1.012793",
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đất đai",
        "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
        days=20,
        notation="CS{n}",
    ),
    "thue_dat": Procedure(
        "1.012760", "Cho thuê đất", "Đất đai", "Quyết định", years=50, days=20, notation="{n}/QĐ-UBND"
    ),
}


def procs_for(a: Agency) -> list[str]:
    b = a.body
    if a.body_kind == "ubnd":
        if a.level == "commune":
            return ["khai_sinh", "ket_hon", "tthn"]
        if a.level == "district":
            return ["gpxd_huyen", "dat_lan_dau"]
        return ["thue_dat"]
    return {
        "Phòng Tài chính - Kế hoạch": ["hkd_moi", "hkd_doi"],
        "Phòng Kinh tế và Hạ tầng": ["ruou"],
        "Sở Y tế": ["attp_yt"],
        "Chi cục An toàn vệ sinh thực phẩm": ["attp_yt"],
        "Sở Công Thương": ["attp_ct"],
        "Sở Xây dựng": ["gpxd", "cchn_xd"],
        "Sở Lao động - Thương binh và Xã hội": ["gpld"],
    }.get(b, [])


def proc_for_record(doc_type: str | None, a: Agency | None, number: str) -> str | None:
    dt_ = (doc_type or "").lower()
    for key, p in PROCS.items():
        if p.doc_type.lower() == dt_ and key not in ("thue_dat", "gpxd_huyen"):
            if key.startswith("attp"):
                return "attp_ct" if a and a.body == "Sở Công Thương" else "attp_yt"
            if key.startswith("hkd"):
                return "hkd_moi" if sum(map(ord, number)) % 3 else "hkd_doi"
            return key
    return None


# --------------------------------------------------------------------------- dates


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)


def add_workdays(d: dt.date, n: int) -> dt.date:
    step = 1 if n >= 0 else -1
    while n:
        d += dt.timedelta(days=step)
        if d.weekday() < 5:
            n -= step
    return d


def office_time(rng: random.Random, d: dt.date) -> dt.datetime:
    h = rng.choice([7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16])
    m = rng.randint(30 if h == 7 else 0, 59)
    return dt.datetime(d.year, d.month, d.day, h, m, rng.randint(0, 59))


DATE_STYLES = {  # style -> (strftime for text, excel number format or None)
    "dmy": ("%d/%m/%Y", None),
    "dmy_hm": ("%d/%m/%Y %H:%M", None),
    "iso_hms": ("%Y-%m-%d %H:%M:%S", None),
    "dmy_hms": ("%d/%m/%Y %H:%M:%S", None),
    "excel_date": ("%d/%m/%Y", "dd/mm/yyyy"),
    "excel_datetime": ("%d/%m/%Y %H:%M", "dd/mm/yyyy hh:mm"),
}


def vn_date(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- validity cells


def validity_options(issue: dt.date, until: dt.date | None, header: str, land: bool = False) -> list[tuple[str, str]]:
    """(form id, cell text or '@date') choices that all mean the true validity."""
    if until is None:
        opts = [
            ("khong_thoi_han", "Không thời hạn"),
            ("vinh_vien", "Vĩnh viễn"),
            ("khong_xac_dinh", "Không xác định"),
            ("blank", ""),
        ]
        if land:  # land-use term of residential land, as printed on the certificate
            opts.append(("lau_dai", "Lâu dài"))
        return opts
    opts = [("end_date", "@date"), ("den_ngay", f"đến ngày {vn_date(until)}")]
    if header == "Ngày hết hiệu lực":
        return [("end_date", "@date")]
    for years in range(1, 51):
        if add_months(issue, 12 * years) == until:
            opts += [
                ("duration_years", f"{years:02d} năm"),
                ("duration_years", f"{years} năm"),
                ("duration_from_issue", f"{years} năm kể từ ngày cấp"),
            ]
            if years <= 5:
                opts.append(("duration_months", f"{12 * years} tháng"))
            break
    else:
        for months in range(1, 61):
            if add_months(issue, months) == until:
                opts += [
                    ("duration_months", f"{months:02d} tháng"),
                    ("duration_from_issue", f"{months} tháng kể từ ngày cấp"),
                ]
                break
    return opts


# --------------------------------------------------------------------------- register entries

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Kim", "Quang", "Ngọc", "Hữu", "Xuân", "Thu", "Gia"]
GIVENS = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]
ORGS = [
    "Công ty TNHH Thực phẩm Hưng Phát",
    "Bếp ăn tập thể Trường mầm non Hoa Sen",
    "Cơ sở sản xuất bánh đa Kế",
    "Công ty cổ phần Nông sản Lục Ngạn",
    "Nhà hàng Hương Quê",
]


@dataclass
class Entry:
    record_ids: list[str]
    agency: Agency
    doc_type: str | None
    number: str
    issue: dt.date
    valid_until: dt.date | None
    holder: str | None
    subject: str | None
    proc: str | None
    source: str  # truth_dir | archive | invented
    notes: list[str] = field(default_factory=list)
    received: dt.datetime | None = None
    due: dt.datetime | None = None
    returned: dt.datetime | None = None
    dossier: str | None = None


def parse_iso(s: Any) -> dt.date | None:
    if not s or not isinstance(s, str):
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def load_truth_index(truth_dir: Path | None) -> dict[str, Path]:
    idx: dict[str, Path] = {}
    if not truth_dir:
        return idx
    for p in sorted(truth_dir.rglob("*")):
        if p.is_file() and not p.name.endswith(".gt.json"):
            gt = p.with_name(p.stem + ".gt.json")
            if gt.exists():
                idx[hashlib.sha256(p.read_bytes()).hexdigest()] = gt
                idx["name:" + p.name] = gt
    return idx


def random_name(rng: random.Random) -> str:
    mid = rng.choice(MIDDLES)
    return f"{rng.choice(SURNAMES)} {mid} {rng.choice(GIVENS)}"


def read_archive(path: Path, truth_dir: Path | None, rng: random.Random) -> list[Entry]:
    idx = load_truth_index(truth_dir)
    entries: dict[tuple, Entry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        rid = rec.get("id")
        f, source = rec.get("fields") or {}, "archive"
        gt = idx.get(rid) or idx.get("name:" + Path(str((rec.get("source") or {}).get("path", ""))).name)
        if gt:
            f, source = json.loads(gt.read_text(encoding="utf-8")).get("fields", {}), "truth_dir"
        agency = parse_agency(f.get("issuer"), f.get("issuer_parent"), f.get("issuer_level"))
        notes = []
        if agency is None:
            agency = Agency("(không rõ)", "unknown", None, (), f.get("issuer_level") or "province")
            notes.append("issuer unknown in source")
        issue = parse_iso(f.get("issue_date"))
        if issue is None:
            issue = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randint(0, 700))
            notes.append("issue_date invented (missing in source)")
        number = (f.get("number") or "").strip()
        if not number or "?" in number:
            number = f"{rng.randint(1, 999)}/{'QĐ' if 'quyết' in (f.get('doc_type') or '').lower() else 'GCN'}"
            notes.append("number invented (missing in source)")
        holder = f.get("holder_name")
        k = (agency.key, number, issue)
        if k in entries:
            entries[k].record_ids.append(rid)
            continue
        entries[k] = Entry(
            [rid],
            agency,
            f.get("doc_type"),
            number,
            issue,
            parse_iso(f.get("valid_until")),
            holder,
            f.get("subject"),
            proc_for_record(f.get("doc_type"), agency, number),
            source,
            notes,
        )
    return list(entries.values())


def merge_agencies(entries: list[Entry]) -> list[Agency]:
    """One Agency object per key; pool = archive agencies + labels + brief examples."""
    seen: dict[str, Agency] = {}
    for e in entries:
        seen.setdefault(e.agency.key, e.agency)
        e.agency = seen[e.agency.key]
    for a in label_agencies() + EXTRA_POOL:
        seen.setdefault(a.key, a)
    return list(seen.values())


def invent_entries(
    rng: random.Random, pool: list[Agency], k: int, lo: dt.date, hi: dt.date, used: set[tuple[str, str]]
) -> list[Entry]:
    issuing = [a for a in pool if procs_for(a)]
    cands = [(a, p) for a in pool for p in procs_for(a)]
    out: list[Entry] = []
    # make sure two procedures sharing a name with different codes both appear
    forced = [c for c in cands if c[1] == "attp_ct"][:1] + [c for c in cands if c[1] == "attp_yt"][:1]
    span = max((hi - lo).days, 30)
    for i in range(k):
        if i < len(forced) and k >= 2:
            a, pkey = forced[i]
        else:
            a = rng.choice(issuing)
            pkey = rng.choice(procs_for(a))
        p = PROCS[pkey]
        issue = lo + dt.timedelta(days=rng.randint(0, span))
        while issue.weekday() >= 5:
            issue += dt.timedelta(days=1)
        until = None
        if p.years or p.months:
            until = add_months(issue, 12 * p.years + p.months)
        while True:
            n = rng.randint(1, 2400)
            if p.notation == "HKD":
                prov = sum(map(ord, a.province.name if a.province else "x")) % 90 + 10
                number = f"{prov}{rng.choice('ABC')}{rng.randint(8000000, 8999999)}"
            else:
                number = p.notation.format(n=f"{n:02d}")
            if (a.key, number + str(issue.year)) not in used:
                used.add((a.key, number + str(issue.year)))
                break
        holder = rng.choice(ORGS) if pkey.startswith("attp") else random_name(rng)
        if pkey == "khai_sinh":
            holder = holder.upper()
        subject = "Sử dụng cho nhà ở riêng lẻ" if pkey == "gpxd" else None
        out.append(Entry([], a, p.doc_type, number, issue, until, holder, subject, pkey, "invented"))
    return out


# --------------------------------------------------------------------------- sheet model


@dataclass
class Cell:
    value: Any = None
    num_fmt: str | None = None
    bold: bool = False
    italic: bool = False
    center: bool = False
    border: bool = False
    size: int | None = None


@dataclass
class Sheet:
    rows: list[list[Cell]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based r1,c1,r2,c2
    width: int = 0

    def add(self, cells: list[Cell]) -> int:
        self.rows.append(cells + [Cell() for _ in range(self.width - len(cells))])
        return len(self.rows)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


@dataclass
class Column:
    role: str
    header: str
    group: str | None = None
    date_style: str | None = None


HEADERS = {
    "stt": ["STT", "TT", "Số TT"],
    "dossier": ["Mã hồ sơ", "Mã số hồ sơ", "Mã HS"],
    "proc_code": ["Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính"],
    "proc_name": ["Tên thủ tục hành chính", "Tên TTHC", "Thủ tục hành chính", "Tên thủ tục"],
    "proc_both": ["Thủ tục hành chính", "Mã, tên thủ tục"],
    "field": ["Lĩnh vực"],
    "holder": ["Chủ hồ sơ", "Tên tổ chức, cá nhân", "Tổ chức, cá nhân", "Họ tên người đề nghị"],
    "locality": ["Địa bàn", "Địa chỉ"],
    "subject": ["Trích yếu", "Trích yếu nội dung", "Nội dung"],
    "channel": ["Hình thức nộp", "Kênh tiếp nhận"],
    "received": ["Ngày tiếp nhận", "Ngày nhận hồ sơ", "Ngày nhận"],
    "due": ["Ngày hẹn trả", "Hạn xử lý", "Hẹn trả kết quả"],
    "returned": ["Ngày trả kết quả", "Ngày trả", "Ngày trả KQ"],
    "result_type": ["Loại kết quả", "Loại văn bản", "Tên kết quả"],
    "number": ["Số ký hiệu", "Số, ký hiệu kết quả", "Số hiệu văn bản", "Số ký hiệu kết quả", "Số/Ký hiệu"],
    "issued": ["Ngày ban hành", "Ngày ký", "Ngày cấp", "Ngày ban hành kết quả"],
    "validity": ["Thời hạn hiệu lực", "Hiệu lực", "Thời hạn", "Ngày hết hiệu lực"],
    "agency": ["Cơ quan giải quyết", "Đơn vị xử lý", "Nơi trả kết quả", "Cơ quan ban hành", "Cơ quan thực hiện"],
    "status": ["Trạng thái", "Tình trạng hồ sơ", "Trạng thái hồ sơ"],
    "note": ["Ghi chú"],
}
SUBHEADERS_UNDER_RESULT = {
    "number": ["Số, ký hiệu", "Số ký hiệu"],
    "issued": ["Ngày ban hành", "Ngày ký"],
    "validity": ["Thời hạn hiệu lực"],
    "result_type": ["Loại kết quả"],
}
ROLE_MEANING = {
    "stt": "row number",
    "dossier": "one-stop dossier code (agency code-YYMMDD of receipt-daily sequence)",
    "proc_code": "procedure code",
    "proc_name": "procedure name",
    "proc_both": "procedure code and name",
    "field": "procedure field (lĩnh vực)",
    "holder": "result holder / applicant",
    "locality": "applicant's locality, NOT the issuing agency",
    "subject": "subject (trích yếu)",
    "channel": "submission channel",
    "received": "dossier received",
    "due": "promised return date",
    "returned": "result returned to applicant (on or after issue date)",
    "result_type": "kind of result document",
    "number": "result number and notation",
    "issued": "result issue date",
    "validity": "validity of the result",
    "agency": "issuing agency",
    "status": "processing status, NOT validity",
    "note": "free note",
}


def plan_columns(rng: random.Random, fmt: str, group_by: str | None) -> list[Column]:
    def pick(role: str) -> Column:
        return Column(role, rng.choice(HEADERS[role]))

    front = [pick("stt")] if rng.random() < 0.95 else []
    if rng.random() < 0.8:
        front.append(pick("dossier"))
    proc: list[Column] = []
    r = rng.random()
    if r < 0.55:
        proc = [pick("proc_code"), pick("proc_name")]
    elif r < 0.8:
        proc = [pick("proc_both")]
    elif r < 0.95:
        proc = [pick("proc_name")]
    if rng.random() < 0.3 and group_by != "field":
        proc.insert(0, pick("field"))
    who = [pick("holder")] if rng.random() < 0.85 else []
    if rng.random() < 0.35:
        who.append(pick("locality"))
    if rng.random() < 0.3:
        who.append(pick("subject"))
    if rng.random() < 0.25:
        who.append(pick("channel"))
    times = [pick(x) for x in ("received", "due", "returned") if rng.random() < 0.6]
    result = [pick("number")]
    if rng.random() < 0.3:
        result.insert(0, pick("result_type"))
    if rng.random() < 0.7 or not any(c.role == "returned" for c in times):
        result.append(pick("issued"))
    result.append(pick("validity"))
    agency = [pick("agency")] if group_by != "agency" or rng.random() < 0.5 else []
    tail = [pick("status")] if rng.random() < 0.75 else []
    if rng.random() < 0.4:
        tail.append(pick("note"))
    blocks = [proc, who, times, result]
    if rng.random() < 0.3:
        blocks = [proc, who, result, times]
    if rng.random() < 0.5:
        blocks.insert(rng.randint(0, len(blocks)), agency)
    else:
        blocks.append(agency)
    cols = front + [c for b in blocks for c in b] + tail
    styles = ["dmy", "dmy_hm", "iso_hms", "dmy_hms"] + (["excel_date", "excel_datetime"] if fmt == "xlsx" else [])
    system_style = rng.choice(styles)  # system-generated columns share one style
    for c in cols:
        if c.role in ("received", "due", "returned"):
            c.date_style = system_style if rng.random() < 0.8 else rng.choice(styles)
        elif c.role in ("issued", "validity"):
            c.date_style = rng.choice(["dmy", "dmy", "excel_date"] if fmt == "xlsx" else ["dmy", "dmy", "iso_hms"])
            if c.date_style == "iso_hms":
                c.date_style = "dmy"
    return cols


# --------------------------------------------------------------------------- deck helper


class Deck:
    """Draw items from a shuffled deck, reshuffling when empty: many distinct items per register."""

    def __init__(self, rng: random.Random, items: list[Any]):
        self.rng, self.items, self.cards = rng, list(items), []

    def draw(self, ok=lambda x: True) -> Any:
        """First applicable card; cards that do not fit this row wait for a row they fit."""
        for _ in range(2):
            for i, c in enumerate(self.cards):
                if ok(c):
                    return self.cards.pop(i)
            fresh = [c for c in self.items if c not in self.cards]
            self.rng.shuffle(fresh)
            self.cards += fresh
        raise LookupError("no applicable item")


# --------------------------------------------------------------------------- building the register

STATUS_SETS = [["Đã trả kết quả"], ["Đã giải quyết"], ["Hoàn thành"], ["Đã trả kết quả (đúng hạn)"], ["ontime"]]
NOTES = [
    "",
    "",
    "",
    "Nộp trực tuyến",
    "Trả qua dịch vụ bưu chính công ích",
    "Đã số hóa kết quả",
    "Hồ sơ liên thông",
    "",
]
TITLES = [
    "DANH SÁCH HỒ SƠ ĐÃ GIẢI QUYẾT",
    "SỔ THEO DÕI HỒ SƠ",
    "DANH SÁCH HỒ SƠ ĐÃ TRẢ KẾT QUẢ",
    "BÁO CÁO CHI TIẾT HỒ SƠ ĐÃ GIẢI QUYẾT",
]
PROVINCE_HCODE_RANGE = (1, 63)


def stable_number(text: str, lo: int, hi: int) -> int:
    """A number in [lo, hi] fixed by `text` (same on every run and machine)."""
    return int(hashlib.md5(fold(text).encode()).hexdigest(), 16) % (hi - lo + 1) + lo


def hcode(unit_name: str) -> str:
    return f"H{stable_number(unit_name, *PROVINCE_HCODE_RANGE):02d}"


def agency_code(a: Agency) -> str:
    """QCVN-102-shaped code V1V2V3.Z1Z2.Y1Y2.MX1X2 (placeholder numbers, deterministic)."""
    prov = a.province.name if a.province else (a.unit.name if a.unit else "?")
    h = hcode(prov)
    num = stable_number
    if a.level == "province":
        yy = 0 if a.body_kind == "ubnd" else num(a.body, 1, 30)
        return f"000.00.{yy:02d}.{h}"
    district = a.unit if a.level == "district" else (a.parents[0] if a.parents else a.unit)
    yy = num(district.text() if district else "?", 31, 60)
    if a.level == "district" and a.body_kind == "ubnd":
        return f"000.00.{yy:02d}.{h}"
    zz = num(a.body, 1, 20) if a.level == "district" else num(a.unit.text() if a.unit else a.key, 21, 60)
    return f"000.{zz:02d}.{yy:02d}.{h}"


def fill_dates(rng: random.Random, entries: list[Entry]) -> None:
    seq: dict[tuple[str, dt.date], int] = {}
    for e in entries:
        days = PROCS[e.proc].days if e.proc else rng.randint(1, 10)
        rec_day = add_workdays(e.issue, -rng.randint(0, days))
        e.received = office_time(rng, rec_day)
        e.due = office_time(rng, add_workdays(rec_day, days))
        ret_day = e.issue if rng.random() < 0.55 else add_workdays(e.issue, rng.randint(1, 4))
        e.returned = office_time(rng, ret_day)
        if e.returned < e.received:
            e.returned = e.received + dt.timedelta(hours=2)
        if e.proc:
            code = agency_code(e.agency)
            k = (code, rec_day)
            seq[k] = seq.get(k, 0) + rng.randint(1, 3)
            e.dossier = f"{code}-{rec_day:%y%m%d}-{seq[k]:04d}"


def number_cell(rng: random.Random, e: Entry) -> tuple[str, str]:
    r = rng.random()
    if e.proc == "khai_sinh" and r < 0.3:
        return "with_book", f"Số {e.number}, Quyển số 01/{e.issue.year}"
    if r < 0.75:
        return "exact", e.number
    if r < 0.83:
        return "so_prefix", f"Số: {e.number}"
    if r < 0.93:
        return "with_date", f"{e.number} ngày {vn_date(e.issue)}"
    return "spaced_slash", e.number.replace("/", " / ", 1)


def holder_cell(rng: random.Random, e: Entry, upper: bool) -> str:
    if not e.holder:
        return ""
    return e.holder.upper() if upper else (cap_words(e.holder) if e.holder.isupper() else e.holder)


def locality_of(a: Agency) -> str:
    chain = ([a.unit] if a.unit else []) + list(a.parents)
    return " - ".join(unit_str(u, "full", True) for u in chain)


def date_value(d: Any, style: str) -> tuple[Any, str | None]:
    text_fmt, xl = DATE_STYLES[style]
    if xl:
        if (isinstance(d, dt.datetime) and style == "excel_date") or not isinstance(d, dt.datetime):
            d = dt.datetime(d.year, d.month, d.day)
        return d, xl
    if not isinstance(d, dt.datetime):
        text_fmt = text_fmt.split(" ")[0]
    return d.strftime(text_fmt), None


ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]


class RegisterBuilder:
    """Lays out one register: title block, header, data (with group rows), totals, signatures, footnotes."""

    def __init__(self, entries: list[Entry], rng: random.Random, fmt: str, as_of: dt.date | None):
        self.rng, self.fmt = rng, fmt
        self.group_by = rng.choice([None, None, None, "agency", "field"])
        self.cols = plan_columns(rng, fmt, self.group_by)
        self.ncol = len(self.cols)
        self.sheet = Sheet(width=self.ncol)
        self.features: list[str] = []
        self.layout: dict[str, Any] = {
            "title_rows": [],
            "header_rows": [],
            "numbering_row": None,
            "group_rows": [],
            "totals_row": None,
            "signature_rows": [],
            "footnote_rows": [],
        }
        self.rows: dict[str, Any] = {}
        self.groups: dict[str, Any] = {}
        self.entries = self._order(entries)
        self.period = (min(e.received for e in entries).date(), max(e.returned for e in entries).date())
        self.as_of = as_of or self.period[1]
        provinces = [e.agency.province.text() for e in entries if e.agency.province]
        self.main_prov = max(sorted(set(provinces)), key=provinces.count) if provinces else "tỉnh Bắc Giang"

    # -- helpers
    def _full_width(self, cell: Cell) -> int:
        r = self.sheet.add([cell])
        self.sheet.merge(r, 1, r, self.ncol)
        return r

    def _two_halves(self, left: Cell, right: Cell) -> int:
        half = max(1, self.ncol // 2)
        r = self.sheet.add([left] + [Cell() for _ in range(half - 1)] + [right])
        self.sheet.merge(r, 1, r, half)
        self.sheet.merge(r, half + 1, r, self.ncol)
        return r

    def _order(self, entries: list[Entry]) -> list[Entry]:
        order = self.rng.choice(["returned_asc", "returned_desc", "received_asc", "agency"])
        self.features.append("order:" + order)
        entries = sorted(entries, key=lambda e: (e.returned, e.record_ids[:1]))
        if order == "returned_desc":
            entries.reverse()
        elif order == "received_asc":
            entries.sort(key=lambda e: (e.received, e.record_ids[:1]))
        elif order == "agency":
            entries.sort(key=lambda e: (e.agency.key, e.returned))
        if self.group_by:  # stable sort: keeps the chosen order inside each group
            self.features.append("grouped_by_" + self.group_by)
            entries.sort(key=self._group_key)
        return entries

    def _group_key(self, e: Entry) -> str:
        if self.group_by == "agency":
            return e.agency.key
        return PROCS[e.proc].field if e.proc else "Khác"

    # -- parts
    def title_block(self) -> None:
        rng, (lo, hi) = self.rng, self.period
        style = rng.choice(["none", "formal", "formal", "r3_multiline", "simple"])
        if style == "none":
            return
        self.features.append("title_block:" + style)
        rows = self.layout["title_rows"]
        title = rng.choice(TITLES)
        if style == "r3_multiline":  # one merged A1 cell, as R3 one-stop exports write it
            rows.append(
                self._full_width(
                    Cell(f"{title}\nTừ ngày: {vn_date(lo)}\nĐến ngày:{vn_date(hi)}", bold=True, center=True, size=14)
                )
            )
            return
        if style == "formal":
            unit = f"UBND {self.main_prov.upper()}\n{rng.choice(['VĂN PHÒNG', 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG'])}"
            rows.append(
                self._two_halves(
                    Cell(unit, bold=True, center=True),
                    Cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", bold=True, center=True),
                )
            )
            rows.append(self.sheet.add([]))
        rows.append(self._full_width(Cell(title, bold=True, center=True, size=14)))
        period = rng.choice(
            [
                f"Từ ngày {vn_date(lo)} đến ngày {vn_date(hi)} ",
                f"Kỳ báo cáo: từ {vn_date(lo)} đến {vn_date(hi)}",
                f"(Kỳ báo cáo: Năm {hi.year})"
                if lo.year == hi.year
                else f"(Từ ngày {vn_date(lo)} đến ngày {vn_date(hi)})",
            ]
        )
        rows.append(self._full_width(Cell(period, italic=True, center=True)))
        if rng.random() < 0.4:
            rows.append(self._full_width(Cell("Trạng thái hồ sơ: Đã trả kết quả", center=True)))
        rows.append(self.sheet.add([]))

    def header(self) -> None:
        rng, cols, sheet = self.rng, self.cols, self.sheet
        if rng.random() < 0.6:  # two-level header: group cells merged over their sub-columns
            time_group = rng.choice(["Thời gian", "Ngày, tháng, năm", "Thời gian giải quyết"])
            for c in cols:
                if c.role in ("number", "issued", "validity", "result_type"):
                    c.group = "Kết quả giải quyết"
                    c.header = rng.choice(SUBHEADERS_UNDER_RESULT[c.role] + [c.header])
                elif c.role in ("received", "due", "returned"):
                    c.group = time_group
            for g in sorted({c.group for c in cols if c.group}):  # a lone member is not a group
                if sum(c.group == g for c in cols) < 2:
                    for c in cols:
                        if c.group == g:
                            c.group = None
        hcell = lambda v: Cell(v, bold=True, center=True, border=True)  # noqa: E731
        if any(c.group for c in cols):
            self.features.append("two_level_header")
            r1 = sheet.add([hcell(c.group or c.header) for c in cols])
            r2 = sheet.add([hcell(c.header if c.group else None) for c in cols])
            self.layout["header_rows"] = [r1, r2]
            i = 0
            while i < self.ncol:
                j = i
                while cols[i].group and j + 1 < self.ncol and cols[j + 1].group == cols[i].group:
                    j += 1
                sheet.merge(r1, i + 1, r1 if cols[i].group else r2, j + 1)
                i = j + 1
        else:
            self.features.append("one_level_header")
            self.layout["header_rows"] = [sheet.add([hcell(c.header) for c in cols])]
        if rng.random() < 0.45:
            ints = rng.random() < 0.3
            self.layout["numbering_row"] = sheet.add(
                [Cell(i + 1 if ints else f"({i + 1})", center=True, border=True, italic=True) for i in range(self.ncol)]
            )
            self.features.append("numbering_row:" + ("ints" if ints else "parenthesised"))

    def data(self) -> None:
        rng = self.rng
        totals_pos = rng.choice(["bottom", "bottom", "top", "none"])
        n = len(self.entries)
        stated = n if rng.random() < 0.75 else n + rng.randint(300, 2500)  # paginated export: whole-period count
        text = rng.choice([f"Tổng cộng: {stated} hồ sơ", f"Tổng số: {stated}", f"Tổng cộng ({stated} hồ sơ)"])
        if totals_pos != "none":
            self.features.append(f"totals_row_{totals_pos}" + ("" if stated == n else "_whole_period_count"))
            self.layout.update(totals_text=text, stated_total=stated)

        def totals() -> None:
            r = self.sheet.add([Cell(text, bold=True, border=True)])
            self.sheet.merge(r, 1, r, max(2, min(self.ncol, 3)))
            self.layout["totals_row"] = r

        if totals_pos == "top":
            totals()
        v = _RowVocabulary(rng, self.fmt, self.cols)
        if v.proc_code_numeric:
            self.features.append("procedure_code_stored_as_number")
        stt_restart = self.group_by is not None and rng.random() < 0.5
        self.layout.update(
            stt_restarts_per_group=stt_restart,
            holder_upper=v.holder_upper,
            procedure_code_long=v.proc_code_long,
            status_vocabulary=v.status_set,
        )
        stt, current = 0, None
        for e in self.entries:
            if self.group_by and self._group_key(e) != current:
                current = self._group_key(e)
                self._group_row(e, v, current)
                stt = 0 if stt_restart else stt
            stt += 1
            cells, truth = v.row(e, stt, self.as_of)
            self.rows[str(self.sheet.add(cells))] = truth
        if totals_pos == "bottom":
            totals()

    def _group_row(self, e: Entry, v: _RowVocabulary, key: str) -> None:
        roman = ROMAN[len(self.layout["group_rows"]) % len(ROMAN)]
        if self.group_by == "agency":
            form = v.names.draw(lambda f: render_agency(e.agency, f) is not None)
            text = f"{roman}. {render_agency(e.agency, form)}"
            info = {"group_by": "agency", "agency": e.agency.identity(), "name_form": form.id}
        else:
            text, info = f"{roman}. Lĩnh vực {key}", {"group_by": "field", "field": key}
        r = self.sheet.add([Cell(text, bold=True, border=True)])
        self.sheet.merge(r, 1, r, self.ncol)
        self.layout["group_rows"].append(r)
        self.groups[str(r)] = info

    def footer(self) -> None:
        rng, sheet = self.rng, self.sheet
        if rng.random() < 0.7:
            self.features.append("signature_block")
            rows = self.layout["signature_rows"]
            rows.append(sheet.add([]))
            place = self.main_prov.split(" ", 1)[-1]
            when = self.period[1] + dt.timedelta(days=rng.randint(1, 10))
            half = max(1, self.ncol // 2)
            r = sheet.add(
                [Cell() for _ in range(half)]
                + [
                    Cell(
                        f"{place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}", italic=True, center=True
                    )
                ]
            )
            sheet.merge(r, half + 1, r, self.ncol)
            rows.append(r)
            head = rng.choice(["THỦ TRƯỞNG ĐƠN VỊ", "GIÁM ĐỐC", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"])
            rows.append(
                self._two_halves(Cell("NGƯỜI LẬP BIỂU", bold=True, center=True), Cell(head, bold=True, center=True))
            )
            rows.append(
                self._two_halves(
                    Cell("(Ký, ghi rõ họ tên)", italic=True, center=True),
                    Cell("(Ký tên, đóng dấu)", italic=True, center=True),
                )
            )
            rows += [sheet.add([]) for _ in range(3)]
            rows.append(
                self._two_halves(
                    Cell(random_name(rng), bold=True, center=True), Cell(random_name(rng), bold=True, center=True)
                )
            )
        if rng.random() < 0.6:
            self.features.append("footnotes")
            export_day = vn_date(self.period[1] + dt.timedelta(days=1))
            stamp = f"{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d} ngày {export_day}"
            notes = [
                "Ghi chú:",
                '- Cột "Trạng thái" là tình trạng xử lý hồ sơ trên Hệ thống thông tin giải quyết TTHC của tỉnh.',
                f"- Số liệu trích xuất lúc {stamp}.",
                "(*) Thời hạn hiệu lực ghi theo kết quả giải quyết; để trống nếu kết quả không ghi thời hạn.",
            ]
            self.layout["footnote_rows"].append(sheet.add([]))
            for note in notes[: rng.randint(2, 4)]:
                self.layout["footnote_rows"].append(self._full_width(Cell(note, italic=True)))

    def finish(self) -> tuple[Sheet, dict]:
        for r1, c1, r2, c2 in self.sheet.merges:  # like Excel: only the top-left cell of a merge keeps a value
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.sheet.rows[r - 1][c - 1] = Cell(border=self.sheet.rows[r - 1][c - 1].border)
        self.layout.update(
            features=self.features,
            data_rows=sorted(int(k) for k in self.rows),
            groups=self.groups,
            columns=[
                {
                    "index": i + 1,
                    "letter": col_letter(i + 1),
                    "role": c.role,
                    "meaning": ROLE_MEANING[c.role],
                    "header": c.header,
                    "group": c.group,
                    "date_style": c.date_style,
                }
                for i, c in enumerate(self.cols)
            ],
            merged=[list(m) for m in self.sheet.merges],
            period=[self.period[0].isoformat(), self.period[1].isoformat()],
        )
        return self.sheet, {"as_of": self.as_of.isoformat(), "layout": self.layout, "rows": self.rows}


class _RowVocabulary:
    """Per-register choices for data cells, and the cells + truth of one row."""

    def __init__(self, rng: random.Random, fmt: str, cols: list[Column]):
        self.rng, self.cols = rng, cols
        self.names = Deck(rng, NAME_DECK)
        self.marks = Deck(rng, list(range(len(MARKS_DECK))))
        self.valid_null = Deck(rng, ["khong_thoi_han", "vinh_vien", "khong_xac_dinh", "blank"])
        self.valid_date = Deck(
            rng, ["end_date", "den_ngay", "duration_years", "duration_months", "duration_from_issue"]
        )
        self.status_set = rng.choice(STATUS_SETS)
        self.holder_upper = rng.random() < 0.35
        self.proc_code_long = rng.random() < 0.35
        self.proc_code_numeric = fmt == "xlsx" and rng.random() < 0.2
        self.validity_header = next(c.header for c in cols if c.role == "validity")
        self.agency_in_row = any(c.role == "agency" for c in cols)

    def agency(self, a: Agency) -> tuple[NameForm, str]:
        if a.body_kind == "unknown":
            return NameForm("blank_issuer_unknown"), ""
        base = self.names.draw(lambda f: render_agency(a, f) is not None)
        form = with_marks(base, MARKS_DECK[self.marks.draw()])
        text = render_agency(a, form)
        if text == render_agency(a, base):  # the modifier changed nothing: do not claim it
            form = base
        return form, text

    def validity(self, e: Entry) -> tuple[str, str]:
        if e.valid_until is None:
            land = e.proc == "dat_lan_dau"
            form = "lau_dai" if land and self.rng.random() < 0.6 else self.valid_null.draw()
            if self.validity_header == "Ngày hết hiệu lực" and form == "khong_xac_dinh":
                form = "blank"
            return form, dict(validity_options(e.issue, None, self.validity_header, land))[form]
        opts = validity_options(e.issue, e.valid_until, self.validity_header)
        form = self.valid_date.draw(lambda f: f in {o[0] for o in opts})
        return form, self.rng.choice([t for f, t in opts if f == form])

    def status(self, e: Entry) -> str:
        if self.status_set != ["ontime"]:
            return self.status_set[0]
        if e.returned.date() > e.due.date():
            return "Trả quá hạn"
        return "Trả trước hạn" if e.returned.date() < e.due.date() and self.rng.random() < 0.5 else "Trả đúng hạn"

    def row(self, e: Entry, stt: int, as_of: dt.date) -> tuple[list[Cell], dict]:
        rng, p = self.rng, (PROCS[e.proc] if e.proc else None)
        form, agency_text = self.agency(e.agency)
        vform, vtext = self.validity(e)
        nform, ntext = number_cell(rng, e)
        cells, shown = [], {}
        for c in self.cols:
            v: Any = ""
            nf = None
            if c.role == "stt":
                v = stt
            elif c.role == "dossier":
                v = e.dossier or ""
            elif c.role == "proc_code" and p:
                v = f"{p.code}.{agency_code(e.agency)}" if self.proc_code_long else p.code
                if self.proc_code_numeric and not self.proc_code_long:  # "1.000110" becomes 1.00011
                    v, nf = float(p.code), "General"
            elif c.role == "proc_name" and p:
                v = p.name
            elif c.role == "proc_both":
                v = f"{p.code} - {p.name}" if p else (e.subject or "")
            elif c.role == "field" and p:
                v = p.field
            elif c.role == "holder":
                v = holder_cell(rng, e, self.holder_upper)
            elif c.role == "locality":
                v = locality_of(e.agency) if e.agency.level != "province" or rng.random() < 0.3 else ""
            elif c.role == "subject":
                v = e.subject or (f"{p.name} cho {e.holder}" if p and e.holder else "")
            elif c.role == "channel" and p:
                v = rng.choice(["Trực tiếp", "Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"])
            elif c.role in ("received", "due", "returned"):
                v, nf = date_value(getattr(e, c.role), c.date_style)
            elif c.role == "result_type":
                v = e.doc_type or ""
            elif c.role == "number":
                v = ntext
            elif c.role == "issued":
                v, nf = date_value(e.issue, c.date_style)
            elif c.role == "validity":
                v, nf = date_value(e.valid_until, c.date_style) if vtext == "@date" else (vtext, None)
            elif c.role == "agency":
                v = agency_text
            elif c.role == "status":
                v = self.status(e)
            elif c.role == "note":
                v = rng.choice(NOTES)
            cells.append(Cell(v, num_fmt=nf, border=True, center=c.role == "stt"))
            shown[c.role] = v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v
        vu = e.valid_until
        truth = {
            "record_id": e.record_ids[0] if e.record_ids else None,
            "record_ids": e.record_ids,
            "source": e.source,
            "notes": e.notes,
            "doc_type": e.doc_type,
            "number": e.number,
            "number_form": nform,
            "issue_date": e.issue.isoformat(),
            "valid_until": vu.isoformat() if vu else None,
            "valid_on_as_of": e.issue <= as_of and (vu is None or as_of <= vu),
            "issued_by_as_of": e.issue <= as_of,
            "validity_form": vform,
            "holder": e.holder,
            "procedure": {"code": p.code, "name": p.name, "code_verified": p.verified} if p else None,
            "dossier_code": e.dossier,
            "received": e.received.isoformat(sep=" "),
            "returned": e.returned.isoformat(sep=" "),
            "agency": e.agency.identity(),
            "agency_name_form": form.id if self.agency_in_row else None,
            "agency_text": agency_text if self.agency_in_row else None,
            "agency_only_in_group_row": not self.agency_in_row,
            "cells": shown,
        }
        return cells, truth


def build(entries: list[Entry], rng: random.Random, fmt: str, as_of: dt.date | None) -> tuple[Sheet, dict]:
    b = RegisterBuilder(entries, rng, fmt, as_of)
    b.title_block()
    b.header()
    b.data()
    b.footer()
    return b.finish()


def col_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------- writers


def write_xlsx(sheet: Sheet, path: Path, rng: random.Random, stamp: dt.datetime) -> dict:
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = rng.choice(["Sheet1", "DanhSach", "Báo cáo", "Sổ theo dõi", "Data"])
    thin = Side(style="thin")
    for r, row in enumerate(sheet.rows, start=1):
        for c, cell in enumerate(row, start=1):
            if cell.value is None and not cell.border:
                continue
            x = ws.cell(row=r, column=c, value=cell.value)
            if cell.num_fmt:
                x.number_format = cell.num_fmt
            if cell.bold or cell.italic or cell.size:
                x.font = Font(name="Times New Roman", bold=cell.bold, italic=cell.italic, size=cell.size or 12)
            x.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if cell.center else None)
            if cell.border:
                x.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for m in sheet.merges:
        ws.merge_cells(start_row=m[0], start_column=m[1], end_row=m[2], end_column=m[3])
    for c in range(1, sheet.width + 1):
        ws.column_dimensions[col_letter(c)].width = 6 if c == 1 else rng.choice([14, 18, 22, 28])
    wb.properties.creator = rng.choice(["Administrator", "admin", "motcua", "Microsoft Office User"])
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    wb.save(raw)
    # same seed -> same bytes: pin zip entry times and the document timestamps
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso.encode(), data)
            zout.writestr(
                zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6]),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return {"sheet": ws.title}


def display_text(v: Any, num_fmt: str | None) -> str:
    """What Excel's 'Save as CSV' writes for a cell: its displayed text."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M" if num_fmt and "hh" in num_fmt else "%d/%m/%Y")
    if isinstance(v, float):
        return repr(v).rstrip("0").rstrip(".") if "." in repr(v) else repr(v)
    return str(v)


def write_csv(sheet: Sheet, path: Path, encoding: str, rng: random.Random) -> dict:
    delim = "\t" if encoding == "utf-16" else rng.choice([",", ";"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in sheet.rows:
        w.writerow([display_text(c.value, c.num_fmt) for c in row])
    text = buf.getvalue()
    # cp1258 has no precomposed "ầ", "ế", ...: write base letter + combining tone mark, as Windows does
    data = for_cp1258(text).encode("cp1258", errors="replace") if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes(data)
    return {"delimiter": delim, "line_terminator": "CRLF", "row_numbering": "1-based CSV record number"}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", type=Path, help="JSON lines written by `sohoa export`")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    ap.add_argument(
        "--encoding", choices=["utf-8-sig", "utf-16", "cp1258"], default=None, help="CSV only (default utf-8-sig)"
    )
    ap.add_argument("--extra", type=int, default=6, help="results that were never scanned (invented)")
    ap.add_argument("--truth-dir", type=Path, default=None, help="folder with the scans and their .gt.json")
    ap.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="date for valid_on_as_of (default: last return date in the register)",
    )
    args = ap.parse_args(argv)
    if args.format == "xlsx" and args.encoding:
        print("note: --encoding applies to CSV only; ignored for xlsx", file=sys.stderr)
    encoding = args.encoding or "utf-8-sig"
    rng = random.Random(args.seed)

    entries = read_archive(args.archive, args.truth_dir, rng)
    pool = merge_agencies(entries)
    dates = [e.issue for e in entries] or [dt.date(2021, 1, 4), dt.date(2024, 12, 31)]
    used = {(e.agency.key, e.number + str(e.issue.year)) for e in entries}
    entries += invent_entries(rng, pool, args.extra, min(dates), max(dates), used)
    if not entries:
        print("nothing to write", file=sys.stderr)
        return 1
    fill_dates(rng, entries)
    sheet, truth = build(entries, rng, args.format, args.as_of)

    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"register.{args.format}"
    if args.format == "xlsx":
        hi = dt.date.fromisoformat(truth["layout"]["period"][1]) + dt.timedelta(days=1)
        extra = write_xlsx(sheet, out, rng, dt.datetime(hi.year, hi.month, hi.day, 16, 45, 12))
    else:
        extra = write_csv(sheet, out, encoding, rng)
    truth = {
        "generator": "scripts/onestop_register.py",
        "archive": str(args.archive),
        "seed": args.seed,
        "file": out.name,
        "format": args.format,
        "encoding": encoding if args.format == "csv" else None,
        **extra,
        "truth_dir": str(args.truth_dir) if args.truth_dir else None,
        **truth,
    }
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    n = len(truth["rows"])
    print(f"wrote {out} ({n} results, {sum(1 for r in truth['rows'].values() if r['record_id'] is None)} invented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
