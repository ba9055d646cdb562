"""Check an answer against what the app's OpenAPI document says of its operation."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask

_loaded: dict[int, tuple[dict[str, Any], Any]] = {}


def document(app: Flask) -> tuple[dict[str, Any], Any]:
    """Return the app's OpenAPI document, raw and loaded by schemathesis (once per app)."""
    if id(app) not in _loaded:
        spec = app.test_client().get("/api/openapi.json").get_json()
        _loaded[id(app)] = spec, schemathesis.openapi.from_dict(spec)
    return _loaded[id(app)]


def assert_documented(app: Flask, method: str, path: str, resp: Any) -> Any:
    """Fail unless the answer's status, content type and body match the document; return JSON."""
    spec, loaded = document(app)
    responses = spec["paths"][path][method.lower()]["responses"]
    documented = responses.get(str(resp.status_code)) or responses.get("default")
    assert documented, f"{method} {path}: {resp.status_code} is not documented"
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    if resp.data:
        assert resp.mimetype in documented.get("content", {}), (
            f"{method} {path}: {resp.status_code} answered {resp.mimetype}, "
            f"documented {sorted(documented.get('content', {}))}"
        )
    loaded[path][method.upper()].validate_response(resp)
    return resp.get_json(silent=True)
