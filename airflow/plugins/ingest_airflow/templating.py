"""Jinja filters shared by every DAG of the factory."""

from __future__ import annotations

import datetime as dt


def iso_utc(value: dt.datetime | None) -> str:
    """An aware datetime as ISO-8601 UTC with a Z suffix: ``2024-11-03T08:00:00Z``."""
    if value is None:
        raise ValueError(
            "this run has no data interval (a manual run without a logical date); "
            "trigger it with a logical date so the interval is inferred from it"
        )
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: expected an aware datetime")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def after_seconds(value: dt.datetime | None, seconds: float) -> str:
    """``value + seconds`` as ISO-8601 UTC (the moment an interval's data is published)."""
    if value is None:
        return iso_utc(value)
    return iso_utc(value + dt.timedelta(seconds=seconds))


FILTERS = {"iso_utc": iso_utc, "after_seconds": after_seconds}
