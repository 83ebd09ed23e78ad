"""Build one DAG per market and cadence from connectors/*.yaml.

``ingest_<market>_<cadence>``: a task group per dataset, ``[wait_published >>] fetch >>
normalize >> enrich >> load``, over a data-interval timetable evaluated in the market's
time zone (a daily window is the market-local day: 23, 24 or 25 hours). No network or
database calls at parse time.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from pathlib import Path

import pendulum
from airflow.sdk import (
    DAG,
    DeadlineAlert,
    DeadlineReference,
    DeltaDataIntervalTimetable,
    Param,
    SyncCallback,
    TaskGroup,
    chain,
)

from ingest_airflow.runners import STAGES, PodSettings, runner_from_env, stage_task
from ingest_airflow.sensors import PublishedWaitSensor
from ingest_airflow.spec import DatasetSpec, MarketSpec, SpecError, format_duration, load_all
from ingest_airflow.templating import DATETIME_PATTERN, FILTERS, run_interval
from ingest_airflow.timetables import MarketTimetable

log = logging.getLogger(__name__)
RUN_INTERVAL = "run_interval(params, data_interval_start, data_interval_end)"
RETRY_BACKOFF = 2.0  # each retry waits twice as long as the previous one, up to max_retry_delay


def strict_from_env() -> bool:
    return os.environ.get("INGEST_STRICT", "").strip().lower() in ("1", "true", "yes")


def build_dags(
    connectors_dir: Path | str,
    runner: str | None = None,
    strict: bool | None = None,
    pod: PodSettings | None = None,
) -> dict[str, DAG]:
    """Every market's DAGs. A broken file loses only its own DAGs (logged with the file
    name) unless strict mode (``INGEST_STRICT=1``) turns the first problem into an error."""
    runner = runner or runner_from_env()
    strict = strict_from_env() if strict is None else strict
    result = load_all(connectors_dir)
    if not result.markets and not result.errors:
        log.warning("no connectors/*.yaml found in %s: no ingest DAGs", connectors_dir)
    for error in result.errors:
        if strict:
            raise error
        log.error("skipping the DAGs of %s: %s", error.source, error)
    dags: dict[str, DAG] = {}
    for market in result.markets:
        try:
            built = market_dags(market, runner, pod)
        except Exception as e:  # one market's trouble must not hide the other markets
            if strict:
                raise
            log.exception("skipping the DAGs of %s: %s", market.source, e)
            continue
        clash = sorted(set(built) & set(dags))
        if clash:
            err = SpecError(market.source, "market", f"DAG ids {clash} already built from another file")
            if strict:
                raise err
            log.error("skipping the DAGs of %s: %s", market.source, err)
            continue
        dags.update(built)
    return dags


def market_dags(market: MarketSpec, runner: str, pod: PodSettings | None = None) -> dict[str, DAG]:
    return {
        market.dag_id(cadence): cadence_dag(market, cadence, datasets, runner, pod)
        for cadence, datasets in market.cadences().items()
    }


def timetable(market: MarketSpec, dataset: DatasetSpec):
    """Data-interval timetables only: an interval is never zero-length. A cron schedule is the
    market calendar (MarketTimetable: the UI shows it in the market's time zone, and a run
    with a logical date loads the interval starting there); a duration is a fixed period."""
    delta = dataset.schedule_delta
    if delta is not None:
        return DeltaDataIntervalTimetable(delta)
    return MarketTimetable(dataset.schedule, market.timezone, market=market.market, cadence=dataset.cadence)


def run_params(market: MarketSpec, cadence: str) -> dict[str, Param]:
    """What a person may give when triggering a run by hand (UI form, REST API, make trigger):
    one market day, or one explicit interval. Validated at trigger time; scheduled and
    backfill runs leave them empty and load their data interval."""
    return {
        "market_day": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Market day",
            description=f"A {market.timezone} date (YYYY-MM-DD): the run loads that whole local day "
            "(23, 24 or 25 hours). Leave empty to load the run's data interval.",
        ),
        "interval_start": Param(
            None,
            type=["null", "string"],
            pattern=DATETIME_PATTERN,
            title="Interval start (UTC instant)",
            description="With interval_end: an explicit interval, e.g. 2024-11-03T08:00:00Z, on the dataset's "
            f"{cadence} grid (the task exits 2 and names the nearest valid interval otherwise).",
        ),
        "interval_end": Param(
            None,
            type=["null", "string"],
            pattern=DATETIME_PATTERN,
            title="Interval end (UTC instant, exclusive)",
            description="With interval_start.",
        ),
    }


def cadence_dag(
    market: MarketSpec,
    cadence: str,
    datasets: tuple[DatasetSpec, ...],
    runner: str,
    pod: PodSettings | None = None,
) -> DAG:
    d = market.defaults
    first = datasets[0]
    tz = pendulum.timezone(market.timezone)
    dag_id = market.dag_id(cadence)
    dag = DAG(
        dag_id=dag_id,
        description=f"{market.display_name}: {', '.join(ds.id for ds in datasets)} ({cadence})",
        doc_md=_doc_md(market, cadence, datasets, runner),
        schedule=timetable(market, first),
        start_date=pendulum.datetime(d.start_date.year, d.start_date.month, d.start_date.day, tz=tz),
        catchup=d.catchup,
        max_active_runs=d.max_active_runs,
        tags=sorted({f"market:{market.market}", f"cadence:{cadence}"} | {f"kind:{ds.kind}" for ds in datasets}),
        default_args={
            "owner": market.owner,
            "retries": d.retries,
            "retry_delay": d.retry_delay,
            "retry_exponential_backoff": RETRY_BACKOFF,
            "max_retry_delay": d.max_retry_delay,
            "execution_timeout": d.execution_timeout,
        },
        user_defined_filters=dict(FILTERS),
        user_defined_macros={"run_interval": functools.partial(run_interval, timezone=market.timezone)},
        params=run_params(market, cadence),
        deadline=_freshness_alert(market, dag_id, datasets) if freshness_alerts(runner) else None,
    )
    with dag:
        for ds in datasets:
            with TaskGroup(group_id=ds.id, tooltip=ds.description):
                tasks = [stage_task(stage, market, ds, runner, pod) for stage in STAGES]
                if ds.lag > dt.timedelta(0):
                    wait = PublishedWaitSensor(
                        task_id="wait_published",
                        target_time=f"{{{{ {RUN_INTERVAL}.end | after_seconds({int(ds.lag.total_seconds())}) }}}}",
                        doc_md=f"Waits until interval end + lag ({format_duration(ds.lag)}): {market.market} "
                        f"publishes {ds.id} no earlier.",
                        timeout=int((ds.lag + d.execution_timeout).total_seconds()),
                        retries=0,
                    )
                    tasks.insert(0, wait)
                chain(*tasks)
    return dag


def freshness_alerts(runner: str) -> bool:
    """Freshness deadline alerts: on with the kubernetes runner (production), off with the local
    one, where `airflow dags test` of Airflow 3.3 fails on DAGs that carry a DeadlineAlert.
    INGEST_FRESHNESS_ALERTS=1|0 overrides."""
    value = os.environ.get("INGEST_FRESHNESS_ALERTS", "").strip().lower()
    if value:
        return value in ("1", "true", "yes")
    return runner == "kubernetes"


def _freshness_alert(market: MarketSpec, dag_id: str, datasets: tuple[DatasetSpec, ...]) -> DeadlineAlert:
    """The run (every dataset loaded) must be done by interval end + the strictest freshness
    target of its datasets. The reference is the logical date (the interval start of a
    scheduled run), so the window is added."""
    freshness = min(ds.freshness for ds in datasets)
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=datasets[0].window + freshness,
        callback=SyncCallback(
            "ingest_airflow.alerts.freshness_missed",
            kwargs={
                "market": market.market,
                "dag_id": dag_id,
                "freshness": format_duration(freshness),
                "datasets": [ds.id for ds in datasets],
            },
        ),
        name=f"freshness {format_duration(freshness)} after interval end",
    )


def _period(cadence: str) -> str:
    return "one market day, 23, 24 or 25 hours" if cadence == "daily" else f"one {cadence} period"


def _doc_md(market: MarketSpec, cadence: str, datasets: tuple[DatasetSpec, ...], runner: str) -> str:
    d = market.defaults
    fmt = format_duration
    rows = "\n".join(
        f"| `{ds.id}` | {ds.kind} | {ds.description} | `{ds.schedule}` | {fmt(ds.window)} | {fmt(ds.lag)} "
        f"| {fmt(ds.freshness)} |"
        for ds in datasets
    )
    return f"""\
