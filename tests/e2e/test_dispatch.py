"""The front desk dispatches to a named person; that person finds it under 我的任务 and takes it."""

from __future__ import annotations

import io
import re
import sqlite3
import uuid
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from tests.e2e.phone import camera_jpeg, confirm_dialog, phone_as, report


def test_the_front_desk_gives_a_ticket_to_a_named_engineer_who_takes_it(browser, server, api_as):
    frontdesk = api_as("frontdesk")
    ticket = report(frontdesk, "C幢电梯厅筒灯闪烁", where="C幢电梯厅")
    engineer = api_as("engineer").get("/api/v1/me").json()

    ctx, page = phone_as(browser, server, "frontdesk")
    page.goto(f"/tickets/{ticket['id']}")
    page.get_by_test_id("action-reassign").click()
    form = page.get_by_test_id("step-form")
    form.locator("[data-dept=ENG]").click()
    people = form.get_by_test_id("assignees")
    expect(people).to_contain_text(engineer["display_name"])
    expect(people).to_contain_text("部门内任何人")
    people.locator(f"[data-person='{engineer['id']}']").click()
    form.get_by_test_id("step-note").locator("textarea").fill("筒灯故障，派刘师傅")
    form.get_by_test_id("step-submit").click()
    expect(page.locator(".van-toast")).to_contain_text("派单/改派")
    ctx.close()

    stored = frontdesk.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert stored["assignee"]["id"] == engineer["id"]
    assert stored["events"][-1]["details"]["to_assignee_name"] == engineer["display_name"]

    # The engineer's phone: a message waits (the 我的 tab's badge), and its link opens the ticket.
    ctx, page = phone_as(browser, server, "engineer")
    expect(page.get_by_test_id("tab-me").locator(".van-badge")).to_have_text(re.compile(r"^\d+$"))
    page.get_by_test_id("tab-me").click()
    page.get_by_test_id("inbox-open").click()
    message = page.get_by_test_id("inbox-message").filter(has_text=ticket["number"])
    expect(message).to_have_attribute("data-read", "false")
    expect(message).to_contain_text("派给你的工单")
    message.click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket['id']}$"))
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "new")
    unread = api_as("engineer").get("/api/v1/inbox?unread=true").json()["items"]
    assert ticket["number"] not in " ".join(m["title_zh"] for m in unread)  # read now
    page.goto("/")
    # 我的任务 counts it: the ticket is there, and it is his to accept.
    mine = page.get_by_role("tab", name="我的任务")
    expect(mine.locator(".van-badge")).to_have_text(re.compile(r"^\d+$"))
    mine.click()
    card = page.locator(f"[data-test=ticket-card][data-number='{ticket['number']}']")
    card = card.locator("visible=true").first
    expect(card).to_be_visible()
    card.click()
    page.get_by_test_id("action-accept").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "accepted")
    ctx.close()


def test_an_assistant_given_a_ticket_sees_it_on_the_patrol_home(browser, server, api_as):
    frontdesk, supervisor = api_as("frontdesk"), api_as("supervisor")
    ticket = report(frontdesk, "业主反映C幢3楼走廊有异味", category="environment")
    assistant = api_as("assistant2").get("/api/v1/me").json()
    dispatched = supervisor.post(
        f"/api/v1/tickets/{ticket['id']}/events",
        data={
            "action": "reassign",
            "note": "请楼宇助理跟进",
            "department_id": ticket["department"]["id"],
            "assignee_id": assistant["id"],
        },
    )
    assert dispatched.ok, dispatched.text()

    ctx, page = phone_as(browser, server, "assistant2")
    tasks = page.get_by_test_id("my-tasks")
    expect(tasks).to_contain_text("派给我的工单")
    expect(
        tasks.locator(f"[data-test=ticket-card][data-number='{ticket['number']}']")
    ).to_be_visible()
    # In English too.
    page.evaluate("localStorage.setItem('patrol.locale', 'en')")
    page.reload()
    expect(page.get_by_test_id("my-tasks")).to_contain_text("Tickets given to me")
    ctx.close()


