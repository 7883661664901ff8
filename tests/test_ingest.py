"""Ingest: bad input never stops a batch, nothing is done twice, copies and changes are noticed."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest

from sohoa.core.model import SourceInfo
from tests.conftest import copy_corpus


def _export(cli) -> list[dict]:
    result = cli("export", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def _by_name(rows: list[dict]) -> dict[str, dict]:
    return {Path(r["source"]["path"]).name: r for r in rows}


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge image: a decompression bomb's calling card."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat)))


@pytest.fixture
def bad_folder(tmp_path: Path, born_digital_corpus: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    good = sorted(born_digital_corpus.glob("*.pdf"))[:2]
    for p in good:
        shutil.copy(p, folder / p.name)
    pdf_bytes = good[0].read_bytes()
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(pdf_bytes[: len(pdf_bytes) // 3])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    (folder / "note.jpg").write_text("Đây là một tệp văn bản, không phải ảnh.\n", encoding="utf-8")
    (folder / "bomb.png").write_bytes(_png_header_only(60000, 60000))
    (folder / "truncated.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(300))
    with pikepdf.open(good[1]) as pdf:
        pdf.save(folder / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
    (folder / "dangling.pdf").symlink_to(folder / "does-not-exist.pdf")
    (folder / ".hidden.pdf").write_bytes(pdf_bytes)
    (folder / "scan.pdf.part").write_bytes(pdf_bytes)
    (folder / "readme.txt").write_text("not a scan")
    for p in folder.iterdir():
        if not p.is_symlink():
            os.utime(p, (1_600_000_000, 1_600_000_000))
    return folder


def test_bad_input_gets_a_reason_and_the_batch_goes_on(cli, bad_folder: Path) -> None:
    result = cli("ingest", "--no-progress", "--workers", "2", str(bad_folder))
    assert result.exit_code == 1, result.output
    rows = _by_name(_export(cli))
    codes = {name: rows[name]["error_code"] for name in rows if rows[name]["status"] == "failed"}
    assert codes == {
        "zero.pdf": "empty",
        "truncated.pdf": "corrupt",
        "garbage.pdf": "corrupt",
        "note.jpg": "unsupported_format",
        "bomb.png": "too_large",
        "truncated.jpg": "corrupt",
        "locked.pdf": "encrypted",
        "dangling.pdf": "broken_link",
    }
    for name in codes:
        assert rows[name]["error"], name
        assert name in result.output
    indexed = [n for n, r in rows.items() if r["status"] == "indexed"]
    assert len(indexed) == 2
    assert ".hidden.pdf" not in rows and "scan.pdf.part" not in rows and "readme.txt" not in rows
    assert "Skipped 1 files (hidden)" in result.output
    assert "Skipped 1 files (temporary)" in result.output


def _contents(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_reingest_copy_and_change(cli, home: Path, tmp_path: Path, born_digital_corpus: Path) -> None:
    folder = copy_corpus(born_digital_corpus, tmp_path / "a")
    first = cli("ingest", "--no-progress", str(folder))
    assert first.exit_code == 0, first.output
    assert "Processed: 8 files" in first.output

    again = cli("ingest", "--no-progress", str(folder))
    assert "Processed: 0 files" in again.output and "already known: 8" in again.output

    copy = copy_corpus(folder, tmp_path / "b")
    copied = cli("ingest", "--no-progress", str(copy))
    assert "Processed: 0 files" in copied.output and "already known: 8" in copied.output

    # Originals are never modified or moved: every file as it was, byte for byte.
    assert _contents(folder) == _contents(born_digital_corpus)
    assert _contents(copy) == _contents(born_digital_corpus)
    target = sorted(folder.glob("*.pdf"))[0]
    replacement = sorted(folder.glob("*.pdf"))[1]
    before = {r["id"] for r in _export(cli)}
    shutil.copy(replacement, target)
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:  # new bytes, same text
        pdf.docinfo["/Title"] = "changed"
        pdf.save(target)
    os.utime(target, (1_600_000_000, 1_600_000_000))
    changed = cli("ingest", "--no-progress", str(folder))
    assert "Processed: 1 files" in changed.output
    after = {r["id"] for r in _export(cli)}
    assert len(after - before) == 1
    assert _contents(folder) == {**_contents(born_digital_corpus), target.name: _contents(folder)[target.name]}


def test_file_still_being_written_is_left_for_later(cli, tmp_path: Path, born_digital_corpus: Path) -> None:
    folder = tmp_path / "fresh"
    folder.mkdir()
    shutil.copy(sorted(born_digital_corpus.glob("*.pdf"))[0], folder / "fresh.pdf")  # mtime: now
    result = cli("ingest", "--no-progress", str(folder))
    assert result.exit_code == 0
    assert "still being written" in result.output
    assert _export(cli) == []


@pytest.mark.slow
def test_scans_in_every_format_are_ocred(cli, small_scan_corpus: Path, tmp_path: Path) -> None:
    folder = copy_corpus(small_scan_corpus, tmp_path / "scans")
    result = cli("ingest", "--no-progress", str(folder))
    assert result.exit_code == 0, result.output
    rows = _export(cli)
    assert len(rows) == 4
    for row in rows:
        assert row["status"] == "indexed"
        assert row["born_digital"] is False
        assert row["ocr"]["engine"].startswith("tesseract")
        assert row["ocr"]["mean_confidence"] > 60
        assert row["fields"]["doc_type"]


def _crash_on_first(fn, task):
    """A worker that dies like a segfaulting native library on one file (fault injection)."""
    if task.path.endswith("000_QD_born_digital.pdf"):
        os._exit(139)
    return fn(task)


def test_a_dying_worker_fails_its_file_and_the_batch_goes_on(home: Path, tmp_path: Path,
                                                              born_digital_corpus: Path) -> None:
    from sohoa.core.settings import Settings
    from sohoa.indexer.base import open_index
    from sohoa.ingest.executor import ProcessPool
    from sohoa.ingest.run import ingest
    from tests.faults import WithFault

    folder = copy_corpus(born_digital_corpus, tmp_path / "batch")
    settings = Settings.from_env(home, workers=2)
    index = open_index(settings)
    summary = ingest([folder], settings, index, progress=False, executor=WithFault(ProcessPool(2), _crash_on_first))
    index.close()
    assert summary.processed == 7
    assert [Path(p).name for p, _ in summary.failed] == ["000_QD_born_digital.pdf"]
    assert "worker process died" in summary.failed[0][1]


def test_pending_documents_go_to_the_executor_a_batch_at_a_time(home: Path, tmp_path: Path,
                                                                 born_digital_corpus: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run holds of its pending documents does not grow with the folder: they reach
    the executor a batch at a time, each once, all of them."""
    from sohoa.core.settings import Settings
    from sohoa.indexer.base import open_index
    from sohoa.ingest import run
    from sohoa.ingest.executor import InProcess
    from sohoa.ingest.ledger import Ledger

    batches: list[list[str]] = []

    class Watched(InProcess):
        def run(self, fn, tasks, on_result, on_crash):  # type: ignore[no-untyped-def]
            batches.append([Path(t.path).name for t in tasks])
            super().run(fn, tasks, on_result, on_crash)

    monkeypatch.setattr(run, "PROCESS_BATCH", 3)
    folder = copy_corpus(born_digital_corpus, tmp_path / "batch")
    settings = Settings.from_env(home)
    index = open_index(settings)
    try:
        summary = run.ingest([folder], settings, index, progress=False, executor=Watched())
    finally:
        index.close()
    assert [len(b) for b in batches] == [3, 3, 2]
    names = [n for b in batches for n in b]
    assert len(set(names)) == 8 and summary.processed == 8
    ledger = Ledger(home / "ledger.sqlite")
    try:
        assert ledger.pending_count() == 0
    finally:
        ledger.close()


