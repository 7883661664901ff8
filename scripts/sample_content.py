"""What the sample results say: names, issuers, subjects, and each result type's layout."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from sample_layout import (
    TEXT_W,
    Doc,
    Writer,
    header,
    short_date,
    signer_block,
    use_typeface,
    wrap,
)

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
# Provinces of the held-out families (legacy names, with their ID codes).
PROVINCE_CODES = {"Thanh Hóa": "038", "Nghệ An": "040", "Quảng Nam": "049", "Lâm Đồng": "068",
                  "Bến Tre": "083", "Sóc Trăng": "094", "Lạng Sơn": "020", "Hải Dương": "030",
                  "Kon Tum": "062", "Hà Tĩnh": "042", "Yên Bái": "015", "Cà Mau": "096"}
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


# --------------------------------------------------------------------------- families
# Each family is a way of writing results: its wordings, typeface, issuer shapes, seal and
# signature inks. The extractor is tuned on TUNED only; HELD_OUT measures how it does on
# documents written in ways it never saw while tuning. Do not tune on HELD_OUT failures:
# add a new held-out family instead when one has been looked at.
FAMILIES = ("A", "B", "C", "D")
TUNED = ("A", "B")
HELD_OUT = ("C", "D")
TYPEFACE = {"A": "liberation", "B": "liberation", "C": "dejavu", "D": "freefont"}
SEAL_RGB = {"A": (215, 45, 50), "B": (215, 45, 50), "C": (185, 30, 45), "D": (200, 60, 90)}
SIGNATURE_RGB = {"A": (30, 50, 170), "B": (30, 50, 170), "C": (25, 25, 30), "D": (90, 40, 140)}

# Label wordings per family, "{v}" the value.
HOLDER_LABELS = {
    "HKD": {"A": ["5. Chủ hộ kinh doanh:", "Họ và tên: {v}"], "B": ["5. Chủ hộ kinh doanh:", "Họ tên: {v}"],
            "C": ["5. Họ và tên chủ hộ kinh doanh: {v}"], "D": ["Chủ hộ kinh doanh: Ông (Bà) {v}"]},
    "GPXD": {"A": ["1. Cấp cho: Ông (bà) {v}"], "B": ["1. Cấp cho: Ông (bà) {v}"],
             "C": ["1. Cấp cho chủ đầu tư: Ông (Bà) {v}"], "D": ["1. Chủ đầu tư: {v}"]},
    "ATTP": {"A": ["Chủ cơ sở: {v}"], "B": ["Người đại diện: {v}"],
             "C": ["Người đại diện theo pháp luật: {v}"], "D": ["Họ và tên chủ cơ sở: {v}"]},
    "GKS": {"A": ["Họ, chữ đệm, tên: {v}"], "B": ["Họ và tên: {v}"],
            "C": ["Họ, chữ đệm và tên người được khai sinh: {v}"], "D": ["Họ, chữ đệm, tên khai sinh: {v}"]},
}
ID_LABELS = {"A": "Số định danh cá nhân", "B": "Số định danh cá nhân", "C": "Số CCCD",
             "D": "Số căn cước công dân"}


def holder_lines(kind: str, family: str, holder: str) -> list[str]:
    return [ln.format(v=holder) for ln in HOLDER_LABELS[kind][family]]


def body_sentences(rng: random.Random, long_body: bool) -> list[str]:
    if long_body:
        return rng.choices(BODY_SENTENCES, k=rng.randint(14, 18))
    return rng.sample(BODY_SENTENCES, rng.randint(3, 6))


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def personal_id(rng: random.Random, province_code: str, birth_year: int, female: bool) -> str:
    century = (0 if birth_year < 2000 else 2) + (1 if female else 0)
    return f"{province_code}{century}{birth_year % 100:02d}{rng.randrange(10**6):06d}"



@dataclass(frozen=True)
class Issuer:
    """The issuer block as printed, and what a reader takes from it."""

    lines: list[str]
    body: str
    """The notation's agency part (``UBND``, ``SXD``)."""
    place: str
    """The place of the date line."""
    agency: str
    """The issuing agency, wrapped lines joined."""
    parent: str | None
    level: str
    province: str


