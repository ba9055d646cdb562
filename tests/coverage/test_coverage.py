"""Coverage figures of the hand-computed example (see conftest), grouped five ways."""

from __future__ import annotations

import pytest

URL = "/api/v1/coverage?property_id={p}&from=2026-03-02&to=2026-03-03&group_by={g}"
FIELDS = (
    "expected",
    "done_on_time",
    "done_late",
    "missed",
    "excused",
    "pending",
    "extra",
    "coverage_pct",
    "on_time_pct",
)


def _get(login, scenario, group_by):
    client = login(scenario.site.users["supervisor"])
    resp = client.get(URL.format(p=scenario.site.prop.id, g=group_by))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _rows(body):
    return {row["label_zh"]: tuple(row[f] for f in FIELDS) for row in body["rows"]}


def test_total(scenario, login):
    body = _get(login, scenario, "zone")
    assert tuple(body["total"][f] for f in FIELDS) == (10, 5, 1, 3, 1, 0, 2, 66.7, 55.6)
    assert body["total"]["done"] == 6
    assert (body["from"], body["to"], body["group_by"]) == ("2026-03-02", "2026-03-03", "zone")


def test_by_zone(scenario, login):
    assert _rows(_get(login, scenario, "zone")) == {
        scenario.zone.name_zh: (6, 2, 1, 2, 1, 0, 2, 60.0, 40.0),
        "Z2幢": (4, 3, 0, 1, 0, 0, 0, 75.0, 75.0),
    }


def test_by_day(scenario, login):
    assert _rows(_get(login, scenario, "day")) == {
        "2026-03-02": (5, 3, 1, 1, 0, 0, 0, 80.0, 60.0),
        "2026-03-03": (5, 2, 0, 2, 1, 0, 2, 50.0, 50.0),
    }


def test_by_shift(scenario, login):
    assert _rows(_get(login, scenario, "shift")) == {
        "早班": (2, 2, 0, 0, 0, 0, 0, 100.0, 100.0),
        "中班": (2, 1, 0, 1, 0, 0, 0, 50.0, 50.0),
        "班次外": (6, 2, 1, 2, 1, 0, 2, 60.0, 40.0),
    }


def test_by_assignee(scenario, login):
    body = _get(login, scenario, "assignee")
    walker = scenario.site.users["assistant"]
    assert _rows(body) == {
        walker.display_name: (6, 2, 1, 2, 1, 0, 2, 60.0, 40.0),
        "物业助理（角色）": (4, 3, 0, 1, 0, 0, 0, 75.0, 75.0),
    }
    assert {row["key"] for row in body["rows"]} == {walker.id, "role:assistant"}


def test_by_checkpoint(scenario, login):
    rows = {
        r["key"]: tuple(r[f] for f in FIELDS) for r in _get(login, scenario, "checkpoint")["rows"]
    }
    cp0, cp1, cp2, cp3 = (c.id for c in scenario.cps)
    assert rows == {
        cp0: (2, 1, 0, 0, 1, 0, 1, 100.0, 100.0),
        cp1: (2, 1, 1, 0, 0, 0, 0, 100.0, 50.0),
        cp2: (2, 0, 0, 2, 0, 0, 1, 0.0, 0.0),
        cp3: (4, 3, 0, 1, 0, 0, 0, 75.0, 75.0),
    }


def test_one_zone_only(scenario, login):
    client = login(scenario.site.users["supervisor"])
    url = URL.format(p=scenario.site.prop.id, g="day") + f"&zone_id={scenario.zone2.id}"
    body = client.get(url).get_json()
    assert body["total"]["expected"] == 4


def test_the_missed_list(scenario, login):
    client = login(scenario.site.users["frontdesk"])
    url = (
        f"/api/v1/coverage/missed?property_id={scenario.site.prop.id}&from=2026-03-02&to=2026-03-03"
    )
    body = client.get(url).get_json()
    assert body["total"] == 3
    assert [(s["local_day"], s["checkpoint"]["id"]) for s in body["items"]] == [
        ("2026-03-02", scenario.cps[2].id),
        ("2026-03-03", scenario.cps[2].id),
        ("2026-03-03", scenario.cps[3].id),
    ]
    assert all(s["status"] == "missed" and s["status_zh"] == "漏巡" for s in body["items"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("&from=2026-03-05&to=2026-03-01", "to"),
        ("&from=2025-01-01&to=2026-03-01", "to"),
        ("&from=2026-03-01", "query.to"),
        ("&from=2026-03-01&to=2026-03-02&group_by=week", "query.group_by"),
    ],
)
def test_bad_ranges_are_refused(scenario, login, query, field):
    client = login(scenario.site.users["supervisor"])
    resp = client.get(f"/api/v1/coverage?property_id={scenario.site.prop.id}{query}")
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]


def test_doubtful_and_rejected_visits(scenario, login):
    """Presence: a doubtful visit is "done, doubtful" (not done); a rejected one is nothing."""
    from app.extensions import db
    from app.plans.matching import set_standing
    from app.plans.models import Visit
    from tests.plans.helpers import local

    visits = {(v.checkpoint_id, v.scanned_at): v for v in db.session.query(Visit)}
    monday = visits[(scenario.cps[0].id, local(scenario.first, 10))]
    extra = visits[(scenario.cps[0].id, local(scenario.last, 20))]
    set_standing(monday.inspection_id, "doubtful", now=local(scenario.last, 23))
    set_standing(extra.inspection_id, "rejected", now=local(scenario.last, 23))
    db.session.commit()
    body = _get(login, scenario, "zone")
    zone = next(r for r in body["rows"] if r["label_zh"] == scenario.zone.name_zh)
    assert (zone["done_on_time"], zone["done_doubtful"], zone["done"], zone["extra"]) == (
        1,
        1,
        2,
        1,
    )
    assert zone["coverage_pct"] == 40.0  # 2 done of 6 expected − 1 excused
    assert body["total"]["done_doubtful"] == 1 and body["total"]["extra"] == 1
    # Accepted after review: done on time again.
    set_standing(monday.inspection_id, "ok", now=local(scenario.last, 23))
    db.session.commit()
    assert _get(login, scenario, "zone")["total"]["done_on_time"] == 5