def test_second_ingest_on_the_same_home_is_refused(cli, home: Path, tmp_path: Path,
                                                   born_digital_corpus: Path) -> None:
    import fcntl

    home.mkdir(parents=True)
    with (home / "ingest.lock").open("a+") as held:  # what a running ingest holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = cli("ingest", "--no-progress", str(born_digital_corpus))
    assert result.exit_code == 6
    assert "Another ingest is running" in result.output
    folder = copy_corpus(born_digital_corpus, tmp_path / "after")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0  # released with its holder


def test_missing_tesseract_is_reported_with_the_fix(home: Path, tmp_path: Path, born_digital_corpus: Path) -> None:
    import subprocess
    import sys

    bin_dir = tmp_path / "bin"  # a PATH with python but no tesseract or poppler
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = subprocess.run(
        [sys.executable, "-m", "sohoa", "--home", str(home), "ingest", str(born_digital_corpus)],
        capture_output=True, text=True, env={**os.environ, "PATH": str(bin_dir), "SOHOA_LANG": "en"},
    )
    assert result.returncode == 3, result.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in result.stderr


@pytest.mark.slow
def test_pages_scanned_sideways_or_upside_down_are_turned(cli, small_scan_corpus: Path, tmp_path: Path) -> None:
    from PIL import Image

    from sohoa.ocr import pages
    from tests.conftest import truth

    gt = truth(small_scan_corpus)
    name = next(n for n in sorted(gt) if gt[n]["pages"] == 1)
    source = small_scan_corpus / name
    images = (pages.pdf_page_images(source, [1], 10**9) if source.suffix == ".pdf"
              else pages.raster_page_images(source, 10**9))
    page = Image.fromarray(next(iter(images)).image)
    folder = tmp_path / "turned"
    folder.mkdir()
    for angle in (90, 180, 270):
        page.rotate(angle, expand=True).save(folder / f"turned_{angle}.png", dpi=(300, 300))
    for p in folder.iterdir():
        os.utime(p, (1_600_000_000, 1_600_000_000))
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    rows = _by_name(_export(cli))
    expected = gt[name]["fields"]
    for angle in (90, 180, 270):
        fields = rows[f"turned_{angle}.png"]["fields"]
        assert fields["number"] == expected["number"], angle
        assert fields["doc_type"] == expected["doc_type"], angle
        assert fields["issue_date"] == expected["issue_date"], angle


