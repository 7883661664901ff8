"""Signed copies a clerk would accept: the SAO Y block on free paper at the top right of
page 1 (or in a taller top margin), read back exactly by poppler, the copy valid, PDF/A-2b
by veraPDF, its metadata in Vietnamese, and shown by Chromium's PDF viewer.

The copies are made by a real ingest with ``--sign-with`` of generated scans of several
layouts and formats, signed by an agency with a short name and one with a long name; one
scan is cut so that its print reaches the top of the page, leaving no room for the block.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest

import samplegen  # scripts/, on the path from conftest
from sohoa.ingest.copies import BLOCK_CLEARANCE, BLOCK_MARGIN, block_place
from sohoa.signatures.sign import STAMP_TEXT_WIDTH, stamp_lines, stamp_size
from tests import pki
from tests.conftest import ROOT, copy_corpus

VERAPDF = ROOT / ".tools" / "verapdf" / "verapdf"
ARTIFACTS = Path(os.environ.get("SOHOA_TEST_ARTIFACTS", ROOT / "test-artifacts"))
AGENCIES = {"good": "Ủy ban nhân dân xã Thử Nghiệm",
            "long_name": "Văn phòng Đăng ký đất đai chi nhánh Lạng Giang"}


def _no_top_margin(folder: Path) -> Path:
    """A scan whose print reaches the top edge: the top 3 cm of a generated PNG cut away."""
    from PIL import Image

    source = next(p for p in sorted(folder.iterdir()) if p.suffix == ".png")
    cut = folder / "zz_no_top_margin.png"
    with Image.open(source) as image:
        image.crop((0, round(image.height * 0.034), image.width, image.height)).save(cut, dpi=image.info["dpi"])
    return cut


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Export rows of a signed ingest per signer (``good``, ``long_name``)."""
    from click.testing import CliRunner

    from sohoa.cli import main

    base = tmp_path_factory.mktemp("signed_copies")
    scans = base / "scans"
    samplegen.generate(scans, 6, seed=21, qualities=("clean", "typical"), families=("A", "C"))
    for p in scans.glob("*.gt.json"):
        p.unlink()
    _no_top_margin(scans)
    the_pki = pki.build()
    trust = the_pki.write_trust_dir(base / "trust")
    out = {}
    for signer in AGENCIES:
        p12 = base / f"{signer}.p12"
        p12.write_bytes(the_pki.p12(signer, b"k"))
        home = base / f"home_{signer}"
        env = {"SOHOA_SIGN_PASSPHRASE": "k", "SOHOA_LANG": "en", "SOHOA_HOME": str(home)}
        runner = CliRunner(env=env)
        folder = copy_corpus(scans, base / f"scans_{signer}")
        result = runner.invoke(main, ["ingest", "--no-progress", "--trust", str(trust), "--sign-with", str(p12),
                                      str(folder)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in runner.invoke(main, ["export"]).stdout.splitlines()]
        for row in rows:
            row["trust"] = str(trust)
        out[signer] = rows
    return out


def _all(copies: dict[str, list[dict]]) -> list[dict]:
    return [row for rows in copies.values() for row in rows]


def _render(pdf: Path, dpi: int, *, annotations: bool) -> np.ndarray:
    """Page 1 as a grey image (the signature block is an annotation: hidden or shown)."""
    args = ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png", "-singlefile"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*args, *([] if annotations else ["-hide-annotations"]), str(pdf), f"{tmp}/page"],
                       capture_output=True, check=True)
        return cv2.imread(f"{tmp}/page.png", cv2.IMREAD_GRAYSCALE)


def _block_rect(pdf: Path) -> tuple[float, float, float, float, float, float]:
    """The SAO Y widget's box on page 1 (x0, y0, x1, y1 in points) and the page size."""
    with pikepdf.open(pdf) as doc:
        page = doc.pages[0]
        widget = next(a for a in page.Annots if a.get("/FT") == "/Sig" or a.get("/Parent", {}).get("/FT") == "/Sig")
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
        _, _, w, h = (float(v) for v in page.MediaBox)
    return x0, y0, x1, y1, w, h


@pytest.mark.slow
def test_the_block_lies_inside_page_one_over_no_ink_of_the_scan(copies: dict[str, list[dict]]) -> None:
    dpi = 100
    extended = 0
    for row in _all(copies):
        pdf = Path(row["signed_copy"]["path"])
        x0, y0, x1, y1, width, height = _block_rect(pdf)
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, (pdf, (x0, y0, x1, y1), (width, height))
        # To pixels, top-left origin, with a point of paper around the box.
        scale = dpi / 72
        rows_, cols = slice(int((height - y1 - 1) * scale), int((height - y0 + 1) * scale) + 1), \
            slice(int((x0 - 1) * scale), int((x1 + 1) * scale) + 1)
        scan = _render(pdf, dpi, annotations=False)
        paper = float(np.percentile(scan, 90))
        under = scan[rows_, cols]
        assert (under < paper - 60).sum() == 0, f"{pdf.name}: the block covers ink of the scan"
        shown = _render(pdf, dpi, annotations=True)[rows_, cols]
        assert (shown < paper - 60).sum() > 50, f"{pdf.name}: no block drawn"
        with pikepdf.open(pdf) as doc:
            picture = next(iter(doc.pages[0].get_images().values()))
        extended += height / width > float(picture.Height) / float(picture.Width) + 0.01  # taller than its scan
    assert extended >= 2, "the scan with no top margin got a taller first page (once per signer)"


