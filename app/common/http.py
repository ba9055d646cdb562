"""Request guards shared by every API route."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def limit_json_body() -> None:
    """Refuse JSON bodies over MAX_JSON_BYTES before anything parses them."""
    if not request.path.startswith("/api/") or request.mimetype != "application/json":
        return
    length = request.content_length
    if length is not None and length > current_app.config["MAX_JSON_BYTES"]:
        raise RequestEntityTooLarge()
