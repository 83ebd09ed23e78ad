"""Operator workflows against a running Airflow's metadata database (the make targets).

Runs inside the Airflow virtual environment with the deployment's configuration
(airflow/scripts/env.sh for the local one). Each command prints one line per outcome, no
tables, no tracebacks for the expected refusals:

  plan     DAG FROM TO                     the intervals a backfill creates (no database)
  backfill DAG FROM TO [--reprocess R] [--dry-run] [--no-wait] [--unpause] [--poll S]
  status   DAG                             progress of the DAG's latest backfill
  trigger  DAG (--day YYYY-MM-DD | --start ISO --end ISO)
  clear    DAG TASK (--at WHEN | --run-id ID) [--downstream]
  pause|unpause DAG...

FROM/TO are market-local dates, both included (or ISO instants, passed through). Exit codes:
0 done, 1 a run failed or the state is not what was asked, 2 usage (bad date, unknown DAG or
task, a backfill already running).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest_airflow.spec import MarketSpec, load_all
from ingest_airflow.templating import market_day_bounds

CONNECTORS = Path(__file__).resolve().parents[3] / "connectors"
TERMINAL = {"success", "failed"}


class UsageError(Exception):
    """Refused before anything changed; the message is the one line the user sees."""


@dataclass(frozen=True)
class Planned:
    start: dt.datetime  # UTC
    end: dt.datetime
    label: str  # "2024-11-03 (25 h)" or the UTC start for intraday runs

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _connectors_dir() -> Path:
    return Path(os.environ.get("INGEST_CONNECTORS_DIR", CONNECTORS))


def market_of(dag_id: str, connectors: Path | None = None) -> tuple[MarketSpec, str]:
    markets = load_all(connectors or _connectors_dir()).markets
    for m in markets:
        for cadence in m.cadences():
            if m.dag_id(cadence) == dag_id:
                return m, cadence
    known = ", ".join(m.dag_id(c) for m in markets for c in m.cadences())
    raise UsageError(f"unknown DAG {dag_id!r}; known: {known}")


def _instant(value: str, tz: ZoneInfo, *, end: bool) -> dt.datetime:
    """A market-local date -> its local midnight (the start of that market day); an ISO
    instant with an offset passes through."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"{value!r}: expected a market-local date YYYY-MM-DD or an ISO instant") from None
        if moment.tzinfo is None:
            raise UsageError(f"{value!r}: an instant needs an offset (Z or +hh:mm)") from None
        return moment
    return dt.datetime.combine(day, dt.time(), tz)


