"""Deadline (freshness) callbacks: import paths referenced from the DAGs' DeadlineAlerts."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def freshness_missed(context: dict | None = None, **kwargs: object) -> None:
    """A DAG run of a market is not done by its freshness target.

    Logged at ERROR with the market, DAG and target so log-based alerting picks it up;
    a notifier (Slack, PagerDuty) is added here, in one place, when the platform has one.
    """
    run = (context or {}).get("dag_run")
    log.error(
        "freshness target missed: market=%s dag=%s run=%s target=%s datasets=%s; "
        "look at the run's failed or still-running tasks",
        kwargs.get("market"),
        kwargs.get("dag_id"),
        getattr(run, "run_id", None),
        kwargs.get("freshness"),
        kwargs.get("datasets"),
    )
