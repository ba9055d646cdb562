"""Generate a large property for the coverage benchmark: one year of patrols, in bulk.

Run: .venv/bin/python bench/gen_large.py [--database-url URL] [--scale 1.0]
     [--checkpoints 2000] [--inspections 2000000] [--items 10] [--verify 20]

At scale 1: 2,000 checkpoints in 20 zones, a plan per zone for both assistant shifts (early
08:30–17:30, middle 13:00–21:00, 30 min grace), 365 days of slots (1.46 million), 2 million
inspections with 10 item results each (20 million) and their visit rows. --scale shrinks the
days and the inspections together (0.1 → 37 days, 200,000 inspections); the zone and month
queries the benchmark times keep their shape at any scale.

Slots are written with the statuses the matcher would give them (about 90% on time, 4% late,
6% missed, a tenth of the misses excused); scans beyond the planned ones are extra visits at
night. --verify N re-runs the real matcher over N random checkpoint-days and checks it agrees.
SQLite gets executemany on the raw driver; PostgreSQL gets COPY (each run in schema
patrol_bench). Prints the database URL to hand to bench_coverage.py.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = date(2025, 1, 6)  # a Monday
EARLY, MIDDLE, GRACE = (510, 1050), (780, 1260), 30
STATUS_DRAW = ((0.90, "done_on_time"), (0.94, "done_late"), (1.0, "missed"))
ASSISTANTS = 10
PER_ZONE = 100


def pg_url(url: str) -> str:
    """Give the run a fresh PostgreSQL schema and return a URL that uses it."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS patrol_bench CASCADE")
        conn.execute("CREATE SCHEMA patrol_bench")
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dpatrol_bench"


