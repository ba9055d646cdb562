"""Plans in the browser: the supervisor's coverage dashboard on a phone and a desktop (figures as
the API computes them, excusing a missed patrol), and an assistant's due-now list and hand-over
note that the next shift reads and acknowledges on their home screen.

The demo server has no plans; this module loads the demo's shifts and plans with a week of past
patrols (as `flask seed demo --history 7` does) into the server's database first.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.phone import (
    PHONE,
    ROOT,
    camera_jpeg,
    log_in,
    screenshot,
    wait_for_service_worker,
)

HISTORY_DAYS = 7
DESKTOP = {
    "viewport": {"width": 1440, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture(scope="module")
def history(server) -> None:
    """Load the demo plans and a week of past patrols into the running server's database, and an
    all-day plan for the assistant (valid from midnight): something is due whatever the time."""
    from flask import g
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.cli import _seed_plans
    from app.common.models import utcnow
    from app.extensions import db
    from app.places.models import Property, Zone
    from app.plans import service
    from app.plans.expand import at_local, local_date
    from app.plans.sweep import materialize

    url = f"sqlite:///{server.instance_dir}/e2e.db"
    app = create_app(
        SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=server.instance_dir, SECRET_KEY="e2e-setup"
    )
    with app.test_request_context():
        _seed_plans(HISTORY_DAYS)
        prop = db.session.scalar(select(Property).where(Property.code == "CH"))
        assert prop is not None
        users = {u.username: u for u in db.session.scalars(select(User))}
        zone = db.session.scalar(select(Zone).where(Zone.name_zh == "地下车库"))
        assert zone is not None
        g.user = users["supervisor"]
        now = utcnow()
        midnight = at_local(local_date(now, ZoneInfo(prop.timezone)), 0, ZoneInfo(prop.timezone))
        data = {
            "property_id": prop.id,
            "name_zh": "车库全天巡查",
            "name_en": "Car park all-day patrol",
            "zone_id": zone.id,
            "frequency": "daily",
            "start_minute": 0,
            "end_minute": 1440,
            "assignee_ids": [users["assistant"].id],
        }
        service.create_plan(data, now=midnight)
        materialize(now)
        db.session.commit()
        db.engine.dispose()


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _get(api, path: str, **params) -> dict:
    resp = api.get("/api/v1/" + path, params=params)
    assert resp.ok, resp.text()
    return resp.json()


def _shot(page, name: str, height: int | None = None) -> None:
    """Save a whole-page picture (or its top `height` px) for the README, when PATROL_SCREENSHOTS
    is set."""
    folder = os.environ.get("PATROL_SCREENSHOTS")
    if not folder:
        return
    out = Path(folder) if Path(folder).is_absolute() else ROOT / folder
    out.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": height} if height else None
    page.screenshot(
        path=str(out / f"{name}.png"),
        full_page=True,
        clip=clip,
        scale="css",
        animations="disabled",
    )


def _pct(value) -> str:
    """Write a percentage the way JavaScript prints the number (100.0 → "100")."""
    return "" if value is None else f"{value:g}"


def _inspect(api, code: str, fail: int, photo: bytes) -> None:
    """Inspect a checkpoint now, failing its first `fail` pass/fail items (with a photo each)."""
    checklist = _get(api, f"checkpoints/by-code/{code}")["checklist"]
    results = []
    for item in checklist["items"]:
        answer = {
            "item_id": item["id"],
            "outcome": "pass" if item["answer_type"] != "number" else "na",
        }
        if item["answer_type"] == "pass_fail" and fail > 0:
            fail -= 1
            resp = api.post(
                "/api/v1/photos",
                multipart={
                    "file": {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": photo},
                    "client_uuid": str(uuid.uuid4()),
                },
            )
            assert resp.ok, resp.text()
            answer.update(outcome="fail", photo_ids=[resp.json()["id"]], note="损坏")
        results.append(answer)
    resp = api.post(
        "/api/v1/inspections",
        data={
            "client_uuid": str(uuid.uuid4()),
            "checkpoint_code": code,
            "checklist_version_id": checklist["version_id"],
            "scanned_at": datetime.now(ZoneInfo("UTC")).isoformat(),
            "results": results,
        },
    )
    assert resp.status == 201, resp.text()


def _failures(api) -> None:
    """Fail a few items at the assistant's checkpoints of today: tickets and hotspots to show."""
    photo = camera_jpeg(640, 480, orientation=1)
    codes = []
    for slot in _get(api, "slots/mine")["items"]:
        # Not the all-day car park plan: the assistant's due-now test counts on it.
        if slot["checkpoint"]["zone"]["name_zh"] == "地下车库":
            continue
        if slot["checkpoint"]["code"] not in codes:
            codes.append(slot["checkpoint"]["code"])
    for n, code in enumerate(codes[:4]):
        _inspect(api, code, fail=2 if n < 2 else 1, photo=photo)


