"""The signer's name line read again alone (``ingest.looks.name_line_again``,
``ocr.zones.read_line_variants``): the signature's stroke runs across the printed name,
and the line is read enlarged and binarised three ways; two readings alike are taken."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.core.model import Extraction, empty_extraction
from sohoa.ingest.document import PageText
from sohoa.ingest.looks import _as_name, agreed_name, withhold_doubtful, withhold_garbled
from sohoa.ocr import names, zones

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


def _crossed(name: str, ink: int, width: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A name printed at 300 dpi (14 pt) with a signature's looping stroke across it, in a
    grey lighter than print (a blue or purple pen scanned in grey)."""
    page = Image.new("L", (1000, 220), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 58)
    x0, y0, x1, y1 = draw.textbbox((120, 90), name, font=font)
    draw.text((120, 90), name, font=font, fill=20)
    stroke = [(80 + t * 8, 120 + 45 * math.sin(t / 3.0) - t * 0.6) for t in range(100)]
    draw.line(stroke, fill=ink, width=width, joint="curve")
    return np.asarray(page), (x0, y0, x1, y1)


@pytest.mark.parametrize(("name", "ink", "width", "first_pass", "taken"), [
    ("Trần Thanh Yến", 120, 6, "Trần Tha.:h Yến", "Trần Thanh Yến"),
    ("Lương Đức Trường", 110, 5, "Lương Đứ“ Trường", "Lương Đức Trường"),
    ("Thân Thùy Mai", 130, 6, "hân Thùy Mai", "Thân Thùy Mai"),
    # Read alone, the stroke still hides the u of Tuấn: three readings give Đặng Đức Tấn,
    # which the first reading's whole "Tuấn" rules out. No name rather than a wrong one.
    ("Đặng Đức Tuấn", 140, 7, "Đặng Đứ-. Tuấn", None),
])
def test_a_name_crossed_by_the_signature_is_read_again_alone(name: str, ink: int, width: int, first_pass: str,
                                                             taken: str | None) -> None:
    image, box = _crossed(name, ink, width)
    reads = zones.read_line_variants(image, box, dpi=300, language="vie")
    assert len(reads) == 5
    assert agreed_name(reads, first_pass) == taken, reads


def test_a_reading_that_is_no_name_is_not_taken() -> None:
    assert _as_name("Trần Tha.:h Yến") == "Trần Thanh Yến"  # the stroke's marks stand for hidden letters
    assert _as_name("Nguyễn Văn Qwzx") is None
    assert _as_name("Hàng Việt") is None  # no family name first
    assert _as_name("Đặng Đực Tháng") is None  # no one is named Đực or Tháng
    assert _as_name("THÂN THÙY MAI ˆ") == "Thân Thùy Mai"  # a stray mark is no word


@pytest.mark.parametrize(("read", "doubt"), [
    ("Trần Phước Hiền", None),  # every syllable a name: as read
    ("Vũ Hồng Thăng", None),  # a name too (Thắng was printed): not told apart here
    ("Nguyễn Khiêm", None),  # missing from the list, and no name has its letters: as read
    ("Dương Kim Hiểu", "Hiểu"),  # Hiếu or Hiệu (a tuned poor scan, Hiếu printed)
    ("DƯƠNG THANH QUẦN", "QUẦN"),  # Quân or Quan (a tuned poor scan, QUÂN printed)
    ("Lê Văn Đực", "Đực"),  # Đức, most likely; still not guessed
    # Missing from the list while a name of its letters is there: the independent
    # generator's Huỳnh Viết Thanh Uy came out as Huỳnh Việt Thanh Uy when Viết was repaired.
    ("Huỳnh Viết Thanh Uy", "Viết"),
    # With no mark: a name people abroad write so, not a Vietnamese paper (a photo: Hà)
    ("Nguyễn Ngọc Ha", "Ha"),
    ("Lê Văn Son", "Son"),
    ("Trần Thị Lan", None),  # names with no mark stay
    ("Trần Thanh Vy", None),
    ("Ho Trị Châu", "Ho"),  # Hồ with its marks lost (Hồ Thị Châu was printed)
    ("Văn Thị", "Thị"),  # cut short: Thị is a middle name only (Văn Thị Thanh Vân was printed)
])
def test_a_syllable_that_may_be_another_name_misread_makes_the_name_doubtful(read: str, doubt: str | None) -> None:
    from sohoa.ocr import names

    found = names.doubtful_syllable(read)
    assert (found[0] if found else None) == doubt


