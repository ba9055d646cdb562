"""Check an answer against what the app's OpenAPI document says of its operation."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask

_loaded: dict[int, Any] = {}


def document(app: Flask) -> Any:
    """Return the app's OpenAPI document loaded by schemathesis (once per app)."""
    if id(app) not in _loaded:
        spec = app.test_client().get("/api/openapi.json").get_json()
        _loaded[id(app)] = schemathesis.openapi.from_dict(spec)
    return _loaded[id(app)]


def assert_documented(app: Flask, method: str, path: str, resp: Any) -> Any:
    """Fail unless the answer's status, content type and body match the document; return JSON."""
    document(app)[path][method.upper()].validate_response(resp)
    return resp.get_json()
