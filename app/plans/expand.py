"""Expand a plan version into visit windows, in the property's local time (pure functions).

Local times become UTC one day at a time through zoneinfo, so a window keeps its wall-clock
times across daylight-saving changes: 08:30 is 08:30 on both sides of the switch. A local time
that does not exist (the spring-forward gap) is read with the offset before the switch, i.e. it
lands that many minutes later; an ambiguous one (autumn) is its first occurrence.

Windows: ``shift`` — one per listed shift and day; ``daily`` — one a day; ``weekdays`` — one on
each listed weekday (0 Monday … 6 Sunday); ``weekly`` — one per week, Monday's start time to
Sunday's end time (weeks start on Monday); ``monthly`` — one per month, on ``month_day``
(clamped to the month's last day, so 31 means the last day of February) or, without it, the
whole month (the 1st's start time to the last day's end time).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60


class ShiftTimes(Protocol):
    """What expansion needs of a shift."""

    id: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Window:
    """One expected visit window: UTC bounds, the local day it starts on and its shift."""

    start: datetime
    end: datetime
    local_day: date
    shift_id: int | None = None


def at_local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Return the UTC moment of a local day plus minutes after midnight (1440 = next midnight)."""
    day = day + timedelta(days=minute // DAY_MINUTES)
    minute %= DAY_MINUTES
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """Return the local calendar day of a UTC moment."""
    return moment.astimezone(tz).date()


def span(start_minute: int, end_minute: int) -> tuple[int, int]:
    """Return (start, end) minutes with the end moved to the next day when it is not later."""
    return start_minute, end_minute + (DAY_MINUTES if end_minute <= start_minute else 0)


def day_spans(version: Any, shifts: Mapping[int, ShiftTimes]) -> list[tuple[int, int, int | None]]:
    """Return the (start, end, shift id) minutes of each window of one day of a version."""
    ids = list(version.shift_ids or [])
    if version.frequency == "shift" or (ids and version.start_minute is None):
        chosen = [shifts[i] for i in ids if i in shifts]
        return [(*span(s.start_minute, s.end_minute), s.id) for s in chosen]
    start = version.start_minute if version.start_minute is not None else 0
    end = version.end_minute if version.end_minute is not None else DAY_MINUTES
    return [(*span(start, end), None)]


def windows(
    version: Any,
    shifts: Mapping[int, ShiftTimes],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Window]:
    """Return the version's windows that start in [start, end) and while it is valid."""
    if version.paused:
        return []
    lo = max(start, version.valid_from)
    hi = min(end, version.valid_until) if version.valid_until else end
    if lo >= hi:
        return []
    first, last = local_date(lo, tz) - timedelta(days=1), local_date(hi, tz)
    found = [w for w in _candidates(version, shifts, tz, first, last) if lo <= w.start < hi]
    return sorted(found, key=lambda w: (w.start, w.shift_id or 0))


def _candidates(
    version: Any, shifts: Mapping[int, ShiftTimes], tz: ZoneInfo, first: date, last: date
) -> Iterator[Window]:
    spans = day_spans(version, shifts)
    frequency = version.frequency
    if frequency in ("shift", "daily", "weekdays"):
        allowed = set(version.weekdays or range(7)) if frequency == "weekdays" else set(range(7))
        for day in _days(first, last):
            if day.weekday() in allowed:
                for s, e, shift_id in spans:
                    yield Window(at_local(day, s, tz), at_local(day, e, tz), day, shift_id)
    elif frequency == "weekly":
        monday = first - timedelta(days=first.weekday())
        for week in _days(monday, last, step=7):
            for s, e, shift_id in spans:
                sunday_end = at_local(week + timedelta(days=6), e, tz)
                yield Window(at_local(week, s, tz), sunday_end, week, shift_id)
    elif frequency == "monthly":
        yield from _monthly(version.month_day, spans, tz, first, last)


def _monthly(
    month_day: int | None,
    spans: list[tuple[int, int, int | None]],
    tz: ZoneInfo,
    first: date,
    last: date,
) -> Iterator[Window]:
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        days = calendar.monthrange(year, month)[1]
        for s, e, shift_id in spans:
            if month_day:
                day = date(year, month, min(month_day, days))
                yield Window(at_local(day, s, tz), at_local(day, e, tz), day, shift_id)
            else:
                begin, end = date(year, month, 1), date(year, month, days)
                yield Window(at_local(begin, s, tz), at_local(end, e, tz), begin, shift_id)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _days(first: date, last: date, step: int = 1) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=step)
