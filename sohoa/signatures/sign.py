"""Signing a digitised copy as its agency: the key from a PKCS#12 file or on a hardware
token through PKCS#11 (as Vietnamese agencies' keys are issued; the key never leaves the
token), and the PAdES signature whose appearance is the imageless "SAO Y" block of Decree
30/2020 for electronic copies.

The block reads "SAO Y", the copying agency (wrapped to the block's width), and the
signing time in ISO 8601 with +07:00, in Times New Roman 10 pt (Liberation Serif,
metrically the same), black. Where it goes on page 1 is chosen by ``sohoa.ingest.copies``
from the page image (free space at the top right); ``stamp_lines`` and ``stamp_size``
tell it how big the block is. When the signer's path validates against the trust store,
the certificates and any revocation data at hand go into the document's DSS (PAdES B-LT
when revocation data was embedded, else B-B).

pyHanko (0.38) writes an embedded font's glyph advances into the PDF as if the font had
1000 units per em. Liberation Serif has 2048: each letter then advanced twice as far as
it should ("S A O Y", the agency running off the page), and the widths in the font
dictionary disagreed with the font program (PDF/A rule 6.2.11.5). The block is set in a
copy of the font scaled to 1000 units per em (``stamp_font``), made once per process.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import math
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from sohoa.core.errors import ConfigError, MissingDependencyError
from sohoa.core.validity import VIETNAM
from sohoa.signatures.blocking import outside_event_loop

STAMP_FONT_SIZE = 10
STAMP_LEADING = 12
STAMP_PADDING = 3
"""Points between the block's edge and its text."""
STAMP_TEXT_WIDTH = 200.0
"""Points: the widest line of the block; a longer agency name wraps (about 7 cm)."""
STAMP_UNICODE = (*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00))
"""What the block's font keeps: Latin, its accents and every Vietnamese letter."""
FONT_CANDIDATES = (  # Liberation 2 has every Vietnamese letter; Liberation 1.07 lacks Ủ, Ộ, Ư...
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
)
FIELD_NAME = "SaoY"


def font_path() -> Path:
    """A Times New Roman compatible TrueType font with Vietnamese glyphs."""
    chosen = os.environ.get("SOHOA_STAMP_FONT")
    for candidate in (chosen, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise MissingDependencyError(
        "Không tìm thấy phông Liberation Serif 2 để in khối chữ ký. Cài gói fonts-liberation2 (scripts/bootstrap làm "
        "việc này) hoặc đặt SOHOA_STAMP_FONT trỏ tới một tệp .ttf có chữ tiếng Việt.",
        "The Liberation Serif 2 font for the signature block is missing. Install fonts-liberation2 (scripts/bootstrap "
        "does) or set SOHOA_STAMP_FONT to a .ttf file with Vietnamese glyphs.")


PKCS11_SCHEME = "pkcs11:"


def is_token(spec: str | Path) -> bool:
    """Whether ``--sign-with`` names a key on a hardware token (an RFC 7512 URI) rather than a file."""
    return str(spec).startswith(PKCS11_SCHEME)


@functools.lru_cache(maxsize=2)
def load_signer(spec: str | Path, passphrase: bytes | None) -> Any:
    """The agency's key and certificate chain, once per process: from a PKCS#12 file
    (``passphrase``: the file's), or from a hardware token named by a PKCS#11 URI
    (``passphrase``: the token's PIN; the key never leaves the token)."""
    from pyhanko.sign import signers

    for noisy in ("pyhanko", "fontTools"):  # tracebacks and font-table notes, not for clerks
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    if is_token(spec):
        return _token_signer(str(spec), passphrase)
    p12 = Path(spec)
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=passphrase)
    except (OSError, ValueError) as exc:
        signer = None
        reason = str(exc)
    else:
        reason = "no key or certificate in it"
    if signer is None:
        raise ConfigError(
            f"Không mở được tệp khoá ký {p12}: sai mật khẩu, hoặc tệp không phải PKCS#12 ({reason}). Kiểm tra "
            "SOHOA_SIGN_PASSPHRASE hoặc mật khẩu đã nhập.",
            f"Cannot open the signing key file {p12}: wrong passphrase, or not a PKCS#12 file ({reason}). Check "
            "SOHOA_SIGN_PASSPHRASE or the passphrase you typed.")
    return signer


def token_uri(uri: str) -> dict[str, str]:
    """The attributes of a PKCS#11 URI (RFC 7512: ``pkcs11:token=...;object=...?module-path=...``),
    percent-decoded; ``id`` stays percent-encoded bytes' text."""
    from urllib.parse import unquote, unquote_to_bytes

    body, _, query = uri[len(PKCS11_SCHEME):].partition("?")
    found: dict[str, str] = {}
    for part in [*body.split(";"), *query.split("&")]:
        name, eq, value = part.partition("=")
        if eq:
            found[name.strip()] = unquote_to_bytes(value).hex() if name.strip() == "id" else unquote(value)
    return found


