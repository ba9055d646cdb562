"""Coverage query time on the large property (bench/gen_large.py) against hand-written SQL.

Run: .venv/bin/python bench/bench_coverage.py --database-url URL [--repeat 30]

Times, on the same connection and in the same run, for a zone × week (the last full Monday-to-
Sunday week, one zone) and a property × month (the last 30 days, every zone, grouped by zone):
- service: app.coverage.service.counts(), the statement behind GET /api/v1/coverage (built with
  SQLAlchemy, executed through the ORM session, rows merged in Python);
- api: app.coverage.service.coverage(), what the route returns (counts, labels, percentages);
- hand SQL: the same aggregate as one hand-written statement on the raw DB-API cursor.
Prints the median and 95th percentile in ms and the ratio service / hand SQL; checks that both
give the same figures. Target: zone × week under 100 ms, within 1.5× of the hand-written SQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STATUSES = ("pending", "done_on_time", "done_late", "done_doubtful", "missed", "excused")
HAND_SQL = """
SELECT s.zone_id, s.expected, {statuses}, COALESCE(v.extra, 0) AS extra
FROM (
    SELECT zone_id, COUNT(*) AS expected, {sums}
    FROM slot
    WHERE property_id = {p} AND local_day >= {a} AND local_day <= {b} {zone}
    GROUP BY zone_id
) AS s
LEFT JOIN (
    SELECT zone_id, COUNT(*) AS extra
    FROM visit
    WHERE property_id = {p} AND local_day >= {a} AND local_day <= {b} {zone}
      AND slot_id IS NULL AND standing <> 'rejected'
    GROUP BY zone_id
) AS v ON v.zone_id = s.zone_id
"""


def hand_sql(mark: str, with_zone: bool) -> str:
    """Return the hand-written aggregate with the driver's parameter marks."""
    sums = ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in STATUSES)
    return HAND_SQL.format(
        statuses=", ".join(f"s.{s}" for s in STATUSES),
        sums=sums,
        p=mark,
        a=mark,
        b=mark,
        zone=f"AND zone_id = {mark}" if with_zone else "",
    )


def timed(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, float, Any]]:
    """Return {name: (median ms, p95 ms, last result)}, runs interleaved after warm-ups."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, Any] = {}
    for n in range(repeat + 3):
        for name, fn in fns.items():
            begun = time.perf_counter()
            results[name] = fn()
            if n >= 3:  # the first rounds warm caches up
                runs[name].append((time.perf_counter() - begun) * 1000)
    out = {}
    for name, times in runs.items():
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        out[name] = (statistics.median(times), p95, results[name])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="as printed by gen_large.py")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()

    from flask import g
    from sqlalchemy import func, select

    from app import create_app
    from app.auth.models import User
    from app.config import Config
    from app.extensions import db
    from app.places.models import Property, Zone
    from app.plans.models import Slot

    app = create_app(
        Config, SQLALCHEMY_DATABASE_URI=args.database_url, INSTANCE_DIR=tempfile.mkdtemp()
    )
    with app.test_request_context():
        prop = db.session.scalar(select(Property).where(Property.code == "BIG"))
        assert prop is not None, "no large property: run bench/gen_large.py first"
        g.user = db.session.scalar(select(User).where(User.username == "big0"))
        zones = list(db.session.scalars(select(Zone.id).where(Zone.property_id == prop.id)))
        zone = zones[len(zones) // 2]
        last = db.session.scalar(select(func.max(Slot.local_day)))
        sunday = last - timedelta(days=(last.weekday() + 1) % 7)
        cases = {
            "zone × week": (sunday - timedelta(days=6), sunday, zone),
            "property × month": (last - timedelta(days=29), last, None),
        }
        dialect = db.engine.dialect.name
        print(f"{dialect}: {db.session.scalar(select(func.count()).select_from(Slot)):,} slots")
        for name, (first, end, zone_id) in cases.items():
            report(name, prop.id, first, end, zone_id, args.repeat, dialect)


def report(
    name: str, prop_id: int, first: date, last: date, zone_id: int | None, repeat: int, dialect: str
) -> None:
    """Time the three ways for one case and print them."""
    from app.coverage import service
    from app.extensions import db

    raw = db.session.connection().connection.driver_connection
    mark = "%s" if dialect == "postgresql" else "?"
    sql = hand_sql(mark, zone_id is not None)
    bounds = (first, last) if dialect == "postgresql" else (first.isoformat(), last.isoformat())
    params = [prop_id, *bounds] + ([zone_id] if zone_id else [])
    params = params + params  # both halves of the join

    def by_hand() -> list[tuple]:
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.close()
        return rows

    args = {"property_id": prop_id, "from_": first, "to": last, "group_by": "zone"}
    if zone_id:
        args["zone_id"] = zone_id
    got = timed(
        {
            "service": lambda: service.counts(prop_id, first, last, "zone", zone_id),
            "api": lambda: service.coverage(dict(args)),
            "hand": by_hand,
        },
        repeat,
    )
    (s_med, s_p95, counted), (a_med, a_p95, _), (h_med, h_p95, rows) = got.values()
    by_zone = {r[0]: tuple(int(v) for v in r[1:]) for r in rows}
    mine = {k: tuple(v[c] for c in ("expected", *STATUSES, "extra")) for k, v in counted.items()}
    assert mine == by_zone, f"figures differ: {mine} != {by_zone}"
    slots = sum(v[0] for v in by_zone.values())
    print(
        f"  {name:17} {first}..{last} ({slots:,} slots): service {s_med:.1f} ms (p95 {s_p95:.1f}),"
        f" api {a_med:.1f} ms (p95 {a_p95:.1f}), hand SQL {h_med:.1f} ms (p95 {h_p95:.1f});"
        f" service/hand {s_med / h_med:.2f}×, api/hand {a_med / h_med:.2f}×"
    )


if __name__ == "__main__":
    main()