### {market.display_name}: {cadence} ingestion

Generated from `connectors/{market.source.name}` (the single declaration of the market).
Each dataset is a task group `fetch » normalize » enrich » load`; every task runs
`ingest <stage> --market {market.market} --dataset <id> --interval-start <start> --interval-end <end>
--run-id <run id>` ({"local process" if runner == "local" else "KubernetesPodOperator"}).
Datasets with a lag start with `wait_published` (interval end + lag).

**Which interval a run loads.** Scheduled and backfill runs: their data interval, from the market
calendar in {market.timezone} ({_period(cadence)}).
A manual run: the run parameters `market_day` (a {market.timezone} date) or `interval_start` +
`interval_end` (UTC instants on the dataset's grid); without them, the interval that starts at
its logical date. A manual run with neither fails with a message saying what to pass.
Shown in the run's conf; `make trigger DAG={market.dag_id(cadence)} DAY=YYYY-MM-DD` sets both.

| dataset | kind | what | schedule ({market.timezone}) | window | lag | freshness |
|---|---|---|---|---|---|---|
{rows}

Owner `{market.owner}` · pool `{market.rate_limit.pool}` ({market.rate_limit.pool_slots} slot(s), fetch only) ·
retries {d.retries} from {fmt(d.retry_delay)} doubling up to {fmt(d.max_retry_delay)} ·
timeout {fmt(d.execution_timeout)} per task · max {d.max_active_runs} active runs ·
catchup {str(d.catchup).lower()}.

Exit 99 (not published yet) marks a task skipped; exit 2 or 4 fails without retry; 1 and 3 retry.
Operations: docs/airflow.md (backfill, pause, clear one task for one interval, run by hand).
"""
