"""A small PKI built at test time, PDFs signed with it by pyHanko, and ways to break them.

Two chains under one trusted root: "CA A" publishes a CRL (written to the trust
directory), "CA B" declares a CRL location whose CRL is never at hand. Signers: a good
one (no revocation location: revocation does not apply), an expired one, a revoked one,
one under CA B, and one under a second root that is not trusted. Keys are EC P-256:
quick to make.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from sohoa.signatures.blocking import outside_event_loop

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


@dataclass
class Identity:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: list[x509.Certificate] = field(default_factory=list)
    """Issuing CAs, nearest first (without the root)."""

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str, org: str = "Sở Thông tin và Truyền thông (thử nghiệm)") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn: str, issuer: Identity | None, *, ca: bool, not_before: dt.datetime = NOW - 30 * DAY,
           not_after: dt.datetime = NOW + 365 * DAY, crl_url: str | None = None,
           org: str = "Sở Thông tin và Truyền thông (thử nghiệm)") -> Identity:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn, org)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if ca:
        usage = dict(digital_signature=False, content_commitment=False, key_cert_sign=True, crl_sign=True)
    else:
        usage = dict(digital_signature=True, content_commitment=True, key_cert_sign=False, crl_sign=False)
    builder = builder.add_extension(x509.KeyUsage(key_encipherment=False, data_encipherment=False,
                                                  key_agreement=False, encipher_only=False, decipher_only=False,
                                                  **usage), critical=True)
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    chain = [issuer.cert, *issuer.chain] if issuer else []
    return Identity(cert, key, [c for c in chain if c.subject != c.issuer])


@dataclass
class TestPki:
    root: Identity
    other_root: Identity
    ca_a: Identity
    ca_b: Identity
    signers: dict[str, Identity]
    crl: x509.CertificateRevocationList

    def write_trust_dir(self, folder: Path) -> Path:
        """The trusted root, both intermediates and CA A's CRL (PEM and DER mixed)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root.pem").write_bytes(self.root.pem())
        (folder / "ca-a.cer").write_bytes(self.ca_a.cert.public_bytes(serialization.Encoding.DER))
        (folder / "ca-b.crt").write_bytes(self.ca_b.pem())
        (folder / "ca-a.crl").write_bytes(self.crl.public_bytes(serialization.Encoding.DER))
        (folder / "README.txt").write_text("not a certificate: ignored", encoding="utf-8")
        return folder

    def p12(self, name: str, passphrase: bytes) -> bytes:
        who = self.signers[name]
        return pkcs12.serialize_key_and_certificates(
            b"agency", who.key, who.cert, who.chain, serialization.BestAvailableEncryption(passphrase))


def build() -> TestPki:
    root = _issue("Sohoa Test Root CA", None, ca=True, not_before=NOW - 3650 * DAY, not_after=NOW + 3650 * DAY)
    other_root = _issue("Untrusted Root CA", None, ca=True, org="Somebody Else")
    ca_a = _issue("Sohoa Test CA A", root, ca=True)
    ca_b = _issue("Sohoa Test CA B", root, ca=True)
    crl_a = "http://crl.sohoa.test/ca-a.crl"
    signers = {
        "good": _issue("Ủy ban nhân dân xã Thử Nghiệm", ca_a, ca=False),
        # A copying agency whose name wraps in the SAO Y block (a CN holds at most 64 bytes of UTF-8).
        "long_name": _issue("Văn phòng Đăng ký đất đai chi nhánh Lạng Giang", ca_a, ca=False),
        "expired": _issue("Người ký hết hạn", ca_a, ca=False, not_before=NOW - 400 * DAY, not_after=NOW - 2 * DAY),
        "revoked": _issue("Người ký bị thu hồi", ca_a, ca=False, crl_url=crl_a),
        "listed_not_revoked": _issue("Người ký có CRL", ca_a, ca=False, crl_url=crl_a),
        "no_crl_at_hand": _issue("Người ký thiếu CRL", ca_b, ca=False, crl_url="http://crl.sohoa.test/ca-b.crl"),
        "untrusted": _issue("Người ký lạ", other_root, ca=False, org="Somebody Else"),
    }
    revoked = (x509.RevokedCertificateBuilder().serial_number(signers["revoked"].cert.serial_number)
               .revocation_date(NOW - DAY)
               .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_a.cert.subject)
           .last_update(NOW - DAY / 2).next_update(NOW + 30 * DAY).add_revoked_certificate(revoked)
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_a.key.public_key()), critical=False)
           .sign(ca_a.key, hashes.SHA256()))
    return TestPki(root, other_root, ca_a, ca_b, signers, crl)


MARKER = b"SOHOA-SIGNED-TEXT"


