"""Signed label codes: the QR URL carries an HMAC of the code and the label's version."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from flask import current_app

from app.common.public_url import public_base_url

SIGNATURE_CHARS = 12  # 60 bits of base32: not guessable, short enough for a dense QR symbol


def _secret() -> bytes:
    key = current_app.config.get("LABEL_SECRET") or current_app.config["SECRET_KEY"]
    return str(key).encode()


def sign(code: str, version: int) -> str:
    """Return the label signature of a checkpoint code at a label version."""
    message = f"patrol-label:{code.strip().upper()}:{int(version)}".encode()
    digest = hmac.new(_secret(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:SIGNATURE_CHARS].lower()


def verify(code: str, version: int, signature: str) -> bool:
    """Tell whether a signature is the one printed on the label of this code and version."""
    return hmac.compare_digest(sign(code, version), signature.strip().lower())


def signed_url(code: str, version: int) -> str:
    """Return the URL a printed label encodes: /c/<code>?v=<version>&s=<signature>."""
    base = public_base_url()
    query = urlencode({"v": int(version), "s": sign(code, version)})
    return f"{base}/c/{code}?{query}"
