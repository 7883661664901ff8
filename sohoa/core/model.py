"""The record model: what sohoa knows about one document, and its JSON form.

Records are frozen, picklable dataclasses: workers build them and send them to the
parent process, which stores them in the ledger and hands them to the index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sohoa.core.layout import PageLayout, page_from_json, page_to_json
from sohoa.core.verdict import DocumentVerdict

FIELD_NAMES: tuple[str, ...] = (
    # issue_date is read from the paper only; signed_on is the day of the earliest digital
    # signature. issuer is the issuing agency as printed (its wrapped continuation included),
    # issuer_parent the governing body printed above it, issuer_level one of ISSUER_LEVELS,
    # issuer_successor the agency that took over a legacy issuer after 1 July 2025.
    # signer_title is the signer's own title; signed_for the authority line above it
    # ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH") when one signs for another.
    "doc_type",
    "number",
    "issue_date",
    "signed_on",
    "issuer",
    "issuer_parent",
    "issuer_level",
    "issuer_successor",
    "place",
    "subject",
    "signer_title",
    "signed_for",
    "signer_name",
    "holder_name",
    "holder_id",
    "valid_until",
)


EXTRACTION_VERSION = 3
"""The extractor's contract: 1 before issuer_parent, issuer_level and signed_on existed;
2 before signed_for, when the title under a KT. line could be the chief's.
``sohoa reindex`` extracts records of an older version again from their stored layout."""

ISSUER_LEVELS: tuple[str, ...] = ("central", "province", "district", "commune", "other")


class RecordStatus(enum.StrEnum):
    """Whether a document was read (a str, so that JSON keeps the plain word)."""

    indexed = "indexed"
    """Processed: its record goes to the index (named so in the export since the start)."""
    failed = "failed"
    """Not processed; ``error`` says why and what to do, ``error_code`` which case it is."""


@dataclass(frozen=True)
class SourceInfo:
    """The original file, which sohoa never modifies or moves."""

    path: str
    """Absolute path where the file was found (the latest one, when copies exist)."""
    sha256: str
    """SHA-256 of the content: the document's identity."""
    size: int
    """Size in bytes."""
    format: str
    """Detected from the content, not the name: ``pdf``, ``tiff``, ``jpeg`` or ``png``."""


@dataclass(frozen=True)
class OcrInfo:
    """How the text was obtained."""

    engine: str
    """``tesseract <version> (vie)``, or ``text-layer`` for born-digital PDFs."""
    mean_confidence: float | None
    """Mean word confidence 0-100 over all pages; None for a text layer."""
    preprocessing: tuple[str, ...] = ()
    """The preprocessing steps applied to scanned pages, in order."""
    model: str | None = None
    """The SHA-256 of each language model OCR read with (``vie=<hex>``); None without OCR."""
    machine: str | None = None
    """The machine, and the cluster worker, that read it."""


class ValidityStatus(enum.Enum):
    """Whether a result is still legally valid ("còn hiệu lực")."""

    valid = "valid"
    """No printed end date has passed (and the type has no implicit expiry)."""
    expired = "expired"
    """The printed or derived end date is before the day of judgement."""
    unknown = "unknown"
    """sohoa cannot tell from the document alone (e.g. no date could be read)."""


@dataclass(frozen=True)
class Validity:
    status: ValidityStatus
    """The verdict."""
    as_of: dt.date
    """The day the verdict was made; re-judged on export and search of older records."""
    reason: str = ""
    """Why, as a code of ``VALIDITY_REASONS`` (``passed``) with its ``value`` (the date);
    records written before codes keep an English phrase, shown as it is."""
    without_end_date: str | None = None
    """The type's policy when no end date is read: ``valid`` (until revoked, a decision),
    ``unknown`` (a permit whose period was not read), or None (type not known). Kept on the
    record so that its readers (index, search, export) judge it again without the rules."""
    value: str | None = None
    """The reason's parameter: the end date (as read, when it could not be)."""

    @property
    def message(self) -> tuple[str, str]:
        """The reason in Vietnamese and English."""
        return validity_message(self.reason, self.value)


VALIDITY_REASONS: dict[str, tuple[str, str]] = {
    "until": ("có hiệu lực đến ngày {value}", "valid until {value}"),
    "passed": ("đã hết hạn ngày {value}", "valid_until {value} has passed"),
    "no_end": ("không ghi thời hạn: có hiệu lực đến khi bị thu hồi hoặc thay thế",
               "no end date; valid until revoked or replaced"),
    "unread": ("không đọc được thời hạn", "no end date could be read"),
    "unreadable": ("không đọc được thời hạn {value!r}", "unreadable valid_until {value!r}"),
    "not_processed": ("chưa xử lý được", "not processed"),
}
"""The reasons of a validity verdict, by code: the words are chosen when shown. The
English is the phrase the export's ``reason`` has always had, for the tools that read it."""


