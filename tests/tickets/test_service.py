"""Ticket numbers, SLA clocks and who sees which tickets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.tickets import service
from app.tickets.models import Ticket, TicketCounter
from tests import factories


def test_numbers_are_per_property_and_local_day(world, app, monkeypatch):
    # 23:30 UTC is already the next day in Shanghai.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    monkeypatch.setattr("app.common.time.utcnow", lambda: late)
    assert service.next_number(world.a.prop) == "A-20261124-0001"
    assert service.next_number(world.a.prop) == "A-20261124-0002"
    assert service.next_number(world.b.prop) == "B-20261124-0001"
    world.b.prop.timezone = "America/New_York"
    assert service.next_number(world.b.prop) == "B-20261123-0001"


def test_rolled_back_numbers_leave_no_gap(world, app):
    db.session.commit()
    first = service.next_number(world.a.prop)
    db.session.rollback()
    assert service.next_number(world.a.prop) == first
    db.session.commit()
    assert db.session.query(TicketCounter).one().last == 1


@pytest.mark.parametrize(
    "priority,accept,close",
    [
        ("normal", timedelta(hours=1), timedelta(days=7)),
        ("urgent", timedelta(minutes=15), timedelta(hours=24)),
    ],
)
def test_sla_defaults(world, app, priority, accept, close):
    before = datetime.now(UTC)
    accept_due, close_due = service.sla_due(world.a.prop, priority)
    assert before + accept <= accept_due <= datetime.now(UTC) + accept
    assert before + close <= close_due <= datetime.now(UTC) + close


def test_sla_follows_property_settings(world, app):
    world.a.prop.sla_accept_minutes = 30
    world.a.prop.sla_close_hours = 48
    accept_due, close_due = service.sla_due(world.a.prop, "normal")
    assert accept_due - datetime.now(UTC) == pytest.approx(
        timedelta(minutes=30), abs=timedelta(seconds=5)
    )
    assert close_due - datetime.now(UTC) == pytest.approx(
        timedelta(hours=48), abs=timedelta(seconds=5)
    )


def _ticket(site, department=None, **kw) -> Ticket:
    now = datetime.now(UTC)
    ticket = Ticket(
        property_id=site.prop.id,
        number=f"T-{factories._n()}",
        category="equipment",
        title="灯不亮",
        department_id=department.id if department else None,
        accept_due_at=now,
        close_due_at=now,
        **kw,
    )
    db.session.add(ticket)
    db.session.flush()
    return ticket


@pytest.mark.parametrize(
    "role,sees_other_department",
    [
        ("assistant", True),
        ("inspector", True),
        ("frontdesk", True),
        ("supervisor", True),
        ("admin", True),
        ("staff", False),
    ],
)
def test_ticket_visibility(world, login, role, sees_other_department):
    mine = _ticket(world.a, world.a.department)
    other_dept = factories.department(world.a.prop, code="ENV", name_zh="环境部")
    theirs = _ticket(world.a, other_dept)
    elsewhere = _ticket(world.b, world.b.department)
    db.session.commit()
    client = login(world.a.users[role])
    listed = {t["id"] for t in client.get("/api/v1/tickets").get_json()["items"]}
    assert mine.id in listed
    assert elsewhere.id not in listed
    assert (theirs.id in listed) == sees_other_department
    assert client.get(f"/api/v1/tickets/{elsewhere.id}").status_code == 404
    expected = 200 if sees_other_department else 404
    assert client.get(f"/api/v1/tickets/{theirs.id}").status_code == expected


def test_ticket_queue_filters(world, login):
    open_one = _ticket(world.a, world.a.department)
    closed = _ticket(world.a, world.a.department, status="closed")
    db.session.commit()
    client = login(world.a.users["supervisor"])

    def ids(q: str) -> list[int]:
        return [t["id"] for t in client.get(f"/api/v1/tickets?{q}").get_json()["items"]]

    assert ids("open=true") == [open_one.id]
    assert ids("open=false") == [closed.id]
    assert ids("status=closed") == [closed.id]
    assert ids(f"department_id={world.a.department.id}") == [open_one.id, closed.id]
    assert ids(f"department_id={world.a.department.id}&sort=newest") == [closed.id, open_one.id]
    assert client.get("/api/v1/tickets?status=lost").status_code == 422
    assert re.fullmatch(r"T-\d+", client.get(f"/api/v1/tickets/{open_one.id}").get_json()["number"])
