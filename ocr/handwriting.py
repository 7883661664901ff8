"""A second OCR engine for what a person fills in by hand: the number and the day.

Tesseract's reads of a hand-filled zone are right about 98 times in 100 when its three
sizes agree, and its confidence does not tell the wrong ones apart, so one engine's read
is never taken alone. The second engine is RapidOCR's PP-OCRv4 recogniser (a neural
recogniser trained on other data, whose weights ship inside the ``rapidocr-onnxruntime``
wheel and run on ONNX Runtime's CPU provider: nothing is downloaded at run time, and ONNX
Runtime's telemetry is turned off before it loads). A value
is accepted when both engines read the same digits (``ocr.zones.HandRead``); otherwise
the reads stay a suggestion for a person, both of them named.

An engine that cannot load is a fault of the machine, not of a document: it raises
``MissingDependencyError``, which stops the run before any file is marked failed.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np

from sohoa.core.errors import MissingDependencyError

_LOCK = threading.Lock()
"""One recognition at a time per process: the engine's pre- and post-processing keep state."""


def _rapidocr() -> Any:
    # ONNX Runtime 1.32 starts Microsoft's telemetry when it loads unless told not to: a
    # database in ~/.cache/Microsoft, a session file in the temporary folder, events sent
    # out. An archive of people's papers sends nothing anywhere, and a worker keeps nothing.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def _engine_from(load: Callable[[], Any]) -> Any:
    try:
        return load()
    except Exception as exc:  # an import or a model that cannot load: the install is broken
        raise MissingDependencyError(
            f"Không nạp được bộ nhận dạng chữ viết tay (rapidocr-onnxruntime): {exc}. "
            "Hãy cài lại: pip install --force-reinstall rapidocr-onnxruntime",
            f"The handwriting recogniser (rapidocr-onnxruntime) could not load: {exc}. "
            "Reinstall it: pip install --force-reinstall rapidocr-onnxruntime",
        ) from exc


@functools.cache
def _engine() -> Any:
    return _engine_from(_rapidocr)


def read_line(zone: np.ndarray) -> tuple[str, float]:
    """The text of one line image (grey or colour) and the recogniser's score (0-1)."""
    image = zone if zone.ndim == 3 else np.repeat(zone[:, :, None], 3, axis=2)
    with _LOCK:
        result, _ = _engine()(np.ascontiguousarray(image), use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = result[0][0], result[0][1]
    return str(text), float(score)


@functools.cache
def probe() -> str:
    """Prove the engine loads and reads (a generated "12"); its name and version."""
    import cv2

    image = np.full((48, 120, 3), 255, np.uint8)
    cv2.putText(image, "12", (20, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (0, 0, 0), 3)
    digits, _ = read_line(image)
    if digits.strip() != "12":
        raise MissingDependencyError(
            f"Bộ nhận dạng chữ viết tay đọc sai trang thử ({digits!r} thay vì '12'): mô hình hỏng? "
            "Hãy cài lại: pip install --force-reinstall rapidocr-onnxruntime",
            f"The handwriting recogniser misread its test page ({digits!r} for '12'): a broken model? "
            "Reinstall it: pip install --force-reinstall rapidocr-onnxruntime",
        )
    return f"rapidocr-onnxruntime {metadata.version('rapidocr-onnxruntime')} (PP-OCRv4 rec)"
