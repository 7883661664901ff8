#!/usr/bin/env python3
"""Independent generator of scanned first pages of Vietnamese administrative documents
whose number and day-of-date were filled in by hand (pen strokes, see pen.py).

usage: make.py --seed 1 --count 60 --out /work/indep_hand/out
Writes hand_NNN.pdf (single page, image only) and truth.jsonl next to --out
(i.e. in the parent directory of --out, unless --truth is given).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pen

FONT_DIRS = {
    "liberation": ("/usr/share/fonts/truetype/liberation2/LiberationSerif-{}.ttf",
                   {"r": "Regular", "b": "Bold", "i": "Italic", "bi": "BoldItalic"}),
    "freeserif": ("/usr/share/fonts/truetype/freefont/FreeSerif{}.ttf",
                  {"r": "", "b": "Bold", "i": "Italic", "bi": "BoldItalic"}),
}
if not os.path.exists(FONT_DIRS["liberation"][0].format("Regular")):
    FONT_DIRS["liberation"] = ("/usr/share/fonts/truetype/liberation/LiberationSerif-{}.ttf",
                               FONT_DIRS["liberation"][1])

MAX_DATE = dt.date(2026, 12, 6)
MIN_DATE = dt.date(2019, 1, 1)

# ------------------------------------------------------------------ content pools
PROVINCES = [
    # (caps name with prefix, place name, districts (caps, place), communes)
    ("TỈNH QUẢNG NGÃI", "Quảng Ngãi", [("HUYỆN BÌNH SƠN", "Bình Sơn"), ("HUYỆN SƠN TỊNH", "Sơn Tịnh"),
                                      ("HUYỆN ĐỨC PHỔ", "Đức Phổ")],
     [("XÃ TỊNH KỲ", "Tịnh Kỳ"), ("XÃ NGHĨA HÀNH", "Nghĩa Hành"), ("XÃ BA TƠ", "Ba Tơ")]),
    ("TỈNH BẮC NINH", "Bắc Ninh", [("HUYỆN TIÊN DU", "Tiên Du"), ("HUYỆN GIA BÌNH", "Gia Bình")],
     [("XÃ PHẬT TÍCH", "Phật Tích"), ("PHƯỜNG VŨ NINH", "Vũ Ninh")]),
    ("THÀNH PHỐ ĐÀ NẴNG", "Đà Nẵng", [("HUYỆN HÒA VANG", "Hòa Vang"), ("QUẬN SƠN TRÀ", "Sơn Trà")],
     [("PHƯỜNG HẢI CHÂU", "Hải Châu"), ("XÃ HÒA TIẾN", "Hòa Tiến")]),
    ("THÀNH PHỐ HẢI PHÒNG", "Hải Phòng", [("HUYỆN THỦY NGUYÊN", "Thủy Nguyên"), ("QUẬN LÊ CHÂN", "Lê Chân")],
     [("XÃ AN LÃO", "An Lão"), ("PHƯỜNG HỒNG BÀNG", "Hồng Bàng")]),
    ("TỈNH THANH HÓA", "Thanh Hóa", [("HUYỆN HOẰNG HÓA", "Hoằng Hóa"), ("HUYỆN NGA SƠN", "Nga Sơn")],
     [("XÃ HOẰNG TIẾN", "Hoằng Tiến")]),
    ("TỈNH NGHỆ AN", "Nghệ An", [("HUYỆN NGHI LỘC", "Nghi Lộc"), ("HUYỆN DIỄN CHÂU", "Diễn Châu")],
     [("XÃ NGHI PHONG", "Nghi Phong")]),
    ("THÀNH PHỐ CẦN THƠ", "Cần Thơ", [("HUYỆN PHONG ĐIỀN", "Phong Điền")], [("PHƯỜNG CÁI KHẾ", "Cái Khế")]),
    ("TỈNH LÂM ĐỒNG", "Lâm Đồng", [("HUYỆN ĐỨC TRỌNG", "Đức Trọng")], [("XÃ HIỆP THẠNH", "Hiệp Thạnh")]),
    ("TỈNH QUẢNG NINH", "Quảng Ninh", [("HUYỆN VÂN ĐỒN", "Vân Đồn")], [("PHƯỜNG HỒNG GAI", "Hồng Gai")]),
    ("THÀNH PHỐ HÀ NỘI", "Hà Nội", [("HUYỆN ĐÔNG ANH", "Đông Anh"), ("QUẬN CẦU GIẤY", "Cầu Giấy")],
     [("XÃ BÁT TRÀNG", "Bát Tràng")]),
]

DEPARTMENTS = [
    ("SỞ XÂY DỰNG", "SXD", "Sở Xây dựng", "GIÁM ĐỐC SỞ XÂY DỰNG"),
    ("SỞ TÀI CHÍNH", "STC", "Sở Tài chính", "GIÁM ĐỐC SỞ TÀI CHÍNH"),
    ("SỞ Y TẾ", "SYT", "Sở Y tế", "GIÁM ĐỐC SỞ Y TẾ"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "Sở Giáo dục và Đào tạo", "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
    ("SỞ NỘI VỤ", "SNV", "Sở Nội vụ", "GIÁM ĐỐC SỞ NỘI VỤ"),
]

SUBJECTS_QD = [
    "Về việc phê duyệt Kế hoạch ứng phó sự cố tràn dầu của Cửa hàng xăng dầu {x}",
    "Về việc kinh phí thực hiện hỗ trợ quà Tết cho hộ nghèo, cận nghèo trên địa bàn",
    "Về việc công nhận địa bàn trọng điểm, phức tạp về trật tự, an toàn xã hội chuyển hóa đạt năm {y}",
    "Về việc cấp giấy phép xây dựng công trình nhà ở riêng lẻ cho hộ ông {n}",
    "Về việc thành lập Tổ công tác rà soát thủ tục hành chính",
    "Về việc phê duyệt dự toán kinh phí sửa chữa trụ sở làm việc",
    "Về việc giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội năm {y}",
    "Về việc ban hành Quy chế làm việc của {u}",
    "Về việc khen thưởng các tập thể, cá nhân có thành tích xuất sắc",
    "Về việc thu hồi đất để thực hiện dự án nâng cấp tuyến đường {x}",
]
SUBJECTS_CV = [
    "V/v triển khai thực hiện Thông báo số {k}-TB/TU về kết luận của Thường trực {u2}",
    "V/v rà soát, báo cáo tình hình giải quyết thủ tục hành chính quý {q} năm {y}",
    "V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn",
    "V/v góp ý dự thảo Quyết định ban hành quy định quản lý chất lượng công trình",
    "V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}",
]
SUBJECTS_TB = [
    "Kết luận của Chủ tịch {u} tại cuộc họp nghe báo cáo tiến độ dự án {x}",
    "Về việc tổ chức tiếp công dân định kỳ tháng {m} năm {y}",
    "Về việc nghỉ Tết Nguyên đán và lịch trực cơ quan",
    "Kết quả kiểm tra công tác cải cách hành chính năm {y}",
]
NAMES = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tuấn", "Phạm Quốc Bảo", "Võ Thị Hoa", "Huỳnh Đức Long"]
PLACES_X = ["Long Sơn", "Tịnh Phong", "Bình Minh", "An Phú", "Hòa Khánh", "Quán Trường"]


# ------------------------------------------------------------------ helpers
class Fonts:
    def __init__(self, family: str, dpi: int):
        self.pat, self.names = FONT_DIRS[family]
        self.dpi = dpi
        self.cache = {}

    def get(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        px = round(pt / 72 * self.dpi)
        key = (style, px)
        if key not in self.cache:
            self.cache[key] = ImageFont.truetype(self.pat.format(self.names[style]), px)
        return self.cache[key]


def rand_date(rng) -> dt.date:
    span = (MAX_DATE - MIN_DATE).days
    return MIN_DATE + dt.timedelta(days=int(rng.integers(0, span + 1)))


def earlier(rng, d: dt.date, lo: int, hi: int) -> dt.date:
    return d - dt.timedelta(days=int(rng.integers(lo, hi)))


def fmt_month(rng, m: int) -> str:
    if m <= 2:
        return f"{m:02d}"
    return f"{m:02d}" if rng.random() < 0.3 else str(m)


def fmt_long(rng, d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {fmt_month(rng, d.month)} năm {d.year}"


def fmt_short(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def choose_number(rng) -> tuple[str, int]:
    n_digits = int(rng.choice([1, 2, 3, 4], p=[0.14, 0.38, 0.36, 0.12]))
    lo, hi = {1: (1, 9), 2: (10, 99), 3: (100, 999), 4: (1000, 4999)}[n_digits]
    v = int(rng.integers(lo, hi + 1))
    s = str(v)
    if v < 10 and rng.random() < 0.6:
        s = f"0{v}"
    return s, v


# ------------------------------------------------------------------ document spec
def make_spec(rng) -> dict:
    date = rand_date(rng)
    prov = PROVINCES[int(rng.integers(len(PROVINCES)))]
    r = rng.random()
    if r < 0.40:
        kind = "province"
    elif r < 0.65:
        kind = "department"
    elif r < 0.75:
        kind = "bcd"
    elif r < 0.88 and date < dt.date(2025, 7, 1):
        kind = "district"
    else:
        kind = "commune"
    uy = "ỦY" if rng.random() < 0.6 else "UỶ"
    place = prov[1]
    signer_line = None
    if kind == "province":
        left = [(uy + " BAN NHÂN DÂN", "b"), (prov[0], "b")]
        abbr = "UBND"
        unit = ("Ủy ban nhân dân " + ("tỉnh " if prov[0].startswith("TỈNH") else "thành phố ") + prov[1])
        signer_line = uy + " BAN NHÂN DÂN " + prov[0]
        types = [("QĐ", 0.55), ("CV", 0.30), ("TB", 0.15)]
        cv_suffixes = ["UBND-VP", "UBND-KTTH", "UBND-KGVX", "UBND-NC", "UBND-SGDĐT"]
    elif kind == "department":
        dep = DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]
        ub = "UBND " + prov[0] if rng.random() < 0.7 else uy + " BAN NHÂN DÂN " + prov[0]
        left = [(ub, "r"), (dep[0], "b")]
        abbr = dep[1]
        unit = dep[2] + " " + prov[1]
        signer_line = dep[3]
        types = [("QĐ", 0.55), ("CV", 0.30), ("TB", 0.15)]
        cv_suffixes = [abbr + "-VP", abbr + "-KHTC", abbr]
    elif kind == "bcd":
        which = str(rng.choice(["138", "389", "", "", "814"]))
        left = [("UBND " + prov[0], "r"), ("BAN CHỈ ĐẠO" + (" " + which if which else ""), "b")]
        abbr = "BCĐ" + which
        unit = "Ban Chỉ đạo" + (" " + which if which else "")
        signer_line = "TRƯỞNG BAN CHỈ ĐẠO" + (" " + which if which else "")
        types = [("QĐ", 0.6), ("TB", 0.2), ("CV", 0.2)]
        cv_suffixes = [abbr]
    else:
        sub = (prov[2] if kind == "district" else prov[3])
        sub = sub[int(rng.integers(len(sub)))]
        left = [(uy + " BAN NHÂN DÂN", "b"), (sub[0], "b")]
        if rng.random() < 0.35 and kind == "commune":
            left = [("UBND " + ("HUYỆN " + prov[2][0][1].upper() if date < dt.date(2025, 7, 1) else prov[0]), "r"),
                    ("UBND " + sub[0], "b")]
        abbr = "UBND"
        place = sub[1]
        unit = "Ủy ban nhân dân " + sub[0].split(" ")[0].lower() + " " + sub[1]
        signer_line = "CHỦ TỊCH " + uy + " BAN NHÂN DÂN " + sub[0]
        types = [("QĐ", 0.6), ("CV", 0.25), ("TB", 0.15)]
        cv_suffixes = ["UBND-VP", "UBND"]
    t = rng.choice([a for a, _ in types], p=[b for _, b in types])
    if t == "QĐ":
        notation = "QĐ-" + abbr
    elif t == "TB":
        notation = "TB-" + abbr
    else:
        notation = str(rng.choice(cv_suffixes))
    digits, value = choose_number(rng)
    day_s = str(date.day)
    if date.day < 10 and rng.random() < 0.55:
        day_s = f"{date.day:02d}"
    return dict(date=date, kind=kind, prov=prov, left=left, notation=notation, doc_type=str(t),
                digits=digits, value=value, day=day_s, place=place, unit=unit, signer_line=signer_line)


def body_paragraphs(rng, spec) -> list[tuple[str, str]]:
    """(style, text) paragraphs for the body; style in r/i/b/center_b."""
    d = spec["date"]
    unit = spec["unit"]
    y = d.year
    paras = []
    fillers = dict(x=str(rng.choice(PLACES_X)), y=y, n=str(rng.choice(NAMES)), u=unit,
                   u2=("Tỉnh ủy" if "tỉnh" in unit.lower() else "Thành ủy"), k=int(rng.integers(100, 2000)),
                   q=str(rng.choice(["I", "II", "III", "IV"])), m=fmt_month(rng, d.month))
    if spec["doc_type"] == "QĐ":
        if d >= dt.date(2025, 2, 19):
            paras.append(("i", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;"))
        else:
            paras.append(("i", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, "
                               "bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa "
                               "phương ngày 22 tháng 11 năm 2019;"))
        if d >= dt.date(2020, 3, 5) and rng.random() < 0.5:
            paras.append(("i", "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về "
                               "công tác văn thư;"))
        if rng.random() < 0.6:
            paras.append(("i", "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;"))
        e1 = earlier(rng, d, 60, 900)
        paras.append(("i", f"Căn cứ Quyết định số {int(rng.integers(10, 2500))}/QĐ-UBND ngày {fmt_short(e1)} "
                           f"của Ủy ban nhân dân tỉnh ban hành Quy định về quản lý và sử dụng dự phòng ngân "
                           f"sách địa phương;"))
        e2 = earlier(rng, d, 1, 25)
        paras.append(("i", f"Theo đề nghị của Giám đốc Sở Tài chính tại Tờ trình số {int(rng.integers(5, 900))}"
                           f"/TTr-STC ngày {fmt_short(e2)}."))
        paras.append(("center_b", "QUYẾT ĐỊNH:"))
        paras.append(("art", f"Điều 1.|Bố trí {rng.integers(100, 99999):,} triệu đồng từ nguồn dự phòng ngân sách "
                             f"năm {y} để thực hiện nội dung nêu trên theo đúng quy định hiện hành.".replace(",", ".")))
        paras.append(("art", "Điều 2.|Tổ chức thực hiện: các cơ quan, đơn vị liên quan chịu trách nhiệm toàn "
                             "diện về nội dung đề xuất, đảm bảo mức và nguồn kinh phí theo quy định; đồng thời "
                             "cấp phát kinh phí tại Điều 1 Quyết định này theo quy định."))
        paras.append(("art", "Điều 3.|Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các "
                             "cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này."))
    elif spec["doc_type"] == "TB":
        e = earlier(rng, d, 1, 10)
        paras.append(("r", f"Ngày {fmt_short(e)}, {unit} chủ trì cuộc họp nghe báo cáo tình hình triển khai "
                           f"nhiệm vụ; tham dự có đại diện lãnh đạo các sở, ban, ngành và địa phương liên quan."))
        paras.append(("r", "Sau khi nghe báo cáo và ý kiến phát biểu của các đại biểu dự họp, "
                           f"{unit} kết luận như sau:"))
        paras.append(("r", "1. Các cơ quan, đơn vị tập trung triển khai đồng bộ các giải pháp, bảo đảm tiến độ "
                           f"theo kế hoạch đã đề ra; báo cáo kết quả thực hiện trước ngày "
                           f"{fmt_short(d + dt.timedelta(days=int(rng.integers(10, 40))))}."))
        paras.append(("r", f"2. Giao Văn phòng theo dõi, đôn đốc và tổng hợp; kịp thời báo cáo những vướng mắc "
                           f"phát sinh (nếu có) theo quy định tại Quyết định số {int(rng.integers(10, 999))}"
                           f"/QĐ-UBND ngày {fmt_short(earlier(rng, d, 30, 400))}."))
        paras.append(("r", "3. Các nội dung khác thực hiện theo chức năng, nhiệm vụ được giao."))
    else:
        e = earlier(rng, d, 1, 30)
        paras.append(("r", f"Thực hiện Văn bản số {int(rng.integers(100, 9999))}/VPCP-KGVX ngày {fmt_short(e)} "
                           f"của Văn phòng Chính phủ, {unit} có ý kiến như sau:"))
        paras.append(("r", "1. Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ được giao chủ động triển khai "
                           "thực hiện; tăng cường kiểm tra, giám sát, kịp thời tháo gỡ khó khăn, vướng mắc."))
        paras.append(("r", f"2. Báo cáo kết quả thực hiện về {unit} trước ngày "
                           f"{fmt_short(d + dt.timedelta(days=int(rng.integers(7, 45))))} để tổng hợp."))
        paras.append(("r", "Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./."))
    return paras, fillers


# ------------------------------------------------------------------ page drawing
class Page:
    def __init__(self, rng, dpi, family):
        self.rng = rng
        self.dpi = dpi
        self.W = round(210 / 25.4 * dpi)
        self.H = round(297 / 25.4 * dpi)
        self.img = Image.new("L", (self.W, self.H), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.f = Fonts(family, dpi)
        self.blue_text = []  # (x, y, text, font) drawn in blue later (digital signature box)

    def mm(self, v):
        return v / 25.4 * self.dpi

    def pt(self, v):
        return v / 72 * self.dpi

    def text(self, x, y, s, font, anchor="ls"):
        self.draw.text((x, y), s, font=font, fill=0, anchor=anchor)
        return font.getlength(s)

    def centered(self, cx, y, s, font, max_w=None, style=None, pt=None):
        if max_w is not None:
            while font.getlength(s) > max_w and pt and pt > 9:
                pt -= 0.5
                font = self.f.get(style, pt)
        w = font.getlength(s)
        self.text(cx - w / 2, y, s, font)
        return cx - w / 2, w

    def hline(self, x0, x1, y, th):
        self.draw.rectangle([x0, y, x1, y + max(1, th) - 1], fill=0)

    def wrap(self, words, font, width, first_indent=0.0):
        lines, cur = [], []
        avail = width - first_indent
        for w in words:
            trial = " ".join([*cur, w])
            if cur and font.getlength(trial) > avail:
                lines.append(cur)
                cur = [w]
                avail = width
            else:
                cur.append(w)
        if cur:
            lines.append(cur)
        return lines

    def paragraph(self, x, y, width, text, font, line_h, indent, justify=True, bold_lead=None, bfont=None):
        words = text.split()
        lead_w = 0.0
        if bold_lead:
            lead_w = bfont.getlength(bold_lead + " ")
        lines = self.wrap(words, font, width, indent + lead_w)
        for li, ws in enumerate(lines):
            if y > self.H - self.mm(18):
                return y
            lx = x + (indent if li == 0 else 0)
            if li == 0 and bold_lead:
                self.text(lx, y, bold_lead, bfont)
                lx += lead_w
            avail = x + width - lx
            if justify and li < len(lines) - 1 and len(ws) > 1:
                total = sum(font.getlength(w) for w in ws)
                gap = (avail - total) / (len(ws) - 1)
                if gap > font.getlength(" ") * 3:
                    gap = font.getlength(" ")
                cx = lx
                for w in ws:
                    self.text(cx, y, w, font)
                    cx += font.getlength(w) + gap
            else:
                self.text(lx, y, " ".join(ws), font)
            y += line_h
        return y


def build_page(rng, spec, dpi):
    family = "liberation" if rng.random() < 0.7 else "freeserif"
    pg = Page(rng, dpi, family)
    mm, pt = pg.mm, pg.pt
    ml = mm(rng.uniform(25, 32))
    mr = mm(rng.uniform(13, 20))
    tw = pg.W - ml - mr
    top = mm(rng.uniform(14, 26))
    sig_stamp = rng.random() < 0.2
    if sig_stamp:
        top = max(top, mm(30))
    LX = ml + 0.19 * tw + mm(rng.normal(0, 2))
    RX = ml + 0.70 * tw + mm(rng.normal(0, 2))
    left_w = 0.40 * tw
    right_w = 0.60 * tw
    hpt = float(rng.choice([12, 12.5, 13]))
    body_pt = float(rng.choice([13, 13, 14]))
    lh = pt(hpt) * 1.18

    # ---- header rows 1-2
    y1 = top + pt(hpt)
    (t1, s1), (t2, s2) = spec["left"]
    for pre_ in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):
        if t1.startswith(pre_) and len(t1) > len(pre_) and pg.f.get(s1, hpt).getlength(t1) > left_w:
            t1 = "UBND " + t1[len(pre_):]
    spec["left"] = [(t1, s1), (t2, s2)]
    pg.centered(LX, y1, t1, pg.f.get(s1, hpt), max_w=left_w, style=s1, pt=hpt)
    chxh = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" if rng.random() < 0.6 else "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    pg.centered(RX, y1, chxh, pg.f.get("b", hpt), max_w=right_w, style="b", pt=hpt)
    y2 = y1 + lh
    _x2, w2 = pg.centered(LX, y2, t2, pg.f.get("b", hpt), max_w=left_w, style="b", pt=hpt)
    dl_pt = hpt + float(rng.choice([0, 0.5, 1]))
    xd, wd = pg.centered(RX, y2, "Độc lập - Tự do - Hạnh phúc", pg.f.get("b", dl_pt))
    th = max(1, round(pt(0.7)))
    pg.hline(xd, xd + wd, y2 + pt(4), th)
    ul = min(w2, mm(rng.uniform(18, 32)))
    pg.hline(LX - ul / 2, LX + ul / 2, y2 + pt(4), th)

    # ---- row 3: number and date line with blanks
    y3 = y2 + mm(rng.uniform(7, 11))
    npt = float(rng.choice([13, 13, 14]))
    nfont = pg.f.get("r", npt)
    dotted = rng.random() < 0.12
    so = "Số:"
    blank_n = pt(npt) * rng.uniform(1.3, 2.8)
    suffix = "/" + spec["notation"]
    total = nfont.getlength(so + " ") + blank_n + nfont.getlength(suffix)
    nx = LX - total / 2
    pg.text(nx, y3, so, nfont)
    n_a = nx + nfont.getlength(so + " ")
    n_b = n_a + blank_n
    pg.text(n_b, y3, suffix, nfont)
    dpt = float(rng.choice([13, 13, 14]))
    dfont = pg.f.get("i", dpt)
    d = spec["date"]
    pre = f"{spec['place']}, ngày"
    post = f"tháng {fmt_month(rng, d.month)} năm {d.year}"
    blank_d = pt(dpt) * rng.uniform(1.0, 2.1)
    total = dfont.getlength(pre + " ") + blank_d + dfont.getlength(" " + post)
    dx = RX - total / 2
    y3d = y3 + pt(rng.choice([0, 0, 0, 2]))
    pg.text(dx, y3d, pre, dfont)
    d_a = dx + dfont.getlength(pre + " ")
    d_b = d_a + blank_d
    pg.text(d_b + dfont.getlength(" "), y3d, post, dfont)
    if dotted:
        for (a, b, yy, f) in ((n_a, n_b, y3, nfont), (d_a, d_b, y3d, dfont)):
            dot_w = f.getlength(".")
            k = int((b - a) // dot_w) - 1
            pg.text(a + dot_w * 0.5, yy, "." * max(2, k), f)
    printed = {"dotted": dotted, "number_blank": [n_a, n_b, y3],
               "day_blank": [d_a, d_b + dfont.getlength(" ") * 0.5, y3d],
               "number_font_px": nfont.size, "date_font_px": dfont.size,
               "number_digit_h": -nfont.getbbox("0", anchor="ls")[1],
               "date_digit_h": -dfont.getbbox("0", anchor="ls")[1]}

    # ---- title / subject
    paras, fill = body_paragraphs(rng, spec)
    cx = ml + tw / 2
    bpx = pt(body_pt)
    line_h = bpx * rng.uniform(1.15, 1.35)
    y = y3 + mm(rng.uniform(9, 14))
    if spec["doc_type"] in ("QĐ", "TB"):
        title = "QUYẾT ĐỊNH" if spec["doc_type"] == "QĐ" else "THÔNG BÁO"
        pg.centered(cx, y, title, pg.f.get("b", 14))
        y += pt(14) * 1.25
        pool = SUBJECTS_QD if spec["doc_type"] == "QĐ" else SUBJECTS_TB
        subj = str(rng.choice(pool)).format(**fill)
        sf = pg.f.get("b", 14)
        for ws in pg.wrap(subj.split(), sf, tw * 0.82):
            pg.centered(cx, y, " ".join(ws), sf)
            y += pt(14) * 1.2
        ulen = mm(rng.uniform(25, 45))
        pg.hline(cx - ulen / 2, cx + ulen / 2, y - pt(14) * 1.2 + pt(rng.uniform(7, 10)), th)
        y += mm(rng.uniform(5, 8))
        if spec["doc_type"] == "QĐ":
            pg.centered(cx, y, spec["signer_line"], pg.f.get("b", 14), max_w=tw, style="b", pt=14)
            y += mm(rng.uniform(8, 11))
    else:
        subj = str(rng.choice(SUBJECTS_CV)).format(**fill)
        sf = pg.f.get("r", 12)
        yy = y3 + pt(12) * 1.5
        for ws in pg.wrap(subj.split(), sf, left_w * 0.95):
            pg.centered(LX, yy, " ".join(ws), sf)
            yy += pt(12) * 1.2
        y = max(y, yy) + mm(rng.uniform(6, 9))
        kg = pg.f.get("r", body_pt)
        kx = ml + tw * rng.uniform(0.22, 0.32)
        pg.text(kx, y, "Kính gửi:", kg)
        for ln in ["- Các sở, ban, ngành;", "- UBND các huyện, thị xã, thành phố;" if rng.random() < 0.5 else
                   "- Các cơ quan, đơn vị liên quan."]:
            pg.text(kx + kg.getlength("Kính gửi: "), y, ln, kg)
            y += line_h
        y += mm(3)

    # ---- body
    indent = mm(rng.uniform(10, 13))
    for style, text in paras:
        if y > pg.H - mm(20):
            break
        if style == "center_b":
            y += pt(4)
            pg.centered(cx, y, text, pg.f.get("b", body_pt))
            y += line_h + pt(6)
            continue
        if style == "art":
            lead, rest = text.split("|", 1)
            y = pg.paragraph(ml, y, tw, rest, pg.f.get("r", body_pt), line_h, indent, bold_lead=lead,
                             bfont=pg.f.get("b", body_pt))
        else:
            y = pg.paragraph(ml, y, tw, text, pg.f.get(style, body_pt), line_h, indent)
        y += pt(rng.uniform(3, 7))

    sign_anchor = None
    if y < pg.H - mm(55):
        y += mm(4)
        nf = pg.f.get("bi", 12)
        pg.text(ml, y, "Nơi nhận:", nf)
        yy = y + pt(12) * 1.2
        for ln in ["- Như trên;" if spec["doc_type"] == "CV" else "- Như Điều 3;", "- TT Tỉnh ủy, TT HĐND;",
                   "- Lưu: VT."]:
            pg.text(ml, yy, ln, pg.f.get("r", 11))
            yy += pt(11) * 1.2
        tm = "TM. " + spec["signer_line"].replace("CHỦ TỊCH ", "") \
            if spec["kind"] in ("province", "district", "commune") \
            else None
        sf = pg.f.get("b", 13)
        yy = y
        if tm and spec["kind"] != "department":
            pg.centered(RX, yy, tm, sf, max_w=right_w, style="b", pt=13)
            yy += pt(13) * 1.2
        if tm:
            role = str(rng.choice(["CHỦ TỊCH", "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH"]))
        elif spec["kind"] == "bcd":
            role = str(rng.choice(["TRƯỞNG BAN", "KT. TRƯỞNG BAN|PHÓ TRƯỞNG BAN"]))
        else:
            role = str(rng.choice(["GIÁM ĐỐC", "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC"]))
        for part in role.split("|"):
            pg.centered(RX, yy, part, sf)
            yy += pt(13) * 1.2
        sign_anchor = (RX, yy + mm(10))
        if yy + mm(25) < pg.H - mm(10):
            pg.centered(RX, yy + mm(24), str(rng.choice(NAMES)), sf)

    sig = None
    if sig_stamp:
        st = dt.datetime.combine(d, dt.time(int(rng.integers(7, 18)), int(rng.integers(0, 60)),
                                            int(rng.integers(0, 60))))
        sig = {"lines": [f"Ký bởi: {spec['unit']}", f"Cơ quan: {spec['place']}",
                         f"Thời gian ký: {st.strftime('%d/%m/%Y %H:%M:%S')}"], "x": pg.W - mr - mm(62),
               "y": mm(8), "font": pg.f.get("r", 7.5)}
    printed["sign_anchor"] = sign_anchor
    return pg, printed, sig, family


def composite_ink(rgb, alpha, ox, oy, color):
    """alpha image placed with top-left (ox, oy) onto rgb (float32), multiply-like blend."""
    H, W = rgb.shape[:2]
    ah, aw = alpha.shape
    x0, y0 = round(ox), round(oy)
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(W, x0 + aw), min(H, y0 + ah)
    if xb <= xa or yb <= ya:
        return
    a = alpha[ya - y0:yb - y0, xa - x0:xb - x0][..., None]
    sub = rgb[ya:yb, xa:xb]
    ink = np.array(color, np.float32)
    # ballpoint over toner: multiply blend (ink darkens, never lightens printed black)
    blended = sub * (ink / 255.0)
    sub[:] = sub * (1 - a) + blended * a


def place_hand(rng, writer, rgb, text, blank, digit_h, field):
    a_x, b_x, base_y = blank
    factor = float(rng.uniform(1.0, 1.6))
    gap = b_x - a_x
    squeeze = rng.random() < 0.65  # a clerk usually writes to fit the printed blank
    for _attempt in range(3):
        H = digit_h * factor
        alpha, (_ox, oy), _ = writer.render(text, H)
        cols = np.where(alpha.max(0) > 0.15)[0]
        rows = np.where(alpha.max(1) > 0.15)[0]
        il, ir = cols[0], cols[-1]
        ink_w = ir - il
        if not squeeze or ink_w <= gap * 0.95 or factor <= 1.0:
            break
        factor = max(1.0, factor * gap * 0.9 / ink_w)
    r = rng.random()
    if r < 0.15:
        touch = "left"
        left = a_x - rng.uniform(0.05, 0.25) * digit_h
    elif r < 0.25:
        touch = "right"
        left = b_x + rng.uniform(0.0, 0.15) * digit_h - ink_w
    else:
        touch = "none"
        left = a_x + (gap - ink_w) / 2 + rng.normal(0, 0.08) * gap
    raised = rng.random() < 0.3
    dy = -rng.uniform(0.15, 0.5) * digit_h if raised else rng.normal(0.0, 0.06) * digit_h
    X = left - il
    Y = base_y + dy - oy
    composite_ink(rgb, alpha, X, Y, writer.ink_rgb)
    bbox = [float(X + il), float(Y + rows[0]), float(X + ir), float(Y + rows[-1])]
    if touch == "none" and (bbox[0] < a_x - 2 or bbox[2] > b_x + 2):
        touch = "overflow"
    return {"text": text, "height_ratio": round(factor, 2), "height_px": round(H, 1), "touch": touch,
            "raised": bool(raised), "baseline_dy_px": round(float(dy), 1), "bbox_px_pre_rotation":
            [round(v, 1) for v in bbox]}


def degrade(rng, pg, rgb, dpi):
    H, W = rgb.shape[:2]
    angle = float(rng.uniform(-0.9, 0.9))
    M = cv2.getRotationMatrix2D((W / 2, H / 2), angle, 1.0)
    M[:, 2] += rng.normal(0, 0.004 * W, 2)
    bg = tuple(float(v) for v in rgb[5, 5])
    out = cv2.warpAffine(rgb, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=bg)
    sigma = rng.uniform(0.35, 0.9) * dpi / 200
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise_sd = rng.uniform(1.5, 5.0)
    out = out + rng.normal(0, noise_sd, out.shape[:2])[..., None].astype(np.float32) \
        + rng.normal(0, noise_sd * 0.4, out.shape).astype(np.float32)
    # slight contrast/gamma variation of the scanner
    gamma = rng.uniform(0.85, 1.15)
    out = 255.0 * np.power(np.clip(out, 0, 255) / 255.0, gamma)
    return np.clip(out, 0, 255).astype(np.uint8), angle, M, round(float(sigma), 2), round(float(noise_sd), 2), \
        round(float(gamma), 3)


def make_one(rng, idx, out_dir):
    spec = make_spec(rng)
    dpi = int(rng.choice([200, 300]))
    pg, printed, sig, family = build_page(rng, spec, dpi)
    # printed layer -> colour page
    W, H = pg.W, pg.H
    pr_ = rng.uniform(238, 253)
    paper = np.array([pr_, pr_ - rng.uniform(0, 4), pr_ - rng.uniform(1, 12)], np.float32)
    low = cv2.resize(rng.normal(0, 2.5, (8, 6)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    toner = rng.uniform(15, 50)
    p = np.asarray(pg.img, np.float32) / 255.0
    p = cv2.GaussianBlur(p, (0, 0), 0.4 * dpi / 200)
    rgb = (paper[None, None, :] + low[..., None]) * p[..., None] + toner * (1 - p[..., None])
    rgb = rgb.astype(np.float32)
    if sig is not None:
        sl = Image.new("L", (W, H), 255)
        sd = ImageDraw.Draw(sl)
        yy = sig["y"] + sig["font"].size
        for line in sig["lines"]:
            sd.text((sig["x"], yy), line, font=sig["font"], fill=0, anchor="ls")
            yy += sig["font"].size * 1.1
        a = 1 - np.asarray(sl, np.float32) / 255.0
        composite_ink(rgb, a, 0, 0, (40, 60, 200))
    writer = pen.Writer(rng, dpi)
    num = place_hand(rng, writer, rgb, spec["digits"], printed["number_blank"], printed["number_digit_h"], "number")
    day = place_hand(rng, writer, rgb, spec["day"], printed["day_blank"], printed["date_digit_h"], "day")
    signed = False
    if printed.get("sign_anchor") and rng.random() < 0.6:
        sx, sy = printed["sign_anchor"]
        sw = pg.mm(rng.uniform(22, 38))
        a, (ox, oy) = writer.scribble(sw, pg.mm(rng.uniform(6, 12)))
        composite_ink(rgb, a, sx - sw / 2 - ox, sy - oy, writer.ink_rgb)
        signed = True
    img, angle, M, blur, noise, gamma = degrade(rng, pg, rgb, dpi)
    for fld in (num, day):
        x0, y0, x1, y1 = fld["bbox_px_pre_rotation"]
        c = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]]) @ M.T
        fld["bbox_px"] = [round(float(c[:, 0].min()), 1), round(float(c[:, 1].min()), 1),
                          round(float(c[:, 0].max()), 1), round(float(c[:, 1].max()), 1)]
        del fld["bbox_px_pre_rotation"]
    grey = rng.random() < 0.25
    im = Image.fromarray(img, "RGB")
    if grey:
        im = im.convert("L")
    q = int(rng.integers(45, 86))
    name = f"hand_{idx:03d}.pdf"
    im.save(os.path.join(out_dir, name), "PDF", resolution=float(dpi), quality=q)
    d = spec["date"]
    return {
        "file": name,
        "number": f"{spec['digits']}/{spec['notation']}",
        "number_int": spec["value"],
        "notation": spec["notation"],
        "issue_date": d.isoformat(),
        "digits": spec["digits"],
        "day": spec["day"],
        "doc_type": spec["doc_type"],
        "issuer_kind": spec["kind"],
        "issuer_lines": [t for t, _ in spec["left"]],
        "place": spec["place"],
        "styles": {
            "writer": writer.describe(),
            "digit_styles_used": {c: writer.styles[c] for c in sorted(set(spec["digits"] + spec["day"]))},
            "number_hand": num,
            "day_hand": day,
            "font_family": family,
            "dotted_blanks": None,  # filled below
            "dpi": dpi,
            "grey": grey,
            "rotation_deg": round(angle, 3),
            "blur_sigma": blur,
            "noise_sd": noise,
            "gamma": gamma,
            "jpeg_quality": q,
            "sig_stamp_with_date": sig is not None,
            "scribbled_signature": signed,
        },
        "_printed": printed,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--truth", default=None, help="truth.jsonl path (default: <dir of make.py>/truth.jsonl)")
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    truth = a.truth or os.path.join(os.path.dirname(os.path.abspath(__file__)), "truth.jsonl")
    rng = np.random.default_rng(a.seed)
    with open(truth, "w", encoding="utf-8") as fh:
        for i in range(a.count):
            rec = make_one(rng, i, a.out)
            pr = rec.pop("_printed")
            rec["styles"]["dotted_blanks"] = pr.get("dotted", None)
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(rec["file"], rec["number"], rec["issue_date"], "day=" + rec["day"], flush=True)
    print("truth ->", truth)


if __name__ == "__main__":
    main()
