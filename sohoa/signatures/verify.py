"""Verifying the digital signatures of a PDF: one verdict per signature and one per file.

pikepdf finds the signature fields, so that a signature pyHanko cannot parse is still
listed, with the reason. pyHanko and pyhanko-certvalidator check each signature: the
signed bytes against the digest, the signature value, what later revisions changed,
and the certificate path to a root of the trust store, at the time of signing, with
revocation data. Certificates are judged at signing time, since an archive keeps
results whose certificates have long expired. That time is the RFC 3161 timestamp when
the signature carries one, else the time the signer claimed.

Revocation is checked from offline data only (CRLs in the trust directory, revocation
data embedded in the signature or in the document's DSS), unless ``online`` allows
fetching. A certificate that says where its revocation status is published, with no
such data at hand, gives ``unknown_revocation``, never ``valid``.

The legacy government chain G1 (RootCA chuyên dùng Chính phủ G1 and its sub-CA) is
signed with SHA-1. By default SHA-1 is accepted in certificate paths, because G1 still
certifies agency seals issued in 2025 and valid until 2030. Every signature whose path
or digest used it carries ``weak_algorithms: ["sha1"]`` and says so in its message.
With ``allow_sha1=False`` such a path is refused, and the verdict is at best
``valid_untrusted``.

The verdict types (``sohoa.core.verdict``) are in the core: records carry them, and the
index, search and export read them without this stage.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.core.pdf import open_pdf, parse_pdf_date, signature_fields
from sohoa.core.verdict import DocumentVerdict, SignatureVerdict, Status
from sohoa.signatures.blocking import outside_event_loop
from sohoa.signatures.trust import TrustStore

WEAK_HASHES = frozenset({"md2", "md5", "sha1"})


@dataclass(frozen=True)
class Facts:
    """What the checks found about one signature; its ``status`` follows from them."""

    intact: bool
    """The signed bytes match the digest."""
    value_verifies: bool
    """The signature value verifies with the signer's key."""
    modified: bool
    """Changed after signing beyond form filling, annotations and validation data."""
    revoked: bool
    expired: bool
    """The signer's certificate was outside its validity period at signing time."""
    unknown_revocation: bool
    """No revocation data at hand for a certificate that says where it is published."""
    trusted: bool
    """The certificate path reaches a root of the trust store, with no other problem."""

    @property
    def status(self) -> Status:
        """The worst thing the facts say, in the order of ``Status``."""
        if not (self.intact and self.value_verifies):
            return Status.invalid
        if self.modified:
            return Status.modified
        if self.revoked:
            return Status.revoked
        if self.expired:
            return Status.expired
        if self.unknown_revocation:
            return Status.unknown_revocation
        return Status.valid if self.trusted else Status.valid_untrusted


@functools.lru_cache(maxsize=4)
def trust_store(directory: Path | None) -> TrustStore:
    """The trust store in ``directory`` (empty without one), read once per process."""
    return TrustStore.load(directory) if directory else TrustStore.empty()


def verify_file(path: Path, fmt: str, settings: Any) -> DocumentVerdict:
    """The verdict for an ingested file: PDFs are verified, images are ``unsigned``."""
    if fmt != "pdf":
        return DocumentVerdict()
    return verify_pdf(path, trust_store(settings.trust_dir), online=settings.online, allow_sha1=settings.allow_sha1)


def _pdf_fields(path: Path) -> list[dict[str, Any]]:
    """Signature fields with a value, found with pikepdf: name, /SubFilter, /Type, /M."""

    with open_pdf(path) as pdf:
        return [{"field": name or None, "sub_filter": str(value.get("/SubFilter", ""))[1:] or None,
                 "type": str(value.get("/Type", "/Sig")), "claimed": parse_pdf_date(str(value.get("/M", "")))}
                for name, value in signature_fields(pdf)]


@outside_event_loop
def verify_pdf(path: Path, trust: TrustStore, *, online: bool = False, allow_sha1: bool = True) -> DocumentVerdict:
    """Every signature of the PDF at ``path``, and the file's overall status. Never raises
    for a bad file: what cannot be read becomes an ``error`` verdict with the reason."""
    try:
        fields = _pdf_fields(path)
    except Exception as exc:  # a damaged file is a verdict, not a crash
        return DocumentVerdict((SignatureVerdict(None, Status.error, detail=_reason(exc)),))
    if not fields:
        return DocumentVerdict()
    return DocumentVerdict(tuple(_verify_fields(path, fields, trust, online, allow_sha1)))


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "…"


def _verify_fields(path: Path, fields: list[dict[str, Any]], trust: TrustStore, online: bool,
                   allow_sha1: bool) -> Iterator[SignatureVerdict]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
    with path.open("rb") as fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            if reader.encrypted:
                reader.decrypt(b"")  # an empty user password, as archive PDFs often have
            embedded = {s.field_name: s for s in reader.embedded_signatures}
            dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
        except Exception as exc:
            for f in fields:
                yield _unreadable(f, _reason(exc))
            return
        for f in fields:
            sig = embedded.get(f["field"])
            if sig is None:
                yield _unreadable(f, "pyHanko found no signature in this field")
                continue
            try:
                yield _verify_one(sig, f, trust, dss, online, allow_sha1)
            except Exception as exc:
                yield _unreadable(f, _reason(exc))


def _unreadable(f: dict[str, Any], detail: str) -> SignatureVerdict:
    """An ``error`` verdict for the field ``f`` found by pikepdf."""
    return SignatureVerdict(f["field"], Status.error, sub_filter=f["sub_filter"], signing_time=f["claimed"],
                            detail=detail)


