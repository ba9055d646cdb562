"""Screens at 360 and 390 px: sheets fit, rows keep their margins, text does not break badly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.phone import PHONE, camera_jpeg, log_in, new_assistant, take_photo

SIZES = [pytest.param(360, 640, id="360x640"), pytest.param(390, 844, id="390x844")]

# How many lines an element's text takes: the distinct rows its text's boxes sit on.
_LINES = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set();
  for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top / 4));
  return tops.size;
}"""


def _phone(browser, server, size: tuple[int, int], username: str) -> tuple:
    width, height = size
    ctx = browser.new_context(
        base_url=server.base_url, **{**PHONE, "viewport": {"width": width, "height": height}}
    )
    ctx.set_default_timeout(20000)
    page = ctx.new_page()
    log_in(page, username)
    return ctx, page


def _upload(api, data: bytes) -> int:
    resp = api.post(
        "/api/v1/photos",
        multipart={
            "file": {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": data},
            "client_uuid": str(uuid.uuid4()),
        },
    )
    assert resp.ok, resp.text()
    return resp.json()["id"]


def _resolved_checkpoint_ticket(api_as, n: int) -> tuple[dict, str]:
    """A ticket from a failed inspection, fixed by the engineer with an after-photo."""
    assistant, engineer = api_as("assistant2"), api_as("engineer")
    cps = assistant.get("/api/v1/checkpoints", params={"kind": "stairwell", "per_page": 40})
    code = cps.json()["items"][-1 - n]["code"]  # the end of the list: other journeys take the first
    items = assistant.get(f"/api/v1/checkpoints/by-code/{code}").json()["checklist"]["items"]
    photo = _upload(assistant, camera_jpeg(1200, 900, 1, scene=10 + n))
    # The lights item (equipment → 工程部) fails; everything else passes or is n/a.
    answers = [
        {"item_id": it["id"], "outcome": "fail", "photo_ids": [photo]}
        if i == 1
        else {"item_id": it["id"], "outcome": "pass" if it["answer_type"] == "pass_fail" else "na"}
        for i, it in enumerate(items)
    ]
    scanned = datetime.now(UTC) - timedelta(minutes=20)
    resp = assistant.post(
        "/api/v1/inspections",
        data={
            "client_uuid": str(uuid.uuid4()),
            "checkpoint_code": code,
            "scanned_at": scanned.isoformat(),
            "submitted_at": (scanned + timedelta(minutes=3)).isoformat(),
            "results": answers,
        },
    )
    assert resp.status == 201, resp.text()
    [ticket] = resp.json()["tickets"]
    after = _upload(engineer, camera_jpeg(1200, 900, 1, scene=20 + n))
    for step in ({"action": "accept"}, {"action": "start"}):
        assert engineer.post(f"/api/v1/tickets/{ticket['id']}/events", data=step).ok
    done = engineer.post(
        f"/api/v1/tickets/{ticket['id']}/events",
        data={"action": "resolve", "note": "已修复", "photo_ids": [after]},
    )
    assert done.ok, done.text()
    return ticket, code


@pytest.mark.parametrize(("width", "height"), [p.values for p in SIZES], ids=[p.id for p in SIZES])
def test_the_verify_sheet_keeps_its_button_on_screen_and_its_photos_off_the_edge(
    browser, server, api_as, width, height
):
    ticket, code = _resolved_checkpoint_ticket(api_as, 0 if width == 360 else 1)
    ctx, page = _phone(browser, server, (width, height), "supervisor")
    # Back from scanning the label: the verify sheet opens with before | after side by side.
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    page.goto(f"/tickets/{ticket['id']}?code={code}&at={at}")
    form = page.get_by_test_id("step-form")
    expect(form.get_by_test_id("scanned-code")).to_contain_text(code)
    expect(form.locator(".compare img")).to_have_count(2)
    take_photo(page, form.locator(".add-photo"), camera_jpeg(orientation=1, scene=30 + width))
    expect(form.locator(".photos .thumb img")).to_have_count(1)
    form.get_by_test_id("step-note").locator("textarea").fill("复核：灯已恢复正常照明\n" * 8)

    button = form.get_by_test_id("step-submit").bounding_box()
    assert button is not None and button["y"] + button["height"] <= height, (
        f"the verify button is below a {height} px screen"
    )
    for thumb in form.locator(".thumb").all():
        box = thumb.bounding_box()
        assert box is not None and box["x"] >= 12, "a photo touches the screen's left edge"
    # In the basement the step is queued: the toast says so on one line, then it is sent.
    ctx.set_offline(True)
    form.get_by_test_id("step-submit").click()
    toast = page.locator(".van-toast__text")
    expect(toast).to_have_text("已保存“验证通过”，联网后自动发送")
    assert toast.evaluate(_LINES) == 1, "the toast breaks into lines"
    ctx.set_offline(False)
    expect(page.get_by_test_id("step-queued")).to_have_count(0, timeout=30000)
    stored = api_as("supervisor").get(f"/api/v1/tickets/{ticket['id']}").json()
    assert stored["status"] == "verified"
    ctx.close()


def test_plan_rows_stay_on_one_line_at_360(browser, server, api_as, all_day_plan):
    # A person of this test alone, with two plans open all day: a long name, many checkpoints.
    new_assistant(api_as("admin"), "assistant-narrow", "钱助理")
    all_day_plan("assistant-narrow", "A幢", "楼栋公共区域日常安全巡查（含消防通道）")
    all_day_plan("assistant-narrow", "E幢", "楼梯间巡查")
    ctx, page = _phone(browser, server, (360, 640), "assistant-narrow")
    windows = page.get_by_test_id("due-window")
    expect(windows).to_have_count(2, timeout=20000)
    for row in windows.all():
        summary = row.locator(".w-left")
        assert summary.evaluate(_LINES) == 1, f"{summary.inner_text()!r} wraps at 360 px"
        assert row.get_by_test_id("window-count").evaluate(_LINES) == 1
    ctx.close()

    ctx.close()


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_back_office_says_on_a_phone_that_it_is_meant_for_a_computer(browser, server):
    ctx, page = _phone(browser, server, (360, 640), "admin")
    page.goto("/admin/checkpoints")
    notice = page.get_by_test_id("admin-phone-notice")
    expect(notice).to_contain_text("后台管理是为电脑设计的")
    expect(page.get_by_test_id("table-row").first).to_be_visible()
    assert _overflow(page) <= 0, "the back office runs off a phone's screen"
    for cell in page.get_by_test_id("table-row").first.locator("td:not(:has(button))").all():
        if cell.inner_text().strip():  # names scroll sideways, not two characters a line
            assert cell.evaluate(_LINES) == 1, f"{cell.inner_text()!r} wraps on a phone"
    notice.get_by_test_id("admin-phone-back").click()
    expect(page.get_by_test_id("admin-layout")).to_have_count(0)
    page.evaluate("localStorage.setItem('patrol.locale', 'en')")
    page.goto("/admin/checkpoints")
    expect(page.get_by_test_id("admin-phone-notice")).to_contain_text("meant for a computer")
    ctx.close()


def test_the_back_office_is_usable_on_a_tablet(browser, server):
    tablet = {**PHONE, "viewport": {"width": 768, "height": 1024}}
    ctx = browser.new_context(base_url=server.base_url, **tablet)
    page = ctx.new_page()
    log_in(page, "admin")
    page.goto("/admin/checkpoints")
    expect(page.get_by_test_id("admin-phone-notice")).to_be_hidden()
    row = page.get_by_test_id("table-row").first
    expect(row).to_be_visible()
    assert _overflow(page) <= 0, "the back office runs off a tablet's screen"
    # Names on one line each: no column squeezed to two characters a line.
    for cell in row.locator("td:not(:has(button))").all():
        if cell.inner_text().strip():
            assert cell.evaluate(_LINES) == 1, f"{cell.inner_text()!r} wraps on a tablet"
    page.get_by_test_id("create").click()
    panel = page.locator("[data-test=form-panel]:visible")
    expect(panel).to_be_in_viewport(ratio=1)  # the whole form on the tablet's screen
    ctx.close()
