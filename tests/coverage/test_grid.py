"""The zone × day heatmap of the hand-computed example (see conftest)."""

from __future__ import annotations

FIELDS = ("expected", "done", "missed", "excused", "extra", "coverage_pct", "on_time_pct")


def _grid(login, scenario, extra=""):
    client = login(scenario.site.users["supervisor"])
    url = (
        f"/api/v1/coverage/grid?property_id={scenario.site.prop.id}"
        f"&from=2026-03-01&to=2026-03-03{extra}"
    )
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_cells_per_zone_and_day(scenario, login):
    body = _grid(login, scenario)
    z, z2 = scenario.zone.id, scenario.zone2.id
    cells = {(c["zone_id"], c["day"]): tuple(c[f] for f in FIELDS) for c in body["cells"]}
    assert cells == {
        (z, "2026-03-02"): (3, 2, 1, 0, 0, 66.7, 33.3),
        (z, "2026-03-03"): (3, 1, 1, 1, 2, 50.0, 50.0),
        (z2, "2026-03-02"): (2, 2, 0, 0, 0, 100.0, 100.0),
        (z2, "2026-03-03"): (2, 1, 1, 0, 0, 50.0, 50.0),
    }
    # Every day of the range is a column, even one without slots (Sunday).
    assert body["days"] == ["2026-03-01", "2026-03-02", "2026-03-03"]


def test_zone_totals_match_the_coverage_by_zone(scenario, login):
    body = _grid(login, scenario)
    zones = {r["label_zh"]: (r["key"], r["expected"], r["coverage_pct"]) for r in body["zones"]}
    assert zones == {
        scenario.zone.name_zh: (scenario.zone.id, 6, 60.0),
        "Z2幢": (scenario.zone2.id, 4, 75.0),
    }


def test_one_zone_only_and_a_bad_range(scenario, login):
    body = _grid(login, scenario, f"&zone_id={scenario.zone2.id}")
    assert {c["zone_id"] for c in body["cells"]} == {scenario.zone2.id}
    client = login(scenario.site.users["supervisor"])
    resp = client.get(
        f"/api/v1/coverage/grid?property_id={scenario.site.prop.id}&from=2026-03-05&to=2026-03-01"
    )
    assert resp.status_code == 422
    assert "to" in resp.get_json()["errors"]
