"""Is a result still valid ("còn hiệu lực")? Judged from its end date and its type.

A printed (or derived) ``valid_until`` decides. Without one, the type's rule says
whether the result is valid until revoked (a birth certificate, a decision) or whether
sohoa cannot tell (a construction permit whose period could not be read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sohoa.core.model import Validity, ValidityStatus

VIETNAM = dt.timezone(dt.timedelta(hours=7))
"""Vietnam's time (UTC+7, no daylight saving): the days of results, copies and progress are counted in it."""


def judge(valid_until: str | None, no_end_policy: str | None, today: dt.date) -> Validity:
    """The verdict as of ``today``; ``no_end_policy`` is ``valid``, ``unknown`` or None,
    and is kept on the verdict."""
    return replace(_judge(valid_until, no_end_policy, today), without_end_date=no_end_policy)


def again(validity: Validity, valid_until: str | None, today: dt.date) -> Validity:
    """The record's verdict judged again as of ``today``, by the policy it keeps."""
    return judge(valid_until, validity.without_end_date, today)


def _judge(valid_until: str | None, no_end_policy: str | None, today: dt.date) -> Validity:
    if valid_until:
        try:
            until = dt.date.fromisoformat(valid_until)
        except ValueError:
            return Validity(ValidityStatus.unknown, today, "unreadable", value=valid_until)
        if until < today:
            return Validity(ValidityStatus.expired, today, "passed", value=until.isoformat())
        return Validity(ValidityStatus.valid, today, "until", value=until.isoformat())
    if no_end_policy == "valid":
        return Validity(ValidityStatus.valid, today, "no_end")
    return Validity(ValidityStatus.unknown, today, "unread")
