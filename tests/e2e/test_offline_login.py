"""A phone logged out in a stairwell: the records wait, its person logs in again offline."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.phone import (
    PASSWORD,
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    new_assistant,
    screenshot,
    submit_failed_visit,
    visits,
    wait_for_service_worker,
)


def _mine(api, checkpoint_id: int, user_id: int) -> int:
    resp = api.get(
        "/api/v1/inspections", params={"checkpoint_id": checkpoint_id, "user_id": user_id}
    )
    assert resp.ok, resp.text()
    return resp.json()["total"]


def _offline_login(page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_logout_offline_then_log_in_offline_and_send_under_the_same_person(browser, server, api_as):
    supervisor = api_as("supervisor")
    # A person of this journey alone: other journeys' visits don't change what it counts.
    new_assistant(api_as("admin"), "assistant-relog", "吴助理")
    me = api_as("assistant-relog").get("/api/v1/me").json()
    first, second = supervisor.get(
        "/api/v1/checkpoints", params={"kind": "mailbox", "per_page": 4}
    ).json()["items"][2:4]
    before = {cp["id"]: _mine(supervisor, cp["id"], me["id"]) for cp in (first, second)}
    everyone = {cp["id"]: visits(supervisor, cp["id"]) for cp in (first, second)}
    photo = camera_jpeg(scene=2)
    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(20000)
    page = phone.new_page()
    log_in(page, "assistant-relog")
    wait_for_service_worker(page)

    # --- offline: one record saved, then a logout, which warns and keeps everything ---
    phone.set_offline(True)
    expect(submit_failed_visit(page, first["code"], photo)).to_contain_text("联网后会自动发送")
    confirm_dialog(page)
    page.goto("/me")
    page.get_by_test_id("logout").click()
    dialog = page.locator(".van-dialog")
    expect(dialog).to_contain_text("还有 1 条记录未发送")
    expect(dialog).to_contain_text(f"{me['display_name']} 再次登录")
    confirm_dialog(page)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_test_id("login-pending")).to_contain_text(
        f"本机有 1 条记录等待发送：{me['display_name']} 1 条"
    )
    expect(page.get_by_test_id("login-offline-hint")).to_contain_text(me["display_name"])
    logo = page.locator("img").first  # the app's own logo, from the phone's cache
    expect(logo).to_have_js_property("complete", True)
    assert logo.evaluate("img => img.naturalWidth") > 0, "the logo is broken offline"
    screenshot(page, "offline-login")

    # --- no one else gets in offline; a wrong password does not either ---
    _offline_login(page, "supervisor", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("只有在本机联网登录过的账号才能离线登录")
    _offline_login(page, "assistant-relog", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("离线登录：用户名或密码错误")

    # --- the same person, offline: patrols on, nothing is sent before the server checks ---
    _offline_login(page, "assistant-relog", PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.get_by_test_id("unverified-banner")).to_contain_text("联网并核对账号后才会发送记录")
    expect(submit_failed_visit(page, second["code"], photo)).to_contain_text("联网后会自动发送")
    confirm_dialog(page)
    expect(page.get_by_test_id("waiting-count")).to_contain_text("2 条记录等待发送")

    # --- back online: the server checks the login, then both go under this person ---
    phone.set_offline(False)
    expect(page.get_by_test_id("all-sent")).to_have_text("全部已发送", timeout=60000)
    expect(page.get_by_test_id("unverified-banner")).to_have_count(0)
    for cp in (first, second):
        assert _mine(supervisor, cp["id"], me["id"]) == before[cp["id"]] + 1, cp["code"]
        assert visits(supervisor, cp["id"]) == everyone[cp["id"]] + 1, cp["code"]  # once
    phone.close()


def test_the_login_screen_says_whose_records_wait_in_english(browser, server):
    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(20000)
    page = phone.new_page()
    log_in(page, "inspector")
    wait_for_service_worker(page)
    page.goto("/me")
    page.get_by_test_id("language").click()
    phone.set_offline(True)
    page.get_by_test_id("logout").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("login-offline-hint")).to_contain_text(
        "people who logged in on this phone before can log in offline"
    )
    _offline_login(page, "inspector", "wrong-one")
    expect(page.get_by_role("alert")).to_have_text("Offline login: wrong username or password")
    phone.close()
