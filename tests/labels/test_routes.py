"""Who may print labels, of what, and how a bad request is answered."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories
from tests.labels.pdf import text_of

ROLES = ["assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"]
PRINTERS = {"admin", "supervisor"}


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_supervisors_print_labels(login, world, role):
    client = login(world.a.users[role])
    resp = client.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert resp.status_code == (200 if role in PRINTERS else 403)


def test_anonymous_callers_must_log_in(client, world):
    resp = client.get("/api/v1/labels.pdf", query_string={"zone_id": world.a.zone.id})
    assert resp.status_code == 401


def test_another_propertys_zone_is_not_found(admin, world):
    resp = admin.get("/api/v1/labels.pdf", query_string={"zone_id": world.b.zone.id})
    assert resp.status_code == 404 and list(resp.get_json()["errors"]) == ["zone_id"]


def test_another_propertys_checkpoint_is_not_found(admin, world):
    ids = [world.a.checkpoint.id, world.b.checkpoint.id]
    resp = admin.get("/api/v1/labels.pdf", query_string={"checkpoint_id": ids})
    assert resp.status_code == 404 and list(resp.get_json()["errors"]) == ["checkpoint_id"]


def test_a_filter_is_required(admin, world):
    resp = admin.get("/api/v1/labels.pdf")
    assert resp.status_code == 422
    body = resp.get_json()
    assert list(body["errors"]) == ["zone_id"] and "zone_id" in body["detail_zh"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"kind": "rocket"}, "query.kind"), ({"zone_id": "north"}, "query.zone_id")],
)
def test_bad_filters_name_the_field(admin, world, query, field):
    resp = admin.get("/api/v1/labels.pdf", query_string=query)
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == [field]


def test_kind_prints_that_kind_in_my_properties_only(admin, world):
    fire = factories.checkpoint(world.a.zone, kind="fire_equipment", name_zh="消防栓")
    factories.checkpoint(world.b.zone, kind="fire_equipment", name_zh="别家消防栓")
    db.session.commit()
    resp = admin.get("/api/v1/labels.pdf", query_string={"kind": "fire_equipment"})
    assert resp.status_code == 200
    text = text_of(resp.data)
    assert fire.code in text and "别家" not in text
    assert world.a.checkpoint.code not in text


def test_chosen_checkpoints_are_printed_and_no_others(admin, world, stairwells):
    chosen = stairwells[3:5]
    query = {"checkpoint_id": [c.id for c in chosen]}
    text = text_of(admin.get("/api/v1/labels.pdf", query_string=query).data)
    assert all(c.code in text for c in chosen)
    assert not any(c.code in text for c in stairwells if c not in chosen)


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "application/pdf" in paths["/api/v1/labels.pdf"]["get"]["responses"]["200"]["content"]
    assert "post" in paths["/api/v1/checkpoints/{obj_id}/reissue-code"]
