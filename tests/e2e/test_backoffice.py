"""The back office in a desk-sized browser: a property from an empty database to its first patrol.

An admin (the only user of a fresh database) creates the property, its zones and a department,
imports checkpoints from an .xlsx with a bad row (the preview names it; nothing is written until
it is fixed), writes and re-publishes the stairwell checklist, prints the zone's labels (one QR
is decoded from the PDF), and creates an assistant, whose phone then scans a label and submits.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import openpyxl
from playwright.sync_api import Locator, Page, expect

from tests.e2e.phone import PASSWORD, PHONE, log_in, screenshot, show_label
from tests.labels.pdf import scan_pages

DESK = {
    "viewport": {"width": 1440, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
STAIRWELLS = ["A幢1层楼梯间", "A幢2层楼梯间", "A幢3层楼梯间"]


def shot(page: Page, name: str, top: bool = False) -> None:
    """Screenshot the desk once toasts are gone (PATROL_SCREENSHOTS), optionally from the top."""
    expect(page.locator(".van-toast:visible")).to_have_count(0)
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def panel(page: Page) -> Locator:
    """The create/edit panel on screen."""
    return page.locator("[data-test=form-panel]:visible")


def fill_form(page: Page, **values: str) -> None:
    """Type into the open panel's fields (selects get their option value) and save."""
    form = panel(page)
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_test_id("form-save").click()


def create(page: Page, nav: str, **values: str) -> None:
    """Open a screen from the side navigation, create one thing, wait for the panel to close."""
    page.get_by_test_id(f"nav-{nav}").click()
    page.get_by_test_id("create").click()
    fill_form(page, **values)
    expect(panel(page)).to_have_count(0)


def sheet(template: Path, out: Path, zones: list[str]) -> Path:
    """Fill the downloaded checkpoint template with the three stairwells, in these zones."""
    book = openpyxl.load_workbook(template)
    ws = book.worksheets[0]
    headers = {str(c.value).strip(): c.column for c in ws[2] if c.value}
    for row, (zone, name) in enumerate(zip(zones, STAIRWELLS, strict=True), start=3):
        ws.cell(row, headers["zone"], zone)
        ws.cell(row, headers["kind"], "走廊/楼梯间")
        ws.cell(row, headers["name_zh"], name)
        ws.cell(row, headers["location"], name.removeprefix("A幢"))
    book.save(out)
    return out


