"""Renovation on phones: an approved permit puts a unit on the inspector's list; a failed
debris check raises a renovation notice that the unit page shows with the deposit."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    log_in,
    screenshot,
    show_label,
    take_photo,
)

DEBRIS = 4  # 装修垃圾袋装并在指定地点堆放，未占用公共区域 in the renovation checklist
DEPOSIT_CENTS = 500000  # 5000.00 yuan


def _apply(frontdesk) -> tuple[dict, dict]:
    """Apply for a permit (front desk) on the first handed-over unit that can take one."""
    units = frontdesk.get("/api/v1/units", params={"status": "handed_over", "per_page": 50})
    assert units.ok, units.text()
    for unit in units.json()["items"]:
        resp = frontdesk.post(
            "/api/v1/permits",
            data={
                "unit_id": unit["id"],
                "owner_name": "钱业主",
                "contractor": "安居装饰工程有限公司",
                "planned_start": "2025-01-01",
                "planned_end": "2030-12-31",
                "scope": "厨卫改造、墙面翻新",
                "deposit_cents": DEPOSIT_CENTS,
            },
        )
        if resp.status == 201:
            break
    else:
        raise AssertionError("no handed-over unit could take a permit")
    return unit, resp.json()


def _approved_permit(api_as) -> tuple[dict, dict]:
    """Apply for a permit on a handed-over unit (front desk) and approve it (supervisor)."""
    supervisor = api_as("supervisor")
    unit, permit = _apply(api_as("frontdesk"))
    resp = supervisor.post(f"/api/v1/permits/{permit['id']}/steps", data={"action": "approve"})
    assert resp.ok, resp.text()
    assert resp.json()["status"] == "approved"
    checkpoints = supervisor.get(
        "/api/v1/checkpoints", params={"kind": "renovation_unit", "per_page": 500}
    ).json()["items"]
    [checkpoint] = [c for c in checkpoints if c.get("unit_id") == unit["id"]]
    return unit, checkpoint


def _renovation_tickets(api, unit_id: int) -> list[dict]:
    resp = api.get("/api/v1/tickets", params={"kind": "renovation", "per_page": 100})
    assert resp.ok, resp.text()
    return [t for t in resp.json()["items"] if t["unit_id"] == unit_id]


def test_inspector_fails_debris_and_the_unit_page_shows_the_notice(
    browser, server, camera_file, api_as
):
    unit, checkpoint = _approved_permit(api_as)
    supervisor = api_as("supervisor")

    inspector = browser.new_context(base_url=server.base_url, **PHONE)
    page = inspector.new_page()
    log_in(page, "inspector")
    row = page.locator(f"[data-test=reno-unit][data-unit='{unit['id']}']")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("reno-unchecked")).to_be_visible()
    expect(row).to_contain_text(checkpoint["code"])
    screenshot(page, "inspector")

    show_label(camera_file, server.label_url(checkpoint["code"], checkpoint["label_version"]))
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("checkpoint-name")).to_have_text(
        checkpoint["name_zh"], timeout=20000
    )
    expect(page.get_by_test_id("unit-link")).to_be_visible()
    page.get_by_test_id("all-pass").click()
    item = page.get_by_test_id("item").nth(DEBRIS)
    expect(item).to_contain_text("装修垃圾")
    item.get_by_test_id("outcome-fail").click()
    take_photo(page, item.locator(".add-photo"), camera_jpeg(orientation=1))
    expect(item.locator(".thumb img")).to_have_count(1)
    page.get_by_test_id("submit").click()

    deadline = time.monotonic() + 20
    tickets = _renovation_tickets(supervisor, unit["id"])
    while not tickets and time.monotonic() < deadline:
        time.sleep(0.3)
        tickets = _renovation_tickets(supervisor, unit["id"])
    assert len(tickets) == 1, tickets
    ticket = tickets[0]
    assert ticket["kind"] == "renovation"
    assert ticket["checkpoint_id"] == checkpoint["id"]

    page.goto("/")
    row = page.locator(f"[data-test=reno-unit][data-unit='{unit['id']}']")
    expect(row.get_by_test_id("reno-checked")).to_be_visible()
    row.click()
    expect(page.get_by_test_id("unit-view")).to_be_visible()
    expect(page.get_by_test_id("unit-number")).to_contain_text(unit["number"])
    expect(page.get_by_test_id("unit-status")).to_contain_text("装修中")
    notice = page.locator(f"[data-test=unit-notice][data-number='{ticket['number']}']")
    expect(notice).to_be_visible()
    href = notice.get_by_test_id("notice-pdf").get_attribute("href")
    assert href == f"/api/v1/tickets/{ticket['id']}/notice.pdf"
    pdf = page.request.get(href)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    expect(page.get_by_test_id("unit-deposit")).to_contain_text("5000.00")
    expect(page.get_by_test_id("unit-permit")).to_contain_text("安居装饰工程有限公司")
    inspector.close()

    # --- the supervisor's 装修 tab lists the open notice ---
    boss = browser.new_context(base_url=server.base_url, **PHONE)
    page = boss.new_page()
    log_in(page, "supervisor")
    page.get_by_role("tab", name="装修").click()
    board = page.get_by_test_id("reno-board")
    expect(
        board.locator(f"[data-test=ticket-card][data-number='{ticket['number']}']")
    ).to_be_visible()
    # today's renovation coverage: the inspected unit is checked, the demo's others are not yet
    renovating = supervisor.get(
        "/api/v1/units", params={"status": "renovating", "per_page": 100}
    ).json()["items"]
    assert len(renovating) > 1
    expect(board.get_by_test_id("reno-coverage")).to_have_text(f"已查 1/{len(renovating)} 户")
    unchecked = board.get_by_test_id("reno-unchecked-unit")
    expect(unchecked).to_have_count(len(renovating) - 1)
    expect(
        board.locator(f"[data-test=reno-unchecked-unit][data-unit='{unit['id']}']")
    ).to_have_count(0)

    # --- and decides permits awaiting approval: one approved, one rejected with a reason ---
    frontdesk = api_as("frontdesk")
    _, first = _apply(frontdesk)
    _, second = _apply(frontdesk)
    page.reload()
    page.get_by_role("tab", name="装修").click()
    card = board.locator(f"[data-test=permit-card][data-number='{first['number']}']")
    card.get_by_test_id("permit-approve").click()
    page.locator(".van-dialog__confirm").click()
    expect(card).to_have_count(0)
    card = board.locator(f"[data-test=permit-card][data-number='{second['number']}']")
    card.get_by_test_id("permit-reject").click()
    page.get_by_test_id("reject-note").locator("textarea").fill("图纸不全")
    page.locator(".van-dialog__confirm").locator("visible=true").click()
    expect(card).to_have_count(0)
    boss.close()
    assert supervisor.get(f"/api/v1/permits/{first['id']}").json()["status"] == "approved"
    rejected = supervisor.get(f"/api/v1/permits/{second['id']}").json()
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "图纸不全"
