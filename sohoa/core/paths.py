"""File names as a clerk's folders really hold them: not always UTF-8.

Old Windows scanners and USB sticks write names in TCVN3, VNI or CP1258. Linux hands
Python such a name as a str with "surrogate escapes" (``os.fsdecode``), which opens the
file but cannot be written to SQLite, to JSON for another program, or to the terminal.

- ``to_db`` / ``from_db``: the ledger keeps a name that is not UTF-8 as its bytes (SQLite
  stores a BLOB in the same column), so the file is found again byte for byte.
- ``readable``: the name to show a person and to put in the index. Bytes that are not
  UTF-8 are read as Windows-1258, the code page of Vietnamese Windows ("Quy\\xeat" shows
  as "Quyêt"), and the name is marked as converted.
- ``dumps``: JSON of a record; a name that is not UTF-8 is written with JSON escapes
  (``\\udcea``), which ``json.loads`` turns back into the same name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

LEGACY_CODEPAGE = "cp1258"
CONVERTED_MARK = " [tên tệp không phải UTF-8 / file name not UTF-8]"


def is_utf8(path: str | Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_db(path: str | Path) -> str | bytes:
    return str(path) if is_utf8(path) else os.fsencode(path)


def from_db(value: str | bytes) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def readable_text(text: str) -> str:
    """``text`` with each byte a file name brought in that was not UTF-8 (a surrogate
    escape, U+DC80-U+DCFF) read as Windows-1258; the rest is kept."""
    if is_utf8(text):
        return text
    return "".join(bytes([ord(c) - 0xDC00]).decode(LEGACY_CODEPAGE, errors="replace")
                   if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


def readable(path: str | Path) -> str:
    """``path`` as a person can read it (see the module docstring)."""
    if is_utf8(path):
        return str(path)
    return readable_text(str(path)) + CONVERTED_MARK


def dumps(data: Any) -> str:
    """``json.dumps`` that stays valid UTF-8 whatever file names the data holds."""
    text = json.dumps(data, ensure_ascii=False)
    return text if is_utf8(text) else json.dumps(data, ensure_ascii=True)
