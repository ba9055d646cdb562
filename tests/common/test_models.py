"""The shared model helpers."""

from __future__ import annotations

from app.common.models import assign
from app.extensions import db
from tests import factories


def test_assign_moves_a_loaded_relationship_with_its_foreign_key(world):
    staff = world.a.users["staff"]
    old, new = world.a.department, factories.department(world.a.prop, code="CLN")
    db.session.flush()
    assert staff.department is old  # loaded before the change, as a request would have it
    assign(staff, {"department_id": new.id, "display_name": "李师傅"})
    assert staff.department is new and staff.display_name == "李师傅"


def test_assign_leaves_a_relationship_set_by_itself(world):
    staff = world.a.users["staff"]
    new = factories.department(world.a.prop, code="CLN")
    db.session.flush()
    assign(staff, {"department": new})
    assert staff.department is new