def backfill_bounds(dag_id: str, start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """``airflow backfill create`` bounds: the logical dates (interval starts) from the first
    market day's midnight up to the start of the last market day, both included. For an
    intraday DAG the last day is covered whole (up to its last period)."""
    market, cadence = market_of(dag_id)
    tz = ZoneInfo(market.timezone)
    first = _instant(start, tz, end=False)
    last = _instant(end, tz, end=True)
    if cadence != "daily" and _is_date(end):
        last = dt.datetime.combine(dt.date.fromisoformat(end) + dt.timedelta(days=1), dt.time(), tz)
        last -= dt.timedelta(seconds=1)
    if last < first:
        raise UsageError(f"TO {end} is before FROM {start}")
    return first, last


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


def plan(dag_id: str, start: str, end: str) -> list[Planned]:
    """The intervals Airflow creates for a backfill, from the DAG's own timetable."""
    from ingest_airflow.factory import timetable

    market, cadence = market_of(dag_id)
    first, last = backfill_bounds(dag_id, start, end)
    tt = timetable(market, market.cadences()[cadence][0])
    import pendulum
    from airflow.timetables.base import TimeRestriction

    restriction = TimeRestriction(earliest=pendulum.instance(first), latest=pendulum.instance(last), catchup=True)
    out: list[Planned] = []
    info = None
    while True:
        info = tt.next_dagrun_info(
            last_automated_data_interval=info.data_interval if info else None, restriction=restriction
        )
        if info is None or info.logical_date > last:
            break
        out.append(_planned(market, cadence, info.data_interval.start, info.data_interval.end))
    return out


def _planned(market: MarketSpec, cadence: str, start: dt.datetime, end: dt.datetime) -> Planned:
    start = dt.datetime.fromtimestamp(start.timestamp(), dt.UTC)
    end = dt.datetime.fromtimestamp(end.timestamp(), dt.UTC)
    if cadence == "daily":
        day = start.astimezone(ZoneInfo(market.timezone)).date()
        label = f"{day} ({(end - start).total_seconds() / 3600:g} h)"
    else:
        label = start.strftime("%Y-%m-%dT%H:%MZ")
    return Planned(start, end, label)


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- commands that need the metadata database -------------------------------------------------


def _scheduler_alive() -> bool:
    from airflow.jobs.job import most_recent_job
    from airflow.utils.session import create_session

    with create_session() as session:
        job = most_recent_job("SchedulerJob", session=session)
        return bool(job and job.is_alive())


def _serialized_dag(dag_id: str):
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        ser = session.scalar(SerializedDagModel.latest_item_select_object(dag_id))
        if ser is None:
            raise UsageError(
                f"{dag_id} is not in this Airflow's database yet (is it running? make airflow-up, then wait for "
                "the DAG processor to parse the DAGs)"
            )
        return ser.dag


def cmd_backfill(args: argparse.Namespace) -> int:
    from airflow.models.backfill import AlreadyRunningBackfill, NoBackfillRunsToCreate, ReprocessBehavior

    market, _ = market_of(args.dag)
    planned = plan(args.dag, args.start, args.end)
    if not args.dry_run:
        _serialized_dag(args.dag)
        running = _latest_backfill(args.dag)
        if running is not None and running.completed_at is None:
            raise _already_running(args.dag, running)
    if not planned:
        raise UsageError(f"{args.dag}: no complete interval between {args.start} and {args.end}")
    first, last = backfill_bounds(args.dag, args.start, args.end)
    print(
        f"{args.dag}: {len(planned)} run(s) planned, {planned[0].label} .. {planned[-1].label} "
        f"({market.timezone}), at most {market.defaults.max_active_runs} at a time, reprocess {args.reprocess}"
    )
    for p in planned:
        print(f"  {p.label}: {_z(p.start)} .. {_z(p.end)}")
    if args.dry_run:
        print("dry run: nothing created")
        return 0
    _serialized_dag(args.dag)
    if _is_paused(args.dag):
        if not args.unpause:
            raise UsageError(
                f"{args.dag} is paused, so its backfill runs would wait: make unpause MARKET={market.market} "
                "first, or pass UNPAUSE=1 (nothing was created)"
            )
        _set_paused(args.dag, False)
        print(f"{args.dag}: unpaused")
    from airflow.models.backfill import _create_backfill

    try:
        backfill = _create_backfill(
            dag_id=args.dag,
            from_date=first,
            to_date=last,
            max_active_runs=market.defaults.max_active_runs,
            reverse=False,
            dag_run_conf={},
            triggering_user_name=os.environ.get("USER", "make backfill"),
            reprocess_behavior=ReprocessBehavior(args.reprocess),
        )
    except AlreadyRunningBackfill:  # started between the check above and now
        raise _already_running(args.dag, _latest_backfill(args.dag)) from None
    except NoBackfillRunsToCreate:
        raise UsageError(
            f"{args.dag}: every planned run already exists and reprocess is {args.reprocess!r}; "
            "REPROCESS=completed re-runs them"
        ) from None
    print(f"backfill {backfill.id} created")
    if args.no_wait:
        return 0
    return _watch(args.dag, backfill.id, args.poll)


def _already_running(dag_id: str, running) -> UsageError:
    detail = f" (backfill {running.id}, {_z(running.from_date)} .. {_z(running.to_date)})" if running else ""
    return UsageError(
        f"{dag_id}: a backfill is already running{detail}; wait for it (make backfill-status DAG={dag_id}) "
        "or cancel it in the UI (Browse > Backfills) first"
    )


def _latest_backfill(dag_id: str):
    from airflow.models.backfill import Backfill
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        b = session.scalar(select(Backfill).where(Backfill.dag_id == dag_id).order_by(Backfill.id.desc()).limit(1))
        if b is not None:
            session.expunge(b)
        return b


def _backfill_runs(backfill_id: int) -> list[tuple[str, str, dt.datetime | None, dt.datetime | None]]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(DagRun.run_id, DagRun.state, DagRun.data_interval_start, DagRun.data_interval_end)
            .where(DagRun.backfill_id == backfill_id)
            .order_by(DagRun.logical_date)
        ).all()
    return [(r[0], str(r[1].value if hasattr(r[1], "value") else r[1]), r[2], r[3]) for r in rows]


