"""Re-issuing a label code: the old label answers 410 everywhere, the new one works, and a
retired code is never handed out again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.places import service as places
from app.places.models import Checkpoint, RetiredCode
from tests.labels.pdf import text_of

ROLES = ["assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"]


def _reissue(client, checkpoint_id: int):
    return client.post(f"/api/v1/checkpoints/{checkpoint_id}/reissue-code")


def test_reissue_gives_a_new_code_and_retires_the_old_one(admin, login, client, world):
    old = world.a.checkpoint.code
    resp = _reissue(admin, world.a.checkpoint.id)
    assert resp.status_code == 200
    body = resp.get_json()
    new = body["code"]
    assert new != old and len(new) == places.CODE_LENGTH
    assert body["url"] == f"https://patrol.example.com/c/{new}"
    checkpoint = db.session.get(Checkpoint, world.a.checkpoint.id)
    assert checkpoint.code == new and checkpoint.label_version == 2
    retired = db.session.scalar(select(RetiredCode).where(RetiredCode.code == old))
    assert retired.checkpoint_id == checkpoint.id and retired.label_version == 1
    assert retired.retired_by_id == world.a.users["admin"].id

    assistant = login(world.a.users["assistant"])
    gone = assistant.get(f"/api/v1/checkpoints/by-code/{old.lower()}")
    assert gone.status_code == 410
    problem = gone.get_json()
    assert problem["code"] == "gone" and list(problem["errors"]) == ["code"]
    assert "已作废" in problem["detail_zh"] and "报告" in problem["detail_zh"]
    assert "replaced" in problem["detail_en"] and "report" in problem["detail_en"]
    assert assistant.get(f"/api/v1/checkpoints/by-code/{new}").status_code == 200

    page = client.get(f"/c/{old}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "此标签已作废" in html and "This label has been replaced" in html
    assert new not in html and checkpoint.name_zh not in html  # a copied label learns nothing
    assert client.get(f"/c/{new}").status_code == 200


def test_reissuing_again_retires_every_old_code(admin, login, world):
    first = world.a.checkpoint.code
    second = _reissue(admin, world.a.checkpoint.id).get_json()["code"]
    third = _reissue(admin, world.a.checkpoint.id).get_json()["code"]
    assert len({first, second, third}) == 3
    assert db.session.get(Checkpoint, world.a.checkpoint.id).label_version == 3
    assistant = login(world.a.users["assistant"])
    for code in (first, second):
        assert assistant.get(f"/api/v1/checkpoints/by-code/{code}").status_code == 410


def test_the_new_label_prints_with_its_version(admin, world):
    new = _reissue(admin, world.a.checkpoint.id).get_json()["code"]
    pdf = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id}).data
    assert f"{new} v2" in " ".join(text_of(pdf).split())


def test_a_retired_code_is_never_drawn_again(admin, world, monkeypatch):
    world.a.checkpoint.code = "ABCDEF"
    db.session.commit()
    new = _reissue(admin, world.a.checkpoint.id).get_json()["code"]
    # Rig the dice: the generator draws the retired code, then the one in use, then a free one.
    draws = iter("ABCDEF" + new + "GHJKMN")
    monkeypatch.setattr(places.secrets, "choice", lambda _alphabet: next(draws))
    assert places.new_checkpoint_code() == "GHJKMN"


def test_a_retired_code_cannot_be_chosen_by_hand(admin, world):
    old = world.a.checkpoint.code
    _reissue(admin, world.a.checkpoint.id)
    data = {"zone_id": world.a.zone.id, "kind": "shop", "name_zh": "花店", "code": old}
    resp = admin.post("/api/v1/checkpoints", json=data)
    assert resp.status_code == 409 and list(resp.get_json()["errors"]) == ["code"]


def test_another_propertys_checkpoint_is_not_found(admin, world):
    resp = _reissue(admin, world.b.checkpoint.id)
    assert resp.status_code == 404
    assert db.session.get(Checkpoint, world.b.checkpoint.id).label_version == 1


def test_another_propertys_retired_code_is_just_unknown(login, world):
    old = world.b.checkpoint.code
    assert _reissue(login(world.b.users["admin"]), world.b.checkpoint.id).status_code == 200
    resp = login(world.a.users["assistant"]).get(f"/api/v1/checkpoints/by-code/{old}")
    assert resp.status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_reissue(login, world, role):
    resp = _reissue(login(world.a.users[role]), world.a.checkpoint.id)
    assert resp.status_code == 403
    assert db.session.get(Checkpoint, world.a.checkpoint.id).label_version == 1


def test_a_deactivated_checkpoint_needs_no_new_label(admin, world):
    world.a.checkpoint.active = False
    db.session.commit()
    resp = _reissue(admin, world.a.checkpoint.id)
    assert resp.status_code == 409
    assert db.session.scalar(select(RetiredCode.id)) is None


def test_the_reissue_answer_names_the_code_and_label_that_stop_working(admin, world):
    old = world.a.checkpoint.code
    body = _reissue(admin, world.a.checkpoint.id).get_json()
    replaced = body["replaced"]
    assert replaced["code"] == old and replaced["label_version"] == 1
    assert body["label_version"] == 2 and body["code"] != old
    assert old in replaced["message_zh"] and "作废" in replaced["message_zh"]
    assert old in replaced["message_en"] and "no longer work" in replaced["message_en"]
