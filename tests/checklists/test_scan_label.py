"""A scan with the label's signature is checked at once: forged and old prints never open."""

from __future__ import annotations

import pytest

from app.presence.signing import sign


def _scan(client, code, **params):
    return client.get(f"/api/v1/checkpoints/by-code/{code}", query_string=params)


def test_a_good_label_opens_its_checklist(world, login):
    cp = world.a.checkpoint
    phone = login(world.a.users["assistant"])
    resp = _scan(phone, cp.code, s=sign(cp.code, cp.label_version), v=cp.label_version)
    assert resp.status_code == 200
    assert resp.get_json()["code"] == cp.code


def test_a_forged_label_is_refused_at_the_scan(world, login):
    cp = world.a.checkpoint
    phone = login(world.a.users["assistant"])
    resp = _scan(phone, cp.code, s="forged-signature", v=cp.label_version)
    assert resp.status_code == 403
    body = resp.get_json()
    assert body["code"] == "label_invalid"
    assert "签名不正确" in body["detail_zh"]


def test_a_print_before_a_reprint_is_refused_at_the_scan(world, login):
    cp = world.a.checkpoint
    old_version = cp.label_version
    admin = login(world.a.users["admin"])
    assert admin.post(f"/api/v1/checkpoints/{cp.id}/reprint").status_code == 200
    phone = login(world.a.users["assistant"])
    resp = _scan(phone, cp.code, s=sign(cp.code, old_version), v=old_version)
    assert resp.status_code == 410
    assert resp.get_json()["code"] == "label_retired"
    # The new print opens.
    new = old_version + 1
    assert _scan(phone, cp.code, s=sign(cp.code, new), v=new).status_code == 200


def test_a_typed_code_still_opens(world, login):
    phone = login(world.a.users["assistant"])
    assert _scan(phone, world.a.checkpoint.code).status_code == 200


@pytest.mark.parametrize(
    "params, field",
    [
        ({"s": "abc"}, "v"),
        ({"s": "abc", "v": "x"}, "v"),
        ({"s": "abc", "v": 0}, "v"),
        ({"s": "a" * 201, "v": 1}, "s"),
    ],
)
def test_bad_label_parameters_name_the_field(world, login, params, field):
    phone = login(world.a.users["assistant"])
    resp = _scan(phone, world.a.checkpoint.code, **params)
    assert resp.status_code == 422
    assert f"query.{field}" in resp.get_json()["errors"]