def _watch(dag_id: str, backfill_id: int, poll: float) -> int:
    if not _scheduler_alive():
        print(
            f"backfill {backfill_id}: runs queued, but no scheduler is running (make airflow-up starts one); "
            f"follow it with make backfill-status DAG={dag_id}"
        )
        return 0
    stopped = {"now": False}

    def _stop(signum, frame):  # Ctrl-C stops the watching, never the backfill
        stopped["now"] = True

    signal.signal(signal.SIGINT, _stop)
    started = time.monotonic()
    last_line = ""
    while True:
        runs = _backfill_runs(backfill_id)
        states = Counter(state for _, state, _, _ in runs)
        done = sum(states[s] for s in TERMINAL)
        total = len(runs)
        elapsed = time.monotonic() - started
        eta = "?" if not done else _fmt_seconds(elapsed / done * (total - done))
        line = (
            f"[{done}/{total}] {dag_id} backfill {backfill_id}: {states['success']} success, "
            f"{states['failed']} failed, {states['running']} running, {states['queued']} queued"
            f" · {_fmt_seconds(elapsed)} elapsed" + (f" · ETA {eta}" if done < total else "")
        )
        if line.split(" · ")[0] != last_line.split(" · ")[0]:
            print(line, flush=True)
            last_line = line
        if total and done == total:
            failed = [(rid, s, e) for rid, state, s, e in runs if state == "failed"]
            for rid, s, e in failed:
                print(
                    f"  failed: {rid} ({_z(s)} .. {_z(e)}); see its task logs, then make clear-task or a new backfill"
                )
            return 1 if failed else 0
        if stopped["now"]:
            print(f"stopped watching; backfill {backfill_id} goes on in Airflow (make backfill-status DAG={dag_id})")
            return 0
        time.sleep(poll)


def _fmt_seconds(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def cmd_status(args: argparse.Namespace) -> int:
    market_of(args.dag)
    b = _latest_backfill(args.dag)
    if b is None:
        print(f"{args.dag}: no backfill")
        return 0
    runs = _backfill_runs(b.id)
    states = Counter(state for _, state, _, _ in runs)
    done = sum(states[s] for s in TERMINAL)
    state = "completed" if b.completed_at else "running"
    print(
        f"{args.dag} backfill {b.id} ({_z(b.from_date)} .. {_z(b.to_date)}) {state}: [{done}/{len(runs)}] "
        f"{states['success']} success, {states['failed']} failed, {states['running']} running, "
        f"{states['queued']} queued"
    )
    if args.wait and not b.completed_at:
        return _watch(args.dag, b.id, args.poll)
    return 0


def cmd_trigger(args: argparse.Namespace) -> int:
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.utils.types import DagRunTriggeredByType

    market, _ = market_of(args.dag)
    if args.day:
        try:
            day = dt.date.fromisoformat(args.day)
        except ValueError:
            raise UsageError(f"DAY={args.day!r}: expected a market-local date YYYY-MM-DD") from None
        start, end = market_day_bounds(day, market.timezone)
        conf = {"market_day": args.day}
        what = f"market day {args.day} ({market.timezone}, {(end - start).total_seconds() / 3600:g} h)"
    else:
        if not (args.start and args.end):
            raise UsageError("give DAY=YYYY-MM-DD, or START and END (UTC instants)")
        tz = ZoneInfo(market.timezone)
        start, end = _instant(args.start, tz, end=False), _instant(args.end, tz, end=True)
        if end <= start:
            raise UsageError(f"END {args.end} must be after START {args.start}")
        conf = {"interval_start": _z(start), "interval_end": _z(end)}
        what = "interval"
    _serialized_dag(args.dag)
    note = f"manual: {what}: {_z(start)} .. {_z(end)}"
    run_id = f"manual__{_z(start)}__{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}"
    dr = trigger_dag(
        args.dag,
        triggered_by=DagRunTriggeredByType.CLI,
        run_id=run_id,
        run_after=start,
        logical_date=start,
        conf=conf,
        note=note,
        triggering_user_name=os.environ.get("USER", "make trigger"),
    )
    print(f"{args.dag}: triggered {dr.run_id}: {what}, {_z(start)} .. {_z(end)}")
    return 0


def _find_run(dag_id: str, at: str | None, run_id: str | None, timezone: str) -> str:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import or_, select

    if run_id:
        with create_session() as session:
            if session.scalar(select(DagRun.run_id).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)) is None:
                raise UsageError(f"{dag_id} has no run {run_id!r}")
        return run_id
    if not at:
        raise UsageError("name the run: AT=<market day YYYY-MM-DD or interval start ISO> or RUN_ID=<run id>")
    moment = _instant(at, ZoneInfo(timezone), end=False).astimezone(dt.UTC)
    with create_session() as session:
        ids = session.scalars(
            select(DagRun.run_id)
            .where(
                DagRun.dag_id == dag_id,
                or_(DagRun.logical_date == moment, DagRun.data_interval_start == moment),
            )
            .order_by(DagRun.id.desc())
        ).all()
    if not ids:
        raise UsageError(f"{dag_id} has no run whose interval starts at {_z(moment)} ({at})")
    if len(ids) > 1:
        print(f"note: {len(ids)} runs start at {_z(moment)}; clearing the newest, {ids[0]} (RUN_ID= picks another)")
    return ids[0]


