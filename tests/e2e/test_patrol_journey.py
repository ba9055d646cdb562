"""The patrol loop on phones: scan, fail an item, submit offline, sync once, fix, verify."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    screenshot,
    show_label,
    take_photo,
    wait_for_service_worker,
)

CODE = "EDMNRB"  # A幢 5F 楼梯间 in the demo property
LIGHTS = 1  # its second item, 走廊灯、声控灯正常照明 (equipment → 工程部)


def test_offline_patrol_syncs_once_and_the_ticket_is_fixed_and_verified(
    browser, server, camera_file, api_as
):
    supervisor_api = api_as("supervisor")
    checkpoint = supervisor_api.get(f"/api/v1/checkpoints/by-code/{CODE}").json()
    # 12 MP, sideways pixels + EXIF orientation 6, as phones write them; a scene of its own
    photo = camera_jpeg(scene=1)

    # --- the assistant: scan, fill, photograph the failure, submit with no network ---
    assistant = browser.new_context(base_url=server.base_url, **PHONE)
    page = assistant.new_page()
    log_in(page, "assistant", shot=True)
    expect(page.get_by_test_id("progress")).to_contain_text("/126")
    wait_for_service_worker(page)
    screenshot(page, "home")

    show_label(camera_file, server.label_url(CODE))
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间", timeout=20000)
    assert "/checkpoint/EDMNRB" in page.url
    lookup_ms = page.evaluate(
        "performance.getEntriesByName('patrol:lookup').map(e => e.duration)[0]"
    )
    assert lookup_ms < 300, f"code → checkpoint + checklist took {lookup_ms:.0f} ms"

    page.get_by_test_id("all-pass").click()
    item = page.get_by_test_id("item").nth(LIGHTS)
    item.get_by_test_id("outcome-fail").click()
    page.get_by_test_id("submit").click()
    # A failed item without its required photo is refused and highlighted.
    expect(item).to_have_class(re.compile("invalid"))
    expect(item).to_contain_text("不合格项须拍照")
    take_photo(page, item.locator(".add-photo"), photo)
    expect(item.locator(".thumb img")).to_have_count(1)
    expect(item).not_to_have_class(re.compile("invalid"))
    item.get_by_test_id("note").locator("textarea").fill("5楼声控灯不亮")
    item.scroll_into_view_if_needed()
    screenshot(page, "checklist")

    assistant.set_offline(True)
    page.get_by_test_id("submit").click()
    expect(page.locator(".van-dialog")).to_contain_text("联网后会自动发送")
    confirm_dialog(page)
    expect(page.get_by_test_id("offline-banner")).to_be_visible()

    # --- reload with no network: the service worker serves the app, IndexedDB keeps the outbox ---
    page.goto("/outbox")  # a navigation while offline, answered by the service worker
    response = page.reload()
    assert response is not None and response.from_service_worker
    entry = page.get_by_test_id("outbox-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("A幢 5F 楼梯间")
    expect(entry.locator(".thumb img")).to_have_count(1)
    screenshot(page, "outbox")
    assert _count(supervisor_api, "inspections", checkpoint["id"]) == 0

    # --- back online: sent exactly once, and the failure raised one ticket ---
    assistant.set_offline(False)
    expect(page.get_by_test_id("outbox-entry")).to_have_count(0, timeout=20000)
    sent = page.get_by_test_id("sent-entry")
    expect(sent).to_have_count(1)
    ticket_number = sent.locator("a").inner_text()
    page.reload()  # an app start flushes again: nothing is left to send twice
    page.wait_for_timeout(500)
    assert _count(supervisor_api, "inspections", checkpoint["id"]) == 1
    # Proof of presence: the signed label scanned, the phone's clock, app version and device id.
    stored = supervisor_api.get(
        "/api/v1/inspections", params={"checkpoint_id": checkpoint["id"]}
    ).json()["items"][0]["presence"]
    assert stored["label_scanned"] is True and stored["label_version"] == 1
    assert stored["device_id"] and stored["app_version"] and stored["clock_offset_s"] is not None
    assert stored["photos_fresh"] is True and stored["status"] == "ok", stored["reasons"]
    expect(sent).to_contain_text(f"到场可信度 {stored['score']}/100")
    expect(sent).to_contain_text("A幢 5F 楼梯间")  # the checkpoint by name, not only its code
    tickets = supervisor_api.get(
        "/api/v1/tickets", params={"checkpoint_id": checkpoint["id"]}
    ).json()
    assert tickets["total"] == 1
    ticket = tickets["items"][0]
    assert ticket["number"] == ticket_number
    assert ticket["department"]["name_zh"] == "工程部"
    _assert_photo_was_shrunk(supervisor_api, checkpoint["id"])
    assistant.close()

    # --- the engineer finds it in the department queue and fixes it with an after-photo ---
    engineer = browser.new_context(base_url=server.base_url, **PHONE)
    page = engineer.new_page()
    log_in(page, "engineer")
    card = _card(page, ticket_number)
    expect(card).to_be_visible()
    card.click()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "new")
    expect(page.get_by_test_id("before-after").locator("img")).to_have_count(1)
    page.get_by_test_id("action-accept").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "accepted")
    page.get_by_test_id("action-start").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "in_progress")
    page.get_by_test_id("action-resolve").click()
    form = page.get_by_test_id("step-form")
    form.get_by_test_id("step-note").locator("textarea").fill("已更换声控灯")
    take_photo(page, form.locator(".add-photo"), camera_jpeg(orientation=1), "after.jpg")
    expect(form.locator(".thumb img")).to_have_count(1)
    form.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "resolved")
    engineer.close()

    # --- the supervisor verifies by scanning the same label again, before/after side by side ---
    boss = browser.new_context(base_url=server.base_url, **PHONE)
    page = boss.new_page()
    log_in(page, "supervisor")
    page.get_by_role("tab", name="待验证").click()
    _card(page, ticket_number).click()
    page.get_by_test_id("action-verify").click()
    expect(page.get_by_test_id("scan-view")).to_be_visible()
    form = page.get_by_test_id("step-form")
    expect(form.get_by_test_id("scanned-code")).to_contain_text(CODE, timeout=20000)
    expect(form.locator(".compare img")).to_have_count(2)  # before | after (by staff)
    take_photo(page, form.locator(".add-photo"), camera_jpeg(orientation=1), "verify.jpg")
    expect(form.locator(".photos .thumb img")).to_have_count(1)
    form.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "verified")
    expect(page.locator(".van-toast")).to_be_hidden()
    screenshot(page, "ticket")
    boss.close()

    final = supervisor_api.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert [e["action"] for e in final["events"]][-4:] == ["accept", "start", "resolve", "verify"]
    assert final["events"][-1]["details"]["checkpoint_code"] == CODE
    assert len(final["after_photos"]) == 2


def _card(page: Page, number: str):
    """The visible ticket card with this number (tabs keep other lists in the page)."""
    cards = page.locator(f"[data-test=ticket-card][data-number='{number}']")
    return cards.locator("visible=true").first


def _count(api, what: str, checkpoint_id: int) -> int:
    resp = api.get(f"/api/v1/{what}", params={"checkpoint_id": checkpoint_id})
    assert resp.ok, resp.text()
    return resp.json()["total"]


def _assert_photo_was_shrunk(api, checkpoint_id: int) -> None:
    """The 12 MP photo reached the server upright, ≤ 1600 px and a few hundred KB."""
    [row] = api.get("/api/v1/inspections", params={"checkpoint_id": checkpoint_id}).json()["items"]
    inspection = api.get(f"/api/v1/inspections/{row['id']}").json()
    photos = [p for r in inspection["results"] for p in r["photos"]]
    assert len(photos) == 1
    p = photos[0]
    assert max(p["width"], p["height"]) <= 1600
    assert p["height"] > p["width"]  # EXIF orientation 6 turned the 4000×3000 frame upright
    assert p["original_bytes"] < 600 * 1024
