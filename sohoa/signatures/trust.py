"""The trust store: which certificate authorities sohoa trusts, and the revocation data
it may use offline.

A trust directory holds certificates (``.pem``, ``.crt``, ``.cer``: PEM or DER, one or
more per file) and, optionally, certificate revocation lists (``.crl``: PEM or DER).
A self-signed certificate there is a **trust root**; any other certificate is an
**intermediate**, used to build paths but trusted only through a root. Vietnamese
government and public signatures need, for instance, the Ban Cơ yếu Chính phủ roots
(RootCA chuyên dùng Chính phủ G1/G2), their sub-CAs ("CA phục vụ các cơ quan Nhà nước
G2", "Cơ quan chứng thực số Chính phủ" G1), and the NEAC Vietnam National Root CA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem, x509

from sohoa.core.errors import ConfigError

CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
CRL_SUFFIXES = {".crl"}


def _blocks(data: bytes, kinds: tuple[str, ...]) -> list[bytes]:
    """DER blobs in ``data``: every PEM block of one of ``kinds``, or the whole file as DER."""
    if pem.detect(data):
        return [der for kind, _, der in pem.unarmor(data, multiple=True) if kind in kinds]
    return [data]


@dataclass
class TrustStore:
    roots: list[x509.Certificate] = field(default_factory=list)
    intermediates: list[x509.Certificate] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    source: Path | None = None

    @classmethod
    def empty(cls) -> TrustStore:
        return cls()

    @classmethod
    def load(cls, directory: Path) -> TrustStore:
        """Read every certificate and CRL in ``directory`` (not recursively)."""
        if not directory.is_dir():
            raise ConfigError(
                f"Không có thư mục tin cậy {directory}. Hãy tạo nó và chép vào đó chứng thư gốc (.pem/.crt/.cer) "
                "và CRL (.crl), hoặc bỏ --trust.",
                f"The trust directory {directory} does not exist. Create it and copy root certificates "
                "(.pem/.crt/.cer) and CRLs (.crl) into it, or leave out --trust.")
        store = cls(source=directory)
        for path in sorted(directory.iterdir()):
            suffix = path.suffix.lower()
            if suffix not in CERT_SUFFIXES | CRL_SUFFIXES or not path.is_file():
                continue
            try:
                data = path.read_bytes()
                if suffix in CRL_SUFFIXES:
                    for der in _blocks(data, ("X509 CRL",)):
                        crl = asn1_crl.CertificateList.load(der)
                        crl.native  # noqa: B018  (parse now, so a broken file is named here)
                        store.crls.append(crl)
                    continue
                for der in _blocks(data, ("CERTIFICATE", "TRUSTED CERTIFICATE")):
                    cert = x509.Certificate.load(der)
                    cert.native  # noqa: B018
                    (store.roots if cert.self_signed != "no" else store.intermediates).append(cert)
            except (ValueError, TypeError, OSError) as exc:
                raise ConfigError(
                    f"Không đọc được {path} trong thư mục tin cậy: {exc}. Tệp phải là chứng thư hoặc CRL dạng "
                    "PEM hay DER; hãy sửa hoặc xoá nó.",
                    f"Cannot read {path} in the trust directory: {exc}. It must be a PEM or DER certificate "
                    "or CRL; fix or remove it.") from exc
        return store

    def describe(self) -> str:
        return (f"{len(self.roots)} roots, {len(self.intermediates)} intermediates, {len(self.crls)} CRLs"
                + (f" from {self.source}" if self.source else ""))
