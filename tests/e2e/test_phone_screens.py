"""Other phone paths: camera refused, bad codes, rejected photos, offline shell, English, intake."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.phone import (
    PASSWORD,
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    screenshot,
    show_label,
    take_photo,
    visits,
    wait_for_service_worker,
)


def manual_code(page: Page, code: str) -> None:
    """Type a code into the scanner's manual entry and open it."""
    entry = page.get_by_test_id("manual-entry")
    entry.locator("input[name=code]").fill(code)
    entry.get_by_test_id("manual-submit").click()


def stairwell(api, n: int) -> str:
    """The code of the n-th stairwell of the demo property."""
    items = api.get("/api/v1/checkpoints", params={"kind": "stairwell", "per_page": 100}).json()
    codes = [c["code"] for c in items["items"] if c["code"] != "EDMNRB"]
    return codes[n]


def test_camera_refused_gives_manual_entry_and_clear_messages_for_bad_codes(
    refusing_browser, server, api_as
):
    admin = api_as("admin")
    # A label of a property the assistant is not granted ...
    prop = admin.post("/api/v1/properties", data={"code": "XY", "name": "星苑"}).json()
    zone = admin.post(
        "/api/v1/zones", data={"property_id": prop["id"], "kind": "building", "name_zh": "1幢"}
    ).json()
    foreign = admin.post(
        "/api/v1/checkpoints",
        data={"zone_id": zone["id"], "kind": "stairwell", "name_zh": "楼梯间"},
    ).json()["code"]
    # ... and a label that was replaced by a new one.
    old = admin.get("/api/v1/checkpoints", params={"kind": "mailbox", "per_page": 1}).json()
    retired = old["items"][0]["code"]
    assert admin.post(f"/api/v1/checkpoints/{old['items'][0]['id']}/reissue-code").ok

    context = refusing_browser.new_context(base_url=server.base_url, **PHONE)
    page = context.new_page()
    log_in(page, "assistant")
    page.get_by_role("tab", name="扫码").click()
    manual = page.get_by_test_id("manual-entry")
    expect(manual).to_contain_text("未获得相机权限")

    for code, message in (
        ("ZZZZZZ", "找不到该点位编码"),
        (foreign, "找不到该点位编码"),
        (retired, "此二维码标签已作废"),
    ):
        manual_code(page, code)
        expect(page.get_by_test_id("scan-error")).to_contain_text(message)
    manual_code(page, "not a code!")
    expect(page.get_by_test_id("scan-error")).to_contain_text("编码格式不对")

    manual_code(page, "https://patrol.example.com/c/edmnrb")  # a label's URL, typed or pasted
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间")
    context.close()


def test_scanner_screen(browser, server, camera_file):
    """The scanner films the label; the library decoder reads it (Linux Chromium has none)."""
    context = browser.new_context(base_url=server.base_url, service_workers="block", **PHONE)
    page = context.new_page()
    log_in(page, "assistant2")
    held = []
    # Hold the decoder back for a moment: a still picture of the scanner filming the label.
    page.route(re.compile(r"qr-scanner-worker"), lambda route: held.append(route))
    show_label(camera_file, server.label_url("EDMNRB"), caption="A幢 5F 楼梯间 EDMNRB", size=220)
    page.get_by_role("tab", name="扫码").click()
    expect(page.get_by_text("将二维码放入框内")).to_be_visible()
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    page.wait_for_timeout(300)
    screenshot(page, "scan")
    for route in held:
        route.continue_()
    page.unroute(re.compile(r"qr-scanner-worker"))
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间", timeout=20000)
    context.close()


