"""Exports answer the content types the OpenAPI document names."""

from __future__ import annotations

import pytest

from tests.openapi import assert_documented


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_s_content_type_is_documented(app, world, login, fmt):
    resp = login(world.a.users["admin"]).get(
        f"/api/v1/checkpoints/export.{fmt}?property_id={world.a.prop.id}"
    )
    assert resp.status_code == 200
    assert_documented(app, "get", "/api/v1/{what}/export.{fmt}", resp)
