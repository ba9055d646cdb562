"""A site with the seed-000 shifts and a zone of three stairwells; times are injected."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from tests import factories
from tests.plans.helpers import local, shifts

MON = date(2026, 3, 2)  # a Monday
NOW0 = local(date(2026, 3, 1), 23)  # Sunday night: plans made now start on Monday


@pytest.fixture
def site(world):
    """World A with early/middle shifts and three stairwells in its zone."""
    a = world.a
    a.shifts = shifts(a.prop)
    a.checkpoints = [a.checkpoint, factories.checkpoint(a.zone), factories.checkpoint(a.zone)]
    db.session.commit()
    return a
