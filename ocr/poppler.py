"""The one place that runs poppler: text layers (pdftotext) and rasterising (pdf2image).

Turns poppler's failures into sohoa errors with a fix-it hint.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pdf2image
import pdf2image.exceptions

from sohoa.core.errors import CorruptFile, MissingDependencyError
from sohoa.core.layout import PageLayout
from sohoa.ocr.layout import line_key, lines_from_words

TIMEOUT_SECONDS = 300
_NS = "{http://www.w3.org/1999/xhtml}"


def _require(program: str) -> str:
    found = shutil.which(program)
    if not found:
        raise MissingDependencyError(
            f"Không tìm thấy {program}. Hãy cài: apt-get install poppler-utils",
            f"{program} is not installed. Install it: apt-get install poppler-utils",
        )
    return found


def text_layer(path: Path) -> list[PageLayout]:
    """Every page's text layer with word boxes (PDF points), via ``pdftotext -bbox-layout``."""
    exe = _require("pdftotext")
    try:
        proc = subprocess.run(
            [exe, "-q", "-bbox-layout", str(path), "-"],
            capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(
            f"pdftotext quá thời gian với {path.name}.", f"pdftotext timed out on {path.name}.",
        ) from exc
    if proc.returncode != 0:
        raise CorruptFile(
            f"Không đọc được lớp chữ của {path.name}: {proc.stderr.decode(errors='replace')[:200]}",
            f"Could not read the text layer of {path.name}: "
            f"{proc.stderr.decode(errors='replace')[:200]}",
        )
    root = ET.fromstring(proc.stdout.decode("utf-8", errors="replace"))
    pages = []
    for number, page in enumerate(root.iter(f"{_NS}page"), start=1):
        words = []
        for b, block in enumerate(page.iter(f"{_NS}block"), start=1):
            for n, line in enumerate(block.iter(f"{_NS}line"), start=1):
                for word in line.iter(f"{_NS}word"):
                    a = word.attrib
                    words.append((
                        line_key(b, 0, n), float(a["xMin"]), float(a["yMin"]),
                        float(a["xMax"]), float(a["yMax"]), 100.0, word.text or "",
                    ))
        pages.append(PageLayout(number, float(page.attrib["width"]),
                                float(page.attrib["height"]), lines_from_words(words)))
    return pages


def rasterise(path: Path, page: int, dpi: int, *, grey: bool = False) -> np.ndarray:
    """Render one PDF page (1-based) to an RGB (or grey) array with pdf2image.

    Uncompressed PPM output: pdftoppm's PNG encoder costs more than OCR itself.
    Annotations (signature stamps, received stamps added later) are left out.
    """
    _require("pdftoppm")
    try:
        images = pdf2image.convert_from_path(
            str(path), dpi=dpi, first_page=page, last_page=page, fmt="ppm",
            grayscale=grey, timeout=TIMEOUT_SECONDS, hide_annotations=True,
        )
    except (pdf2image.exceptions.PDFPageCountError, pdf2image.exceptions.PDFSyntaxError,
            pdf2image.exceptions.PDFPopplerTimeoutError) as exc:
        raise CorruptFile(
            f"Không dựng được trang {page} của {path.name}: {exc}",
            f"Could not render page {page} of {path.name}: {exc}",
        ) from exc
    if not images:
        raise CorruptFile(f"Trang {page} của {path.name} trống.", f"Page {page} of {path.name} is empty.")
    return np.asarray(images[0])
