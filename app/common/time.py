"""Time-zone helpers: UTC inside, the property's local time at the edges."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.common.models import utcnow


def local_now(timezone: str) -> datetime:
    """Return the current time in the given IANA time zone."""
    return utcnow().astimezone(ZoneInfo(timezone))


def local_day(timezone: str, at: datetime | None = None) -> str:
    """Return the local calendar day (YYYYMMDD) of a moment in a time zone."""
    moment = at or utcnow()
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y%m%d")
