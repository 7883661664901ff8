"""What the sample results say: names, issuers, subjects, and each result type's layout."""

from __future__ import annotations

import datetime as dt
import random

from dateutil.relativedelta import relativedelta
from sample_layout import (
    TEXT_W,
    Doc,
    Writer,
    header,
    short_date,
    signer_block,
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
        valid_until = day + relativedelta(months=12)
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


