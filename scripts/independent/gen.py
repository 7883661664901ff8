#!/usr/bin/env python3
"""Independent synthetic-scan generator for Vietnamese administrative procedure results.

usage: python gen.py OUT_DIR --count N --seed S

Writes NAME.png (1 page) or NAME.pdf (2+ pages) plus NAME.gt.json per document.
Every ground-truth string is the very variable that is rendered on the page.
"""

import argparse
import json
import math
import os
import random
import unicodedata

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont


def nfc(s):
    return unicodedata.normalize("NFC", s) if s is not None else None


# --------------------------------------------------------------------------- fonts
FD = "/usr/share/fonts/truetype"
FONT_FAMILIES = {
    "Liberation Serif": (
        "liberation2/LiberationSerif-Regular.ttf",
        "liberation2/LiberationSerif-Bold.ttf",
        "liberation2/LiberationSerif-Italic.ttf",
        "liberation2/LiberationSerif-BoldItalic.ttf",
    ),
    "Liberation Sans": (
        "liberation2/LiberationSans-Regular.ttf",
        "liberation2/LiberationSans-Bold.ttf",
        "liberation2/LiberationSans-Italic.ttf",
        "liberation2/LiberationSans-BoldItalic.ttf",
    ),
    "DejaVu Serif": (
        "dejavu/DejaVuSerif.ttf",
        "dejavu/DejaVuSerif-Bold.ttf",
        "dejavu/DejaVuSerif-Italic.ttf",
        "dejavu/DejaVuSerif-BoldItalic.ttf",
    ),
    "DejaVu Serif Condensed": (
        "dejavu/DejaVuSerifCondensed.ttf",
        "dejavu/DejaVuSerifCondensed-Bold.ttf",
        "dejavu/DejaVuSerifCondensed-Italic.ttf",
        "dejavu/DejaVuSerifCondensed-BoldItalic.ttf",
    ),
    "DejaVu Sans": (
        "dejavu/DejaVuSans.ttf",
        "dejavu/DejaVuSans-Bold.ttf",
        "dejavu/DejaVuSans-Oblique.ttf",
        "dejavu/DejaVuSans-BoldOblique.ttf",
    ),
    "DejaVu Sans Condensed": (
        "dejavu/DejaVuSansCondensed.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
        "dejavu/DejaVuSansCondensed-Oblique.ttf",
        "dejavu/DejaVuSansCondensed-BoldOblique.ttf",
    ),
    "FreeSerif": (
        "freefont/FreeSerif.ttf",
        "freefont/FreeSerifBold.ttf",
        "freefont/FreeSerifItalic.ttf",
        "freefont/FreeSerifBoldItalic.ttf",
    ),
    "FreeSans": (
        "freefont/FreeSans.ttf",
        "freefont/FreeSansBold.ttf",
        "freefont/FreeSansOblique.ttf",
        "freefont/FreeSansBoldOblique.ttf",
    ),
}
# weights: serif (Times-like) dominates as on real documents
FONT_WEIGHTS = {
    "Liberation Serif": 5,
    "FreeSerif": 3,
    "DejaVu Serif": 2,
    "DejaVu Serif Condensed": 1,
    "Liberation Sans": 2,
    "DejaVu Sans": 1,
    "DejaVu Sans Condensed": 1,
    "FreeSans": 1,
}
SEAL_FONT = FD + "/dejavu/DejaVuSans-Bold.ttf"

_font_cache = {}


class Fonts:
    def __init__(self, family, dpi):
        self.family = family
        self.dpi = dpi
        self.paths = [os.path.join(FD, p) for p in FONT_FAMILIES[family]]

    def get(self, pt, bold=False, italic=False):
        idx = (1 if bold else 0) + (2 if italic else 0)
        px = max(6, round(pt * self.dpi / 72.0))
        key = (self.paths[idx], px)
        if key not in _font_cache:
            _font_cache[key] = ImageFont.truetype(self.paths[idx], px)
        return _font_cache[key]


# --------------------------------------------------------------------------- names
FAMILY_COMMON = [
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
FAMILY_RARE = [
    "Lương",
    "Trịnh",
    "Đinh",
    "Mai",
    "Tô",
    "Lâm",
    "Hà",
    "Quách",
    "Thái",
    "Cao",
    "Kiều",
    "Tạ",
    "Triệu",
    "Lưu",
    "Đoàn",
    "Châu",
    "Khổng",
    "Âu",
    "Ông",
    "Giang",
    "La",
    "Chu",
    "Hứa",
    "Mạc",
    "Tăng",
    "Thân",
    "Nghiêm",
    "Phùng",
    "Vương",
    "Tống",
    "Diệp",
    "Đàm",
    "Lò",
    "Hầu",
    "Từ",
    "Doãn",
    "Khúc",
    "Ninh",
    "Quan",
    "Nông",
    "Lục",
    "Lã",
    "Ứng",
    "Viên",
    "Bạch",
    "Văn",
    "Trương",
    "Tôn",
    "Kim",
    "Yên",
    "Đào",
    "Lại",
    "Thạch",
    "Vi",
    "Hoàng Phủ",
    "Tôn Thất",
]
MID_M = ["Văn"] * 10 + [
    "Đức",
    "Minh",
    "Hữu",
    "Quốc",
    "Thanh",
    "Công",
    "Xuân",
    "Ngọc",
    "Đình",
    "Trọng",
    "Quang",
    "Tiến",
    "Mạnh",
    "Anh",
    "Thế",
    "Bá",
    "Duy",
    "Hoài",
    "Trung",
    "Viết",
    "Khắc",
    "Chí",
    "Gia",
    "Huy",
    "Tấn",
    "Phước",
    "Kim",
    "Hồng",
    "Nhật",
    "Thành",
    "Sỹ",
    "Đăng",
    "Hoàng",
    "Vĩnh",
]
MID_F = ["Thị"] * 14 + [
    "Ngọc",
    "Thanh",
    "Thu",
    "Minh",
    "Kim",
    "Hồng",
    "Bích",
    "Phương",
    "Mai",
    "Thúy",
    "Diệu",
    "Khánh",
    "Bảo",
    "Quỳnh",
    "Hoài",
    "Mỹ",
    "Tuyết",
    "Lan",
    "Hải",
    "Thùy",
    "Cẩm",
    "Xuân",
    "Như",
    "Tường",
    "Ánh",
]
MID2_M = ["Minh", "Quốc", "Gia", "Đăng", "Hoàng", "Anh", "Thanh", "Hữu", "Nhật", "Tuấn", "Bảo", "Trung"]
MID2_F = ["Thu", "Minh", "Ngọc", "Bảo", "Thanh", "Kim", "Mỹ", "Hồng", "Phương", "Thùy", "Diễm", "Khánh"]
GIVEN_M = [
    "Hùng",
    "Dũng",
    "Cường",
    "Sơn",
    "Tuấn",
    "Hải",
    "Long",
    "Nam",
    "Phong",
    "Khoa",
    "Hiếu",
    "Trung",
    "Thắng",
    "Toàn",
    "Quân",
    "Đạt",
    "Bình",
    "Hòa",
    "Lộc",
    "Phúc",
    "Thịnh",
    "Vinh",
    "Khải",
    "Nghĩa",
    "Tài",
    "Tâm",
    "Tùng",
    "Việt",
    "Đông",
    "Kiên",
    "Hưng",
    "Lâm",
    "Luân",
    "Nhân",
    "Quyết",
    "Thuận",
    "Trí",
    "Tú",
    "Vũ",
    "Huân",
    "Thạch",
    "Khiêm",
    "Chiến",
    "Điệp",
    "Giang",
    "Hoàng",
    "Khánh",
    "An",
    "Bảo",
    "Đức",
    "Hậu",
    "Lực",
    "Phước",
    "Sang",
    "Tín",
    "Uy",
    "Ước",
    "Xuyên",
    "Thục",
    "Quý",
    "Diệu",
    "Khôi",
    "Nguyên",
    "Lượng",
    "Thiện",
    "Tường",
    "Định",
    "Đoàn",
    "Hiển",
    "Mừng",
]
GIVEN_F = [
    "Hà",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Thảo",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
    "Hằng",
    "Huyền",
    "Hạnh",
    "Loan",
    "Ly",
    "My",
    "Nga",
    "Ngân",
    "Nguyệt",
    "Nhi",
    "Phượng",
    "Quỳnh",
    "Thùy",
    "Thư",
    "Thủy",
    "Trinh",
    "Vy",
    "Xuân",
    "Ánh",
    "Bích",
    "Châu",
    "Diệp",
    "Dung",
    "Giang",
    "Hiền",
    "Hoa",
    "Hồng",
    "Khuê",
    "Liên",
    "Lụa",
    "Thắm",
    "Tươi",
    "Ái",
    "Đào",
    "Nhàn",
    "Thơ",
    "Cúc",
    "Huệ",
    "Sen",
    "Lài",
    "Duyên",
    "Điệp",
    "Kiều",
    "Thoa",
    "Trâm",
    "Gấm",
    "Hậu",
    "Ngà",
    "Lựu",
    "Thêu",
    "Vi",
    "Xoan",
]


def make_name(r, sex=None):
    sex = sex or r.choice("MF")
    fam = r.choice(FAMILY_COMMON) if r.random() < 0.6 else r.choice(FAMILY_RARE)
    mids, mids2, givs = (MID_M, MID2_M, GIVEN_M) if sex == "M" else (MID_F, MID2_F, GIVEN_F)
    nfam = len(fam.split())
    k = r.random()
    target = 2 if k < 0.07 else (3 if k < 0.77 else 4)
    parts = fam.split()
    if target - nfam >= 3:
        m1 = r.choice(mids)
        m2 = r.choice([x for x in mids2 if x != m1])
        parts += [m1, m2]
    elif target - nfam == 2:
        parts.append(r.choice(mids))
    given = r.choice([g for g in givs if g not in parts])
    parts.append(given)
    return nfc(" ".join(parts)), sex


# --------------------------------------------------------------------------- places
PROVINCES = {
    "Bắc Giang": (["Lục Nam", "Lạng Giang", "Yên Thế", "Hiệp Hòa", "Tân Yên", "Sơn Động", "Lục Ngạn"], "024"),
    "Quảng Ngãi": (["Đức Phổ", "Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Mộ Đức", "Nghĩa Hành"], "051"),
    "Bắc Ninh": (["Tiên Du", "Quế Võ", "Gia Bình", "Lương Tài", "Yên Phong"], "027"),
    "Đồng Nai": (["Tân Phú", "Định Quán", "Long Thành", "Nhơn Trạch", "Cẩm Mỹ"], "075"),
    "Nghệ An": (["Diễn Châu", "Quỳnh Lưu", "Nghi Lộc", "Hưng Nguyên", "Thanh Chương"], "040"),
    "Thừa Thiên Huế": (["Phú Vang", "Phong Điền", "Quảng Điền", "Phú Lộc"], "046"),
    "Hà Tĩnh": (["Kỳ Anh", "Cẩm Xuyên", "Hương Khê", "Đức Thọ"], "042"),
    "Lâm Đồng": (["Đức Trọng", "Lâm Hà", "Di Linh", "Bảo Lâm"], "068"),
    "Thái Bình": (["Kiến Xương", "Tiền Hải", "Vũ Thư", "Đông Hưng"], "034"),
    "Đắk Lắk": (["Krông Pắc", "Ea H'leo", "Cư M'gar", "Buôn Đôn"], "066"),
}
COMMUNES = [
    "Tân Phú",
    "Hòa Bình",
    "Phước Hưng",
    "Đông Sơn",
    "Xuân Lộc",
    "Nghĩa Trung",
    "Tiên Phong",
    "Quang Minh",
    "Hương Sơn",
    "Yên Lư",
    "Đại Đồng",
    "Phổ Thạnh",
    "Bình Thuận",
    "Tịnh Hòa",
    "Cẩm Lý",
    "Đức Thắng",
    "Thạch Hưng",
    "Quỳnh Lập",
    "Diễn Kỷ",
    "Phú Mỹ",
    "Vĩnh Thạnh",
    "An Lạc",
    "Long Phước",
    "Kỳ Tân",
    "Hồng Thái",
    "Đoan Hùng",
    "Mỹ Thành",
    "Ea Tu",
    "Lộc An",
    "Nghi Phong",
    "Thanh Hải",
    "Trung Sơn",
    "Hòa Khánh",
    "Tam Dị",
    "Vũ Xá",
    "Bảo Sơn",
]
VILLAGES = [
    "Thôn Đông",
    "Thôn 3",
    "Xóm Chùa",
    "Thôn Trung Hòa",
    "Tổ dân phố số 5",
    "Ấp Bình Phú",
    "Thôn An Lợi",
    "Xóm 7",
    "Thôn Phú Lễ",
    "Khu phố 2",
    "Thôn Hạ",
    "Bản Nà Tấu",
    "Thôn Thanh Xuân",
    "Tổ 12",
]
STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hùng Vương",
    "Quang Trung",
    "Phan Đình Phùng",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Ngô Quyền",
    "Võ Thị Sáu",
]