def test_an_admin_sets_up_a_property_and_its_new_assistant_patrols_it(
    browser, empty_server, camera_file, playwright_instance, tmp_path
):
    desk = browser.new_context(base_url=empty_server.base_url, accept_downloads=True, **DESK)
    desk.set_default_timeout(15000)
    page = desk.new_page()
    api = playwright_instance.request.new_context(base_url=empty_server.base_url)
    assert api.post("/api/v1/auth/login", data={"username": "admin", "password": PASSWORD}).ok

    # --- the admin opens the back office from the phone app's "me" screen ---
    log_in(page, "admin")
    page.get_by_role("tab", name="我的").click()
    page.get_by_test_id("admin-entry").click()
    expect(page.get_by_test_id("admin-layout")).to_be_visible()
    expect(page.get_by_test_id("admin-property")).to_contain_text("还没有项目")

    # --- the property: a bad time zone is named under its field, then fixed ---
    page.get_by_test_id("create").click()
    fill_form(page, code="XHY", name="新华苑", timezone="Mars/Base")
    expect(panel(page).locator("[data-field=timezone] [data-test=field-error]")).to_be_visible()
    fill_form(page, timezone="Asia/Shanghai")
    expect(panel(page)).to_have_count(0)
    expect(page.get_by_test_id("admin-property")).to_contain_text("新华苑")
    prop = api.get("/api/v1/properties").json()["items"][0]

    create(page, "zones", name_zh="A幢", kind="building")
    create(page, "zones", name_zh="园区", kind="grounds")
    create(page, "departments", code="ENG", name_zh="工程部")
    expect(page.get_by_test_id("table-row")).to_have_count(1)

    # --- import: the template, a sheet with an unknown zone, then the fixed sheet ---
    page.get_by_test_id("nav-import").click()
    with page.expect_download() as download:
        page.get_by_test_id("template").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert "区域*" in [c.value for c in openpyxl.load_workbook(template).worksheets[0][1]]

    bad = sheet(template, tmp_path / "点位-有误.xlsx", ["A幢", "C幢", "A幢"])
    page.get_by_test_id("import-file").set_input_files(bad)
    problem = page.get_by_test_id("import-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("第 4 行")
    expect(problem).to_contain_text("C幢")
    expect(page.get_by_test_id("import-commit")).to_be_disabled()
    shot(page, "admin-import-preview")
    listed = api.get("/api/v1/checkpoints", params={"property_id": prop["id"]}).json()
    assert listed["total"] == 0, "a preview must write nothing"

    good = sheet(template, tmp_path / "点位.xlsx", ["A幢", "A幢", "A幢"])
    page.get_by_test_id("import-file").set_input_files(good)
    expect(page.get_by_test_id("import-change")).to_have_count(3)
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("新建 3")
    # The same sheet again changes nothing rather than duplicating.
    page.get_by_test_id("import-file").set_input_files(good)
    expect(page.get_by_test_id("import-preview")).to_contain_text("新建 0，更新 0，不变 3")
    # The export is the same sheet with the generated codes filled in.
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    download.value.save_as(tmp_path / "export.xlsx")
    exported = openpyxl.load_workbook(tmp_path / "export.xlsx").worksheets[0]
    rows = [r for r in exported.iter_rows(min_row=3, values_only=True) if any(r)]
    assert sorted(r[3] for r in rows) == STAIRWELLS and all(r[0] for r in rows)
    page.get_by_test_id("nav-checkpoints").click()
    expect(page.get_by_test_id("table-row")).to_have_count(3)
    shot(page, "admin-checkpoints")

    # --- the stairwell checklist: version 1, then reordered with a new item as version 2 ---
    page.get_by_test_id("nav-checklists").click()
    page.get_by_test_id("new-kind").select_option("stairwell")
    page.get_by_test_id("create").click()
    items = page.get_by_test_id("checklist-item")
    items.nth(0).get_by_test_id("item-text-zh").fill("照明灯具完好")
    page.get_by_test_id("add-item").click()
    items.nth(1).get_by_test_id("item-text-zh").fill("消防通道畅通，无杂物堆放")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("published")).to_contain_text("第 1 版")

    items.nth(1).get_by_test_id("item-up").click()
    expect(items.nth(0).get_by_test_id("item-text-zh")).to_have_value("消防通道畅通，无杂物堆放")
    page.get_by_test_id("add-item").click()
    items.nth(2).get_by_test_id("item-text-zh").fill("安全出口指示灯亮")
    items.nth(2).get_by_test_id("item-text-en").fill("Exit sign lit")
    # A number range the wrong way round is named under the item's minimum; nothing is published.
    items.nth(2).get_by_test_id("item-answer-type").select_option("number")
    items.nth(2).get_by_test_id("item-min").fill("5")
    items.nth(2).get_by_test_id("item-max").fill("1")
    page.get_by_test_id("publish").click()
    expect(items.nth(2).get_by_test_id("field-error")).to_be_visible()
    expect(page.get_by_test_id("published")).to_contain_text("第 1 版")
    items.nth(2).get_by_test_id("item-answer-type").select_option("pass_fail")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("published")).to_contain_text("第 2 版")
    expect(page.get_by_test_id("published")).to_contain_text("3 个点位")
    expect(page.get_by_test_id("used-by")).to_contain_text("A幢2层楼梯间")
    shot(page, "admin-checklist-editor", top=True)

    # --- labels of zone A幢: the PDF's QR codes open the imported checkpoints ---
    page.get_by_test_id("nav-labels").click()
    page.get_by_test_id("labels-zone").select_option(label="A幢")
    # The screen names the address the labels open; this server listens on 127.0.0.1, which
    # no phone could reach, and the screen says so.
    expect(page.get_by_test_id("labels-address")).to_contain_text(empty_server.url("/c/"))
    expect(page.get_by_test_id("labels-address")).to_contain_text("须重新打印")
    expect(page.get_by_test_id("labels-localhost")).to_contain_text("只会指向本机")
    shot(page, "admin-labels")
    with page.expect_download() as download:
        page.get_by_test_id("labels-pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    texts = [scan.text for found in scan_pages(pdf) for scan in found]
    assert len(texts) == 3
    url = texts[0]
    code = _code_of(url)
    checkpoint = api.get(f"/api/v1/checkpoints/by-code/{code}").json()
    assert checkpoint["name_zh"] in STAIRWELLS
    # a signed label: the code, its label version and the signature (proof of presence)
    assert re.fullmatch(re.escape(empty_server.url(f"/c/{code}")) + r"\?v=1&s=[\w-]+", url)

    # Re-issuing another checkpoint's code names what stops working, then retires the old code.
    other = next(_code_of(t) for t in texts if _code_of(t) != code)
    reissued_id = api.get(f"/api/v1/checkpoints/by-code/{other}").json()["id"]
    page.get_by_test_id("table-row").filter(has_text=other).get_by_test_id("reissue").click()
    dialog = page.locator(".van-dialog")
    expect(dialog).to_contain_text(f"旧编码 {other} 立即作废")
    dialog.locator(".van-dialog__confirm").click()
    expect(dialog).to_contain_text("新编码")
    dialog.locator(".van-dialog__confirm").click()
    expect(dialog).to_be_hidden()
    assert api.get(f"/api/v1/checkpoints/by-code/{other}").status == 410
    # The new label is ticked for printing: its sheet holds just the new code.
    expect(page.get_by_test_id("labels-count")).to_contain_text("1 张")
    with page.expect_download() as download:
        page.get_by_test_id("labels-pdf").click()
    reprinted = scan_pages(Path(download.value.path()).read_bytes())
    new_code = api.get(f"/api/v1/checkpoints/{reissued_id}").json()["code"]
    assert [_code_of(s.text) for found in reprinted for s in found] == [new_code]
    # Reprinting keeps the code and moves the label to version 2: old copies stop working.
    third = next(_code_of(t) for t in texts if _code_of(t) not in (code, other))
    page.get_by_test_id("table-row").filter(has_text=third).get_by_test_id("reprint").click()
    expect(dialog).to_contain_text("第 1 版标签")
    dialog.locator(".van-dialog__confirm").click()
    expect(dialog).to_contain_text(f"{third} 已换为第 2 版标签")
    dialog.locator(".van-dialog__confirm").click()
    expect(dialog).to_be_hidden()
    assert api.get(f"/api/v1/checkpoints/by-code/{third}").json()["label_version"] == 2

    # --- an assistant for the property ---
    create(
        page,
        "users",
        username="zhangsan",
        display_name="张三",
        role="assistant",
        password=PASSWORD,
    )
    expect(page.get_by_test_id("table-row").filter(has_text="张三")).to_contain_text("物业助理")
    shot(page, "admin-users")
    # A webhook that answers 404: the test send shows the delivery result on its row.
    hook = empty_server.url("/api/v1/no-such-hook")
    create(page, "channels", audience="supervisor", kind="webhook", address=hook)
    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("test-result")).to_contain_text("发送失败")
    shot(page, "admin-channels")
    screens = {"routing": "routing-rules", "audit": "audit"}
    for nav, screen in screens.items():
        page.get_by_test_id(f"nav-{nav}").click()
        expect(page.get_by_test_id(f"admin-{screen}")).to_be_visible()
        shot(page, f"admin-{nav}")
    # The audit log names who created the assistant (user accounts belong to the company).
    page.get_by_test_id("audit-scope").select_option("all")
    page.get_by_test_id("audit-entity").select_option("user")
    page.get_by_test_id("audit-search").click()
    created = page.get_by_test_id("audit-row").filter(has_text="zhangsan")
    expect(created).to_contain_text("系统管理员")
    expect(created).to_contain_text("新建")
    desk.close()

    # --- the assistant's phone scans the new label and submits ---
    phone = browser.new_context(base_url=empty_server.base_url, **PHONE)
    phone.set_default_timeout(15000)
    mobile = phone.new_page()
    log_in(mobile, "zhangsan")
    show_label(camera_file, url)
    mobile.get_by_test_id("scan").click()
    expect(mobile.get_by_test_id("checkpoint-name")).to_have_text(
        checkpoint["name_zh"], timeout=20000
    )
    expect(mobile.get_by_test_id("item")).to_have_count(3)
    mobile.get_by_test_id("all-pass").click()
    mobile.get_by_test_id("submit").click()

    deadline = time.monotonic() + 20
    found: list = []
    while not found and time.monotonic() < deadline:
        found = api.get("/api/v1/inspections", params={"checkpoint_id": checkpoint["id"]}).json()[
            "items"
        ]
        time.sleep(0.3)
    assert len(found) == 1
    template_detail = api.get(f"/api/v1/checklists?property_id={prop['id']}").json()["items"][0]
    assert found[0]["checklist_version_id"] == template_detail["current_version"]["id"]
    phone.close()
    api.dispose()


