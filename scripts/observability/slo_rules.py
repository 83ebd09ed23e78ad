#!/usr/bin/env python3
"""Generates observability/alerts/slo.rules.yml from connectors/*.yaml.

For every dataset of every market it writes:

  ingest_freshness_objective_seconds   recording rule: the dataset's `freshness`, in seconds
  ingest_silence_threshold_seconds     recording rule: how long without any run before it is silent
  IngestDatasetStale     page    ingest_data_lag_seconds above `freshness` for 5 minutes
  IngestDatasetSilent    page    no run of any stage for SILENT_CADENCES windows plus `lag`, for 5 minutes
  IngestCompletenessLow  ticket  the last loaded interval's worst series below 99% complete, for 30 minutes

Usage:
  python3 scripts/observability/slo_rules.py            write the file
  python3 scripts/observability/slo_rules.py --check    exit 1 when the file differs from what
                                                        connectors/*.yaml produce

Needs PyYAML (python3-yaml) and nothing else. The output depends only on the connector files:
markets are sorted by name, datasets keep their order of declaration.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("slo_rules.py: PyYAML is missing (apt-get install python3-yaml, or pip install pyyaml)")

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONNECTORS = ROOT / "connectors"
DEFAULT_OUTPUT = ROOT / "observability" / "alerts" / "slo.rules.yml"

# A dataset is silent when no stage has run for this many windows (plus its lag). One missed run
# is a scheduler hiccup and a second can be a retry backoff; a third means the DAG is paused, the
# scheduler is down or the pods cannot start.
SILENT_CADENCES = 3
# The worst series of the last loaded interval must be at least this complete.
COMPLETENESS_OBJECTIVE = 0.99
STALE_FOR = "5m"
SILENT_FOR = "5m"
COMPLETENESS_FOR = "30m"

HEADER = """\
# generated from connectors/*.yaml by scripts/observability/slo_rules.py; do not edit
#
# Regenerate after changing a dataset's window, lag or freshness:
#   python3 scripts/observability/slo_rules.py
# and check that this file is current (scripts/observability/test-rules.sh does):
#   python3 scripts/observability/slo_rules.py --check
#
# Per dataset:
#   IngestDatasetStale     (page)   ingest_data_lag_seconds (ingest.rules.yml) above the dataset's
#                                   freshness for {stale_for}.
#   IngestDatasetSilent    (page)   no run of any stage for {n} windows plus the dataset's lag, for {silent_for}.
#   IngestCompletenessLow  (ticket) completeness of the last loaded interval below {completeness:g}
#                                   for {completeness_for}.
# None of them uses absent(): a dataset that has never run (a fresh deployment, a market without
# credentials yet) has no series and does not page. A Pushgateway that lost every group raises
# IngestMetricsAbsent (ingest.rules.yml) instead.
# ingest_freshness_objective_seconds and ingest_silence_threshold_seconds carry the thresholds as
# series, for the dashboards.
"""

_DURATION_PART = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    pass


def parse_duration(text: object, where: str) -> int:
    """Seconds of a connector duration: 30s, 5m, 2h, 1d, or a sequence of them (1h30m)."""
    s = str(text).strip()
    pos, total = 0, 0
    for m in _DURATION_PART.finditer(s):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ConfigError(f"{where}: '{s}' is not a duration (30s, 5m, 2h, 1d)")
    return total


def format_duration(seconds: int) -> str:
    """The shortest d/h/m/s spelling of a number of seconds (93600 -> 1d2h)."""
    if seconds == 0:
        return "0s"
    out = []
    for unit in ("d", "h", "m", "s"):
        n, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def q(text: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


def load_datasets(connectors: Path) -> list[dict]:
    files = sorted(connectors.glob("*.yaml"))
    if not files:
        raise ConfigError(f"no connector files in {connectors}")
    markets: dict[str, list[dict]] = {}
    for path in files:
        rel = f"connectors/{path.name}"
        with path.open(encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if not isinstance(doc, dict):
            raise ConfigError(f"{rel}: not a mapping")
        market = str(doc.get("market") or path.stem)
        if not _NAME.match(market):
            raise ConfigError(f"{rel}: market '{market}' is not a plain lower-case name")
        if market in markets:
            raise ConfigError(f"{rel}: market '{market}' is declared twice")
        datasets = doc.get("datasets")
        if not isinstance(datasets, dict) or not datasets:
            raise ConfigError(f"{rel}: no datasets")
        rows = []
        for name, ds in datasets.items():
            where = f"{rel}: datasets.{name}"
            if not _NAME.match(str(name)):
                raise ConfigError(f"{where}: not a plain lower-case name")
            if not isinstance(ds, dict):
                raise ConfigError(f"{where}: not a mapping")
            for key in ("window", "lag", "freshness"):
                if key not in ds:
                    raise ConfigError(f"{where}: '{key}' is missing")
            window = parse_duration(ds["window"], f"{where}.window")
            if window <= 0:
                raise ConfigError(f"{where}.window: must be positive")
            freshness = parse_duration(ds["freshness"], f"{where}.freshness")
            if freshness <= 0:
                raise ConfigError(f"{where}.freshness: must be positive")
            rows.append({
                "market": market,
                "dataset": str(name),
                "source": rel,
                "freshness": freshness,
                "freshness_text": str(ds["freshness"]).strip(),
                "window": window,
                "lag": parse_duration(ds["lag"], f"{where}.lag"),
            })
        markets[market] = rows
    return [row for market in sorted(markets) for row in markets[market]]


def alert(name: str, expr: str, for_: str, severity: str, market: str, dataset: str,
          summary: str, description: str) -> str:
    """One alert rule of a dataset, as the lines of the rule file."""
    return (f"      - alert: {name}\n"
            f"        expr: {expr}\n"
            f"        for: {for_}\n"
            "        labels:\n"
            f"          severity: {severity}\n"
            f"          market: {market}\n"
            f"          dataset: {dataset}\n"
            "        annotations:\n"
            f"          summary: {q(summary)}\n"
            f"          description: {q(description)}\n"
            f"          runbook: observability/README.md#runbook-{name.lower()}\n")


def render(datasets: list[dict]) -> str:
    out = [HEADER.format(stale_for=STALE_FOR, n=SILENT_CADENCES, silent_for=SILENT_FOR,
                         completeness=COMPLETENESS_OBJECTIVE, completeness_for=COMPLETENESS_FOR)]
    out.append("groups:\n")
    out.append("  - name: ingest-slo-objectives\n")
    out.append("    rules:\n")
    for d in datasets:
        silence = SILENT_CADENCES * d["window"] + d["lag"]
        for record, value in (("ingest_freshness_objective_seconds", d["freshness"]),
                              ("ingest_silence_threshold_seconds", silence)):
            out.append(f"      - record: {record}\n")
            out.append(f"        expr: vector({value})\n")
            out.append("        labels:\n")
            out.append(f"          market: {d['market']}\n")
            out.append(f"          dataset: {d['dataset']}\n")

    for market in sorted({d["market"] for d in datasets}):
        out.append("\n")
        out.append(f"  - name: ingest-slo-{market}\n")
        out.append("    rules:\n")
        for d in (d for d in datasets if d["market"] == market):
            m, ds = d["market"], d["dataset"]
            sel = f'market="{m}", dataset="{ds}"'
            who = f"{m}/{ds}"
            silence = SILENT_CADENCES * d["window"] + d["lag"]
            window_text, lag_text = format_duration(d["window"]), format_duration(d["lag"])
            silence_text = format_duration(silence)
            out.append(f"      # {who} ({d['source']}): window {window_text}, lag {lag_text}, "
                       f"freshness {d['freshness_text']}\n")

            out.append(alert("IngestDatasetStale", f"ingest_data_lag_seconds{{{sel}}} > {d['freshness']}",
                             STALE_FOR, "page", m, ds,
                             f"{who}: newest Silver interval ended {{{{ $value | humanizeDuration }}}} ago "
                             f"(objective {d['freshness_text']})",
                             f"The newest interval of {who} loaded into Silver is older than its freshness "
                             f"objective of {d['freshness_text']} ({d['source']}). Runs may be failing "
                             f"(see IngestUpstreamErrorRate) or the ISO may not have published yet "
                             f"(not_published runs)."))
            out.append(alert("IngestDatasetSilent",
                             f"time() - max by (market, dataset) (ingest_last_run_timestamp_seconds{{{sel}}}) > {silence}",
                             SILENT_FOR, "page", m, ds,
                             f"{who}: no run for {{{{ $value | humanizeDuration }}}} (threshold {silence_text})",
                             f"No stage of {who} has ended a run for longer than {SILENT_CADENCES} windows of "
                             f"{window_text} plus its lag of {lag_text} ({d['source']}). The DAG may be paused, "
                             f"the scheduler down, or the task pods unable to start or to reach the Pushgateway."))
            out.append(alert("IngestCompletenessLow",
                             f"min by (market, dataset) (ingest_completeness_ratio{{{sel}, stage=\"load\"}})"
                             f" < {COMPLETENESS_OBJECTIVE:g}",
                             COMPLETENESS_FOR, "ticket", m, ds,
                             f"{who}: last loaded interval {{{{ $value | humanizePercentage }}}} complete",
                             f"The worst series of the interval last loaded for {who} is less than "
                             f"{COMPLETENESS_OBJECTIVE:.0%} complete: the source published a partial file, or "
                             f"locations are missing."))
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate the per-dataset SLO rules from connectors/*.yaml.")
    p.add_argument("--check", action="store_true",
                   help="do not write; exit 1 when the output file differs from what the connectors produce")
    p.add_argument("--connectors", type=Path, default=DEFAULT_CONNECTORS,
                   help="folder of the market files (default: connectors/ of this checkout)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                   help="rule file to write or check (default: observability/alerts/slo.rules.yml)")
    args = p.parse_args(argv)

    try:
        datasets = load_datasets(args.connectors)
        text = render(datasets)
    except (ConfigError, yaml.YAMLError, OSError) as e:
        print(f"slo_rules.py: {e}", file=sys.stderr)
        return 2

    try:
        shown = args.output.resolve().relative_to(ROOT)
    except ValueError:
        shown = args.output
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current == text:
            print(f"slo_rules.py: {shown} is up to date")
            return 0
        if current is None:
            print(f"slo_rules.py: {shown} is missing; run python3 scripts/observability/slo_rules.py",
                  file=sys.stderr)
        else:
            print(f"slo_rules.py: {shown} differs from what connectors/*.yaml produce; "
                  f"run python3 scripts/observability/slo_rules.py and commit the result", file=sys.stderr)
            diff = list(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                             f"{shown} (current)", f"{shown} (generated)"))
            sys.stderr.writelines(diff[:60])
            if len(diff) > 60:
                print(f"... {len(diff) - 60} more diff lines", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"slo_rules.py: wrote {shown} ({len(datasets)} datasets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
