"""A phone whose storage fills up mid-patrol: it says so plainly and loses nothing it saved."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.phone import (
    PHONE,
    camera_jpeg,
    confirm_dialog,
    log_in,
    submit_failed_visit,
    visits,
    wait_for_service_worker,
)

OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('patrol')
  open.onerror = () => reject(open.error)
  open.onsuccess = () => {
    const req = open.result.transaction('outbox').objectStore('outbox').getAll()
    req.onsuccess = () => resolve(req.result.map((e) => ({
      code: e.payload.checkpoint_code,
      status: e.status,
      error: e.error,
      photos: e.photos.map((p) => p.blob.size),
    })))
    req.onerror = () => reject(req.error)
  }
})"""


def test_a_full_phone_says_so_and_keeps_every_record_it_saved(browser, server, api_as):
    supervisor = api_as("supervisor")
    codes = [
        c["code"]
        for c in supervisor.get(
            "/api/v1/checkpoints", params={"kind": "stairwell", "per_page": 30}
        ).json()["items"]
    ]
    ids = {code: _checkpoint_id(supervisor, code) for code in codes}
    before = {code: visits(supervisor, ids[code]) for code in codes}  # other journeys' visits
    photo = camera_jpeg()
    phone = browser.new_context(base_url=server.base_url, **PHONE)
    phone.set_default_timeout(20000)
    page = phone.new_page()
    log_in(page, "assistant")
    wait_for_service_worker(page)
    page.get_by_text("我的", exact=True).click()  # the tab, not 派给我的工单
    expect(page.get_by_test_id("storage")).to_contain_text("已用")  # how full the phone is
    # This browser's share of the phone: what it keeps now plus room for a few photos.
    usage = page.evaluate("navigator.storage.estimate().then((e) => e.usage)")
    cdp = phone.new_cdp_session(page)
    cdp.send(
        "Storage.overrideQuotaForOrigin",
        {"origin": server.base_url, "quotaSize": usage + 2_000_000},
    )
    phone.set_offline(True)

    saved: list[str] = []
    for code in codes:
        dialog = submit_failed_visit(page, code, photo)
        if "联网后会自动发送" not in dialog.inner_text():
            break
        saved.append(code)
        confirm_dialog(page)
    else:
        raise AssertionError("the storage never filled up")

    # Told plainly, in Chinese, what happened and what to do; not a raw DOMException.
    expect(dialog).to_contain_text("手机存储空间已满")
    expect(dialog).not_to_contain_text("DOMException")
    confirm_dialog(page)
    # The answers and the photo are still on the page, ready to submit again.
    assert f"/checkpoint/{code}" in page.url
    expect(page.get_by_test_id("item").first.locator(".thumb img")).to_have_count(1)
    # Every record reported as saved is in the outbox with its photo; the refused one is not.
    assert saved, "not one record fitted"
    entries = page.evaluate(OUTBOX)
    assert sorted(e["code"] for e in entries) == sorted(saved)
    assert all(e["photos"] and min(e["photos"]) > 10_000 for e in entries)

    # Room again (records sent, space freed): everything saved reaches the server once.
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": server.base_url, "quotaSize": 2**33})
    phone.set_offline(False)
    page.goto("/outbox")
    expect(page.get_by_test_id("sent-entry")).to_have_count(len(saved), timeout=90000)
    expect(page.get_by_test_id("outbox-entry")).to_have_count(0)
    for code in saved:
        assert visits(supervisor, ids[code]) == before[code] + 1, code
    phone.close()


def _checkpoint_id(api, code: str) -> int:
    return api.get(f"/api/v1/checkpoints/by-code/{code}").json()["id"]
