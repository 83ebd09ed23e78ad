"""The market calendar: every market day of a backfill exactly once, DST days included.

For every market in connectors/ (not only CAISO): the intervals `make backfill` plans from the
DAG's own timetable tile the local days of the range with no gap and no overlap, over the
spring-forward and the fall-back transitions of that market's time zone.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pendulum
import pytest

from ingest_airflow import ops
from ingest_airflow.spec import load_market
from ingest_airflow.timetables import MarketTimetable

from conftest import market_files
from helpers import dags


def _transitions(tz: ZoneInfo, year: int) -> list[dt.date]:
    """The local dates on which ``tz`` changes its UTC offset in ``year`` (none for EST-all-year)."""
    days, day = [], dt.date(year, 1, 1)
    while day.year == year:
        a = dt.datetime.combine(day, dt.time(), tz).utcoffset()
        b = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).utcoffset()
        if a != b:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _ranges(timezone: str) -> list[tuple[dt.date, dt.date]]:
    """Three days around each DST transition of 2024 (the day before .. the day after)."""
    found = _transitions(ZoneInfo(timezone), 2024) or [dt.date(2024, 3, 10), dt.date(2024, 11, 3)]
    return [(d - dt.timedelta(days=1), d + dt.timedelta(days=1)) for d in found]


def _local_day_hours(day: dt.date, timezone: str) -> float:
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    return (end - start).total_seconds() / 3600


def _markets():
    return [load_market(p) for p in market_files()]


def test_caiso_has_the_two_transitions_of_2024():
    assert _ranges("America/Los_Angeles") == [
        (dt.date(2024, 3, 9), dt.date(2024, 3, 11)),
        (dt.date(2024, 11, 2), dt.date(2024, 11, 4)),
    ]


@pytest.mark.parametrize("market", _markets(), ids=lambda m: m.market)
def test_a_daily_backfill_plans_each_market_day_exactly_once(market):
    if "daily" not in market.cadences():
        pytest.skip(f"{market.market} has no daily DAG")
    dag_id = market.dag_id("daily")
    tz = ZoneInfo(market.timezone)
    for first, last in _ranges(market.timezone):
        planned = ops.plan(dag_id, first.isoformat(), last.isoformat())
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        assert [p.start for p in planned] == [dt.datetime.combine(d, dt.time(), tz).astimezone(dt.UTC) for d in days]
        for a, b in itertools.pairwise(planned):
            assert a.end == b.start  # no gap, no overlap
        assert [p.hours for p in planned] == [_local_day_hours(d, market.timezone) for d in days]
        assert planned[-1].end == dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)


def test_caiso_daily_plan_is_24_23_24_and_24_25_24_hours():
    spring = ops.plan("ingest_caiso_daily", "2024-03-09", "2024-03-11")
    fall = ops.plan("ingest_caiso_daily", "2024-11-02", "2024-11-04")
    assert [p.hours for p in spring] == [24, 23, 24]
    assert [p.hours for p in fall] == [24, 25, 24]
    assert [p.label for p in fall] == ["2024-11-02 (24 h)", "2024-11-03 (25 h)", "2024-11-04 (24 h)"]


@pytest.mark.parametrize("market", _markets(), ids=lambda m: m.market)
def test_an_intraday_backfill_tiles_the_local_days(market):
    for cadence, datasets in market.cadences().items():
        if cadence == "daily":
            continue
        period = datasets[0].window
        tz = ZoneInfo(market.timezone)
        for first, last in _ranges(market.timezone):
            planned = ops.plan(market.dag_id(cadence), first.isoformat(), last.isoformat())
            for a, b in itertools.pairwise(planned):
                assert a.end == b.start
            assert {p.end - p.start for p in planned} == {period}
            assert planned[0].start == dt.datetime.combine(first, dt.time(), tz).astimezone(dt.UTC)
            assert planned[-1].end == dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
            hours = sum(_local_day_hours(first + dt.timedelta(days=i), market.timezone) for i in range(3))
            assert len(planned) == hours * 3600 / period.total_seconds()


def test_backfill_bounds_are_logical_dates_of_the_first_and_last_market_day():
    first, last = ops.backfill_bounds("ingest_caiso_daily", "2024-11-02", "2024-11-04")
    assert first.isoformat() == "2024-11-02T00:00:00-07:00"
    assert last.isoformat() == "2024-11-04T00:00:00-08:00"
    with pytest.raises(ops.UsageError, match="before FROM"):
        ops.backfill_bounds("ingest_caiso_daily", "2024-11-04", "2024-11-02")
    with pytest.raises(ops.UsageError, match="unknown DAG"):
        ops.backfill_bounds("ingest_nowhere_daily", "2024-11-02", "2024-11-04")
    with pytest.raises(ops.UsageError, match="expected a market-local date"):
        ops.backfill_bounds("ingest_caiso_daily", "11/02/2024", "2024-11-04")


def test_the_timetable_survives_serialization_and_names_runs_by_interval_start():
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.types import DagRunType

    dag = dags("local")["ingest_caiso_daily"]
    restored = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    tt = restored.timetable
    assert isinstance(tt, MarketTimetable)
    assert tt == MarketTimetable("0 0 * * *", "America/Los_Angeles", market="caiso", cadence="daily")
    assert tt.summary == "market day (America/Los_Angeles)"
    assert tt.description == "Every market day, 00:00 to 24:00 America/Los_Angeles (23, 24 or 25 hours)"
    interval = tt.infer_manual_data_interval(run_after=pendulum.datetime(2024, 11, 3, 7, tz="UTC"))
    assert (interval.start, interval.end) == (pendulum.datetime(2024, 11, 3, 7), pendulum.datetime(2024, 11, 4, 8))
    run_id = tt.generate_run_id(run_type=DagRunType.SCHEDULED, run_after=interval.end, data_interval=interval)
    assert run_id == "scheduled__2024-11-03T07:00:00+00:00"