def cmd_clear(args: argparse.Namespace) -> int:
    market, _ = market_of(args.dag)
    dag = _serialized_dag(args.dag)
    if args.task not in dag.task_dict:
        groups = sorted({t.rsplit(".", 1)[0] for t in dag.task_dict if "." in t})
        raise UsageError(
            f"{args.dag} has no task {args.task!r}; task ids are <dataset>.<stage>, datasets: {', '.join(groups)}"
        )
    run_id = _find_run(args.dag, args.at, args.run_id, market.timezone)
    subset = dag.partial_subset(task_ids=[args.task], include_downstream=args.downstream, include_upstream=False)
    task_ids = sorted(subset.task_dict)
    count = dag.clear(task_ids=task_ids, run_id=run_id)
    if not count:
        print(f"{args.dag} {run_id}: nothing to clear for {', '.join(task_ids)} (no task instance in that run)")
        return 1
    print(
        f"{args.dag} {run_id}: cleared {count} task instance(s): {', '.join(task_ids)}; the scheduler runs them again"
    )
    return 0


def _is_paused(dag_id: str) -> bool | None:
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalar(select(DagModel.is_paused).where(DagModel.dag_id == dag_id))


def _set_paused(dag_id: str, paused: bool) -> int:
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        return session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused)).rowcount


def cmd_pause(args: argparse.Namespace, paused: bool) -> int:
    rc = 0
    for dag_id in args.dags:
        found = _set_paused(dag_id, paused)
        now = _is_paused(dag_id)
        if not found or now is None:
            print(f"{dag_id}: not in this Airflow's database (not parsed yet?)")
            rc = 1
        else:
            print(f"{dag_id}: {'paused' if now else 'unpaused'}")
            rc = rc or (0 if bool(now) == paused else 1)
    return rc


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ingest_airflow.ops", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan")
    p.add_argument("dag")
    p.add_argument("start")
    p.add_argument("end")
    b = sub.add_parser("backfill")
    b.add_argument("dag")
    b.add_argument("start")
    b.add_argument("end")
    b.add_argument("--reprocess", choices=("failed", "completed", "none"), default="failed")
    b.add_argument("--dry-run", action="store_true")
    b.add_argument("--no-wait", action="store_true")
    b.add_argument("--unpause", action="store_true")
    b.add_argument("--poll", type=float, default=5.0)
    s = sub.add_parser("status")
    s.add_argument("dag")
    s.add_argument("--wait", action="store_true")
    s.add_argument("--poll", type=float, default=5.0)
    t = sub.add_parser("trigger")
    t.add_argument("dag")
    t.add_argument("--day")
    t.add_argument("--start")
    t.add_argument("--end")
    c = sub.add_parser("clear")
    c.add_argument("dag")
    c.add_argument("task")
    c.add_argument("--at")
    c.add_argument("--run-id")
    c.add_argument("--downstream", action="store_true")
    for name in ("pause", "unpause"):
        x = sub.add_parser(name)
        x.add_argument("dags", nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            for item in plan(args.dag, args.start, args.end):
                print(f"{item.label}\t{_z(item.start)}\t{_z(item.end)}")
            return 0
        if args.command == "backfill":
            return cmd_backfill(args)
        if args.command == "status":
            return cmd_status(args)
        if args.command == "trigger":
            return cmd_trigger(args)
        if args.command == "clear":
            return cmd_clear(args)
        return cmd_pause(args, paused=args.command == "pause")
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