def test_the_day_ledger_lists_what_came_in_and_what_waits_too_long(browser, server, api_as):
    frontdesk = api_as("frontdesk")
    waiting = report(frontdesk, "业主反映D幢单元门关不上", category="house")
    answered = report(frontdesk, "业主反映B幢车库积水")
    assert (
        api_as("engineer")
        .post(f"/api/v1/tickets/{answered['id']}/events", data={"action": "accept"})
        .ok
    )
    # Received two hours ago and still unanswered (straight in the server's database).
    with sqlite3.connect(f"{server.instance_dir}/e2e.db") as conn:
        conn.execute(
            "UPDATE ticket SET created_at = datetime(created_at, '-2 hours') WHERE id = ?",
            (waiting["id"],),
        )

    ctx, page = phone_as(browser, server, "frontdesk")
    page.get_by_test_id("daily-open").click()
    rows = page.get_by_test_id("daily-row")
    late = rows.filter(has_text=waiting["number"])
    expect(late).to_have_attribute("data-late", "true")
    expect(late).to_contain_text("超 1 小时未回复")
    fine = rows.filter(has_text=answered["number"])
    expect(fine).to_have_attribute("data-late", "false")
    expect(fine).to_contain_text("回复（0 分钟）")
    expect(fine).to_contain_text(api_as("engineer").get("/api/v1/me").json()["display_name"])
    expect(page.get_by_test_id("daily-totals")).to_contain_text("超 1 小时未回复")
    # The day's 《客户反映情况记录表》, as the seeds' form, from the same screen.
    with page.expect_download() as got:
        page.get_by_test_id("daily-form").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert "客户反映情况记录表" in book.active["A1"].value
    numbers = [row[1] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert waiting["number"] in numbers and answered["number"] in numbers
    page.emulate_media(media="print")  # printable: the list without the phone's controls
    expect(page.get_by_test_id("daily-print")).to_be_hidden()
    expect(page.get_by_test_id("daily-list")).to_be_visible()
    ctx.close()


def _verified_complaint(api_as, text: str) -> dict:
    """A resident's complaint fixed by the engineer and verified by the front desk."""
    frontdesk, engineer = api_as("frontdesk"), api_as("engineer")
    ticket = report(frontdesk, text)
    photo = engineer.post(
        "/api/v1/photos",
        multipart={
            "file": {
                "name": "a.jpg",
                "mimeType": "image/jpeg",
                "buffer": camera_jpeg(800, 600, 1, scene=50),
            },
            "client_uuid": str(uuid.uuid4()),
        },
    ).json()["id"]
    for body in (
        {"action": "accept"},
        {"action": "resolve", "note": "已更换", "photo_ids": [photo]},
    ):
        assert engineer.post(f"/api/v1/tickets/{ticket['id']}/events", data=body).ok
    verified = frontdesk.post(
        f"/api/v1/tickets/{ticket['id']}/events", data={"action": "verify", "note": "已核实"}
    )
    assert verified.ok, verified.text()
    return ticket


def test_a_call_back_rated_two_sends_the_ticket_back_instead_of_closing_it(browser, server, api_as):
    ticket = _verified_complaint(api_as, "业主投诉C幢楼道灯常亮")
    ctx, page = phone_as(browser, server, "frontdesk")
    page.goto(f"/tickets/{ticket['id']}")
    page.get_by_test_id("action-close").click()
    form = page.get_by_test_id("step-form")
    form.get_by_test_id("callback-rating").locator(".van-rate__item").nth(1).click()  # 2 stars
    expect(form.get_by_test_id("callback-unhappy")).to_contain_text("不会关闭")
    form.locator("textarea").first.fill("电话回访：业主不满意，灯仍常亮")  # the 回访记录
    form.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "reopened")
    stored = api_as("frontdesk").get(f"/api/v1/tickets/{ticket['id']}").json()
    assert stored["callback_rating"] == 2 and stored["closed_at"] is None
    ctx.close()

    # The supervisor's coverage dashboard counts the call-back for the department.
    ctx, page = phone_as(browser, server, "supervisor")
    page.goto("/coverage")
    block = page.get_by_test_id("satisfaction")
    expect(block).to_contain_text("回访满意度")
    # The department that did the work, though the ticket went back to the front desk.
    eng = ticket["department"]
    dept = block.locator(f"[data-test=satisfaction-dept][data-id='{eng['id']}']")
    expect(dept).to_contain_text(eng["name_zh"])
    ctx.close()