# Successor provinces after 1 July 2025 (Resolution 202/2025/QH15), written out here so
# that the truth does not come from the code it checks.
SUCCESSORS = {"Bắc Giang": "Bắc Ninh", "Bắc Ninh": "Bắc Ninh", "Quảng Ngãi": "Quảng Ngãi",
              "Hòa Bình": "Phú Thọ", "Thái Nguyên": "Thái Nguyên", "Phú Thọ": "Phú Thọ",
              "Thanh Hóa": "Thanh Hóa", "Nghệ An": "Nghệ An", "Quảng Nam": "Đà Nẵng", "Lâm Đồng": "Lâm Đồng",
              "Bến Tre": "Vĩnh Long", "Sóc Trăng": "Cần Thơ", "Lạng Sơn": "Lạng Sơn", "Hải Dương": "Hải Phòng",
              "Kon Tum": "Quảng Ngãi", "Hà Tĩnh": "Hà Tĩnh", "Yên Bái": "Lào Cai", "Cà Mau": "Cà Mau"}
CITIES = {"Đà Nẵng", "Hải Phòng", "Cần Thơ", "Hà Nội", "Hồ Chí Minh", "Huế"}
REORGANISED = dt.date(2025, 7, 1)


def successor(issuer: Issuer, day: dt.date) -> str | None:
    """The agency that took over a legacy provincial issuer (districts and communes: not set)."""
    if day >= REORGANISED or issuer.level != "province":
        return None
    new = SUCCESSORS[issuer.province]
    unit = "THÀNH PHỐ" if new in CITIES else "TỈNH"
    if issuer.parent is None:
        return issuer.agency.rsplit(" TỈNH ", 1)[0] + f" {unit} {new.upper()}"
    return f"{issuer.agency} {unit} {new.upper()}"


