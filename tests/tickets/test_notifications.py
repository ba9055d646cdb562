"""Each ticket step that needs someone's attention puts a message in the outbox for them,
in the same transaction: the department, the front desk, the supervisors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.notify.models import Notification, NotificationChannel
from app.tickets.models import Ticket
from app.tickets.sweep import sweep
from tests import factories
from tests.inspections.conftest import upload
from tests.tickets.conftest import step


@pytest.fixture
def channels(world):
    """A webhook per audience at property A, and one for another department."""
    other = factories.department(world.a.prop, code="ENV", name_zh="环境部")
    made = {}
    for audience, dept in (
        ("department", world.a.department),
        ("frontdesk", None),
        ("supervisor", None),
        ("department", other),
    ):
        name = f"{audience}-{dept.code if dept else 'all'}"
        made[name] = NotificationChannel(
            property_id=world.a.prop.id,
            audience=audience,
            kind="webhook",
            department_id=dept.id if dept else None,
            address=f"http://127.0.0.1:9/{name}",
        )
        db.session.add(made[name])
    db.session.commit()
    return made


def _sent_to() -> list[str]:
    db.session.expire_all()
    rows = db.session.query(Notification).order_by(Notification.id)
    return [row.address.rsplit("/", 1)[1] for row in rows]


def test_steps_notify_the_right_people(world, as_role, channels, failed_ticket):
    tid = failed_ticket["id"]
    assert _sent_to() == ["department-ENG"]  # new ticket → its department only
    staff = as_role("staff")
    step(staff, tid, "accept")
    step(staff, tid, "resolve", note="换了灯管", photo_ids=[upload(staff)])
    assert _sent_to() == ["department-ENG", "frontdesk-all"]  # resolved → front desk
    ticket = db.session.get(Ticket, tid)
    note = db.session.query(Notification).filter_by(ticket_id=tid).all()[-1]
    assert note.payload["number"] == ticket.number and note.payload["action"] == "resolve"
    assert ticket.number in note.subject


def test_unrouted_complaint_goes_to_the_front_desk(world, as_role, channels):
    resp = as_role("frontdesk").post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "dispute",
            "description": "邻居噪音",
            "location_text": "A幢 12F",
        },
    )
    assert resp.status_code == 201
    assert _sent_to() == ["frontdesk-all"]
    step(
        as_role("frontdesk"),
        resp.get_json()["id"],
        "reassign",
        department_id=world.a.department.id,
        note="派工程部",
    )
    assert _sent_to() == ["frontdesk-all", "department-ENG"]


def test_escalation_notifies_supervisors_once_per_level(world, channels, failed_ticket):
    ticket = db.session.get(Ticket, failed_ticket["id"])
    for _ in range(3):
        sweep(ticket.accept_due_at + timedelta(minutes=1))
        db.session.commit()
    assert _sent_to() == ["department-ENG", "supervisor-all"]


def test_a_failed_change_leaves_no_notification(world, as_role, channels, failed_ticket):
    before = _sent_to()
    staff = as_role("staff")
    step(staff, failed_ticket["id"], "accept")
    resp = step(staff, failed_ticket["id"], "resolve", note="x")  # refused: no after-photo
    assert resp.status_code == 422
    assert _sent_to() == before
