"""Sending a backlog: the phone counts down entry by entry, says what it sends, then "all sent"."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    screenshot,
    submit_failed_visit,
    visits,
    wait_for_service_worker,
)

# Record every value the outbox tab's badge and the waiting banner show, as the page renders
# them (a function, not an expression: the CSP refuses eval).
WATCH = """() => {
  window.__seen = []
  const read = () => {
    const tab = document.querySelectorAll('.van-tabbar-item')[2]
    const badge = tab?.querySelector('.van-badge')?.textContent.trim() || ''
    const banner = document.querySelector('[data-test=waiting-banner]')?.dataset.count || ''
    const current = document.querySelector('[data-test=sync-current]')?.textContent.trim() || ''
    const last = window.__seen.at(-1)
    if (!last || last.badge !== badge || last.banner !== banner || last.current !== current) {
      window.__seen.push({ badge, banner, current })
    }
  }
  read()
  new MutationObserver(read).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  })
}"""


def _fill_offline(page: Page, code: str, photo: bytes, saved: str = "联网后会自动发送") -> None:
    """Open a checkpoint with no network, fail its first item with a photo, save it."""
    expect(submit_failed_visit(page, code, photo)).to_contain_text(saved)
    confirm_dialog(page)


def _slow_photos(route) -> None:
    time.sleep(0.3)  # a slow mobile uplink; the server stays real
    route.continue_()


def _distinct(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if not out or out[-1] != v:
            out.append(v)
    return out


def test_a_backlog_counts_down_says_what_it_sends_and_ends_all_sent(browser, server, api_as):
    supervisor = api_as("supervisor")
    checkpoints = supervisor.get(
        "/api/v1/checkpoints", params={"kind": "car_park", "per_page": 10}
    ).json()["items"]
    assert len(checkpoints) >= 5
    queued, later = checkpoints[:4], checkpoints[4]
    before = {cp["id"]: visits(supervisor, cp["id"]) for cp in checkpoints[:5]}  # other journeys
    photo = camera_jpeg()
    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(20000)
    page = phone.new_page()
    log_in(page, "assistant")
    wait_for_service_worker(page)

    # --- four inspections with a photo each, saved with no network ---
    phone.set_offline(True)
    for cp in queued:
        _fill_offline(page, cp["code"], photo)
    expect(page.get_by_test_id("waiting-count")).to_contain_text("4 条记录等待发送（照片")
    tab = page.locator(".van-tabbar-item").nth(2)
    expect(tab.locator(".van-badge")).to_have_text("4")

    # --- back online, photos slowed down: the count goes down one by one ---
    phone.route("**/api/v1/photos", _slow_photos)
    page.evaluate(WATCH)
    phone.set_offline(False)
    current = page.get_by_test_id("sync-current")
    expect(current).to_contain_text("正在发送：")
    expect(current).to_contain_text(re.compile(r"照片 1/1（\d+ KB）|巡查记录"))
    screenshot(page, "sync-progress")
    all_sent = page.get_by_test_id("all-sent")
    expect(all_sent).to_have_text("全部已发送", timeout=60000)
    expect(tab.locator(".van-badge")).to_have_count(0)
    expect(page.get_by_test_id("waiting-banner")).to_have_count(0)

    seen = page.evaluate("() => window.__seen")
    assert _distinct([s["badge"] for s in seen]) == ["4", "3", "2", "1", ""], seen
    assert _distinct([s["banner"] for s in seen]) == ["4", "3", "2", "1", ""], seen
    names = {cp["name_zh"] for cp in queued}
    shown = {n for s in seen for n in names if n in s["current"]}
    assert shown == names, seen  # each entry named while it was on its way
    expect(all_sent).to_be_hidden(timeout=10000)  # "all sent" is a moment, not a state

    # --- today's sent list: names and the presence score, labelled ---
    page.goto("/outbox")
    sent = page.get_by_test_id("sent-entry")
    expect(sent).to_have_count(4)
    for cp in queued:
        row = sent.filter(has_text=cp["name_zh"])
        expect(row).to_have_count(1)
        expect(row).to_contain_text(cp["code"])
        expect(row).to_contain_text(re.compile(r"到场可信度 \d+/100"))
    expect(sent.first).not_to_contain_text(re.compile(r"· \d+ 分"))

    # --- in English: one more, sent while the phone watches ---
    page.goto("/me")
    page.get_by_test_id("language").click()
    phone.set_offline(True)
    _fill_offline(page, later["code"], photo, saved="sent when the network is back")
    expect(page.get_by_test_id("waiting-count")).to_contain_text("1 waiting to be sent (")
    phone.set_offline(False)
    expect(page.get_by_test_id("sync-current")).to_contain_text(f"Sending {later['name_en']}")
    expect(page.get_by_test_id("all-sent")).to_have_text("All sent", timeout=30000)
    page.goto("/outbox")
    row = page.get_by_test_id("sent-entry").filter(has_text=later["name_en"])
    expect(row).to_contain_text(re.compile(r"Presence \d+/100"))
    expect(page.get_by_test_id("sent-entry")).to_have_count(5)
    phone.close()

    for cp in checkpoints[:5]:
        assert visits(supervisor, cp["id"]) == before[cp["id"]] + 1, cp["code"]  # sent once


def _open_slots(api, code: str) -> list[dict]:
    now = datetime.now(UTC)
    return [
        s
        for s in api.get("/api/v1/slots/mine").json()["items"]
        if s["checkpoint"]["code"] == code
        and s["status"] == "pending"
        and datetime.fromisoformat(s["window_start"]) <= now <= datetime.fromisoformat(s["due_at"])
    ]


def test_the_plan_counts_what_waits_on_the_phone_and_each_counter_says_whose(
    browser, server, api_as
):
    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(20000)
    page = phone.new_page()
    log_in(page, "assistant")
    wait_for_service_worker(page)
    expect(page.get_by_test_id("progress-label")).to_have_text("我")
    expect(page.get_by_test_id("plan-totals")).to_contain_text("全组今日")
    # A window with more than one checkpoint left, so it stays on screen after one is done.
    windows = page.get_by_test_id("due-window")
    expect(windows.first).to_be_visible()
    key = next(
        w.get_attribute("data-key")
        for w in windows.all()
        if int(w.get_attribute("data-todo") or 0) > 1
    )
    window = page.locator(f"[data-test=due-window][data-key='{key}']")
    before = window.get_by_test_id("window-count").inner_text()
    done, total = (int(n) for n in before.split("/"))
    window.click()
    code = window.get_by_test_id("due-slot").first.get_attribute("data-code")

    phone.set_offline(True)
    _fill_offline(page, code, camera_jpeg())
    page.goto("/")
    expect(window.get_by_test_id("window-count")).to_have_text(f"{done + 1}/{total}")
    expect(window.get_by_test_id("window-pending")).to_have_text("1 待发送")
    # The visit counts for every slot of this checkpoint open now (plans may overlap).
    open_slots = len(_open_slots(api_as("assistant"), code))
    assert open_slots >= 1
    expect(page.get_by_test_id("plan-totals")).to_contain_text(f"（含本机待发送 {open_slots}）")

    phone.set_offline(False)
    expect(page.get_by_test_id("window-pending")).to_have_count(0, timeout=30000)
    expect(page.get_by_test_id("plan-totals")).not_to_contain_text("待发送")
    phone.close()
