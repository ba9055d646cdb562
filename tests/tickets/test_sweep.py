"""The SLA sweep escalates exactly once per level and marks overdue once, however often run;
the daily reconciliation counts a hand-checked day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.extensions import db
from app.tickets.models import Ticket, TicketEvent
from app.tickets.sweep import sweep
from tests.tickets.conftest import step


def _events(ticket_id: int, action: str) -> list[TicketEvent]:
    return list(
        db.session.query(TicketEvent)
        .filter_by(ticket_id=ticket_id, action=action)
        .order_by(TicketEvent.id)
    )


def test_unaccepted_ticket_escalates_once_per_level(app, failed_ticket):
    ticket = db.session.get(Ticket, failed_ticket["id"])
    deadline = ticket.accept_due_at
    assert sweep(deadline - timedelta(minutes=1))["escalated"] == 0
    for _ in range(3):
        sweep(deadline + timedelta(minutes=1))
        db.session.commit()
    assert [e.details["level"] for e in _events(ticket.id, "escalate")] == [1]
    for _ in range(3):
        sweep(deadline + timedelta(minutes=61))
    assert [e.details["level"] for e in _events(ticket.id, "escalate")] == [1, 2]
    for _ in range(3):
        sweep(deadline + timedelta(days=3))
    assert [e.details["level"] for e in _events(ticket.id, "escalate")] == [1, 2, 3]
    assert ticket.escalation_level == 3
    assert all(e.actor_id is None for e in _events(ticket.id, "escalate"))


def test_levels_missed_while_the_sweep_was_down_are_each_recorded(app, failed_ticket):
    ticket = db.session.get(Ticket, failed_ticket["id"])
    assert sweep(ticket.accept_due_at + timedelta(hours=5))["escalated"] == 3
    assert [e.details["level"] for e in _events(ticket.id, "escalate")] == [1, 2, 3]


def test_accepted_tickets_do_not_escalate(app, as_role, failed_ticket):
    step(as_role("staff"), failed_ticket["id"], "accept")
    ticket = db.session.get(Ticket, failed_ticket["id"])
    assert sweep(ticket.accept_due_at + timedelta(hours=1))["escalated"] == 0


def test_overdue_is_marked_once_and_cleared_by_an_approved_delay(app, as_role, failed_ticket):
    ticket = db.session.get(Ticket, failed_ticket["id"])
    step(as_role("staff"), ticket.id, "accept")
    late = ticket.close_due_at + timedelta(minutes=1)
    assert sweep(late)["overdue"] == 1
    assert sweep(late + timedelta(hours=5))["overdue"] == 0
    db.session.commit()
    assert len(_events(ticket.id, "overdue")) == 1
    listed = as_role("supervisor").get("/api/v1/tickets?overdue=true").get_json()["items"]
    assert [t["id"] for t in listed] == []  # not overdue yet by the real clock
    ticket.close_due_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    listed = as_role("supervisor").get("/api/v1/tickets?overdue=true").get_json()["items"]
    assert [t["id"] for t in listed] == [ticket.id]
    assert listed[0]["overdue"] is True and listed[0]["close_due_in_seconds"] < 0
    until = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    step(as_role("staff"), ticket.id, "delay", note="配件未到", until=until)
    step(as_role("supervisor"), ticket.id, "approve_delay")
    db.session.refresh(ticket)
    assert ticket.overdue_at is None
    assert as_role("supervisor").get("/api/v1/tickets?overdue=true").get_json()["items"] == []


def test_daily_reconciliation(world, as_role, failed_ticket):
    frontdesk = as_role("frontdesk")
    shanghai_today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    complaint = frontdesk.post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "service",
            "description": "门禁卡失效",
            "location_text": "A幢大堂",
        },
    ).get_json()
    step(as_role("staff"), failed_ticket["id"], "accept")
    # The complaint's accept deadline has passed with nobody accepting it: unanswered.
    old = db.session.get(Ticket, complaint["id"])
    old.accept_due_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()

    resp = frontdesk.get(
        f"/api/v1/tickets/daily?property_id={world.a.prop.id}&date={shanghai_today.isoformat()}"
    )
    assert resp.status_code == 200
    body = resp.get_json()
    rows = {r["department_id"]: r for r in body["departments"]}
    assert rows[world.a.department.id]["opened"] == 1
    assert rows[world.a.department.id]["unanswered"] == 0  # accepted
    assert rows[None]["opened"] == 1 and rows[None]["unanswered"] == 1
    assert rows[None]["department_zh"].startswith("客服前台")
    assert body["totals"] == {"opened": 2, "closed": 0, "overdue": 0, "unanswered": 1}
    yesterday = (shanghai_today - timedelta(days=1)).isoformat()
    empty = frontdesk.get(f"/api/v1/tickets/daily?property_id={world.a.prop.id}&date={yesterday}")
    assert empty.get_json()["totals"]["opened"] == 0
    assert (
        as_role("staff")
        .get(f"/api/v1/tickets/daily?property_id={world.a.prop.id}&date={date.today()}")
        .status_code
        == 403
    )
    assert (
        frontdesk.get(
            f"/api/v1/tickets/daily?property_id={world.b.prop.id}&date={date.today()}"
        ).status_code
        == 404
    )


def test_sweep_command(app, failed_ticket):
    ticket = db.session.get(Ticket, failed_ticket["id"])
    ticket.accept_due_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tickets", "sweep"])
    second = runner.invoke(args=["tickets", "sweep"])
    assert first.exit_code == 0 and "escalated=1" in first.output
    assert second.exit_code == 0 and "escalated=0" in second.output
    assert len(_events(ticket.id, "escalate")) == 1


def _day_of(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_the_day_lists_every_request_with_its_holder_and_whether_it_was_answered(
    world, as_role, failed_ticket
):
    frontdesk = as_role("frontdesk")
    step(as_role("staff"), failed_ticket["id"], "accept")  # answered at once
    complaint = frontdesk.post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "service",
            "description": "业主反映电梯按钮失灵",
            "location_text": "A幢电梯",
        },
    ).get_json()
    # Received two hours ago and still not answered: it stands out. Asked for on its own day,
    # whatever the clock (the suite also runs just after midnight).
    waiting = db.session.get(Ticket, complaint["id"])
    assert waiting is not None
    waiting.created_at = datetime.now(UTC) - timedelta(hours=2)
    db.session.commit()

    def day_list(moment: datetime) -> list[dict]:
        url = f"/api/v1/tickets/daily?property_id={world.a.prop.id}&date={_day_of(moment)}"
        return frontdesk.get(url).get_json()["items"]

    late = next(i for i in day_list(waiting.created_at) if i["id"] == complaint["id"])
    assert late["late"] is True and late["answered_in_time"] is False
    assert late["answered_at"] is None and late["status_zh"] == "待受理"
    assert late["department_zh"] is None  # still at the front desk, unrouted
    done = next(i for i in day_list(datetime.now(UTC)) if i["id"] == failed_ticket["id"])
    assert done["answered_in_time"] is True and done["late"] is False
    assert (
        done["answer_minutes"] == 0 and done["assignee_name"] == world.a.users["staff"].display_name
    )
    assert done["department_zh"] == world.a.department.name_zh