def test_photo_the_server_rejects_shows_in_the_outbox_with_its_reason(phone, api_as):
    code = stairwell(api_as("supervisor"), 3)
    page = phone.new_page()
    log_in(page, "assistant2")
    page.goto(f"/c/{code}")  # what the phone's own camera app opens from a label
    expect(page.get_by_test_id("checklist-view").get_by_test_id("item").first).to_be_visible()
    page.get_by_test_id("all-pass").click()
    item = page.get_by_test_id("item").first
    item.get_by_test_id("outcome-fail").click()
    # Not a picture at all: the phone cannot shrink it, so it is sent as it is; the server says no.
    with page.expect_file_chooser() as chooser:
        item.locator(".add-photo").click()
    chooser.value.set_files(
        {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8broken" * 200}
    )
    expect(item.locator(".thumb")).to_have_count(1)
    page.get_by_test_id("submit").click()
    expect(page.locator(".van-dialog")).to_contain_text("照片未被服务器接受")
    confirm_dialog(page)

    expect(page).to_have_url(re.compile(r"/outbox"))
    entry = page.get_by_test_id("outbox-entry")
    expect(entry).to_have_attribute("data-status", "failed")
    expect(entry.get_by_test_id("outbox-reason")).to_contain_text("文件不是完整的照片")
    entry.get_by_test_id("retry").click()  # the same refusal again: still failed, still there
    expect(entry).to_have_attribute("data-status", "failed")
    entry.get_by_test_id("discard").click()
    confirm_dialog(page)
    expect(page.get_by_test_id("outbox-entry")).to_have_count(0)


def test_app_shell_and_patrol_work_offline_after_the_first_visit(browser, server):
    small = {**PHONE, "viewport": {"width": 360, "height": 740}}  # the narrowest phones we serve
    context = browser.new_context(base_url=server.base_url, **small)
    page = context.new_page()
    page.goto("/login")
    wait_for_service_worker(page)
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("button[type=submit]")).to_be_visible()
    context.set_offline(False)

    log_in(page, "assistant2")
    expect(page.get_by_test_id("progress")).to_contain_text("/126")
    context.set_offline(True)
    # A label opened with no network at all: app, checkpoint and checklist come from the phone.
    response = page.goto("/c/EDMNRB")
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间")
    for where in ("/c/EDMNRB", "/", "/outbox"):
        page.goto(where)
        page.wait_for_timeout(200)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{where} is wider than a 360 px phone"
    context.close()


def test_english_switch(phone):
    page = phone.new_page()
    page.goto("/login")
    page.get_by_test_id("language").click()
    expect(page.locator("button[type=submit]")).to_have_text("Log in")
    log_in(page, "assistant2")
    page.goto("/c/EDMNRB")
    expect(page.get_by_test_id("item").nth(1)).to_contain_text(
        "Corridor and sound-activated lights work"
    )
    expect(page.get_by_test_id("submit")).to_have_text("Submit")


