"""Signed label codes: a forged or retired signature is refused; a typed code only scores lower."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.presence.signing import sign, signed_url


def test_a_scanned_signed_label_is_recorded_with_its_version(scene):
    body = scene.submit(scene.world.a.checkpoint)
    proof = body["presence"]
    assert proof["label_scanned"] is True and proof["label_version"] == 1
    assert proof["score"] == 100 and proof["status"] == "ok" and proof["reasons"] == []


def test_a_forged_signature_is_refused_with_a_report_the_label_message(scene):
    body = scene.body(scene.world.a.checkpoint, label_sig="aaaaaaaaaaaa")
    resp = scene.client.post("/api/v1/inspections", json=body)
    assert resp.status_code == 403
    problem = resp.get_json()
    assert resp.mimetype == "application/problem+json" and problem["code"] == "label_invalid"
    assert "报告给主管或管理员更换" in problem["detail_zh"]
    assert "report this label" in problem["detail_en"] and "label_sig" in problem["errors"]
    # Nothing was stored.
    assert scene.client.get("/api/v1/inspections").get_json()["total"] == 0


def test_a_signature_of_another_code_is_refused(scene):
    other = scene.near
    body = scene.body(scene.world.a.checkpoint, label_sig=sign(other.code, 1))
    assert scene.client.post("/api/v1/inspections", json=body).status_code == 403


def test_reprinting_retires_every_copy_of_the_old_label(scene, login):
    checkpoint = scene.world.a.checkpoint
    admin = login(scene.world.a.users["admin"])
    reprinted = admin.post(f"/api/v1/checkpoints/{checkpoint.id}/reprint").get_json()
    # what a photocopy of the version-1 label carries, scanned after the reprint
    old = scene.body(
        checkpoint, datetime.now(UTC), label_version=1, label_sig=sign(checkpoint.code, 1)
    )
    assert reprinted["code"] == checkpoint.code and reprinted["label_version"] == 2
    [entry] = admin.get(
        "/api/v1/audit", query_string={"entity": "checkpoint", "action": "reprint"}
    ).get_json()["items"]
    assert entry["entity_id"] == checkpoint.id and entry["changes"]["label_version"] == [1, 2]
    resp = scene.client.post("/api/v1/inspections", json=old)
    assert resp.status_code == 410
    assert resp.get_json()["code"] == "label_retired"
    assert "报告" in resp.get_json()["detail_zh"]
    fresh = scene.body(checkpoint, label_version=2, label_sig=sign(checkpoint.code, 2))
    assert scene.client.post("/api/v1/inspections", json=fresh).status_code == 201
    # The old label's page refuses too; the new one opens the app.
    page = scene.client.get(f"/c/{checkpoint.code}?v=1&s={sign(checkpoint.code, 1)}")
    assert page.status_code == 410
    assert scene.client.get(signed_url(checkpoint.code, 2).split(".com", 1)[1]).status_code == 200


def test_a_reissued_code_refuses_its_old_label_but_not_an_offline_scan_made_before(scene, login):
    checkpoint = scene.world.a.checkpoint
    before = scene.body(checkpoint, datetime.now(UTC) - timedelta(hours=1))
    admin = login(scene.world.a.users["admin"])
    assert admin.post(f"/api/v1/checkpoints/{checkpoint.id}/reissue-code").status_code == 200
    assert scene.client.post("/api/v1/inspections", json=before).status_code == 201
    after = scene.body(checkpoint, datetime.now(UTC))
    after["checkpoint_code"], after["label_sig"] = before["checkpoint_code"], before["label_sig"]
    resp = scene.client.post("/api/v1/inspections", json=after)
    assert resp.status_code == 410 and "报告" in resp.get_json()["detail_zh"]


def test_a_typed_code_is_accepted_with_a_lower_score(scene):
    body = scene.submit(scene.world.a.checkpoint, signed=False)
    proof = body["presence"]
    assert proof["label_scanned"] is False
    assert [r["code"] for r in proof["reasons"]] == ["code_typed"]
    assert proof["reasons"][0]["en"] == "label not scanned (code typed)"
    assert proof["score"] == 70 and proof["status"] == "ok"


def test_the_label_page_refuses_a_forged_signature(client, world):
    code = world.a.checkpoint.code
    assert client.get(f"/c/{code}?v=1&s=forgedforged").status_code == 403
    assert client.get(f"/c/{code}?v=1&s={sign(code, 1)}").status_code == 200
    assert client.get(f"/c/{code}").status_code == 200  # an unsigned URL still opens (typing)


def test_an_offline_scan_of_the_old_print_made_before_the_reprint_still_counts(scene, login):
    checkpoint = scene.world.a.checkpoint
    before = scene.body(checkpoint, datetime.now(UTC) - timedelta(minutes=20))  # version 1
    admin = login(scene.world.a.users["admin"])
    assert admin.post(f"/api/v1/checkpoints/{checkpoint.id}/reprint").status_code == 200
    resp = scene.client.post("/api/v1/inspections", json=before)  # the phone syncs late
    assert resp.status_code == 201, resp.get_json()
    proof = resp.get_json()["presence"]
    assert proof["label_scanned"] is True and proof["label_version"] == 1
    # two prints back is refused whatever the scan time
    assert admin.post(f"/api/v1/checkpoints/{checkpoint.id}/reprint").status_code == 200
    older = scene.body(checkpoint, datetime.now(UTC) - timedelta(minutes=30))
    older.update(label_version=1, label_sig=sign(checkpoint.code, 1))
    assert scene.client.post("/api/v1/inspections", json=older).status_code == 410
