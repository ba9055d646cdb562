"""A person's inbox: a message when a ticket is given to them, read once, never another's."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.inbox.models import InboxMessage
from tests import factories
from tests.tickets.conftest import step


@pytest.fixture
def engineer2(world):
    person = factories.user("staff", [world.a.prop], world.a.department, display_name="刘师傅")
    db.session.commit()
    return person


def _dispatch(client, ticket_id, department_id, assignee_id, note="派给刘师傅"):
    return step(
        client,
        ticket_id,
        "reassign",
        note=note,
        department_id=department_id,
        assignee_id=assignee_id,
    )


def test_a_ticket_given_to_a_person_lands_in_their_inbox_with_its_link(
    world, as_role, login, engineer2, failed_ticket
):
    tid = failed_ticket["id"]
    assert (
        _dispatch(as_role("frontdesk"), tid, world.a.department.id, engineer2.id).status_code == 200
    )
    him = login(engineer2)
    assert him.get("/api/v1/inbox/unread").get_json() == {"unread": 1}
    [message] = him.get("/api/v1/inbox").get_json()["items"]
    assert message["kind"] == "assigned" and message["url"] == f"/tickets/{tid}"
    assert failed_ticket["number"] in message["title_zh"] and message["read_at"] is None
    assert message["title_en"].startswith(f"Ticket {failed_ticket['number']} given to you")
    # Nobody else hears of it.
    assert as_role("staff").get("/api/v1/inbox/unread").get_json() == {"unread": 0}
    assert as_role("staff").post(f"/api/v1/inbox/{message['id']}/read").status_code == 404
    # Read once; reading again changes nothing.
    first = him.post(f"/api/v1/inbox/{message['id']}/read").get_json()["read_at"]
    assert first is not None
    assert him.post(f"/api/v1/inbox/{message['id']}/read").get_json()["read_at"] == first
    assert him.get("/api/v1/inbox?unread=true").get_json()["items"] == []


def test_a_dispatch_to_the_department_alone_tells_nobody_by_name(world, as_role, failed_ticket):
    tid = failed_ticket["id"]
    _dispatch(as_role("frontdesk"), tid, world.a.department.id, None)
    assert db.session.query(InboxMessage).count() == 0


def test_a_resent_dispatch_tells_the_person_once(world, as_role, login, engineer2, failed_ticket):
    body = {
        "action": "reassign",
        "note": "派单",
        "department_id": world.a.department.id,
        "assignee_id": engineer2.id,
        "client_uuid": "7d1f3a52-5c1e-4f65-9a77-4c3d0b3a8e11",
    }
    for _ in range(3):  # a phone sending its queued step again
        resp = as_role("frontdesk").post(f"/api/v1/tickets/{failed_ticket['id']}/events", json=body)
        assert resp.status_code == 200
    assert login(engineer2).get("/api/v1/inbox/unread").get_json() == {"unread": 1}


def test_read_all_and_the_refusals(world, as_role, login, engineer2, failed_ticket):
    _dispatch(as_role("frontdesk"), failed_ticket["id"], world.a.department.id, engineer2.id)
    him = login(engineer2)
    assert him.post("/api/v1/inbox/read-all").get_json() == {"unread": 0}
    assert him.get("/api/v1/inbox/unread").get_json() == {"unread": 0}
    assert him.post("/api/v1/inbox/999999/read").status_code == 404
    assert him.get("/api/v1/inbox?unread=maybe").status_code == 422


def test_the_inbox_needs_a_login(client):
    assert client.get("/api/v1/inbox").status_code == 401
    assert client.get("/api/v1/inbox/unread").status_code == 401
