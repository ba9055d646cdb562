"""The shared fields refuse what the databases cannot store, naming the field."""

from __future__ import annotations

import pathlib
import re

import pytest
from marshmallow import Schema, ValidationError

from app.common import fields
from app.common.http import MAX_JSON_DEPTH, json_depth
from app.common.schemas import Text


class Sample(Schema):
    number = fields.Integer()
    ids = fields.List(fields.Integer())
    text = fields.String()
    name = Text(20, blank=False)
    when = fields.AwareDateTime()
    day = fields.Date()


def _error(data: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        Sample().load(data)
    return caught.value.messages


@pytest.mark.parametrize("number", [2**31, -(2**31) - 1, 2**63, 1e20, "99999999999999999999"])
def test_integers_beyond_32_bits_are_refused(number):
    assert list(_error({"number": number})) == ["number"]
    assert list(_error({"ids": [1, number]})) == ["ids"]


@pytest.mark.parametrize("number", [2**31 - 1, -(2**31), 0, "42"])
def test_integers_within_32_bits_load(number):
    assert Sample().load({"number": number})["number"] == int(number)


@pytest.mark.parametrize("text", ["\x00", "a\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"])
def test_control_characters_are_refused(text):
    assert list(_error({"text": text})) == ["text"]
    assert list(_error({"name": f"名{text}"})) == ["name"]


def test_tab_and_line_breaks_are_text():
    assert Sample().load({"text": "a\tb\r\nc"})["text"] == "a\tb\r\nc"


@pytest.mark.parametrize("name", ["", " ", "\u3000"])
def test_a_name_that_must_not_be_blank(name):
    assert list(_error({"name": name})) == ["name"]


@pytest.mark.parametrize(
    "data", [{"when": "0001-01-01T00:00:00+14:00"}, {"day": "9999-12-31"}, {"day": "1899-12-31"}]
)
def test_dates_at_the_edge_of_the_calendar_are_refused(data):
    assert list(_error(data)) == list(data)


def test_without_control_characters():
    assert fields.without_control_characters("坏\x01区\x00\t") == "坏区\t"
    assert fields.without_control_characters(3) == 3


@pytest.mark.parametrize(
    "body,depth",
    [
        (b"{}", 1),
        (b'[[1], {"a": [2]}]', 3),
        (b'["[[[[", "\\"[[["]', 1),
        (b"[" * 100_000, MAX_JSON_DEPTH + 1),  # stops counting past the limit
    ],
)
def test_json_depth(body, depth):
    assert json_depth(body) == depth


def test_every_schema_uses_the_shared_fields():
    """marshmallow's own Integer and String would let 2**63 and NUL through to the database."""
    app_dir = pathlib.Path(__file__).parents[2] / "app"
    direct = re.compile(
        r"^from marshmallow(\.fields)? import .*\b(fields|Integer|String|Int|Str)\b", re.M
    )
    offenders = [
        str(path.relative_to(app_dir))
        for path in app_dir.rglob("*.py")
        if path.name != "fields.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
