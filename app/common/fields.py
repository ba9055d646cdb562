# The star import below is then overridden on purpose, and the date fields mix in one message
# table: both are what this module is for, so mypy is told not to flag them here.
# mypy: disable-error-code="no-redef,misc"
"""marshmallow's fields, with integers, strings and dates the databases (and Python) can store.

Schemas import ``fields`` from here instead of from marshmallow. PostgreSQL's INTEGER is 32-bit
and refuses NUL in text, so an integer out of range or a string with a control character would
reach the database and come back as a 500; these fields refuse them as 422 naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow.fields import *  # noqa: F403 (the rest of marshmallow's fields, unchanged)
from marshmallow.fields import AwareDateTime as _AwareDateTime
from marshmallow.fields import Date as _Date
from marshmallow.fields import DateTime as _DateTime
from marshmallow.fields import Integer as _Integer
from marshmallow.fields import NaiveDateTime as _NaiveDateTime
from marshmallow.fields import String as _String

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL INTEGER (ids are 1..INT_MAX)

# C0 control characters except tab, line feed and carriage return: PostgreSQL refuses NUL,
# openpyxl refuses the rest, and no one types them into a form.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """Tell whether a string holds a character no input field accepts."""
    return CONTROL_CHARACTERS.search(value) is not None


def without_control_characters(value: Any) -> Any:
    """Drop control characters from text written to a file (openpyxl refuses them)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class Integer(_Integer):
    """An integer that fits a 32-bit database column."""

    default_error_messages = {
        "out_of_range": f"Must be between {INT_MIN} and {INT_MAX}.",
    }

    def _validated(self, value: Any) -> int:
        number = super()._validated(value)
        if number is not None and not INT_MIN <= number <= INT_MAX:
            raise self.make_error("out_of_range")
        return number


class String(_String):
    """A string without control characters (tab and line breaks are fine)."""

    default_error_messages = {
        "control": "Control characters are not allowed.",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(result, str) and has_control_characters(result):
            raise self.make_error("control")
        return result


# Far from datetime's limits, so that shifting by a time zone or a day never overflows (a 500).
MIN_YEAR, MAX_YEAR = 1900, 2999


class _Plausible:
    """A date or time between MIN_YEAR and MAX_YEAR."""

    default_error_messages = {
        "out_of_range": f"Must be between the years {MIN_YEAR} and {MAX_YEAR}.",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result is not None and not MIN_YEAR <= result.year <= MAX_YEAR:
            raise self.make_error("out_of_range")  # type: ignore[attr-defined]
        return result


class Date(_Plausible, _Date):
    """A date between MIN_YEAR and MAX_YEAR."""


class DateTime(_Plausible, _DateTime):
    """A date and time between MIN_YEAR and MAX_YEAR."""


class NaiveDateTime(_Plausible, _NaiveDateTime):
    """A time without zone between MIN_YEAR and MAX_YEAR."""


class AwareDateTime(_Plausible, _AwareDateTime):
    """A time with a zone between MIN_YEAR and MAX_YEAR."""


Int = Integer
Str = String