def test_the_title_read_again_with_the_seal_lifted_replaces_only_a_shorter_one() -> None:
    """A tuned poor scan gave CHỦ TỊCH for PHÓ CHỦ TỊCH: the first pass read the chief's
    line with the deputy's lost under the seal; read again, the deputy's line shows."""
    from sohoa.ingest.looks import title_seen_again

    assert title_seen_again("CHỦ TỊCH", "PHÓ CHỦ TỊCH") == "take"
    assert title_seen_again("PHÓ CHỦ TỊCH", "CHỦ TỊCH") == "keep"  # the start lost the second time
    assert title_seen_again("GIÁM ĐỐC", "CHỦ TỊCH") == "drop"  # one of them is wrong: neither
    assert title_seen_again("GIÁM ĐỐC", None) == "keep"
    assert title_seen_again(None, "GIÁM ĐỐC") == "keep"  # a title gained is taken by second_look itself


def test_a_doubtful_syllable_may_take_the_name_two_readings_of_its_line_agree_on() -> None:
    """"Lý Bích Vần" (an independent generator's scan, Vân printed): read again alone, two
    readings alike give one of the names Vần may be; without the doubt, a whole word read
    is never replaced."""
    from sohoa.ocr import names

    doubt = names.doubtful_syllable("Lý Bích Vần")
    assert doubt is not None and "vân" in doubt[1]
    reads = ["Lý Bích Vân", "Lý Bích Vân", "Ly Bich Van"]
    assert agreed_name(reads, "Lý Bích Vần", doubt) == "Lý Bích Vân"
    assert agreed_name(reads, "Lý Bích Vần") is None
    assert agreed_name(["Lý Bích Hà", "Lý Bích Hà"], "Lý Bích Vần", doubt) is None  # not a name Vần can be


def _scanned(**fields: str) -> tuple[PageText, Extraction]:
    base = empty_extraction()
    values = {**base.fields, **fields}
    extraction = dataclasses.replace(base, fields=values, confidence={k: 0.9 if v else 0.0 for k, v in values.items()})
    return PageText([], False, "tesseract", 80.0, (), ocr_pages=(1,)), extraction


