"""Ticket steps and reports queued offline: a resend is taken once, another's UUID is refused."""

from __future__ import annotations

import threading
import uuid

import pytest

from app.extensions import db
from app.tickets.models import Ticket, TicketEvent
from tests.tickets.conftest import step


def _events(ticket_id: int, action: str) -> int:
    return db.session.query(TicketEvent).filter_by(ticket_id=ticket_id, action=action).count()


def test_a_resent_step_is_taken_once(as_role, failed_ticket):
    staff = as_role("staff")
    key = str(uuid.uuid4())
    first = step(staff, failed_ticket["id"], "accept", client_uuid=key)
    again = step(staff, failed_ticket["id"], "accept", client_uuid=key)
    assert first.status_code == again.status_code == 200
    assert again.get_json()["status"] == "accepted"
    assert _events(failed_ticket["id"], "accept") == 1


def test_a_step_someone_else_took_first_is_refused_with_the_reason(as_role, failed_ticket):
    staff = as_role("staff")
    assert step(staff, failed_ticket["id"], "accept").status_code == 200
    late = step(as_role("staff"), failed_ticket["id"], "accept", client_uuid=str(uuid.uuid4()))
    assert late.status_code in (409, 422)
    assert late.get_json()["detail_zh"]  # the phone shows this to its user


def test_another_users_uuid_is_a_conflict(as_role, failed_ticket):
    key = str(uuid.uuid4())
    assert step(as_role("staff"), failed_ticket["id"], "accept", client_uuid=key).status_code == 200
    resp = step(as_role("supervisor"), failed_ticket["id"], "comment", note="催办", client_uuid=key)
    assert resp.status_code == 409
    assert "client_uuid" in resp.get_json()["errors"]


def test_the_same_uuid_for_another_step_is_a_conflict(as_role, failed_ticket):
    staff = as_role("staff")
    key = str(uuid.uuid4())
    assert step(staff, failed_ticket["id"], "accept", client_uuid=key).status_code == 200
    resp = step(staff, failed_ticket["id"], "start", client_uuid=key)
    assert resp.status_code == 409
    assert _events(failed_ticket["id"], "start") == 0


@pytest.mark.parametrize("bad", ["not-a-uuid", 12, ""])
def test_a_bad_uuid_names_the_field(as_role, failed_ticket, bad):
    resp = step(as_role("staff"), failed_ticket["id"], "accept", client_uuid=bad)
    assert resp.status_code == 422
    assert "client_uuid" in resp.get_json()["errors"]


def _report(world, key: str) -> dict:
    return {
        "property_id": world.a.prop.id,
        "category": "environment",
        "unit_id": world.a.unit.id,
        "description": "楼道灯不亮",
        "client_uuid": key,
    }


def test_a_resent_report_is_recorded_once(world, as_role):
    frontdesk = as_role("frontdesk")
    key = str(uuid.uuid4())
    first = frontdesk.post("/api/v1/tickets", json=_report(world, key))
    again = frontdesk.post("/api/v1/tickets", json=_report(world, key))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.query(Ticket).filter_by(client_uuid=key).count() == 1


def test_concurrent_copies_of_a_step_store_once(app, world, login, failed_ticket):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    key = str(uuid.uuid4())
    clients = [login(world.a.users["staff"]) for _ in range(6)]
    codes: list[int] = []
    barrier = threading.Barrier(len(clients))

    def send(client):
        barrier.wait()
        codes.append(step(client, failed_ticket["id"], "accept", client_uuid=key).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 500 not in codes
    assert codes.count(200) >= 1
    db.session.expire_all()
    assert _events(failed_ticket["id"], "accept") == 1