def blank_pdf() -> bytes:
    """A one-page PDF with an uncompressed content stream holding MARKER."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
    page.obj.Contents = pdf.make_stream(b"BT /F1 14 Tf 72 760 Td (" + MARKER + b") Tj ET")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@outside_event_loop  # pyHanko's blocking call runs asyncio.run: not in Playwright's loop
def sign(data: bytes, who: Identity, field_name: str = "Signature1") -> bytes:
    """``data`` signed by ``who`` with pyHanko (adbe.pkcs7.detached... PAdES B-B)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key = asn1_keys.PrivateKeyInfo.load(who.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=asn1(who.cert), signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in who.chain]))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=field_name, subfilter=None),
                           signer=signer)
    return out.getvalue()


# ---------------------------------------------------------------- breaking signed files

def change_signed_byte(data: bytes) -> bytes:
    """One byte of the page text changed: inside the signed range."""
    assert data.count(MARKER) == 1
    return data.replace(MARKER, MARKER[:-1] + b"X")


def add_page_content(data: bytes) -> bytes:
    """A later revision draws new text on the signed page."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 700 Td (Added after signing) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _contents_span(data: bytes) -> tuple[int, int]:
    """Where the hex digits of the (last) signature's /Contents lie."""
    import re

    ranges = [int(x) for x in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", data)[-1]]
    return ranges[1] + 1, ranges[2] - 1  # inside the < >


def corrupt_signature_value(data: bytes) -> bytes:
    """A hex digit flipped near the end of the CMS: the signature value no longer verifies."""
    start, end = _contents_span(data)
    hexdigits = data[start:end].rstrip(b"0")
    pos = start + len(hexdigits) - 10
    flipped = b"0" if data[pos:pos + 1] != b"0" else b"1"
    return data[:pos] + flipped + data[pos + 1:]


def garble_signature(data: bytes) -> bytes:
    """The start of the CMS overwritten: the signature cannot be parsed at all."""
    start, _ = _contents_span(data)
    return data[:start] + b"FFFFFFFF" + data[start + 8:]


SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
_IMPORT_CERTIFICATES = """
import sys
import pkcs11
from pkcs11 import Attribute, CertificateType, ObjectClass

lib = pkcs11.lib(sys.argv[1])
with lib.get_token(token_label=sys.argv[2]).open(rw=True, user_pin=sys.argv[3]) as session:
    for n, path in enumerate(sys.argv[4:]):
        der, subject = open(path, "rb").read().split(b"\\n--subject--\\n")
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE:
                               CertificateType.X_509, Attribute.TOKEN: True, Attribute.VALUE: der,
                               Attribute.SUBJECT: subject, Attribute.LABEL: "agency" if n == 0 else f"ca{n}",
                               **({Attribute.ID: b"\\x01"} if n == 0 else {})})
"""


def softhsm_token(who: Identity, folder: Path, pin: str, label: str = "sohoa-test") -> tuple[str, dict[str, str]]:
    """A SoftHSM2 token in ``folder`` holding ``who``'s key (it never leaves it) and
    certificate chain, as an agency's hardware token does: the PKCS#11 URI of the key, and
    the environment a process needs to find the token (``SOFTHSM2_CONF``)."""
    import os
    import subprocess
    import sys

    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin",
                    pin + "-so"], env=env, check=True, capture_output=True)
    key = folder / "key.pem"
    key.write_bytes(who.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key), "--token", label, "--label", "agency", "--id", "01",
                    "--pin", pin], env=env, check=True, capture_output=True)
    key.unlink()
    certs = []
    for n, cert in enumerate([who.cert, *who.chain]):
        path = folder / f"cert{n}.bin"
        path.write_bytes(cert.public_bytes(serialization.Encoding.DER) + b"\n--subject--\n" +
                         cert.subject.public_bytes())
        certs.append(str(path))
    subprocess.run([sys.executable, "-c", _IMPORT_CERTIFICATES, SOFTHSM_MODULE, label, pin, *certs], env=env,
                   check=True, capture_output=True)
    return f"pkcs11:token={label};object=agency?module-path={SOFTHSM_MODULE}", {"SOFTHSM2_CONF": str(conf)}


def tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A Dask cluster's own CA and one certificate it issues (for the scheduler, the
    workers and the client alike, as Dask's mutual TLS takes them): (ca, cert, key) PEM files."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = _issue("Sohoa Test Cluster CA", None, ca=True)
    member = _issue("sohoa-cluster-member", ca, ca=False)
    paths = folder / "ca.pem", folder / "member.pem", folder / "member-key.pem"
    paths[0].write_bytes(ca.pem())
    paths[1].write_bytes(member.pem())
    paths[2].write_bytes(member.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return paths