def test_front_desk_takes_a_report_and_dispatches_it(phone, api_as):
    page = phone.new_page()
    log_in(page, "frontdesk")
    page.get_by_test_id("new-ticket").click()
    page.locator("[data-category=service]").click()
    page.locator("textarea[name=description]").fill("业主反映B幢电梯厅灯不亮")
    page.get_by_test_id("create-ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择区域或填写具体位置")
    page.get_by_label("具体位置").fill("B幢2单元电梯厅")
    page.get_by_label("电话").fill("13812345678")
    take_photo(page, page.locator(".add-photo"), camera_jpeg(1600, 1200, 1), "report.jpg")
    expect(page.locator(".thumb img")).to_have_count(1)
    page.get_by_test_id("create-ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_attribute("data-status", "new")
    ticket_id = int(page.url.rstrip("/").split("/")[-1])

    page.get_by_test_id("action-reassign").click()
    form = page.get_by_test_id("step-form")
    form.locator("[data-dept=ENG]").click()
    form.get_by_test_id("step-note").locator("textarea").fill("灯具问题，转工程部")
    form.get_by_test_id("step-submit").click()
    expect(page.locator(".van-toast")).to_contain_text("派单/改派")
    ticket = api_as("supervisor").get(f"/api/v1/tickets/{ticket_id}").json()
    assert ticket["department"]["code"] == "ENG"
    assert ticket["source"] == "phone" and ticket["kind"] == "complaint"
    assert len(ticket["before_photos"]) == 1
    page.goto("/")
    expect(page.get_by_test_id("ticket-list").first).to_be_visible()


def test_logout_with_unsent_inspections_warns_and_keeps_them(phone, api_as):
    supervisor = api_as("supervisor")
    code = stairwell(supervisor, 5)
    spot = supervisor.get(f"/api/v1/checkpoints/by-code/{code}").json()
    before = visits(supervisor, spot["id"])  # other journeys (and the demo's history) count too
    page = phone.new_page()
    log_in(page, "assistant2")
    wait_for_service_worker(page)  # offline, the lazy 我的 screen comes from its cache
    page.goto(f"/c/{code}")
    page.get_by_test_id("all-pass").click()
    phone.set_offline(True)
    page.get_by_test_id("submit").click()
    confirm_dialog(page)
    page.get_by_role("tab", name="我的").click()
    page.get_by_test_id("logout").click()
    expect(page.locator(".van-dialog")).to_contain_text("1 条记录未发送")
    confirm_dialog(page)
    expect(page).to_have_url(re.compile(r"/login"))

    phone.set_offline(False)
    log_in(page, "assistant2")
    page.get_by_role("tab", name="待发送").click()
    # Kept through the logout, and sent now that its user is back and online.
    expect(page.get_by_test_id("sent-entry").filter(has_text=code)).to_have_count(1)
    expect(page.get_by_test_id("outbox-entry")).to_have_count(0)
    assert visits(supervisor, spot["id"]) == before + 1  # sent once


def test_a_reading_outside_its_range_can_only_fail(phone, api_as):
    found = api_as("supervisor").get(
        "/api/v1/checkpoints", params={"kind": "fire_equipment", "per_page": 1}
    )
    code = found.json()["items"][0]["code"]
    page = phone.new_page()
    log_in(page, "assistant2")
    page.goto(f"/c/{code}")
    gauge = page.get_by_test_id("item").first  # extinguisher pressure, 1.0–1.4 MPa
    expect(gauge).to_contain_text("1–1.4 MPa")
    reading = gauge.get_by_test_id("value").locator("input")
    reading.fill("1.2")
    expect(gauge).to_have_attribute("data-outcome", "pass")
    reading.fill("0.8")
    expect(gauge).to_have_attribute("data-outcome", "fail")
    gauge.get_by_test_id("outcome-pass").click()
    expect(page.locator(".van-toast")).to_contain_text("只能判为不合格")
    expect(gauge).to_have_attribute("data-outcome", "fail")
    expect(gauge.locator(".add-photo")).to_be_visible()  # a failed reading asks for its photo


def test_own_password_change_on_the_phone(phone, playwright_instance, server):
    page = phone.new_page()
    log_in(page, "guard")
    page.goto("/me")
    page.get_by_test_id("me-password").click()
    dialog = page.locator(".van-dialog").locator("visible=true")
    page.get_by_test_id("pw-current").locator("input").fill("not-my-password")
    page.get_by_test_id("pw-new").locator("input").fill("guard-new-pass-1")
    dialog.locator(".van-dialog__confirm").click()
    # the server's field message shows under the field, and the dialog stays open
    expect(page.get_by_test_id("pw-current")).to_contain_text("当前密码不正确")
    page.get_by_test_id("pw-current").locator("input").fill(PASSWORD)
    dialog.locator(".van-dialog__confirm").click()
    expect(page.locator(".van-toast")).to_contain_text("密码已修改")
    expect(dialog).to_have_count(0)

    api = playwright_instance.request.new_context(base_url=server.base_url)
    try:
        old = api.post("/api/v1/auth/login", data={"username": "guard", "password": PASSWORD})
        assert old.status == 401
        new = api.post(
            "/api/v1/auth/login", data={"username": "guard", "password": "guard-new-pass-1"}
        )
        assert new.ok, new.text()
        back = api.post(  # leave the demo password for the other journeys
            "/api/v1/me/password",
            data={"current_password": "guard-new-pass-1", "new_password": PASSWORD},
        )
        assert back.status == 204, back.text()
    finally:
        api.dispose()


# The widest text the input shows, measured in its own font against its inner width.
_PLACEHOLDER_FITS = """(input) => {
  const style = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const inner = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return ctx.measureText(input.placeholder).width <= inner;
}"""


def test_a_refused_camera_says_typed_codes_are_weaker_and_can_be_tried_again(
    refusing_browser, server
):
    context = refusing_browser.new_context(
        base_url=server.base_url, **{**PHONE, "viewport": {"width": 360, "height": 640}}
    )
    page = context.new_page()
    log_in(page, "assistant")
    page.get_by_role("tab", name="扫码").click()
    manual = page.get_by_test_id("manual-entry")
    expect(manual.get_by_test_id("camera-problem")).to_contain_text("未获得相机权限")
    # Why a typed code scores lower, before it is typed.
    expect(manual.get_by_test_id("typed-weaker")).to_contain_text("不能证明您在现场")
    expect(manual.get_by_test_id("typed-weaker")).to_contain_text("存疑")
    code_input = manual.locator("input[name=code]")
    assert code_input.evaluate(_PLACEHOLDER_FITS), "the code's placeholder is clipped at 360 px"

    # The person allows the camera in the settings and tries again: the scanner comes back.
    context.grant_permissions(["camera"])
    manual.get_by_test_id("camera-retry").click()
    expect(page.get_by_text("将二维码放入框内")).to_be_visible()
    expect(page.get_by_test_id("manual-entry")).to_have_count(0)

    # In English, the same explanation.
    page.evaluate("localStorage.setItem('patrol.locale', 'en')")
    context.clear_permissions()
    page.reload()
    manual = page.get_by_test_id("manual-entry")
    expect(manual.get_by_test_id("typed-weaker")).to_contain_text("does not prove you were there")
    expect(manual.get_by_test_id("camera-retry")).to_have_text("Try the camera again")
    assert manual.locator("input[name=code]").evaluate(_PLACEHOLDER_FITS)
    context.close()
