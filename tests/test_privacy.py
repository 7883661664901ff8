"""Masking personal data (``sohoa.core.privacy``) against the ways a full ID number slipped
out before: cut by a snippet, misread by OCR, spaced in groups, split across OCR words,
named by a label on the line above, hidden in a correction, glued to a record id; and what
must never be masked (record ids, document numbers, dates)."""

from __future__ import annotations

import json
import random
import re

import pytest

from sohoa.core.privacy import looks_like_id, mask_field, mask_page, mask_record, mask_snippet, mask_text
from sohoa.indexer.snippets import snippet


def eight_digits_of(number: str, text: str) -> bool:
    """Whether any 8 consecutive digits of ``number`` appear in ``text``."""
    return any(number[i:i + 8] in text for i in range(len(number) - 7))


@pytest.mark.parametrize(("text", "expected"), [
    ("Số định danh cá nhân: 02012826634 cấp ngày", "Số định danh cá nhân: 0201*****34 cấp ngày"),  # OCR: 11 digits
    ("Số CCCD: O272O3l23429", "Số CCCD: O272******29"),  # digit-like letters
    ("So CMND: 12l23456", "So CMND: ********"),  # a short one after its label: whole
    ("căn cước công dân số 0272 0312 3429", "căn cước công dân số 0272 **** **29"),
    ("CAN CUOC: 027.203.123.429", "CAN CUOC: 027.2**.***.*29"),
    ("Hộ chiếu số C1234567", "Hộ chiếu số C*******"),
    ("Điện thoại 0912 345 678", "Điện thoại 0912 *** *78"),
    ("Mã số doanh nghiệp: 0102030405", "Mã số doanh nghiệp: 0102****05"),
])
def test_ids_are_masked_by_their_label_and_by_their_digits(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize("shown", [  # as a hostile tester wrote IDs into documents, names and queries
    "041-204-567-812", "0412_0456_7804", "0412/0456/7803", "0412,0456,7810", "0412 - 0456 - 7809",
    "0412\u200b0456\u200b7806", "03120456 7823", "03120456-7835", "0312.0456.7827", "0 3 1 2 0 4 5 6 7 8 3 8",
    "０５１０９８３１７７１１", "ngày 15/03/2021 0272 0312 3429", "0412\u00a00456\u00a07811",
])
def test_ids_in_any_grouping_are_masked(shown: str) -> None:
    digits = "".join(str(int(c)) for c in shown if c.isdigit())[-12:]
    for text in (shown, f"Số định danh: {shown}.", f"file id-{shown}.pdf", f"ĐẶNG KIM MAI (CCCD {shown})"):
        assert not eight_digits_of(digits, "".join(str(int(c)) if c.isdigit() else c
                                                   for c in mask_text(text)).replace(" ", "")), text
    assert looks_like_id(shown)


@pytest.mark.parametrize(("text", "expected"), [
    ("Ngày sinh: 1990-03-05", "Ngày sinh: **/**/****"),
    ("sinh ngày 05 tháng 03 năm 1990 tại", "sinh ngày **/**/**** tại"),
    ("HKTT: số 5 Hàng Bạc, Hà Nội", "HKTT: ***"),
    ("Quê quán: xã Bình Minh", "Quê quán: ***"),
    ("Vốn điều lệ: 1.500.000.000 đồng", "Vốn điều lệ: 1.500.000.000 đồng"),  # a company's capital is no ID
    ("Mã hồ sơ: 000.00.00.H30-210315-0001; mã thủ tục 1.003011.000.00.00.H38",
     "Mã hồ sơ: 000.00.00.H30-210315-0001; mã thủ tục 1.003011.000.00.00.H38"),
])
def test_more_labels_and_what_stays(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "Quyết định số 645/QĐ-UBND ngày 09/4/2021 của UBND tỉnh Bắc Giang",
    "Căn cứ Luật Căn cước ngày 27 tháng 6 năm 2023; Nghị định số 30/2020/NĐ-CP",
    "Số: 144/2025/QĐ-CTUBND; mã hồ sơ 000.00.00.H30-210315-0001",
    "record b2c6f1e50c74ef9755775ecfe120934567 and its prefix b2c6f1e50c74",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "diện tích 12345678901234 m2 (14 chữ số: không phải số định danh)",
])
def test_what_is_not_personal_is_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_record_ids_and_hashes_are_never_masked_in_the_access_log(tmp_path) -> None:
    from sohoa.accounts.audit import AccessLog

    record = "b2c6f1e50c74ef9755775ecfe120934567aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c"
    with AccessLog(tmp_path) as log:
        entry = log.append("pete", "download", {"record": record, "q": "CCCD 024183148061"})
    assert entry.what["record"] == record
    assert entry.what["q"] == "CCCD 0241******61"