def validity_message(code: str, value: str | None) -> tuple[str, str]:
    """A verdict's reason in Vietnamese and English; an older record's phrase as it is."""
    if code not in VALIDITY_REASONS:
        return code, code
    vi, en = VALIDITY_REASONS[code]
    return vi.format(value=value), en.format(value=value)


@dataclass(frozen=True)
class Extraction:
    """Structured fields read from the text, with a 0-1 confidence per field."""

    fields: dict[str, str | None]
    """The fields of ``FIELD_NAMES``; absent fields are None, never invented."""
    confidence: dict[str, float]
    """Confidence per field (0 for an absent field)."""
    notes: tuple[str, ...] = ()
    """What the extractor wants a person to know (``number not legible (handwritten?)``)."""
    rule: str | None = None
    """The name of the rule file that matched the document type."""
    version: int = EXTRACTION_VERSION
    """The extractor contract the fields were read under (see ``EXTRACTION_VERSION``)."""


@dataclass(frozen=True)
class SignedCopy:
    """The signed digitised copy of a scanned result ("bản sao điện tử", ``ingest.copies``)."""

    path: str
    """Where the copy is stored, under ``HOME/copies/`` by its own SHA-256."""
    sha256: str
    pades: str
    """The PAdES level the signature reached (``B-LT``, ``B-T``, ``B-B``)."""
    signed_at: str
    """The signing time shown in the copy's block, ISO 8601 with +07:00."""
    agency: str
    """The copying agency, from the signer's certificate."""
    copy_type: str = "SAO Y"


@dataclass(frozen=True)
class CopyFailure:
    """Why a scanned result has no signed copy; the record itself stays good."""

    error: str


@dataclass(frozen=True)
class CopyToSign:
    """The searchable copy a worker made, on its way to the machine that runs the ingest,
    which alone holds the signing key (a file or a hardware token) and signs it there. A
    record carries it only in flight: it is signed (``SignedCopy``) or failed
    (``CopyFailure``) before the record is stored."""

    path: str
    """The unsigned PDF/A copy, on the machine that holds the record now."""
    box: tuple[int, int, int, int]
    """Where the signature block goes on page 1 (x0, y0, x1, y1 in points)."""
    agency: str
    """The copying agency the block names."""


def copy_from_json(data: dict[str, Any] | None) -> SignedCopy | CopyFailure | None:
    if data is None:
        return None
    return CopyFailure(data["error"]) if "error" in data else SignedCopy(**data)


@dataclass(frozen=True)
class Correction:
    """A field set by a person (a clerk, beside the page image): confirmed, and preferred
    over what OCR read. Kept apart from the record in the ledger, so that neither a new
    extraction nor a rebuilt index undoes it."""

    field: str
    old: str | None
    new: str | None
    by: str
    at: str
    """ISO 8601, UTC."""


