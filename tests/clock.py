"""The suite's clock: every test runs at one chosen instant, never at the machine's wall clock.

`PATROL_TEST_NOW` picks the instant (ISO 8601; without an offset it is Shanghai time, the demo
property's zone). `make test-clock` runs the time-sensitive tests at the awkward ones: just after
midnight, just before it, either side of the shift start, a month end and New Year. The value
`system` takes the machine's clock once at start (for runs under libfaketime). From that instant
the clock ticks at the real rate, so timeouts and waits behave as usual.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# A Wednesday, mid-morning in Shanghai: inside the early shift and construction hours.
DEFAULT_NOW = "2027-03-10T10:17:00+08:00"
PROPERTY_ZONE = ZoneInfo("Asia/Shanghai")


def chosen_instant() -> datetime:
    """Return the instant the suite starts at, from PATROL_TEST_NOW."""
    raw = os.environ.get("PATROL_TEST_NOW", "").strip() or DEFAULT_NOW
    if raw == "system":
        return datetime.now(UTC)
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PROPERTY_ZONE)
    return moment.astimezone(UTC)
