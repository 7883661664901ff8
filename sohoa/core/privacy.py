"""Personal data in records, masked for whoever may not see it (``personal_data``).

- Citizens' ID numbers (căn cước, 12 digits; the older chứng minh nhân dân, 9 digits)
  keep their first four and last two digits (``0241******34``), so a person can still
  tell two records apart.
- A date of birth after its label ("Ngày sinh", "sinh ngày", "năm sinh") becomes
  ``**/**/****``.
- An address after its label ("Địa chỉ", "thường trú", "nơi cư trú", "chỗ ở") becomes
  ``***`` to the end of its line.

Labels are matched with or without their diacritics, as OCR may read them. Masking errs
on the side of hiding: a business's address after "Địa chỉ" is masked too.
"""

from __future__ import annotations

import re
from typing import Any

ID_NUMBER = re.compile(r"(?<!\d)(\d{4})(\d{3}|\d{6})(\d{2})(?!\d)")
"""A run of exactly 9 or 12 digits, not part of a longer number."""
BIRTH = re.compile(r"((?:ng[aà]y\s+sinh|sinh\s+ng[aà]y|n[aă]m\s+sinh)\s*:?\s*)"
                   r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}", re.IGNORECASE)
ADDRESS = re.compile(r"((?:[đd][iị]a\s+ch[iỉ]|th[uư][oờ]ng\s+tr[uú]|n[oơ]i\s+c[uư]\s+tr[uú]|ch[oỗ]\s+[oở])"
                     r"[^:\n]{0,20}:\s*)[^\n]+", re.IGNORECASE)
MASKED_FIELDS = ("holder_id",)
"""Fields that are a personal ID as a whole."""


def mask_ids(text: str) -> str:
    """``text`` with every 9- or 12-digit ID number masked but for its ends."""
    return ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def mask_personal(text: str) -> str:
    """``text`` with ID numbers, dates of birth and addresses masked."""
    text = BIRTH.sub(lambda m: m.group(1) + "**/**/****", mask_ids(text))
    return ADDRESS.sub(lambda m: m.group(1) + "***", text)


def mask_record(data: dict[str, Any]) -> dict[str, Any]:
    """A record's export form (``Record.to_json`` and what search adds to it) with its
    personal data masked: the fields, the text, a hit's snippet and the OCR layout's words."""
    out = dict(data)
    if isinstance(out.get("fields"), dict):
        out["fields"] = {k: (mask_ids(v) if k in MASKED_FIELDS else mask_personal(v)) if isinstance(v, str) else v
                         for k, v in out["fields"].items()}
    for key in ("text", "snippet"):
        if isinstance(out.get(key), str):
            out[key] = mask_personal(out[key])
    if out.get("layout"):
        out["layout"] = [{**page, "lines": [{**line, "text": mask_personal(line["text"]),
                                             "words": [[*w[:2], mask_ids(w[2]), *w[3:]] for w in line["words"]]}
                                            for line in page["lines"]]} for page in out["layout"]]
    return out
