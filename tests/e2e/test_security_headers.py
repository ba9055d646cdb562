"""The security headers in a real browser: the app, the back office and the API docs break no rule.

Every page of a context reports each Content-Security-Policy violation (the
securitypolicyviolation event, through an init script) and Chromium's console complaints about
the CSP or the Permissions-Policy; walking the phone app (login, home, the camera scanner with
its worker, a checklist with a photo preview), the back office, the coverage dashboard, the API
docs and the server's own pages must leave both lists empty.
"""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from app.common.security import CSP
from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    log_in,
    show_label,
    take_photo,
    wait_for_service_worker,
)

CODE = "EDMNRB"  # A幢 5F 楼梯间 in the demo property
DESK = {
    "viewport": {"width": 1440, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
ADMIN_SCREENS = [
    "property",
    "zones",
    "checkpoints",
    "units",
    "departments",
    "import",
    "checklists",
    "labels",
    "users",
    "routing",
    "channels",
    "audit",
    "password",
]

_REPORT = """document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`
    + ` at ${e.sourceFile}:${e.lineNumber} on ${location.pathname}`)
}, true)"""


class Watch:
    """Collect what the browser refused, or complained about, in one context."""

    def __init__(self, context: BrowserContext) -> None:
        self.violations: list[str] = []
        self.complaints: list[str] = []
        context.expose_binding("__cspViolation", lambda _source, text: self.violations.append(text))
        context.add_init_script(_REPORT)
        context.on("page", self._page)

    def _page(self, page: Page) -> None:
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            self.complaints.append(f"{message.type}: {text}")

    def assert_clean(self) -> None:
        """Fail on any violation or console complaint seen so far."""
        assert self.violations == [], self.violations
        assert self.complaints == [], self.complaints


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")


def test_the_phone_app_runs_under_the_csp(browser, server, camera_file):
    context = browser.new_context(base_url=server.base_url, **PHONE)
    context.set_default_timeout(15000)
    watch = Watch(context)
    page = context.new_page()

    first = page.goto("/")
    assert first is not None
    headers = first.headers
    assert headers["content-security-policy"] == CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # plain http on a developer's machine

    log_in(page, "assistant")
    expect(page.get_by_test_id("progress")).to_contain_text("/")
    wait_for_service_worker(page)

    # The camera scanner: getUserMedia, the video, qr-scanner's worker from a blob: URL.
    show_label(camera_file, server.label_url(CODE))
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间", timeout=20000)
    assert page.evaluate("document.querySelector('video') === null")  # the scanner has closed

    # A photo's preview is a blob: image; nothing is submitted (other journeys share the server).
    item = page.get_by_test_id("item").first
    item.get_by_test_id("outcome-fail").click()
    take_photo(page, item.locator(".add-photo"), camera_jpeg(1600, 1200))
    expect(item.locator(".thumb img")).to_have_count(1)
    expect(item.locator(".thumb img")).to_have_attribute("src", re.compile(r"^blob:"))
    assert item.locator(".thumb img").evaluate("img => img.complete && img.naturalWidth > 0")

    for path in ("/outbox", "/me", "/tickets"):
        page.goto(path)
        _settle(page)
    # The Vant icon font (a data: URL in Vant's CSS) loaded.
    assert page.evaluate("document.fonts.check('16px vant-icon')")

    watch.assert_clean()
    context.close()


def test_the_servers_own_label_pages_run_under_the_csp(browser, server):
    # No service worker: it would answer these navigations with the app's shell.
    context = browser.new_context(base_url=server.base_url, service_workers="block", **PHONE)
    context.set_default_timeout(15000)
    watch = Watch(context)
    page = context.new_page()
    forged = re.sub(r"s=[^&]+", "s=forged", server.label_url(CODE))
    for url, title in (("/c/NOSUCH", "未知的点位标签"), (forged, "此标签无效")):
        response = page.goto(url)
        assert response is not None and response.headers["content-security-policy"] == CSP
        expect(page.locator("h1")).to_have_text(title)
        # Its stylesheet is a file (/static/page.css), not an inline <style>.
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(246, 247, 249)"
    watch.assert_clean()
    context.close()


def test_the_back_office_and_the_coverage_dashboard_run_under_the_csp(browser, server, api_as):
    context = browser.new_context(base_url=server.base_url, **DESK)
    context.set_default_timeout(15000)
    watch = Watch(context)
    page = context.new_page()
    log_in(page, "admin")
    for screen in ADMIN_SCREENS:
        page.goto(f"/admin/{screen}")
        expect(page.get_by_test_id("admin-layout")).to_be_visible()
        _settle(page)
    checklist = api_as("admin").get("/api/v1/checklists").json()
    items = checklist["items"] if isinstance(checklist, dict) else checklist
    page.goto(f"/admin/checklists/{items[0]['id']}")
    _settle(page)
    # The create panel (a Vant popup positioned by a style binding).
    page.goto("/admin/zones")
    page.get_by_test_id("create").click()
    expect(page.locator("[data-test=form-panel]:visible")).to_be_visible()
    watch.assert_clean()
    context.close()

    context = browser.new_context(base_url=server.base_url, **DESK)
    context.set_default_timeout(15000)
    watch = Watch(context)
    page = context.new_page()
    log_in(page, "supervisor")
    page.goto("/coverage")
    expect(page.get_by_text("漏巡清单")).to_be_visible()
    _settle(page)
    page.goto("/review")
    _settle(page)
    watch.assert_clean()
    context.close()


def test_the_api_docs_run_under_the_csp(browser, server):
    context = browser.new_context(base_url=server.base_url, **DESK)
    context.set_default_timeout(15000)
    watch = Watch(context)
    page = context.new_page()
    response = page.goto("/api/docs")
    assert response is not None and response.headers["content-security-policy"] == CSP
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Patrol API")
    operation = page.locator(".opblock-summary").first
    operation.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    _settle(page)
    watch.assert_clean()
    context.close()
