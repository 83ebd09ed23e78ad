"""Jinja filters and macros shared by every DAG of the factory.

The interval a run loads comes from one place, ``run_interval``: the run parameters when a
person gave them (``market_day``, or ``interval_start`` + ``interval_end``), else the run's data
interval from the market timetable. A manual run without either is an error that says how to
trigger it, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ISO-8601 with an explicit offset or Z: the JAR takes UTC instants.
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_DATETIME = re.compile(DATETIME_PATTERN)
RUN_PARAMS = ("market_day", "interval_start", "interval_end")


class RunIntervalError(ValueError):
    """Run parameters that do not name one interval; the message says what to pass."""


def iso_utc(value: dt.datetime | None) -> str:
    """An aware datetime as ISO-8601 UTC with a Z suffix: ``2024-11-03T08:00:00Z``."""
    if value is None:
        raise RunIntervalError(
            "this run has no data interval (a manual run without a logical date): trigger it with "
            'conf {"market_day": "YYYY-MM-DD"} or {"interval_start": …, "interval_end": …}, '
            "or with a logical date (the start of the interval to load)"
        )
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: expected an aware datetime")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def after_seconds(value: dt.datetime | str | None, seconds: float) -> str:
    """``value + seconds`` as ISO-8601 UTC (the moment an interval's data is published)."""
    if isinstance(value, str):
        value = _parse_instant("interval_end", value)
    if value is None:
        return iso_utc(value)
    return iso_utc(value + dt.timedelta(seconds=seconds))


@dataclass(frozen=True)
class RunInterval:
    start: str  # ISO-8601 UTC, Z suffix
    end: str
    origin: str  # "data interval", "market_day 2024-11-03", "interval_start/interval_end"

    def __str__(self) -> str:
        return f"{self.start}..{self.end} ({self.origin})"


def market_day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``day`` and of the next day, in UTC: 23, 24 or 25 hours apart."""
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    return start, end


def _parse_instant(name: str, value: str) -> dt.datetime:
    if not isinstance(value, str) or not _DATETIME.match(value.strip()):
        raise RunIntervalError(
            f"{name}={value!r}: expected an ISO-8601 instant with an offset, e.g. 2024-11-03T08:00:00Z"
        )
    return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def run_interval(
    params: Any,
    data_interval_start: dt.datetime | None,
    data_interval_end: dt.datetime | None,
    *,
    timezone: str,
) -> RunInterval:
    """The interval this run loads (see the module docstring)."""
    p = {k: (params or {}).get(k) for k in RUN_PARAMS}
    p = {k: (v.strip() if isinstance(v, str) else v) for k, v in p.items()}
    given = {k for k, v in p.items() if v not in (None, "")}
    if "market_day" in given and given & {"interval_start", "interval_end"}:
        raise RunIntervalError("give either market_day or interval_start + interval_end, not both")
    if "market_day" in given:
        day = p["market_day"]
        if not isinstance(day, str) or not _DAY.match(day):
            raise RunIntervalError(f"market_day={day!r}: expected a market-local date YYYY-MM-DD")
        try:
            parsed = dt.date.fromisoformat(day)
        except ValueError as e:
            raise RunIntervalError(f"market_day={day!r}: {e}") from None
        start, end = market_day_bounds(parsed, timezone)
        return RunInterval(iso_utc(start), iso_utc(end), f"market_day {day} ({timezone})")
    if given & {"interval_start", "interval_end"}:
        if given != {"interval_start", "interval_end"}:
            raise RunIntervalError("interval_start and interval_end go together: give both")
        start = _parse_instant("interval_start", p["interval_start"])
        end = _parse_instant("interval_end", p["interval_end"])
        if end <= start:
            raise RunIntervalError(
                f"interval_end {p['interval_end']} must be after interval_start {p['interval_start']}"
            )
        return RunInterval(iso_utc(start), iso_utc(end), "interval_start/interval_end")
    if data_interval_start is None or data_interval_end is None:
        iso_utc(None)  # raises with the message that says how to trigger
    return RunInterval(iso_utc(data_interval_start), iso_utc(data_interval_end), "data interval")


FILTERS = {"iso_utc": iso_utc, "after_seconds": after_seconds}