def test_values_with_ocr_slips_are_mended_or_withheld_never_given_as_read() -> None:
    """Words glued together are split, marks standing alone in a summary go; a word with a
    tone mark that is no syllable, a name word that is no syllable, a summary cut inside
    its last word and a notation in small letters make the value null, with a note."""
    text, extraction = _scanned(
        issuer="Sở Tưpháp", signed_for="TL. GIÁMĐỐC", issuer_parent="UBND TỈNH LÂM ĐỒNG",
        subject="Về việc công. nhận hòa giải viên _ thôn Phú Mỹ .", signer_name="Tôn Thât Nhàn",
        number="2949/2025/GCNATTP-SNNPTNPBắc", holder_name="Nguyễn Văn An")
    got = withhold_garbled(text, extraction)
    assert got.fields["issuer"] == "Sở Tư pháp" and got.fields["signed_for"] == "TL. GIÁM ĐỐC"
    assert got.fields["subject"] == "Về việc công nhận hòa giải viên thôn Phú Mỹ"
    assert got.fields["issuer_parent"] == "UBND TỈNH LÂM ĐỒNG" and got.fields["holder_name"] == "Nguyễn Văn An"
    assert got.fields["signer_name"] is None and got.fields["number"] is None
    assert got.confidence["number"] == 0.0
    assert any("'Thât' is no Vietnamese syllable" in n for n in got.notes)
    assert any("notation holds small letters" in n for n in got.notes)

    text, extraction = _scanned(issuer="SỞ XÂY ÀY DỰNG", subject="Về việc tặng Giấy k", issuer_successor="SỞ XÂY DỰNG",
                                number="15/QĐ-UBND", signer_title="PHÓ GIÁM ĐỐC")
    got = withhold_garbled(text, extraction)
    assert got.fields["issuer"] is None and got.fields["issuer_successor"] is None
    assert got.fields["subject"] is None and any("ends in 'k'" in n for n in got.notes)
    assert got.fields["number"] == "15/QĐ-UBND" and got.fields["signer_title"] == "PHÓ GIÁM ĐỐC"
    text, extraction = _scanned(issuer="ỦY BAN NHÂN DÂN XÃ NGHĨA TRUNG Ố", issuer_parent="UBND HUYỆN TƯ NGHĨA")
    got = withhold_garbled(text, extraction)
    assert got.fields["issuer"] is None and got.fields["issuer_parent"] == "UBND HUYỆN TƯ NGHĨA"
    text, extraction = _scanned(subject="Về việc tạng Giấy ki»en", signed_for="TM. ỦY BAN NHÂN DÂN")
    got = withhold_garbled(text, extraction)
    assert got.fields["subject"] is None and any("'i»e' holds a mark" in n for n in got.notes)
    text, extraction = _scanned(subject="Về việc đổi tên đường Nguyễn Huệ-Lê Lợi (thị trấn), năm 2021-2025")
    assert withhold_garbled(text, extraction).fields["subject"] == extraction.fields["subject"]
    text, extraction = _scanned(issuer="ỦY BAN NHÂN DÂN XÃ ĐỒNG Ý", issuer_parent="UBND HUYỆN BẮC SƠN")
    assert withhold_garbled(text, extraction).fields["issuer"] == "ỦY BAN NHÂN DÂN XÃ ĐỒNG Ý"  # a commune of Lạng Sơn

    born_digital = dataclasses.replace(text, born_digital=True, ocr_pages=())
    assert withhold_garbled(born_digital, extraction) == extraction  # a text layer is as typed


@pytest.mark.parametrize(("read", "likelier"), [
    ("Tuân", {"tuấn"}), ("Hài", {"hải"}), ("Thủ", {"thư", "thử"}), ("Tuần", {"tuân", "tuấn"}), ("Hai", {"hải"}),
    ("Tuấn", set()), ("Hưng", set()), ("Hòa", set()), ("Hoà", set()), ("Thu", set()), ("Hoa", set()),
    ("Nguyên", set()),  # Nguyễn is a family name
])
def test_a_name_people_are_clearly_more_often_given_with_other_marks(read: str, likelier: set[str]) -> None:
    """Photos read Tuân, Hài, Thủ, Hai for Tuấn, Hải, Thu, Hải: each a name, but one rarely
    given where the same letters with other marks are common."""
    assert names.likelier_names(read) == likelier


@pytest.mark.parametrize(("read", "other"), [
    ("Thủy", {"thùy", "thúy"}), ("THỦY", {"thùy", "thúy"}), ("Tử", {"tú"}),
    ("Hải", set()),  # Hài is a name, but far rarer
    ("Thúy", set()), ("Thùy", set()), ("Văn", set()), ("Khải", set()),
])
def test_a_hook_that_may_be_the_grave_or_acute_of_as_common_a_name(read: str, other: set[str]) -> None:
    """Photos read Thúy and Thùy as Thủy (four of four wrong Thủy in the photo sets): a
    name with the hook is doubtful where the same letters with the grave or the acute
    make as common a name."""
    assert names.hook_for_another(read) == other


