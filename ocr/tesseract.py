"""The one place that runs Tesseract (through pytesseract).

Probes the installed version and language models once, reads a page image into lines
with word confidences, and turns Tesseract's failures into sohoa errors with a fix.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from sohoa.core.errors import MissingDependencyError, OcrFailed
from sohoa.core.layout import Line, PageLayout
from sohoa.ocr.layout import line_key, lines_from_words

# One Tesseract thread per process: sohoa parallelises across pages with processes,
# and OpenMP threads inside each would only fight over the same cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

PAGE_TIMEOUT_SECONDS = 600


@functools.cache
def probe(language: str = "vie") -> str:
    """Return ``tesseract <version> (<language>)`` or raise with an install hint."""
    try:
        version = pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise MissingDependencyError(
            "Không tìm thấy chương trình tesseract. Hãy cài: apt-get install tesseract-ocr "
            "tesseract-ocr-vie",
            "tesseract is not installed or not on PATH. Install it: apt-get install "
            "tesseract-ocr tesseract-ocr-vie",
        ) from exc
    missing = [lang for lang in language.split("+") if lang not in languages]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise MissingDependencyError(
            f"Tesseract thiếu mô hình ngôn ngữ {', '.join(missing)}. Hãy cài: apt-get install {pkgs}",
            f"Tesseract lacks the language model(s) {', '.join(missing)}. Install: apt-get install {pkgs}",
        )
    return f"tesseract {version} ({language})"


def read_page(image: np.ndarray, *, page_number: int, dpi: int, language: str = "vie",
              psm: int = 3) -> PageLayout:
    """OCR one page image (grey or binary uint8) into a :class:`PageLayout`.

    The image goes to Tesseract as an uncompressed PGM file: writing PNG costs more
    than a fifth of the OCR time on a 300 dpi A4 page.
    """
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        if not cv2.imwrite(str(path), image):
            raise OcrFailed(f"Không ghi được ảnh trang {page_number} ra tệp tạm.",
                            f"Could not write page {page_number} to a temporary file.")
        config = f"--psm {psm} --dpi {dpi}"
        try:
            data = pytesseract.image_to_data(
                str(path), lang=language, config=config,
                output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_SECONDS,
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise OcrFailed(
                f"Tesseract quá thời gian ({PAGE_TIMEOUT_SECONDS}s) ở trang {page_number}.",
                f"Tesseract timed out ({PAGE_TIMEOUT_SECONDS}s) on page {page_number}.",
                code="ocr_timeout",
            ) from exc
        except pytesseract.TesseractError as exc:
            raise OcrFailed(
                f"Tesseract lỗi ở trang {page_number}: {exc.message.strip()}",
                f"Tesseract failed on page {page_number}: {exc.message.strip()}",
            ) from exc
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not text.strip():
            continue
        x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
        key = line_key(data["block_num"][i], data["par_num"][i], data["line_num"][i])
        words.append((key, float(x), float(y), float(x + w), float(y + h), conf, text))
    height, width = image.shape[:2]
    return PageLayout(page_number, float(width), float(height), lines_from_words(words))


def read_digits(image: np.ndarray, psm: int = 7) -> tuple[str, float]:
    """Digits on one line (a number filled in by hand), with Tesseract's ``eng`` model and
    only digits allowed: the digits read and the lowest word confidence (0-100)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        path = Path(tmp) / "zone.pgm"
        if not cv2.imwrite(str(path), image):
            raise OcrFailed("Không ghi được vùng số ra tệp tạm.",
                            "Could not write the number zone to a temporary file.")
        try:
            data = pytesseract.image_to_data(str(path), lang="eng", timeout=PAGE_TIMEOUT_SECONDS,
                                             config=f"--psm {psm} -c tessedit_char_whitelist=0123456789",
                                             output_type=pytesseract.Output.DICT)
        except (RuntimeError, pytesseract.TesseractError) as exc:
            raise OcrFailed(f"Tesseract lỗi khi đọc vùng số: {exc}", f"Tesseract failed on the number zone: {exc}",
                            code="ocr_timeout") from exc
    read = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=True) if t.strip()]
    return "".join(t for t, _ in read), min((c for _, c in read), default=0.0)


def orientation(image: np.ndarray, *, dpi: int) -> int:
    """Degrees (0, 90, 180, 270) to rotate the page clockwise so its text stands upright,
    from Tesseract's orientation detection (``osd``); 0 when it cannot tell."""
    with tempfile.TemporaryDirectory(prefix="sohoa-osd-") as tmp:
        path = Path(tmp) / "page.pgm"
        cv2.imwrite(str(path), image)
        try:
            osd = pytesseract.image_to_osd(str(path), config=f"--psm 0 --dpi {dpi}",
                                           output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_SECONDS)
        except (pytesseract.TesseractError, RuntimeError):
            return 0  # too little text to tell: leave the page as it is
    if float(osd.get("orientation_conf", 0)) < 1.0:
        return 0
    return int(osd.get("rotate", 0)) % 360


def read_page_text(image: np.ndarray, *, dpi: int, language: str = "vie", psm: int = 3) -> str:
    """Plain text of a page image, for preprocessing evaluation and benchmarks."""
    layout = read_page(image, page_number=1, dpi=dpi, language=language, psm=psm)
    return layout.text


__all__ = ["Line", "PageLayout", "orientation", "probe", "read_page", "read_page_text"]
