"""Ticket steps in a basement: taken offline, sent in order once, refusals said plainly."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.phone import (
    camera_jpeg,
    confirm_dialog,
    phone_as,
    report,
    take_photo,
)


def _phone(browser, server, username: str):
    return phone_as(browser, server, username, service_worker=True)


def _status(page, status: str) -> None:
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", status)


def test_an_engineer_accepts_and_resolves_offline_and_the_supervisor_verifies_offline(
    browser, server, api_as
):
    frontdesk, supervisor = api_as("frontdesk"), api_as("supervisor")
    ticket = report(frontdesk, "B区排风机异响")
    assert ticket["department"]["code"] == "ENG"

    # --- the engineer opened it upstairs; in the basement there is no signal ---
    ctx, page = _phone(browser, server, "engineer")
    page.goto(f"/tickets/{ticket['id']}")
    _status(page, "new")
    ctx.set_offline(True)
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.get_by_test_id("ticket-stale")).to_contain_text("上次联网时的工单")
    page.get_by_test_id("action-accept").click()
    confirm_dialog(page)
    _status(page, "accepted")  # the phone's guess, so the next step can be taken
    page.get_by_test_id("action-start").click()
    confirm_dialog(page)
    page.get_by_test_id("action-resolve").click()
    form = page.get_by_test_id("step-form")
    form.get_by_test_id("step-note").locator("textarea").fill("已更换风机轴承")
    take_photo(page, form.locator(".add-photo"), camera_jpeg(orientation=1), "after.jpg")
    expect(form.locator(".thumb img")).to_have_count(1)
    form.get_by_test_id("step-submit").click()
    _status(page, "resolved")
    expect(page.get_by_test_id("step-queued")).to_contain_text("受理 → 开始处理 → 完成整改")
    assert supervisor.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "new"

    # --- upstairs again: the three steps go in order, once each, with the after-photo ---
    ctx.set_offline(False)
    expect(page.get_by_test_id("step-queued")).to_have_count(0, timeout=30000)
    stored = supervisor.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert stored["status"] == "resolved"
    assert [e["action"] for e in stored["events"]][-3:] == ["accept", "start", "resolve"]
    assert len(stored["after_photos"]) == 1
    ctx.close()

    # --- the supervisor verifies on the spot, offline too, with a photo ---
    ctx, page = _phone(browser, server, "supervisor")
    page.goto(f"/tickets/{ticket['id']}")
    _status(page, "resolved")
    ctx.set_offline(True)
    page.get_by_test_id("action-verify").click()
    form = page.get_by_test_id("step-form")
    take_photo(page, form.locator(".add-photo"), camera_jpeg(orientation=1), "verify.jpg")
    expect(form.locator(".photos .thumb img")).to_have_count(1)
    form.get_by_test_id("step-submit").click()
    _status(page, "verified")
    ctx.set_offline(False)
    expect(page.get_by_test_id("step-queued")).to_have_count(0, timeout=30000)
    stored = supervisor.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert stored["status"] == "verified"
    assert [e["action"] for e in stored["events"]].count("verify") == 1
    ctx.close()


def test_a_step_someone_else_made_moot_is_refused_plainly(browser, server, api_as):
    frontdesk, supervisor = api_as("frontdesk"), api_as("supervisor")
    ticket = report(frontdesk, "B区照明回路跳闸")
    ctx, page = _phone(browser, server, "engineer")
    page.goto(f"/tickets/{ticket['id']}")
    _status(page, "new")
    ctx.set_offline(True)
    page.get_by_test_id("action-accept").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("step-queued")).to_be_visible()

    # Meanwhile the supervisor hands it to the security team.
    departments = supervisor.get("/api/v1/departments", params={"per_page": 50}).json()["items"]
    security = next(
        d for d in departments if d["code"] == "SEC" and d["property_id"] == ticket["property_id"]
    )
    moved = supervisor.post(
        f"/api/v1/tickets/{ticket['id']}/events",
        data={"action": "reassign", "department_id": security["id"], "note": "保安部处理"},
    )
    assert moved.ok, moved.text()

    ctx.set_offline(False)
    refused = page.get_by_test_id("step-refused")
    expect(refused).to_contain_text("服务器未接受这一步", timeout=30000)
    page.get_by_test_id("drop-refused").click()
    expect(refused).to_have_count(0)
    expect(page.get_by_test_id("action-accept")).to_have_count(0)  # no longer theirs
    events = supervisor.get(f"/api/v1/tickets/{ticket['id']}").json()["events"]
    assert "accept" not in [e["action"] for e in events]
    ctx.close()


def test_the_front_desk_records_a_report_offline(browser, server, api_as):
    supervisor = api_as("supervisor")
    ctx, page = _phone(browser, server, "frontdesk")
    page.goto("/tickets/new")
    ctx.set_offline(True)
    page.locator("[data-category=environment]").click()
    page.locator("textarea").first.fill("5栋电梯厅有积水（离线登记）")
    page.get_by_placeholder("如 A幢2单元电梯厅").fill("5栋电梯厅")
    page.get_by_test_id("create-ticket").click()
    expect(page).to_have_url(re.compile(r"/outbox"))
    expect(page.get_by_test_id("outbox-entry")).to_contain_text("新报事")
    ctx.set_offline(False)
    expect(page.get_by_test_id("outbox-entry")).to_have_count(0, timeout=30000)
    found = supervisor.get("/api/v1/tickets", params={"q": "离线登记", "per_page": 10}).json()
    assert found["total"] == 1
    ctx.close()
