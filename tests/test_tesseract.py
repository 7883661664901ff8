"""The two ways to Tesseract (``ocr.tesseract``): the library kept loaded (tesserocr) and the
program run per page (pytesseract) read the same words, boxes and confidences from the
same image, turn pages alike and read hand-filled digits alike; the engine is held per
thread and survives a page that times out; asking for an engine that is not there says so.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest

import samplegen
from sohoa.core.errors import ConfigError, MissingDependencyError, OcrFailed
from sohoa.core.settings import Settings
from sohoa.ingest.document import steps
from sohoa.ocr import pages, preprocess, tesseract
from tests.conftest import REALDATA
from tests.test_handwritten_digits import number_line


@pytest.fixture(scope="module")
def prepared_pages(tmp_path_factory: pytest.TempPathFactory) -> list[preprocess.Prepared]:
    """Page 1 of a real scan (Da Nang, 576x960 JPEG) and of a generated poor scan, prepared as
    ingest prepares them."""
    out = tmp_path_factory.mktemp("engine")
    samplegen.generate(out, 1, seed=31, qualities=("poor",))
    scan = next(p for p in out.iterdir() if not p.name.endswith(".json"))
    real = REALDATA / "ocr_ground_truth" / "danang_SGDDT_1906_2020_p1.jpg"
    todo = steps(Settings(home=out))
    prepared = []
    for path in (real, scan):
        if pages.sniff_format(path) == "pdf":
            page = next(iter(pages.pdf_page_images(path, [1], 10**9)))
        else:
            page = next(iter(pages.raster_page_images(path, 10**9)))
        prepared.append(preprocess.prepare(page.image, page.dpi, todo))
    return prepared


def _with(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_OCR_ENGINE", engine)
    assert tesseract.engine() == engine


def test_library_and_program_read_the_same_page(prepared_pages, monkeypatch: pytest.MonkeyPatch) -> None:
    read = {}
    for engine in ("cli", "api"):
        _with(engine, monkeypatch)
        read[engine] = [tesseract.read_page(p.image, page_number=1, dpi=p.dpi) for p in prepared_pages]
    for by_program, by_library in zip(read["cli"], read["api"], strict=True):
        assert len(by_program.lines) > 10
        assert by_library == by_program


def test_library_and_program_turn_pages_alike(prepared_pages, monkeypatch: pytest.MonkeyPatch) -> None:
    page = prepared_pages[1]
    turns = {}
    for engine in ("cli", "api"):
        _with(engine, monkeypatch)
        turns[engine] = [tesseract.orientation(np.ascontiguousarray(np.rot90(page.image, k)), dpi=page.dpi)
                         for k in range(4)]
    # np.rot90 turns counter-clockwise: a page turned k quarters needs k quarters clockwise back
    assert turns["api"] == turns["cli"] == [0, 90, 180, 270]


def test_library_and_program_read_hand_filled_digits_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(12)
    images = [number_line(str(rng.randint(10, 9999)), 300, "clean", rng)[0] for _ in range(3)]
    reads = {}
    for engine in ("cli", "api"):
        _with(engine, monkeypatch)
        reads[engine] = [tesseract.read_digits(image, psm=6) for image in images]
    assert reads["api"] == reads["cli"]
    assert any(digits for digits, _ in reads["api"])


def test_each_thread_keeps_its_own_engine() -> None:
    seen: dict[str, list[int]] = {}

    def hold(name: str) -> None:
        for _ in range(2):
            with tesseract._api("vie", 3) as api:
                seen.setdefault(name, []).append(id(api))

    threads = [threading.Thread(target=hold, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["a"][0] == seen["a"][1] and seen["b"][0] == seen["b"][1]  # loaded once, kept
    assert seen["a"][0] != seen["b"][0]  # never shared


def test_a_page_over_time_fails_and_the_engine_reads_the_next(prepared_pages,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _with("api", monkeypatch)
    page = prepared_pages[1]
    monkeypatch.setattr(tesseract, "PAGE_TIMEOUT_SECONDS", 0.001)
    with pytest.raises(OcrFailed) as failed:
        tesseract.read_page(page.image, page_number=4, dpi=page.dpi)
    assert failed.value.code == "ocr_timeout"
    assert "page 4" in failed.value.message_en
    monkeypatch.setattr(tesseract, "PAGE_TIMEOUT_SECONDS", 600)
    assert len(tesseract.read_page(page.image, page_number=4, dpi=page.dpi).lines) > 10


def test_an_engine_that_is_not_there(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SOHOA_OCR_ENGINE", "gpu")
    with pytest.raises(ConfigError, match="api or cli"):
        tesseract.engine()
    # tesserocr built against a libtesseract that an upgrade removed: the program takes over
    monkeypatch.setattr(tesseract, "tesserocr", None)
    monkeypatch.setattr(tesseract, "_NO_LIBRARY", "libtesseract.so.5: cannot open shared object file")
    monkeypatch.setenv("SOHOA_OCR_ENGINE", "")
    tesseract._warn_cli_once.cache_clear()
    with caplog.at_level("WARNING"):
        assert tesseract.engine() == "cli"
    assert "libtesseract.so.5" in caplog.text
    monkeypatch.setenv("SOHOA_OCR_ENGINE", "api")
    with pytest.raises(MissingDependencyError, match="scripts/bootstrap"):
        tesseract.engine()


def test_a_missing_language_model_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with("api", monkeypatch)
    with pytest.raises(MissingDependencyError, match="tesseract-ocr-xyz"):
        tesseract.read_page(np.full((200, 200), 255, np.uint8), page_number=1, dpi=300, language="xyz")


def test_the_systems_models_are_found_when_the_librarys_folder_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tesserocr wheel from PyPI carries a Tesseract whose model folder is "./": a plain
    ``pip install`` then reads with the models the tesseract program reports."""
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    monkeypatch.setattr(tesseract.tesserocr, "get_languages", lambda *a: ("./", []))
    tesseract._tessdata.cache_clear()
    try:
        folder = Path(tesseract._tessdata("vie"))
        assert (folder / "vie.traineddata").is_file()
        with pytest.raises(MissingDependencyError, match="tesseract-ocr-xyz"):
            tesseract._tessdata("xyz")
    finally:
        tesseract._tessdata.cache_clear()