def upper(s):
    return nfc(s).upper()


def make_issuer(r, kind, prov, dist, comm):
    """returns dict: parent (str|None), lines (list), code, place, roles (head, deputy), is_ubnd"""
    P, D, C = upper(prov), upper(dist), upper(comm)
    if kind == "commune":
        v = r.random()
        if v < 0.45:
            parent, lines = None, ["ỦY BAN NHÂN DÂN", "XÃ " + C]
        elif v < 0.8:
            parent, lines = (
                "UBND HUYỆN " + D,
                ["ỦY BAN NHÂN DÂN XÃ " + C] if len(C) < 9 else ["ỦY BAN NHÂN DÂN", "XÃ " + C],
            )
        else:
            parent, lines = "UBND TỈNH " + P, ["ỦY BAN NHÂN DÂN", "XÃ " + C]
        return dict(
            parent=parent,
            lines=lines,
            code="UBND",
            place=comm,
            head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH",
            ubnd=True,
            seal=f"ỦY BAN NHÂN DÂN XÃ {C} ★ H. {D}",
        )
    if kind == "district":
        return dict(
            parent=None,
            lines=["ỦY BAN NHÂN DÂN", "HUYỆN " + D],
            code="UBND",
            place=dist,
            head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH",
            ubnd=True,
            seal=f"ỦY BAN NHÂN DÂN HUYỆN {D} ★ T. {P}",
        )
    if kind == "province":
        return dict(
            parent=None,
            lines=["ỦY BAN NHÂN DÂN", "TỈNH " + P],
            code="UBND",
            place=prov,
            head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH",
            ubnd=True,
            seal=f"ỦY BAN NHÂN DÂN TỈNH {P} ★",
        )
    if kind == "dept":
        name, code = r.choice(
            [
                (["SỞ Y TẾ"], "SYT"),
                (["SỞ XÂY DỰNG"], "SXD"),
                (["SỞ CÔNG THƯƠNG"], "SCT"),
                (["SỞ KẾ HOẠCH VÀ ĐẦU TƯ"], "SKHĐT"),
                (["SỞ TƯ PHÁP"], "STP"),
                (["SỞ NÔNG NGHIỆP VÀ", "PHÁT TRIỂN NÔNG THÔN"], "SNNPTNT"),
                (["SỞ GIÁO DỤC VÀ ĐÀO TẠO"], "SGDĐT"),
                (["SỞ TÀI NGUYÊN", "VÀ MÔI TRƯỜNG"], "STNMT"),
                (["SỞ VĂN HÓA, THỂ THAO", "VÀ DU LỊCH"], "SVHTTDL"),
                (["SỞ NỘI VỤ"], "SNV"),
            ]
        )
        return dict(
            parent="UBND TỈNH " + P,
            lines=name,
            code=code,
            place=prov,
            head="GIÁM ĐỐC",
            deputy="PHÓ GIÁM ĐỐC",
            ubnd=False,
            seal=" ".join(name) + f" ★ T. {P}",
        )
    if kind == "office":
        name, code = r.choice(
            [
                (["PHÒNG TÀI CHÍNH - KẾ HOẠCH"], "TCKH"),
                (["PHÒNG KINH TẾ", "VÀ HẠ TẦNG"], "KTHT"),
                (["PHÒNG TÀI NGUYÊN", "VÀ MÔI TRƯỜNG"], "TNMT"),
                (["PHÒNG KINH TẾ"], "KT"),
            ]
        )
        return dict(
            parent="UBND HUYỆN " + D,
            lines=name,
            code=code,
            place=dist,
            head="TRƯỞNG PHÒNG",
            deputy="PHÓ TRƯỞNG PHÒNG",
            ubnd=False,
            seal=" ".join(name) + f" ★ H. {D}",
        )
    if kind == "school":
        lvl = r.choice(["TRƯỜNG THCS", "TRƯỜNG TIỂU HỌC", "TRƯỜNG THPT"])
        parent = ("UBND HUYỆN " + D) if lvl != "TRƯỜNG THPT" else ("SỞ GD&ĐT " + P)
        return dict(
            parent=parent,
            lines=[lvl + " " + C],
            code="TH" + ("CS" if "THCS" in lvl else "PT" if "THPT" in lvl else ""),
            place=comm,
            head="HIỆU TRƯỞNG",
            deputy="PHÓ HIỆU TRƯỞNG",
            ubnd=False,
            seal=f"{lvl} {C} ★ {D}",
        )
    raise ValueError(kind)


