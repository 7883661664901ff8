"""The record model: typed parts (layout, signature verdict, signed copy) that keep the
export's JSON form, and come back equal from it (the ledger stores records so)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sohoa.core.layout import Line, PageLayout
from sohoa.core.model import (
    CopyFailure,
    Extraction,
    OcrInfo,
    Record,
    SignedCopy,
    SourceInfo,
    Validity,
    ValidityStatus,
    empty_extraction,
)
from sohoa.core.verdict import DocumentVerdict, SignatureVerdict, Status

LINE = Line("QUYẾT ĐỊNH", 120.5, 80.0, 410.0, 112.5, 91.5, 0, (90.0, 93.0),
            ((120.5, 300.0, "QUYẾT"), (310.0, 410.0, "ĐỊNH")))
SEAL = SignatureVerdict("Signature1", Status.valid, "adbe.pkcs7.detached", {"cn": "UBND xã A", "o": None},
                        "Sub CA", "1f", "2025-03-01T09:00:00+07:00", None, True, "sha1", ("sha1",), "Root", None)


def _record(copy: SignedCopy | CopyFailure | None, verdict: DocumentVerdict | None) -> Record:
    sha = "ab" * 32
    fields = {**empty_extraction().fields, "doc_type": "Quyết định", "number": "47/QĐ-UBND"}
    return Record(sha, SourceInfo("/scans/qd.pdf", sha, 1234, "pdf"), 1, False,
                  OcrInfo("tesseract 5.3.0 (vie)", 91.5, ("deskew",)), "QUYẾT ĐỊNH",
                  Extraction(fields, dict.fromkeys(fields, 0.9), ("a note",), "quyet_dinh"),
                  Validity(ValidityStatus.valid, dt.date(2026, 12, 1), "no end date", "valid"),
                  dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC),
                  signing_times=("2025-03-01T09:00:00+07:00",),
                  layout=(PageLayout(1, 2480.0, 3508.0, (LINE,), 90),), signatures=verdict, signed_copy=copy)


@pytest.mark.parametrize("copy", [
    SignedCopy("/home/copies/cd/cd.pdf", "cd" * 32, "B-LT", "2026-12-01T15:30:00+07:00", "UBND xã A"),
    CopyFailure("Không tạo được bản sao có ký số (x). / Could not make the signed copy (x)."),
    None,
])
@pytest.mark.parametrize("verdict", [DocumentVerdict((SEAL,)), DocumentVerdict(), None])
def test_a_record_comes_back_equal_from_its_json_form(copy, verdict) -> None:
    record = _record(copy, verdict)
    again = Record.from_json(json.loads(json.dumps(record.to_json())))
    assert again == record
    assert again.to_json() == record.to_json()


def test_the_json_form_keeps_the_export_format() -> None:
    made = _record(SignedCopy("/c.pdf", "cd" * 32, "B-T", "2026-12-01T15:30:00+07:00", "UBND xã A"),
                   DocumentVerdict((SEAL, SignatureVerdict(None, Status.error, detail="bad CMS")))).to_json()
    assert made["signed_copy"] == {"path": "/c.pdf", "sha256": "cd" * 32, "pades": "B-T",
                                   "signed_at": "2026-12-01T15:30:00+07:00", "agency": "UBND xã A",
                                   "copy_type": "SAO Y"}
    # The document takes the worst status of its signatures; each carries its message.
    assert made["signatures"]["status"] == "error"
    seal, broken = made["signatures"]["signatures"]
    assert seal["status"] == "valid" and seal["weak_algorithms"] == ["sha1"] and "SHA1" in seal["message_en"]
    assert broken["message_en"] == "The signature could not be read: bad CMS."
    assert made["layout"] == [{"page": 1, "width": 2480.0, "height": 3508.0, "turned": 90, "lines": [
        {"text": "QUYẾT ĐỊNH", "box": [120.5, 80.0, 410.0, 112.5],
         "words": [[120.5, 300.0, "QUYẾT", 90.0], [310.0, 410.0, "ĐỊNH", 93.0]]}]}]
    failed = _record(CopyFailure("disk"), DocumentVerdict()).to_json()
    assert failed["signed_copy"] == {"error": "disk"}
    assert failed["signatures"] == {"status": "unsigned", "signatures": []}