def _damaged_models(tmp_path: Path) -> Path:
    """A model folder whose vie.traineddata is cut short (its name still listed)."""
    good = Path(tesseract._tessdata("vie"))
    folder = tmp_path / "tessdata"
    folder.mkdir()
    for name in ("eng.traineddata", "osd.traineddata"):
        (folder / name).write_bytes((good / name).read_bytes())
    (folder / "vie.traineddata").write_bytes((good / "vie.traineddata").read_bytes()[:200_000])
    return folder


@pytest.mark.parametrize("engine", ["api", "cli"])
def test_a_model_that_cannot_load_stops_the_run_and_fails_no_document(tmp_path: Path, engine: str) -> None:
    """A truncated vie.traineddata passes a check of names; the run's check reads a small
    page with it, so the ingest stops (exit 3) with the fix before it takes any file, and
    no document is recorded as failed."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "scans"
    samplegen.generate(folder, 2, seed=3, qualities=("clean",))
    for p in folder.iterdir():
        os.utime(p, (0, 0))
    env = {**os.environ, "TESSDATA_PREFIX": str(_damaged_models(tmp_path)), "SOHOA_OCR_ENGINE": engine,
           "SOHOA_LANG": "en", "SOHOA_HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-m", "sohoa", "ingest", "--no-progress", str(folder)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "reinstall tesseract-ocr-vie" in (run.stderr + run.stdout).lower()
    exported = subprocess.run([sys.executable, "-m", "sohoa", "export"], env=env, capture_output=True,
                              text=True, timeout=120)
    assert not [line for line in exported.stdout.splitlines() if line.startswith("{")]


def test_a_record_says_which_model_and_machine_read_it(cli, tmp_path: Path) -> None:
    """Two models may share a name: the record keeps the SHA-256 of the one that read it."""
    import hashlib
    import json
    import os
    import socket

    folder = tmp_path / "scans"
    samplegen.generate(folder, 1, seed=4, qualities=("clean",))
    for p in folder.iterdir():
        os.utime(p, (0, 0))
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    row = json.loads(next(line for line in cli("export").stdout.splitlines() if line.startswith("{")))
    model = Path(tesseract._tessdata("vie")) / "vie.traineddata"
    assert row["ocr"]["model"] == "vie=" + hashlib.sha256(model.read_bytes()).hexdigest()
    assert row["ocr"]["machine"] == socket.gethostname()


def test_a_page_is_read_cut_to_its_print_and_its_boxes_stay_the_pages(prepared_pages) -> None:
    """Tesseract reads the part of a page that shows print (it costs by the pixel); the
    words come back where they stand on the whole page, and nothing printed is cut off."""
    page = np.full((3508, 2480), 235, np.uint8)  # a grey sheet, an A4 page at 300 dpi
    page[1400:1400 + prepared_pages[1].image.shape[0] // 4, 700:700 + prepared_pages[1].image.shape[1] // 2] = \
        prepared_pages[1].image[:prepared_pages[1].image.shape[0] // 4, :prepared_pages[1].image.shape[1] // 2]
    left, top, right, bottom = preprocess.content_box(page, 300)
    assert (right - left) * (bottom - top) < page.size / 2
    ys, xs = np.nonzero(page < 150)  # every pixel of print is inside, with white around it
    assert left + 50 <= xs.min() and xs.max() < right - 50 and top + 50 <= ys.min() and ys.max() < bottom - 50
    read = tesseract.read_page(page, page_number=1, dpi=300)
    assert (read.width, read.height) == (2480, 3508)
    alone = tesseract.read_page(prepared_pages[1].image[:prepared_pages[1].image.shape[0] // 4,
                                                        :prepared_pages[1].image.shape[1] // 2], page_number=1, dpi=300)
    first, first_alone = read.lines[0], alone.lines[0]
    assert first.text == first_alone.text and len(read.lines) == len(alone.lines)
    assert abs(first.x0 - (first_alone.x0 + 700)) <= 2 and abs(first.y0 - (first_alone.y0 + 1400)) <= 2
    assert preprocess.content_box(np.full((400, 300), 250, np.uint8), 300) == (0, 0, 300, 400)  # bare paper
    assert preprocess.content_box(np.zeros((3, 500), np.uint8), 300) == (0, 0, 500, 3)  # a strip
