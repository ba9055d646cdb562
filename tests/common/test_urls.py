"""URL converters: an id beyond 32 bits or a control character is no match at all (a 404)."""

from __future__ import annotations

import re

import pytest

from app.common.fields import INT_MAX
from app.common.http import decimal_up_to


@pytest.mark.parametrize("limit", [0, 7, 10, 99, 100, 305, INT_MAX])
def test_decimal_up_to_matches_exactly_the_numbers_up_to_the_limit(limit):
    pattern = re.compile(decimal_up_to(limit) + r"\Z")
    for number in {
        *range(min(limit + 50, 1000)),
        limit,
        limit + 1,
        limit * 10,
        10 ** len(str(limit)),
    }:
        assert bool(pattern.match(str(number))) == (number <= limit), number


@pytest.mark.parametrize("path", ["/api/v1/zones/1%01", "/api/v1/checkpoints/by-code/A%00"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_control_character_in_a_path_is_404_whatever_the_method(admin_client, path, method):
    resp = getattr(admin_client, method)(path, json={})
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"


@pytest.fixture
def admin_client(world, login):
    return login(world.a.users["admin"])
