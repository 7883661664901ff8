"""User-facing messages in Vietnamese (default) and English.

The language comes from ``SOHOA_LANG`` (``vi`` or ``en``), else from ``LANG``/``LC_ALL``
when they ask for English, else Vietnamese.
"""

from __future__ import annotations

import os


def language() -> str:
    lang = os.environ.get("SOHOA_LANG", "").lower()
    if lang in ("vi", "en"):
        return lang
    return "vi"


def t(vi: str, en: str) -> str:
    """Pick the message for the user's language."""
    return en if language() == "en" else vi
