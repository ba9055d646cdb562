"""Who may read coverage: supervisors, admins and the front desk; another property is 404."""

from __future__ import annotations

import pytest

from app.auth.models import ROLES

READERS = {"supervisor", "admin", "frontdesk"}
RANGE = "from=2026-03-02&to=2026-03-03"
PATHS = [
    "coverage?property_id={p}&" + RANGE,
    "coverage/missed?property_id={p}&" + RANGE,
    "coverage/grid?property_id={p}&" + RANGE,
    "coverage/tickets?property_id={p}&" + RANGE,
    "coverage/report.xlsx?property_id={p}&" + RANGE,
    "coverage/patrol-record.xlsx?property_id={p}&" + RANGE,
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_matrix(world, login, role, path):
    resp = login(world.a.users[role]).get("/api/v1/" + path.format(p=world.a.prop.id))
    assert resp.status_code == (200 if role in READERS else 403), resp.data[:200]


@pytest.mark.parametrize("path", PATHS)
def test_another_property_is_not_found(world, login, path):
    resp = login(world.a.users["supervisor"]).get("/api/v1/" + path.format(p=world.b.prop.id))
    assert resp.status_code == 404


@pytest.mark.parametrize("path", PATHS[:2])
def test_anonymous_is_asked_to_log_in(client, world, path):
    assert client.get("/api/v1/" + path.format(p=world.a.prop.id)).status_code == 401
