"""The demo ships shifts and plans for every zone, and past patrols on request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.common.models import utcnow
from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import Property, Zone
from app.plans.models import PlanVersion, Shift, Slot
from app.plans.sweep import materialize
from seed.history import generate_history
from seed.loader import load_demo
from seed.plans import load_demo_plans, local_midnight


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_plans_cover_every_zone_and_load_once(app):
    load_demo("demo-pass-123")
    prop = db.session.scalar(select(Property))
    now = utcnow()
    assert load_demo_plans(prop, local_midnight(prop, now)) == {"shifts": 4, "plans": 10}
    materialize(now)
    db.session.commit()
    assert load_demo_plans(prop, local_midnight(prop, now)) == {"shifts": 0, "plans": 0}
    shifts = {
        s.code: (s.role, s.start_minute, s.end_minute) for s in db.session.scalars(select(Shift))
    }
    assert shifts["early"] == ("assistant", 510, 1050)
    assert shifts["fd-early"] == ("frontdesk", 480, 960)
    planned = {z for z in db.session.scalars(select(PlanVersion.zone_id)) if z is not None}
    assert planned == set(db.session.scalars(select(Zone.id)))
    today = _count(
        Slot,
        Slot.window_start >= local_midnight(prop, now),
        Slot.window_start < local_midnight(prop, now) + timedelta(days=1),
    )
    assert today > 100


def test_history_has_misses_and_late_visits_and_runs_once(app):
    load_demo("demo-pass-123")
    prop = db.session.scalar(select(Property))
    now = utcnow()
    load_demo_plans(prop, local_midnight(prop, now))
    counts = generate_history(prop, 3, now)
    assert counts["history_inspections"] > 300
    db.session.commit()
    # Windows closed before today; a monthly window that began on the 1st may still be open.
    past = Slot.due_at < local_midnight(prop, now)
    statuses = dict(
        db.session.execute(
            select(Slot.status, func.count()).where(past).group_by(Slot.status)
        ).all()
    )
    assert statuses.get("pending", 0) == 0
    assert statuses["done_on_time"] > 5 * statuses["missed"] > 0
    assert statuses["done_late"] > 0
    assert generate_history(prop, 3, now) == {"history_inspections": 0}
    assert _count(Inspection) == counts["history_inspections"]


def test_flask_seed_demo_with_history(app):
    result = app.test_cli_runner().invoke(
        args=["seed", "demo", "--password", "cli-pass-123", "--history", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "shifts=4" in result.output and "plans=10" in result.output
    assert "history_inspections=" in result.output
