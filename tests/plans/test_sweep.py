"""The sweep: slots ahead, misses marked, the assignee reminded and supervisors told, once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.extensions import db
from app.inspections.models import Inspection
from app.notify.models import Notification, NotificationChannel
from app.plans.models import Slot
from app.plans.sweep import sweep
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import inspect, local, make_plan, slots_of

TUE = MON + timedelta(days=1)


def _plan(site):
    return make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        shift_ids=[site.shifts["early"].id],
        grace_minutes=30,
        assignee_ids=[site.users["assistant"].id],
        starts_on=MON,
    )


def _channels(site):
    for audience in ("supervisor", "frontdesk"):
        db.session.add(
            NotificationChannel(
                property_id=site.prop.id,
                audience=audience,
                kind="webhook",
                address=f"https://hooks.example.com/{audience}",
            )
        )
    db.session.flush()


def _sent(subject_part: str) -> list[Notification]:
    return [n for n in db.session.query(Notification) if subject_part in n.subject]


def test_materializing_is_idempotent_and_looks_one_day_ahead(site):
    plan = _plan(site)
    first = sweep(local(MON, 10))
    assert first["materialized"] == 3  # Tuesday's three stairwells
    assert sweep(local(MON, 10, 1))["materialized"] == 0
    assert sweep(local(MON, 10, 2))["materialized"] == 0
    assert {s.local_day for s in slots_of(plan)} == {MON, TUE}
    assert db.session.query(Slot).count() == 6


def test_a_new_checkpoint_joins_its_zones_plan_for_windows_not_started(site):
    from tests import factories

    plan = _plan(site)
    sweep(local(MON, 10))
    newcomer = factories.checkpoint(site.zone)
    sweep(local(MON, 11))
    mine = [s for s in slots_of(plan) if s.checkpoint_id == newcomer.id]
    assert [s.local_day for s in mine] == [TUE]  # Monday's window had started already


def test_the_assignee_is_reminded_once_before_the_window_closes(site):
    _channels(site)
    _plan(site)
    inspect(site.checkpoints[0], site.users["assistant"], local(MON, 9), now=local(MON, 9))
    assert sweep(local(MON, 16))["reminded"] == 0  # more than an hour left
    assert sweep(local(MON, 16, 45))["reminded"] == 2
    assert sweep(local(MON, 16, 50))["reminded"] == 0
    [reminder] = _sent("巡查提醒")
    assert "2" in reminder.subject and "Patrol reminder" in reminder.subject
    assert reminder.payload["assignee_id"] == site.users["assistant"].id
    assert reminder.address == "https://hooks.example.com/frontdesk"


def test_a_missed_slot_is_announced_to_supervisors_exactly_once(site):
    _channels(site)
    plan = _plan(site)
    inspect(site.checkpoints[0], site.users["assistant"], local(MON, 9), now=local(MON, 9))
    assert sweep(local(MON, 17, 59))["missed"] == 0  # still inside the grace period
    counts = sweep(local(MON, 18, 1))
    assert (counts["missed"], counts["missed_notices"]) == (2, 2)
    for minute in range(2, 6):
        again = sweep(local(MON, 18, minute))
        assert (again["missed"], again["missed_notices"]) == (0, 0)
    [notice] = _sent("漏巡")
    assert notice.address == "https://hooks.example.com/supervisor"
    assert "Missed patrol" in notice.subject
    assert sorted(notice.payload["slot_ids"]) == sorted(
        s.id for s in slots_of(plan, MON) if s.status == "missed"
    )
    # A late sync turns one into done; nobody is told about it twice.
    inspect(site.checkpoints[1], site.users["assistant"], local(MON, 11), now=local(MON, 19))
    assert sweep(local(MON, 19, 1))["missed_notices"] == 0
    assert len(_sent("漏巡")) == 1


def test_the_sweep_matches_inspections_the_hook_never_saw(site):
    plan = _plan(site)
    template = site.template.current_version
    db.session.add(
        Inspection(
            client_uuid=str(uuid.uuid4()),
            property_id=site.prop.id,
            checkpoint_id=site.checkpoints[0].id,
            checklist_version_id=template.id,
            user_id=site.users["assistant"].id,
            code=site.checkpoints[0].code,
            label_version=1,
            scanned_at=local(MON, 9),
        )
    )
    db.session.flush()
    assert sweep(local(MON, 12))["caught_up"] == 1
    assert slots_of(plan, MON)[0].status == "done_on_time"
    assert sweep(local(MON, 12, 1))["caught_up"] == 0


def test_flask_plans_sweep_commits_and_reports(app, site):
    _plan(site)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plans", "sweep", "--now", local(MON, 19).isoformat()])
    assert result.exit_code == 0, result.output
    assert "missed=3" in result.output
    again = runner.invoke(args=["plans", "sweep", "--now", local(MON, 19, 1).isoformat()])
    assert "missed=0" in again.output and "materialized=0" in again.output
    bad = runner.invoke(args=["plans", "sweep", "--now", "yesterday"])
    assert bad.exit_code != 0


def test_slots_keep_their_wall_clock_across_the_berlin_switch(site):
    from datetime import date
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    site.prop.timezone = "Europe/Berlin"
    friday = date(2026, 3, 27)
    plan = make_plan(
        site.users["supervisor"],
        local(friday, 0, tz=berlin),
        property_id=site.prop.id,
        checkpoint_ids=[site.checkpoints[0].id],
        shift_ids=[site.shifts["early"].id],
        assignee_role="assistant",
    )
    for day in range(4):
        sweep(local(friday + timedelta(days=day), 12, tz=berlin))
    slots = slots_of(plan)
    assert [s.local_day.day for s in slots] == [27, 28, 29, 30, 31]
    assert {s.window_start.astimezone(berlin).strftime("%H:%M") for s in slots} == {"08:30"}
    assert [s.window_start.hour for s in slots] == [7, 7, 6, 6, 6]  # UTC moves with the switch
    assert [s.status for s in slots[:4]] == ["missed"] * 3 + ["pending"]
