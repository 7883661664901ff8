#!/usr/bin/env python3
"""Generate realistic scanned procedure results with ground truth, for tests and demos.

Each document follows the Decree 30/2020 layout (issuer top-left, motto and date line
top-right, type heading, summary, body, signer block with a red seal and a blue
signature), is rendered in Liberation Serif (metric-compatible with Times New Roman,
full Vietnamese glyphs), degraded like a real scan (skew, noise, blur, JPEG artefacts,
150-300 dpi, colour or grey) and written as PDF, TIFF, JPEG or PNG; some are born-digital
PDFs with a text layer. Next to each file, ``<name>.gt.json`` holds its true fields.

    python scripts/samplegen.py OUT_DIR --count 60 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")
FONT_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 85.0, 57.0, 57.0, 60.0
TEXT_W = PAGE_W - LEFT - RIGHT
LEFT_COL_X = LEFT + TEXT_W * 0.21
RIGHT_COL_X = LEFT + TEXT_W * 0.70
QUALITIES = ("clean", "typical", "poor", "born_digital")


def font_path(style: str) -> str:
    for d in FONT_DIRS:
        p = Path(d) / FONT_FILES[style]
        if p.exists():
            return str(p)
    sys.exit("Liberation Serif not found: apt-get install fonts-liberation")


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def pil_font(style: str, px: int) -> ImageFont.FreeTypeFont:
    key = (style, px)
    if key not in _FONTS:
        _FONTS[key] = ImageFont.truetype(font_path(style), px)
    return _FONTS[key]


def text_width(text: str, style: str, size: float) -> float:
    return pil_font(style, 200).getlength(text) * size / 200


# --------------------------------------------------------------------------- content

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Lương", "Thân"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Hữu", "Ngọc", "Thu", "Xuân",
          "Hồng", "Anh", "Gia", "Kim", "Tuấn", "Thùy"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn",
         "Thảo", "Thắng", "Trang", "Tú", "Tuyết", "Việt", "Yến", "Đạt", "Ánh", "Thủy"]
PROVINCES = [("Bắc Giang", "024"), ("Bắc Ninh", "027"), ("Quảng Ngãi", "051"),
             ("Hòa Bình", "017"), ("Thái Nguyên", "019"), ("Phú Thọ", "025")]
DISTRICTS = ["Yên Dũng", "Lạng Giang", "Hiệp Hòa", "Việt Yên", "Tân Yên", "Lục Nam"]
COMMUNES = ["Tân An", "Xuân Phú", "Đồng Việt", "Quang Châu", "Hương Sơn", "Tiên Lục"]

QD_SUBJECTS = [
    "Về việc phê duyệt kế hoạch hỗ trợ hộ nghèo năm {y}",
    "Về việc công nhận xã đạt chuẩn nông thôn mới năm {y}",
    "Về việc giao đất ở cho hộ gia đình, cá nhân tại khu dân cư số 3",
    "Về việc phê duyệt kinh phí sửa chữa trường tiểu học",
    "Về việc thành lập Tổ công tác kiểm tra an toàn thực phẩm",
    "Về việc hỗ trợ kinh phí cho gia đình chính sách dịp Tết nguyên đán",
]
TB_SUBJECTS = [
    "Kết luận của Chủ tịch Ủy ban nhân dân tại cuộc họp giao ban tháng {m}",
    "Về việc tạm dừng tiếp nhận hồ sơ trực tuyến để nâng cấp hệ thống",
    "Về lịch tiếp công dân định kỳ quý {q} năm {y}",
    "Về việc tuyển dụng viên chức năm {y}",
]
CT_SUBJECTS = [
    "Về việc tăng cường công tác phòng, chống dịch bệnh",
    "Về việc đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Về việc tăng cường kỷ luật, kỷ cương hành chính",
    "Về công tác phòng cháy, chữa cháy mùa khô năm {y}",
]
CV_SUBJECTS = [
    "V/v góp ý dự thảo Quyết định ban hành quy chế phối hợp",
    "V/v báo cáo kết quả số hóa hồ sơ thủ tục hành chính",
    "V/v đôn đốc thực hiện chuyển đổi số năm {y}",
    "V/v cung cấp thông tin phục vụ công tác thanh tra",
]
BODY_SENTENCES = [
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc đẩy mạnh cải cách thủ tục hành chính, "
    "nâng cao chất lượng phục vụ người dân và doanh nghiệp.",
    "Các cơ quan, đơn vị có liên quan chịu trách nhiệm tổ chức triển khai thực hiện nghiêm túc, "
    "hiệu quả các nội dung nêu trên.",
    "Giao Văn phòng Ủy ban nhân dân chủ trì, phối hợp với các sở, ban, ngành theo dõi, đôn đốc "
    "và tổng hợp kết quả thực hiện.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời báo cáo để xem xét, "
    "giải quyết theo quy định.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương theo phân cấp hiện hành.",
    "Người đứng đầu cơ quan, đơn vị chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân về kết quả "
    "thực hiện nhiệm vụ được giao.",
]
BUSINESS = ["Cửa hàng tạp hóa {n}", "Quán cơm {n}", "Tiệm may {n}", "Cơ sở sửa chữa xe máy {n}",
            "Hộ kinh doanh bánh mì {n}"]
FOOD_FACILITIES = ["Bếp ăn tập thể Trường mầm non {c}", "Cơ sở sản xuất bánh chưng {n}",
                   "Nhà hàng {n}", "Cơ sở chế biến nông sản {c}"]


def body_sentences(rng: random.Random, long_body: bool) -> list[str]:
    if long_body:
        return rng.choices(BODY_SENTENCES, k=rng.randint(14, 18))
    return rng.sample(BODY_SENTENCES, rng.randint(3, 6))


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def personal_id(rng: random.Random, province_code: str, birth_year: int, female: bool) -> str:
    century = (0 if birth_year < 2000 else 2) + (1 if female else 0)
    return f"{province_code}{century}{birth_year % 100:02d}{rng.randrange(10**6):06d}"


def date_line(place: str, day: dt.date) -> str:
    # Decree 30: zero-pad days below 10 and months 1 and 2.
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month}/{day.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


# --------------------------------------------------------------------------- layout


@dataclass
class Op:
    """One drawing instruction in points, y measured from the top of the page."""

    kind: str  # text | rule | seal | signature
    page: int
    x: float
    y: float  # baseline for text
    text: str = ""
    style: str = "regular"
    size: float = 13.0
    align: str = "left"
    width: float = 0.0  # rules, seals, signatures


@dataclass
class Doc:
    name: str
    doc_type: str
    quality: str
    fmt: str
    truth: dict[str, str | None]
    ops: list[Op] = field(default_factory=list)
    pages: int = 1
    colour: bool = True
    dpi: int = 300
    seed: int = 0


class Writer:
    """Flows text down the pages, breaking to a new page at the bottom margin."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.page = 1
        self.y = TOP

    def space(self, pts: float) -> None:
        self.y += pts

    def _need(self, height: float) -> None:
        if self.y + height > PAGE_H - BOTTOM:
            self.page += 1
            self.doc.pages = self.page
            # Decree 30: page numbers top centre, none on page 1.
            self.doc.ops.append(Op("text", self.page, LEFT + TEXT_W / 2, TOP - 10, str(self.page),
                                   "regular", 13, "center"))
            self.y = TOP + 20

    def line(self, text: str, *, x: float | None = None, style: str = "regular", size: float = 13,
             align: str = "left", advance: bool = True) -> None:
        self._need(size * 1.4)
        if x is None:
            x = {"left": LEFT, "center": LEFT + TEXT_W / 2, "right": PAGE_W - RIGHT}[align]
        self.doc.ops.append(Op("text", self.page, x, self.y + size, text, style, size, align))
        if advance:
            self.y += size * 1.45

    def paragraph(self, text: str, *, style: str = "regular", size: float = 13, indent: float = 28,
                  width: float = TEXT_W, x: float = LEFT, align: str = "left") -> None:
        words = text.split()
        lines: list[str] = []
        current = ""
        first = True
        for word in words:
            trial = f"{current} {word}".strip()
            avail = width - (indent if first and not lines else 0)
            if text_width(trial, style, size) > avail and current:
                lines.append(current)
                current = word
                first = False
            else:
                current = trial
        if current:
            lines.append(current)
        for i, ln in enumerate(lines):
            if align == "center":
                self.line(ln, x=x + width / 2, style=style, size=size, align="center")
            else:
                self.line(ln, x=x + (indent if i == 0 else 0), style=style, size=size)

    def centred_wrapped(self, text: str, *, style: str = "bold", size: float = 13,
                        width: float = TEXT_W * 0.8) -> list[str]:
        self.paragraph(text, style=style, size=size, indent=0, width=width,
                       x=LEFT + (TEXT_W - width) / 2, align="center")
        return []


