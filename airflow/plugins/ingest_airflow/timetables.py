"""The market calendar as an Airflow timetable.

``MarketTimetable`` is a cron data-interval timetable evaluated in the market's own time zone:
a daily run's data interval is one market-local day (23, 24 or 25 hours), an intraday run's is
one cadence period. Two things differ from Airflow's ``CronDataIntervalTimetable``:

- A run with a logical date gets the interval that *starts* at that date (the market day or the
  cadence period containing it), exactly as a scheduled run of that date would. Airflow's own
  inference takes the interval that *ends* before it, so triggering 2024-11-03 loaded
  2024-11-02, and a later backfill then skipped 2024-11-03 as "already run".
- The summary and description name the time zone, so the UI shows the schedule as the market
  keeps it ("00:00 America/Los_Angeles, one market day (23, 24 or 25 h)").

Registered with Airflow by ``airflow/plugins/ingest_timetables.py`` (custom timetables must be,
for the scheduler to deserialize the DAG).
"""

from __future__ import annotations

from typing import Any

from airflow.timetables.base import DataInterval
from airflow.timetables.interval import CronDataIntervalTimetable
from pendulum import DateTime


class MarketTimetable(CronDataIntervalTimetable):
    """Data intervals between consecutive fires of ``cron`` in ``timezone`` (an IANA name)."""

    def __init__(self, cron: str, timezone: Any, *, market: str = "", cadence: str = "") -> None:
        super().__init__(cron, timezone)
        self._market = market
        self._cadence = cadence
        tz = getattr(self._timezone, "name", str(self._timezone))
        if cadence == "daily":
            self._summary = f"market day ({tz})"
            self.description = f"Every market day, 00:00 to 24:00 {tz} (23, 24 or 25 hours)"
        else:
            self._summary = f"{cron} ({tz})"
            base = self.description or cron
            self.description = f"{base} ({tz}); each run covers one {cadence or 'period'} period"

    @property
    def timezone(self) -> Any:
        return self._timezone

    @property
    def summary(self) -> str:
        return self._summary

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The interval containing ``run_after``: a run triggered with logical date L loads the
        period that starts at (or contains) L, like the scheduled run of L."""
        start = self._align_to_prev(run_after)
        return DataInterval(start=start, end=self._get_next(start))

    def generate_run_id(
        self, *, run_type: Any, run_after: DateTime, data_interval: DataInterval | None, **extra
    ) -> str:
        """Scheduled and backfill runs are named after the start of the interval they load
        (``scheduled__2024-11-03T07:00:00+00:00`` is the market day 2024-11-03), not after the
        moment they became due, which is the interval's end."""
        if data_interval is not None and str(getattr(run_type, "value", run_type)) in ("scheduled", "backfill"):
            return run_type.generate_run_id(suffix=data_interval.start.in_timezone("UTC").isoformat())
        return super().generate_run_id(run_type=run_type, run_after=run_after, data_interval=data_interval, **extra)

    def serialize(self) -> dict[str, Any]:
        data = super().serialize()
        data["market"] = self._market
        data["cadence"] = self._cadence
        return data

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> MarketTimetable:
        from airflow._shared.timezones.timezone import parse_timezone

        return cls(
            data["expression"],
            parse_timezone(data["timezone"]),
            market=data.get("market", ""),
            cadence=data.get("cadence", ""),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MarketTimetable):
            return NotImplemented
        return self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash((self._expression, str(self._timezone), self._market, self._cadence))