def test_reindex_migrates_records_of_the_older_issuer_contract(cli, home: Path, tmp_path: Path,
                                                                 born_digital_corpus: Path) -> None:
    """Records extracted before issuer_parent existed (issuer = both lines joined) are
    extracted again from their stored layout by `sohoa reindex`, and searched by parent."""
    import sqlite3

    folder = copy_corpus(born_digital_corpus, tmp_path / "docs")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    db = sqlite3.connect(home / "ledger.sqlite")
    rows = db.execute("SELECT sha256, record FROM documents WHERE record LIKE '%SỞ XÂY DỰNG%'").fetchall()
    assert rows
    for sha256, raw in rows:  # what an archive of the older contract holds
        record = json.loads(raw)
        record.pop("extraction_version")
        fields = record["fields"]
        fields["issuer"] = f"{fields.pop('issuer_parent')} {fields['issuer']}"
        for name in ("issuer_level", "issuer_successor", "signed_on"):
            fields.pop(name)
        db.execute("UPDATE documents SET record = ? WHERE sha256 = ?", (json.dumps(record, ensure_ascii=False), sha256))
    db.commit()
    db.close()

    assert cli("reindex").exit_code == 0
    for sha256, _ in rows:
        shown = json.loads(cli("show", sha256, "--json").stdout)
        assert shown["fields"]["issuer"] == "SỞ XÂY DỰNG"
        assert shown["fields"]["issuer_parent"].startswith("UBND TỈNH")
        assert shown["fields"]["issuer_level"] == "province"
    found = json.loads(cli("search", "", "--issuer", "so xay dung", "--json").stdout)
    assert found["total"] == len(rows)


