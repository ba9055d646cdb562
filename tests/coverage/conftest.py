"""A hand-computed week: two plans over two zones, Monday and Tuesday, with every outcome.

Plan P1 (zone Z: cp0 cp1 cp2), daily 09:00–12:00 + 30 min grace, owner: the assistant.
Plan P2 (zone Z2: cp3), every shift (early 08:30–17:30, middle 13:00–21:00), role: assistant.

          cp0          cp1            cp2                   cp3 early   cp3 middle
Monday    10:00 ✓      12:20 late     —  missed             09:00 ✓     14:00 ✓
Tuesday   excused      11:00 ✓        13:00 missed + extra  15:00 ✓     missed
          (+20:00 extra)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import g

from app.extensions import db
from app.places.models import Checkpoint, Zone
from app.plans import service
from app.plans.sweep import sweep
from tests import factories
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import inspect, local, make_plan, shifts, slots_of

TUE = MON + timedelta(days=1)


@dataclass
class Scenario:
    """The example's objects."""

    site: object
    zone: Zone
    zone2: Zone
    cps: list[Checkpoint]
    first: date = MON
    last: date = TUE


@pytest.fixture
def scenario(world) -> Scenario:
    site = world.a
    site.shifts = shifts(site.prop)
    zone2 = factories.zone(site.prop, name_zh="Z2幢", name_en="Building Z2")
    cps = [site.checkpoint, factories.checkpoint(site.zone), factories.checkpoint(site.zone)]
    cps.append(factories.checkpoint(zone2))
    boss, walker = site.users["supervisor"], site.users["assistant"]
    p1 = make_plan(
        boss,
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=540,
        end_minute=720,
        grace_minutes=30,
        assignee_ids=[walker.id],
        starts_on=MON,
    )
    make_plan(
        boss,
        NOW0,
        property_id=site.prop.id,
        checkpoint_ids=[cps[3].id],
        frequency="shift",
        shift_ids=[site.shifts["early"].id, site.shifts["middle"].id],
        assignee_role="assistant",
        starts_on=MON,
    )
    sweep(local(MON, 0, 5))
    for cp, day, hh, mm in [
        (cps[0], MON, 10, 0),
        (cps[1], MON, 12, 20),
        (cps[3], MON, 9, 0),
        (cps[3], MON, 14, 0),
        (cps[1], TUE, 11, 0),
        (cps[2], TUE, 13, 0),
        (cps[3], TUE, 15, 0),
        (cps[0], TUE, 20, 0),
    ]:
        inspect(cp, walker, local(day, hh, mm), now=local(day, hh, mm + 1))
    g.user = boss
    excused = next(s for s in slots_of(p1, TUE) if s.checkpoint_id == cps[0].id)
    service.excuse(excused, "楼道封闭刷漆 / stairwell closed for painting", now=local(TUE, 8))
    sweep(local(date(2026, 3, 4), 0, 30))
    db.session.commit()
    return Scenario(site=site, zone=site.zone, zone2=zone2, cps=cps)