def test_a_supervisor_changes_units_and_routing_but_only_reads_the_set_up(browser, server):
    desk = browser.new_context(base_url=server.base_url, **DESK)
    desk.set_default_timeout(15000)
    page = desk.new_page()
    log_in(page, "supervisor")
    page.goto("/admin/zones")
    expect(page.get_by_test_id("table-row").first).to_be_visible()
    expect(page.get_by_test_id("create")).to_have_count(0)
    expect(page.get_by_test_id("deactivate")).to_have_count(0)
    expect(page.get_by_test_id("nav-audit")).to_have_count(0)

    # Units are theirs to change: a duplicate number is named under its field.
    page.get_by_test_id("nav-units").click()
    # The zones' table stays until the units' replaces it: read a row only once it is a unit's.
    expect(page.locator("thead")).to_contain_text("房号")
    row = page.get_by_test_id("table-row").first
    expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^\d+$"))  # a room number
    building, number = row.locator("td").nth(0).inner_text(), row.locator("td").nth(2).inner_text()
    page.get_by_test_id("create").click()
    form = panel(page)
    form.locator("[name=zone_id]").select_option(label=building)
    fill_form(page, floor="1", number=number)
    expect(form.locator("[data-field=number] [data-test=field-error]")).to_be_visible()
    desk.close()


def _code_of(label_url: str) -> str:
    """Read the checkpoint code out of a label's URL (/c/<code>?v=…&s=…)."""
    found = re.search(r"/c/([A-Z0-9-]+)(?:\?|$)", label_url)
    assert found, label_url
    return found.group(1)
