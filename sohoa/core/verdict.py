"""A digital-signature verdict, as records carry it: the status vocabulary, ordered worst
first, with its meaning, and the frozen verdicts of one signature and of one file.

The signatures stage (``sohoa.signatures.verify``) makes verdicts; records, the index,
search and export only read them, so the types live here, in the core.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """A signature's verdict, worst first: a document has the worst of its signatures'
    statuses, or ``unsigned``. A str, so that records and JSON keep the plain words."""

    invalid = "invalid"
    """The signed bytes or the signature value do not verify."""
    modified = "modified"
    """Changed after signing beyond what signed documents allow."""
    revoked = "revoked"
    """The signer's certificate, or an issuing CA's, was revoked before signing time."""
    error = "error"
    """The signature could not be read."""
    expired = "expired"
    """The signer's certificate was not valid at signing time."""
    unknown_revocation = "unknown_revocation"
    """Intact and trusted, but no revocation data at hand for a certificate that names some."""
    valid_untrusted = "valid_untrusted"
    """Intact, but not chaining to a configured trust root."""
    valid = "valid"
    """Intact, trusted, valid at signing time, revocation checked or not applicable."""
    unsigned = "unsigned"
    """A document without signatures (never a signature's status)."""

    @property
    def message(self) -> tuple[str, str]:
        """What the status means for the person reading it (Vietnamese, English)."""
        return MESSAGES[self]


STATUS_ORDER = tuple(s for s in Status if s is not Status.unsigned)
"""The statuses a signature can have, worst first."""
DOCUMENT_STATUSES = tuple(s.value for s in Status)

MESSAGES: dict[str, tuple[str, str]] = {
    "valid": ("Chữ ký hợp lệ: văn bản không bị sửa sau khi ký, chứng thư người ký dẫn tới một gốc tin cậy và còn "
              "hiệu lực lúc ký, tình trạng thu hồi đã được kiểm tra hoặc không áp dụng.",
              "Valid: the document has not changed since it was signed, the signer's certificate chains to a "
              "trusted root and was valid at signing time, and revocation was checked or does not apply."),
    "valid_untrusted": ("Chữ ký nguyên vẹn nhưng chứng thư người ký không dẫn tới gốc tin cậy nào đã cấu hình: "
                        "không xác nhận được ai đã ký. Nếu tổ chức cấp chứng thư đáng tin, thêm chứng thư gốc của "
                        "nó vào thư mục tin cậy (--trust).",
                        "Intact, but the signer's certificate does not chain to any configured trust root, so who "
                        "signed cannot be confirmed. If its issuer is trustworthy, add its root certificate to the "
                        "trust directory (--trust)."),
    "invalid": ("Chữ ký KHÔNG hợp lệ: nội dung đã ký bị thay đổi, hoặc giá trị chữ ký không khớp. Không dùng bản "
                "này làm căn cứ pháp lý.",
                "INVALID: the signed content was changed, or the signature value does not verify. Do not rely on "
                "this copy."),
    "modified": ("Văn bản bị sửa sau khi ký, vượt quá những thay đổi được phép (điền biểu mẫu, chú thích, dữ "
                 "liệu xác thực): nội dung đang xem có thể khác nội dung đã ký.",
                 "Changed after signing beyond what signed documents allow (form filling, annotations, "
                 "validation data): what you see may differ from what was signed."),
    "expired": ("Chứng thư người ký đã hết hạn hoặc chưa có hiệu lực vào thời điểm ký.",
                "The signer's certificate had expired, or was not yet valid, at signing time."),
    "revoked": ("Chứng thư người ký (hoặc của tổ chức cấp) đã bị thu hồi trước thời điểm ký.",
                "The signer's certificate (or an issuing CA's) was revoked before signing time."),
    "unknown_revocation": ("Chữ ký nguyên vẹn và dẫn tới gốc tin cậy, nhưng chưa biết chứng thư có bị thu hồi hay "
                           "không: chứng thư công bố nơi tra cứu (CRL/OCSP) mà không có dữ liệu đó ngoại tuyến. "
                           "Thêm tệp CRL vào thư mục tin cậy, hoặc kiểm tra lại với --online.",
                           "Intact and chaining to a trusted root, but whether the certificate was revoked is "
                           "unknown: it names where revocation is published (CRL/OCSP) and no such data was at "
                           "hand offline. Add the CRL files to the trust directory, or check again with --online."),
    "error": ("Không đọc được chữ ký", "The signature could not be read"),
    "unsigned": ("Không có chữ ký số. Dấu đỏ trên bản quét không phải chữ ký số.",
                 "No digital signature. A paper seal on a scan is not a digital signature."),
}




