"""Permits and their ledger answer what the OpenAPI document says, before any decision too."""

from __future__ import annotations

from tests.openapi import assert_documented
from tests.renovation.conftest import permit_body


def test_an_undecided_permit_and_its_ledger_match_the_document(app, world, as_role):
    frontdesk = as_role("frontdesk")
    body = permit_body(world, contractor_contact=None, contractor_phone=None)
    permit = assert_documented(
        app, "post", "/api/v1/permits", frontdesk.post("/api/v1/permits", json=body)
    )
    assert permit["decided_at"] is None and permit["completion_note"] is None
    one = frontdesk.get(f"/api/v1/permits/{permit['id']}")
    assert_documented(app, "get", "/api/v1/permits/{obj_id}", one)
    listed = frontdesk.get("/api/v1/permits")
    assert_documented(app, "get", "/api/v1/permits", listed)
    ledger = frontdesk.get(f"/api/v1/permits/{permit['id']}/ledger")
    assert_documented(app, "get", "/api/v1/permits/{obj_id}/ledger", ledger)


def test_an_approved_permit_s_ledger_with_its_deposit_matches_the_document(app, world, as_role):
    permit = as_role("frontdesk").post("/api/v1/permits", json=permit_body(world)).get_json()
    supervisor = as_role("supervisor")
    approved = supervisor.post(f"/api/v1/permits/{permit['id']}/steps", json={"action": "approve"})
    assert approved.status_code == 200, approved.get_json()
    resp = supervisor.get(f"/api/v1/permits/{permit['id']}/ledger")
    ledger = assert_documented(app, "get", "/api/v1/permits/{obj_id}/ledger", resp)
    assert [e["kind"] for e in ledger["entries"]] == ["deposit"]
