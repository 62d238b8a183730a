"""Written dates and times as POSIX seconds, for every reader that meets them.

One contract: a value that cannot be read gives ``None``, and the caller
decides whether that is worth a message (the text reader reports it, a CSV
time column does not). Times without a zone are taken as UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_EPOCH = re.compile(r"^\d{9,17}(?:\.\d+)?$")
_CLOCK = r"(?P<h>\d{1,2})[:hH](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
_ZONE = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_DAY_FIRST = re.compile(
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?:(?:\s+|\s*[T,à]\s*)" + _CLOCK + _ZONE + r")?$"
)
_YEAR_FIRST = re.compile(r"^(?P<y>\d{4})[/.-](?P<mo>\d{1,2})[/.-](?P<d>\d{1,2})(?:(?:\s+|T)" + _CLOCK + _ZONE + r")?$")
_CLOCK_ONLY = re.compile(r"^" + _CLOCK + r"$")


def parse_time(value: str) -> float | None:
    """POSIX seconds from the time formats exports use; None when unrecognised.

    ISO 8601 with or without zone ("2024-03-05T14:02:11Z", "2024-03-05 14:02:11"),
    French day-first dates ("05/03/2024 14:02", "05/03/2024 à 14h02"; month-first
    only when the day-first reading is impossible), epoch seconds or
    milliseconds. A clock time alone ("14:02:11") gives seconds since
    midnight, enough to order a day's chat.
    """
    value = value.strip()
    if not value:
        return None
    if _EPOCH.match(value):
        number = float(value)
        while number > 1e11:  # milliseconds, microseconds…
            number /= 1000
        return number
    if value[:4].isdigit() and value[4:5] == "-":
        try:  # the common case, parsed in C
            moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "Zz" else value)
            return _utc(moment).timestamp()
        except ValueError:
            pass
    match = _DAY_FIRST.match(value)
    if match:
        day, month = int(match["a"]), int(match["b"])
        if month > 12 >= day:
            day, month = month, day
        year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        return _timestamp(year, month, day, match)
    match = _YEAR_FIRST.match(value)
    if match:
        return _timestamp(int(match["y"]), int(match["mo"]), int(match["d"]), match)
    match = _CLOCK_ONLY.match(value)
    if match:
        hours, minutes, seconds = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return hours * 3600 + minutes * 60 + seconds + float(f"0.{match['f'] or 0}")
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return _utc(moment).timestamp()


def parse_mail_date(value: str | None) -> float | None:
    """POSIX seconds from an e-mail ``Date:`` header (RFC 5322); None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _utc(moment).timestamp()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _timestamp(year: int, month: int, day: int, match: re.Match[str]) -> float | None:
    try:
        moment = datetime(
            year, month, day,
            int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0),
            int((match["f"] or "0").ljust(6, "0")[:6]),
            tzinfo=_zone(match["tz"]),
        )
    except ValueError:
        return None
    return moment.timestamp()


def _zone(text: str | None) -> timezone:
    if not text or text in ("Z", "UTC", "GMT"):
        return timezone.utc
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(offset if text[0] == "+" else -offset)
