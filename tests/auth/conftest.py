"""Fixtures the auth tests borrow: a published checklist to submit against."""

from tests.inspections.conftest import checklist  # noqa: F401 (a fixture)
