"""Wait until an interval's data can be published: interval end + lag."""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import timezone


class PublishedWaitSensor(DateTimeSensorAsync):
    """Deferrable wait until ``target_time``; returns at once when that moment has passed.

    A live run defers to the triggerer (no worker slot held while waiting); a backfill or a
    re-run of an old interval does not wait at all.
    """

    ui_color = "#f4f0e8"

    def execute(self, context: Any) -> None:
        if timezone.utcnow() >= self._moment:
            self.log.info("publication time %s has passed; not waiting", self._moment.isoformat())
            return None
        self.log.info("deferring until %s (interval end + lag)", self._moment.isoformat())
        return super().execute(context)
