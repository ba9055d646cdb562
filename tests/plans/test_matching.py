"""Inspections fulfil slots by checkpoint and scan time, whatever order they arrive in."""

from __future__ import annotations

from datetime import timedelta

from flask import g

from app.extensions import db
from app.plans import service
from app.plans.models import Visit
from app.plans.sweep import sweep
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import inspect, local, make_plan, slots_of


def _daily(site, **kw):
    return make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        shift_ids=[site.shifts["early"].id],
        grace_minutes=30,
        assignee_ids=[site.users["assistant"].id],
        starts_on=MON,
        **kw,
    )


def _status(slots):
    return [s.status for s in slots]


def test_on_time_late_and_missed(site):
    plan = _daily(site)
    walker = site.users["assistant"]
    cp0, cp1, cp2 = site.checkpoints
    slots = slots_of(plan)
    assert len(slots) == 3 and _status(slots) == ["pending"] * 3
    inspect(cp0, walker, local(MON, 9), now=local(MON, 9, 1))
    inspect(cp1, walker, local(MON, 17, 50), now=local(MON, 17, 51))  # 17:30 + 30 min grace
    inspect(cp2, walker, local(MON, 18, 5), now=local(MON, 18, 6))  # after the grace
    sweep(local(MON, 18, 10))
    db.session.expire_all()
    assert _status(slots_of(plan, MON)) == ["done_on_time", "done_late", "missed"]
    visits = {v.checkpoint_id: v for v in db.session.query(Visit)}
    assert visits[cp2.id].slot_id is None  # an extra visit, outside any slot
    assert visits[cp0.id].slot_id == slots[0].id


def test_an_inspection_synced_hours_late_turns_a_miss_into_done(site):
    plan = _daily(site)
    cp = site.checkpoints[2]
    sweep(local(MON, 19))
    db.session.expire_all()
    missed = next(s for s in slots_of(plan) if s.checkpoint_id == cp.id)
    assert missed.status == "missed"
    # The phone was offline: scanned at 10:00, reaches the server at 22:00.
    inspection = inspect(cp, site.users["assistant"], local(MON, 10), now=local(MON, 22))
    db.session.refresh(missed)
    assert missed.status == "done_on_time"
    assert missed.inspection_id == inspection.id
    assert missed.done_at == local(MON, 10)
    late = inspect(site.checkpoints[1], site.users["assistant"], local(MON, 17, 45), local(MON, 23))
    assert slots_of(plan)[1].status == "done_late" and slots_of(plan)[1].inspection_id == late.id


def test_overlapping_shifts_need_two_scans_whatever_order_they_arrive_in(site):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        checkpoint_ids=[c.id for c in site.checkpoints[:2]],
        frequency="shift",
        shift_ids=[site.shifts["early"].id, site.shifts["middle"].id],
        assignee_role="assistant",
        starts_on=MON,
    )
    walker = site.users["assistant"]
    cp0, cp1 = site.checkpoints[:2]
    late_night = local(MON, 22)
    for cp, times in ((cp0, (14, 10)), (cp1, (10, 14))):  # two arrival orders
        for hour in times:
            inspect(cp, walker, local(MON, hour), now=late_night)
    results = {}
    for slot in slots_of(plan):
        results.setdefault(slot.checkpoint_id, []).append((slot.shift_id, slot.done_at))
    expected = [
        (site.shifts["early"].id, local(MON, 10)),
        (site.shifts["middle"].id, local(MON, 14)),
    ]
    assert sorted(results[cp0.id]) == sorted(results[cp1.id]) == sorted(expected)


def test_a_second_scan_inside_a_done_slot_is_a_repeat_not_an_extra(site):
    plan = _daily(site)
    cp = site.checkpoints[0]
    first = inspect(cp, site.users["assistant"], local(MON, 9), now=local(MON, 9))
    inspect(cp, site.users["inspector"], local(MON, 11), now=local(MON, 11))
    slot = slots_of(plan)[0]
    assert slot.inspection_id == first.id
    assert all(v.slot_id == slot.id for v in db.session.query(Visit))


def test_a_visit_beats_an_excuse(site):
    plan = _daily(site)
    slot = slots_of(plan)[0]
    g.user = site.users["supervisor"]
    service.excuse(slot, "楼梯间封闭维修", now=local(MON, 8))
    assert slot.status == "excused"
    inspect(site.checkpoints[0], site.users["assistant"], local(MON, 9), now=local(MON, 9))
    assert slot.status == "done_on_time"
    assert slot.excuse_reason == "楼梯间封闭维修"


def test_an_excused_slot_stays_excused_after_the_sweep(site):
    plan = _daily(site)
    slot = slots_of(plan)[1]
    g.user = site.users["supervisor"]
    service.excuse(slot, "业主装修封门", now=local(MON, 8))
    sweep(local(MON, 20))
    db.session.expire_all()
    assert _status(slots_of(plan, MON)) == ["missed", "excused", "missed"]
    assert {s.status for s in slots_of(plan, MON + timedelta(days=1))} == {"pending"}
