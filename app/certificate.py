"""The /ca page: how a phone comes to trust the LAN trial's HTTPS (Caddy's local root)."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template_string

from app.common.public_url import public_base_url

certificate = Blueprint("certificate", __name__)

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>安装安全证书 · Patrol 巡查</title>
<link rel="stylesheet" href="/static/ca.css">
</head><body><main>
{% if pem %}
<h1>安装本服务器的安全证书</h1>
<p class="en">Install this server's certificate</p>
<p>手机信任这张证书后，才能用相机扫码、离线巡查、把巡查应用添加到主屏幕。每部手机只需安装一次。</p>
<p class="en">Once the phone trusts this certificate, the camera scanner, offline patrols and
"add to home screen" work. Each phone needs it once.</p>
<a class="button" id="download" href="/ca/root.crt"
 download="patrol-root.crt">下载证书 · Download</a>
<h2>安卓手机</h2>
<ol>
<li>点击上方“下载证书”。</li>
<li>打开“设置”，搜索“证书”，进入“安装证书”→“CA 证书”<span
>（菜单名称因品牌而异，常在“安全”→“加密与凭据”中）。</span></li>
<li>选择刚下载的 <b>patrol-root.crt</b>，确认安装。</li>
<li>用 Chrome 打开 <a href="{{ app_url }}">{{ app_url }}</a>。</li>
</ol>
<p class="en">Android: download, then Settings → search "certificate" → Install certificate → CA
certificate, pick patrol-root.crt, and open the app's address in Chrome.</p>
<h2>苹果手机（iPhone / iPad）</h2>
<ol>
<li>用 <b>Safari</b> 打开本页，点击“下载证书”，选择“允许”下载描述文件。</li>
<li>打开“设置”→“已下载描述文件”→“安装”。</li>
<li>打开“设置”→“通用”→“关于本机”→“证书信任设置”，<span
>打开对 <b>Caddy Local Authority</b> 的完全信任。</span></li>
<li>用 Safari 打开 <a href="{{ app_url }}">{{ app_url }}</a>。</li>
</ol>
<p class="en">iPhone: in Safari, download and allow the profile; Settings → Profile Downloaded →
Install; Settings → General → About → Certificate Trust Settings → turn on full trust; then open
the app's address in Safari.</p>
<h2>核对证书指纹</h2>
<p>安装前可核对 SHA-256 指纹与管理员电脑上显示的一致：</p>
<p class="en">Before installing, check that the SHA-256 fingerprint matches the one the admin's
computer shows:</p>
<p><code id="fingerprint">{{ fingerprint }}</code></p>
{% else %}
<h1>此服务器没有本地证书</h1>
<p class="en">This server has no local certificate</p>
<p>只有通过 <code>make lan</code> 在局域网试用时，才需要在手机上安装证书。<span
>正式部署使用公网域名和自动签发的证书，无需安装。</span></p>
<p class="en">Phones need a certificate only for a LAN trial started with <code>make lan</code>.
A real deployment uses a public domain whose certificate phones already trust.</p>
{% endif %}
</main></body></html>"""


def _root_pem() -> str | None:
    path = current_app.config.get("CA_ROOT_CERT") or ""
    if not path or not Path(path).is_file():
        return None
    pem = Path(path).read_text(encoding="ascii", errors="replace")
    return pem if "BEGIN CERTIFICATE" in pem else None


def _fingerprint(pem: str) -> str:
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@certificate.get("/ca")
def ca_page() -> Response:
    """Explain, in Chinese first, how to install the LAN trial's root certificate on a phone."""
    pem = _root_pem()
    html = render_template_string(
        _PAGE,
        pem=pem,
        fingerprint=_fingerprint(pem) if pem else "",
        app_url=public_base_url(),
    )
    response = Response(html, status=200 if pem else 404, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@certificate.get("/ca/root.crt")
def ca_root() -> Response:
    """Offer the root certificate for download, as phones expect a CA certificate."""
    pem = _root_pem()
    if pem is None:
        return ca_page()
    response = Response(pem, mimetype="application/x-x509-ca-cert")
    response.headers["Content-Disposition"] = 'attachment; filename="patrol-root.crt"'
    response.headers["Cache-Control"] = "no-cache"
    return response
