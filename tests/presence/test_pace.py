"""Pace and pattern checks, and phone clocks corrected by their offset at sync time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.presence.checks import floor_of
from tests.presence.conftest import Scene


def codes(body: dict) -> list[str]:
    return [r["code"] for r in body["presence"]["reasons"]]


def start() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def test_an_impossible_pace_between_zones_is_flagged(scene):
    t0 = start()
    first = scene.submit(scene.world.a.checkpoint, t0)
    second = scene.submit(scene.far, t0 + timedelta(seconds=20))
    assert "too_fast" not in codes(first)
    reason = next(r for r in second["presence"]["reasons"] if r["code"] == "too_fast")
    assert reason["other_inspection_id"] == first["id"]
    assert reason["seconds"] == 20 and reason["needed_seconds"] == 100  # 120 m at 1.2 m/s
    assert second["presence"]["score"] == 55 and second["presence"]["status"] == "doubtful"


def test_a_normal_walking_sequence_is_not_flagged(scene):
    t0 = start()
    route = [scene.world.a.checkpoint, scene.near, scene.far, scene.fire]
    bodies = [scene.submit(c, t0 + timedelta(minutes=3 * n)) for n, c in enumerate(route)]
    assert all(b["presence"]["reasons"] == [] for b in bodies)
    assert all(b["presence"]["score"] == 100 for b in bodies)


def test_a_late_synced_scan_is_checked_against_the_scan_after_it(scene):
    t0 = start()
    later = scene.submit(scene.far, t0 + timedelta(seconds=15))
    earlier = scene.submit(scene.world.a.checkpoint, t0)  # reached the server second
    assert "too_fast" not in codes(later) and "too_fast" in codes(earlier)


def test_floors_apart_in_one_zone_need_the_stairs(scene):
    t0 = start()
    scene.submit(scene.near, t0)  # 2楼
    fire = scene.submit(scene.fire, t0 + timedelta(seconds=40))  # 5楼: 30 + 3 × 12 m = 55 s
    assert "too_fast" in codes(fire)
    assert floor_of(scene.fire) == 5 and floor_of(scene.near) == 2


def test_a_checklist_answered_in_a_second_is_implausible(scene):
    t0 = start()
    body = scene.submit(
        scene.world.a.checkpoint, t0, submitted_at=(t0 + timedelta(seconds=1)).isoformat()
    )
    assert "quick_submit" in codes(body)


def test_a_burst_with_identical_timestamps_is_flagged(scene):
    t0 = start()
    scene.submit(scene.world.a.checkpoint, t0)
    body = scene.submit(scene.far, t0)
    assert "same_timestamp" in codes(body)


def test_the_same_checkpoint_scanned_again_soon_is_flagged(scene):
    t0 = start()
    scene.submit(scene.near, t0)
    again = scene.submit(scene.near, t0 + timedelta(minutes=5))
    assert codes(again) == ["repeat_scan"]
    tomorrow = scene.submit(scene.near, t0 + timedelta(minutes=45))
    assert "repeat_scan" not in codes(tomorrow)


def test_two_accounts_on_one_device_in_a_shift_are_flagged(scene, login):
    t0 = start()
    device = "0b5e1c4e-8f5c-4c41-9f0e-2d7c1c1f9a10"
    mine = scene.submit(scene.near, t0, device_id=device)
    assert "shared_device" not in codes(mine)
    mate = Scene(
        world=scene.world,
        far=scene.far,
        near=scene.near,
        fire=scene.fire,
        client=login(scene.world.a.users["inspector"]),
    )
    theirs = mate.submit(scene.far, t0 + timedelta(hours=2), device_id=device)
    assert "shared_device" in codes(theirs)
    assert theirs["presence"]["device_id"] == device


def test_offline_timestamps_are_corrected_by_the_clock_offset(scene):
    now = datetime.now(UTC)
    skew = timedelta(minutes=10)  # the phone's clock runs ten minutes slow
    device_scan = now - timedelta(hours=2) - skew  # scanned two hours ago, offline
    body = scene.body(
        scene.near,
        device_scan,
        device_now=(now - skew).isoformat(),
        app_version="1.4.0",
    )
    stored = scene.client.post("/api/v1/inspections", json=body).get_json()
    scanned = datetime.fromisoformat(stored["scanned_at"])
    assert abs(scanned - (now - timedelta(hours=2))) < timedelta(seconds=5)
    submitted = datetime.fromisoformat(stored["submitted_at"])
    assert abs(submitted - (now - timedelta(hours=2) + timedelta(seconds=90))) < timedelta(
        seconds=5
    )
    proof = stored["presence"]
    assert 595 < proof["clock_offset_s"] < 605
    assert datetime.fromisoformat(proof["device_scanned_at"]) == device_scan
    assert proof["scan_to_submit_s"] == 90 and proof["app_version"] == "1.4.0"


def test_a_phone_clock_within_two_seconds_is_left_alone(scene):
    t0 = start()
    body = scene.body(scene.near, t0, device_now=datetime.now(UTC).isoformat())
    stored = scene.client.post("/api/v1/inspections", json=body).get_json()
    assert datetime.fromisoformat(stored["scanned_at"]) == t0
