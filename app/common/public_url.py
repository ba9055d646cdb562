"""The address printed labels and links point at, and whether a phone could ever reach it."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})
LOCALHOST_WARNING = "label_url_localhost"


def public_base_url() -> str:
    """Return PUBLIC_BASE_URL if set, else the request's address, else HOST/PORT's."""
    return resolve_base_url()[0]


def resolve_base_url() -> tuple[str, str]:
    """Return the base URL and where it came from: config, request or environment."""
    explicit = str(current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/"), "config"
    if has_request_context():
        # ProxyFix (TRUSTED_PROXY_HOPS) has already put the proxy's scheme into the environ.
        return request.host_url.rstrip("/"), "request"
    return environment_base_url(os.environ), "environment"


def environment_base_url(environ: Mapping[str, str]) -> str:
    """Return the address a server started with this HOST and PORT is reached at."""
    host = (environ.get("HOST") or "127.0.0.1").strip()
    port = (environ.get("PORT") or "5000").strip()
    if host in WILDCARD_HOSTS:
        host = lan_address()  # bound to every interface: the one a phone on the LAN sees
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}" if port == "80" else f"http://{host}:{port}"


def lan_address() -> str:
    """Return this machine's address on its default route, or 127.0.0.1 if it has none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a UDP connect sends nothing; it picks the route
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def is_local(url: str) -> bool:
    """Tell whether a URL names this machine only (localhost, 127.0.0.1, ::1, 0.0.0.0)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or host in WILDCARD_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def localhost_warning(base_url: str) -> dict[str, Any] | None:
    """Return the warning for labels that would send every phone to itself, or None."""
    if not is_local(base_url):
        return None
    return {
        "code": LOCALHOST_WARNING,
        "base_url": base_url,
        "message_zh": f"标签将指向 {base_url}，这只是本机的地址：手机扫码会打开手机自己，"
        "找不到巡查服务器。请把 PUBLIC_BASE_URL 设为手机能访问的地址（或用该地址打开后台）"
        "后再打印。换了地址之前打印的标签都须重新打印。",
        "message_en": f"Labels would point at {base_url}, an address of this machine only: "
        "a phone scanning them opens itself and never finds the Patrol server. Set "
        "PUBLIC_BASE_URL to an address phones can reach (or open the back office at that "
        "address) before printing. Labels printed under a different address must be "
        "printed again.",
    }