@dataclass(frozen=True)
class Record:
    """Everything sohoa stores and indexes about one document (one result)."""

    id: str
    """The SHA-256 of the content; for the second and later results of a stack scanned as
    one file, ``result_id`` of the file's hash and the result's first page."""
    source: SourceInfo
    pages: int
    born_digital: bool
    """True when the text came from the PDF's own text layer."""
    ocr: OcrInfo
    text: str
    """Full text, pages separated by form feeds."""
    extraction: Extraction
    validity: Validity
    processed_at: dt.datetime
    status: RecordStatus = RecordStatus.indexed
    error: str | None = None
    error_code: str | None = None
    signing_times: tuple[str, ...] = field(default=())
    """/M times of the PDF's signature dictionaries (ISO), as evidence for dates."""
    layout: tuple[PageLayout, ...] = field(default=(), repr=False)
    """Per page: size and lines with boxes and word confidences (stored as ``core.layout.page_to_json``)."""
    signatures: DocumentVerdict | None = None
    """The digital-signature verdict (``sohoa.signatures.verify``); None when the file was
    never checked (failed, or ingested before sohoa verified signatures)."""

    blank_pages: tuple[int, ...] = ()
    """Pages with no print (the backs of a duplex scan), recognised from their pixels and not OCR'd."""

    signed_copy: SignedCopy | CopyFailure | CopyToSign | None = None
    """The signed digitised copy (``--sign-with``), why it could not be made, or None."""

    corrections: tuple[Correction, ...] = ()
    """The fields people corrected, oldest first; ``fields`` already shows the newest of each."""

    page_range: tuple[int, int] | None = None
    """The pages of its file that are this result (first, last), when the file is a stack of
    several results (``sohoa.ocr.boundaries``); None: the whole file."""

    more: tuple[Record, ...] = field(default=(), repr=False, compare=False)
    """The other results of a stack, carried with the first from the worker until the ledger
    stores each as a record of its own; never stored as part of this one."""

    def corrected(self, corrections: tuple[Correction, ...]) -> Record:
        """This record as people corrected it: each corrected field holds its newest value,
        with confidence 1 (confirmed by a person)."""
        if not corrections:
            return self
        fields, confidence = dict(self.extraction.fields), dict(self.extraction.confidence)
        for c in corrections:
            fields[c.field], confidence[c.field] = c.new, 1.0 if c.new else 0.0
        extraction = dataclasses.replace(self.extraction, fields=fields, confidence=confidence)
        return dataclasses.replace(self, extraction=extraction, corrections=corrections)

    @property
    def confirmed(self) -> frozenset[str]:
        """The fields a person set."""
        return frozenset(c.field for c in self.corrections)

    @property
    def signature_status(self) -> str:
        """``unsigned``, the worst status of the file's signatures, or ``unchecked``."""
        return self.signatures.status.value if self.signatures else "unchecked"

    def to_json(self) -> dict[str, Any]:
        """The JSONL export form (``sohoa export``), stable for other tools."""
        if isinstance(self.signed_copy, CopyToSign):
            raise ValueError(f"record {self.id}: its copy is signed before the record is stored or exported")
        return {
            "id": self.id,
            "source": dataclasses.asdict(self.source),
            "pages": self.pages,
            "blank_pages": list(self.blank_pages),
            "page_range": list(self.page_range) if self.page_range else None,
            "born_digital": self.born_digital,
            "ocr": {
                "engine": self.ocr.engine,
                "mean_confidence": self.ocr.mean_confidence,
                "preprocessing": list(self.ocr.preprocessing),
                "model": self.ocr.model,
                "machine": self.ocr.machine,
            },
            "text": self.text,
            "fields": dict(self.extraction.fields),
            "field_confidence": dict(self.extraction.confidence),
            "field_notes": list(self.extraction.notes),
            "rule": self.extraction.rule,
            "extraction_version": self.extraction.version,
            "validity": {
                "status": self.validity.status.value,
                "as_of": self.validity.as_of.isoformat(),
                "reason": self.validity.message[1],
                "reason_code": self.validity.reason,
                "reason_value": self.validity.value,
                "without_end_date": self.validity.without_end_date,
            },
            "signing_times": list(self.signing_times),
            "signatures": self.signatures.to_json() if self.signatures else None,
            "signed_copy": dataclasses.asdict(self.signed_copy) if self.signed_copy else None,
            "corrections": [dataclasses.asdict(c) for c in self.corrections],
            "layout": [page_to_json(page) for page in self.layout],
            "processed_at": self.processed_at.isoformat(),
            "status": self.status.value,
            "error": self.error,
            "error_code": self.error_code,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        ocr = data["ocr"]
        validity = data["validity"]
        return cls(
            id=data["id"],
            source=SourceInfo(**data["source"]),
            pages=data["pages"],
            blank_pages=tuple(data.get("blank_pages", ())),
            page_range=tuple(data["page_range"]) if data.get("page_range") else None,  # type: ignore[arg-type]
            born_digital=data["born_digital"],
            ocr=OcrInfo(ocr["engine"], ocr["mean_confidence"], tuple(ocr.get("preprocessing", ())), ocr.get("model"),
                        ocr.get("machine")),
            text=data["text"],
            extraction=Extraction(
                fields={**dict.fromkeys(FIELD_NAMES), **data["fields"]},
                confidence=dict(data["field_confidence"]),
                notes=tuple(data.get("field_notes", ())),
                rule=data.get("rule"),
                version=data.get("extraction_version", 1),
            ),
            validity=Validity(
                ValidityStatus(validity["status"]),
                dt.date.fromisoformat(validity["as_of"]),
                validity.get("reason_code", validity.get("reason", "")),
                validity.get("without_end_date"),
                validity.get("reason_value"),
            ),
            processed_at=dt.datetime.fromisoformat(data["processed_at"]),
            status=RecordStatus(data.get("status", "indexed")),
            error=data.get("error"),
            error_code=data.get("error_code"),
            signing_times=tuple(data.get("signing_times", ())),
            layout=tuple(page_from_json(page) for page in data.get("layout", ())),
            signatures=DocumentVerdict.from_json(data["signatures"]) if data.get("signatures") else None,
            signed_copy=copy_from_json(data.get("signed_copy")),
            corrections=tuple(Correction(**c) for c in data.get("corrections", ())),
        )

    @property
    def fields(self) -> dict[str, str | None]:
        return self.extraction.fields


def empty_extraction() -> Extraction:
    return Extraction({name: None for name in FIELD_NAMES}, {name: 0.0 for name in FIELD_NAMES})


def result_id(file_sha256: str, first_page: int) -> str:
    """The id of a stack's result that starts on ``first_page`` (not the first result, which
    the file's own hash names): a hash of both, hexadecimal as every record id."""
    return hashlib.sha256(f"{file_sha256}:{first_page}".encode()).hexdigest()
