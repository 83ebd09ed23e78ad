#!/usr/bin/env python3
"""Checks the Grafana dashboards under observability/dashboards/ against a running Prometheus.

Every dashboard JSON must parse and have a uid, a title and panels; every panel (rows aside) must
name a datasource and have at least one target with a PromQL `expr`; every variable an expression
uses must be a Grafana built-in or one of the dashboard's templating variables.

Then every target's expression is evaluated (instant query, /api/v1/query) after the Grafana
variables are replaced: $market and $dataset by `.*` or by --market/--dataset, other templating
variables by `.*` (constants and text boxes by their value), $__range by 1h, $__rate_interval and
$__interval by 1m. One line per panel: `ok <n> series` or `EMPTY` (a target returned no series).
Exit status 1 when a dashboard is invalid, a panel is empty or a query fails.

  check_dashboards.py [--prometheus URL] [--market M] [--dataset D] [FILE ...]
  check_dashboards.py --offline              structure and variables only, no Prometheus
  check_dashboards.py --expr 'PROMQL'        evaluate one expression, print its series; exit 0 when
                                             at least one has a non-zero value, 1 when none has,
                                             2 when the query fails

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DASHBOARDS = ROOT / "observability" / "dashboards"

BUILTINS = {
    "__range": "1h",
    "__range_s": "3600",
    "__range_ms": "3600000",
    "__rate_interval": "1m",
    "__rate_interval_ms": "60000",
    "__interval": "1m",
    "__interval_ms": "60000",
}
# ${name}, ${name:format}, [[name]], [[name:format]], $name
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")


class QueryError(Exception):
    pass


def query(prometheus: str, expr: str, timeout: float) -> dict:
    """The `data` of an instant query; QueryError on an HTTP, network or PromQL error."""
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        try:
            body = json.load(e)
        except ValueError:
            raise QueryError(f"HTTP {e.code} from {prometheus}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise QueryError(f"{prometheus}: {e}") from None
    if body.get("status") != "success":
        raise QueryError(f"{body.get('errorType', 'error')}: {body.get('error', body)}")
    return body["data"]


def series_of(data: dict) -> list[tuple[dict, float]]:
    """(labels, value) per series of a query result; a matrix gives each series' last value."""
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        return [(s.get("metric", {}), float(s["value"][1])) for s in result]
    if kind == "matrix":
        return [(s.get("metric", {}), float(s["values"][-1][1])) for s in result if s.get("values")]
    if kind in ("scalar", "string"):
        try:
            return [({}, float(result[1]))]
        except (TypeError, ValueError):
            return [({}, math.nan)]
    return []


def format_series(labels: dict, value: float) -> str:
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}} {value:g}"