def wrap(text: str, style: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if text_width(trial, style, size) > width and current:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def header(w: Writer, issuer_lines: list[str], number: str, place: str, day: dt.date,
           cv_subject: str | None, rng: random.Random, uy_old: bool) -> None:
    d = w.doc
    y0 = TOP + 12
    motto = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" if uy_old else "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    d.ops.append(Op("text", 1, RIGHT_COL_X, y0, motto, "bold", 12, "center"))
    d.ops.append(Op("text", 1, RIGHT_COL_X, y0 + 16, "Độc lập - Tự do - Hạnh phúc", "bold", 13, "center"))
    mw = text_width("Độc lập - Tự do - Hạnh phúc", "bold", 13)
    d.ops.append(Op("rule", 1, RIGHT_COL_X - mw / 2, y0 + 21, width=mw))
    y = y0
    for i, text in enumerate(issuer_lines):
        style = "regular" if (i == 0 and len(issuer_lines) > 1 and _is_parent(text)) else "bold"
        d.ops.append(Op("text", 1, LEFT_COL_X, y, text, style, 12, "center"))
        y += 16
    d.ops.append(Op("rule", 1, LEFT_COL_X - 30, y - 11, width=60))
    y += 14
    d.ops.append(Op("text", 1, LEFT_COL_X, y, f"Số: {number}", "regular", 13, "center"))
    d.ops.append(Op("text", 1, RIGHT_COL_X, y, date_line(place, day), "italic", 13, "center"))
    y += 18
    if cv_subject:
        for ln in wrap(cv_subject, "regular", 12, 190):
            d.ops.append(Op("text", 1, LEFT_COL_X, y, ln, "regular", 12, "center"))
            y += 15
    w.y = y + 16


def _is_parent(text: str) -> bool:
    return text.startswith(("UBND", "ỦY BAN NHÂN DÂN TỈNH", "UỶ BAN NHÂN DÂN TỈNH", "BỘ ", "SỞ "))


def signer_block(w: Writer, prefix_lines: list[str], name: str, rng: random.Random,
                 recipients: list[str] | None, seal_text: str) -> None:
    height = 16 * len(prefix_lines) + 95 + 20
    w._need(height)
    top = w.y + 8
    d = w.doc
    x = RIGHT_COL_X
    y = top
    for ln in prefix_lines:
        d.ops.append(Op("text", w.page, x, y + 13, ln, "bold", 13, "center"))
        y += 16
    d.ops.append(Op("signature", w.page, x - 10, y + 10, width=90))
    d.ops.append(Op("seal", w.page, x - 45, y + 25, seal_text, width=104))
    y += 85
    d.ops.append(Op("text", w.page, x, y, name, "bold", 13, "center"))
    if recipients:
        ry = top + 12
        d.ops.append(Op("text", w.page, LEFT, ry, "Nơi nhận:", "bolditalic", 12))
        for r in recipients:
            ry += 13
            d.ops.append(Op("text", w.page, LEFT, ry, r, "regular", 11))
    w.y = y + 20


def issuer_for(kind: str, rng: random.Random, province: str, uy_old: bool) -> tuple[list[str], str, str]:
    """Issuer lines, the notation's agency part, and the place of the date line."""
    uy = "UỶ" if uy_old else "ỦY"
    district = rng.choice(DISTRICTS)
    commune = rng.choice(COMMUNES)
    options = {
        "province": ([f"{uy} BAN NHÂN DÂN", f"TỈNH {province.upper()}"], "UBND", province),
        "district": ([f"{uy} BAN NHÂN DÂN", f"HUYỆN {district.upper()}"], "UBND", district),
        "commune": ([f"{uy} BAN NHÂN DÂN", f"XÃ {commune.upper()}"], "UBND", commune),
        "construction": ([f"UBND TỈNH {province.upper()}", "SỞ XÂY DỰNG"], "SXD", province),
        "health": ([f"UBND TỈNH {province.upper()}", "SỞ Y TẾ"], "SYT", province),
        "finance": ([f"UBND HUYỆN {district.upper()}", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"], "TCKH", district),
    }
    return options[kind]


def signer_lines(rng: random.Random, body: str, collective: str) -> tuple[list[str], str]:
    """The signer block's title lines and the expected signer_title."""
    head = {"UBND": "CHỦ TỊCH", "SXD": "GIÁM ĐỐC", "SYT": "GIÁM ĐỐC", "TCKH": "TRƯỞNG PHÒNG"}[body]
    deputy = {"CHỦ TỊCH": "PHÓ CHỦ TỊCH", "GIÁM ĐỐC": "PHÓ GIÁM ĐỐC",
              "TRƯỞNG PHÒNG": "PHÓ TRƯỞNG PHÒNG"}[head]
    choice = rng.randrange(3)
    if body == "UBND" and choice == 0:
        return [f"TM. {collective}", head], head
    if choice == 1:
        return [f"KT. {head}", deputy], deputy
    return [head], head


def build_doc(index: int, rng: random.Random, quality: str, today: dt.date) -> Doc:
    kinds = ["QĐ", "CV", "TB", "CT", "HKD", "GPXD", "ATTP", "GKS"]
    kind = kinds[index % len(kinds)]
    province, pcode = rng.choice(PROVINCES)
    uy_old = rng.random() < 0.25
    year = rng.choice([2021, 2022, 2023, 2024, 2025])
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(1, 2999)
    holder = holder_id = valid_until = subject = None

    if kind in ("QĐ", "CV", "TB", "CT"):
        scope = rng.choice(["province", "district", "province", "commune"])
        issuer_lines, body, place = issuer_for(scope, rng, province, uy_old)
    elif kind == "GPXD":
        issuer_lines, body, place = issuer_for("construction", rng, province, uy_old)
    elif kind == "ATTP":
        issuer_lines, body, place = issuer_for("health", rng, province, uy_old)
    elif kind == "HKD":
        issuer_lines, body, place = issuer_for("finance", rng, province, uy_old)
    else:
        issuer_lines, body, place = issuer_for("commune", rng, province, uy_old)

    notation = {
        "QĐ": f"QĐ-{body}", "CV": f"{body}-{rng.choice(['VX', 'KTTH', 'NC', 'TH'])}",
        "TB": f"TB-{body}", "CT": f"CT-{body}", "HKD": "GCN-TCKH", "GPXD": "GPXD",
        "ATTP": "GCNATTP-SYT", "GKS": "GKS-UBND",
    }[kind]
    padded = f"{seq:02d}" if seq < 10 else str(seq)
    number = f"{padded}/{notation}"
    type_name = {
        "QĐ": "Quyết định", "CV": "Công văn", "TB": "Thông báo", "CT": "Chỉ thị",
        "HKD": "Giấy chứng nhận đăng ký hộ kinh doanh", "GPXD": "Giấy phép xây dựng",
        "ATTP": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "GKS": "Giấy khai sinh",
    }[kind]
    fmt = choose_format(rng, quality)
    name = f"{index:03d}_{kind.replace('Đ', 'D')}_{quality}"
    doc = Doc(name, type_name, quality, fmt, {}, seed=rng.randrange(2**31))
    w = Writer(doc)
    collective = " ".join(issuer_lines[-2:]) if body == "UBND" else issuer_lines[-1]
    fill = {"y": year, "m": day.month, "q": (day.month - 1) // 3 + 1}
    cv_subject = rng.choice(CV_SUBJECTS).format(**fill) if kind == "CV" else None
    header(w, issuer_lines, number, place, day, cv_subject, rng, uy_old)
    recipients = ["- Như Điều 3;", "- Lưu: VT."] if kind != "GKS" else None

    long_body = rng.random() < 0.3  # runs onto a second page
    if kind == "CV":
        subject = cv_subject
        w.line("Kính gửi: Các sở, ban, ngành thuộc tỉnh", align="center", size=13)
        w.space(6)
        for s in body_sentences(rng, long_body):
            w.paragraph(s)
    elif kind in ("QĐ", "TB", "CT"):
        heading = {"QĐ": "QUYẾT ĐỊNH", "TB": "THÔNG BÁO", "CT": "CHỈ THỊ"}[kind]
        pool = {"QĐ": QD_SUBJECTS, "TB": TB_SUBJECTS, "CT": CT_SUBJECTS}[kind]
        subject = rng.choice(pool).format(**fill)
        w.line(heading, align="center", style="bold", size=14)
        for ln in wrap(subject, "bold", 14, TEXT_W * 0.85):
            w.line(ln, align="center", style="bold", size=14)
        w.space(10)
        if kind == "QĐ":
            authority = ("CHỦ TỊCH " + collective) if body == "UBND" else ("GIÁM ĐỐC " + collective)
            w.line(authority.replace("UỶ", "ỦY"), align="center", style="bold", size=13)
            w.space(4)
            w.paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;", style="italic")
            w.paragraph("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;",
                        style="italic")
            w.line("QUYẾT ĐỊNH:", align="center", style="bold")
            if rng.random() < 0.5:
                holder = person(rng)
                by = rng.randint(1960, 2000)
                holder_id = personal_id(rng, pcode, by, rng.random() < 0.5)
                w.paragraph(f"Điều 1. Hỗ trợ cho ông (bà) {holder}, số định danh cá nhân: {holder_id}, "
                            f"số tiền 5.000.000 đồng.")
            else:
                w.paragraph("Điều 1. " + rng.choice(BODY_SENTENCES))
            if rng.random() < 0.4:
                valid_until = dt.date(year + rng.randint(0, 2), 12, 31)
                w.paragraph(f"Điều 2. Quyết định này có hiệu lực đến hết ngày {short_date(valid_until)}.")
            else:
                w.paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
            w.paragraph("Điều 3. " + rng.choice(BODY_SENTENCES))
            if long_body:
                for n, s in enumerate(body_sentences(rng, True), start=4):
                    w.paragraph(f"Điều {n}. {s}")
        else:
            for s in body_sentences(rng, long_body):
                w.paragraph(s)
    elif kind == "HKD":
        w.line("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", align="center", style="bold", size=14)
        first = day - dt.timedelta(days=rng.randint(200, 900))
        w.line(f"Đăng ký lần đầu: ngày {first.day:02d} tháng {first.month:02d} năm {first.year}",
               align="center", style="italic", size=13)
        w.space(8)
        holder = person(rng).upper()
        by = rng.randint(1965, 2000)
        holder_id = personal_id(rng, pcode, by, "THỊ" in holder)
        w.paragraph(f"1. Tên hộ kinh doanh: {rng.choice(BUSINESS).format(n=person(rng).split()[-1])}", indent=0)
        w.paragraph(f"2. Địa điểm kinh doanh: thôn Đông, xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph("3. Ngành, nghề kinh doanh: Bán lẻ lương thực, thực phẩm, đồ uống", indent=0)
        w.paragraph(f"4. Vốn kinh doanh: {rng.randint(5, 90) * 10}.000.000 đồng", indent=0)
        w.paragraph("5. Chủ hộ kinh doanh:", indent=0)
        w.paragraph(f"Họ và tên: {holder}", indent=0)
        w.paragraph(f"Ngày sinh: {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{by}   Dân tộc: Kinh",
                    indent=0)
        w.paragraph(f"Số định danh cá nhân: {holder_id}", indent=0)
    elif kind == "GPXD":
        w.line("GIẤY PHÉP XÂY DỰNG", align="center", style="bold", size=14)
        subject = "Sử dụng cho nhà ở riêng lẻ"
        w.line(subject, align="center", style="bold", size=13)
        w.space(8)
        holder = person(rng)
        by = rng.randint(1960, 1998)
        holder_id = personal_id(rng, pcode, by, "Thị" in holder)
        w.paragraph(f"1. Cấp cho: Ông (bà) {holder}", indent=0)
        w.paragraph(f"Số định danh cá nhân: {holder_id}", indent=0)
        w.paragraph(f"Địa chỉ: thôn Bắc, xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph(f"2. Được phép xây dựng công trình: Nhà ở riêng lẻ, {rng.randint(2, 5)} tầng", indent=0)
        w.paragraph(f"- Diện tích xây dựng tầng 1: {rng.randint(60, 150)} m2; chiều cao công trình: "
                    f"{rng.randint(8, 18)} m", indent=0)
        w.paragraph("3. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ "
                    "ngày cấp; quá thời hạn trên thì phải đề nghị gia hạn giấy phép xây dựng.", indent=0)
        valid_until = add_months(day, 12)
    elif kind == "ATTP":
        w.line("GIẤY CHỨNG NHẬN", align="center", style="bold", size=14)
        w.line("CƠ SỞ ĐỦ ĐIỀU KIỆN AN TOÀN THỰC PHẨM", align="center", style="bold", size=14)
        w.space(8)
        w.line(f"{issuer_lines[-1]} TỈNH {province.upper()}" if "SỞ" in issuer_lines[-1] else issuer_lines[-1],
               align="center", style="bold", size=13)
        w.line("CHỨNG NHẬN", align="center", style="bold", size=13)
        holder = person(rng)
        w.paragraph(f"Cơ sở: {rng.choice(FOOD_FACILITIES).format(n=holder.split()[-1], c=rng.choice(COMMUNES))}",
                    indent=0)
        w.paragraph(f"Chủ cơ sở: {holder}", indent=0)
        w.paragraph(f"Địa chỉ: xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph("Đủ điều kiện an toàn thực phẩm theo quy định để sản xuất, kinh doanh: dịch vụ ăn uống.",
                    indent=0)
        valid_until = dt.date(day.year + 3, day.month, day.day)
        words = rng.random() < 0.5
        until_text = (f"ngày {valid_until.day:02d} tháng {valid_until.month:02d} năm {valid_until.year}"
                      if words else short_date(valid_until))
        w.paragraph(f"Giấy chứng nhận có hiệu lực đến {until_text}.", style="italic", indent=0)
    elif kind == "GKS":
        w.line("GIẤY KHAI SINH", align="center", style="bold", size=15)
        w.space(8)
        holder = person(rng).upper()
        born = day - dt.timedelta(days=rng.randint(3, 50))
        holder_id = personal_id(rng, pcode, born.year, "THỊ" in holder)
        w.paragraph(f"Họ, chữ đệm, tên: {holder}", indent=0)
        w.paragraph(f"Ngày, tháng, năm sinh: {born.day:02d}/{born.month:02d}/{born.year}", indent=0)
        w.paragraph(f"Giới tính: {'Nữ' if 'THỊ' in holder else 'Nam'}   Dân tộc: Kinh   Quốc tịch: Việt Nam",
                    indent=0)
        w.paragraph(f"Nơi sinh: Trạm Y tế xã {place}, tỉnh {province}", indent=0)
        w.paragraph(f"Số định danh cá nhân: {holder_id}", indent=0)
        w.paragraph(f"Họ, chữ đệm, tên người mẹ: {person(rng).upper()}", indent=0)
        w.paragraph(f"Họ, chữ đệm, tên người cha: {person(rng).upper()}", indent=0)
        w.paragraph(f"Nơi đăng ký khai sinh: Ủy ban nhân dân xã {place}, tỉnh {province}", indent=0)

    prefix, signer_title = signer_lines(rng, body, collective.replace("UỶ", "ỦY"))
    signer_name = person(rng)
    w.space(6)
    signer_block(w, prefix, signer_name, rng, recipients, " ".join(issuer_lines[-2:]))

    doc.truth = {
        "doc_type": type_name,
        "number": number,
        "issue_date": day.isoformat(),
        "issuer": " ".join(issuer_lines),
        "place": place,
        "subject": subject,
        "signer_title": signer_title,
        "signer_name": signer_name,
        "holder_name": holder,
        "holder_id": holder_id,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
    degrade_settings(doc, rng, quality)
    return doc


def choose_format(rng: random.Random, quality: str) -> str:
    if quality == "born_digital":
        return "pdf"
    return rng.choice(["pdf", "pdf", "tiff", "jpeg", "png"])


def degrade_settings(doc: Doc, rng: random.Random, quality: str) -> None:
    if doc.pages > 1 and doc.fmt in ("jpeg", "png"):
        doc.fmt = rng.choice(["pdf", "tiff"])
    doc.colour = quality == "born_digital" or rng.random() < 0.7
    doc.dpi = {"clean": 300, "typical": rng.choice([200, 250, 300]),
               "poor": rng.choice([150, 200]), "born_digital": 300}[quality]


# --------------------------------------------------------------------------- raster


def render_page(doc: Doc, page: int, dpi: int, rng: random.Random) -> Image.Image:
    scale = dpi / 72
    img = Image.new("RGB", (round(PAGE_W * scale), round(PAGE_H * scale)), (252, 251, 247))
    draw = ImageDraw.Draw(img)
    overlays = []
    for op in doc.ops:
        if op.page != page:
            continue
        if op.kind == "text":
            fnt = pil_font(op.style, max(6, round(op.size * scale)))
            anchor = {"left": "ls", "center": "ms", "right": "rs"}[op.align]
            draw.text((op.x * scale, op.y * scale), op.text, font=fnt, fill=(12, 12, 12), anchor=anchor)
        elif op.kind == "rule":
            draw.line([(op.x * scale, op.y * scale), ((op.x + op.width) * scale, op.y * scale)],
                      fill=(12, 12, 12), width=max(1, round(scale * 0.8)))
        else:
            overlays.append(op)
    for op in overlays:  # ink goes on top of the print
        if op.kind == "signature":
            draw_signature(img, op, scale, rng)
        elif op.kind == "seal":
            draw_seal(img, op, scale)
    return img


def ink_over(img: Image.Image, layer: Image.Image, at: tuple[int, int]) -> None:
    """Lay ink on paper as ink does: multiply, so black print under a seal stays black."""
    box = (at[0], at[1], at[0] + layer.width, at[1] + layer.height)
    under = img.crop(box)
    white = Image.new("RGB", layer.size, (255, 255, 255))
    white.paste(layer.convert("RGB"), (0, 0), layer)
    img.paste(ImageChops.multiply(under, white), box[:2])


def draw_signature(img: Image.Image, op: Op, scale: float, rng: random.Random) -> None:
    size = (round(op.width * scale * 1.3), round(60 * scale))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    origin = (round(op.x * scale - size[0] * 0.1), round(op.y * scale - size[1] / 2))
    x0, y0 = op.x * scale - origin[0], op.y * scale - origin[1]
    pts = []
    for i in range(40):
        t = i / 39
        pts.append((x0 + t * op.width * scale + rng.uniform(-4, 4) * scale / 4,
                    y0 + math.sin(t * rng.uniform(8, 14)) * 12 * scale / 4 + rng.uniform(-3, 3)))
    draw.line(pts, fill=(30, 50, 170, 255), width=max(2, round(scale * 1.2)), joint="curve")
    ink_over(img, layer, origin)


def draw_seal(img: Image.Image, op: Op, scale: float) -> None:
    size = round(op.width * scale)
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(seal)
    red = (215, 45, 50, 235)
    r = size / 2
    d.ellipse([2, 2, size - 3, size - 3], outline=red, width=max(2, round(scale * 1.5)))
    d.ellipse([size * 0.2, size * 0.2, size * 0.8, size * 0.8], outline=red, width=max(1, round(scale)))
    star = [(r + math.cos(math.radians(-90 + k * 36)) * (size * (0.22 if k % 2 == 0 else 0.09)),
             r + math.sin(math.radians(-90 + k * 36)) * (size * (0.22 if k % 2 == 0 else 0.09)))
            for k in range(10)]
    d.polygon(star, fill=red)
    fnt = pil_font("bold", max(6, round(8 * scale)))
    text = op.text.upper()
    step = 300 / max(1, len(text))
    for i, ch in enumerate(text):
        angle = -240 + i * step
        glyph = Image.new("RGBA", (round(12 * scale), round(12 * scale)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=fnt, fill=red, anchor="mm")
        glyph = glyph.rotate(-angle - 90, expand=True)
        gx = r + math.cos(math.radians(angle)) * r * 0.6 - glyph.width / 2
        gy = r + math.sin(math.radians(angle)) * r * 0.6 - glyph.height / 2
        seal.alpha_composite(glyph, (max(0, round(gx)), max(0, round(gy))))
    ink_over(img, seal, (round(op.x * scale - r), round(op.y * scale - r)))


def degrade(img: Image.Image, doc: Doc, rng: random.Random) -> Image.Image:
    q = doc.quality
    arr = np.asarray(img).astype(np.float32)
    if q in ("typical", "poor"):
        _h, w = arr.shape[:2]
        # Uneven lighting: a gentle gradient across the page.
        strength = 18 if q == "typical" else 45
        grad = np.linspace(0, strength, w, dtype=np.float32)[None, :, None]
        arr = np.clip(arr - grad, 0, 255)
    noise = {"clean": 3, "typical": 8, "poor": 16}.get(q, 0)
    if noise:
        nrng = np.random.default_rng(doc.seed)
        arr = np.clip(arr + nrng.normal(0, noise, arr.shape).astype(np.float32), 0, 255)
    out = Image.fromarray(arr.astype(np.uint8))
    if q == "poor":
        nrng = np.random.default_rng(doc.seed + 1)
        a = np.asarray(out).copy()
        ys = nrng.integers(0, a.shape[0], 1500)
        xs = nrng.integers(0, a.shape[1], 1500)
        a[ys, xs] = 40
        out = Image.fromarray(a)
    blur = {"clean": 0, "typical": 0.5, "poor": 0.9}.get(q, 0)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    skew = {"clean": 0.3, "typical": 1.5, "poor": 3.0}.get(q, 0)
    if skew:
        out = out.rotate(rng.uniform(-skew, skew), resample=Image.BICUBIC, expand=False,
                         fillcolor=(250, 250, 248))
    if not doc.colour:
        out = out.convert("L")
    return out


def jpeg_bytes(img: Image.Image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def write_raster(doc: Doc, out: Path, rng: random.Random) -> Path:
    pages = [degrade(render_page(doc, p, doc.dpi, rng), doc, rng) for p in range(1, doc.pages + 1)]
    jq = {"clean": 90, "typical": 70, "poor": 40}[doc.quality]
    path = out / f"{doc.name}.{ {'pdf': 'pdf', 'tiff': 'tif', 'jpeg': 'jpg', 'png': 'png'}[doc.fmt] }"
    if doc.fmt == "pdf":
        import img2pdf

        layout = img2pdf.get_fixed_dpi_layout_fun((doc.dpi, doc.dpi))
        path.write_bytes(img2pdf.convert([jpeg_bytes(p, jq, doc.dpi) for p in pages], layout_fun=layout))
    elif doc.fmt == "tiff":
        # JPEG artefacts first, then lossless storage, as a scanner driver does.
        pages = [Image.open(io.BytesIO(jpeg_bytes(p, jq, doc.dpi))) for p in pages]
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw",
                      dpi=(doc.dpi, doc.dpi))
    elif doc.fmt == "jpeg":
        path.write_bytes(jpeg_bytes(pages[0], jq, doc.dpi))
    else:
        Image.open(io.BytesIO(jpeg_bytes(pages[0], jq, doc.dpi))).save(path, "PNG", dpi=(doc.dpi, doc.dpi))
    return path


def write_born_digital(doc: Doc, out: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for style in FONT_FILES:
        name = f"LibSerif-{style}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_path(style)))
    path = out / f"{doc.name}.pdf"
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setTitle(doc.truth.get("subject") or doc.doc_type)
    for page in range(1, doc.pages + 1):
        for op in doc.ops:
            if op.page != page:
                continue
            y = PAGE_H - op.y
            if op.kind == "text":
                c.setFont(f"LibSerif-{op.style}", op.size)
                {"left": c.drawString, "center": c.drawCentredString, "right": c.drawRightString}[op.align](
                    op.x, y, op.text)
            elif op.kind == "rule":
                c.setLineWidth(0.7)
                c.line(op.x, y, op.x + op.width, y)
            elif op.kind == "seal":
                c.setStrokeColorRGB(0.8, 0.12, 0.14)
                c.setLineWidth(1.5)
                c.circle(op.x, y, op.width / 2)
                c.circle(op.x, y, op.width * 0.3)
                c.setStrokeColorRGB(0, 0, 0)
        c.showPage()
    c.save()
    return path


def generate(out: Path, count: int, seed: int, qualities: tuple[str, ...] = QUALITIES,
             today: dt.date | None = None) -> list[Path]:
    """Write ``count`` documents (cycling types and qualities) and their ``.gt.json``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    today = today or dt.date.today()
    written = []
    for i in range(count):
        quality = qualities[(i // 8) % len(qualities)] if len(qualities) > 1 else qualities[0]
        doc = build_doc(i, rng, quality, today)
        drng = random.Random(doc.seed)
        path = write_born_digital(doc, out) if quality == "born_digital" else write_raster(doc, out, drng)
        page_text = ["\n".join(op.text for op in doc.ops if op.kind == "text" and op.page == n)
                     for n in range(1, doc.pages + 1)]
        truth = {"file": path.name, "quality": quality, "format": doc.fmt, "pages": doc.pages,
                 "dpi": doc.dpi, "colour": doc.colour, "fields": doc.truth, "page_text": page_text}
        (out / f"{doc.name}.gt.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quality", choices=QUALITIES, action="append",
                    help="only these qualities (repeatable); default: all four in turn")
    args = ap.parse_args()
    paths = generate(args.out, args.count, args.seed, tuple(args.quality or QUALITIES))
    print(f"{len(paths)} documents written to {args.out}")


if __name__ == "__main__":
    main()
