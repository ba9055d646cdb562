"""Labels are checked when scanned, not at submit; a refused record gets a way forward."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    new_assistant,
    screenshot,
    take_photo,
    visits,
    wait_for_service_worker,
)


def _spots(api, kind: str, n: int) -> list[dict]:
    items = api.get("/api/v1/checkpoints", params={"kind": kind, "per_page": 6}).json()["items"]
    return items[-n:]  # the end of the list: other journeys take the first ones


def _phone(browser, server):
    ctx = browser.new_context(base_url=server.base_url, **PHONE)
    ctx.set_default_timeout(20000)
    return ctx, ctx.new_page()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_forged_label_is_refused_as_soon_as_it_opens(browser, server, api_as):
    [spot] = _spots(api_as("supervisor"), "meter_box", 1)
    ctx, page = _phone(browser, server)
    log_in(page, "assistant")
    wait_for_service_worker(page)  # the app opens the label (without it, the server's page does)
    page.goto(f"/c/{spot['code']}?v={spot['label_version']}&s=forged-label")
    expect(page.get_by_test_id("checklist-error")).to_contain_text("签名不正确")
    expect(page.get_by_test_id("submit")).to_have_count(0)
    ctx.close()


def test_offline_an_old_print_the_pack_knows_of_is_refused_at_once(browser, server, api_as):
    [spot] = _spots(api_as("supervisor"), "water_meter", 1)
    old = spot["label_version"]
    assert api_as("admin").post(f"/api/v1/checkpoints/{spot['id']}/reprint").ok
    ctx, page = _phone(browser, server)
    log_in(page, "assistant")  # the pack now knows of the new print
    wait_for_service_worker(page)
    ctx.set_offline(True)
    page.goto(_path(server.label_url(spot["code"], old)))
    expect(page.get_by_test_id("checklist-error")).to_contain_text("已重新打印，旧标签已作废")
    ctx.close()


def test_a_refused_record_is_sent_again_after_a_rescan_with_its_answers(browser, server, api_as):
    supervisor = api_as("supervisor")
    [spot] = _spots(supervisor, "meter_box", 1)
    before = visits(supervisor, spot["id"])
    new_assistant(api_as("admin"), "assistant-rescan", "郑助理")  # this journey's own visits
    ctx, page = _phone(browser, server)
    log_in(page, "assistant-rescan")
    wait_for_service_worker(page)

    # Offline, a label with a bad signature can't be checked: the record is saved.
    ctx.set_offline(True)
    page.goto(f"/c/{spot['code']}?v={spot['label_version']}&s=forged-label")
    expect(page.get_by_test_id("checkpoint-name")).to_be_visible()
    page.get_by_test_id("all-pass").click()
    item = page.get_by_test_id("item").first
    item.get_by_test_id("outcome-fail").click()
    take_photo(page, item.locator(".add-photo"), camera_jpeg(scene=3))
    page.get_by_test_id("submit").click()
    expect(page.locator(".van-dialog")).to_contain_text("联网后会自动发送")
    confirm_dialog(page)

    # Back online the server refuses it; the outbox offers a re-scan, not a hopeless retry.
    ctx.set_offline(False)
    page.goto("/outbox")
    entry = page.get_by_test_id("outbox-entry").filter(has_text=spot["code"])
    expect(entry).to_have_attribute("data-status", "failed", timeout=30000)
    expect(entry.get_by_test_id("outbox-reason")).to_contain_text("签名不正确")
    expect(entry.get_by_test_id("rescan-hint")).to_contain_text("原来的填写内容")
    expect(entry.get_by_test_id("retry")).to_have_count(0)
    screenshot(page, "refused-entry")
    entry.get_by_test_id("rescan").click()
    expect(page).to_have_url(re.compile(r"/scan\?rescan="))

    # A wrong checkpoint changes nothing; the right one sends the same answers.
    page.get_by_test_id("manual").click()
    page.fill("input[name=code]", _spots(supervisor, "mailbox", 1)[0]["code"])
    page.get_by_test_id("manual-submit").click()
    expect(page.get_by_test_id("scan-error")).to_contain_text("这不是这条记录的点位标签")
    page.fill("input[name=code]", spot["code"])
    page.get_by_test_id("manual-submit").click()
    expect(page).to_have_url(re.compile(r"/outbox"))
    expect(page.get_by_test_id("outbox-entry").filter(has_text=spot["code"])).to_have_count(
        0, timeout=30000
    )
    assert visits(supervisor, spot["id"]) == before + 1
    rows = supervisor.get(
        "/api/v1/inspections", params={"checkpoint_id": spot["id"], "per_page": 100}
    ).json()["items"]
    latest = max(rows, key=lambda r: r["id"])
    assert latest["failed_count"] == 1
    ctx.close()


def test_the_rescan_hint_in_english(browser, server, api_as):
    supervisor = api_as("supervisor")
    [spot] = _spots(supervisor, "water_meter", 2)[:1]
    ctx, page = _phone(browser, server)
    log_in(page, "inspector")
    wait_for_service_worker(page)
    page.goto("/me")
    page.get_by_test_id("language").click()
    ctx.set_offline(True)
    page.goto(f"/c/{spot['code']}?v={spot['label_version']}&s=forged-label")
    page.get_by_test_id("all-pass").click()
    page.get_by_test_id("submit").click()
    confirm_dialog(page)
    ctx.set_offline(False)
    page.goto("/outbox")
    entry = page.get_by_test_id("outbox-entry").filter(has_text=spot["code"])
    expect(entry.get_by_test_id("rescan")).to_have_text("Scan the label again", timeout=30000)
    expect(entry.get_by_test_id("rescan-hint")).to_contain_text("sent again with its answers")
    ctx.close()
