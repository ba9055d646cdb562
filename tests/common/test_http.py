"""A phone revalidates what it fetched: unchanged JSON costs a 304, not the whole answer again."""

from __future__ import annotations


def test_an_unchanged_answer_is_a_304_without_a_body(login, world):
    client = login(world.a.users["assistant"])
    first = client.get(f"/api/v1/checkpoints?property_id={world.a.prop.id}")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"  # never shared, always asked
    etag = first.headers["ETag"]
    again = client.get(
        f"/api/v1/checkpoints?property_id={world.a.prop.id}", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_a_changed_answer_comes_in_full(login, world):
    admin = login(world.a.users["admin"])
    url = f"/api/v1/checkpoints?property_id={world.a.prop.id}"
    etag = admin.get(url).headers["ETag"]
    created = admin.post(
        "/api/v1/checkpoints",
        json={"zone_id": world.a.zone.id, "name_zh": "新点位", "kind": "stairwell"},
    )
    assert created.status_code == 201, created.get_json()
    changed = admin.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "新点位" in [c["name_zh"] for c in changed.get_json()["items"]]
    assert changed.headers["ETag"] != etag


def test_only_successful_gets_are_tagged(login, world, client):
    assert "ETag" not in client.get("/api/v1/me").headers  # 401
    admin = login(world.a.users["admin"])
    made = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "name_zh": "新区", "kind": "building"},
    )
    assert made.status_code == 201
    assert "ETag" not in made.headers