def _token_signer(uri: str, pin: bytes | None) -> Any:
    """A signer whose key stays on the token: a session opened with ``pin`` on the token the
    URI names, through the PKCS#11 module it names (``module-path``) or ``SOHOA_PKCS11_MODULE``."""
    attrs = token_uri(uri)
    module = attrs.get("module-path") or os.environ.get("SOHOA_PKCS11_MODULE")
    if not module or not Path(module).is_file():
        raise ConfigError(
            f"Không tìm thấy thư viện PKCS#11 của thiết bị ký ({module or 'chưa chỉ định'}). Ghi nó trong URI "
            "(?module-path=/đường/dẫn/thư-viện.so) hoặc đặt SOHOA_PKCS11_MODULE; thư viện do nhà cung cấp token "
            "cài (với SoftHSM: /usr/lib/softhsm/libsofthsm2.so).",
            f"The hardware token's PKCS#11 library was not found ({module or 'not given'}). Name it in the URI "
            "(?module-path=/path/to/library.so) or set SOHOA_PKCS11_MODULE; the token's vendor installs it (for "
            "SoftHSM: /usr/lib/softhsm/libsofthsm2.so).")
    try:
        from pkcs11 import Mechanism
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    except ImportError as exc:
        raise MissingDependencyError(
            "Thiếu gói python-pkcs11 để ký bằng thiết bị ký số: chạy lại scripts/bootstrap.",
            "The python-pkcs11 package for signing on a hardware token is missing: run scripts/bootstrap again."
        ) from exc
    key_id = bytes.fromhex(attrs["id"]) if attrs.get("id") else None
    label = attrs.get("object")
    try:
        session = open_pkcs11_session(
            module, slot_no=int(attrs["slot-id"]) if attrs.get("slot-id") else None,
            token_criteria=TokenCriteria(label=attrs.get("token"), serial=attrs.get("serial")),
            user_pin=(pin or attrs.get("pin-value", "").encode()).decode() or None)
        signer = PKCS11Signer(session, key_label=label, cert_label=label, key_id=key_id, cert_id=key_id)
        # Tokens that cannot hash (SoftHSM's ECDSA, many RSA tokens) sign a digest made here.
        hashed = {"ec": Mechanism.ECDSA_SHA256, "rsa": Mechanism.SHA256_RSA_PKCS}.get(
            signer.signing_cert.public_key.algorithm)
        if hashed is not None and hashed not in session.token.slot.get_mechanisms():
            signer = PKCS11Signer(session, key_label=label, cert_label=label, key_id=key_id, cert_id=key_id,
                                  use_raw_mechanism=True)
        signer.signing_cert  # noqa: B018 (finds the key and its certificate now: a wrong label fails here)
    except Exception as exc:  # pkcs11's errors (no such token, a wrong PIN), pyHanko's (no such key)
        detail = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        raise ConfigError(
            f"Không mở được khoá ký trên thiết bị ({uri.split('?')[0]}): {detail}. Kiểm tra thiết bị đã cắm, nhãn "
            "token và khoá (token=, object= hoặc id=) và mã PIN (SOHOA_SIGN_PASSPHRASE hoặc nhập khi được hỏi).",
            f"Cannot open the signing key on the token ({uri.split('?')[0]}): {detail}. Check that the token is "
            "plugged in, its label and the key's (token=, object= or id=), and the PIN (SOHOA_SIGN_PASSPHRASE or "
            "typed when asked).") from exc
    return signer


def agency_name(signer: Any) -> str:
    subject = signer.signing_cert.subject.native
    return subject.get("common_name") or subject.get("organization_name") or "?"


