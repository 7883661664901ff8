"""User-facing messages in Vietnamese (default) and English.

The language of the command line comes from ``SOHOA_LANG`` (``vi`` or ``en``), else
Vietnamese. The web chooses its reader's language per request (``search_api.web.deps``).
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
