"""Every bad submission gets a clear 4xx naming the field, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import RetiredCode
from app.tickets.models import Ticket
from tests import factories
from tests.inspections.conftest import submission, upload


@pytest.fixture
def assistant(world, login):
    return login(world.a.users["assistant"])


def _refused(client, body, status: int, field: str) -> dict:
    before = (
        db.session.query(Inspection).count(),
        db.session.query(Ticket).count(),
        db.session.query(ItemResult).count(),
    )
    resp = client.post("/api/v1/inspections", json=body)
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    problem = resp.get_json()
    assert field in problem.get("errors", {}), problem
    after = (
        db.session.query(Inspection).count(),
        db.session.query(Ticket).count(),
        db.session.query(ItemResult).count(),
    )
    assert after == before
    return problem


def test_item_not_in_checklist(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist)
    body["results"][1]["item_id"] = 999_999
    _refused(assistant, body, 422, "results.1.item_id")


def test_item_of_another_checklist(assistant, world, checklist, app):
    other = factories.template(world.a.prop, kind="shop")
    db.session.commit()
    body = submission(world.a.checkpoint.code, checklist)
    body["results"][1]["item_id"] = other.current_version.items[0].id
    _refused(assistant, body, 422, "results.1.item_id")


def test_same_item_twice(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist)
    body["results"].append(dict(body["results"][0]))
    _refused(assistant, body, 422, "results.2.item_id")


def test_required_item_missing(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist)
    body["results"].pop()
    problem = _refused(assistant, body, 422, "results")
    assert "照明正常" in problem["errors"]["results"][0]


def test_missing_required_photo(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist, fail={1: []})
    _refused(assistant, body, 422, "results.1.photo_ids")


def test_someone_elses_photo(assistant, world, checklist, login):
    theirs = upload(login(world.a.users["inspector"]))
    body = submission(world.a.checkpoint.code, checklist, fail={1: [theirs]})
    _refused(assistant, body, 422, "results.1.photo_ids")


def test_unknown_photo_id(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist, fail={1: [424242]})
    _refused(assistant, body, 422, "results.1.photo_ids")


def test_photo_already_used_by_another_inspection(assistant, world, checklist):
    photo = upload(assistant)
    first = submission(world.a.checkpoint.code, checklist, fail={1: [photo]})
    assert assistant.post("/api/v1/inspections", json=first).status_code == 201
    second = submission(world.a.checkpoint.code, checklist, fail={1: [photo]})
    _refused(assistant, second, 422, "results.1.photo_ids")


def test_unknown_checkpoint_code(assistant, world, checklist):
    _refused(assistant, submission("ZZZZZZ", checklist), 404, "checkpoint_code")


def test_code_of_another_property(assistant, world, checklist):
    _refused(assistant, submission(world.b.checkpoint.code, checklist), 404, "checkpoint_code")


def test_retired_code(assistant, world, checklist):
    db.session.add(
        RetiredCode(
            code="OLD999",
            checkpoint_id=world.a.checkpoint.id,
            label_version=1,
            retired_at=datetime.now(UTC) - timedelta(days=1),
        )
    )
    db.session.commit()
    problem = _refused(assistant, submission("OLD999", checklist), 410, "checkpoint_code")
    assert problem["status"] == 410


def test_deactivated_checkpoint(assistant, world, checklist):
    world.a.checkpoint.active = False
    db.session.commit()
    _refused(assistant, submission(world.a.checkpoint.code, checklist), 404, "checkpoint_code")


def test_scan_time_in_the_future(assistant, world, checklist):
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    _refused(
        assistant,
        submission(world.a.checkpoint.code, checklist, scanned_at=future),
        422,
        "scanned_at",
    )


@pytest.mark.parametrize("scanned_at", ["2026-11-25T10:00:00", "yesterday", None])
def test_scan_time_must_carry_an_offset(assistant, world, checklist, scanned_at):
    body = submission(world.a.checkpoint.code, checklist, scanned_at=scanned_at)
    _refused(assistant, body, 422, "scanned_at")


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda b: b.update(client_uuid="not-a-uuid"), "client_uuid"),
        (lambda b: b.pop("client_uuid"), "client_uuid"),
        (lambda b: b.update(results=[]), "results"),
        (lambda b: b["results"][0].update(outcome="maybe"), "results.0.outcome"),
        (lambda b: b["results"][0].update(value="x"), "results.0.value"),
        (lambda b: b.update(lat=21.2), "lng"),
        (lambda b: b.update(lat=200, lng=1), "lat"),
        (lambda b: b.update(colour="red"), "colour"),
        (lambda b: b["results"][0].update(photo_ids="1,2"), "results.0.photo_ids"),
    ],
)
def test_malformed_submission(assistant, world, checklist, mutate, field):
    body = submission(world.a.checkpoint.code, checklist)
    mutate(body)
    _refused(assistant, body, 422, field)


def test_same_uuid_from_another_user_is_409(assistant, world, checklist, login):
    body = submission(world.a.checkpoint.code, checklist)
    assert assistant.post("/api/v1/inspections", json=body).status_code == 201
    _refused(login(world.a.users["inspector"]), body, 409, "client_uuid")


@pytest.fixture
def gauge(world, login):
    """A fire-equipment checkpoint whose checklist has a pressure reading (0.7–1.4 MPa)."""
    tpl = factories.template(
        world.a.prop,
        kind="fire_equipment",
        items=[
            {
                "text_zh": "灭火器压力",
                "answer_type": "number",
                "min_value": 0.7,
                "max_value": 1.4,
                "unit": "MPa",
                "category": "fire",
                "photo_required_on_fail": False,
            },
            {"text_zh": "备注", "answer_type": "text", "required": False, "category": "fire"},
        ],
    )
    spot = factories.checkpoint(world.a.zone, kind="fire_equipment", name_zh="3F 灭火器")
    db.session.commit()
    return spot, [{"id": i.id} for i in tpl.current_version.items]


def _gauge_body(spot, items, outcome, value, text=None):
    results = [
        {"item_id": items[0]["id"], "outcome": outcome, "value": value},
        {"item_id": items[1]["id"], "outcome": "pass", "value": text},
    ]
    return submission(spot.code, [], results=results)


def test_reading_out_of_range_must_be_marked_fail(assistant, gauge):
    spot, items = gauge
    _refused(assistant, _gauge_body(spot, items, "pass", 0.3), 422, "results.0.outcome")
    resp = assistant.post("/api/v1/inspections", json=_gauge_body(spot, items, "fail", 0.3))
    assert resp.status_code == 201
    ticket = resp.get_json()["tickets"][0]
    assert "0.3MPa" in ticket["description"]


def test_reading_in_range_passes(assistant, gauge):
    spot, items = gauge
    resp = assistant.post(
        "/api/v1/inspections", json=_gauge_body(spot, items, "pass", 1.1, "压力正常")
    )
    assert resp.status_code == 201
    results = resp.get_json()["results"]
    assert results[0]["value_number"] == 1.1 and results[1]["value_text"] == "压力正常"


@pytest.mark.parametrize("value", [None, "1.0", True])
def test_reading_must_be_a_number(assistant, gauge, value):
    spot, items = gauge
    _refused(assistant, _gauge_body(spot, items, "pass", value), 422, "results.0.value")


def test_anonymous_cannot_submit(client, world, checklist):
    resp = client.post("/api/v1/inspections", json=submission(world.a.checkpoint.code, checklist))
    assert resp.status_code == 401


def test_one_photo_on_two_failed_items(assistant, world, checklist):
    photo = upload(assistant)
    body = submission(world.a.checkpoint.code, checklist, fail={0: [photo], 1: [photo]})
    problem = _refused(assistant, body, 422, "results.1.photo_ids")
    assert list(problem["errors"]) == ["results.1.photo_ids"]


def test_one_photo_twice_on_one_item(assistant, world, checklist):
    photo = upload(assistant)
    body = submission(world.a.checkpoint.code, checklist, fail={1: [photo, photo]})
    _refused(assistant, body, 422, "results.1.photo_ids")


@pytest.mark.parametrize("number", [2**31, 2**63, 1e20])
def test_a_photo_id_too_big_for_the_database(assistant, world, checklist, number):
    body = submission(world.a.checkpoint.code, checklist, fail={1: [number]})
    _refused(assistant, body, 422, "results.1.photo_ids.0")


@pytest.mark.parametrize("field", ["checklist_version_id", "label_version"])
def test_a_version_too_big_for_the_database(assistant, world, checklist, field):
    body = submission(world.a.checkpoint.code, checklist, **{field: 2**63})
    _refused(assistant, body, 422, field)


def test_an_item_id_too_big_for_the_database(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist)
    body["results"][0]["item_id"] = 2**31
    _refused(assistant, body, 422, "results.0.item_id")


@pytest.mark.parametrize("value", [10**400, -(10**400)], ids=["1e400", "-1e400"])
def test_a_reading_too_big_for_a_float(assistant, gauge, value):
    spot, items = gauge
    _refused(assistant, _gauge_body(spot, items, "fail", value), 422, "results.0.value")


@pytest.mark.parametrize("text", ["压力\x00正常", "\x01"])
def test_control_characters_in_a_text_answer(assistant, gauge, text):
    spot, items = gauge
    _refused(assistant, _gauge_body(spot, items, "pass", 1.1, text), 422, "results.1.value")


@pytest.mark.parametrize("field", ["note", "checkpoint_code", "device_id", "label_sig"])
def test_a_nul_in_a_submitted_string(assistant, world, checklist, field):
    body = submission(world.a.checkpoint.code, checklist, **{field: "AB\x00"})
    _refused(assistant, body, 422, field)


def test_a_nul_in_a_result_note(assistant, world, checklist):
    body = submission(world.a.checkpoint.code, checklist)
    body["results"][0]["note"] = "灯\x00不亮"
    _refused(assistant, body, 422, "results.0.note")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("field", ["scanned_at", "device_now"])
def test_a_time_at_the_edge_of_the_calendar(assistant, world, checklist, when, field):
    body = submission(world.a.checkpoint.code, checklist, **{field: when})
    _refused(assistant, body, 422, field)
