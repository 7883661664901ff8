"""Real Vietnamese administrative documents (shared/realdata/vn_admin_docs, see its SOURCES.md).

Every file ingests without error; printed fields that a person can read come out right.
Handwritten numbers and days must not be invented (null, or a date from the signing time).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REALDATA, copy_corpus

DOCS = REALDATA / "vn_admin_docs"

# What a person reads on each document. Numbers/days written by hand are None here:
# OCR cannot read them and sohoa must not guess.
EXPECTED = {
    "qngai_TB-UBND_11_2025_borndigital_5sig.pdf": {
        "doc_type": "Thông báo", "number": "11/TB-UBND", "issue_date": "2025-01-08",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "place": "Quảng Ngãi",
        "signer_title": "PHÓ CHÁNH VĂN PHÒNG", "signer_name": "Nguyễn Phước Bình",
        "subject_starts": "Kết luận của Phó Chủ tịch UBND tỉnh Võ Phiên",
    },
    "qngai_CV_507-UBND-KGVX_2025_borndigital_5sig.pdf": {
        "doc_type": "Công văn", "number": "507/UBND-KGVX", "issue_date": "2025-01-24",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "place": "Quảng Ngãi",
        "signer_title": "PHÓ CHÁNH VĂN PHÒNG", "signer_name": "Phùng Tô Long",
        "subject_starts": "V/v góp ý dự thảo Quyết định sửa đổi, bổ sung",
    },
    "qngai_QD-UBND_47_2025_scan_2sig.pdf": {
        "doc_type": "Quyết định", "number": None, "issue_date": "2025-01-17",
        "signer_title": "CHỦ TỊCH", "subject_starts": "Về việc kinh phí thực hiện hỗ trợ quà Tết",
    },
    "qngai_QD-UBND_84_2025_scan_2sig.pdf": {
        "doc_type": "Quyết định", "number": None, "signer_title": "PHÓ CHỦ TỊCH",
        "subject_starts": "Về việc phê duyệt K",
    },
    "qngai_QD-BCD138_2025_scan_2sig.pdf": {
        "doc_type": "Quyết định", "number": None, "signer_title": "TRƯỞNG BAN",
        "signer_name": "Nguyễn Hoàng Giang",
    },
    "qngai_CV_UBND-KTTH_2025_scan_1sig.pdf": {
        "doc_type": "Công văn", "number": None, "issue_date": "2025-02-04", "place": "Quảng Ngãi",
        "signer_title": "PHÓ CHÁNH VĂN PHÒNG", "subject_starts": "V/v tham gia ý kiến các dự thảo Nghị định",
    },
    "qngai_CT-UBND_07_2018_scan_expiredcert.pdf": {
        "doc_type": "Chỉ thị", "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "place": "Quảng Ngãi",
        "subject_starts": "Về việc tăng cường công tác thi hành án hành chính",
    },
}


@pytest.fixture(scope="module")
def real_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    if not DOCS.exists():
        pytest.fail(f"real documents not found at {DOCS}; set SOHOA_REALDATA")
    from click.testing import CliRunner

    from sohoa.cli import main

    tmp = tmp_path_factory.mktemp("real")
    folder = copy_corpus(DOCS, tmp / "docs")
    runner = CliRunner()
    home = str(tmp / "home")
    result = runner.invoke(main, ["--home", home, "ingest", "--no-progress", str(folder)])
    assert result.exit_code == 0, result.output
    out = runner.invoke(main, ["--home", home, "export"]).stdout
    return {Path(r["source"]["path"]).name: r for r in map(json.loads, filter(None, out.splitlines()))
            if r.get("id")}


@pytest.mark.slow
def test_every_real_document_ingests(real_rows: dict[str, dict]) -> None:
    assert sorted(real_rows) == sorted(p.name for p in DOCS.glob("*.pdf"))
    for name, row in real_rows.items():
        assert row["status"] == "indexed", (name, row["error"])
        assert row["text"].strip(), name
    # Scans whose invisible text layer came from another OCR tool are read again.
    assert real_rows["danang_SGDDT_CV_2019_scan_unsigned.pdf"]["born_digital"] is False
    assert real_rows["qngai_TB-UBND_11_2025_borndigital_5sig.pdf"]["born_digital"] is True


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document_fields(real_rows: dict[str, dict], name: str) -> None:
    fields = real_rows[name]["fields"]
    for key, expected in EXPECTED[name].items():
        if key == "subject_starts":
            assert (fields["subject"] or "").startswith(expected), (name, fields["subject"])
        else:
            assert fields[key] == expected, (name, key, fields[key])
