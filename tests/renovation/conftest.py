"""A renovation checklist at property A, and helpers to walk a permit."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories
from tests.inspections.conftest import checklist  # noqa: F401
from tests.tickets.conftest import as_role, failed_ticket  # noqa: F401


@pytest.fixture
def renovation_checklist(world):
    """The renovation_unit checklist: debris storage and load-bearing walls."""
    factories.routing_rule(world.a.prop, world.a.department, "renovation")
    tpl = factories.template(
        world.a.prop,
        kind="renovation_unit",
        items=[
            {
                "text_zh": "装修垃圾袋装并堆放在指定地点",
                "text_en": "Debris bagged and stored where allowed",
                "category": "renovation",
            },
            {
                "text_zh": "未拆改承重墙",
                "text_en": "Load-bearing walls untouched",
                "category": "renovation",
                "severity": "critical",
            },
        ],
    )
    db.session.commit()
    return tpl


def permit_body(world, **extra) -> dict:
    return {
        "unit_id": world.a.unit.id,
        "owner_name": "陈先生",
        "owner_phone": "13900001111",
        "contractor": "湛江美家装饰有限公司",
        "contractor_contact": "刘工",
        "contractor_phone": "13800002222",
        "workers": 4,
        "planned_start": "2026-11-20",
        "planned_end": "2027-01-20",
        "scope": "水电改造、铺地砖、吊顶",
        "deposit_cents": 300000,
        **extra,
    }
