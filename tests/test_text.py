"""Vietnamese text normalisation: folding, tone placement, document numbers."""

from sohoa.text import clean, fold, index_form, modern_tones, normalise_number, search_form


def test_fold_removes_diacritics_and_keeps_length() -> None:
    text = "Giấy phép xây dựng Đà Nẵng"
    assert fold(text) == "Giay phep xay dung Da Nang"
    assert len(fold(text)) == len(clean(text))


def test_ocr_eth_is_read_as_d_with_stroke() -> None:
    assert clean("QÐ-UBND") == "QĐ-UBND"
    assert search_form("QÐ") == "qd"


def test_old_and_new_tone_placement_index_the_same() -> None:
    assert modern_tones("UỶ BAN hoà thuỷ khoẻ") == "ỦY BAN hòa thủy khỏe"
    assert index_form("Uỷ ban") == index_form("Ủy ban")
    assert modern_tones("quý") == "quý"  # the u of "qu" is not a vowel of the rhyme


def test_document_numbers_normalise() -> None:
    assert normalise_number("645 /QĐ-UBND") == "645/QD-UBND"
    assert normalise_number("Số: 686 /STTT-CNTT&BCVT") == "686/STTT-CNTT&BCVT"
    assert normalise_number("144/2025/QĐ-CTUBND") == "144/2025/QD-CTUBND"
    assert normalise_number("07/CT-UBND") == "7/CT-UBND"
    assert normalise_number("giấy phép xây dựng") is None
