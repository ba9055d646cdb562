"""Web pages: the built front end, the page a label's QR opens, the API docs' assets."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Response, abort, render_template_string, request, send_from_directory
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.places.models import Checkpoint, RetiredCode
from app.presence.signing import verify

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

web = Blueprint("web", __name__)
docs_static = Blueprint(
    "docs_static",
    __name__,
    static_folder=swagger_ui_bundle.swagger_ui_path,
    static_url_path="/api/docs/static",
)

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title_zh }} · Patrol 巡查</title>
<link rel="stylesheet" href="/static/page.css"></head>
<body><main>
<h1>{{ title_zh }}</h1><p class="en">{{ title_en }}</p>
{% if checkpoint %}<p>{{ checkpoint.zone.name_zh }} · {{ checkpoint.location or "" }}</p>
<p class="code">{{ checkpoint.code }}</p>{% endif %}
<p>{{ body_zh }}</p><p class="en">{{ body_en }}</p>
</main></body></html>"""


def _page(status: int, title: tuple[str, str], body: tuple[str, str], checkpoint=None) -> Response:
    html = render_template_string(
        _PAGE,
        title_zh=title[0],
        title_en=title[1],
        body_zh=body[0],
        body_en=body[1],
        checkpoint=checkpoint,
    )
    return Response(html, status=status, mimetype="text/html")


# Hashed build output never changes under its name; everything else must be revalidated so a
# new release (index.html, sw.js, the manifest) reaches phones on their next visit.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _spa_index(title: str | None = None) -> Response | None:
    """Serve the web app's index.html (with the page title naming the checkpoint, if given)."""
    index = WEB_DIST / "index.html"
    if not index.exists():
        return None
    if title is None:
        response = _send_built("index.html", max_age=0)
    else:
        html = index.read_text(encoding="utf-8")
        tag = f"<title>{escape(title)}</title>"
        html = re.sub(r"<title>.*?</title>", lambda _: tag, html, count=1, flags=re.S)
        response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = REVALIDATE
    return response


# web/scripts/compress.mjs writes these beside each file at build time, best first.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def _send_built(path: str, **options) -> Response:
    """Send a built file, precompressed when the browser accepts it (Vary says so)."""
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    variants = [
        (enc, path + sfx) for enc, sfx in PRECOMPRESSED if (WEB_DIST / (path + sfx)).is_file()
    ]
    chosen = next(((enc, name) for enc, name in variants if request.accept_encodings[enc]), None)
    response = send_from_directory(
        WEB_DIST, chosen[1] if chosen else path, mimetype=mimetype, **options
    )
    if chosen:
        response.headers["Content-Encoding"] = chosen[0]
    if variants:
        response.vary.add("Accept-Encoding")
    return response


def _static_file(path: str) -> Response:
    response = _send_built(path)
    response.headers["Cache-Control"] = IMMUTABLE if path.startswith("assets/") else REVALIDATE
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response


@web.get("/c/<code>")
def checkpoint_page(code: str) -> Response:
    """Open the app at the checkpoint a label's QR code names."""
    checkpoint = db.session.scalar(select(Checkpoint).where(Checkpoint.code == code.upper()))
    if checkpoint is None and _is_retired(code):
        return _replaced_label_page(code)
    if checkpoint is None:
        return _page(
            404,
            ("未知的点位标签", "Unknown checkpoint label"),
            (
                "此二维码不属于任何点位，请联系管理员。",
                "This QR code does not belong to any checkpoint. Please tell an admin.",
            ),
        )
    if not checkpoint.active:
        return _page(
            410,
            ("此点位已停用", "This checkpoint is retired"),
            (
                "该标签已失效，请报告管理员更换。",
                "This label is no longer valid; please report it for replacement.",
            ),
        )
    refused = _refused_signature(checkpoint)
    if refused is not None:
        return refused
    spa = _spa_index(f"{checkpoint.name_zh} · 物业巡查")
    if spa is not None:
        return spa
    return _page(
        200,
        (checkpoint.name_zh, checkpoint.name_en or ""),
        ("请在巡查 App 中登录后开始检查。", "Log in to the Patrol app to inspect."),
        checkpoint,
    )


def _refused_signature(checkpoint: Checkpoint) -> Response | None:
    """Refuse a signed label that is forged or of an older printing (an unsigned URL opens)."""
    sig, version = request.args.get("s"), request.args.get("v", "")
    if sig is None:
        return None
    if not version.isdigit() or not verify(checkpoint.code, int(version), sig):
        return _page(
            403,
            ("此标签无效", "This label is not valid"),
            (
                "此二维码的签名不正确，不能用于巡查。请将此标签报告给主管或管理员更换。",
                "This QR code's signature is wrong and cannot be used for patrols. "
                "Please report this label to your supervisor or admin for replacement.",
            ),
        )
    if int(version) != checkpoint.label_version:
        return _replaced_label_page(checkpoint.code)
    return None


def _is_retired(code: str) -> bool:
    return (
        db.session.scalar(select(RetiredCode.id).where(RetiredCode.code == code.upper()))
        is not None
    )


def _replaced_label_page(code: str) -> Response:
    # Never name the checkpoint or its new code here: this label may be a copy.
    return _page(
        410,
        ("此标签已作废", "This label has been replaced"),
        (
            f"标签 {code.upper()} 已换发新标签，此标签已作废，不能再用于巡查。"
            "请将它报告给主管或管理员。",
            f"Label {code.upper()} was replaced by a new one and no longer works for patrols. "
            "Please report this label to your supervisor or admin.",
        ),
    )


@web.get("/")
@web.get("/<page:path>")
def index(path: str = "") -> Response:
    """Serve the built web app (its files, or index.html for its own routes)."""
    if path and (WEB_DIST / path).is_file():
        return _static_file(path)
    if path.startswith("assets/"):
        abort(404)  # an old build's file: HTML in its place would break the page that asked
    spa = _spa_index()
    if spa is not None:
        return spa
    return _page(
        200,
        ("Patrol 物业巡查", "Patrol — property inspections"),
        (
            "服务已运行。接口文档见 /api/docs。",
            "The server is running. API documentation: /api/docs.",
        ),
    )