def test_blank_backs_from_their_pixels() -> None:
    """A duplex back (the front showing through, mirrored) and dusty paper are blank; a
    page with one line of print, or only a signer block, is not."""
    import random

    import numpy as np
    from PIL import Image, ImageDraw
    from sample_layout import pil_font
    from sample_render import show_through

    from sohoa.ocr.preprocess import is_blank

    corpus_page = Image.new("RGB", (1654, 2339), (252, 251, 247))
    draw = ImageDraw.Draw(corpus_page)
    for row in range(40):
        draw.text((200, 150 + row * 50), "Ủy ban nhân dân tỉnh Bắc Giang quyết định " * 2, fill=(12, 12, 12),
                  font=pil_font("regular", 36))
    assert not is_blank(np.asarray(corpus_page))
    assert is_blank(np.asarray(show_through(corpus_page)))
    dusty = np.full((2339, 1654), 246, np.uint8)
    rng = random.Random(3)
    for _ in range(2000):  # scanner dust: single dark pixels
        dusty[rng.randrange(2339), rng.randrange(1654)] = 30
    assert is_blank(dusty)
    signer_only = Image.new("L", (1654, 2339), 250)
    ImageDraw.Draw(signer_only).text((1000, 300), "CHỦ TỊCH", fill=10, font=pil_font("bold", 40))
    assert not is_blank(np.asarray(signer_only))


@pytest.mark.slow
def test_duplex_backs_are_not_read_and_are_counted(cli, tmp_path: Path) -> None:
    import samplegen
    from tests.conftest import truth

    corpus = tmp_path / "duplex"
    samplegen.generate(corpus, 4, seed=21, qualities=("clean",), duplex=True)
    folder = copy_corpus(corpus, tmp_path / "scans")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    rows = {Path(r["source"]["path"]).name: r for r in map(json.loads, cli("export").stdout.splitlines()) if r}
    for name, gt in truth(corpus).items():
        row = rows[name]
        assert row["pages"] == gt["pages"]
        assert row["blank_pages"] == gt["blank_pages"] != []
        for field in ("doc_type", "number", "issue_date", "issuer"):
            assert row["fields"][field] == gt["fields"][field], (name, field)


def test_a_last_page_with_a_few_lines_on_grainy_paper_is_read(tmp_path: Path) -> None:
    """The end of a letter carried over to page 2 of a poor 150 dpi scan: a few lines on
    a mostly empty, grainy, unevenly lit page. Otsu's split then falls inside the paper's
    grain: the skew was measured from the light (6.8° for a level page) and Tesseract read
    nothing. The skew now comes from the print, and a page that reads little is read again
    on whitened paper."""
    import random
    import types

    import numpy as np
    from PIL import Image, ImageDraw
    from sample_layout import pil_font as font
    from sample_render import degrade

    from sohoa.core.settings import Settings
    from sohoa.ingest.document import _ocr_pages
    from sohoa.ocr import pages, preprocess

    page = Image.new("RGB", (1240, 1754), (250, 250, 248))
    draw = ImageDraw.Draw(page)
    body = font("regular", 25)
    draw.text((118, 150), "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời", (20, 20, 20),
              font=body)
    draw.text((90, 190), "báo cáo để xem xét, giải quyết theo quy định.", (20, 20, 20), font=body)
    draw.text((770, 270), "CHỦ TỊCH", (20, 20, 20), font=font("bold", 25))
    draw.text((768, 450), "Vũ Anh Sơn", (20, 20, 20), font=font("bold", 25))
    scan = degrade(page, types.SimpleNamespace(quality="poor", seed=5, colour=False), random.Random(5))
    grey = np.asarray(scan)
    assert abs(preprocess.estimate_skew(grey)) < 1.0
    read = _ocr_pages([pages.PageImage(2, grey, 150)], Settings.from_env(tmp_path))
    text = read.layouts[0].text
    assert "TỊCH" in text and "Vũ Anh Sơn" in text and "giải quyết" in text


