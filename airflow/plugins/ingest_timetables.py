"""Airflow plugin: registers the market timetable so the scheduler can deserialize the DAGs."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from ingest_airflow.timetables import MarketTimetable


class IngestTimetablesPlugin(AirflowPlugin):
    name = "ingest_timetables"
    timetables = [MarketTimetable]  # noqa: RUF012 - the attribute Airflow's plugin manager reads
