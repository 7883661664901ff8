"""Personal data in text: citizens' ID numbers, masked for whoever may not see them.

Vietnam's citizen identity numbers (căn cước, 12 digits) and the older identity card
numbers (chứng minh nhân dân, 9 digits) are shown as their first four and last two
digits (``0241******34``), so a person can still tell two records apart.
"""

from __future__ import annotations

import re

ID_NUMBER = re.compile(r"(?<![\d])(\d{4})(\d{3}|\d{6})(\d{2})(?![\d])")
"""A run of exactly 9 or 12 digits, not part of a longer number."""


def mask_ids(text: str) -> str:
    """``text`` with every 9- or 12-digit ID number masked but for its ends."""
    return ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
