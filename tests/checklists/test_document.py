"""What the OpenAPI document says of a checklist's names is what the API enforces."""

from __future__ import annotations

import pytest

from tests.openapi import assert_documented


@pytest.mark.parametrize("schema", ["TemplatePatch", "Template", "Publish"])
def test_the_document_says_a_chinese_name_needs_more_than_white_space(client, schema):
    spec = client.get("/api/openapi.json").get_json()
    name_zh = spec["components"]["schemas"][schema]["properties"]["name_zh"]
    assert name_zh["minLength"] == 1 and name_zh["pattern"] == r"\S"
    assert "pattern" not in spec["components"]["schemas"][schema]["properties"]["name_en"]


def test_a_blank_chinese_name_is_refused_as_the_document_says(app, world, login):
    admin = login(world.a.users["admin"])
    path = f"/api/v1/checklists/{world.a.template.id}"
    resp = admin.patch(path, json={"name_zh": " "})
    assert resp.status_code == 422
    assert list(assert_documented(app, "patch", "/api/v1/checklists/{obj_id}", resp)["errors"]) == [
        "name_zh"
    ]
    resp = admin.patch(path, json={"name_zh": " 楼梯间 "})
    assert (
        assert_documented(app, "patch", "/api/v1/checklists/{obj_id}", resp)["name_zh"] == "楼梯间"
    )
