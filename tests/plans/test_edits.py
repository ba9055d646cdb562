"""An edit or a pause applies from then on; the slots already expected keep their old rules."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.plans.models import PlanVersion
from app.plans.sweep import sweep
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import edit_plan, inspect, local, make_plan, slots_of

TUE, WED, THU = (MON + timedelta(days=n) for n in (1, 2, 3))


def _plan(site):
    return make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=9 * 60,
        end_minute=12 * 60,
        assignee_ids=[site.users["assistant"].id],
        starts_on=MON,
    )


def _snapshot(plan, day):
    return [
        (s.plan_version_id, s.status, s.window_start, s.window_end) for s in slots_of(plan, day)
    ]


def test_an_edit_never_rewrites_the_past(site):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=9 * 60,
        end_minute=12 * 60,
        assignee_ids=[site.users["assistant"].id],
        starts_on=MON,
    )
    walker = site.users["assistant"]
    inspect(site.checkpoints[0], walker, local(MON, 10), now=local(MON, 10))
    sweep(local(TUE, 10, 30))  # Monday: one done, two missed; Tuesday's window is open
    inspect(site.checkpoints[0], walker, local(TUE, 10, 15), now=local(TUE, 10, 20))
    db.session.expire_all()
    monday, tuesday = _snapshot(plan, MON), _snapshot(plan, TUE)

    edit_plan(
        site.users["supervisor"],
        plan,
        local(TUE, 10, 30),
        start_minute=14 * 60,
        end_minute=16 * 60,
        grace_minutes=15,
    )
    sweep(local(WED, 17))
    db.session.expire_all()

    old, new = plan.versions
    assert old.valid_until == local(TUE, 10, 30) == new.valid_from
    assert _snapshot(plan, MON) == monday
    # Tuesday's open window stays as it was; the new afternoon window starts after the edit.
    kept = [s for s in _snapshot(plan, TUE) if s[0] == old.id]
    assert [(v, a, b) for v, _, a, b in kept] == [(v, a, b) for v, _, a, b in tuesday]
    assert [status for _, status, _, _ in kept] == ["done_on_time", "missed", "missed"]
    assert [s[2] for s in _snapshot(plan, TUE) if s[0] == new.id] == [local(TUE, 14)] * 3
    wednesday = slots_of(plan, WED)
    assert {s.plan_version_id for s in wednesday} == {new.id}
    assert wednesday[0].window_start == local(WED, 14)
    assert wednesday[0].due_at == local(WED, 16, 15)
    assert [s.status for s in wednesday] == ["missed"] * 3


def test_an_edit_drops_only_the_old_versions_future_slots(site):
    plan = _plan(site)
    sweep(local(MON, 8))  # Monday and Tuesday exist
    edit_plan(site.users["supervisor"], plan, local(MON, 8, 30), name_zh="改名后的计划")
    versions = (
        db.session.query(PlanVersion).filter_by(plan_id=plan.id).order_by(PlanVersion.number).all()
    )
    assert [v.number for v in versions] == [1, 2]
    assert {s.plan_version_id for s in slots_of(plan)} == {versions[1].id}
    assert len(slots_of(plan)) == 6


def test_an_edit_that_changes_nothing_adds_no_version(site):
    plan = _plan(site)
    edit_plan(site.users["supervisor"], plan, local(MON, 8), grace_minutes=0)
    assert len(plan.versions) == 1


def test_pausing_stops_new_slots_and_resuming_brings_them_back(site):
    plan = _plan(site)
    sweep(local(MON, 13))
    edit_plan(site.users["supervisor"], plan, local(MON, 13), paused=True)
    assert slots_of(plan, TUE) == []
    sweep(local(WED, 13))
    assert slots_of(plan, WED) == [] and slots_of(plan, THU) == []
    assert [s.status for s in slots_of(plan, MON)] == ["missed"] * 3  # the past stays
    edit_plan(site.users["supervisor"], plan, local(WED, 13), paused=False)
    assert [s.local_day for s in slots_of(plan)][-3:] == [THU] * 3
    assert [v.paused for v in plan.versions] == [False, True, False]
