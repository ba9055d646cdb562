"""Dispatch to a person (派单到人): a named 师傅 or an assistant holds the ticket, and sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.tickets.models import Ticket
from tests import factories
from tests.inspections.conftest import upload
from tests.tickets.conftest import step


@pytest.fixture
def crew(world):
    """A second 师傅 of 工程部, a 师傅 of another department, a second assistant."""
    a = world.a
    other_dept = factories.department(a.prop, code="ENV")
    people = {
        "engineer2": factories.user("staff", [a.prop], a.department, display_name="刘师傅"),
        "cleaner": factories.user("staff", [a.prop], other_dept, display_name="黄阿姨"),
        "assistant2": factories.user("assistant", [a.prop], display_name="周助理"),
        "foreign": factories.user("staff", [world.b.prop], world.b.department),
    }
    db.session.commit()
    return people


def dispatch(client, ticket_id: int, department_id: int, assignee_id: int | None, **extra):
    return step(
        client,
        ticket_id,
        "reassign",
        note="派给师傅",
        department_id=department_id,
        assignee_id=assignee_id,
        **extra,
    )


def test_the_front_desk_dispatches_to_a_named_engineer_who_alone_accepts(
    world, as_role, login, crew, failed_ticket
):
    tid, dept = failed_ticket["id"], world.a.department.id
    resp = dispatch(as_role("frontdesk"), tid, dept, crew["engineer2"].id)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["assignee"]["id"] == crew["engineer2"].id and body["status"] == "new"
    last = body["events"][-1]
    assert last["action"] == "reassign"
    assert last["details"]["to_assignee_id"] == crew["engineer2"].id
    assert last["details"]["to_assignee_name"] == "刘师傅"

    # The named 师傅 accepts; another of the same department may not take it from him.
    other = as_role("staff")
    assert step(other, tid, "accept").status_code == 403
    named = login(crew["engineer2"])
    assert "accept" in named.get(f"/api/v1/tickets/{tid}").get_json()["allowed_actions"]
    assert step(named, tid, "accept").get_json()["status"] == "accepted"
    # Once taken, the department works it as before (a colleague may finish it).
    fixed = step(other, tid, "resolve", note="换了灯", photo_ids=[upload(other)])
    assert fixed.get_json()["status"] == "resolved"


def test_an_assistant_follows_a_ticket_up_and_reports_back(
    world, as_role, login, crew, failed_ticket
):
    tid = failed_ticket["id"]
    assistant = login(crew["assistant2"])
    assert step(assistant, tid, "accept").status_code == 403  # not theirs yet
    dispatch(as_role("supervisor"), tid, world.a.department.id, crew["assistant2"].id)
    assert step(assistant, tid, "accept").get_json()["status"] == "accepted"
    progress = step(
        assistant, tid, "comment", note="已联系业主，明早上门", photo_ids=[upload(assistant)]
    )
    assert progress.status_code == 200
    back = step(assistant, tid, "resolve", note="已处理，回复前台", photo_ids=[upload(assistant)])
    assert back.get_json()["status"] == "resolved"  # 回复前台: the front desk verifies and closes
    # Another assistant, not named, still cannot work it.
    assert step(as_role("assistant"), tid, "start").status_code in (403, 409)


@pytest.mark.parametrize(
    ("who", "field", "status"),
    [
        ("cleaner", "assignee_id", 422),  # staff of another department than the chosen one
        ("foreign", "assignee_id", 404),  # a person of another company's property
        ("frontdesk_self", "assignee_id", 422),  # the front desk does not hold the work
    ],
)
def test_dispatch_to_someone_who_may_not_hold_it_is_refused_and_changes_nothing(
    world, as_role, crew, failed_ticket, who, field, status
):
    tid = failed_ticket["id"]
    before = db.session.get(Ticket, tid)
    assert before is not None
    was = (before.department_id, before.assignee_id, len(before.events))
    person = world.a.users["frontdesk"] if who == "frontdesk_self" else crew[who]
    resp = dispatch(as_role("frontdesk"), tid, world.a.department.id, person.id)
    assert resp.status_code == status, resp.get_json()
    assert list(resp.get_json()["errors"]) == [field]
    db.session.expire_all()
    after = db.session.get(Ticket, tid)
    assert after is not None
    assert (after.department_id, after.assignee_id, len(after.events)) == was


def test_an_unknown_person_is_named_in_the_error(world, as_role, failed_ticket):
    resp = dispatch(as_role("frontdesk"), failed_ticket["id"], world.a.department.id, 999_999)
    assert resp.status_code == 404 and list(resp.get_json()["errors"]) == ["assignee_id"]


@pytest.mark.parametrize("role", ["assistant", "staff", "inspector"])
def test_only_the_dispatch_centre_dispatches(world, as_role, crew, failed_ticket, role):
    resp = dispatch(as_role(role), failed_ticket["id"], world.a.department.id, crew["engineer2"].id)
    assert resp.status_code == 403


def test_candidates_are_the_departments_staff_then_the_assistants(
    world, as_role, crew, failed_ticket
):
    tid = failed_ticket["id"]
    got = as_role("frontdesk").get(f"/api/v1/tickets/{tid}/candidates").get_json()["items"]
    names = [(p["role"], p["display_name"]) for p in got]
    assert ("staff", "刘师傅") in names and ("assistant", "周助理") in names
    assert ("staff", "黄阿姨") not in names  # another department
    assert crew["foreign"].id not in {p["id"] for p in got}
    assert [r for r, _ in names] == sorted((r for r, _ in names), reverse=True)  # staff first
    env = crew["cleaner"].department_id
    other = as_role("frontdesk").get(f"/api/v1/tickets/{tid}/candidates?department_id={env}")
    assert ("staff", "黄阿姨") in [
        (p["role"], p["display_name"]) for p in other.get_json()["items"]
    ]
    assert as_role("staff").get(f"/api/v1/tickets/{tid}/candidates").status_code == 403


def test_my_tasks_lists_what_i_hold_today_and_overdue(world, as_role, login, crew, failed_ticket):
    tid = failed_ticket["id"]
    dispatch(as_role("frontdesk"), tid, world.a.department.id, crew["engineer2"].id)
    named = login(crew["engineer2"])
    mine = named.get("/api/v1/tickets/mine").get_json()
    assert [t["id"] for t in mine["items"]] == [tid]
    assert login(crew["assistant2"]).get("/api/v1/tickets/mine").get_json()["items"] == []
    ticket = db.session.get(Ticket, tid)
    assert ticket is not None
    ticket.close_due_at = utcnow() + timedelta(days=3)
    db.session.commit()
    assert named.get("/api/v1/tickets/mine?when=today").get_json()["items"] == []
    assert named.get("/api/v1/tickets/mine?when=overdue").get_json()["items"] == []
    ticket.close_due_at = utcnow() - timedelta(minutes=1)  # late: due today and overdue
    db.session.commit()
    for when in ("today", "overdue"):
        got = named.get(f"/api/v1/tickets/mine?when={when}").get_json()["items"]
        assert [t["id"] for t in got] == [tid], when
    bad = named.get("/api/v1/tickets/mine?when=yesterday")
    assert bad.status_code == 422 and "query.when" in bad.get_json()["errors"]