@pytest.mark.slow
def test_the_block_reads_back_exactly_as_sao_y_the_agency_and_the_time(copies: dict[str, list[dict]]) -> None:
    for signer, rows in copies.items():
        for row in rows:
            copy = row["signed_copy"]
            pdf = Path(copy["path"])
            x0, y0, x1, y1, _, height = _block_rect(pdf)
            crop = ["-r", "72", "-x", str(int(x0)), "-y", str(int(height - y1)), "-W", str(int(x1 - x0) + 1),
                    "-H", str(int(y1 - y0) + 1)]
            text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", *crop, "-layout", str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            assert lines[0] == "SAO Y" and lines[-1] == copy["signed_at"], lines
            assert " ".join(lines[1:-1]) == AGENCIES[signer] == copy["agency"], lines
            assert copy["signed_at"].endswith("+07:00")
            if signer == "long_name":
                assert len(lines) > 3, "a long agency name wraps"
                assert x1 - x0 <= STAMP_TEXT_WIDTH + 10, "within the block's width"


@pytest.mark.slow
def test_the_copies_verify_and_are_pdfa_2b(copies: dict[str, list[dict]]) -> None:
    rows = _all(copies)
    from click.testing import CliRunner

    from sohoa.cli import main

    paths = [row["signed_copy"]["path"] for row in rows]
    verified = CliRunner().invoke(main, ["verify", "--trust", rows[0]["trust"], "--json", *paths])
    assert [item["status"] for item in json.loads(verified.stdout)] == ["valid"] * len(paths)
    assert VERAPDF.is_file(), "veraPDF is installed by scripts/bootstrap --test (scripts/install-verapdf)"
    report = subprocess.run([str(VERAPDF), "--flavour", "2b", "--format", "text", *paths],
                            capture_output=True, text=True, timeout=600)
    results = [line for line in report.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(results) == len(paths) and all(r.startswith("PASS") for r in results), report.stdout[-3000:]


@pytest.mark.slow
def test_the_metadata_says_what_the_copy_is_in_vietnamese(copies: dict[str, list[dict]]) -> None:
    for signer, rows in copies.items():
        for row in rows:
            fields = row["fields"]
            with pikepdf.open(row["signed_copy"]["path"]) as doc:
                info = {k: str(v) for k, v in doc.docinfo.items()}
                xmp = doc.open_metadata()
                assert info["/Author"] == AGENCIES[signer] == xmp["dc:creator"][0]
                assert fields["doc_type"] in info["/Title"] and (fields["number"] or "") in info["/Title"]
                assert xmp["dc:title"] == info["/Title"]
                assert info["/Subject"] == xmp["dc:description"]
                if fields["subject"]:
                    assert info["/Subject"] == fields["subject"]
                else:  # no summary read: the type and number
                    assert info["/Subject"] in info["/Title"]
                assert "SAO Y" in info["/Keywords"] and xmp["pdf:Keywords"] == info["/Keywords"]
                assert info["/CreationDate"].startswith("D:2") and xmp["xmp:CreateDate"].endswith("+07:00")
                assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "B"
                assert "anonymous" not in info.values() and "unspecified" not in info.values()


@pytest.mark.slow
def test_chromium_shows_the_copy(copies: dict[str, list[dict]], page) -> None:
    """Debian's Chromium opens each copy in its PDF viewer without an error; a screenshot
    of the first copy's first page is kept as a test artifact."""
    for n, row in enumerate(_all(copies)):
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        response = page.goto(Path(row["signed_copy"]["path"]).as_uri())
        assert response is not None and response.headers.get("content-type") == "application/pdf"
        page.wait_for_timeout(1500)
        viewer = [f for f in page.frames if f.url.startswith("chrome-extension://") and f.url.endswith("index.html")]
        assert viewer, "Chromium's PDF viewer did not open the copy"
        assert not errors, errors
        if n == 0:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "signed-copy-chromium.png"))


def test_the_block_goes_in_the_top_right_corner_above_the_print_or_nowhere() -> None:
    """On an A4 page at 100 dpi: the corner above the motto when it is free, right-aligned
    at the margin; not a gap lower down; nowhere when print reaches the top."""
    dpi, per_pt = 100, 100 / 72
    page = np.full((1169, 827), 245, np.uint8)
    motto_top = 80  # points
    page[round(motto_top * per_pt):round((motto_top + 30) * per_pt), 420:800] = 20
    size = (150, 42)
    x, y = block_place(page, dpi, size)
    assert y == BLOCK_MARGIN and x + size[0] <= 827 / per_pt - BLOCK_MARGIN
    assert x + size[0] > 827 / per_pt - BLOCK_MARGIN - 2, "as far right as it can be"
    assert y + size[1] + BLOCK_CLEARANCE <= motto_top
    taller = (150, round(motto_top - BLOCK_MARGIN))  # does not fit above the motto
    assert block_place(page, dpi, taller) is None, "not below the motto, in a gap of the header"
    page[:20, 720:] = 20  # print up to the top edge, at the right
    x2, _ = block_place(page, dpi, size)
    assert x2 + size[0] + BLOCK_CLEARANCE <= 720 / per_pt, "left of the print that reaches the top"
    page[:20, 420:] = 20
    assert block_place(page, dpi, size) is None


def test_a_long_agency_name_wraps_to_the_block_width() -> None:
    short = stamp_lines("UBND xã A", "2026-12-01T09:00:00+07:00")
    assert short == ["SAO Y", "UBND xã A", "2026-12-01T09:00:00+07:00"]
    name = "Trung tâm Phục vụ hành chính công tỉnh Bắc Giang - Chi nhánh huyện Lạng Giang mới"
    lines = stamp_lines(name, "2026-12-01T09:00:00+07:00")
    assert len(lines) > 3 and " ".join(lines[1:-1]) == name
    width, height = stamp_size(lines)
    assert width <= STAMP_TEXT_WIDTH + 10 and height == 12 * len(lines) + 6
