"""A phone set to another time zone shows the property's times: Shanghai's, not its own."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.phone import PHONE, log_in, new_assistant

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("device_zone", ["UTC", "America/New_York"])
def test_a_phone_abroad_shows_plan_windows_and_times_in_the_propertys_zone(
    browser, server, api_as, all_day_plan, device_zone
):
    # A person of this test alone: the 08:30–17:30 early shift of a Shanghai property, and a
    # plan open all day (always due, whatever the test clock says).
    username = f"assistant-tz-{device_zone.split('/')[-1].lower()}"
    new_assistant(api_as("admin"), username, "时区助理")
    all_day_plan(username, "E幢", "楼梯间全天巡查")
    all_day_plan(
        username, "A幢", "早班公共区域巡查", start_minute=8 * 60 + 30, end_minute=17 * 60 + 30
    )
    ticket = api_as("frontdesk").post(
        "/api/v1/tickets",
        data={
            "property_id": api_as("frontdesk").get("/api/v1/me").json()["properties"][0]["id"],
            "category": "equipment",
            "description": "时区测试：地下车库灯不亮",
            "location_text": "地下车库B区",
        },
    )
    assert ticket.ok, ticket.text()

    ctx = browser.new_context(base_url=server.base_url, **{**PHONE, "timezone_id": device_zone})
    ctx.set_default_timeout(20000)
    page = ctx.new_page()
    log_in(page, username)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == device_zone

    now = datetime.now(UTC).astimezone(SHANGHAI)  # the session's clock, as the phone's Date
    # The heading's date is the property's today, which in New York is often still yesterday.
    expect(page.get_by_text(f"{now.month}月{now.day}日")).to_be_visible()

    plan = page.get_by_test_id("plan-due")
    expect(plan.get_by_test_id("due-window").first).to_be_visible()
    expect(plan).to_contain_text("00:00–24:00")  # not 16:00–16:00 (UTC) or 11:00–11:00
    if now.hour * 60 + now.minute < 17 * 60 + 30:  # the early shift is not over yet: listed
        expect(plan).to_contain_text("08:30–17:30")  # not 00:30–09:30 (UTC) or 20:30–05:30
    assert "00:30–09:30" not in plan.inner_text()

    # A ticket's dates too: its close deadline in Shanghai wall time.
    body = ticket.json()
    close_due = datetime.fromisoformat(body["close_due_at"]).astimezone(SHANGHAI)
    page.goto(f"/tickets/{body['id']}")
    due_cell = page.locator(".van-cell", has_text="完成期限")
    expect(due_cell).to_contain_text(close_due.strftime("%m-%d %H:%M"))

    # What the phone sends stays the true instant: a visit typed in now is stored as now.
    page.goto("/checkpoint/XGHTYM")
    expect(page.get_by_test_id("checkpoint-name")).to_be_visible()
    scan = datetime.now(UTC).astimezone(SHANGHAI)
    expect(page.get_by_text(f"扫码 {scan:%m-%d %H}:")).to_be_visible()  # Shanghai's hour
    page.get_by_test_id("all-pass").click()
    page.get_by_test_id("submit").click()
    expect(page.locator(".van-dialog")).to_be_visible()
    stored = api_as(username).get("/api/v1/inspections", params={"user_id": "me"}).json()
    scanned = datetime.fromisoformat(stored["items"][0]["scanned_at"])
    assert abs((scanned - datetime.now(UTC)).total_seconds()) < 120, scanned
    ctx.close()