def _check_dashboard(page, supervisor, prop_id: int, first: date, last: date) -> None:
    """Assert the dashboard shows the API's figures: today per zone, the heatmap, per person."""
    today = _get(
        supervisor,
        "coverage",
        property_id=prop_id,
        **{"from": str(last), "to": str(last)},
        group_by="zone",
    )
    assert today["rows"], "the demo plans expect patrols today"
    for row in today["rows"]:
        zone = page.locator(f"[data-test=today-zone][data-key='{row['key']}']")
        expect(zone).to_contain_text(row["label_zh"])
        expect(zone).to_have_attribute("data-pct", _pct(row["coverage_pct"]))
        if row["coverage_pct"] is not None:
            expect(zone.get_by_test_id("pct")).to_have_text(f"{_pct(row['coverage_pct'])}%")

    grid = _get(
        supervisor, "coverage/grid", property_id=prop_id, **{"from": str(first), "to": str(last)}
    )
    assert len(grid["days"]) == HISTORY_DAYS
    assert {z["label_zh"] for z in grid["zones"]} >= {"A幢", "地下车库"}
    expect(page.get_by_test_id("heat-cell")).to_have_count(len(grid["zones"]) * HISTORY_DAYS)
    for cell in grid["cells"]:
        locator = page.locator(
            f"[data-test=heat-cell][data-zone='{cell['zone_id']}'][data-day='{cell['day']}']"
        )
        expect(locator).to_have_attribute("data-pct", _pct(cell["coverage_pct"]))
    for zone in grid["zones"]:
        total = page.locator(f"[data-test=heat-total][data-zone='{zone['key']}']")
        expect(total).to_have_text(f"{_pct(zone['coverage_pct'])}%")

    people = _get(
        supervisor,
        "coverage",
        property_id=prop_id,
        **{"from": str(first), "to": str(last)},
        group_by="assignee",
    )
    expect(page.get_by_test_id("person")).to_have_count(len(people["rows"]))
    names = [r["label_zh"] for r in people["rows"]]
    assert "李助理" in names and "周助理" in names
    expect(page.get_by_test_id("people")).to_contain_text("李助理")

    tickets = _get(
        supervisor, "coverage/tickets", property_id=prop_id, **{"from": str(first), "to": str(last)}
    )
    assert tickets["opened"] >= 4 and tickets["failed_items"]
    expect(page.get_by_test_id("sla-row")).to_have_count(len(tickets["departments"]))
    top = tickets["failed_items"][0]
    expect(page.get_by_test_id("failed-item").first).to_contain_text(top["text_zh"])
    expect(page.get_by_test_id("failed-item").first).to_contain_text(str(top["failures"]))


def test_the_coverage_dashboard_on_a_phone_and_a_desktop(browser, server, api_as, history):
    supervisor = api_as("supervisor")
    prop_id = _get(supervisor, "me")["properties"][0]["id"]
    _failures(api_as("assistant"))
    last = _today()
    first = last - timedelta(days=HISTORY_DAYS - 1)
    span = {"from": str(first), "to": str(last)}

    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(15000)
    page = phone.new_page()
    log_in(page, "supervisor")
    page.get_by_test_id("open-coverage").click()
    expect(page).to_have_url(re.compile(r"/coverage$"))
    _check_dashboard(page, supervisor, prop_id, first, last)

    # The missed list matches the API; excusing needs a reason and takes the slot off the list.
    missed = _get(supervisor, "coverage/missed", property_id=prop_id, per_page=1, **span)
    before = missed["total"]
    assert before > 0, "a week of demo history has misses"
    slot = missed["items"][0]
    expect(page.get_by_test_id("missed-total")).to_contain_text(str(before))
    page.get_by_test_id("heat-cell").first.wait_for()
    _shot(page, "coverage-phone", height=1560)  # today, per person and the heatmap
    row = page.locator(f"[data-test=missed-slot][data-slot='{slot['id']}']")
    row.get_by_test_id("excuse").click()
    page.locator(".van-dialog__confirm").click()
    expect(page.get_by_test_id("excuse-form")).to_contain_text("请填写豁免原因")
    page.get_by_test_id("excuse-form").locator("textarea").fill("消防演习封闭该楼层")
    page.locator(".van-dialog__confirm").click()
    expect(row).to_have_count(0)
    expect(page.get_by_test_id("missed-total")).to_contain_text(str(before - 1))
    after = _get(supervisor, "coverage/missed", property_id=prop_id, per_page=1, **span)
    assert after["total"] == before - 1
    [excused] = [
        s
        for s in _get(supervisor, "slots", status="excused", per_page=500, **span)["items"]
        if s["id"] == slot["id"]
    ]
    assert excused["excuse_reason"] == "消防演习封闭该楼层"
    # The figures follow: the excused slot leaves the zone's denominator in the heatmap.
    grid = _get(supervisor, "coverage/grid", property_id=prop_id, **span)
    cell = next(
        c
        for c in grid["cells"]
        if c["zone_id"] == slot["checkpoint"]["zone"]["id"] and c["day"] == slot["local_day"]
    )
    expect(
        page.locator(
            f"[data-test=heat-cell][data-zone='{cell['zone_id']}'][data-day='{cell['day']}']"
        )
    ).to_have_attribute("data-pct", _pct(cell["coverage_pct"]))
    phone.close()

    desktop = browser.new_context(base_url=server.base_url, **DESKTOP)
    desktop.set_default_timeout(15000)
    page = desktop.new_page()
    log_in(page, "supervisor")
    page.goto("/coverage")
    _check_dashboard(page, supervisor, prop_id, first, last)
    # Wide enough: the heatmap shows every day without scrolling sideways.
    heat = page.get_by_test_id("heatmap").bounding_box()
    assert heat is not None and heat["x"] + heat["width"] <= 1440
    expect(page.get_by_test_id("export-report.xlsx")).to_have_attribute(
        "href", re.compile(rf"/api/v1/coverage/report\.xlsx\?property_id={prop_id}&from={first}")
    )
    download = page.request.get(page.get_by_test_id("export-report.xlsx").get_attribute("href"))
    assert download.ok
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    _shot(page, "coverage-desktop")
    # The same screen in English.
    page.evaluate("localStorage.setItem('patrol.locale', 'en')")
    page.reload()
    expect(page.get_by_test_id("coverage")).to_contain_text("Patrol coverage")
    expect(page.get_by_test_id("missed")).to_contain_text("Missed patrols")
    expect(page.get_by_test_id("today-zone").first).to_contain_text("Building A")
    desktop.close()


