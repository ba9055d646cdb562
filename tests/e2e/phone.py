"""What a phone sees and does in the browser journeys: labels on camera, photos, screenshots."""

from __future__ import annotations

import io
import os
import random
import re
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "patrol-demo"

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


def write_y4m(img: Image.Image, path: Path) -> None:
    """Write one 4:2:0 frame (even sizes) the way Chromium's fake capture reads it."""
    w, h = img.size
    assert w % 2 == 0 and h % 2 == 0
    y, cb, cr = img.convert("YCbCr").split()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        fh.write(b"FRAME\n")
        fh.write(y.tobytes())
        fh.write(cb.resize((w // 2, h // 2)).tobytes())
        fh.write(cr.resize((w // 2, h // 2)).tobytes())
    os.replace(tmp, path)


def show_label(camera_file: Path, text: str, caption: str = "", size: int = 420) -> None:
    """Put a printed label's QR code (as a phone would see it) in front of the fake camera."""
    qr = qrcode.QRCode(border=4, box_size=10, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    code = code.resize((size, size), Image.NEAREST)
    font = _cjk_font(size // 10)
    if caption and font is not None:
        label = Image.new("RGB", (size, size + size // 6), "white")
        label.paste(code, (0, 0))
        draw = ImageDraw.Draw(label)
        draw.text((size // 2, size + size // 24), caption, fill="black", font=font, anchor="mt")
        code = label
    code = code.rotate(7, expand=True, fillcolor="#d8d4cc")
    frame = Image.new("RGB", (1280, 720), "#d8d4cc")  # a grey wall around the label
    frame.paste(code, ((1280 - code.width) // 2, (720 - code.height) // 2))
    write_y4m(frame, camera_file)


def _cjk_font(px: int):
    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    ):
        if os.path.exists(path):
            return ImageFont.truetype(path, px)
    return None


def camera_jpeg(
    width: int = 4000, height: int = 3000, orientation: int = 6, scene: int = 0
) -> bytes:
    """A 12 MP photo as a phone camera writes it: sideways pixels plus an EXIF orientation.

    Another scene is another picture, to the server's reused-photo check too.
    """
    img = Image.new("RGB", (width, height))
    # Detail that JPEG cannot squash to nothing: a gradient with stripes.
    px = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    img.paste(px)
    stripes = Image.effect_noise((width // 8, height // 8), 60).resize((width, height))
    img = Image.blend(img, Image.merge("RGB", (stripes, stripes, stripes)), 0.35)
    if scene:
        draw = ImageDraw.Draw(img)
        shades = random.Random(scene)  # the same scene is the same picture in every run
        cells = 6
        for i in range(cells * cells):  # big blocks of light and dark: another hash
            x, y = (i % cells) * width // cells, (i // cells) * height // cells
            grey = shades.choice((20, 235))
            draw.rectangle((x, y, x + width // cells, y + height // cells), fill=(grey,) * 3)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def screenshot(page, name: str) -> None:
    """Save a phone-sized picture of the screen, when asked (make screenshots → docs/screenshots).

    Off by default, so a test run leaves the committed pictures alone.
    """
    folder = os.environ.get("PATROL_SCREENSHOTS")
    if not folder:
        return
    out = Path(folder) if Path(folder).is_absolute() else ROOT / folder
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"), scale="css", animations="disabled")


# --- driving the app ---


def log_in(page: Page, username: str, *, shot: bool = False) -> None:
    """Log in on the login screen the app shows first."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if shot:
        screenshot(page, "login")
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))


def wait_for_service_worker(page: Page) -> None:
    """Wait until the service worker controls the page (the shell is cached)."""
    # A function, not an expression: Playwright polls an expression with eval, which the CSP
    # (script-src 'self', no 'unsafe-eval') refuses once the first check has failed.
    page.wait_for_function("() => navigator.serviceWorker?.controller != null")


def take_photo(page: Page, trigger, data: bytes, name: str = "IMG_0001.jpg") -> None:
    """Tap a photo button and give the file chooser a camera JPEG."""
    with page.expect_file_chooser() as chooser:
        trigger.click()
    chooser.value.set_files({"name": name, "mimeType": "image/jpeg", "buffer": data})


def confirm_dialog(page: Page) -> None:
    """Press the confirm button of the Vant dialog on screen."""
    page.locator(".van-dialog__confirm").click()
    expect(page.locator(".van-dialog")).to_be_hidden()


def submit_failed_visit(page: Page, code: str, photo: bytes):
    """Open a checkpoint, fail its first item with a photo, submit; return the answer's dialog."""
    page.goto(f"/checkpoint/{code}")  # offline too: the service worker serves the app
    expect(page.get_by_test_id("checkpoint-name")).to_be_visible()
    page.get_by_test_id("all-pass").click()
    item = page.get_by_test_id("item").first
    value = item.locator("[data-test=value] input")
    if value.count():  # a reading (a gauge, a meter): one out of any range fails
        value.fill("0")
    item.get_by_test_id("outcome-fail").click()
    take_photo(page, item.locator(".add-photo"), photo)
    expect(item.locator(".thumb img")).to_have_count(1)
    page.get_by_test_id("submit").click()
    dialog = page.locator(".van-dialog")
    expect(dialog).to_be_visible()
    return dialog


def new_assistant(admin_api, username: str, display_name: str) -> dict:
    """Add an assistant of the demo property with the demo password: a journey's own person."""
    props = admin_api.get("/api/v1/properties").json()
    items = props["items"] if isinstance(props, dict) else props
    demo = next(p for p in items if p["code"] == "CH")
    resp = admin_api.post(
        "/api/v1/users",
        data={
            "username": username,
            "display_name": display_name,
            "role": "assistant",
            "property_ids": [demo["id"]],
            "password": PASSWORD,
        },
    )
    assert resp.ok, resp.text()
    return resp.json()


def report(api, text: str, category: str = "equipment", where: str = "地下车库B区") -> dict:
    """Record a resident's report at the front desk (equipment goes to 工程部); return it."""
    me = api.get("/api/v1/me").json()
    resp = api.post(
        "/api/v1/tickets",
        data={
            "property_id": me["properties"][0]["id"],
            "category": category,
            "description": text,
            "location_text": where,
        },
    )
    assert resp.ok, resp.text()
    return resp.json()


def phone_as(browser, server, username: str, *, service_worker: bool = False):
    """Open a phone logged in as a demo user; return its context and page."""
    ctx = browser.new_context(base_url=server.base_url, **PHONE)
    ctx.set_default_timeout(20000)
    page = ctx.new_page()
    log_in(page, username)
    if service_worker:
        wait_for_service_worker(page)
    return ctx, page


def visits(api, checkpoint_id: int) -> int:
    """Count the inspections the server holds of a checkpoint (journeys share one server)."""
    resp = api.get("/api/v1/inspections", params={"checkpoint_id": checkpoint_id})
    assert resp.ok, resp.text()
    return resp.json()["total"]
