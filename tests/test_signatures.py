"""Signature verdicts: every status from a PKI built here and PDFs signed and broken here,
the real signed files in shared/realdata, and signatures through ingest, search and export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sohoa.core.verdict import STATUS_ORDER, worst
from sohoa.signatures.trust import TrustStore
from sohoa.signatures.verify import verify_pdf
from tests import pki
from tests.conftest import REALDATA, copy_corpus


@pytest.fixture(scope="module")
def test_pki() -> pki.TestPki:
    return pki.build()


@pytest.fixture(scope="module")
def trust(test_pki: pki.TestPki, tmp_path_factory: pytest.TempPathFactory) -> TrustStore:
    return TrustStore.load(test_pki.write_trust_dir(tmp_path_factory.mktemp("trust")))


@pytest.fixture(scope="module")
def signed(test_pki: pki.TestPki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per case, written to a folder."""
    folder = tmp_path_factory.mktemp("signed")
    base = pki.blank_pdf()
    good = pki.sign(base, test_pki.signers["good"])
    cases = {name: pki.sign(base, who) for name, who in test_pki.signers.items()}
    cases.update({
        "changed_byte": pki.change_signed_byte(good),
        "content_added": pki.add_page_content(good),
        "bad_signature_value": pki.corrupt_signature_value(good),
        "garbled_signature": pki.garble_signature(good),
        "countersigned": pki.sign(good, test_pki.signers["listed_not_revoked"], field_name="Signature2"),
        "good_then_revoked": pki.sign(good, test_pki.signers["revoked"], field_name="Signature2"),
        "unsigned": base,
    })
    paths = {}
    for name, data in cases.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    return paths