def _token_time(signed_data: Any) -> dt.datetime | None:
    """The genTime of an RFC 3161 timestamp token."""
    try:
        return signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # no usable token: the claimed time is used
        return None


def _timestamp_time(sig: Any) -> dt.datetime | None:
    """The time of the signature timestamp attached to ``sig``, if any."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    for signed_data in extract_tst_data_iter(sig.signer_info, signed=False):
        return _token_time(signed_data)
    return None


def _embedded_revinfo(sig: Any) -> tuple[list[Any], list[Any]]:
    """CRLs and OCSP responses in the signature's Adobe revocation-info attribute."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        archival = find_unique_cms_attribute(sig.signer_info["signed_attrs"], "adobe_revocation_info_archival")
    except Exception:
        return [], []
    return list(archival["crl"] or []), list(archival["ocsp"] or [])


def _context(trust: TrustStore, sig: Any, dss: Any, moment: dt.datetime | None, online: bool, allow_sha1: bool,
             revocation_mode: str) -> Any:
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

    crls, ocsps = _embedded_revinfo(sig)
    kwargs: dict[str, Any] = {
        "trust_roots": trust.roots, "other_certs": list(trust.intermediates),
        "crls": [*trust.crls, *crls], "ocsps": ocsps, "allow_fetching": online,
        "revocation_mode": revocation_mode, "moment": moment,
        # CRLs gathered for an archive are often issued after the signature; they still tell.
        "retroactive_revinfo": True,
        "algorithm_usage_policy": DisallowWeakAlgorithmsPolicy(
            weak_hash_algos=WEAK_HASHES - ({"sha1"} if allow_sha1 else set())),
    }
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _verify_one(sig: Any, f: dict[str, Any], trust: TrustStore, dss: Any, online: bool,
                allow_sha1: bool) -> SignatureVerdict:
    from pyhanko.sign.ades.report import AdESIndeterminate
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    is_doc_ts = f["type"] == "/DocTimeStamp"
    claimed = None if is_doc_ts else sig.self_reported_timestamp
    stamped = _token_time(sig.signed_data) if is_doc_ts else _timestamp_time(sig)
    moment = stamped or claimed

    def run(mode: str) -> Any:
        ctx = _context(trust, sig, dss, moment, online, allow_sha1, mode)
        if is_doc_ts:
            return validate_pdf_timestamp(sig, validation_context=ctx)
        return validate_pdf_signature(sig, signer_validation_context=ctx, ts_validation_context=ctx)

    status = run("hard-fail")
    unknown_revocation = False
    if status.trust_problem_indic == AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE:
        # Often only revocation data is missing: see whether the path holds without it,
        # or what more precise problem it has (an expired certificate, say).
        relaxed = run("soft-fail")
        if relaxed.trust_problem_indic != AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE:
            status = relaxed
            unknown_revocation = relaxed.trust_problem_indic is None and relaxed.validation_path is not None
    cert = status.signing_cert
    subject = cert.subject.native
    indic = status.trust_problem_indic
    facts = Facts(
        intact=bool(status.intact), value_verifies=bool(status.valid),
        modified=(status.modification_level == ModificationLevel.OTHER or status.docmdp_ok is False
                  or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION),
        revoked=bool(status.revoked)
        or indic in (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE),
        expired=indic in (AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.EXPIRED,
                          AdESIndeterminate.NOT_YET_VALID, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED),
        unknown_revocation=unknown_revocation or indic == AdESIndeterminate.TRY_LATER,
        trusted=indic is None and status.validation_path is not None,
    )
    verdict = SignatureVerdict(
        field=f["field"], status=facts.status, sub_filter=f["sub_filter"],
        signer={"cn": subject.get("common_name"), "o": subject.get("organization_name")},
        issuer=cert.issuer.human_friendly, serial=format(cert.serial_number, "x"),
        signing_time=(claimed.isoformat() if claimed else f["claimed"]),
        timestamp_time=(status.timestamp.isoformat() if is_doc_ts else stamped.isoformat() if stamped else None),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        digest_algorithm=status.md_algorithm,
        trust_anchor=status.validation_path[0].subject.human_friendly if status.validation_path else None,
        weak_algorithms=_weak(status),
        detail=_detail(facts.status, status, cert, moment),
    )
    return verdict


def _detail(verdict: Status, status: Any, cert: Any, moment: dt.datetime | None) -> str | None:
    """The technical reason behind ``verdict``, for whoever investigates."""
    indic = status.trust_problem_indic
    if verdict is Status.invalid:
        return "digest mismatch" if not status.intact else "signature value does not verify"
    if verdict is Status.modified:
        return str(status.diff_result) if status.diff_result is not None else f"coverage {status.coverage}"
    if verdict is Status.revoked and status.revocation_details is not None:
        details = status.revocation_details
        return f"revoked on {details.revocation_date.isoformat()} ({details.revocation_reason.native})"
    if verdict is Status.expired:
        valid_from, valid_to = cert.not_valid_before.isoformat(), cert.not_valid_after.isoformat()
        return (f"certificate valid {valid_from} to {valid_to}, "
                f"signed {moment.isoformat() if moment else 'at an unknown time'}")
    if verdict is Status.unknown_revocation:
        return "no revocation data at hand for a certificate that declares CRL/OCSP locations"
    return indic.name if indic is not None else None


def _weak(status: Any) -> tuple[str, ...]:
    """Weak hash algorithms used by the signature, or to sign a certificate of its path
    (the trust anchor's signature on itself proves nothing, so it does not count)."""
    used = {status.md_algorithm}
    if status.validation_path is not None:
        used |= {cert.hash_algo for cert in list(status.validation_path)[1:]}
    return tuple(sorted(a for a in used if a in WEAK_HASHES))