# --------------------------------------------------------------------------- document content
CANCU_COMMON = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;",
]
CANCU = {
    "hotro": [
        "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;"
    ],
    "dat": [
        "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
        "Căn cứ Nghị định số 102/2024/NĐ-CP ngày 30 tháng 7 năm 2024 của Chính phủ quy định chi tiết thi hành một số điều của Luật Đất đai;",
    ],
    "khen": [
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
    ],
    "hoagiai": [
        "Căn cứ Luật Hòa giải ở cơ sở ngày 20 tháng 6 năm 2013;",
        "Căn cứ Nghị định số 15/2014/NĐ-CP ngày 27 tháng 02 năm 2014 của Chính phủ quy định chi tiết một số điều và biện pháp thi hành Luật Hòa giải ở cơ sở;",
    ],
    "xaydung": [
        "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014; Luật sửa đổi, bổ sung một số điều của Luật Xây dựng ngày 17 tháng 6 năm 2020;",
        "Căn cứ Nghị định số 15/2021/NĐ-CP ngày 03 tháng 3 năm 2021 của Chính phủ quy định chi tiết một số nội dung về quản lý dự án đầu tư xây dựng;",
    ],
    "hkd": ["Căn cứ Nghị định số 01/2021/NĐ-CP ngày 04 tháng 01 năm 2021 của Chính phủ về đăng ký doanh nghiệp;"],
    "attp": [
        "Căn cứ Luật An toàn thực phẩm ngày 17 tháng 6 năm 2010;",
        "Căn cứ Nghị định số 15/2018/NĐ-CP ngày 02 tháng 02 năm 2018 của Chính phủ quy định chi tiết thi hành một số điều của Luật An toàn thực phẩm;",
    ],
    "karaoke": [
        "Căn cứ Nghị định số 54/2019/NĐ-CP ngày 19 tháng 6 năm 2019 của Chính phủ quy định về kinh doanh dịch vụ karaoke, dịch vụ vũ trường;"
    ],
    "ruou": [
        "Căn cứ Nghị định số 105/2017/NĐ-CP ngày 14 tháng 9 năm 2017 của Chính phủ về kinh doanh rượu;",
        "Căn cứ Nghị định số 17/2020/NĐ-CP ngày 05 tháng 02 năm 2020 của Chính phủ sửa đổi, bổ sung một số điều của các Nghị định liên quan đến điều kiện đầu tư kinh doanh thuộc lĩnh vực quản lý nhà nước của Bộ Công Thương;",
    ],
    "bonhiem": [
        "Căn cứ Luật Viên chức ngày 15 tháng 11 năm 2010; Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, công chức và Luật Viên chức ngày 25 tháng 11 năm 2019;"
    ],
}
FILLER = [
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời báo cáo về cơ quan chuyên môn để tổng hợp, tham mưu cấp có thẩm quyền xem xét, giải quyết theo quy định.",
    "Việc tổ chức thực hiện phải bảo đảm công khai, minh bạch, đúng đối tượng, đúng quy định của pháp luật; không để xảy ra sai sót, tiêu cực, gây phiền hà cho tổ chức, cá nhân.",
    "Giao cơ quan chuyên môn chủ trì, phối hợp với các đơn vị liên quan hướng dẫn, kiểm tra, giám sát việc thực hiện; định kỳ hằng quý tổng hợp, báo cáo kết quả về Ủy ban nhân dân để theo dõi, chỉ đạo.",
    "Hồ sơ, tài liệu liên quan được lưu trữ tại bộ phận một cửa và được số hóa, cập nhật vào Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh theo đúng quy định hiện hành.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương và các nguồn hợp pháp khác theo quy định của Luật Ngân sách nhà nước và các văn bản hướng dẫn thi hành.",
    "Các phòng, ban chuyên môn có trách nhiệm rà soát, tổng hợp số liệu, đối chiếu với cơ sở dữ liệu quốc gia về dân cư trước khi trình cấp có thẩm quyền phê duyệt.",
    "Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm trước cấp trên về tiến độ và chất lượng thực hiện nhiệm vụ được giao; kết quả thực hiện là tiêu chí đánh giá, xếp loại thi đua cuối năm.",
    "Bộ phận tiếp nhận và trả kết quả có trách nhiệm hướng dẫn tổ chức, cá nhân nộp hồ sơ trực tuyến, thanh toán phí, lệ phí qua Cổng Dịch vụ công quốc gia và nhận kết quả điện tử.",
    "Trường hợp phát hiện hồ sơ có sai sót hoặc thông tin không thống nhất, cơ quan tiếp nhận thông báo bằng văn bản cho tổ chức, cá nhân để bổ sung, hoàn thiện trong thời hạn quy định.",
    "Văn phòng có trách nhiệm theo dõi, đôn đốc việc thực hiện và tổng hợp kết quả, báo cáo định kỳ hoặc đột xuất khi có yêu cầu của cơ quan cấp trên.",
]
CV_SUBJECTS = [
    "triển khai số hóa kết quả giải quyết thủ tục hành chính",
    "rà soát hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất",
    "tăng cường công tác phòng, chống dịch bệnh trên gia súc, gia cầm",
    "báo cáo tình hình thực hiện cơ chế một cửa, một cửa liên thông quý III",
    "đôn đốc hoàn thành chỉ tiêu tái sử dụng dữ liệu số hóa",
    "góp ý dự thảo Quy chế phối hợp giải quyết thủ tục hành chính",
    "chuẩn bị các điều kiện tổ chức Tết Nguyên đán",
]
KINHGUI_ORGS = [
    "Ủy ban nhân dân các xã, thị trấn",
    "Các phòng, ban, ngành thuộc huyện",
    "Văn phòng HĐND và UBND huyện",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Các sở, ban, ngành tỉnh",
    "Phòng Tài chính - Kế hoạch",
]
BUSINESS = [
    "Cơ sở sản xuất bánh kẹo",
    "Cơ sở chế biến nước mắm",
    "Cơ sở sản xuất giò chả",
    "Bếp ăn tập thể",
    "Cơ sở kinh doanh dịch vụ ăn uống",
    "Cơ sở sản xuất nước uống đóng chai",
    "Cơ sở giết mổ gia cầm",
]
BIZ_LINES = [
    "Bán lẻ thực phẩm, đồ uống",
    "Dịch vụ ăn uống",
    "Sửa chữa xe có động cơ",
    "Bán lẻ vật liệu xây dựng",
    "Cắt tóc, làm đầu, gội đầu",
    "May trang phục",
    "Bán buôn nông sản",
]


def fmt_date_line(place, d, m, y, r):
    dd = f"{d:02d}"  # days below 10 zero padded
    mm = f"{m:02d}" if m <= 2 else str(m)
    return nfc(f"{place}, ngày {dd} tháng {mm} năm {y}")


def rand_date(r, y0, y1):
    y = r.randint(y0, y1)
    m = r.randint(1, 12)
    d = r.randint(1, 28)
    return d, m, y


def cccd(r, prov_code, sex, birth_year):
    c = (0 if birth_year < 2000 else 2) + (1 if sex == "F" else 0)
    return f"{prov_code}{c}{birth_year % 100:02d}{r.randint(0, 999999):06d}"