def worst(statuses: Iterable[str]) -> Status:
    """A document's status: the worst of its signatures', ``unsigned`` without any."""
    found = [Status(s) for s in statuses]
    if not found:
        return Status.unsigned
    return min(found, key=STATUS_ORDER.index)


@dataclass(frozen=True)
class SignatureVerdict:
    """The verdict on one signature of a file."""

    field: str | None
    status: Status
    sub_filter: str | None = None
    """adbe.pkcs7.detached, ETSI.CAdES.detached, ETSI.RFC3161 (a document timestamp)..."""
    signer: Mapping[str, str | None] = field(default_factory=dict)
    """``cn`` and ``o`` of the signer's certificate."""
    issuer: str | None = None
    serial: str | None = None
    signing_time: str | None = None
    """The time the signer claimed (CMS signingTime, else /M), ISO 8601."""
    timestamp_time: str | None = None
    """The time of an RFC 3161 signature timestamp, if one is attached."""
    covers_whole_file: bool | None = None
    digest_algorithm: str | None = None
    weak_algorithms: tuple[str, ...] = ()
    trust_anchor: str | None = None
    detail: str | None = None
    """The technical reason behind the status, for whoever investigates."""

    @property
    def message(self) -> tuple[str, str]:
        """The status in plain words (Vietnamese, English), with the reason of an ``error``
        and a note on weak algorithms."""
        vi, en = self.status.message
        if self.status is Status.error:
            vi, en = f"{vi}: {self.detail}.", f"{en}: {self.detail}."
        if self.weak_algorithms:
            algos = ", ".join(a.upper() for a in self.weak_algorithms)
            vi += f" Lưu ý: chuỗi chứng thư hoặc chữ ký dùng thuật toán yếu ({algos}), như chuỗi G1 cũ của Chính phủ."
            en += (f" Note: the certificate path or the signature uses a weak algorithm ({algos}), as the legacy "
                   "government G1 chain does.")
        return vi, en

    def to_json(self) -> dict[str, Any]:
        vi, en = self.message
        return {"field": self.field, "status": self.status.value, "sub_filter": self.sub_filter,
                "signer": dict(self.signer), "issuer": self.issuer, "serial": self.serial,
                "signing_time": self.signing_time, "timestamp_time": self.timestamp_time,
                "covers_whole_file": self.covers_whole_file, "digest_algorithm": self.digest_algorithm,
                "weak_algorithms": list(self.weak_algorithms), "trust_anchor": self.trust_anchor,
                "detail": self.detail, "message_vi": vi, "message_en": en}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SignatureVerdict:
        """The inverse of ``to_json`` (the messages are derived again, not read)."""
        return cls(data.get("field"), Status(data["status"]), data.get("sub_filter"), dict(data.get("signer") or {}),
                   data.get("issuer"), data.get("serial"), data.get("signing_time"), data.get("timestamp_time"),
                   data.get("covers_whole_file"), data.get("digest_algorithm"),
                   tuple(data.get("weak_algorithms") or ()), data.get("trust_anchor"), data.get("detail"))


@dataclass(frozen=True)
class DocumentVerdict:
    """The verdict on a file: the worst of its signatures' statuses, or ``unsigned``."""

    signatures: tuple[SignatureVerdict, ...] = ()

    @property
    def status(self) -> Status:
        return worst(s.status for s in self.signatures)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "signatures": [s.to_json() for s in self.signatures]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentVerdict:
        return cls(tuple(SignatureVerdict.from_json(s) for s in data.get("signatures", ())))
