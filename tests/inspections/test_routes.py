"""The heart of the product over HTTP: scan → checklist → photos → submit → routed ticket."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import RetiredCode
from app.tickets.models import Ticket, TicketEvent
from tests import factories
from tests.inspections.conftest import scanned_now, submission, upload


def _count(model) -> int:
    return db.session.query(model).count()


def test_whole_patrol_path(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    photo = upload(assistant)
    body = submission(
        world.a.checkpoint.code,
        checklist,
        fail={1: [photo]},
        lat=21.2707,
        lng=110.3594,
        accuracy=12.5,
    )

    resp = assistant.post("/api/v1/inspections", json=body)

    assert resp.status_code == 201, resp.get_json()
    inspection = resp.get_json()
    assert inspection["failed_count"] == 1
    assert inspection["checkpoint"]["code"] == world.a.checkpoint.code
    assert [r["outcome"] for r in inspection["results"]] == ["pass", "fail"]
    assert inspection["results"][1]["photos"][0]["id"] == photo
    [ticket] = inspection["tickets"]
    today = datetime.now(UTC).astimezone().strftime("%Y")
    assert re.fullmatch(rf"A-{today}\d{{4}}-0001", ticket["number"])
    assert ticket["department"]["code"] == "ENG"  # equipment → 工程部 by the routing rule
    assert ticket["status"] == "new" and ticket["kind"] == "inspection"
    assert "照明正常" in ticket["title"] and "灯不亮" in ticket["description"]
    created = datetime.fromisoformat(ticket["created_at"])
    accept_due = datetime.fromisoformat(ticket["accept_due_at"])
    close_due = datetime.fromisoformat(ticket["close_due_at"])
    assert accept_due - created == pytest.approx(timedelta(hours=1), abs=timedelta(seconds=5))
    assert close_due - created == pytest.approx(timedelta(days=7), abs=timedelta(seconds=5))

    # The engineering department finds it in its queue, with the failure photo.
    engineer = login(world.a.users["staff"])
    queue = engineer.get("/api/v1/tickets?open=true").get_json()["items"]
    assert [t["number"] for t in queue] == [ticket["number"]]
    detail = engineer.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    assert detail["events"][0]["action"] == "create"
    assert [p["id"] for p in detail["events"][0]["photos"]] == [photo]
    assert detail["checkpoint"]["code"] == world.a.checkpoint.code


def test_unrouted_category_goes_to_the_front_desk(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={0: [upload(assistant)]})
    ticket = assistant.post("/api/v1/inspections", json=body).get_json()["tickets"][0]
    assert ticket["category"] == "cleaning"
    assert ticket["department_id"] is None
    frontdesk = login(world.a.users["frontdesk"])
    assert frontdesk.get(f"/api/v1/tickets/{ticket['id']}").status_code == 200
    # Staff of another department do not see it in their queue.
    assert login(world.a.users["staff"]).get(f"/api/v1/tickets/{ticket['id']}").status_code == 404


def test_all_pass_raises_no_ticket(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    resp = assistant.post(
        "/api/v1/inspections", json=submission(world.a.checkpoint.code, checklist)
    )
    assert resp.status_code == 201
    assert resp.get_json()["tickets"] == [] and _count(Ticket) == 0


def test_replaying_twenty_times_stores_once(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    first = assistant.post("/api/v1/inspections", json=body)
    assert first.status_code == 201
    for _ in range(20):
        again = assistant.post("/api/v1/inspections", json=body)
        assert again.status_code == 200
        assert again.get_json()["id"] == first.get_json()["id"]
        assert again.get_json()["tickets"][0]["number"] == first.get_json()["tickets"][0]["number"]
    assert _count(Inspection) == 1 and _count(Ticket) == 1 and _count(TicketEvent) == 1


def test_ten_concurrent_copies_store_once(app, world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    clients = [login(world.a.users["assistant"]) for _ in range(10)]
    answers: list = []
    barrier = threading.Barrier(len(clients))

    def send(c):
        with app.app_context():
            barrier.wait()
            resp = c.post("/api/v1/inspections", json=body)
            answers.append((resp.status_code, resp.get_json()))

    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(code for code, _ in answers) == [200] * 9 + [201], answers
    assert len({body["id"] for _, body in answers}) == 1
    db.session.expire_all()
    assert _count(Inspection) == 1 and _count(Ticket) == 1 and _count(ItemResult) == 2


def test_concurrent_failures_get_unique_gap_free_numbers(app, world, login):
    from tests import factories

    spots = [factories.checkpoint(world.a.zone) for _ in range(8)]
    db.session.commit()
    assistant = login(world.a.users["assistant"])
    items = assistant.get(f"/api/v1/checkpoints/by-code/{spots[0].code}").get_json()
    items = items["checklist"]["items"]
    bodies = [submission(s.code, items, fail={1: [upload(assistant)]}) for s in spots]
    clients = [login(world.a.users["assistant"]) for _ in bodies]
    barrier = threading.Barrier(len(bodies))
    codes: list[int] = []

    def send(c, body):
        with app.app_context():
            barrier.wait()
            codes.append(c.post("/api/v1/inspections", json=body).status_code)

    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(clients, bodies, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 8
    db.session.expire_all()
    numbers = sorted(n.rsplit("-", 1)[1] for (n,) in db.session.query(Ticket.number))
    assert numbers == [f"{i:04d}" for i in range(1, 9)]


def test_repeat_failure_joins_the_open_ticket(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    for _ in range(2):
        body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
        assert assistant.post("/api/v1/inspections", json=body).status_code == 201
    ticket = db.session.query(Ticket).one()
    assert ticket.repeat_count == 1
    assert [e.action for e in ticket.events] == ["create", "repeat"]
    assert len(ticket.events[1].photos) == 1


def test_repeat_after_checklist_edit_still_joins(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    assistant.post("/api/v1/inspections", json=body)
    supervisor = login(world.a.users["supervisor"])
    edited = [
        {"key": i["key"], "text_zh": i["text_zh"] + "（含应急灯）", "category": i["category"]}
        for i in checklist
    ]
    assert (
        supervisor.put(
            f"/api/v1/checklists/{world.a.template.id}", json={"items": edited}
        ).get_json()["current_version"]["number"]
        == 2
    )
    v2 = assistant.get(f"/api/v1/checkpoints/by-code/{world.a.checkpoint.code}").get_json()
    body = submission(
        world.a.checkpoint.code, v2["checklist"]["items"], fail={1: [upload(assistant)]}
    )
    assert assistant.post("/api/v1/inspections", json=body).status_code == 201
    assert _count(Ticket) == 1


def test_submission_against_an_older_version_is_kept(world, login, checklist):
    """A phone offline since before the checklist was edited still gets its record stored."""
    supervisor = login(world.a.users["supervisor"])
    supervisor.put(
        f"/api/v1/checklists/{world.a.template.id}",
        json={"items": [{"text_zh": "全新检查项", "category": "house"}]},
    )
    assistant = login(world.a.users["assistant"])
    resp = assistant.post(
        "/api/v1/inspections", json=submission(world.a.checkpoint.code, checklist)
    )
    assert resp.status_code == 201
    stored = db.session.get(Inspection, resp.get_json()["id"])
    assert stored.checklist_version.number == 1


def test_two_failures_get_consecutive_numbers(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(
        world.a.checkpoint.code, checklist, fail={0: [upload(assistant)], 1: [upload(assistant)]}
    )
    tickets = assistant.post("/api/v1/inspections", json=body).get_json()["tickets"]
    assert [t["number"][-4:] for t in tickets] == ["0001", "0002"]


def test_offline_scan_before_label_reissue_is_accepted(world, login, checklist):
    old = world.a.checkpoint.code
    db.session.add(
        RetiredCode(
            code=old,
            checkpoint_id=world.a.checkpoint.id,
            label_version=1,
            retired_at=datetime.now(UTC) - timedelta(minutes=30),
        )
    )
    world.a.checkpoint.code = "NEW123"
    world.a.checkpoint.label_version = 2
    db.session.commit()
    assistant = login(world.a.users["assistant"])
    before = submission(old, checklist, scanned_at=scanned_now(minutes_ago=90))
    resp = assistant.post("/api/v1/inspections", json=before)
    assert resp.status_code == 201
    assert db.session.get(Inspection, resp.get_json()["id"]).label_version == 1
    after = submission(old, checklist)
    resp = assistant.post("/api/v1/inspections", json=after)
    assert resp.status_code in (404, 410)
    assert list(resp.get_json()["errors"]) == ["checkpoint_code"]


def test_list_and_filter(world, login, checklist):
    from tests import factories

    assistant = login(world.a.users["assistant"])
    other_zone = factories.zone(world.a.prop, kind="grounds", name_zh="园区")
    lamp = factories.checkpoint(other_zone, kind="stairwell", name_zh="园区楼梯")
    db.session.commit()
    first = assistant.post(
        "/api/v1/inspections",
        json=submission(world.a.checkpoint.code, checklist, scanned_at=scanned_now(600)),
    ).get_json()
    second = assistant.post(
        "/api/v1/inspections", json=submission(lamp.code, checklist, fail={1: [upload(assistant)]})
    ).get_json()
    supervisor = login(world.a.users["supervisor"])

    def ids(query: str) -> list[int]:
        return [i["id"] for i in supervisor.get(f"/api/v1/inspections?{query}").get_json()["items"]]

    assert ids("") == [second["id"], first["id"]]
    assert ids(f"zone_id={other_zone.id}") == [second["id"]]
    assert ids(f"checkpoint_id={world.a.checkpoint.id}") == [first["id"]]
    assert ids("failed=true") == [second["id"]]
    assert ids(f"user_id={world.a.users['assistant'].id}") == [second["id"], first["id"]]
    assert ids("user_id=me") == []  # the supervisor made none
    mine = assistant.get("/api/v1/inspections?user_id=me").get_json()["items"]
    assert [i["id"] for i in mine] == [second["id"], first["id"]]
    assert supervisor.get("/api/v1/inspections?user_id=someone").status_code == 422
    since = (datetime.now(UTC) - timedelta(minutes=60)).isoformat().replace("+00:00", "Z")
    assert ids(f"from={since}") == [second["id"]]
    detail = supervisor.get(f"/api/v1/inspections/{second['id']}").get_json()
    assert detail["results"][1]["photos"] and detail["tickets"][0]["number"]
    # Property B sees none of it.
    other = login(world.b.users["supervisor"])
    assert other.get("/api/v1/inspections").get_json()["items"] == []
    assert other.get(f"/api/v1/inspections/{second['id']}").status_code == 404


def test_list_and_detail_show_the_presence_score_and_its_reasons(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    typed = assistant.post(
        "/api/v1/inspections", json=submission(world.a.checkpoint.code, checklist)
    ).get_json()
    supervisor = login(world.a.users["supervisor"])
    [listed] = supervisor.get("/api/v1/inspections").get_json()["items"]
    detail = supervisor.get(f"/api/v1/inspections/{typed['id']}").get_json()
    for shown in (listed["presence"], detail["presence"], typed["presence"]):
        assert shown["score"] == 70 and shown["status"] == "ok" and shown["status_en"] == "Trusted"
        assert [(r["code"], r["zh"]) for r in shown["reasons"]] == [
            ("code_typed", "未扫描标签（手动输入编号）")
        ]


def test_presence_fields_are_validated(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    code = world.a.checkpoint.code
    cases = {
        "label_version": {"label_sig": "abcdefghijkl"},  # a signature needs its version
        "device_id": {"device_id": "x" * 65},
        "device_now": {"device_now": "2026-12-01T08:00:00"},  # no offset
        "app_version": {"app_version": "9" * 41},
    }
    for field, extra in cases.items():
        resp = assistant.post("/api/v1/inspections", json=submission(code, checklist, **extra))
        assert resp.status_code == 422, (field, resp.get_json())
        assert field in resp.get_json()["errors"], (field, resp.get_json())
    assert assistant.get("/api/v1/inspections").get_json()["total"] == 0


def test_a_resent_uuid_with_other_answers_is_refused_naming_the_stored_one(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    first = assistant.post("/api/v1/inspections", json=body)
    assert first.status_code == 201
    stored_id = first.get_json()["id"]
    changed = {**body, "results": [dict(r, outcome="pass", photo_ids=[]) for r in body["results"]]}
    resp = assistant.post("/api/v1/inspections", json=changed)
    assert resp.status_code == 409, resp.get_json()
    problem = resp.get_json()
    assert problem["inspection_id"] == stored_id
    assert str(stored_id) in problem["detail_zh"] and str(stored_id) in problem["detail_en"]
    assert "client_uuid" in problem["errors"]
    noted = {**body, "results": [dict(r, note="另一条备注") for r in body["results"]]}
    assert assistant.post("/api/v1/inspections", json=noted).status_code == 409
    elsewhere = {**body, "checkpoint_code": factories.checkpoint(world.a.zone).code}
    db.session.commit()
    assert assistant.post("/api/v1/inspections", json=elsewhere).status_code == 409
    assert _count(Inspection) == 1 and _count(Ticket) == 1


def test_a_resent_uuid_with_the_same_answers_sent_later_is_the_same_record(world, login, checklist):
    assistant = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    first = assistant.post("/api/v1/inspections", json=body)
    assert first.status_code == 201
    # A later sync: a new device clock and submit time, the answers in another order.
    later = {
        **body,
        "checkpoint_code": body["checkpoint_code"].lower(),
        "device_now": scanned_now(0),
        "submitted_at": scanned_now(1),
        "results": list(reversed(body["results"])),
    }
    again = assistant.post("/api/v1/inspections", json=later)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["id"] == first.get_json()["id"]
