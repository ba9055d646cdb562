"""A phone on the office Wi-Fi: the app through a real Caddy over HTTPS at a non-localhost name."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import WEB_DIST
from tests.e2e.phone import PHONE, log_in, show_label, wait_for_service_worker

CODE = "EDMNRB"  # A幢 5F 楼梯间 in the demo property


def test_over_https_the_phone_scans_and_patrols_offline(lan_browser, lan, camera_file):
    phone = lan_browser.new_context(base_url=lan.server.base_url, **PHONE)
    phone.set_default_timeout(15000)
    page = phone.new_page()
    encodings: dict[str, str | None] = {}
    page.on(
        "response",
        lambda r: (
            encodings.setdefault(r.url, r.headers.get("content-encoding"))
            if "/assets/" in r.url
            else None
        ),
    )
    log_in(page, "assistant")
    assert page.url.startswith("https://patrol.test:")
    # Camera, service worker, install and crypto.randomUUID all need this.
    assert page.evaluate("isSecureContext") is True
    wait_for_service_worker(page)
    # Every built file worth compressing arrives compressed (web/scripts/compress.mjs).
    plain = [url for url, encoding in encodings.items() if encoding is None]
    assert len(encodings) > 10
    assert all(_built_size(url) < 512 for url in plain), plain

    show_label(camera_file, lan.server.label_url(CODE))
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间", timeout=20000)
    assert f"/checkpoint/{CODE}" in page.url

    # The stairwell has no signal: the service worker and the offline pack show the checklist.
    phone.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间")
    expect(page.get_by_test_id("item").first).to_be_visible()
    phone.close()


def test_the_certificate_page_is_reachable_before_the_phone_trusts_the_root(lan):
    # Plain HTTP: a phone that does not trust the root yet cannot open the HTTPS site.
    status, headers, body = _plain_get(lan, "/ca")
    assert status == 200
    assert "安装本服务器的安全证书" in body
    assert re.search(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", body)  # the fingerprint to compare
    status, headers, body = _plain_get(lan, "/ca/root.crt")
    assert status == 200 and headers["Content-Type"] == "application/x-x509-ca-cert"
    assert body == lan.root_cert.read_text()
    status, headers, _ = _plain_get(lan, "/static/ca.css")  # the page is styled over HTTP too
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    # Anything else over plain HTTP is sent to HTTPS.
    status, headers, _ = _plain_get(lan, "/outbox")
    assert status in (301, 302, 308)
    assert headers["Location"] == lan.server.base_url + "/outbox"


def _plain_get(lan, path: str) -> tuple[int, dict[str, str], str]:
    """GET over plain HTTP as a phone would, by name (patrol.test is this machine)."""
    netloc = urlsplit(lan.http_url).netloc
    conn = http.client.HTTPConnection("127.0.0.1", int(netloc.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("GET", path, headers={"Host": netloc})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode()
    finally:
        conn.close()


def _built_size(url: str) -> int:
    return (WEB_DIST / "assets" / url.rsplit("/", 1)[1]).stat().st_size
