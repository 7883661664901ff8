"""User-facing messages in Vietnamese (default) and English.

The language of the command line comes from ``SOHOA_LANG`` (``vi`` or ``en``), else
Vietnamese. The web chooses its reader's language per request (``search_api.web.deps``).

A message kept for later (a file's failure reason in the ledger) is kept in both
languages (``both``) and put in the reader's when shown (``shown``), never in the
language of the process that wrote it.
"""

from __future__ import annotations

import json
import os


def language() -> str:
    lang = os.environ.get("SOHOA_LANG", "").lower()
    if lang in ("vi", "en"):
        return lang
    return "vi"


def t(vi: str, en: str) -> str:
    """Pick the message for the user's language."""
    return en if language() == "en" else vi


def both(vi: str, en: str) -> str:
    """A message to store, in both languages; ``shown`` gives it in the reader's."""
    return json.dumps({"vi": vi, "en": en}, ensure_ascii=False)


def shown(stored: str | None, lang: str | None = None) -> str | None:
    """A stored message in ``lang`` (default: the command line's language; ``both`` for a
    reader whose language is not known, an API client: "vi / en"): a pair written by
    ``both``; any other text as stored (ledgers before pairs kept "vi / en")."""
    if not stored or not stored.startswith('{"vi"'):
        return stored
    try:
        pair = json.loads(stored)
    except ValueError:
        return stored
    lang = lang or language()
    if lang == "both":
        return f"{pair.get('vi')} / {pair.get('en')}"
    return pair.get("en" if lang == "en" else "vi") or stored