def test_a_record_stored_before_it_kept_its_validity_policy_gets_it_from_the_rules() -> None:
    """Records now carry their type's validity policy (index and search judge them without
    the rules); one stored before gets it as it is read from the ledger."""
    import datetime as dt

    from sohoa.core.model import Extraction, OcrInfo, Record, SourceInfo, Validity, ValidityStatus
    from sohoa.ingest.ledger import _record

    fields = dict.fromkeys(("doc_type", "valid_until"))
    record = Record("a" * 64, SourceInfo("/s/a.pdf", "a" * 64, 1, "pdf"), 1, True, OcrInfo("text-layer", None), "",
                    Extraction({**fields, "doc_type": "Quyết định"}, {}), Validity(ValidityStatus.valid,
                                                                                   dt.date(2025, 1, 1)),
                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    old = record.to_json()
    del old["validity"]["without_end_date"]
    assert _record(json.dumps(old)).validity.without_end_date == "valid"
    kept = record.to_json()
    kept["validity"]["without_end_date"] = "unknown"
    assert _record(json.dumps(kept)).validity.without_end_date == "unknown"  # what was kept wins


def test_file_names_that_are_not_utf8_and_broken_links(cli, born_digital_corpus: Path, tmp_path: Path) -> None:
    """Names written by old Windows scanners (CP1258 bytes) are recorded by their bytes,
    processed, found again on a rerun and shown readably; a dangling link is failed as one."""
    folder = tmp_path / "scans"
    folder.mkdir()
    pdfs = sorted(born_digital_corpus.glob("*.pdf"))[:2]
    names = [b"Quy\xeat_\xf0inh_12.pdf", b"Gi\xe2y_ph\xe9p.pdf"]
    for src, name in zip(pdfs, names, strict=True):
        shutil.copy(src, os.fsencode(folder) + b"/" + name)
    (folder / "moved.pdf").symlink_to(tmp_path / "gone" / "moved.pdf")
    for entry in os.scandir(folder):
        os.utime(entry.path, (0, 0), follow_symlinks=False)
    first = cli("ingest", "--no-progress", str(folder))
    assert first.exit_code == 1, first.output  # the broken link failed; the batch went on
    assert "Quyêt_đinh_12.pdf [tên tệp không phải UTF-8 / file name not UTF-8]" not in first.output
    assert "Broken link: it points to" in first.output and "moved.pdf" in first.output
    rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
    by_name = {os.fsencode(os.path.basename(r["source"]["path"])): r for r in rows}
    assert set(by_name) == {*names, b"moved.pdf"}
    assert all(by_name[n]["status"] == "indexed" and by_name[n]["fields"]["doc_type"] for n in names)
    assert by_name[b"moved.pdf"]["error_code"] == "broken_link"
    again = cli("ingest", "--no-progress", str(folder))
    assert "already known: 2" in again.output or "đã có từ trước: 2" in again.output, again.output
    found = cli("search", "--json", "")
    assert "Quyêt_đinh_12.pdf [tên tệp không phải UTF-8 / file name not UTF-8]" in found.output


@pytest.mark.slow
def test_a_full_disk_stops_with_its_own_code_and_a_rerun_recovers(cli, born_digital_corpus: Path,
                                                                 tmp_path: Path, home: Path) -> None:
    """The home on a real tmpfs too small for the archive: the run says the disk is full,
    exits with ``cannot_write``; once there is room, the same command finishes the rest."""
    import subprocess

    from sohoa.core.errors import ExitCode

    home.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(home)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    try:
        folder = copy_corpus(born_digital_corpus, tmp_path / "corpus")
        full = cli("ingest", "--no-progress", str(folder))
        assert full.exit_code == ExitCode.cannot_write, full.output
        assert "disk is full or read-only" in full.output and "run the same command again" in full.output
        subprocess.run(["mount", "-o", "remount,size=64m", str(home)], check=True)
        done = cli("ingest", "--no-progress", str(folder))
        assert done.exit_code == 0, done.output
        rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
        assert sorted(r["status"] for r in rows) == ["indexed"] * 8
    finally:
        subprocess.run(["umount", "-l", str(home)], check=False)


@pytest.mark.slow
def test_ctrl_c_stops_with_its_own_code_and_a_rerun_goes_on(small_scan_corpus: Path, tmp_path: Path) -> None:
    """Ctrl-C sends SIGINT to the whole foreground group (the command and its workers)."""
    import signal
    import subprocess
    import sys
    import time

    import psutil  # installed with Dask distributed

    from sohoa.core.errors import ExitCode

    folder = copy_corpus(small_scan_corpus, tmp_path / "corpus")
    sohoa = [sys.executable, "-m", "sohoa", "--home", str(tmp_path / "home"), "ingest", "--no-progress", str(folder)]
    env = {**os.environ, "SOHOA_LANG": "en"}
    # As a terminal's foreground job: SIGINT not ignored, even when this test runs in the
    # background (a shell starts background jobs with SIGINT ignored, and that is inherited).
    proc = subprocess.Popen(sohoa, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Ctrl-C once both workers are running, OCR under way. (Not while the pool forks them:
    # a SIGINT that lands in Python's after-fork handlers is printed and dropped there.)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and len(psutil.Process(proc.pid).children()) < 2:
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == ExitCode.interrupted, out
    assert "Stopped (Ctrl-C). Run the same command again" in out
    deadline = time.monotonic() + 10  # and no worker is left running its document
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("workers were still running 10 s after the run stopped")
    again = subprocess.run(sohoa, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    export = subprocess.run([*sohoa[:5], "export"], capture_output=True, text=True, env=env, check=True)
    rows = [json.loads(line) for line in export.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == len(list(folder.glob("*.gt.json"))) and all(r["status"] == "indexed" for r in rows)


def test_an_unforeseen_error_exits_as_internal_and_keeps_its_traceback(cli, home: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug cannot be caused on purpose: one is injected into the walk."""
    from sohoa.core.errors import ExitCode
    from sohoa.ingest import discover

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("injected bug")

    monkeypatch.setattr(discover, "walk", broken)
    result = cli("ingest", "--no-progress", str(tmp_path))
    assert result.exit_code == ExitCode.internal_error
    assert "internal error in sohoa (RuntimeError: injected bug)" in result.output
    logs = list((home / "logs").glob("crash-*.txt"))
    assert len(logs) == 1 and "injected bug" in logs[0].read_text()


def test_the_index_feed_batches_by_size_and_time_and_pauses_after_a_failure(tmp_path: Path) -> None:
    """The feed's clock is injected: a partial batch goes out after FLUSH_SECONDS, and after
    a failed send nothing is tried again for PAUSE_AFTER_FAILURE (the records stay pending)."""
    from sohoa.core.errors import IndexBackendError
    from sohoa.ingest import feed
    from sohoa.ingest.ledger import Ledger
    from tests.test_search import record

    class Index:  # the fault (an index that refuses) is injected; the ledger is real
        def __init__(self) -> None:
            self.down, self.sent = False, []

        def upsert(self, records: list) -> None:
            if self.down:
                raise IndexBackendError("down")
            self.sent.extend(r.id for r in records)

    now = [0.0]
    ledger, index = Ledger(tmp_path / "ledger.sqlite"), Index()
    records = [record(n, f"văn bản {n}") for n in range(1, 6)]
    for r in records:
        ledger.add_document(r.id, r.source.path, 1)
        ledger.store(r)
    sink = feed.IndexFeed(index, ledger, batch=3, clock=lambda: now[0])
    sink.add(records[:2])
    assert index.sent == []  # a partial batch waits
    now[0] += feed.FLUSH_SECONDS
    sink.add(records[2:3])
    assert index.sent == [r.id for r in records[:3]]  # time is up: sent
    index.down = True
    now[0] += feed.FLUSH_SECONDS
    sink.add(records[3:])
    assert len(index.sent) == 3 and sink.error is not None and set(ledger.to_index()) == {r.id for r in records[3:]}
    index.down = False
    now[0] += feed.PAUSE_AFTER_FAILURE - 1
    assert not sink.flush()  # still pausing after the failure
    now[0] += 1
    assert sink.flush() and ledger.to_index() == []
    assert index.sent == [r.id for r in records]


def _time_out_on_first(fn, task):
    """An engine that ran out of time on one file (a loaded machine: fault injection)."""
    from sohoa.core.errors import OcrFailed
    from sohoa.core.settings import Settings
    from sohoa.ingest.document import failed_record

    if task.path.endswith("000_QD_born_digital.pdf"):
        source = SourceInfo(task.path, task.sha256, task.size, "pdf")
        error = OcrFailed("Tesseract quá thời gian.", "Tesseract timed out.", code="ocr_timeout")
        return failed_record(source, error.message, error.code, Settings.from_env())
    if task.path.endswith("001_CV_born_digital.pdf"):
        source = SourceInfo(task.path, task.sha256, task.size, "pdf")
        return failed_record(source, "Tệp hỏng. / The file is corrupt.", "corrupt", Settings.from_env())
    return fn(task)


def test_files_failed_for_the_machine_are_read_again_on_asking(cli, home: Path, tmp_path: Path,
                                                                born_digital_corpus: Path) -> None:
    """A timeout is the machine's fault: a rerun lists it with the hint, and --retry-failed
    reads it again; a corrupt file is the file's, and stays failed."""
    from sohoa.core.settings import Settings
    from sohoa.indexer.base import open_index
    from sohoa.ingest.executor import ProcessPool
    from sohoa.ingest.run import ingest
    from tests.faults import WithFault

    folder = copy_corpus(born_digital_corpus, tmp_path / "batch")
    settings = Settings.from_env(home, workers=2)
    index = open_index(settings)
    first = ingest([folder], settings, index, progress=False, executor=WithFault(ProcessPool(2), _time_out_on_first))
    index.close()
    assert sorted(Path(p).name for p, _ in first.failed) == ["000_QD_born_digital.pdf", "001_CV_born_digital.pdf"]
    again = cli("ingest", "--no-progress", str(folder))
    assert again.exit_code == 1 and "1 of them failed earlier for a reason of the machine" in again.output
    retried = cli("ingest", "--no-progress", "--retry-failed", str(folder))
    assert "Read again 1 files" in retried.output
    assert "FAILED" in retried.output and "001_CV_born_digital.pdf" in retried.output
    assert "000_QD_born_digital.pdf" not in retried.output.split("Read again")[1]
    rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
    done = {Path(r["source"]["path"]).name: r["status"] for r in rows}
    assert done["000_QD_born_digital.pdf"] == "indexed" and done["001_CV_born_digital.pdf"] == "failed"


def test_a_reader_opens_the_ledger_read_only_and_writes_nothing(tmp_path: Path) -> None:
    """A search, a record shown or an export opens the ledger for reading only: it cannot
    write to the file an ingest may be writing, and opening it writes nothing."""
    import hashlib
    import sqlite3

    from sohoa.ingest.ledger import Ledger

    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.add_document("ab" * 32, str(tmp_path / "a.pdf"), 10)

    def files() -> dict[str, str]:
        # Not the readers' shared-memory index (-shm), nor the empty log SQLite opens to read.
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()
                if p.is_file() and not p.name.endswith("-shm") and p.stat().st_size}

    before = files()
    with Ledger.reading(path) as reader:
        assert reader.state_counts() == {"pending": 1}
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
    assert files() == before
    fresh = tmp_path / "new" / "ledger.sqlite"
    fresh.parent.mkdir()
    with Ledger.reading(fresh) as reader:  # a home with no ingest yet: made once, then read
        assert reader.state_counts() == {}


def test_a_failure_reason_is_shown_in_the_readers_language_not_the_ingests(
        cli, tmp_path: Path, born_digital_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reason is kept in both languages: an ingest run in Vietnamese, read in English
    (and the other way round), and both in an export, whose reader is not known."""
    folder = tmp_path / "locked"
    folder.mkdir()
    with pikepdf.open(sorted(born_digital_corpus.glob("*.pdf"))[0]) as pdf:
        pdf.save(folder / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
    os.utime(folder / "locked.pdf", (1_600_000_000, 1_600_000_000))
    monkeypatch.setenv("SOHOA_LANG", "vi")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 1
    record_id = _by_name(_export(cli))["locked.pdf"]["id"]
    exported = _by_name(_export(cli))["locked.pdf"]["error"]
    assert "được mã hóa bằng mật khẩu" in exported and "is password-protected" in exported
    monkeypatch.setenv("SOHOA_LANG", "en")
    shown = cli("show", record_id).output
    assert "is password-protected" in shown and "mật khẩu" not in shown, shown
    monkeypatch.setenv("SOHOA_LANG", "vi")
    shown = cli("show", record_id).output
    assert "được mã hóa bằng mật khẩu" in shown and "password" not in shown, shown
    retold = cli("ingest", "--no-progress", str(folder)).output  # failed earlier: said again, in Vietnamese
    assert "được mã hóa bằng mật khẩu" in retold and "password-protected" not in retold, retold