EXPECTED = {
    "good": "valid",  # no revocation location: revocation does not apply
    "listed_not_revoked": "valid",  # CRL at hand, not listed
    "countersigned": "valid",
    "untrusted": "valid_untrusted",
    "expired": "expired",
    "revoked": "revoked",
    "good_then_revoked": "revoked",  # a document takes its worst signature
    "no_crl_at_hand": "unknown_revocation",
    "changed_byte": "invalid",
    "bad_signature_value": "invalid",
    "content_added": "modified",
    "garbled_signature": "error",
    "unsigned": "unsigned",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_every_status(case: str, signed: dict[str, Path], trust: TrustStore) -> None:
    verdict = verify_pdf(signed[case], trust)
    assert verdict.status == EXPECTED[case], [(s.status, s.detail) for s in verdict.signatures]
    for sig in verdict.signatures:
        assert all(sig.message)
        if sig.status != "error":
            assert sig.signer["cn"] and sig.issuer and sig.serial and sig.signing_time
            assert sig.sub_filter == "adbe.pkcs7.detached"


def test_signature_details(signed: dict[str, Path], trust: TrustStore, test_pki: pki.TestPki) -> None:
    good = verify_pdf(signed["good"], trust).signatures[0]
    assert good.signer == {"cn": "Ủy ban nhân dân xã Thử Nghiệm", "o": "Sở Thông tin và Truyền thông (thử nghiệm)"}
    assert good.serial == format(test_pki.signers["good"].cert.serial_number, "x")
    assert good.covers_whole_file and good.trust_anchor and "Sohoa Test Root CA" in good.trust_anchor
    assert good.weak_algorithms == () and good.timestamp_time is None
    revoked = verify_pdf(signed["revoked"], trust).signatures[0]
    assert "key_compromise" in revoked.detail
    twice = verify_pdf(signed["countersigned"], trust).signatures
    assert [s.covers_whole_file for s in twice] == [False, True]  # the first covers its own revision
    garbled = verify_pdf(signed["garbled_signature"], trust).signatures[0]
    assert "could not be read" in garbled.message[1] and garbled.detail in garbled.message[1]


def test_without_the_trust_store_nothing_is_trusted(signed: dict[str, Path]) -> None:
    assert verify_pdf(signed["good"], TrustStore.empty()).status == "valid_untrusted"


def test_worst_status_order() -> None:
    assert worst(["valid", "unknown_revocation", "valid_untrusted"]) == "unknown_revocation"
    assert worst(["expired", "invalid", "modified"]) == "invalid"
    assert worst([]) == "unsigned"
    # One bad signature makes the document bad, whatever the others; valid only when all are.
    for status in STATUS_ORDER:
        assert worst([status, "valid"]) == status
        assert worst(["invalid", status]) == "invalid"


def test_trust_dir_errors_name_the_file(tmp_path: Path) -> None:
    from sohoa.core.errors import ConfigError

    (tmp_path / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match=r"broken\.pem"):
        TrustStore.load(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        TrustStore.load(tmp_path / "missing")


def test_cli_verify_json(cli, signed: dict[str, Path], test_pki: pki.TestPki, tmp_path: Path) -> None:
    trust_dir = test_pki.write_trust_dir(tmp_path / "trust")
    files = [signed["good"], signed["changed_byte"], signed["unsigned"]]
    result = cli("verify", "--trust", str(trust_dir), "--json", *map(str, files))
    assert result.exit_code == 1  # not every file is valid or unsigned
    data = json.loads(result.stdout)
    assert [d["status"] for d in data] == ["valid", "invalid", "unsigned"]
    assert data[0]["path"] == str(files[0]) and data[0]["signatures"][0]["status"] == "valid"
    assert set(data[0]["signatures"][0]) >= {"status", "signer", "issuer", "serial", "signing_time",
                                             "timestamp_time", "covers_whole_file", "sub_filter",
                                             "message_vi", "message_en"}
    ok = cli("verify", "--trust", str(trust_dir), str(signed["good"]))
    assert ok.exit_code == 0 and "valid: Ủy ban nhân dân xã Thử Nghiệm" in ok.output
    missing = cli("verify", "--trust", str(tmp_path / "nope"), str(signed["good"]))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_ingest_keeps_signed_bytes_and_stores_verdicts(cli, signed: dict[str, Path], test_pki: pki.TestPki,
                                                       tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("good", "revoked", "changed_byte", "unsigned"):
        (folder / f"{name}.pdf").write_bytes(signed[name].read_bytes())
    folder = copy_corpus(folder, tmp_path / "scans")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    trust_dir = test_pki.write_trust_dir(tmp_path / "trust")
    assert cli("ingest", "--no-progress", "--trust", str(trust_dir), str(folder)).exit_code == 0
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before  # signed originals are never touched

    def found(*args: str) -> set[str]:
        hits = json.loads(cli("search", "", "--json", "--limit", "50", *args).stdout)["hits"]
        return {Path(h["path"]).stem for h in hits}

    assert found("--signature", "valid") == {"good"}
    assert found("--signature", "revoked") == {"revoked"}
    assert found("--signature", "invalid") == {"changed_byte"}
    assert found("--signature", "unsigned") == {"unsigned"}
    facets = json.loads(cli("search", "", "--json", "--facets").stdout)["facets"]["signature"]
    assert facets == {"invalid": 1, "revoked": 1, "unsigned": 1, "valid": 1}
    rows = [json.loads(line) for line in cli("export").stdout.splitlines()]
    by_name = {Path(r["source"]["path"]).stem: r for r in rows}
    assert by_name["revoked"]["signatures"]["signatures"][0]["status"] == "revoked"
    csv_out = cli("export", "--format", "csv").stdout
    assert "signature_status" in csv_out.splitlines()[0] and ",revoked," in csv_out
    text = cli("search", "", "--signature", "invalid").output
    assert "SIGNATURE INVALID" in text
    # Verdicts follow the trust store: without it, nobody is trusted; with it, back again.
    untrusted = cli("reverify")
    assert "Verified 4 PDFs again; verdicts changed: valid_untrusted: 2." in untrusted.output
    assert found("--signature", "valid_untrusted") == {"good", "revoked"}
    assert "verdicts changed: revoked: 1, valid: 1." in cli("reverify", "--trust", str(trust_dir)).output
    assert found("--signature", "valid") == {"good"}


def test_real_signed_files_get_the_verdicts_their_sources_lead_to_expect() -> None:
    vn = TrustStore.load(REALDATA / "certs" / "vn")
    test_ca = TrustStore.load(REALDATA / "certs" / "pyhanko_test_ca")
    docs, pdfs = REALDATA / "vn_admin_docs", REALDATA / "signed_pdfs"
    expected = {
        # G1/G2 government chains trusted; their CRL/OCSP is not at hand offline.
        docs / "qngai_TB-UBND_11_2025_borndigital_5sig.pdf": (vn, "unknown_revocation"),
        docs / "qngai_CV_507-UBND-KGVX_2025_borndigital_5sig.pdf": (vn, "unknown_revocation"),
        docs / "qngai_CV_UBND-KTTH_2025_scan_1sig.pdf": (vn, "unknown_revocation"),
        docs / "qngai_QD-UBND_47_2025_scan_2sig.pdf": (vn, "unknown_revocation"),
        docs / "qngai_QD-UBND_84_2025_scan_2sig.pdf": (vn, "unknown_revocation"),
        docs / "qngai_QD-BCD138_2025_scan_2sig.pdf": (vn, "unknown_revocation"),
        # Judged at its timestamp (2018-03-21), when the certificate was still valid.
        docs / "qngai_CT-UBND_07_2018_scan_expiredcert.pdf": (vn, "unknown_revocation"),
        docs / "danang_UBND_saoy_2023_scan_brokensig.pdf": (vn, "error"),
        docs / "danang_SGDDT_CV_2019_scan_unsigned.pdf": (vn, "unsigned"),
        pdfs / "dss" / "hello_signed_INCSAVE_signed_EDITED.pdf": (vn, "invalid"),
        pdfs / "dss" / "Signature-P-DE_CRY-2_HASH_FAILURE.pdf": (vn, "invalid"),
        pdfs / "dss" / "modified_after_signature.pdf": (vn, "modified"),
        pdfs / "pyhanko" / "coverage-anomalies_tail-uncovered.pdf": (test_ca, "modified"),
        pdfs / "pyhanko" / "coverage-anomalies_weird-byterange.pdf": (test_ca, "modified"),
        pdfs / "pyhanko" / "coverage-anomalies_signature-gap-too-big.pdf": (test_ca, "modified"),
        pdfs / "pyhanko" / "coverage-anomalies_base.pdf": (test_ca, "error"),
        pdfs / "pyhanko" / "form-update-override-appearance-stream-sneaky.pdf": (test_ca, "modified"),
        pdfs / "pyhanko" / "pdf-sig-with-econtent.pdf": (test_ca, "error"),
        pdfs / "pyhanko" / "minimal-two-fields-signed-twice.pdf": (test_ca, "valid"),
        pdfs / "pyhanko" / "pades-lta-dss-indirect-arrs-test.pdf": (test_ca, "valid"),  # revocation data in DSS
        pdfs / "pyhanko" / "certified-with-indirect-refs-in-dir.pdf": (test_ca, "unknown_revocation"),
    }
    got = {path.name: verify_pdf(path, store).status for path, (store, _) in expected.items()}
    assert got == {path.name: status for path, (_, status) in expected.items()}
    # The G1 org seals chain through SHA-1 certificates: accepted, and said.
    seals = verify_pdf(docs / "qngai_QD-UBND_47_2025_scan_2sig.pdf", vn).signatures
    assert seals[0].weak_algorithms == ("sha1",) and "SHA1" in seals[0].message[1]
    assert seals[1].weak_algorithms == ()  # the G2 Công báo signature
    strict = verify_pdf(docs / "qngai_QD-UBND_47_2025_scan_2sig.pdf", vn, allow_sha1=False).signatures
    assert strict[0].status == "valid_untrusted" and strict[1].status == "unknown_revocation"
    broken = verify_pdf(docs / "danang_UBND_saoy_2023_scan_brokensig.pdf", vn).signatures[0]
    assert broken.sub_filter == "adbe.pkcs7.detached" and broken.signing_time.startswith("2023-10-19")


def test_signed_copies_of_scans(cli, small_scan_corpus: Path, test_pki: pki.TestPki, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    folder = copy_corpus(small_scan_corpus, tmp_path / "scans")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    trust_dir = test_pki.write_trust_dir(tmp_path / "trust")
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(test_pki.p12("good", b"mat-khau"))
    monkeypatch.setenv("SOHOA_SIGN_PASSPHRASE", "sai")
    wrong = cli("ingest", "--no-progress", "--sign-with", str(p12), str(folder))
    assert wrong.exit_code == 2 and "wrong passphrase" in wrong.output
    monkeypatch.setenv("SOHOA_SIGN_PASSPHRASE", "mat-khau")
    result = cli("ingest", "--no-progress", "--trust", str(trust_dir), "--sign-with", str(p12), str(folder))
    assert result.exit_code == 0 and "Signed copies (SAO Y): 4 made, 0 failed." in result.output
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == before
    rows = [json.loads(line) for line in cli("export").stdout.splitlines()]
    assert len(rows) == 4
    for row in rows:
        copy = row["signed_copy"]
        stored = Path(copy["path"])
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == copy["sha256"] == stored.stem
        # CA A's CRL is in the trust directory: it goes into the copy (B-LT).
        assert copy["pades"] == "B-LT" and copy["agency"] == "Ủy ban nhân dân xã Thử Nghiệm"
        assert copy["signed_at"].endswith("+07:00")
        verified = json.loads(cli("verify", "--trust", str(trust_dir), "--json", str(stored)).stdout)[0]
        assert verified["status"] == "valid"
        assert verified["signatures"][0]["sub_filter"] == "ETSI.CAdES.detached"
        text = subprocess.run(["pdftotext", str(stored), "-"], capture_output=True, text=True, check=True).stdout
        # The Decree 30 block, and the OCR text laid under the scan, searchable.
        assert "SAO Y" in text and "Ủy ban nhân dân xã Thử Nghiệm" in text and copy["signed_at"] in text
        assert row["fields"]["number"] and row["fields"]["number"] in text


def test_signed_copies_on_a_hardware_token(small_scan_corpus: Path, test_pki: pki.TestPki, tmp_path: Path) -> None:
    """The agency's key on a token (SoftHSM2, through PKCS#11): a wrong PIN stops the run
    before any work; with the right one every copy verifies, signed by the agency whose
    certificate is on the token, and no unsigned copy is left behind."""
    import os
    import subprocess

    from tests.conftest import SOHOA

    uri, token_env = pki.softhsm_token(test_pki.signers["good"], tmp_path / "hsm", "13579")
    trust_dir = test_pki.write_trust_dir(tmp_path / "trust")
    folder = copy_corpus(small_scan_corpus, tmp_path / "scans")
    env = {**os.environ, **token_env, "SOHOA_LANG": "en", "SOHOA_HOME": str(tmp_path / "home")}
    env.pop("SOHOA_ES_URL", None)

    def ingest(pin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([SOHOA, "ingest", "--no-progress", "--workers", "2", "--trust", str(trust_dir),
                               "--sign-with", uri, str(folder)], env={**env, "SOHOA_SIGN_PASSPHRASE": pin},
                              capture_output=True, text=True, timeout=600)

    wrong = ingest("00000")
    assert wrong.returncode == 2 and "PIN" in wrong.stderr and "Traceback" not in wrong.stderr, wrong.stderr
    assert not (tmp_path / "home" / "ledger.sqlite").exists() or "Processed: 0" in wrong.stdout
    done = ingest("13579")
    assert done.returncode == 0 and "Signed copies (SAO Y): 4 made, 0 failed." in done.stdout, done.stdout
    rows = [json.loads(line) for line in subprocess.run([SOHOA, "export"], env=env, capture_output=True, text=True,
                                                        check=True).stdout.splitlines()]
    for row in rows:
        copy = row["signed_copy"]
        assert copy["agency"] == "Ủy ban nhân dân xã Thử Nghiệm" and copy["pades"] == "B-LT"
        verified = json.loads(subprocess.run([SOHOA, "verify", "--trust", str(trust_dir), "--json", copy["path"]],
                                             env=env, capture_output=True, text=True).stdout)[0]
        assert verified["status"] == "valid"
        assert verified["signatures"][0]["signer"]["cn"] == "Ủy ban nhân dân xã Thử Nghiệm"
    assert not list((tmp_path / "home" / "copies" / ".unsigned").glob("*"))


def test_copy_is_b_lt_only_when_revocation_data_is_at_hand(test_pki: pki.TestPki, trust: TrustStore,
                                                           tmp_path: Path) -> None:
    from sohoa.signatures.sign import load_signer, sign_copy

    p12 = tmp_path / "listed.p12"
    p12.write_bytes(test_pki.p12("listed_not_revoked", b"x"))
    signer = load_signer(p12, b"x")
    box, lines = (400.0, 760.0, 560.0, 800.0), ["SAO Y", "UBND xã A", "2026-12-01T09:00:00+07:00"]
    signed, level = sign_copy(pki.blank_pdf(), signer, trust, box, lines)
    assert level == "B-LT"
    (tmp_path / "copy.pdf").write_bytes(signed)
    # Its CRL now travels inside the file: valid even with a trust store that has no CRLs.
    roots_only = TrustStore(roots=trust.roots, intermediates=trust.intermediates)
    assert verify_pdf(tmp_path / "copy.pdf", roots_only).status == "valid"
    # Without revocation data at hand: B-B, and the verdict says revocation is unknown.
    _, level = sign_copy(pki.blank_pdf(), signer, roots_only, box, lines)
    assert level == "B-B"


def test_ingesting_the_real_signed_files_crashes_nothing(cli, tmp_path: Path) -> None:
    folder = copy_corpus(REALDATA / "signed_pdfs", tmp_path / "signed")
    result = cli("ingest", "--no-progress", "--trust", str(REALDATA / "certs" / "pyhanko_test_ca"), str(folder))
    assert result.exit_code in (0, 1), result.output
    rows = [json.loads(line) for line in cli("export").stdout.splitlines()]
    assert len(rows) == len(list(folder.rglob("*.pdf")))
    statuses = {Path(r["source"]["path"]).name: (r.get("signatures") or {}).get("status") for r in rows}
    assert statuses["hello_signed_INCSAVE_signed_EDITED.pdf"] == "invalid"
    assert statuses["minimal-two-fields-signed-twice.pdf"] == "valid"
    assert statuses["coverage-anomalies_base.pdf"] == "error"


def test_signing_later_copies_scans_ingested_before(cli, small_scan_corpus: Path, test_pki: pki.TestPki,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_corpus(small_scan_corpus, tmp_path / "scans")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(test_pki.p12("good", b"k"))
    monkeypatch.setenv("SOHOA_SIGN_PASSPHRASE", "k")
    later = cli("ingest", "--no-progress", "--sign-with", str(p12), str(folder))
    assert "already known: 4" in later.output and "Signed copies (SAO Y): 4 made, 0 failed." in later.output
    again = cli("ingest", "--no-progress", "--sign-with", str(p12), str(folder))
    assert "Signed copies" not in again.output  # each has its copy now
    rows = [json.loads(line) for line in cli("export").stdout.splitlines()]
    assert all(Path(r["signed_copy"]["path"]).is_file() for r in rows)


def test_the_verdict_follows_from_the_facts_worst_first() -> None:
    """Each fact alone gives its status; together, the worst of them (the order of Status)."""
    from dataclasses import replace

    from sohoa.core.verdict import Status
    from sohoa.signatures.verify import Facts

    good = Facts(intact=True, value_verifies=True, modified=False, revoked=False, expired=False,
                 unknown_revocation=False, trusted=True)
    assert good.status is Status.valid
    alone = {"intact": (False, Status.invalid), "value_verifies": (False, Status.invalid),
             "modified": (True, Status.modified), "revoked": (True, Status.revoked),
             "expired": (True, Status.expired), "unknown_revocation": (True, Status.unknown_revocation),
             "trusted": (False, Status.valid_untrusted)}
    for name, (value, status) in alone.items():
        assert replace(good, **{name: value}).status is status, name
    everything = replace(good, **{name: value for name, (value, _) in alone.items()})
    assert everything.status is Status.invalid
    assert replace(good, revoked=True, expired=True, trusted=False).status is Status.revoked
    assert json.dumps({"status": Status.valid}) == '{"status": "valid"}'  # records keep the plain word


def test_signing_and_verifying_work_where_an_event_loop_runs(signed: dict[str, Path], trust: TrustStore,
                                                             test_pki: pki.TestPki, tmp_path: Path) -> None:
    """pyHanko's blocking calls start their own loop: called from a running one (Playwright's
    sync API, a web handler) they are sent to a thread of their own instead of failing."""
    import asyncio
    import concurrent.futures

    from sohoa.signatures.sign import load_signer, sign_copy

    p12 = tmp_path / "agency.p12"
    p12.write_bytes(test_pki.p12("good", b"k"))

    async def inside_a_loop() -> tuple[str, str]:
        asyncio.get_running_loop()
        signed_copy, _ = sign_copy(pki.blank_pdf(), load_signer(p12, b"k"), trust, (400, 760, 560, 800),
                                       ["SAO Y", "UBND xã A", "2026-12-01T09:00:00+07:00"])
        (tmp_path / "copy.pdf").write_bytes(signed_copy)
        return verify_pdf(signed["good"], trust).status, verify_pdf(tmp_path / "copy.pdf", trust).status

    # The loop runs in a thread of its own, so that the test holds whatever the test
    # process runs already (Playwright's sync API keeps a loop in the main thread).
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, inside_a_loop()).result() == ("valid", "valid")