def make_app(url: str) -> Any:
    """Return the Patrol app on that database, migrated."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=tempfile.mkdtemp())
    with app.app_context():
        upgrade()
    return app


def build_places(checkpoints: int, start: datetime, end: datetime) -> dict[str, Any]:
    """Create the property, zones, checkpoints, checklist, users, shifts and plans (ORM)."""
    from app.auth.models import User
    from app.checklists.service import add_template
    from app.extensions import db
    from app.places.models import Checkpoint, Company, Property, Zone
    from app.plans.models import Plan, PlanVersion, Shift

    company = Company(name="大型物业")
    db.session.add(company)
    db.session.flush()
    prop = Property(
        company_id=company.id, code="BIG", name="大型示范小区", timezone="Asia/Shanghai"
    )
    db.session.add(prop)
    db.session.flush()
    items = [
        {
            "text_zh": f"检查项{n}",
            "text_en": f"Item {n}",
            "category": "cleaning",
            "answer_type": "pass_fail",
            "required": True,
            "photo_required_on_fail": False,
            "severity": "medium",
            "min_value": None,
            "max_value": None,
            "unit": None,
        }
        for n in range(ITEMS)
    ]
    template = add_template(
        {
            "property_id": prop.id,
            "kind": "stairwell",
            "name_zh": "楼梯间",
            "name_en": "Stairwell",
            "items": items,
        }
    )
    users = []
    for n in range(ASSISTANTS):
        user = User(
            company_id=company.id,
            username=f"big{n}",
            display_name=f"助理{n}",
            password_hash="x",
            role="assistant",
        )
        user.properties = [prop]
        users.append(user)
    db.session.add_all(users)
    shifts = [
        Shift(
            property_id=prop.id, code=c, name_zh=z, role="assistant", start_minute=s, end_minute=e
        )
        for c, z, (s, e) in (("early", "早班", EARLY), ("middle", "中班", MIDDLE))
    ]
    db.session.add_all(shifts)
    zones, cps, versions = [], [], []
    for z in range(max(1, checkpoints // PER_ZONE)):
        zone = Zone(property_id=prop.id, kind="building", name_zh=f"{z + 1}幢")
        db.session.add(zone)
        db.session.flush()
        zones.append(zone)
        count = min(PER_ZONE, checkpoints - z * PER_ZONE)
        cps += [
            Checkpoint(
                property_id=prop.id,
                zone_id=zone.id,
                kind="stairwell",
                name_zh=f"{z + 1}幢 {n + 1}F",
                code=f"B{z:03d}{n:03d}",
            )
            for n in range(count)
        ]
        plan = Plan(property_id=prop.id)
        db.session.add(plan)
        db.session.flush()
        owner = users[z % ASSISTANTS]
        versions.append(
            PlanVersion(
                plan_id=plan.id,
                property_id=prop.id,
                number=1,
                name_zh=f"{z + 1}幢每班巡查",
                zone_id=zone.id,
                frequency="shift",
                shift_ids=[shifts[0].id, shifts[1].id],
                grace_minutes=GRACE,
                assignee_ids=[owner.id],
                valid_from=start,
                materialized_until=end,
            )
        )
    db.session.add_all(cps + versions)
    db.session.flush()
    db.session.commit()
    return {
        "property": prop.id,
        "template": template.current_version.id,
        "items": [i.id for i in template.current_version.items],
        "cps": [(c.id, c.zone_id, c.code) for c in cps],
        "versions": {v.zone_id: (v.plan_id, v.id, v.assignee_ids[0]) for v in versions},
        "shifts": [s.id for s in shifts],
        "users": [u.id for u in users],
    }


ITEMS = 10


class Writer:
    """Bulk rows into SQLite (executemany) or PostgreSQL (COPY)."""

    COLUMNS = {
        "inspection": (
            "id",
            "client_uuid",
            "property_id",
            "checkpoint_id",
            "checklist_version_id",
            "user_id",
            "code",
            "label_version",
            "scanned_at",
            "submitted_at",
            "received_at",
            "failed_count",
        ),
        "item_result": ("inspection_id", "item_id", "outcome"),
        "slot": (
            "id",
            "property_id",
            "plan_id",
            "plan_version_id",
            "checkpoint_id",
            "zone_id",
            "shift_id",
            "assignee_id",
            "local_day",
            "window_start",
            "window_end",
            "due_at",
            "status",
            "inspection_id",
            "done_at",
            "done_by_id",
            "excused_at",
            "excused_by_id",
            "excuse_reason",
            "created_at",
        ),
        "visit": (
            "inspection_id",
            "property_id",
            "checkpoint_id",
            "zone_id",
            "user_id",
            "scanned_at",
            "local_day",
            "slot_id",
        ),
    }

    def __init__(self, engine: Any) -> None:
        self.conn = engine.raw_connection()
        self.pg = engine.dialect.name == "postgresql"
        if not self.pg:
            cur = self.conn.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.close()

    def value(self, v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat() if self.pg else v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        return v

    def write(self, table: str, rows: list[tuple]) -> None:
        cols = self.COLUMNS[table]
        cur = self.conn.cursor()
        plain = table == "item_result"  # integers and text only: nothing to convert
        if self.pg:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row if plain else [self.value(v) for v in row])
        else:
            if not self.conn.driver_connection.in_transaction:
                # The app's engine runs SQLite in autocommit; one transaction per batch.
                cur.execute("BEGIN")
            marks = ", ".join("?" * len(cols))
            cur.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                rows if plain else [[self.value(v) for v in row] for row in rows],
            )
        cur.close()

    def commit(self) -> None:
        self.conn.commit()

    def finish(self) -> None:
        cur = self.conn.cursor()
        if self.pg:
            for table, column in (("inspection", "id"), ("slot", "id"), ("item_result", "id")):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"COALESCE((SELECT max({column}) FROM {table}), 1))"
                )
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
        cur.close()
        self.conn.commit()
        self.conn.close()


def local_at(day: date, minute: float) -> datetime:
    """Return the UTC moment of a Shanghai wall-clock minute (no DST there)."""
    from zoneinfo import ZoneInfo

    from app.plans.expand import at_local

    whole = int(minute)
    return at_local(day, whole, ZoneInfo("Asia/Shanghai")) + timedelta(
        seconds=(minute - whole) * 60
    )


class Generator:
    """Write one day at a time: slots with their outcome, scans, answers and visit rows."""

    def __init__(
        self, places: dict[str, Any], writer: Writer, extra_per_day: int, seed: int
    ) -> None:
        self.p, self.w, self.extra = places, writer, extra_per_day
        self.rng = random.Random(seed)
        self.inspection_id = self.slot_id = 0
        self.counts = dict.fromkeys(("slots", "inspections", "item_results"), 0)

    def day(self, day: date) -> None:
        slots: list[tuple] = []
        scans: list[tuple] = []  # (checkpoint, zone, code, user, moment, slot id)
        for index, (start, end) in enumerate((EARLY, MIDDLE)):
            shift_id = self.p["shifts"][index]
            ws, we = local_at(day, start), local_at(day, end)
            due = we + timedelta(minutes=GRACE)
            # Scans inside the part of a window no other slot of the day overlaps, so the matcher
            # gives each scan to the slot it was drawn for.
            lo, hi = (start, MIDDLE[0]) if index == 0 else (EARLY[1] + GRACE, end)
            for cp_id, zone_id, code in self.p["cps"]:
                plan_id, version_id, owner = self.p["versions"][zone_id]
                self.slot_id += 1
                status = self._status()
                moment = inspection_id = excused = None
                if status == "done_on_time":
                    moment = local_at(day, self.rng.uniform(lo + 1, hi - 1))
                elif status == "done_late":
                    moment = we + timedelta(minutes=self.rng.uniform(1, GRACE - 1))
                elif self.rng.random() < 0.1:
                    status, excused = "excused", ws
                if moment is not None:
                    inspection_id = self.inspection_id + len(scans) + 1
                    scans.append((cp_id, zone_id, code, owner, moment, self.slot_id))
                slots.append(
                    (
                        self.slot_id,
                        self.p["property"],
                        plan_id,
                        version_id,
                        cp_id,
                        zone_id,
                        shift_id,
                        owner,
                        day,
                        ws,
                        we,
                        due,
                        status,
                        inspection_id,
                        moment,
                        owner if moment else None,
                        excused,
                        self.p["users"][0] if excused else None,
                        "检修封闭" if excused else None,
                        ws - timedelta(days=1),
                    )
                )
        for _ in range(self.extra):  # night scans: outside every window and grace
            cp_id, zone_id, code = self.rng.choice(self.p["cps"])
            moment = local_at(day, self.rng.uniform(21 * 60 + 40, 32 * 60 + 20))
            scans.append((cp_id, zone_id, code, self.rng.choice(self.p["users"]), moment, None))
        self._scans(scans, slots)
        self.counts["slots"] += len(slots)

    def _status(self) -> str:
        draw = self.rng.random()
        return next(status for limit, status in STATUS_DRAW if draw < limit)

    def _scans(self, scans: list[tuple], slots: list[tuple]) -> None:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo("Asia/Shanghai")
        prop, version, items = self.p["property"], self.p["template"], self.p["items"]
        inspections, visits, results = [], [], []
        for cp_id, zone_id, code, user, moment, slot_id in scans:
            self.inspection_id += 1
            n = self.inspection_id
            inspections.append(
                (
                    n,
                    f"00000000-0000-4000-8000-{n:012d}",
                    prop,
                    cp_id,
                    version,
                    user,
                    code,
                    1,
                    moment,
                    moment,
                    moment + timedelta(seconds=30),
                    0,
                )
            )
            visits.append(
                (n, prop, cp_id, zone_id, user, moment, moment.astimezone(tz).date(), slot_id)
            )
            results += [(n, item, "pass") for item in items]
        self.w.write("inspection", inspections)
        self.w.write("item_result", results)
        self.w.write("slot", slots)  # after the scans they point at, before the visits
        self.w.write("visit", visits)
        self.counts["inspections"] += len(inspections)
        self.counts["item_results"] += len(results)


def _state(cp_id: int, lo: datetime, hi: datetime) -> tuple:
    """Return the slots (status, scan) and visits (slot) of a checkpoint between lo and hi."""
    from app.extensions import db
    from app.plans.models import Slot, Visit

    slots = db.session.query(Slot).filter(
        Slot.checkpoint_id == cp_id, Slot.window_start >= lo, Slot.window_start < hi
    )
    visits = db.session.query(Visit).filter(
        Visit.checkpoint_id == cp_id, Visit.scanned_at >= lo, Visit.scanned_at < hi
    )
    return (
        sorted((s.id, s.status, s.inspection_id) for s in slots),
        sorted((v.inspection_id, v.slot_id) for v in visits),
    )


def verify(app: Any, places: dict[str, Any], days: int, samples: int, seed: int) -> None:
    """Re-run the real matcher over random checkpoint-days and check it agrees."""
    from app.extensions import db
    from app.plans.matching import rematch

    rng = random.Random(seed)
    with app.app_context():
        for _ in range(samples):
            cp_id = rng.choice(places["cps"])[0]
            day = START + timedelta(days=rng.randrange(days))
            lo, hi = local_at(day, 0), local_at(day, 33 * 60)

            before = _state(cp_id, lo, hi)
            rematch(cp_id, lo, hi, now=datetime.now(UTC))
            after = _state(cp_id, lo, hi)
            db.session.rollback()
            if before != after:
                raise SystemExit(f"matcher disagrees on checkpoint {cp_id} {day}: {before} {after}")
    print(f"verified: the matcher agrees on {samples} random checkpoint-days")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the year (and scans)")
    parser.add_argument("--checkpoints", type=int, default=2000)
    parser.add_argument("--inspections", type=int, default=2_000_000, help="at scale 1")
    parser.add_argument("--verify", type=int, default=20, help="checkpoint-days to re-match")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='patrol-bench-')}/large.db"
    if url.startswith("postgresql"):
        url = pg_url(url)
    days = max(7, round(365 * args.scale))
    begun = time.perf_counter()
    app = make_app(url)
    from app.extensions import db

    start = local_at(START, 0)
    with app.app_context():
        places = build_places(args.checkpoints, start, start + timedelta(days=days))
        planned = days * 2 * len(places["cps"]) * 0.94
        extra = max(0, round((args.inspections * days / 365 - planned) / days))
        writer = Writer(db.engine)
        gen = Generator(places, writer, extra, args.seed)
        for n in range(days):
            gen.day(START + timedelta(days=n))
            if n % 30 == 29:
                writer.commit()
                print(f"  day {n + 1}/{days}: {gen.counts} ({time.perf_counter() - begun:.0f} s)")
        writer.finish()
    verify(app, places, days, args.verify, args.seed)
    print(
        f"generated {days} days from {START}: {gen.counts} in {time.perf_counter() - begun:.0f} s"
    )
    print(f"DATABASE_URL={url}")


if __name__ == "__main__":
    main()