def issuer_for(kind: str, rng: random.Random, province: str, uy_old: bool, family: str = "A",
               vrng: random.Random | None = None) -> Issuer:
    """The issuer block of the tuned families. Family B takes its places from the
    gazetteer, prints a council's name as one name that wraps, and has a chi cục
    whose name wraps under its parent."""
    uy = "UỶ" if uy_old else "ỦY"
    district = rng.choice(DISTRICTS)
    commune = rng.choice(COMMUNES)
    if family == "B" and vrng is not None:
        district = vrng.choice(_gazetteer_units("district", province, ("Huyện",)) or DISTRICTS)
        commune = vrng.choice(_gazetteer_units("commune", province, ("Xã",)) or COMMUNES)
    pu = province.upper()

    def council(unit: str, name: str) -> list[str]:
        if family == "B":
            return wrap(f"{uy} BAN NHÂN DÂN {unit} {name}", "bold", 12, 175)
        return [f"{uy} BAN NHÂN DÂN", f"{unit} {name}"]

    if kind == "health" and family == "B":
        return Issuer([f"UBND TỈNH {pu}", "CHI CỤC AN TOÀN VỆ SINH", "THỰC PHẨM"], "CCATVSTP", province,
                      "CHI CỤC AN TOÀN VỆ SINH THỰC PHẨM", f"UBND TỈNH {pu}", "province", province)
    options = {
        "province": Issuer(council("TỈNH", pu), "UBND", province,
                           f"{uy} BAN NHÂN DÂN TỈNH {pu}", None, "province", province),
        "district": Issuer(council("HUYỆN", district.upper()), "UBND", district,
                           f"{uy} BAN NHÂN DÂN HUYỆN {district.upper()}", None, "district", province),
        "commune": Issuer(council("XÃ", commune.upper()), "UBND", commune,
                          f"{uy} BAN NHÂN DÂN XÃ {commune.upper()}", None, "commune", province),
        "construction": Issuer([f"UBND TỈNH {pu}", "SỞ XÂY DỰNG"], "SXD", province, "SỞ XÂY DỰNG",
                               f"UBND TỈNH {pu}", "province", province),
        "health": Issuer([f"UBND TỈNH {pu}", "SỞ Y TẾ"], "SYT", province, "SỞ Y TẾ", f"UBND TỈNH {pu}",
                         "province", province),
        "finance": Issuer([f"UBND HUYỆN {district.upper()}", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"], "TCKH", district,
                          "PHÒNG TÀI CHÍNH - KẾ HOẠCH", f"UBND HUYỆN {district.upper()}", "district", province),
    }
    return options[kind]


def _gazetteer_units(level: str, province: str, kinds: tuple[str, ...]) -> list[str]:
    from sohoa.core import gazetteer

    pool = gazetteer.legacy_districts() if level == "district" else gazetteer.legacy_communes()
    return sorted({u.name for u in pool if isinstance(u.name, str) and u.kind in kinds
                   and gazetteer.key(u.province) == gazetteer.key(province) and len(u.name.split()) <= 3
                   and not any(ch.isdigit() for ch in u.name)})


def held_out_issuer(kind: str, rng: random.Random, province: str, uy_old: bool, family: str) -> Issuer:
    """Issuer blocks of the held-out families: gazetteer places, wrapped names, other agencies."""
    uy = "UỶ" if uy_old else "ỦY"
    pu = province.upper()
    district = rng.choice(_gazetteer_units("district", province, ("Huyện",)) or DISTRICTS)
    commune = rng.choice(_gazetteer_units("commune", province, ("Xã",)) or COMMUNES)
    du, cu = district.upper(), commune.upper()

    def council(unit: str, name: str) -> list[str]:
        # Family C prints the head and the place on two lines; D prints one name that wraps.
        if family == "C":
            return [f"{uy} BAN NHÂN DÂN", f"{unit} {name}"]
        return wrap(f"{uy} BAN NHÂN DÂN {unit} {name}", "bold", 12, 150)

    options = {
        "province": Issuer(council("TỈNH", pu), "UBND", province, f"{uy} BAN NHÂN DÂN TỈNH {pu}", None,
                           "province", province),
        "district": Issuer(council("HUYỆN", du), "UBND", district, f"{uy} BAN NHÂN DÂN HUYỆN {du}", None,
                           "district", province),
        "commune": Issuer(council("XÃ", cu), "UBND", commune, f"{uy} BAN NHÂN DÂN XÃ {cu}", None, "commune",
                          province),
        "construction": Issuer([f"UBND TỈNH {pu}", "SỞ XÂY DỰNG"] if family == "C" else
                               [f"UBND TỈNH {pu}", "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ", "XÂY DỰNG"],
                               "SXD" if family == "C" else "BQLDA", province,
                               "SỞ XÂY DỰNG" if family == "C" else "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG",
                               f"UBND TỈNH {pu}", "province", province),
        "health": Issuer([f"UBND TỈNH {pu}", "SỞ NÔNG NGHIỆP VÀ", "PHÁT TRIỂN NÔNG THÔN"], "SNN", province,
                         "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", f"UBND TỈNH {pu}", "province", province),
        "finance": Issuer([f"UBND HUYỆN {du}", "PHÒNG KINH TẾ VÀ HẠ TẦNG" if family == "C" else "PHÒNG KINH TẾ"],
                          "KTHT" if family == "C" else "KT", district,
                          "PHÒNG KINH TẾ VÀ HẠ TẦNG" if family == "C" else "PHÒNG KINH TẾ", f"UBND HUYỆN {du}",
                          "district", province),
    }
    return options[kind]


def signer_lines(rng: random.Random, body: str, collective: str) -> tuple[list[str], str, str | None]:
    """The signer block's title lines, the expected signer_title and signed_for."""
    head = {"UBND": "CHỦ TỊCH", "SXD": "GIÁM ĐỐC", "SYT": "GIÁM ĐỐC", "TCKH": "TRƯỞNG PHÒNG", "SNN": "GIÁM ĐỐC",
            "BQLDA": "TRƯỞNG BAN", "KTHT": "TRƯỞNG PHÒNG", "KT": "TRƯỞNG PHÒNG",
            "CCATVSTP": "CHI CỤC TRƯỞNG"}[body]
    deputy = {"CHỦ TỊCH": "PHÓ CHỦ TỊCH", "GIÁM ĐỐC": "PHÓ GIÁM ĐỐC", "TRƯỞNG BAN": "PHÓ TRƯỞNG BAN",
              "TRƯỞNG PHÒNG": "PHÓ TRƯỞNG PHÒNG", "CHI CỤC TRƯỞNG": "PHÓ CHI CỤC TRƯỞNG"}[head]
    choice = rng.randrange(3)
    if body == "UBND" and choice == 0:
        return [f"TM. {collective}", head], head, f"TM. {collective}"
    if choice == 1:
        return [f"KT. {head}", deputy], deputy, f"KT. {head}"
    return [head], head, None


def build_doc(index: int, rng: random.Random, quality: str, today: dt.date, family: str = "A",
              duplex: bool = False) -> Doc:
    kinds = ["QĐ", "CV", "TB", "CT", "HKD", "GPXD", "ATTP", "GKS"]
    kind = kinds[index % len(kinds)]
    province, pcode = rng.choice(PROVINCES)
    uy_old = rng.random() < 0.25
    year = rng.choice([2021, 2022, 2023, 2024, 2025])
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(1, 2999)
    holder = holder_id = valid_until = subject = None
    # Choices of the held-out families come from their own generator, so the tuned
    # families' documents stay what they were for a given seed.
    vrng = random.Random(f"{index}-{seq}-{family}")
    scope = {"GPXD": "construction", "ATTP": "health", "HKD": "finance", "GKS": "commune"}.get(kind)
    if scope is None:
        scope = rng.choice(["province", "district", "province", "commune"])
    if family in HELD_OUT:
        province, pcode = vrng.choice(list(PROVINCE_CODES.items()))
        issuer = held_out_issuer(scope, vrng, province, uy_old, family)
    else:
        issuer = issuer_for(scope, rng, province, uy_old, family, vrng)
    issuer_lines, body, place = issuer.lines, issuer.body, issuer.place

    notation = {
        "QĐ": f"QĐ-{body}", "CV": f"{body}-{rng.choice(['VX', 'KTTH', 'NC', 'TH'])}",
        "TB": f"TB-{body}", "CT": f"CT-{body}", "HKD": f"GCN-{body}", "GPXD": "GPXD",
        "ATTP": f"GCNATTP-{body}", "GKS": "GKS-UBND",
    }[kind]
    padded = f"{seq:02d}" if seq < 10 else str(seq)
    number = f"{padded}/{notation}"
    printed_number, below_number = number, None
    # Families B (tuned) and D (held out) number some results as the papers of their kind
    # do: a civil-status register entry, a household business code.
    if kind == "GKS" and family in ("B", "D"):
        number = str(seq)
        book = f"Quyển số: {vrng.randint(1, 6):02d}/{year}"
        printed_number, below_number = (number, book) if family == "B" else (f"{number} - {book}", None)
    code = None
    if kind == "HKD" and family in ("B", "D"):
        code = f"{vrng.randint(10, 96)}{vrng.choice('ABCDEFGH')}8{vrng.randrange(10**6):06d}"
        number = printed_number = code
    type_name = {
        "QĐ": "Quyết định", "CV": "Công văn", "TB": "Thông báo", "CT": "Chỉ thị",
        "HKD": "Giấy chứng nhận đăng ký hộ kinh doanh", "GPXD": "Giấy phép xây dựng",
        "ATTP": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "GKS": "Giấy khai sinh",
    }[kind]
    fmt = choose_format(rng, quality)
    name = f"{index:03d}_{kind.replace('Đ', 'D')}_{quality}" + ("" if family == "A" else f"_{family}")
    doc = Doc(name, type_name, quality, fmt, {}, seed=rng.randrange(2**31), family=family,
              typeface=TYPEFACE[family], seal_rgb=SEAL_RGB[family], signature_rgb=SIGNATURE_RGB[family],
              duplex=duplex and quality != "born_digital")
    use_typeface(doc.typeface)
    w = Writer(doc)
    collective = issuer.agency
    fill = {"y": year, "m": day.month, "q": (day.month - 1) // 3 + 1}
    cv_subject = rng.choice(CV_SUBJECTS).format(**fill) if kind == "CV" else None
    header(w, issuer_lines, printed_number, place, day, cv_subject, rng, uy_old, below_number)
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
                w.paragraph({
                    "A": f"Điều 1. Hỗ trợ cho ông (bà) {holder}, số định danh cá nhân: {holder_id}, ",
                    "B": f"Điều 1. Hỗ trợ cho ông (bà) {holder}, số định danh cá nhân: {holder_id}, ",
                    "C": f"Điều 1. Hỗ trợ cho bà (ông) {holder} (số CCCD: {holder_id}), ",
                    "D": f"Điều 1. Hỗ trợ cho hộ gia đình ông {holder}, căn cước công dân số {holder_id}, ",
                }[family] + "số tiền 5.000.000 đồng.")
            else:
                w.paragraph("Điều 1. " + rng.choice(BODY_SENTENCES))
            if rng.random() < 0.4:
                valid_until = dt.date(year + rng.randint(0, 2), 12, 31)
                if family == "D":
                    months = vrng.choice([12, 24, 36])
                    valid_until = day + relativedelta(months=months)
                    w.paragraph(f"Điều 2. Quyết định này có giá trị thi hành trong thời hạn {months} tháng "
                                "kể từ ngày ký.")
                elif family == "C":
                    w.paragraph("Điều 2. Quyết định này có hiệu lực thi hành từ ngày ký đến hết ngày "
                                f"{valid_until.day:02d} tháng {valid_until.month:02d} năm {valid_until.year}.")
                else:
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
        if code:
            w.paragraph(f"{'Mã số hộ kinh doanh' if family == 'B' else 'Mã số'}: {code}", indent=0)
        holder = person(rng).upper()
        by = rng.randint(1965, 2000)
        holder_id = personal_id(rng, pcode, by, "THỊ" in holder)
        w.paragraph(f"1. Tên hộ kinh doanh: {rng.choice(BUSINESS).format(n=person(rng).split()[-1])}", indent=0)
        w.paragraph(f"2. Địa điểm kinh doanh: thôn Đông, xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph("3. Ngành, nghề kinh doanh: Bán lẻ lương thực, thực phẩm, đồ uống", indent=0)
        w.paragraph(f"4. Vốn kinh doanh: {rng.randint(5, 90) * 10}.000.000 đồng", indent=0)
        for ln in holder_lines("HKD", family, holder):
            w.paragraph(ln, indent=0)
        w.paragraph(f"Ngày sinh: {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{by}   Dân tộc: Kinh",
                    indent=0)
        w.paragraph(f"{ID_LABELS[family]}: {holder_id}", indent=0)
    elif kind == "GPXD":
        w.line("GIẤY PHÉP XÂY DỰNG", align="center", style="bold", size=14)
        subject = "Sử dụng cho nhà ở riêng lẻ"
        w.line(subject, align="center", style="bold", size=13)
        w.space(8)
        holder = person(rng)
        by = rng.randint(1960, 1998)
        holder_id = personal_id(rng, pcode, by, "Thị" in holder)
        for ln in holder_lines("GPXD", family, holder):
            w.paragraph(ln, indent=0)
        w.paragraph(f"{ID_LABELS[family]}: {holder_id}", indent=0)
        w.paragraph(f"Địa chỉ: thôn Bắc, xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph(f"2. Được phép xây dựng công trình: Nhà ở riêng lẻ, {rng.randint(2, 5)} tầng", indent=0)
        w.paragraph(f"- Diện tích xây dựng tầng 1: {rng.randint(60, 150)} m2; chiều cao công trình: "
                    f"{rng.randint(8, 18)} m", indent=0)
        valid_until = day + relativedelta(months=12)
        w.paragraph({
            "C": "3. Giấy phép này có hiệu lực khởi công xây dựng đến ngày "
                 f"{valid_until.day:02d} tháng {valid_until.month:02d} năm {valid_until.year}.",
            "D": "3. Thời hạn khởi công công trình: 12 tháng kể từ ngày cấp giấy phép; quá thời hạn trên thì "
                 "phải đề nghị gia hạn.",
        }.get(family, "3. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ "
                      "ngày cấp; quá thời hạn trên thì phải đề nghị gia hạn giấy phép xây dựng."), indent=0)
    elif kind == "ATTP":
        w.line("GIẤY CHỨNG NHẬN", align="center", style="bold", size=14)
        w.line("CƠ SỞ ĐỦ ĐIỀU KIỆN AN TOÀN THỰC PHẨM", align="center", style="bold", size=14)
        w.space(8)
        w.line(f"{issuer.agency} TỈNH {province.upper()}" if "SỞ" in issuer.agency else issuer.agency,
               align="center", style="bold", size=13)
        w.line("CHỨNG NHẬN", align="center", style="bold", size=13)
        holder = person(rng)
        w.paragraph(f"Cơ sở: {rng.choice(FOOD_FACILITIES).format(n=holder.split()[-1], c=rng.choice(COMMUNES))}",
                    indent=0)
        for ln in holder_lines("ATTP", family, holder):
            w.paragraph(ln, indent=0)
        w.paragraph(f"Địa chỉ: xã {rng.choice(COMMUNES)}, tỉnh {province}", indent=0)
        w.paragraph("Đủ điều kiện an toàn thực phẩm theo quy định để sản xuất, kinh doanh: dịch vụ ăn uống.",
                    indent=0)
        valid_until = dt.date(day.year + 3, day.month, day.day)
        words = rng.random() < 0.5
        until_text = (f"ngày {valid_until.day:02d} tháng {valid_until.month:02d} năm {valid_until.year}"
                      if words else short_date(valid_until))
        w.paragraph({
            "B": f"Giấy chứng nhận có giá trị đến {until_text}.",
            "C": f"Giấy chứng nhận này có giá trị đến hết ngày {until_text}.",
            "D": "Giấy chứng nhận có giá trị 03 năm kể từ ngày cấp.",
        }.get(family, f"Giấy chứng nhận có hiệu lực đến {until_text}."), style="italic", indent=0)
    elif kind == "GKS":
        w.line("GIẤY KHAI SINH", align="center", style="bold", size=15)
        w.space(8)
        holder = person(rng).upper()
        born = day - dt.timedelta(days=rng.randint(3, 50))
        holder_id = personal_id(rng, pcode, born.year, "THỊ" in holder)
        for ln in holder_lines("GKS", family, holder):
            w.paragraph(ln, indent=0)
        w.paragraph(f"Ngày, tháng, năm sinh: {born.day:02d}/{born.month:02d}/{born.year}", indent=0)
        w.paragraph(f"Giới tính: {'Nữ' if 'THỊ' in holder else 'Nam'}   Dân tộc: Kinh   Quốc tịch: Việt Nam",
                    indent=0)
        w.paragraph(f"Nơi sinh: Trạm Y tế xã {place}, tỉnh {province}", indent=0)
        w.paragraph(f"Số định danh cá nhân: {holder_id}", indent=0)
        w.paragraph(f"Họ, chữ đệm, tên người mẹ: {person(rng).upper()}", indent=0)
        w.paragraph(f"Họ, chữ đệm, tên người cha: {person(rng).upper()}", indent=0)
        w.paragraph(f"Nơi đăng ký khai sinh: Ủy ban nhân dân xã {place}, tỉnh {province}", indent=0)

    prefix, signer_title, signed_for = signer_lines(rng, body, collective.replace("UỶ", "ỦY"))
    signer_name = person(rng)
    w.space(6)
    seal_text = issuer.agency if issuer.parent is None else f"{issuer.parent} {issuer.agency}"
    signer_block(w, prefix, signer_name, rng, recipients, seal_text)

    doc.truth = {
        "doc_type": type_name,
        "number": number,
        "issue_date": day.isoformat(),
        "signed_on": None,
        "issuer": issuer.agency,
        "issuer_parent": issuer.parent,
        "issuer_level": issuer.level,
        "issuer_successor": successor(issuer, day),
        "place": place,
        "subject": subject,
        "signer_title": signer_title,
        "signed_for": signed_for,
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
    if quality == "photo":
        return "jpeg"
    return rng.choice(["pdf", "pdf", "tiff", "jpeg", "png"])


def degrade_settings(doc: Doc, rng: random.Random, quality: str) -> None:
    if (doc.pages > 1 or doc.duplex) and doc.fmt in ("jpeg", "png"):
        doc.fmt = rng.choice(["pdf", "tiff"])
    if quality == "photo" and doc.pages > 1:
        doc.fmt = "pdf"  # a phone's scanner app: one PDF of the photos
    doc.colour = quality in ("born_digital", "photo") or rng.random() < 0.7
    doc.dpi = {"clean": 300, "typical": rng.choice([200, 250, 300]),
               "poor": rng.choice([150, 200]), "born_digital": 300, "photo": 150}[quality]