@functools.lru_cache(maxsize=2)
def stamp_font(path: Path) -> Path:
    """``path`` as pyHanko needs it for the block (see the module docstring): Latin and
    Vietnamese letters only, no hinting (instructions do not survive scaling), no layout
    tables, 1000 units per em. Written once per font under the temporary folder, shared by
    processes.

    The block's text is NFC (precomposed letters) and needs no substitutions; without
    GSUB/GPOS there is no kerning either, so a line is exactly as wide as ``text_width``
    says, and pyHanko, which subsets the font again for each copy, parses a third of the
    tables it did (40 ms of a copy's signing, profiled)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset": notes, not for clerks
    stat = path.stat()
    made = f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}-1000upm-plain"
    target = Path(tempfile.gettempdir()) / f"sohoa-stamp-{made}.ttf"
    if target.is_file():
        return target
    font = TTFont(str(path))
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=STAMP_UNICODE)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    part = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(part))
    os.replace(part, target)
    return target


@functools.lru_cache(maxsize=2)
def _advances(font: Path) -> tuple[dict[int, str], dict[str, int]]:
    from fontTools.ttLib import TTFont

    tt = TTFont(str(font))
    return tt.getBestCmap(), {name: adv for name, (adv, _) in tt["hmtx"].metrics.items()}


def text_width(text: str, size: float = STAMP_FONT_SIZE) -> float:
    """Points ``text`` takes in the block's font at ``size`` (the font has no kerning)."""
    cmap, advances = _advances(stamp_font(font_path()))
    return sum(advances.get(cmap.get(ord(ch), ".notdef"), 500) for ch in text) * size / 1000


def stamp_lines(agency: str, when: str) -> list[str]:
    """The block's lines: "SAO Y", the agency wrapped at word boundaries to
    ``STAMP_TEXT_WIDTH``, the time."""
    lines: list[str] = []
    for word in unicodedata.normalize("NFC", agency).split():
        if lines and text_width(f"{lines[-1]} {word}") <= STAMP_TEXT_WIDTH:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return ["SAO Y", *lines, when]


def stamp_size(lines: list[str]) -> tuple[int, int]:
    """(width, height) in whole points of the block that holds ``lines`` (pyHanko lays
    boxes out in whole points)."""
    width = max(text_width(line) for line in lines)
    return (math.ceil(min(width, STAMP_TEXT_WIDTH)) + 2 * STAMP_PADDING + 2,
            len(lines) * STAMP_LEADING + 2 * STAMP_PADDING)


def signing_time(when: dt.datetime | None = None) -> str:
    """The time the block shows: ISO 8601 in Vietnam's time (+07:00), to the second."""
    return (when or dt.datetime.now(dt.UTC)).astimezone(VIETNAM).replace(microsecond=0).isoformat()


def signature_room(signer: Any) -> int:
    """Hex digits to reserve in the PDF for the CMS signature of ``signer``: its
    certificates, which the CMS carries, and 8 KiB for the signed attributes and the
    signature value, with pyHanko's own 50% margin. Without it pyHanko builds and signs a
    dummy CMS first to measure it (a fifth of a copy's signing, profiled); revocation data
    goes into the DSS, outside this room."""
    certs = {cert.dump() for cert in (signer.signing_cert, *signer.cert_registry)}
    need = 2 * (sum(len(der) for der in certs) + 8192)
    return need + 2 * (need // 4)


@outside_event_loop
def sign_copy(data: bytes, signer: Any, trust: Any, box: tuple[int, int, int, int], lines: list[str], *,
              online: bool = False) -> tuple[bytes, str]:
    """Sign ``data`` with the Decree 30 copy block showing ``lines`` in ``box`` (x0, y0,
    x1, y1 in points on page 1); (signed bytes, PAdES level)."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator import ValidationContext

    top_left = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MIN,
                                          y_align=layout.AxisAlignment.ALIGN_MAX,
                                          margins=layout.Margins.uniform(STAMP_PADDING))
    font = GlyphAccumulatorFactory(str(stamp_font(font_path())), font_size=STAMP_FONT_SIZE)
    style = TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in lines),
        text_box_style=TextBoxStyle(font=font, font_size=STAMP_FONT_SIZE, leading=STAMP_LEADING,
                                    box_layout_rule=layout.SimpleBoxLayoutRule(
                                        x_align=layout.AxisAlignment.ALIGN_MIN,
                                        y_align=layout.AxisAlignment.ALIGN_MAX),
                                    text_color=(0.0, 0.0, 0.0)),
        inner_content_layout=top_left, border_width=0, background=None)
    context = ValidationContext(trust_roots=trust.roots, other_certs=list(trust.intermediates),
                                crls=list(trust.crls), allow_fetching=online)

    def attempt(embed: bool) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, on_page=0, box=box))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, reason="SAO Y",
            embed_validation_info=embed, validation_context=context if embed else None)
        out = signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(
            writer, bytes_reserved=signature_room(signer), appearance_text_params={})
        return out.getvalue()

    level = "B-B"
    if trust.roots:
        try:
            signed = attempt(True)
        except Exception:  # the path does not validate: sign without validation data
            signed = attempt(False)
        else:
            reader = PdfFileReader(io.BytesIO(signed))
            dss = reader.root.get("/DSS")
            dss = dss.get_object() if dss is not None else None
            if dss is not None and ("/CRLs" in dss or "/OCSPs" in dss):
                level = "B-LT"
    else:
        signed = attempt(False)
    return signed, level
