"""Phone photos of a page: the sheet found on the table and flattened, its light evened,
a low-resolution page enlarged before OCR (``ocr.preprocess``), and what that gives.

The photos are generated (``scripts/sample_photo.py``: a tilted sheet on a table, a lamp
on one side, a thumb over one edge, 740-1100 pixels high); the real low-resolution page
is the 576x960 JPEG in ``../shared/realdata/ocr_ground_truth`` with its transcription.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sample_photo import photograph_with_corners

import fieldeval
import samplegen
from sohoa.ocr import pages, preprocess, tesseract
from tests.conftest import REALDATA, copy_corpus


def _page(seed: int) -> Image.Image:
    """An A4 page at 100 dpi with lines of black 'text'."""
    rng = random.Random(seed)
    page = Image.new("RGB", (827, 1169), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    for y in range(120, 1000, 34):
        x = 90
        while x < 700:
            w = rng.randint(20, 70)
            draw.rectangle((x, y, x + w, y + 14), fill=(30, 30, 30))
            x += w + 12
    return page


@pytest.mark.parametrize("seed", range(8))
def test_the_sheet_is_found_in_a_photo(seed: int) -> None:
    photo, truth = photograph_with_corners(_page(seed), random.Random(seed))
    found = preprocess.find_sheet(np.asarray(photo))
    assert found is not None
    error = np.linalg.norm(found - truth, axis=1).max()
    assert error < 0.03 * max(photo.size), (found, truth)  # a thumb over an edge does not move a corner


def test_a_scan_is_not_taken_for_a_photo() -> None:
    scan = np.asarray(_page(1))
    assert preprocess.find_sheet(scan) is None
    assert preprocess.flatten(scan, 100) is scan  # even light, whole frame: unchanged


def test_flattening_gives_an_upright_a4_page_at_its_real_resolution() -> None:
    photo, _ = photograph_with_corners(_page(3), random.Random(3))
    prepared = preprocess.prepare(np.asarray(photo), 72)
    h, w = prepared.image.shape
    assert abs(h / w - 297 / 210) < 0.06
    assert prepared.dpi == 300  # the sheet's ~60 dpi, enlarged


def _text_accuracy(image: np.ndarray, dpi: int, steps: tuple[str, ...], truth: str) -> float:
    from rapidfuzz.distance import Levenshtein

    prepared = preprocess.prepare(image, dpi, steps)
    text = " ".join(tesseract.read_page_text(prepared.image, dpi=prepared.dpi, cut=not prepared.enlarged).split())
    return 1 - Levenshtein.normalized_distance(text, truth)


@pytest.mark.slow
def test_a_low_resolution_page_is_read_enlarged(capsys: pytest.CaptureFixture[str]) -> None:
    folder = REALDATA / "ocr_ground_truth"
    image = next(pages.raster_page_images(folder / "danang_SGDDT_1906_2020_p1.jpg", 10**8))
    assert image.dpi < preprocess.ENLARGE_BELOW_DPI  # 576 pixels across an A4 page: about 70 dpi
    truth = " ".join((folder / "danang_SGDDT_1906_2020_p1.gt.txt").read_text(encoding="utf-8").split())
    before = _text_accuracy(image.image, image.dpi, ("remove_ink", "deskew"), truth)
    after = _text_accuracy(image.image, image.dpi, preprocess.DEFAULT_STEPS, truth)
    with capsys.disabled():
        print(f"\n576x960 real page, characters right: {before:.1%} as it is, {after:.1%} enlarged")
    assert after >= before and after >= 0.88


PHOTO_FLOOR = {31: 0.60, 77: 0.70, 617: 0.75}
"""Exact fields on 16 generated phone photos (tuned families): the sheet found and
flattened, its light evened and the page enlarged. Seed 31 (looked at while building the
photo checks): 0.643, where the scan steps alone give 0.36; seed 77 (looked at once, after):
0.728; seed 617 (a check set, never looked at): 0.786."""
PHOTO_MAX_INVENTED = {31: 0.02, 77: 0.02, 617: 0.02}
"""Wrong values: 11.6% on seed 31 before the photo checks of ``ingest.looks
.withhold_doubtful`` (marks repaired from the words around them, agencies, places and
names that must read as ones sohoa knows); with them 0.4% (31), 1.3% (77, 2.2% before
names with a likelier reading were withheld) and 0.4% (617). Eight seeds of the same
families read 1.1% wrong over 128 photos, four fresh ones 0.9-1.3%; photos of the held-out
families 3.6%, and of an independent generator's layouts 0.4-2.9% (``docs/reading.md``)."""


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(PHOTO_FLOOR))
def test_fields_from_phone_photos(cli, tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int) -> None:
    corpus = tmp_path / "generated"
    samplegen.generate(corpus, 16, seed=seed, qualities=("photo",), families=samplegen.TUNED)
    folder = copy_corpus(corpus, tmp_path / "corpus")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    rows = [json.loads(line) for line in cli("export").stdout.splitlines() if line.startswith("{")]
    report = fieldeval.score(folder, rows)
    with capsys.disabled():
        print(f"\nFields from 16 generated phone photos (families A+B, seed {seed}):")
        print(report.render())
    score = report.by_quality["photo"]
    assert score.rate >= PHOTO_FLOOR[seed]
    assert score.invented / score.total <= PHOTO_MAX_INVENTED[seed]
    wrong = [m for f in fieldeval.STRICT for m in report.by_field[f].misses if not m.endswith("got None")]
    assert not wrong, wrong  # a number or date from a photo is right or absent


@pytest.mark.slow
def test_the_signed_copy_of_a_photo_shows_the_flattened_sheet(cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The invisible text of a copy lies where it was read: on the flattened sheet, so the
    copy shows that sheet (A4-shaped), not the photo of the table around it."""
    import pikepdf

    from tests import pki

    corpus = tmp_path / "generated"
    samplegen.generate(corpus, 8, seed=5, qualities=("photo",), families=("A",))
    folder = tmp_path / "photo"
    folder.mkdir()
    photo = next(p for p in sorted(corpus.glob("*.jpg")))
    (folder / photo.name).write_bytes(photo.read_bytes())
    os.utime(folder / photo.name, (0, 0))  # not "being written"
    test_pki = pki.build()
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(test_pki.p12("good", b"mat-khau"))
    monkeypatch.setenv("SOHOA_SIGN_PASSPHRASE", "mat-khau")
    result = cli("ingest", "--no-progress", "--trust", str(test_pki.write_trust_dir(tmp_path / "trust")),
                 "--sign-with", str(p12), str(folder))
    assert result.exit_code == 0, result.output
    row = json.loads(cli("export").stdout.splitlines()[0])
    with pikepdf.open(row["signed_copy"]["path"]) as pdf:
        # The page's picture (the page itself may be taller, its top margin holding the block).
        picture = next(iter(pdf.pages[0].get_images().values()))
        w, h = float(picture.Width), float(picture.Height)
    with Image.open(photo) as shot:
        assert abs(shot.height / shot.width - 297 / 210) > 0.05  # the photo itself is not A4-shaped
    assert abs(h / w - 297 / 210) < 0.06