def test_an_assistant_sees_what_is_due_and_hands_over_to_the_next_shift(
    browser, server, api_as, history
):
    assistant = api_as("assistant")
    mine = _get(assistant, "slots/mine")["items"]
    assert mine, "the demo plans give the assistant slots today"

    first = browser.new_context(base_url=server.base_url, **PHONE)
    first.set_default_timeout(15000)
    page = first.new_page()
    log_in(page, "assistant")
    expect(page.get_by_test_id("plan-totals")).to_contain_text(f"今日 {len(mine)} 个点位")
    now = datetime.now(ZoneInfo("UTC"))
    open_now = [
        s
        for s in mine
        if s["status"] == "pending"
        and datetime.fromisoformat(s["window_start"]) <= now <= datetime.fromisoformat(s["due_at"])
    ]
    assert any(s["plan_name_zh"] == "车库全天巡查" for s in open_now)
    windows = page.get_by_test_id("due-window")
    all_day = windows.filter(has_text="车库全天巡查")
    expect(all_day).to_have_attribute("data-todo", "8")
    shown = sum(int(w.get_attribute("data-todo")) for w in windows.all())
    assert abs(shown - len(open_now)) <= 2  # another window may open or close between the reads
    all_day.click()
    expect(page.get_by_test_id("due-slot")).to_have_count(8)
    expect(page.get_by_test_id("due-slot").first).to_contain_text("地下车库")
    screenshot(page, "due-now")
    # The inspector's renovation block stays the inspector's; the patrol list is still there.
    expect(page.get_by_test_id("reno-today")).to_have_count(0)
    expect(page.locator(".van-collapse-item").last).to_be_visible()

    note = "B幢3楼消防门闭门器损坏，已报修；车库C区未巡完，请接班后补巡"
    page.get_by_test_id("handover-open").click()
    page.get_by_test_id("handover-send").click()
    expect(page.locator(".van-toast")).to_contain_text("请填写交接内容")
    page.get_by_test_id("handover-form").locator("textarea").fill(note)
    page.get_by_test_id("handover-send").click()
    expect(page.locator(".van-toast")).to_contain_text("交接已发送")
    first.close()

    nxt = api_as("assistant2")
    [received] = [n for n in _get(nxt, "handovers/mine")["items"] if n["note"] == note]
    assert received["author"]["username"] == "assistant"
    assert received["acknowledged_at"] is None
    # The assistant's open slots went with the note (the all-day car park plan's at least).
    assert len(received["slot_ids"]) >= 8
    assert {s["checkpoint"]["zone"]["name_zh"] for s in received["slots"]} >= {"地下车库"}

    second = browser.new_context(base_url=server.base_url, **PHONE)
    second.set_default_timeout(15000)
    page = second.new_page()
    log_in(page, "assistant2")
    card = page.locator(f"[data-test=handover-note][data-note='{received['id']}']")
    expect(card).to_contain_text(note)
    expect(card).to_contain_text("李助理 的交接")
    expect(card.get_by_test_id("handed-slot")).to_have_count(6)
    expect(card.get_by_test_id("handed-slot").first).to_have_text(
        received["slots"][0]["checkpoint"]["name_zh"]
    )
    screenshot(page, "handover")
    card.get_by_test_id("handover-ack").click()
    expect(card.get_by_test_id("handover-acked")).to_be_visible()
    [acked] = [n for n in _get(nxt, "handovers/mine")["items"] if n["id"] == received["id"]]
    assert acked["acknowledged_at"] is not None

    # Offline, the home opens with the plan and the notes it had (a quiet line, no error).
    wait_for_service_worker(page)
    second.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("plan-stale")).to_be_visible()
    expect(card).to_contain_text(note)
    expect(page.get_by_test_id("scan")).to_be_visible()
    second.close()
