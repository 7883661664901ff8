"""The one place that runs Tesseract.

Two ways to the same engine: the library itself through tesserocr, one engine per worker
thread loaded once and kept (the default), or the ``tesseract`` program through pytesseract,
one process per page, which pays for loading the language model on every page (about a
sixth of the OCR time of an A4 page). Both give the same words from the same image; the
program is used where tesserocr is not installed or ``SOHOA_OCR_ENGINE=cli`` asks for it.

Probes the installed version and language models once, reads a page image into lines
with word confidences, and turns Tesseract's failures into sohoa errors with a fix.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytesseract

from sohoa.core.errors import ConfigError, MissingDependencyError, OcrFailed
from sohoa.core.layout import Line, PageLayout
from sohoa.ocr.layout import line_key, lines_from_words
from sohoa.ocr.preprocess import content_box

# One Tesseract thread per process: sohoa parallelises across pages with processes,
# and OpenMP threads inside each would only fight over the same cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

PAGE_TIMEOUT_SECONDS = 600

log = logging.getLogger(__name__)

try:
    import tesserocr
except ImportError as exc:  # not installed, or built against a libtesseract no longer there
    tesserocr = None
    _NO_LIBRARY = str(exc)
else:
    _NO_LIBRARY = ""


def engine() -> str:
    """``api`` (tesserocr, the engine kept loaded) or ``cli`` (the tesseract program)."""
    asked = os.environ.get("SOHOA_OCR_ENGINE", "").strip().lower()
    if asked not in ("", "api", "cli"):
        raise ConfigError(f"SOHOA_OCR_ENGINE phải là api hoặc cli, không phải {asked!r}.",
                          f"SOHOA_OCR_ENGINE must be api or cli, not {asked!r}.")
    if asked == "cli":
        return "cli"
    if tesserocr is None:
        if asked == "api":
            raise MissingDependencyError(
                f"SOHOA_OCR_ENGINE=api nhưng không nạp được tesserocr ({_NO_LIBRARY}). Hãy chạy lại scripts/bootstrap.",
                f"SOHOA_OCR_ENGINE=api but tesserocr cannot be loaded ({_NO_LIBRARY}). Run scripts/bootstrap again.")
        _warn_cli_once()
        return "cli"
    return "api"


@functools.cache
def _warn_cli_once() -> None:
    log.warning("tesserocr cannot be loaded (%s): running the tesseract program once per page, "
                "which is slower; scripts/bootstrap installs it", _NO_LIBRARY)


_HELD = threading.local()


@contextmanager
def _api(language: str, psm: int, variables: tuple[tuple[str, str], ...] = ()) -> Iterator[Any]:
    """This thread's engine for ``language`` and ``psm``, loaded on first use and kept.

    An engine is not shared between threads (Tesseract's is not thread-safe), nor carried
    across a fork (the pid is part of the key)."""
    held = getattr(_HELD, "engines", None)
    if held is None or _HELD.pid != os.getpid():
        held = _HELD.engines = {}
        _HELD.pid = os.getpid()
    key = (language, psm, variables)
    api = held.get(key)
    if api is None:
        try:
            api = tesserocr.PyTessBaseAPI(path=_tessdata(language), lang=language, psm=psm,
                                          oem=tesserocr.OEM.DEFAULT)
        except RuntimeError as exc:  # a fault of the machine, not of the document being read
            _installed(language)  # names the missing model or program, with the package to install
            raise MissingDependencyError(
                f"Không khởi động được Tesseract ({language}) với mô hình ở {_tessdata(language)}: {exc}. "
                f"Mô hình có thể hỏng: hãy cài lại tesseract-ocr-{language.split('+')[0]}.",
                f"Could not start Tesseract ({language}) with the models in {_tessdata(language)}: {exc}. "
                f"The model may be damaged: reinstall tesseract-ocr-{language.split('+')[0]}.") from exc
        for name, value in variables:
            api.SetVariable(name, value)
        held[key] = api
    try:
        yield api
    finally:
        api.Clear()  # the page's image and results go; the model stays


USUAL_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                  "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata")
"""Where distributions put the language models (Debian and Ubuntu, Fedora, a build from
source, Homebrew)."""


def _listed_tessdata() -> list[str]:
    """The folder ``tesseract --list-langs`` reports its models in."""
    try:
        done = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"], capture_output=True,
                              text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r'"([^"]+)"', done.stdout.splitlines()[0] if done.stdout else "")


@functools.cache
def _tessdata(language: str = "vie") -> str:
    """The folder holding the models of ``language``: TESSDATA_PREFIX; else where the
    library was built to look, when the models are there; else the folder the tesseract
    program reports; else the distribution's usual ones. A tesserocr wheel from PyPI
    carries a Tesseract of its own whose folder is "./", which holds no model: a plain
    ``pip install`` then reads with the system's models, as the program does."""
    asked = os.environ.get("TESSDATA_PREFIX")
    candidates = [asked] if asked else [tesserocr.get_languages()[0], *_listed_tessdata(), *USUAL_TESSDATA]
    needed = language.split("+")
    for folder in candidates:
        if folder and all((Path(folder) / f"{lang}.traineddata").is_file() for lang in needed):
            return folder
    where = asked or ", ".join(dict.fromkeys(c for c in candidates if c))
    raise MissingDependencyError(
        f"Không tìm thấy mô hình {language}.traineddata (đã tìm ở: {where}). Hãy cài: apt-get install "
        f"tesseract-ocr-{needed[0]}, hoặc đặt TESSDATA_PREFIX là thư mục chứa nó.",
        f"No {language}.traineddata found (looked in: {where}). Install it: apt-get install "
        f"tesseract-ocr-{needed[0]}, or set TESSDATA_PREFIX to the folder that holds it.")


def _set_image(api: Any, image: np.ndarray, dpi: int | None) -> None:
    """Give ``image`` (uint8, grey or RGB) to ``api``, its pixels as they are (no file)."""
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    api.SetImageBytes(image.tobytes(), width, height, channels, width * channels)
    api.SetVariable("user_defined_dpi", str(int(dpi or 0)))  # as the program's --dpi


def _recognize(api: Any, image: np.ndarray, dpi: int | None, what: str) -> None:
    """Recognise ``image`` with ``api``, within the page timeout."""
    _set_image(api, image, dpi)
    if not api.Recognize(timeout=PAGE_TIMEOUT_SECONDS * 1000):
        raise OcrFailed(f"Tesseract quá thời gian ({PAGE_TIMEOUT_SECONDS}s) hoặc lỗi ở {what}.",
                        f"Tesseract timed out ({PAGE_TIMEOUT_SECONDS}s) or failed on {what}.",
                        code="ocr_timeout")


_TSV_INTS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height")


def _tsv(api: Any) -> dict[str, list]:
    """The engine's TSV output as pytesseract's ``Output.DICT``: the same columns, and the
    confidences cut to whole numbers as pytesseract does, so that both ways decide alike."""
    data: dict[str, list] = {name: [] for name in (*_TSV_INTS, "conf", "text")}
    for row in api.GetTSVText(0).splitlines():
        cells = row.split("\t", 11)
        if len(cells) < 11:
            continue
        for name, cell in zip(_TSV_INTS, cells, strict=False):
            data[name].append(int(cell))
        data["conf"].append(int(float(cells[10])))
        data["text"].append(cells[11] if len(cells) > 11 else "")
    return data


@functools.cache
def probe(language: str = "vie") -> str:
    """Return ``tesseract <version> (<language>)`` once the engine has read a small page
    with the model, or raise with the fix: a model listed by name may still be one that
    cannot load (a truncated file), and that must stop a run before it takes any file."""
    found = _installed(language)
    _prove(language)
    return found


@functools.cache
def model_digest(language: str = "vie") -> str:
    """The SHA-256 of each model ``language`` reads with, as ``vie=<hex>`` (joined by
    commas): two engines named alike may hold different models, and a record says which
    one read it."""
    if engine() == "api":
        folder = _tessdata(language)
    else:
        folder = os.environ.get("TESSDATA_PREFIX") or next(iter(_listed_tessdata()), "") or _tessdata(language)
    parts = []
    for lang in language.split("+"):
        digest = hashlib.sha256()
        with (Path(folder) / f"{lang}.traineddata").open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        parts.append(f"{lang}={digest.hexdigest()}")
    return ",".join(parts)


def _prove(language: str) -> None:
    """Read a small page with ``language``'s model, the way pages are read."""
    image = np.full((80, 320), 255, np.uint8)
    cv2.putText(image, "So 12", (12, 56), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    try:
        if engine() == "api":
            with _api(language, 7) as api:
                _recognize(api, image, 300, "a test page")
        else:
            pytesseract.image_to_string(image, lang=language, config="--psm 7", timeout=60)
    except (RuntimeError, OcrFailed, pytesseract.TesseractError) as exc:
        raise MissingDependencyError(
            f"Tesseract không đọc được trang thử với mô hình {language}: {exc}. Hãy cài lại "
            f"tesseract-ocr-{language.split('+')[0]}.",
            f"Tesseract cannot read a test page with the {language} model: {exc}. Reinstall "
            f"tesseract-ocr-{language.split('+')[0]}.") from exc


@functools.cache
def _installed(language: str) -> str:
    """``tesseract <version> (<language>)`` when the program runs and lists the models."""
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
              psm: int = 3, cut: bool = True) -> PageLayout:
    """OCR one page image (grey or binary uint8) into a :class:`PageLayout`.

    A whole page (``psm`` 3) is read cut to its print (``preprocess.content_box``) unless
    ``cut`` is false (a page enlarged from a photo reads better whole); the boxes are
    given back in the page's own pixels."""
    left = top = 0
    part = image
    if psm == 3 and cut:
        left, top, right, bottom = content_box(image, dpi)
        part = image[top:bottom, left:right]
    if engine() == "api":
        with _api(language, psm) as api:
            _recognize(api, part, dpi, f"trang {page_number} / page {page_number}")
            data = _tsv(api)
    else:
        data = _program_data(part, f"--psm {psm} --dpi {dpi}", language, page_number)
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not text.strip():
            continue
        x, y, w, h = data["left"][i] + left, data["top"][i] + top, data["width"][i], data["height"][i]
        key = line_key(data["block_num"][i], data["par_num"][i], data["line_num"][i])
        words.append((key, float(x), float(y), float(x + w), float(y + h), conf, text))
    height, width = image.shape[:2]
    return PageLayout(page_number, float(width), float(height), lines_from_words(words))


def _program_data(image: np.ndarray, config: str, language: str, page_number: int) -> dict[str, list]:
    """The tesseract program's TSV for ``image``: the image goes as an uncompressed PGM
    file (writing PNG costs more than a fifth of the OCR time on a 300 dpi A4 page)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        if not cv2.imwrite(str(path), image):
            raise OcrFailed(f"Không ghi được ảnh trang {page_number} ra tệp tạm.",
                            f"Could not write page {page_number} to a temporary file.")
        try:
            return pytesseract.image_to_data(str(path), lang=language, config=config,
                                             output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_SECONDS)
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


_DIGITS = (("tessedit_char_whitelist", "0123456789"),)


def read_digits(image: np.ndarray, psm: int = 7) -> tuple[str, float]:
    """Digits on one line (a number filled in by hand), with Tesseract's ``eng`` model and
    only digits allowed: the digits read and the lowest word confidence (0-100)."""
    if engine() == "api":
        with _api("eng", psm, _DIGITS) as api:
            _recognize(api, image, None, "vùng số / the number zone")
            data = _tsv(api)
    else:
        config = f"--psm {psm} " + " ".join(f"-c {name}={value}" for name, value in _DIGITS)
        data = _program_data(image, config, "eng", 0)
    read = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=True)
            if t.strip() and float(c) >= 0]
    return "".join(t for t, _ in read), min((c for _, c in read), default=0.0)


def orientation(image: np.ndarray, *, dpi: int) -> int:
    """Degrees (0, 90, 180, 270) to rotate the page clockwise so its text stands upright,
    from Tesseract's orientation detection (``osd``); 0 when it cannot tell."""
    if engine() == "api":
        with _api("osd", 0) as api:
            _set_image(api, image, dpi)
            osd = api.DetectOrientationScript()
        if not osd or float(osd.get("orient_conf", 0)) < 1.0:
            return 0  # too little text to tell: leave the page as it is
        # the page's text is turned orient_deg counter-clockwise: turn it back clockwise
        return (360 - int(osd["orient_deg"])) % 360
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


def read_page_text(image: np.ndarray, *, dpi: int, language: str = "vie", psm: int = 3, cut: bool = True) -> str:
    """Plain text of a page image, for preprocessing evaluation and benchmarks."""
    layout = read_page(image, page_number=1, dpi=dpi, language=language, psm=psm, cut=cut)
    return layout.text


__all__ = ["Line", "PageLayout", "engine", "orientation", "probe", "read_digits", "read_page", "read_page_text"]
