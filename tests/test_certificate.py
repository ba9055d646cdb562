"""The /ca page a phone opens during a LAN trial, and the proxy settings make lan relies on."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import request

from app import create_app
from app.config import TestConfig

ROOT_CERT = Path(__file__).parent / "data" / "caddy-root.crt"
# openssl x509 -in tests/data/caddy-root.crt -noout -fingerprint -sha256
FINGERPRINT = (
    "D5:B8:2D:50:46:D9:41:AC:9A:45:9E:C2:9C:52:34:E9:"
    "E0:AA:93:8E:6C:96:B6:92:02:3B:64:76:2A:62:3A:E2"
)


def test_the_page_explains_in_chinese_how_to_install_the_root(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "CA_ROOT_CERT", str(ROOT_CERT))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://192.168.1.20:8443")
    resp = client.get("/ca")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    for words in ("安装本服务器的安全证书", "安卓手机", "苹果手机", "证书信任设置", "下载证书"):
        assert words in page, words
    assert "Install this server's certificate" in page
    assert FINGERPRINT in page  # what the admin's computer shows, to compare before trusting
    assert "https://192.168.1.20:8443" in page  # where to go once it is installed


def test_the_root_downloads_as_a_ca_certificate(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "CA_ROOT_CERT", str(ROOT_CERT))
    resp = client.get("/ca/root.crt")
    assert resp.status_code == 200
    assert resp.mimetype == "application/x-x509-ca-cert"  # what Android and iOS install from
    assert "patrol-root.crt" in resp.headers["Content-Disposition"]
    body = resp.get_data(as_text=True)
    assert body == ROOT_CERT.read_text()
    der = base64.b64decode("".join(line for line in body.splitlines() if "-----" not in line))
    assert hashlib.sha256(der).hexdigest().upper() == FINGERPRINT.replace(":", "")


def test_without_a_lan_trial_the_page_says_so(client, monkeypatch, app, tmp_path):
    for configured in ("", str(tmp_path / "missing.crt")):
        monkeypatch.setitem(app.config, "CA_ROOT_CERT", configured)
        for path in ("/ca", "/ca/root.crt"):
            resp = client.get(path)
            assert resp.status_code == 404
            assert "此服务器没有本地证书" in resp.get_data(as_text=True)


def _whoami_app(hops: int):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", TRUSTED_PROXY_HOPS=hops)
    app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    return app.test_client()


def test_the_proxy_is_believed_only_when_configured():
    headers = {"X-Forwarded-For": "192.168.1.77", "X-Forwarded-Proto": "https"}
    behind_caddy = _whoami_app(1).get("/_whoami", headers=headers)
    assert behind_caddy.get_data(as_text=True) == "192.168.1.77 https"
    # Without a proxy anyone could claim any address (and dodge the per-address login limit).
    direct = _whoami_app(0).get("/_whoami", headers=headers)
    assert direct.get_data(as_text=True) == "127.0.0.1 http"
