"""Fixtures for walking tickets through their lifecycle over HTTP."""

from __future__ import annotations

import pytest

from tests.inspections.conftest import checklist, submission, upload  # noqa: F401


@pytest.fixture
def as_role(world, login):
    """Return logged-in clients of property A by role, made on first use."""
    clients: dict = {}

    def get(role: str):
        if role not in clients:
            clients[role] = login(world.a.users[role])
        return clients[role]

    return get


@pytest.fixture
def failed_ticket(world, as_role, checklist):  # noqa: F811
    """A ticket raised by a failed 照明 item at A's stairwell, routed to 工程部 (ENG)."""
    assistant = as_role("assistant")
    body = submission(world.a.checkpoint.code, checklist, fail={1: [upload(assistant)]})
    resp = assistant.post("/api/v1/inspections", json=body)
    assert resp.status_code == 201
    return resp.get_json()["tickets"][0]


def step(client, ticket_id: int, action: str, **data):
    """Post one lifecycle step."""
    return client.post(f"/api/v1/tickets/{ticket_id}/events", json={"action": action, **data})


def signed_label(checkpoint) -> dict:
    """Return what a scan of the checkpoint's printed label carries: its version and signature."""
    from app.presence import signing

    version = checkpoint.label_version
    return {"label_version": version, "label_sig": signing.sign(checkpoint.code, version)}
