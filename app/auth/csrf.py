"""Refuse state changes that a session cookie would authorise from another site (CSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from app.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a browser says of a request made by the page itself, or typed into the address bar.
OWN_SITE = frozenset({"same-origin", "none"})


def _own_hosts() -> set[str]:
    hosts = {request.host.lower()}
    public = current_app.config.get("PUBLIC_BASE_URL") or ""
    if public:
        hosts.add(urlsplit(public).netloc.lower())
    return hosts


def check_same_origin() -> None:
    """Refuse an unsafe request carrying the session cookie that a browser says came from elsewhere.

    Browsers send Sec-Fetch-Site (or, older ones, Origin) on every such request, multipart
    forms included, and a page cannot forge either; scripts with a bearer token and tools
    such as curl send neither and are not at risk, since no browser holds their credentials.
    """
    if request.method in SAFE_METHODS:
        return
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return
    if request.headers.get("Authorization", "")[:7].lower() == "bearer ":
        return
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None and site not in OWN_SITE:
        _refuse()
    if site is None and origin is not None and origin != "null":
        if urlsplit(origin).netloc.lower() not in _own_hosts():
            _refuse()
    elif site is None and origin == "null":
        _refuse()


def _refuse() -> None:
    raise Forbidden(
        "请求来自其他网站，已拒绝。请在巡查应用内操作。",
        "Refused: this request came from another site. Use the Patrol app itself.",
    )
