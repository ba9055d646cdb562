"""Ticket SLA figures of a hand-computed example (Monday 2 and Tuesday 3 March, Shanghai).

          department  created     accepted   closed        close due    in range
T1        ENG         Mon 09:00   +30 min    Tue 09:00     Mon+7d       opened, closed on time
T2        ENG         Mon 10:00   +90 min    Tue 22:00     Tue 10:00    opened, closed late
T3        ENG         Tue 08:00   —          —             Tue+7d       opened
T4        CLEAN       Sun 10:00   +10 min    Mon 12:00     Mon 10:00    closed late
T5        CLEAN       Tue 12:00   +10 min    —             Tue+7d       opened
T6        ENG         Wed 09:00   +5 min     Wed 10:00     Wed+7d       outside
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.tickets.models import Ticket
from tests import factories
from tests.plans.conftest import MON
from tests.plans.helpers import local

SUN, TUE, WED = MON - timedelta(days=1), MON + timedelta(days=1), MON + timedelta(days=2)
URL = "/api/v1/coverage/tickets?property_id={p}&from=2026-03-02&to=2026-03-03"


def _ticket(site, n, dept, created, accepted=None, closed=None, due=None):
    db.session.add(
        Ticket(
            property_id=site.prop.id,
            number=f"A-T{n}",
            category="equipment",
            title=f"工单{n}",
            department_id=dept.id,
            created_at=created,
            accept_due_at=created + timedelta(hours=1),
            close_due_at=due or created + timedelta(days=7),
            accepted_at=created + timedelta(minutes=accepted) if accepted else None,
            closed_at=closed,
            status="closed" if closed else "new",
        )
    )


def _inspection(site, cp, at, fails):
    items = site.template.current_version.items
    inspection = Inspection(
        client_uuid=str(uuid.uuid4()),
        property_id=site.prop.id,
        checkpoint_id=cp.id,
        checklist_version_id=site.template.current_version.id,
        user_id=site.users["assistant"].id,
        code=cp.code,
        label_version=1,
        scanned_at=at,
        failed_count=len(fails),
    )
    db.session.add(inspection)
    db.session.flush()
    for n, item in enumerate(items):
        db.session.add(
            ItemResult(
                inspection_id=inspection.id,
                item_id=item.id,
                outcome="fail" if n in fails else "pass",
            )
        )


def test_ticket_sla_and_failure_hotspots(world, login):
    site = world.a
    eng, clean = (
        site.department,
        factories.department(site.prop, code="CLEAN", name_zh="环境部", name_en="Cleaning"),
    )
    _ticket(site, 1, eng, local(MON, 9), 30, local(TUE, 9))
    _ticket(site, 2, eng, local(MON, 10), 90, local(TUE, 22), due=local(TUE, 10))
    _ticket(site, 3, eng, local(TUE, 8))
    _ticket(site, 4, clean, local(SUN, 10), 10, local(MON, 12), due=local(MON, 10))
    _ticket(site, 5, clean, local(TUE, 12), 10)
    _ticket(site, 6, eng, local(WED, 9), 5, local(WED, 10))
    cp0, cp1 = site.checkpoint, factories.checkpoint(site.zone, name_zh="二楼楼梯间")
    _inspection(site, cp0, local(MON, 10), [0])
    _inspection(site, cp1, local(TUE, 11), [0, 1])
    _inspection(site, cp0, local(TUE, 15), [1])
    _inspection(site, cp1, local(MON, 16), [0])
    _inspection(site, cp0, local(WED, 10), [0, 1])  # outside the range
    db.session.commit()

    body = login(site.users["supervisor"]).get(URL.format(p=site.prop.id)).get_json()
    overall = {
        k: body[k]
        for k in (
            "opened",
            "closed",
            "closed_on_time",
            "on_time_close_pct",
            "median_accept_minutes",
            "median_close_hours",
        )
    }
    assert overall == {
        "opened": 4,
        "closed": 3,
        "closed_on_time": 1,
        "on_time_close_pct": 33.3,
        "median_accept_minutes": 30.0,
        "median_close_hours": 26.0,
    }
    depts = {
        d["name_en"]: (
            d["opened"],
            d["closed"],
            d["on_time_close_pct"],
            d["median_accept_minutes"],
            d["median_close_hours"],
        )
        for d in body["departments"]
    }
    assert depts == {"Engineering": (3, 2, 50.0, 60.0, 30.0), "Cleaning": (1, 1, 0.0, 10.0, 26.0)}
    items = site.template.current_version.items
    assert [(i["item_key"], i["failures"]) for i in body["failed_items"]] == [
        (items[0].key, 3),
        (items[1].key, 2),
    ]
    assert body["failed_items"][0]["text_zh"] == items[0].text_zh
    assert [(c["checkpoint_id"], c["failures"]) for c in body["failed_checkpoints"]] == [
        (cp1.id, 3),
        (cp0.id, 2),
    ]


def test_an_empty_range_has_no_percentages(world, login):
    body = login(world.a.users["admin"]).get(URL.format(p=world.a.prop.id)).get_json()
    assert (body["opened"], body["on_time_close_pct"], body["median_close_hours"]) == (
        0,
        None,
        None,
    )
    assert body["departments"] == [] and body["failed_items"] == []


def test_call_back_satisfaction_per_department_and_per_person(world, login):
    """Three call-backs on Monday and Tuesday (one outside): ENG 2 (rated 5 and 2), CLEAN 1."""
    a = world.a
    clean = factories.department(a.prop, code="CLEAN")
    fixer = a.users["staff"]
    rows = [
        (1, a.department, local(MON, 10), True, 5, fixer),
        (2, a.department, local(TUE, 11), False, 2, fixer),
        (3, clean, local(TUE, 15), True, None, None),
        (4, a.department, local(WED, 9), True, 4, fixer),  # outside the range
    ]
    for n, dept, at, happy, rating, who in rows:
        _ticket(a, n, dept, at - timedelta(days=1), accepted=10, closed=at)
        db.session.flush()
        ticket = db.session.query(Ticket).filter_by(number=f"A-T{n}").one()
        ticket.kind = "complaint"
        ticket.callback_at, ticket.callback_satisfied, ticket.callback_rating = at, happy, rating
        ticket.resolved_by_id = who.id if who else None
    db.session.commit()
    body = login(a.users["supervisor"]).get(URL.format(p=a.prop.id)).get_json()["satisfaction"]
    depts = {d["id"]: d for d in body["departments"]}
    eng = depts[a.department.id]
    assert (eng["callbacks"], eng["satisfied"], eng["satisfied_pct"]) == (2, 1, 50)
    assert eng["mean_rating"] == 3.5
    assert depts[clean.id]["mean_rating"] is None  # called back, not rated
    people = {p["id"]: p for p in body["people"]}
    assert people[fixer.id]["callbacks"] == 2 and people[fixer.id]["name_zh"] == fixer.display_name
    assert people[None]["callbacks"] == 1 and people[None]["name_zh"] == "（未指定）"
