"""Security headers on every response: one policy, set in one place (an after_request hook)."""

from __future__ import annotations

from flask import Flask, Response, current_app

# What the phone app, the back office, the label pages and the API docs need, and no more.
# Checked in a real browser by tests/e2e/test_security_headers.py (zero violations).
CSP_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    # No inline script and no eval anywhere: Vite emits only <script src>, the service worker
    # is registered from main.js, the API docs start from /static/docs.js.
    "script-src": "'self'",
    # No 'unsafe-inline': every style is a file. Vue and Vant set style through the CSSOM
    # (element.style), which CSP does not govern; only style="" in markup and <style> elements
    # would need it, and the app's build and pages have none.
    "style-src": "'self'",
    # Vant's icon font is embedded in its CSS as a data: URL.
    "font-src": "'self' data:",
    # blob: photo previews before upload (URL.createObjectURL); data: inline SVG in CSS.
    "img-src": "'self' blob: data:",
    # qr-scanner's decoder runs in a worker made from a blob: URL; the service worker is /sw.js.
    "worker-src": "'self' blob:",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSP = "; ".join(f"{name} {value}" for name, value in CSP_DIRECTIVES.items())

HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    # A label's URL carries its signature (/c/<code>?v=&s=): never send it to another origin.
    # Not no-referrer: with it a same-origin form post says Origin: null, which the CSRF check
    # refuses when Sec-Fetch-Site is missing (app/auth/csrf.py).
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # The scanner films with the camera and an inspection may carry GPS; nothing else.
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
}


def hsts_header(app: Flask) -> str | None:
    """Return the Strict-Transport-Security value, or None where HTTPS is not promised.

    Only a production config with an https:// public address turns it on: behind Caddy the app
    itself sees plain http, and a browser ignores the header on a plain-http answer anyway.
    """
    seconds = int(app.config.get("SECURITY_HSTS_SECONDS") or 0)
    if seconds <= 0 or not str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        return None
    return f"max-age={seconds}"


def set_security_headers(response: Response) -> Response:
    """Add the security headers a response does not already set."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    hsts = current_app.extensions.get("patrol_hsts")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def init_app(app: Flask) -> None:
    """Send the security headers on every response, errors and static files included."""
    app.extensions["patrol_hsts"] = hsts_header(app)
    app.after_request(set_security_headers)
