"""Helpers for make targets and scripts; no Airflow import.

python -m ingest_airflow.cli check CONNECTORS_DIR            validate every connectors/*.yaml
python -m ingest_airflow.cli pools CONNECTORS_DIR            "pool<TAB>slots<TAB>description" per market
python -m ingest_airflow.cli dags CONNECTORS_DIR [MARKET]    the DAG ids (of one market)
Backfills, triggers, clears and pauses: ingest_airflow.ops (it needs the Airflow database).
"""

from __future__ import annotations

import datetime as dt
import sys
from zoneinfo import ZoneInfo

from ingest_airflow.spec import load_all


def local_bound(value: str, tz: ZoneInfo, end: bool) -> str:
    """A market-local date -> its first (or, for the end, last) second as ISO with offset, for
    `airflow backfill create` by hand; an ISO date-time passes through."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # a date-time: validate, pass through
        return value
    if end:
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz) - dt.timedelta(seconds=1)
    else:
        moment = dt.datetime.combine(day, dt.time(), tz)
    return moment.isoformat()


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("check", "pools", "dags"):
        print(__doc__, file=sys.stderr)
        return 2
    command, directory, rest = argv[0], argv[1], argv[2:]
    result = load_all(directory)
    for e in result.errors:
        print(f"error: {e}", file=sys.stderr)
    for m in result.markets:
        if command == "pools":
            print(f"{m.rate_limit.pool}\t{m.rate_limit.pool_slots}\t{m.display_name}: one request stream")
        elif command == "dags":
            if not rest or rest[0] == m.market:
                print("\n".join(m.dag_id(c) for c in m.cadences()))
        else:
            dags = ", ".join(m.dag_id(c) for c in m.cadences())
            print(f"{m.source}: ok ({len(m.datasets)} datasets; DAGs {dags})")
    if command == "dags" and rest and rest[0] not in {m.market for m in result.markets}:
        print(f"error: no valid connectors/{rest[0]}.yaml", file=sys.stderr)
        return 1
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