# --------------------------------------------------------------------------- layout engine
class Doc:
    def __init__(self, dpi, fonts, margins_mm, base_pt, line_sp):
        self.dpi = dpi
        self.F = fonts
        self.W = round(210 / 25.4 * dpi)
        self.H = round(297 / 25.4 * dpi)
        self.ml, self.mr, self.mt, self.mb = [round(v / 25.4 * dpi) for v in margins_mm]
        self.tw = self.W - self.ml - self.mr
        self.base_pt = base_pt
        self.line_sp = line_sp
        self.pages = []
        self.new_page()

    def mm(self, v):
        return round(v / 25.4 * self.dpi)

    def new_page(self):
        img = Image.new("RGB", (self.W, self.H), (255, 255, 255))
        self.pages.append(img)
        self.draw = ImageDraw.Draw(img)
        self.y = self.mt
        n = len(self.pages)
        if n > 1:  # page number top centre from page 2
            f = self.F.get(12)
            s = str(n)
            self.draw.text((self.W // 2 - f.getlength(s) / 2, self.mm(10)), s, font=f, fill=INK)
            self.y = self.mt + self.mm(4)

    def lh(self, font):
        return int(font.size * self.line_sp)

    def ensure(self, h):
        if self.y + h > self.H - self.mb:
            self.new_page()

    def text_at(self, x, y, s, font, fill=None):
        self.draw.text((x, y), s, font=font, fill=fill or INK)

    def center(self, s, font, cx, y=None, fill=None):
        y = self.y if y is None else y
        w = font.getlength(s)
        self.draw.text((cx - w / 2, y), s, font=font, fill=fill or INK)
        return w

    def wrap_runs(self, runs, width, indent):
        """runs: list of (text, font). Words are split on spaces; pieces of adjacent runs that are not
        separated by a space are glued into one word. returns lines of words; a word = list of (text, font)."""
        words = []
        prev_space = True
        for text, font in runs:
            parts = text.split(" ")
            for i, p in enumerate(parts):
                sep = prev_space if i == 0 else True
                if p == "":
                    prev_space = True
                    continue
                if not sep and words:
                    words[-1].append((p, font))
                else:
                    words.append([(p, font)])
                prev_space = False
            prev_space = text.endswith(" ") or prev_space
        lines, cur, curw = [], [], 0.0
        avail = width - indent
        for w in words:
            ww = sum(f.getlength(t) for t, f in w)
            sp = w[0][1].getlength(" ") if cur else 0
            if cur and curw + sp + ww > avail:
                lines.append(cur)
                cur, curw = [], 0.0
                avail = width
                sp = 0
            cur.append(w)
            curw += sp + ww
        if cur:
            lines.append(cur)
        return lines

    def para(self, runs, indent_mm=12.7, justify=True, align="left", x0=None, width=None, after_pt=4, keep=False):
        x0 = self.ml if x0 is None else x0
        width = self.tw if width is None else width
        indent = self.mm(indent_mm) if align == "left" else 0
        lines = self.wrap_runs(runs, width, indent)
        lhs = [max(self.lh(f) for w in ln for _, f in w) for ln in lines]
        if keep:
            self.ensure(sum(lhs))
        for li, ln in enumerate(lines):
            lh = lhs[li]
            self.ensure(lh)
            ind = indent if li == 0 else 0
            widths = [sum(f.getlength(t) for t, f in w) for w in ln]
            spaces = [w[0][1].getlength(" ") for w in ln[1:]]
            total = sum(widths) + sum(spaces)
            avail = width - ind
            last = li == len(lines) - 1
            if align == "center":
                x = x0 + (width - total) / 2
                extra = 0
            else:
                x = x0 + ind
                extra = (avail - total) / max(1, len(ln) - 1) if (justify and not last and len(ln) > 1) else 0
            for k, w in enumerate(ln):
                xx = x
                for t, f in w:
                    self.draw.text((xx, self.y), t, font=f, fill=INK)
                    xx += f.getlength(t)
                x += widths[k] + (spaces[k] + extra if k < len(ln) - 1 else 0)
            self.y += lh
        self.y += int(after_pt * self.dpi / 72)


INK = (18, 18, 22)


# --------------------------------------------------------------------------- signature, seal
def bezier(pts, n=60):
    pts = np.asarray(pts, float)
    t = np.linspace(0, 1, n)[:, None]
    k = len(pts) - 1
    out = np.zeros((n, 2))
    for i, p in enumerate(pts):
        out += math.comb(k, i) * (t**i) * ((1 - t) ** (k - i)) * p
    return out


def stroke(mask, pts, thick):
    pts = np.asarray(pts)
    n = len(pts)
    for i in range(n - 1):
        # pressure: thinner at ends
        p = math.sin(math.pi * (i + 0.5) / n) ** 0.5
        t = max(1, round(thick * (0.45 + 0.55 * p)))
        a = tuple(int(v * 4) for v in pts[i])
        b = tuple(int(v * 4) for v in pts[i + 1])
        cv2.line(mask, a, b, 1.0, t, cv2.LINE_AA, shift=2)


def draw_signature(r, shape, box, name_box, cross, dpi):
    """box: (x0,y0,x1,y1) area for the signature; name_box: bbox of the printed name.
    returns float mask [0..1]"""
    H, W = shape
    mask = np.zeros((H, W), np.float32)
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    xlo, xhi = x0 - bw * 0.2, min(x1 + bw * 0.2, W - 5)

    def stroke_c(m, pts, t):
        pts = np.asarray(pts, float).copy()
        pts[:, 0] = np.clip(pts[:, 0], xlo, xhi)
        stroke(m, pts, t)

    thick = max(3, round(r.uniform(0.35, 0.7) * dpi / 25.4))
    shear = r.uniform(-0.45, 0.1)  # forward-leaning handwriting
    style = r.random()
    if style < 0.5:
        # looping stroke: oscillation along a drifting baseline, random amplitude / frequency per loop
        n = 500
        t = np.linspace(0, 1, n)
        loops = r.randint(2, 6)
        knots = np.array([r.uniform(0.45, 1.15) for _ in range(loops + 2)])
        amp = np.interp(t, np.linspace(0, 1, loops + 2), knots)
        fk = np.array([r.uniform(0.7, 1.3) for _ in range(loops + 2)])
        phase = 2 * math.pi * np.cumsum(np.interp(t, np.linspace(0, 1, loops + 2), fk)) / n * loops
        ax = bw * r.uniform(0.04, 0.10)
        ay = bh * r.uniform(0.2, 0.36)
        ph = r.uniform(0, 2 * math.pi)
        cx0 = x0 + bw * r.uniform(0.05, 0.2)
        span = bw * r.uniform(0.5, 0.8)
        ybase = y0 + bh * r.uniform(0.4, 0.6)
        xs = cx0 + span * t + ax * amp * np.cos(phase + ph)
        ys = (
            ybase
            + ay * amp * np.sin(phase + ph)
            + bh * r.uniform(-0.25, 0.1) * (t - 0.5)
            + bh * 0.08 * np.sin(2 * math.pi * r.uniform(0.5, 1.5) * t)
        )
    else:
        # zig-zag strokes through random anchors (Catmull-Rom), some moving backwards to form loops
        k = r.randint(6, 12)
        px, py = [x0 + bw * r.uniform(0.0, 0.15)], [y0 + bh * r.uniform(0.4, 0.8)]
        for j in range(k):
            px.append(px[-1] + bw * r.uniform(-0.06, 0.2))
            py.append(y0 + bh * (r.uniform(0.0, 0.35) if j % 2 == 0 else r.uniform(0.55, 1.0)))
        P_ = np.stack([px, py], 1)
        P_ = np.vstack([P_[:1], P_, P_[-1:]])
        seg = []
        for j in range(1, len(P_) - 2):
            p0, p1, p2, p3 = P_[j - 1], P_[j], P_[j + 1], P_[j + 2]
            tt = np.linspace(0, 1, 30)[:, None]
            seg.append(
                0.5
                * (
                    (2 * p1)
                    + (-p0 + p2) * tt
                    + (2 * p0 - 5 * p1 + 4 * p2 - p3) * tt**2
                    + (-p0 + 3 * p1 - 3 * p2 + p3) * tt**3
                )
            )
        pts = np.vstack(seg)
        xs, ys = pts[:, 0], pts[:, 1]
        ybase = y0 + bh * 0.5
    xs = np.clip(xs + (ys - ybase) * shear, x0 - bw * 0.2, x1 + bw * 0.2)
    ys = np.clip(ys, y0 - bh * 0.15, y1)
    stroke_c(mask, np.stack([xs, ys], 1), thick)
    # initial capital flourish
    if r.random() < 0.7:
        sx, sy = xs[0], ys[0]
        pts = bezier(
            [
                (sx, sy),
                (sx - bw * 0.08, y0 + bh * 0.05),
                (sx + bw * 0.12, y0 - bh * 0.05),
                (sx + bw * 0.03, y1 - bh * 0.15),
            ],
            80,
        )
        stroke_c(mask, pts, thick)
    ex, ey = xs[-1], ys[-1]
    if cross:
        nx0, ny0, nx1, ny1 = name_box
        ymid = (ny0 + ny1) / 2 + r.uniform(-0.15, 0.15) * (ny1 - ny0)
        xa = nx0 + (nx1 - nx0) * r.uniform(0.0, 0.4)
        xb = nx0 + (nx1 - nx0) * r.uniform(0.6, 1.05)
        mode = r.random()
        if mode < 0.5:  # descending tail through the name then swinging right
            pts = bezier([(ex, ey), (xa, ymid - (ny1 - ny0) * 1.5), (xa, ymid), (xb, ymid + (ny1 - ny0) * 0.2)], 120)
        else:  # long underline-ish swoosh running across the letters
            pts = bezier(
                [
                    (ex, ey),
                    (ex + bw * 0.1, ey + bh * 0.3),
                    (xa - bw * 0.2, ymid + (ny1 - ny0) * 0.3),
                    (xb, ymid - (ny1 - ny0) * 0.1),
                ],
                120,
            )
        stroke_c(mask, pts, thick)
    else:
        # final flourish stays above the name
        lim = name_box[1] - (name_box[3] - name_box[1]) * 0.5
        tx = ex + bw * r.uniform(-0.5, 0.2)
        ty = min(lim, ey + bh * r.uniform(0.1, 0.3))
        pts = bezier(
            [
                (ex, ey),
                (ex + bw * 0.15, min(lim, ey + bh * 0.35)),
                (tx, ty),
                (tx + bw * r.uniform(0.3, 0.6), ty - bh * 0.05),
            ],
            100,
        )
        stroke_c(mask, pts, thick)
    return np.clip(mask, 0, 1)


def draw_seal(r, shape, center, radius, text, dpi):
    H, W = shape
    size = int(radius * 2 + 8)
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    c = size / 2
    lw = max(3, int(radius * 0.035))
    d.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=lw)
    ri = radius * 0.70
    d.ellipse([c - ri, c - ri, c + ri, c + ri], outline=255, width=max(2, lw // 2))
    # curved text in the ring, clockwise, centred at the top
    rt = radius * 0.85
    fs = int(radius * 0.2)
    while True:  # pick a size so the text fills roughly 250-330 degrees of the ring
        f = ImageFont.truetype(SEAL_FONT, fs)
        nat = sum(f.getlength(ch) * 1.05 for ch in text) / rt
        if nat <= math.radians(330) or fs <= radius * 0.11:
            break
        fs -= 1
    widths = [f.getlength(ch) * 1.05 for ch in text]
    nat = sum(widths) / rt
    total_ang = min(max(nat, math.radians(250)), math.radians(330))
    scale = total_ang / nat
    a = -math.pi / 2 - total_ang / 2
    for ch, w in zip(text, widths, strict=False):
        aw = w * scale / rt
        am = a + aw / 2
        ci = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(ci).text((fs - f.getlength(ch) / 2, fs * 0.35), ch, font=f, fill=255)
        ci = ci.rotate(-math.degrees(am + math.pi / 2), resample=Image.BICUBIC)
        px = c + rt * math.cos(am) - fs
        py = c + rt * math.sin(am) - fs
        im.paste(255, (int(px), int(py)), ci)
        a += aw
    # star in the middle
    rs, rin = radius * 0.42, radius * 0.17
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else rin
        pts.append((c + rr * math.cos(ang), c + rr * math.sin(ang)))
    d.polygon(pts, fill=255)
    arr = np.asarray(im, np.float32) / 255.0
    # ink texture: uneven stamping
    tex = cv2.GaussianBlur(
        np.random.default_rng(r.randint(0, 2**31)).random((size, size)).astype(np.float32), (0, 0), size / 25
    )
    tex = (tex - tex.min()) / (tex.max() - tex.min() + 1e-6)
    arr = arr * (0.55 + 0.45 * tex) * r.uniform(0.8, 0.95)
    ang = r.uniform(-25, 25)
    M = cv2.getRotationMatrix2D((c, c), ang, 1.0)
    arr = cv2.warpAffine(arr, M, (size, size))
    mask = np.zeros((H, W), np.float32)
    x0, y0 = int(center[0] - c), int(center[1] - c)
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(W, x0 + size), min(H, y0 + size)
    mask[ya:yb, xa:xb] = arr[ya - y0 : yb - y0, xa - x0 : xb - x0]
    return mask


def multiply_overlay(img, mask, color):
    a = np.asarray(img).astype(np.float32)
    col = np.array(color, np.float32) / 255.0
    fac = 1 - mask[..., None] * (1 - col[None, None, :])
    return Image.fromarray(np.clip(a * fac, 0, 255).astype(np.uint8))


# --------------------------------------------------------------------------- degradation
def degrade(img, quality, r, dpi):
    rng = np.random.default_rng(r.randint(0, 2**31))
    a = np.asarray(img).astype(np.float32)
    H, W = a.shape[:2]
    if quality == "clean":
        return Image.fromarray(a.astype(np.uint8))
    if quality == "poor":
        fade = r.uniform(0.62, 0.8)
        a = 255 - (255 - a) * fade
    paper = (
        np.array([r.uniform(228, 244), r.uniform(226, 242), r.uniform(215, 236)], np.float32)
        if quality == "typical"
        else np.array([r.uniform(215, 238), r.uniform(212, 235), r.uniform(198, 228)], np.float32)
    )
    a = a / 255.0 * paper[None, None, :]
    if quality == "poor":
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        th = r.uniform(0, 2 * math.pi)
        g = np.cos(th) * xx / W + np.sin(th) * yy / H
        g = (g - g.min()) / (g.max() - g.min())
        cxr, cyr = r.uniform(0.2, 0.8) * W, r.uniform(0.2, 0.8) * H
        rad = np.sqrt((xx - cxr) ** 2 + (yy - cyr) ** 2) / math.hypot(W, H)
        light = 1 - r.uniform(0.12, 0.25) * g - r.uniform(0.05, 0.15) * rad
        a = a * light[..., None]
    # rotation
    ang = r.uniform(-1, 1) if quality == "typical" else r.choice([-1, 1]) * r.uniform(0.7, 2.0)
    M = cv2.getRotationMatrix2D((W / 2, H / 2), ang, 1.0)
    M[0, 2] += r.uniform(-0.004, 0.004) * W
    M[1, 2] += r.uniform(-0.004, 0.004) * H
    a = cv2.warpAffine(
        a, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(v) for v in paper)
    )
    if quality == "typical":
        a = cv2.GaussianBlur(a, (0, 0), r.uniform(0.3, 0.6))
        a = a + rng.normal(0, r.uniform(2.5, 5), a.shape[:2])[..., None]
        q = r.randint(55, 80)
    else:
        a = cv2.GaussianBlur(a, (0, 0), r.uniform(0.8, 1.25) * dpi / 200)
        a = a + rng.normal(0, r.uniform(6, 10), a.shape[:2])[..., None]
        # speckle: dark dots and white drop-outs
        n = int(W * H * r.uniform(0.0003, 0.0012))
        ys, xs = rng.integers(0, H, n), rng.integers(0, W, n)
        a[ys, xs] = rng.uniform(30, 110, (n, 1))
        n2 = int(W * H * r.uniform(0.0003, 0.001))
        ys, xs = rng.integers(0, H, n2), rng.integers(0, W, n2)
        a[ys, xs] = paper
        q = r.randint(35, 55)
    a = np.clip(a, 0, 255).astype(np.uint8)
    _ok, enc = cv2.imencode(".jpg", a[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
    a = cv2.imdecode(enc, cv2.IMREAD_COLOR)[..., ::-1]
    return Image.fromarray(a)


# --------------------------------------------------------------------------- document builder
DOC_TYPES = ["Quyết định", "Giấy chứng nhận", "Giấy phép", "Công văn", "Thông báo"]


def build(r, idx, seed, quality, sig_style, cross, with_seal, two_page):
    dpi = 200 if quality == "poor" else r.choice([300, 300, 250])
    fam = r.choices(list(FONT_WEIGHTS), weights=list(FONT_WEIGHTS.values()))[0]
    F = Fonts(fam, dpi)
    wide = "Sans" in fam or fam == "DejaVu Serif"
    base = r.choice([12, 12.5, 13]) if wide else r.choice([13, 13.5, 14])
    doc = Doc(
        dpi, F, (r.uniform(30, 35), r.uniform(15, 20), r.uniform(18, 25), r.uniform(15, 22)), base, r.uniform(1.15, 1.3)
    )

    prov = r.choice(list(PROVINCES))
    dists, pcode = PROVINCES[prov]
    dist = r.choice(dists)
    comm = r.choice(COMMUNES)

    # document type & compatible issuers
    dtype = r.choices(DOC_TYPES, weights=[36, 20, 14, 15, 15])[0]
    compat = {
        "Quyết định": ["commune", "district", "province", "dept", "school"],
        "Giấy chứng nhận": ["office", "district", "commune", "dept"],
        "Giấy phép": ["district", "dept"],
        "Công văn": ["commune", "district", "province", "dept", "office"],
        "Thông báo": ["commune", "district", "dept", "office", "school"],
    }[dtype]
    if sig_style == "TM":
        compat = [k for k in compat if k in ("commune", "district", "province")] or ["district"]
        if dtype == "Giấy phép" or dtype == "Giấy chứng nhận":
            compat = ["district"]
    if sig_style == "TL":
        compat = [k for k in compat if k in ("dept", "province")] or ["dept"]
    kind = r.choice(compat)
    iss = make_issuer(r, kind, prov, dist, comm)
    if dtype == "Giấy chứng nhận" and kind == "dept" and not any(k in iss["code"] for k in ("SYT", "SNN", "SCT")):
        iss = make_issuer(r, "dept", prov, dist, comm)
        while iss["code"] not in ("SYT", "SNNPTNT", "SCT"):
            iss = make_issuer(r, "dept", prov, dist, comm)
    if dtype == "Giấy phép" and kind == "dept":
        while iss["code"] not in ("SXD", "SCT", "SVHTTDL", "SYT"):
            iss = make_issuer(r, "dept", prov, dist, comm)

    def sentence_issuer():
        full = " ".join(iss["lines"])
        if iss["ubnd"]:
            lvl = {"commune": "xã " + comm, "district": "huyện " + dist, "province": "tỉnh " + prov}[kind]
            return "Ủy ban nhân dân " + lvl
        low = full.lower()
        for nm in (prov, dist, comm):
            low = low.replace(nm.lower(), nm)
        low = low.replace("thcs", "THCS").replace("thpt", "THPT")
        return low[0].upper() + low[1:]

    # signer block
    head, deputy = iss["head"], iss["deputy"]
    if sig_style == "KT":
        signed_for, signer_title = "KT. " + head, deputy
    elif sig_style == "TM":
        signed_for, signer_title = "TM. ỦY BAN NHÂN DÂN", r.choice(["CHỦ TỊCH", "CHỦ TỊCH", "PHÓ CHỦ TỊCH"])
        if signer_title == "PHÓ CHỦ TỊCH":
            signer_title = "CHỦ TỊCH"
    elif sig_style == "TL":
        signed_for = "TL. " + head
        signer_title = (
            r.choice(["CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG HÀNH CHÍNH", "PHÓ CHÁNH VĂN PHÒNG"])
            if kind == "dept"
            else r.choice(["CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"])
        )
    else:
        signed_for, signer_title = None, head
    signer_name, _ = make_name(r)

    # holder
    has_holder = dtype in ("Quyết định", "Giấy chứng nhận", "Giấy phép") or (dtype == "Thông báo" and r.random() < 0.5)
    holder_name = holder_sex = None
    holder_id = None
    birth = None
    if has_holder:
        holder_name, holder_sex = make_name(r)
        while holder_name == signer_name:
            holder_name, holder_sex = make_name(r)
        birth = rand_date(r, 1950, 2003)
        if r.random() < 0.65:
            holder_id = cccd(r, r.choice([pcode, pcode, PROVINCES[r.choice(list(PROVINCES))][1]]), holder_sex, birth[2])
    ong = "Ông" if holder_sex == "M" else "Bà"
    name_upper = r.random() < 0.3
    name_bold = r.random() < 0.45
    hn_print = upper(holder_name) if (holder_name and name_upper) else holder_name

    # number & date
    d, m, y = rand_date(r, 2019, 2025)
    date_line = fmt_date_line(iss["place"], d, m, y, r)
    issue_date = f"{y:04d}-{m:02d}-{d:02d}"
    nn = r.choice([r.randint(1, 9), r.randint(10, 99), r.randint(100, 999), r.randint(1000, 4999)])
    nstr = f"{nn:02d}"
    abbr = {"Quyết định": "QĐ", "Giấy chứng nhận": "GCN", "Giấy phép": "GP", "Thông báo": "TB"}.get(dtype)
    if dtype == "Công văn":
        unit = iss["code"] if iss["ubnd"] is False else "UBND"
        number = f"{nstr}/{unit}-{r.choice(['VX', 'KT', 'TNMT', 'VP', 'NC', 'KTTH', 'TCKH', 'QLĐT'])}"
        if not iss["ubnd"]:
            number = f"{nstr}/{iss['code']}-{r.choice(['VP', 'NVY', 'QLCL', 'KHTC', 'TCCB'])}"
    else:
        extra = ""
        if dtype == "Giấy chứng nhận" and r.random() < 0.4:
            abbr = r.choice(["GCNATTP", "GCN"])
            extra = f"{y}/"
        number = f"{nstr}/{extra}{abbr}-{iss['code']}"
    number = nfc(number)

    # subject
    subject = None
    body_kind = None
    if dtype == "Quyết định":
        body_kind = r.choice(["hotro", "dat", "khen", "hoagiai", "bonhiem", "chuyenmd"])
        if kind == "school":
            body_kind = r.choice(["khen", "bonhiem"])
        if kind == "dept" and body_kind in ("hoagiai", "hotro"):
            body_kind = "khen"
        subject = {
            "hotro": "Về việc hỗ trợ kinh phí xây dựng nhà ở cho hộ nghèo",
            "dat": "Về việc giao đất ở cho hộ gia đình, cá nhân",
            "khen": "Về việc tặng Giấy khen",
            "hoagiai": "Về việc công nhận hòa giải viên",
            "bonhiem": "Về việc bổ nhiệm viên chức quản lý",
            "chuyenmd": "Về việc cho phép chuyển mục đích sử dụng đất",
        }[body_kind]
        if body_kind == "hotro" and r.random() < 0.5:
            subject = [
                "Về việc hỗ trợ kinh phí xây dựng nhà ở",
                "cho hộ nghèo trên địa bàn " + ("xã" if kind == "commune" else "huyện"),
            ]
    elif dtype == "Giấy chứng nhận":
        body_kind = "hkd" if kind in ("office", "district", "commune") else "attp"
        subject = (
            "ĐĂNG KÝ HỘ KINH DOANH"
            if body_kind == "hkd"
            else r.choice(["CƠ SỞ ĐỦ ĐIỀU KIỆN AN TOÀN THỰC PHẨM", "Cơ sở đủ điều kiện an toàn thực phẩm"])
        )
    elif dtype == "Giấy phép":
        body_kind = (
            r.choice(["xaydung", "ruou", "karaoke"])
            if kind == "district"
            else {"SXD": "xaydung", "SCT": "ruou", "SVHTTDL": "karaoke", "SYT": "xaydung"}[iss["code"]]
        )
        subject = {
            "xaydung": "Xây dựng nhà ở riêng lẻ",
            "ruou": "Bán lẻ sản phẩm rượu",
            "karaoke": "Kinh doanh dịch vụ karaoke",
        }[body_kind]
    elif dtype == "Công văn":
        subject = r.choice(CV_SUBJECTS)
    else:
        body_kind = "tb_person" if has_holder else "tb_general"
        subject = (
            r.choice(
                [
                    "Về việc trả kết quả giải quyết hồ sơ",
                    "Về việc bổ sung hồ sơ đề nghị cấp phép",
                    "Kết quả giải quyết thủ tục hành chính",
                ]
            )
            if has_holder
            else r.choice(
                [
                    "Về việc tạm dừng tiếp nhận hồ sơ trực tiếp",
                    "Lịch tiếp công dân định kỳ năm " + str(y),
                    "Về việc niêm yết công khai danh sách hộ gia đình đủ điều kiện hỗ trợ",
                ]
            )
        )
    if r.random() < 0.08 and dtype != "Công văn":
        subject = None if dtype in ("Thông báo",) else subject
    subj_lines = subject if isinstance(subject, list) else ([subject] if subject else [])
    subject_gt = " ".join(subj_lines) if subj_lines else None

    # ------------------------------------------------------------------ header
    pt_head = r.choice([12, 12.5, 13])
    f_par = F.get(pt_head)
    f_iss = F.get(pt_head, bold=True)
    f_qh = F.get(pt_head, bold=True)
    f_tn = F.get(pt_head + r.choice([0, 0.5, 1]), bold=True)
    f_no = F.get(base)
    f_date = F.get(base, italic=True)
    iss_lines = iss["lines"]
    parent = iss["parent"]
    iw = max([f_iss.getlength(s) for s in iss_lines] + ([f_par.getlength(parent)] if parent else []))
    iw = max(iw, doc.mm(55))
    qh = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    tn = "Độc lập - Tự do - Hạnh phúc"
    gap = doc.mm(4)
    pt_q = pt_head
    while f_qh.getlength(qh) > doc.tw - iw - gap and pt_q > 9.5:
        pt_q -= 0.5
        f_qh = F.get(pt_q, bold=True)
        f_tn = F.get(min(pt_q + 1, 14), bold=True)
    lcx = doc.ml + iw / 2 - doc.mm(r.uniform(0, 3))
    rx0 = doc.ml + iw + gap
    rcx = (rx0 + doc.ml + doc.tw) / 2
    y0 = doc.y
    ly = y0
    lh_h = int(f_iss.size * 1.25)
    if parent:
        doc.center(parent, f_par, lcx, ly)
        ly += lh_h
    for s in iss_lines:
        doc.center(s, f_iss, lcx, ly)
        ly += lh_h
    ulw = f_iss.getlength(iss_lines[-1]) * r.uniform(0.33, 0.5)
    ul_y = ly + doc.mm(0.8)
    th = max(1, doc.dpi // 150)
    doc.draw.line([(lcx - ulw / 2, ul_y), (lcx + ulw / 2, ul_y)], fill=INK, width=th)
    ry = y0
    doc.center(qh, f_qh, rcx, ry)
    ry += lh_h
    tw_ = doc.center(tn, f_tn, rcx, ry)
    ry += int(f_tn.size * 1.2)
    doc.draw.line([(rcx - tw_ / 2, ry + doc.mm(0.3)), (rcx + tw_ / 2, ry + doc.mm(0.3))], fill=INK, width=th)
    y_no = max(ly, ry) + doc.mm(r.uniform(3, 5))
    so_txt = "Số: " + number
    doc.center(so_txt, f_no, lcx, y_no)
    dw = f_date.getlength(date_line)
    dcx = min(rcx, doc.ml + doc.tw - dw / 2)
    doc.center(date_line, f_date, dcx, y_no)
    doc.y = y_no + doc.lh(f_no)

    # công văn: V/v under Số in left column
    if dtype == "Công văn":
        f_vv = F.get(pt_head)
        doc.para(
            [("V/v " + subject, f_vv)],
            align="center",
            x0=lcx - iw / 2 - doc.mm(2),
            width=iw + doc.mm(4),
            justify=False,
            after_pt=8,
        )
    else:
        doc.y += doc.mm(r.uniform(5, 9))
        f_type = F.get(max(base, 13.5), bold=True)
        doc.center(upper(dtype), f_type, doc.ml + doc.tw / 2)
        doc.y += doc.lh(f_type)
        f_sub = F.get(base, bold=True)
        for s in subj_lines:
            doc.center(s, f_sub, doc.ml + doc.tw / 2)
            doc.y += doc.lh(f_sub)
        if subj_lines:
            w = doc.mm(r.uniform(25, 45))
            doc.draw.line(
                [(doc.ml + doc.tw / 2 - w / 2, doc.y + doc.mm(1)), (doc.ml + doc.tw / 2 + w / 2, doc.y + doc.mm(1))],
                fill=INK,
                width=th,
            )
        doc.y += doc.mm(r.uniform(5, 8))

    f_b = F.get(base)
    f_bb = F.get(base, bold=True)
    f_bi = F.get(base, italic=True)
    def P(*runs, **kw):
        return doc.para(list(runs), **kw)
    hn_font = f_bb if name_bold else f_b
    addr = f"{r.choice(VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}"

    def id_lines(label_style=None):
        """date of birth / ID / address lines around a holder"""
        out = []
        if birth:
            if r.random() < 0.6:
                out.append([(f"Sinh ngày: {birth[0]:02d}/{birth[1]:02d}/{birth[2]}", f_b)])
            else:
                out.append([(f"Năm sinh: {birth[2]}", f_b)])
        if holder_id:
            lab = r.choice(
                [
                    "Số CCCD:",
                    "Số định danh cá nhân:",
                    "Căn cước công dân số:",
                    "Số giấy tờ pháp lý của cá nhân:",
                    "CCCD số:",
                ]
            )
            ic = rand_date(r, max(2016, min(y - 1, 2021)), max(2016, min(y - 1, 2022)))
            out.append([(f"{lab} {holder_id}; ngày cấp: {ic[0]:02d}/{ic[1]:02d}/{ic[2]}", f_b)])
        out.append([(r.choice(["Nơi thường trú:", "Địa chỉ thường trú:", "Nơi cư trú:"]) + " " + addr, f_b)])
        return out

    # ------------------------------------------------------------------ body
    def cancu(keys):
        spec = CANCU.get(keys, [])
        lst = (
            ([CANCU_COMMON[0]] if r.random() < 0.7 else [])
            + (spec if r.random() < 0.6 else spec[:1])
            + ([CANCU_COMMON[2]] if r.random() < 0.25 else [])
        )
        for s in lst:
            P((s, f_bi))

    def filler(k):
        for _ in range(min(k, len(pool))):
            P((pool.pop(), f_b))

    n_fill = r.randint(4, 7) if two_page else 0
    pool = list(FILLER)
    r.shuffle(pool)

    if dtype == "Quyết định":
        auth = (head + " " + " ".join(iss_lines)) if sig_style != "TM" else " ".join(iss_lines)
        if kind == "school":
            auth = "HIỆU TRƯỞNG " + " ".join(iss_lines)
        doc.center(auth, F.get(base, bold=True), doc.ml + doc.tw / 2) if F.get(base, bold=True).getlength(
            auth
        ) < doc.tw else P((auth, f_bb), align="center", justify=False)
        doc.y += doc.lh(f_bb) + doc.mm(3)
        cancu(body_kind if body_kind in CANCU else "dat")
        P(
            (
                r.choice(
                    [
                        "Xét đề nghị của Trưởng phòng chuyên môn tại Tờ trình số ",
                        "Theo đề nghị của công chức chuyên môn tại Tờ trình số ",
                    ]
                )
                + f"{r.randint(10, 300)}/TTr-{iss['code']} ngày {max(1, d - 3):02d}/{m:02d}/{y}.",
                f_bi,
            )
        )
        doc.y += doc.mm(2)
        doc.center("QUYẾT ĐỊNH:", F.get(base + 0.5, bold=True), doc.ml + doc.tw / 2)
        doc.y += doc.lh(f_bb) + doc.mm(2)
        variant = r.random()
        if body_kind == "hotro":
            P(("Điều 1.", f_bb), ("Hỗ trợ kinh phí xây dựng nhà ở cho hộ nghèo theo quy định, cụ thể như sau:", f_b))
            if variant < 0.5:
                P(("Chủ hộ: ", f_b), (hn_print, hn_font), indent_mm=12.7)
            else:
                P(("- Họ và tên chủ hộ: ", f_b), (hn_print, hn_font), indent_mm=12.7)
            for ln in id_lines():
                P(*ln, indent_mm=12.7)
            P(
                (
                    f"Mức hỗ trợ: {r.choice(['40.000.000', '50.000.000', '60.000.000'])} đồng (bằng chữ: ... triệu đồng chẵn).",
                    f_b,
                )
            )
        elif body_kind == "dat":
            if variant < 0.5:
                P(
                    ("Điều 1.", f_bb),
                    ("Giao cho hộ ông (bà) ", f_b),
                    (hn_print, hn_font),
                    (
                        f", địa chỉ thường trú tại {addr}, diện tích {r.randint(100, 400)} m² đất ở tại nông thôn, thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}.",
                        f_b,
                    ),
                )
                if holder_id:
                    P((f"Số định danh cá nhân của người đại diện hộ: {holder_id}.", f_b))
            else:
                P(("Điều 1.", f_bb), ("Giao đất ở có thu tiền sử dụng đất cho hộ gia đình, cá nhân như sau:", f_b))
                P(("Họ, chữ đệm và tên: ", f_b), (hn_print, hn_font), indent_mm=12.7)
                for ln in id_lines():
                    P(*ln, indent_mm=12.7)
                P(
                    (
                        f"Vị trí: thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}; diện tích: {r.randint(100, 400)},0 m².",
                        f_b,
                    )
                )
        elif body_kind == "khen":
            P(
                ("Điều 1.", f_bb),
                ("Tặng Giấy khen cho ông/bà ", f_b),
                (hn_print, hn_font),
                (
                    f", {r.choice(['công chức Văn phòng - Thống kê', 'giáo viên', 'Trưởng thôn', 'viên chức'])}, đã có thành tích xuất sắc trong phong trào thi đua năm {y - 1 if m < 4 else y}.",
                    f_b,
                ),
            )
            if holder_id and r.random() < 0.5:
                P((f"Số định danh cá nhân: {holder_id}.", f_b))
            else:
                holder_id = None
            P(("Kèm theo Giấy khen là tiền thưởng theo quy định của Luật Thi đua, khen thưởng.", f_b))
        elif body_kind == "hoagiai":
            P(
                ("Điều 1.", f_bb),
                ("Công nhận ", f_b),
                (ong + " ", f_b),
                (hn_print, hn_font),
                (
                    f", sinh năm {birth[2]}, trú tại {r.choice(VILLAGES)}, là hòa giải viên của Tổ hòa giải {r.choice(VILLAGES).lower()}.",
                    f_b,
                ),
            )
            holder_id = None
        elif body_kind == "bonhiem":
            P(
                ("Điều 1.", f_bb),
                ("Bổ nhiệm ", f_b),
                (ong.lower() + " ", f_b),
                (hn_print, hn_font),
                (
                    f", sinh ngày {birth[0]:02d}/{birth[1]:02d}/{birth[2]}, giữ chức vụ {r.choice(['Phó Trưởng phòng Hành chính - Tổng hợp', 'Tổ trưởng chuyên môn', 'Phó Hiệu trưởng', 'Trưởng khoa'])} kể từ ngày ký quyết định.",
                    f_b,
                ),
            )
            holder_id = None
        else:  # chuyenmd
            P(
                ("Điều 1.", f_bb),
                ("Cho phép ông/bà ", f_b),
                (hn_print, hn_font),
                (
                    f" được chuyển mục đích sử dụng {r.randint(50, 300)} m² từ đất trồng cây lâu năm sang đất ở tại nông thôn, thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}.",
                    f_b,
                ),
            )
            for ln in id_lines():
                P(*ln, indent_mm=12.7)
        P(("Điều 2.", f_bb), (" " + pool.pop(), f_b))
        filler(n_fill)
        P(
            ("Điều 3.", f_bb),
            (
                f" Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Trưởng các phòng, ban liên quan và {'ông' if holder_sex == 'M' else 'bà'} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
                f_b,
            ),
        )
    elif dtype == "Giấy chứng nhận":
        if body_kind == "hkd":
            P(
                (f"Mã số hộ kinh doanh: {r.randint(10, 99)}{r.choice('ABCDEFGH')}{r.randint(8000000, 8999999)}", f_bb),
                indent_mm=0,
            )
            P((f"Đăng ký lần đầu: ngày {max(1, d - 2):02d} tháng {m:02d} năm {y}", f_bi), indent_mm=0)
            biz = f"HỘ KINH DOANH {upper(r.choice(['Tạp hóa', 'Quán ăn', 'Cửa hàng', 'Tiệm']))} {upper(r.choice(['Minh Phát', 'Thành Công', 'Hồng Ân', 'Phú Quý', 'An Khang', 'Bảo Ngọc']))}"
            P(("1. Tên hộ kinh doanh: ", f_b), (biz, f_bb), indent_mm=0)
            P(
                (f"2. Địa chỉ trụ sở hộ kinh doanh: {r.choice(VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}", f_b),
                indent_mm=0,
            )
            P((f"Điện thoại: 09{r.randint(10000000, 99999999)}", f_b), indent_mm=0)
            P((f"3. Ngành, nghề kinh doanh: {r.choice(BIZ_LINES)}", f_b), indent_mm=0)
            P((f"4. Vốn kinh doanh: {r.choice(['50.000.000', '100.000.000', '300.000.000'])} đồng", f_b), indent_mm=0)
            lab = r.choice(
                [
                    "5. Họ, chữ đệm và tên đại diện hộ kinh doanh: ",
                    "5. Thông tin về chủ hộ kinh doanh: Họ và tên: ",
                    "5. Họ, chữ đệm và tên chủ hộ kinh doanh: ",
                ]
            )
            hn_print = upper(holder_name) if r.random() < 0.75 else holder_name
            P((lab, f_b), (hn_print, hn_font), indent_mm=0)
            P(
                (
                    f"Giới tính: {'Nam' if holder_sex == 'M' else 'Nữ'}; Sinh ngày: {birth[0]:02d}/{birth[1]:02d}/{birth[2]}; Dân tộc: Kinh; Quốc tịch: Việt Nam",
                    f_b,
                ),
                indent_mm=0,
            )
            if holder_id:
                P(("Loại giấy tờ pháp lý của cá nhân: Thẻ Căn cước công dân", f_b), indent_mm=0)
                P((f"Số giấy tờ pháp lý của cá nhân: {holder_id}", f_b), indent_mm=0)
                P(
                    (
                        f"Ngày cấp: {r.randint(10, 28)}/{r.randint(1, 12):02d}/{r.randint(2016, 2022)}; Nơi cấp: Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                        f_b,
                    ),
                    indent_mm=0,
                )
            P((f"Địa chỉ thường trú: {addr}", f_b), indent_mm=0)
            filler(n_fill)
        else:
            biz = r.choice(BUSINESS)
            if r.random() < 0.5:
                P(("Chứng nhận: ", f_bb), (f"{biz} của ông (bà) ", f_b), (hn_print, hn_font), indent_mm=0)
                holder_id = None  # this variant prints no ID
            else:
                P(
                    ("Chứng nhận: ", f_bb),
                    (f"{biz} {r.choice(['Hương Quê', 'Phúc Lộc', 'Ba Miền', 'Tân Tiến'])}", f_b),
                    indent_mm=0,
                )
                P(("Chủ cơ sở: ", f_b), (hn_print, hn_font), indent_mm=0)
                if holder_id:
                    P((f"Số định danh cá nhân: {holder_id}", f_b), indent_mm=0)
            P((f"Địa chỉ: {r.choice(VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}", f_b), indent_mm=0)
            P((f"Điện thoại: 02{r.randint(10, 99)}{r.randint(1000000, 9999999)}", f_b), indent_mm=0)
            P(
                ("Đủ điều kiện an toàn thực phẩm theo quy định để sản xuất, kinh doanh: ", f_b),
                (r.choice(["bánh kẹo các loại", "nước mắm", "giò, chả", "suất ăn sẵn", "nước uống đóng chai"]), f_bb),
                indent_mm=0,
            )
            P((f"Giấy chứng nhận có hiệu lực đến ngày {d:02d} tháng {m:02d} năm {y + 3}.", f_bi), indent_mm=0)
            if "Chủ cơ sở" not in str(biz) and holder_id and r.random() < 0.0:
                pass
            filler(n_fill)
    elif dtype == "Giấy phép":
        cancu(body_kind if body_kind in CANCU else "xaydung")
        if body_kind == "xaydung":
            P(("1. Cấp cho: ", f_b), (f"{ong} ", f_b), (hn_print, hn_font), indent_mm=0)
            if holder_id:
                P((f"Số định danh cá nhân: {holder_id}", f_b), indent_mm=0)
            P((f"Địa chỉ: {addr}", f_b), indent_mm=0)
            P(("2. Được phép xây dựng công trình: Nhà ở riêng lẻ", f_b), indent_mm=0)
            P(
                (
                    f"- Vị trí xây dựng: thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}, xã {comm}, huyện {dist}, tỉnh {prov}.",
                    f_b,
                ),
                indent_mm=0,
            )
            P(
                (
                    f"- Diện tích xây dựng tầng 1: {r.randint(60, 150)},{r.randint(0, 9)} m²; tổng diện tích sàn: {r.randint(150, 450)},{r.randint(0, 9)} m².",
                    f_b,
                ),
                indent_mm=0,
            )
            P(
                (f"- Chiều cao công trình: {r.randint(8, 16)},{r.randint(0, 9)} m; số tầng: {r.randint(2, 4)}.", f_b),
                indent_mm=0,
            )
            P(
                (
                    "3. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ ngày cấp; quá thời hạn trên thì phải đề nghị gia hạn giấy phép xây dựng.",
                    f_b,
                ),
                indent_mm=0,
            )
        else:
            if r.random() < 0.5:
                P(
                    ("Cho phép ông/bà ", f_b),
                    (hn_print, hn_font),
                    (
                        f", chủ hộ kinh doanh {r.choice(['Minh Phát', 'Hoa Sen', 'Phú Quý', 'Thành Đạt', 'Hương Giang'])}.",
                        f_b,
                    ),
                )
            else:
                P(("Cấp cho: ", f_b), (hn_print, hn_font), indent_mm=0)
            for ln in id_lines():
                P(*ln, indent_mm=0)
            if body_kind == "ruou":
                P(
                    (
                        "Được phép bán lẻ sản phẩm rượu tại địa điểm kinh doanh nêu trên; nguồn cung cấp sản phẩm rượu từ các thương nhân có giấy phép phân phối, bán buôn theo quy định.",
                        f_b,
                    )
                )
            else:
                P(
                    (
                        f"Được phép kinh doanh dịch vụ karaoke với {r.randint(2, 8)} phòng hát, diện tích mỗi phòng từ 20 m² trở lên, bảo đảm điều kiện phòng cháy, chữa cháy.",
                        f_b,
                    )
                )
            P((f"Giấy phép có giá trị đến ngày {d:02d}/{m:02d}/{y + 5}.", f_bi))
        filler(n_fill)
    elif dtype == "Công văn":
        kg = r.sample(KINHGUI_ORGS, r.randint(1, 3))
        if len(kg) == 1:
            doc.center("Kính gửi: " + kg[0], f_b, doc.ml + doc.tw / 2)
            doc.y += doc.lh(f_b) + doc.mm(3)
        else:
            x_kg = doc.ml + doc.mm(30)
            doc.text_at(x_kg, doc.y, "Kính gửi:", f_b)
            for s in kg:
                doc.text_at(x_kg + f_b.getlength("Kính gửi: "), doc.y, "- " + s + ";", f_b)
                doc.y += doc.lh(f_b)
            doc.y += doc.mm(3)
        P(
            (
                f"Thực hiện Kế hoạch số {r.randint(10, 300)}/KH-UBND ngày {max(1, d - 5):02d}/{m:02d}/{y} về việc {subject}, {sentence_issuer()} đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:",
                f_b,
            )
        )
        for i in range(2 + n_fill):
            P((f"{i + 1}. " + pool.pop(), f_b))
        P(("Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.", f_b))
    else:
        if body_kind == "tb_person":
            lab = r.choice(["Kính gửi: Ông (bà) ", "Kính gửi: " + ong + " "])
            doc.center(lab + hn_print, f_b, doc.ml + doc.tw / 2) if not name_bold else None
            if name_bold:
                w1, w2 = f_b.getlength(lab), f_bb.getlength(hn_print)
                x = doc.ml + doc.tw / 2 - (w1 + w2) / 2
                doc.text_at(x, doc.y, lab, f_b)
                doc.text_at(x + w1, doc.y, hn_print, f_bb)
            doc.y += doc.lh(f_b) + doc.mm(3)
            P(
                (f"{sentence_issuer()} nhận được hồ sơ của ông (bà) ", f_b),
                (hn_print, hn_font),
                (
                    f" đề nghị giải quyết thủ tục hành chính, mã hồ sơ 000.00.{r.randint(10, 99)}.H{r.randint(10, 64)}-{y % 100:02d}{m:02d}{max(1, d - 4):02d}-{r.randint(1, 9999):04d}.",
                    f_b,
                ),
            )
            for ln in id_lines():
                P(*ln, indent_mm=12.7)
            P(
                (
                    "Sau khi xem xét, cơ quan thông báo hồ sơ đã được giải quyết; đề nghị ông (bà) đến Bộ phận Một cửa để nhận kết quả hoặc tra cứu trên Cổng Dịch vụ công quốc gia.",
                    f_b,
                )
            )
        else:
            for _ in range(2):
                P((pool.pop(), f_b))
        filler(n_fill)

    # ------------------------------------------------------------------ signer block + recipients
    f_sig = F.get(base, bold=True)
    f_name = F.get(base + r.choice([0, 0, 0.5, 1]), bold=True)
    sig_gap = doc.mm(r.uniform(24, 32))
    title_lines = ([signed_for] if signed_for else []) + [signer_title]
    block_h = doc.lh(f_sig) * len(title_lines) + sig_gap + doc.lh(f_name) + doc.mm(4)
    doc.y += doc.mm(r.uniform(2, 6))
    doc.ensure(block_h)
    scx = doc.ml + doc.tw * r.uniform(0.70, 0.76)
    sy = doc.y
    for s in title_lines:
        doc.center(s, f_sig, scx, sy)
        sy += doc.lh(f_sig)
    title_bottom = sy
    name_y = sy + sig_gap
    nw = doc.center(signer_name, f_name, scx, name_y)
    bb = f_name.getbbox(signer_name)
    name_box = (scx - nw / 2, name_y + bb[1], scx + nw / 2, name_y + bb[3])
    # recipients
    f_nn = F.get(12, bold=True, italic=True)
    f_nl = F.get(11)
    ny = doc.y + doc.mm(1)
    doc.text_at(doc.ml, ny, "Nơi nhận:", f_nn)
    ny += int(f_nn.size * 1.2)
    rec = {
        "Quyết định": ["- Như Điều 3;"],
        "Công văn": ["- Như trên;"],
        "Thông báo": ["- Như trên;" if body_kind == "tb_person" else "- Các phòng, ban liên quan;"],
    }.get(dtype, [])
    rec += r.sample(
        [
            "- TT Đảng ủy, HĐND;",
            "- Chủ tịch, các PCT;",
            "- Bộ phận Một cửa;",
            "- Cổng thông tin điện tử;",
            "- Phòng Tư pháp;",
            "- Trung tâm Phục vụ HCC;",
        ],
        r.randint(1, 3),
    )
    if has_holder and dtype in ("Giấy chứng nhận", "Giấy phép"):
        rec.insert(0, "- Người được cấp;")
    rec.append(f"- Lưu: VT, {iss['code'] if not iss['ubnd'] else r.choice(['VP', 'TP', 'ĐC', 'VX'])}.")
    for s in rec:
        doc.text_at(doc.ml, ny, s, f_nl)
        ny += int(f_nl.size * 1.25)
    doc.y = max(ny, name_y + doc.lh(f_name))

    # ------------------------------------------------------------------ ink overlays on the last page
    page = doc.pages[-1]
    shape = (doc.H, doc.W)
    sw = doc.mm(r.uniform(35, 55))
    sbox = (
        scx - sw / 2 + doc.mm(r.uniform(-5, 5)),
        title_bottom + doc.mm(1),
        scx + sw / 2 + doc.mm(r.uniform(-5, 5)),
        name_y - doc.mm(1),
    )
    sig_mask = draw_signature(r, shape, sbox, name_box, cross, doc.dpi)
    if with_seal:
        rad = doc.mm(r.uniform(17, 20.5))
        scx_seal = min(name_box[0], sbox[0] + sw * 0.3) + r.uniform(-0.1, 0.25) * rad
        # keep the seal's bottom at most a little into the name line
        cy_max = name_box[1] + (name_box[3] - name_box[1]) * 0.3 - rad
        cy = min(cy_max, (title_bottom + name_y) / 2 + r.uniform(-0.15, 0.1) * rad)
        seal_mask = draw_seal(r, shape, (scx_seal, cy), rad, iss["seal"], doc.dpi)
        page = multiply_overlay(page, seal_mask, (r.randint(190, 225), r.randint(20, 50), r.randint(30, 60)))
    ink = r.choice([(25, 50, 165), (20, 35, 120), (35, 60, 190), (30, 30, 70)])
    page = multiply_overlay(page, sig_mask * r.uniform(0.85, 0.97), ink)
    doc.pages[-1] = page

    fields = {
        "doc_type": dtype,
        "number": number,
        "issue_date": issue_date,
        "issuer": " ".join(iss_lines),
        "issuer_parent": parent,
        "subject": subject_gt,
        "signer_title": signer_title,
        "signed_for": signed_for,
        "signer_name": signer_name,
        "holder_name": holder_name,
        "holder_id": holder_id,
    }
    fields = {k: nfc(v) for k, v in fields.items()}
    meta = {
        "font": fam,
        "dpi": dpi,
        "pages": len(doc.pages),
        "signer_style": sig_style,
        "signature_crosses_name": bool(cross),
        "seal": bool(with_seal),
        "issuer_kind": kind,
        "holder_printed_upper": bool(
            hn_print and holder_name and hn_print == upper(holder_name) and hn_print != holder_name
        ),
    }
    return doc.pages, dpi, fields, meta


def spread(r, n, items_weights):
    """deterministic list with approximately the requested proportions, shuffled"""
    out = []
    tot = sum(w for _, w in items_weights)
    for it, w in items_weights:
        out += [it] * round(n * w / tot)
    while len(out) < n:
        out.append(items_weights[len(out) % len(items_weights)][0])
    out = out[:n]
    r.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--count", type=int, default=36)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    R = random.Random(f"indep-master-{a.seed}")
    n = a.count
    qualities = spread(R, n, [("clean", 1), ("typical", 1), ("poor", 1)])
    styles = spread(R, n, [("KT", 40), ("TM", 15), ("TL", 15), ("single", 30)])
    crosses = spread(R, n, [(True, 40), (False, 60)])
    seals = spread(R, n, [(True, 75), (False, 25)])
    twos = spread(R, n, [(True, 20), (False, 80)])
    for i in range(n):
        r = random.Random(f"indep-{a.seed}-{i}")
        pages, dpi, fields, meta = build(r, i, a.seed, qualities[i], styles[i], crosses[i], seals[i], twos[i])
        pages = [degrade(p, qualities[i], r, dpi) for p in pages]
        stem = f"indep_s{a.seed}_{i:03d}"
        if len(pages) > 1:
            fname = stem + ".pdf"
            import time as _time

            fixed = _time.strptime(fields["issue_date"] + " 09:00:00", "%Y-%m-%d %H:%M:%S")  # deterministic metadata
            pages[0].save(
                os.path.join(a.out_dir, fname),
                save_all=True,
                append_images=pages[1:],
                resolution=float(dpi),
                creationDate=fixed,
                modDate=fixed,
                producer="indep-gen",
            )
        else:
            fname = stem + ".png"
            pages[0].save(os.path.join(a.out_dir, fname), dpi=(dpi, dpi))
        gt = {"file": fname, "quality": qualities[i], "family": "indep", "fields": fields, "meta": meta}
        with open(os.path.join(a.out_dir, stem + ".gt.json"), "w", encoding="utf-8") as fh:
            json.dump(gt, fh, ensure_ascii=False, indent=1)
        print(
            fname,
            qualities[i],
            meta["pages"],
            fields["doc_type"],
            "|",
            fields["signer_name"],
            "|",
            fields["holder_name"],
        )


if __name__ == "__main__":
    main()