def substitute(expr: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """expr with Grafana variables replaced; the names it used that have no value."""
    unknown: list[str] = []

    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if name.isdigit():  # $1 of label_replace
            return m.group(0)
        if name in values:
            return values[name]
        unknown.append(name)
        return m.group(0)

    return _VARIABLE.sub(repl, expr), unknown


def variable_values(dashboard: dict, overrides: dict[str, str]) -> dict[str, str]:
    values = dict(BUILTINS)
    templating = dashboard.get("templating") or {}
    for var in templating.get("list") or []:
        name = var.get("name")
        if not name:
            continue
        if var.get("type") in ("constant", "textbox"):
            q = var.get("query")
            values[name] = q if isinstance(q, str) else ""
        elif var.get("type") == "interval":
            values[name] = "1m"
        elif var.get("type") == "datasource":
            values[name] = "prometheus"
        else:
            values[name] = ".*"
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    return values


def panels_of(dashboard: dict) -> list[dict]:
    """Every panel, rows' nested panels included, rows themselves excluded."""
    out = []
    for p in dashboard.get("panels") or []:
        if not isinstance(p, dict):
            continue
        if p.get("type") == "row":
            out.extend(x for x in p.get("panels") or [] if isinstance(x, dict))
        else:
            out.append(p)
    return out


def validate(dashboard: object, values: dict[str, str]) -> list[str]:
    problems = []
    if not isinstance(dashboard, dict):
        return ["not a JSON object"]
    for key in ("uid", "title"):
        if not isinstance(dashboard.get(key), str) or not dashboard[key].strip():
            problems.append(f"no {key}")
    panels = panels_of(dashboard)
    if not panels:
        problems.append("no panels")
    ids: dict[object, str] = {}
    for p in panels:
        title = p.get("title") or f"panel id {p.get('id')}"
        pid = p.get("id")
        if pid is None:
            problems.append(f"panel '{title}': no id")
        elif pid in ids:
            problems.append(f"panel '{title}': id {pid} is also '{ids[pid]}'")
        else:
            ids[pid] = title
        if not p.get("datasource"):
            problems.append(f"panel '{title}': no datasource")
        targets = p.get("targets")
        if not isinstance(targets, list) or not targets:
            problems.append(f"panel '{title}': no targets")
            continue
        for t in targets:
            ref = t.get("refId", "?") if isinstance(t, dict) else "?"
            expr = t.get("expr") if isinstance(t, dict) else None
            if not isinstance(expr, str) or not expr.strip():
                problems.append(f"panel '{title}' target {ref}: no expr")
                continue
            _, unknown = substitute(expr, values)
            for name in sorted(set(unknown)):
                problems.append(f"panel '{title}' target {ref}: ${name} is not a variable of the dashboard")
    return problems


def check_expr(args: argparse.Namespace) -> int:
    expr, _ = substitute(args.expr, variable_values({}, {"market": args.market or ".*",
                                                         "dataset": args.dataset or ".*"}))
    try:
        found = series_of(query(args.prometheus, expr, args.timeout))
    except QueryError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for labels, value in found:
        print(format_series(labels, value))
    truthy = [v for _, v in found if v != 0 and not math.isnan(v)]
    if truthy:
        print(f"true: {len(truthy)} of {len(found)} series non-zero")
        return 0
    print("false: no series" if not found else f"false: {len(found)} series, none non-zero")
    return 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Validate the Grafana dashboards and check that every panel's queries return data.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit status: 0 all panels returned data; 1 an invalid dashboard, an empty panel or a "
               "failed query (--expr: no non-zero series); 2 usage or, with --expr, a failed query")
    p.add_argument("files", nargs="*", type=Path,
                   help="dashboard JSON files (default: every *.json under observability/dashboards/)")
    p.add_argument("--prometheus", default="http://127.0.0.1:9090", help="Prometheus base URL (default: %(default)s)")
    p.add_argument("--market", help="value for $market (default: .*, every market)")
    p.add_argument("--dataset", help="value for $dataset (default: .*, every dataset)")
    p.add_argument("--dashboards", type=Path, default=DEFAULT_DASHBOARDS,
                   help="folder searched when no FILE is given (default: observability/dashboards)")
    p.add_argument("--offline", action="store_true", help="validate the JSON and the variables only; no queries")
    p.add_argument("--expr", help="evaluate this one expression instead of the dashboards")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per query (default: %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every target's expression and count")
    args = p.parse_args(argv)

    if args.expr is not None:
        return check_expr(args)

    files = args.files or sorted(args.dashboards.rglob("*.json"))
    if not files:
        print(f"no dashboards under {args.dashboards}", file=sys.stderr)
        return 1

    failed = False
    panels_checked = 0
    for path in files:
        try:
            shown = path.resolve().relative_to(ROOT)
        except ValueError:
            shown = path
        try:
            dashboard = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(f"INVALID {shown}: {e}")
            failed = True
            continue
        values = variable_values(dashboard if isinstance(dashboard, dict) else {},
                                 {"market": args.market, "dataset": args.dataset})
        problems = validate(dashboard, values)
        if problems:
            failed = True
            for problem in problems:
                print(f"INVALID {shown}: {problem}")
            continue
        print(f"{shown}: '{dashboard['title']}' (uid {dashboard['uid']}), {len(panels_of(dashboard))} panels")
        if args.offline:
            continue
        for panel in panels_of(dashboard):
            panels_checked += 1
            title = panel.get("title", "")
            total, empty, errors = 0, [], []
            for t in panel["targets"]:
                expr, _ = substitute(t["expr"], values)
                ref = t.get("refId", "?")
                try:
                    n = len(series_of(query(args.prometheus, expr, args.timeout)))
                except QueryError as e:
                    errors.append(f"target {ref}: {e}")
                    continue
                if args.verbose:
                    print(f"    {ref}: {n} series  {' '.join(expr.split())}")
                total += n
                if n == 0:
                    empty.append(ref)
            if errors:
                failed = True
                print(f"  ERROR  {title}")
                for e in errors:
                    print(f"         {e}")
            elif empty:
                failed = True
                print(f"  EMPTY  {title} (no series from target {', '.join(empty)})")
            else:
                print(f"  ok {total} series  {title}")

    if failed:
        print("check_dashboards: FAILED")
        return 1
    if args.offline:
        print(f"check_dashboards: {len(files)} dashboards valid")
    else:
        print(f"check_dashboards: {panels_checked} panels of {len(files)} dashboards returned data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