def test_a_photo_withholds_a_name_with_a_likelier_reading_and_a_misread_year() -> None:
    """On a phone photo (a page below 150 dpi) such a name is withheld, with a note, and so
    are a summary whose year is no year of a document ("nằm 2921" for năm 2021) and a
    place not spelled as any unit of the gazetteer ("Hương Sœn")."""
    text, extraction = _scanned(signer_name="Vũ Tuân Hạnh", holder_name="Đỗ Thủ Hoa",
                                subject="Về việc tuyển dụng viên chức nằm 2921", place="Hương Sœn")
    photo = dataclasses.replace(text, low_resolution=True)
    got = withhold_doubtful(photo, extraction)
    assert got.fields["signer_name"] is None and got.fields["holder_name"] is None and got.fields["subject"] is None
    assert any("'Tuân' may be tuấn misread" in n for n in got.notes)
    assert any("'2921' is no year" in n for n in got.notes)
    assert got.fields["place"] is None  # not spelled as the gazetteer spells it
    text, extraction = _scanned(signer_name="Vũ Tuấn Hạnh", holder_name="Đỗ Thu Hoa",
                                subject="Về việc tuyển dụng viên chức năm 2021", place="Hương Sơn")
    got = withhold_doubtful(dataclasses.replace(text, low_resolution=True), extraction)
    assert (got.fields["signer_name"], got.fields["holder_name"]) == ("Vũ Tuấn Hạnh", "Đỗ Thu Hoa")
    assert got.fields["subject"] == "Về việc tuyển dụng viên chức năm 2021" and got.fields["place"] == "Hương Sơn"
    assert withhold_doubtful(text, _scanned(signer_name="Vũ Tuân Hạnh")[1]).fields["signer_name"] == "Vũ Tuân Hạnh"
    got = withhold_doubtful(photo, _scanned(signer_title="TRƯỞNG PHÒNG HANH CHÍNH")[1])
    assert got.fields["signer_title"] == "TRƯỞNG PHÒNG HÀNH CHÍNH"  # a printed title's marks from its words
    got = withhold_doubtful(photo, _scanned(holder_name="BÙI THỦY LONG", signer_name="Hồ Thúy Loan")[1])
    assert got.fields["holder_name"] is None and got.fields["signer_name"] == "Hồ Thúy Loan"
    assert any("'THỦY' may be thùy or thúy misread" in n for n in got.notes)


def test_a_photo_withholds_a_summary_with_a_syllable_hardly_ever_written_and_a_doubtful_id() -> None:
    """On a phone photo: "hộ nghẻo" (nghèo) makes the summary null, with a note; "nắn 2023"
    before a year is năm; a personal ID read below its floor (0.8) is withheld."""
    text, extraction = _scanned(subject="Về việc phê duyệt kế hoạch hỗ trợ hộ nghẻo năm 2022",
                                holder_id="024093871709")
    extraction = dataclasses.replace(extraction, confidence={**extraction.confidence, "holder_id": 0.75})
    got = withhold_doubtful(dataclasses.replace(text, low_resolution=True), extraction)
    assert got.fields["subject"] is None and got.fields["holder_id"] is None
    assert any("'nghẻo' is written far less often than 'nghèo'" in n for n in got.notes)
    text, extraction = _scanned(subject="Về lịch tiếp công dân định kỳ quý 1 nắn 2023", holder_id="024093873789")
    got = withhold_doubtful(dataclasses.replace(text, low_resolution=True), extraction)
    assert got.fields["subject"] == "Về lịch tiếp công dân định kỳ quý 1 năm 2023"
    assert any("nắn → năm" in n for n in got.notes)
    assert got.fields["holder_id"] == "024093873789"  # read at 0.9
    # a summary read below 0.85 ("Về việc tàng Giấy khen" at 0.85-: tặng)
    text, extraction = _scanned(subject="Về việc tàng Giấy khen")
    extraction = dataclasses.replace(extraction, confidence={**extraction.confidence, "subject": 0.84})
    got = withhold_doubtful(dataclasses.replace(text, low_resolution=True), extraction)
    assert got.fields["subject"] is None and any("read with confidence 0.84" in n for n in got.notes)
    # A People's Committee naming no unit (its "XÃ LỘC AN" line lost): no issuer.
    text, extraction = _scanned(issuer="ỦY BAN NHÂN DÂN", issuer_parent="UBND TỈNH LÂM ĐỒNG")
    got = withhold_doubtful(dataclasses.replace(text, low_resolution=True), extraction)
    assert got.fields["issuer"] is None and got.fields["issuer_parent"] == "UBND TỈNH LÂM ĐỒNG"
