"""Plans expand into windows in local time: a month of days, weekdays, weeks, month ends, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from app.plans.expand import at_local, windows

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
EARLY = SimpleNamespace(id=1, start_minute=510, end_minute=1050)
MIDDLE = SimpleNamespace(id=2, start_minute=780, end_minute=1260)
SHIFTS = {1: EARLY, 2: MIDDLE}


def version(**kw):
    base = {
        "frequency": "daily",
        "weekdays": None,
        "month_day": None,
        "shift_ids": None,
        "start_minute": 510,
        "end_minute": 1050,
        "paused": False,
        "valid_from": datetime(2000, 1, 1, tzinfo=UTC),
        "valid_until": None,
    }
    return SimpleNamespace(**{**base, **kw})


def month(tz, year=2026, month=3):
    start = at_local(date(year, month, 1), 0, tz)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, at_local(nxt, 0, tz)


def test_daily_gives_one_window_per_local_day_of_march():
    found = windows(version(), SHIFTS, SHANGHAI, *month(SHANGHAI))
    assert len(found) == 31
    assert [w.local_day.day for w in found] == list(range(1, 32))
    first = found[0]
    assert first.start == datetime(2026, 3, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    assert first.end == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # 17:30


def test_every_shift_gives_a_window_per_shift_and_day():
    v = version(frequency="shift", shift_ids=[1, 2], start_minute=None, end_minute=None)
    found = windows(v, SHIFTS, SHANGHAI, *month(SHANGHAI))
    assert len(found) == 62
    assert {w.shift_id for w in found} == {1, 2}
    middle = next(w for w in found if w.shift_id == 2)
    assert middle.start.astimezone(SHANGHAI).strftime("%H:%M") == "13:00"
    assert middle.end.astimezone(SHANGHAI).strftime("%H:%M") == "21:00"


def test_given_weekdays_only():
    found = windows(
        version(frequency="weekdays", weekdays=[0, 2, 4]), SHIFTS, SHANGHAI, *month(SHANGHAI)
    )
    # March 2026: Mondays 2 9 16 23 30, Wednesdays 4 11 18 25, Fridays 6 13 20 27.
    assert sorted(w.local_day.day for w in found) == [
        2,
        4,
        6,
        9,
        11,
        13,
        16,
        18,
        20,
        23,
        25,
        27,
        30,
    ]
    assert {w.local_day.weekday() for w in found} == {0, 2, 4}


def test_weekly_windows_run_monday_to_sunday():
    v = version(frequency="weekly", start_minute=None, end_minute=None)
    found = windows(v, SHIFTS, SHANGHAI, *month(SHANGHAI))
    assert [w.local_day for w in found] == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]
    first = found[0]
    assert first.start == at_local(date(2026, 3, 2), 0, SHANGHAI)
    assert first.end == at_local(date(2026, 3, 9), 0, SHANGHAI)  # the end of Sunday the 8th


def test_monthly_on_the_31st_falls_on_each_months_last_day():
    v = version(frequency="monthly", month_day=31, start_minute=None, end_minute=None)
    year = (at_local(date(2026, 1, 1), 0, SHANGHAI), at_local(date(2027, 1, 1), 0, SHANGHAI))
    found = windows(v, SHIFTS, SHANGHAI, *year)
    assert [w.local_day for w in found][:4] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert len(found) == 12
    leap = windows(v, SHIFTS, SHANGHAI, *month(SHANGHAI, 2028, 2))
    assert [w.local_day for w in leap] == [date(2028, 2, 29)]


def test_monthly_without_a_day_spans_the_whole_month():
    v = version(frequency="monthly", start_minute=None, end_minute=None)
    [feb] = windows(v, SHIFTS, SHANGHAI, *month(SHANGHAI, 2026, 2))
    assert feb.start == at_local(date(2026, 2, 1), 0, SHANGHAI)
    assert feb.end == at_local(date(2026, 3, 1), 0, SHANGHAI)


def test_daylight_saving_keeps_the_wall_clock_in_berlin():
    found = windows(version(), SHIFTS, BERLIN, *month(BERLIN))
    by_day = {w.local_day: w for w in found}
    before, after = by_day[date(2026, 3, 28)], by_day[date(2026, 3, 29)]  # switch on the 29th
    assert before.start.astimezone(BERLIN).strftime("%H:%M") == "08:30"
    assert after.start.astimezone(BERLIN).strftime("%H:%M") == "08:30"
    assert before.start.hour == 7 and after.start.hour == 6  # UTC moves, the wall clock does not
    assert len(found) == 31


def test_a_night_window_across_the_switch_is_an_hour_shorter_or_longer():
    night = version(start_minute=22 * 60, end_minute=6 * 60)
    spring = {w.local_day: w for w in windows(night, SHIFTS, BERLIN, *month(BERLIN))}
    autumn = {w.local_day: w for w in windows(night, SHIFTS, BERLIN, *month(BERLIN, 2026, 10))}
    assert spring[date(2026, 3, 28)].end - spring[date(2026, 3, 28)].start == timedelta(hours=7)
    assert spring[date(2026, 3, 27)].end - spring[date(2026, 3, 27)].start == timedelta(hours=8)
    assert autumn[date(2026, 10, 24)].end - autumn[date(2026, 10, 24)].start == timedelta(hours=9)


def test_a_start_time_inside_the_spring_gap_still_gives_one_window():
    gap = version(start_minute=2 * 60 + 30, end_minute=4 * 60)
    found = {w.local_day: w for w in windows(gap, SHIFTS, BERLIN, *month(BERLIN))}
    w = found[date(2026, 3, 29)]
    assert w.start < w.end
    assert w.start.astimezone(BERLIN).strftime("%H:%M") == "03:30"  # 02:30 does not exist


def test_validity_and_pause_bound_the_windows():
    start, end = month(SHANGHAI)
    v = version(
        valid_from=at_local(date(2026, 3, 10), 12 * 60, SHANGHAI),
        valid_until=at_local(date(2026, 3, 20), 0, SHANGHAI),
    )
    days = [w.local_day.day for w in windows(v, SHIFTS, SHANGHAI, start, end)]
    assert days == list(range(11, 20))  # the 10th's window began before valid_from
    assert windows(version(paused=True), SHIFTS, SHANGHAI, start, end) == []
