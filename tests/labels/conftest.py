"""Fixtures for label tests: an admin's client and a zone with enough checkpoints for two pages."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.places.models import Checkpoint
from tests import factories


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


@pytest.fixture
def stairwells(world) -> list[Checkpoint]:
    """Give property A's zone 12 active checkpoints (world's own plus 11) and a retired one."""
    names = [f"{floor}楼楼梯间" for floor in range(1, 12)]
    made = [
        factories.checkpoint(world.a.zone, name_zh=name, name_en=f"Stairwell {name[:-4]}F")
        for name in names
    ]
    factories.checkpoint(world.a.zone, name_zh="旧楼梯间", active=False)
    db.session.commit()
    return [world.a.checkpoint, *made]
