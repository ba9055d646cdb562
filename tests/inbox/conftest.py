"""The ticket fixtures, borrowed: an inbox message comes from a ticket given to someone."""

from __future__ import annotations

from tests.inspections.conftest import checklist  # noqa: F401
from tests.tickets.conftest import as_role, failed_ticket  # noqa: F401