def test_a_snippet_cut_in_the_middle_of_an_id_shows_none_of_it() -> None:
    number = "027203123429"
    text = ("Ông Nguyễn Văn An, sinh năm 1980, có số định danh cá nhân " + number + " đã nộp hồ sơ đề nghị "
            "cấp giấy phép xây dựng nhà ở riêng lẻ tại thôn Bắc " * 3)
    # The snippet never ends inside a word any more...
    for width in range(40, 160, 3):
        shown = snippet(text, "giấy phép", width)
        words = re.sub(r"</?mark>", "", shown).strip("…").split()
        assert all(w in text.split() for w in words[1:-1])
        assert not eight_digits_of(number, mask_snippet(shown))
    # ...and one cut by another backend is masked whole at its edges.
    for cut in range(1, len(number)):
        assert not re.search(r"\d{5}", mask_text("…số " + number[:cut + 4][:12], snippet=True).split("số ")[-1])
        assert not re.search(r"\d{5}", mask_text(number[cut:] + " đã nộp…", snippet=True))
    # A match marked inside the number does not split it into short runs.
    assert mask_snippet(f"…số <mark>{number[:4]}</mark>{number[4:]} đã nộp") == "…số <mark>0272</mark>******29 đã nộp"


def test_an_ocr_page_is_masked_word_by_word_across_lines() -> None:
    page = {"number": 1, "width": 100, "height": 100, "lines": [
        {"text": "Số định danh cá nhân:", "words": [[0, 1, "Số"], [1, 2, "định"], [2, 3, "danh"], [3, 4, "cá"],
                                                    [4, 5, "nhân:"]]},
        {"text": "027203 123429", "words": [[0, 1, "027203"], [1, 2, "123429"]]},  # cut in two words by OCR
        {"text": "Ngày sinh: 16/05/1983", "words": [[0, 1, "Ngày"], [1, 2, "sinh:"], [2, 3, "16/05/1983"]]},
        {"text": "Địa chỉ: thôn Bắc, xã Trà Hiệp", "words": [[0, 1, "Địa"], [1, 2, "chỉ:"], [2, 3, "thôn"],
                                                             [3, 4, "Bắc,"], [4, 5, "xã"], [5, 6, "Trà"],
                                                             [6, 7, "Hiệp"]]},
    ]}
    masked = mask_page(page)
    text = json.dumps(masked, ensure_ascii=False)
    assert not eight_digits_of("027203123429", text.replace('", "', "").replace('"], [', ""))
    assert "0272" in text and "123429" not in text and "027203" not in text
    assert [w[2] for w in masked["lines"][2]["words"]] == ["Ngày", "sinh:", "**/**/****"]
    assert [w[2] for w in masked["lines"][3]["words"]][2:] == ["***"] * 5
    assert masked["lines"][0] == page["lines"][0]  # the label itself stays
    assert [w[:2] for line in masked["lines"] for w in line["words"]] == \
        [w[:2] for line in page["lines"] for w in line["words"]]  # boxes kept


def test_corrections_are_masked_like_the_fields_they_correct() -> None:
    record = {"fields": {"holder_id": "024183148062", "subject": "Cấp giấy phép"},
              "corrections": [{"field": "holder_id", "old": "02418314806", "new": "024183148062", "by": "cleo"},
                              {"field": "subject", "old": "Địa chỉ: thôn Bắc", "new": "Cấp giấy phép", "by": "cleo"}]}
    shown = json.dumps(mask_record(record), ensure_ascii=False)
    assert "024183148062" not in shown and "02418314806" not in shown and "thôn Bắc" not in shown
    assert mask_field("holder_id", "024183148062") == "0241******62"


def test_paths_and_failure_reasons_are_masked_too() -> None:
    row = {"path": "/srv/scans/024183148061.pdf", "source": {"path": "/srv/scans/024183148061.pdf",
                                                             "paths": ["/srv/scans/024183148061.pdf"]},
           "error": "không đọc được CCCD 024183148061"}
    assert "024183148061" not in json.dumps(mask_record(row))


@pytest.mark.parametrize(("query", "id_like"), [
    ("024183148061", True), ("Nguyễn 0241 8314 8061", True), ("O24l83l48O6l", True), ("0241.8314.8061", True),
    ("cccd 123456", True), ("so dinh danh 02418314", True), ("0241-8314-8061", True),
    ("quyết định 645", False), ("ISO 9001 2015", False), ("2021-04-09", False), ("645/QĐ-UBND", False),
    ("giay phep xay dung 2024", False), ("", False),
])
def test_queries_that_look_like_an_id(query: str, id_like: bool) -> None:
    assert looks_like_id(query) is id_like


def test_no_eight_digits_of_random_ids_survive_in_random_text() -> None:
    """Random IDs placed in random Vietnamese-like text, spaced or not, labelled or not,
    cut anywhere: masked text never keeps 8 consecutive digits of one."""
    rng = random.Random(24)
    words = ["số", "định", "danh", "CCCD:", "ông", "bà", "cấp", "ngày", "Địa", "chỉ:", "thôn", "xã", "-", "("]
    for _ in range(2000):
        number = "".join(rng.choice("0123456789") for _ in range(rng.choice((9, 12))))
        shown = number if rng.random() < 0.6 else " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 6))) + " " + shown + " " + \
            " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        start, end = rng.randint(0, len(text) // 2), rng.randint(len(text) // 2, len(text))
        cut = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
        for masked in (mask_text(text), mask_text(cut, snippet=True)):
            assert not eight_digits_of(number, masked.replace(" ", "")), (text, masked)
