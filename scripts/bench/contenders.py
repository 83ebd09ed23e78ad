"""The contenders of `make bench` and the bench's bookkeeping (driven by scripts/bench.sh).

Each contender turns the same OASIS PRC_INTVL_LMP SingleZip payloads that the project fetched into
the rows of `stg_prices` (value columns), the way a user of that tool would write it, and writes
them to a local file:

  duckdb_sql  unzip to a temp folder + DuckDB read_csv (schema given) + pivot (conditional aggregates)
              + CREATE TABLE AS in a DuckDB file
  polars      polars read_csv of each zip's CSV + pivot + write_parquet
  pandas      pandas read_csv of each zip + to_datetime + pivot_table + to_parquet (what a gridstatus user writes)

Commands (each prints what it did; non-zero exit on failure):
  run NAME --zips DIR --out FILE               one contender: the timed process; prints {"rows": N}
  export --warehouse FILE --start T --end T --zips DIR [--reference FILE]
                                               Bronze zips of the interval (latest per part) and its
                                               normalize rows from stg_prices, out of the embedded warehouse
  check --reference FILE --json FILE NAME=FILE...
                                               each contender's rows against stg_prices: differing values
  report --measurements TSV --json FILE [...]  medians, the side-by-side table, ratios, scaling, ClickHouse
  clickhouse-target DSN DATABASE               shell assignments for the bench's ClickHouse database
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

MARKET, DATASET, MARKET_RUN, PRICE_TYPE = "caiso", "lmp_rt_5min", "RT", "LMP"
# OASIS LMP_TYPE -> stg_prices column (OasisPriceParser: the raw VALUE, no rounding).
COMPONENTS = {"LMP": "price", "MCE": "energy", "MCC": "congestion", "MCL": "loss", "MGHG": "ghg"}
KEY = ["market", "dataset", "market_run", "price_type", "location_id", "interval_start_utc", "interval_end_utc"]
VALUES = list(COMPONENTS.values())
COLUMNS = KEY + VALUES
# OASIS columns a contender needs (the parser finds the node in NODE, the value in VALUE for RTM).
NODE, START, END, TYPE, VALUE = "NODE", "INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "LMP_TYPE", "VALUE"
SUFFIX = {"duckdb_sql": ".duckdb", "polars": ".parquet", "pandas": ".parquet"}


def zips_in(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*.zip"))
    if not found:
        raise SystemExit(f"contenders: no .zip files in {folder}")
    return found


# ------------------------------------------------------------------------------------ contenders


def duckdb_sql(zips: list[Path], out: Path) -> int:
    import duckdb

    csv_dir = Path(tempfile.mkdtemp(prefix="csv-", dir=out.parent))
    try:
        for z in zips:
            with zipfile.ZipFile(z) as zf:
                zf.extractall(csv_dir)
        # The schema given, not sniffed: DuckDB's sniffer costs ~0.1 s per file, more than parsing one
        # hour of all nodes. Names come from the header, so the column order of the report does not matter.
        first = next(csv_dir.glob("*.csv"))
        with first.open() as f:
            header = f.readline().strip().split(",")
        types = {START: "TIMESTAMPTZ", END: "TIMESTAMPTZ", VALUE: "DOUBLE"}
        columns = "{" + ", ".join(f"'{c}': '{types.get(c, 'VARCHAR')}'" for c in header) + "}"
        out.unlink(missing_ok=True)
        con = duckdb.connect(str(out))
        pivots = ",\n".join(f"first({VALUE}) FILTER (WHERE {TYPE} = '{t}') AS {c}" for t, c in COMPONENTS.items())
        con.execute(f"""
            CREATE TABLE stg_prices AS
            SELECT '{MARKET}' AS market, '{DATASET}' AS dataset, '{MARKET_RUN}' AS market_run,
                   '{PRICE_TYPE}' AS price_type, {NODE} AS location_id,
                   timezone('UTC', {START}) AS interval_start_utc, timezone('UTC', {END}) AS interval_end_utc,
                   {pivots}
            FROM read_csv('{csv_dir}/*.csv', header = true, auto_detect = false, columns = {columns})
            GROUP BY ALL""")
        rows = con.execute("SELECT count(*) FROM stg_prices").fetchone()[0]
        con.close()
        return rows
    finally:
        shutil.rmtree(csv_dir, ignore_errors=True)


def polars(zips: list[Path], out: Path) -> int:
    import polars as pl

    csvs = []
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            csvs.append(zf.read(next(n for n in zf.namelist() if n.lower().endswith(".csv"))))
    df = pl.read_csv(csvs, columns=[START, END, NODE, TYPE, VALUE], schema_overrides={VALUE: pl.Float64})
    wide = df.pivot(on=TYPE, index=[NODE, START, END], values=VALUE, aggregate_function="first")
    ts = "%Y-%m-%dT%H:%M:%S%:z"
    wide = wide.select(
        pl.lit(MARKET).alias("market"),
        pl.lit(DATASET).alias("dataset"),
        pl.lit(MARKET_RUN).alias("market_run"),
        pl.lit(PRICE_TYPE).alias("price_type"),
        pl.col(NODE).alias("location_id"),
        pl.col(START).str.to_datetime(ts, time_zone="UTC").alias("interval_start_utc"),
        pl.col(END).str.to_datetime(ts, time_zone="UTC").alias("interval_end_utc"),
        *[(pl.col(t) if t in wide.columns else pl.lit(None, pl.Float64)).alias(c) for t, c in COMPONENTS.items()],
    )
    wide.write_parquet(out)
    return wide.height


def pandas(zips: list[Path], out: Path) -> int:
    import pandas as pd

    df = pd.concat([pd.read_csv(z, usecols=[START, END, NODE, TYPE, VALUE]) for z in zips], ignore_index=True)
    df[START] = pd.to_datetime(df[START], utc=True)
    df[END] = pd.to_datetime(df[END], utc=True)
    wide = df.pivot_table(index=[NODE, START, END], columns=TYPE, values=VALUE, aggfunc="first").reset_index()
    wide = wide.rename(
        columns={NODE: "location_id", START: "interval_start_utc", END: "interval_end_utc", **COMPONENTS}
    )
    for c in VALUES:
        if c not in wide.columns:
            wide[c] = float("nan")
    wide.insert(0, "market", MARKET)
    wide.insert(1, "dataset", DATASET)
    wide.insert(2, "market_run", MARKET_RUN)
    wide.insert(3, "price_type", PRICE_TYPE)
    wide[COLUMNS].to_parquet(out, index=False)
    return len(wide)


CONTENDERS = {"duckdb_sql": duckdb_sql, "polars": polars, "pandas": pandas}


def cmd_run(a) -> int:
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = CONTENDERS[a.name](zips_in(Path(a.zips)), out)
    print(json.dumps({"contender": a.name, "rows": rows, "out": str(out)}))
    return 0


# ------------------------------------------------------------------------------ export and check


def cmd_export(a) -> int:
    import duckdb

    con = duckdb.connect(a.warehouse, read_only=True)
    key = f"market = '{MARKET}' AND dataset = '{DATASET}'"
    window = f"TIMESTAMP '{a.start.rstrip('Z')}'", f"TIMESTAMP '{a.end.rstrip('Z')}'"
    if a.zips:
        zdir = Path(a.zips)
        zdir.mkdir(parents=True, exist_ok=True)
        parts = con.execute(f"""
            SELECT part, body FROM bronze_payloads
            WHERE {key} AND interval_start_utc = {window[0]} AND interval_end_utc = {window[1]}
            QUALIFY row_number() OVER (PARTITION BY part ORDER BY last_fetched_at DESC) = 1
            ORDER BY part""").fetchall()
        if not parts:
            print(
                f"export: no Bronze payloads of {MARKET}/{DATASET} {a.start}..{a.end} in {a.warehouse}", file=sys.stderr
            )
            return 1
        csv_rows = zip_bytes = 0
        for part, body in parts:
            p = zdir / f"part-{part:03d}.zip"
            p.write_bytes(body)
            zip_bytes += len(body)
            with zipfile.ZipFile(p) as zf:
                for n in zf.namelist():
                    if n.lower().endswith(".csv"):
                        with zf.open(n) as f:
                            csv_rows += max(0, sum(1 for _ in f) - 1)
        meta = {"zips": len(parts), "zip_bytes": zip_bytes, "csv_rows": csv_rows}
        (zdir / "meta.json").write_text(json.dumps(meta))
        print(f"export: {len(parts)} zips ({zip_bytes} bytes, {csv_rows} CSV rows) -> {zdir}")
    if a.reference:
        n = con.execute(f"""
            SELECT count(*) FROM stg_prices WHERE stage = 'normalize' AND {key}
              AND interval_start_utc >= {window[0]} AND interval_start_utc < {window[1]}""").fetchone()[0]
        if n == 0:
            print(f"export: no normalize rows in stg_prices of {a.warehouse}", file=sys.stderr)
            return 1
        con.execute(f"""
            COPY (SELECT {", ".join(COLUMNS)} FROM stg_prices WHERE stage = 'normalize' AND {key}
                    AND interval_start_utc >= {window[0]} AND interval_start_utc < {window[1]})
            TO '{a.reference}' (FORMAT parquet)""")
        print(f"export: {n} stg_prices rows (stage normalize) -> {a.reference}")
    return 0


def contender_relation(con, name: str, path: str) -> str:
    """A view over a contender's result in stg_prices' column types (timestamps as UTC TIMESTAMP)."""
    if path.endswith(".duckdb"):
        con.execute(f"ATTACH '{path}' AS c_{name} (READ_ONLY)")
        src = f"c_{name}.stg_prices"
    else:
        src = f"read_parquet('{path}')"
    cols = ", ".join(
        [f"CAST({c} AS VARCHAR) AS {c}" for c in KEY[:5]]
        + [f"CAST({c} AS TIMESTAMP) AS {c}" for c in KEY[5:]]
        + [f"CAST({c} AS DOUBLE) AS {c}" for c in VALUES]
    )
    con.execute(f"CREATE TEMP VIEW v_{name} AS SELECT {cols} FROM {src}")
    return f"v_{name}"


def cmd_check(a) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TEMP VIEW ref AS SELECT * FROM read_parquet('{a.reference}')")
    ref_rows = con.execute("SELECT count(*) FROM ref").fetchone()[0]
    results, bad = {}, 0
    for spec in a.results:
        name, path = spec.split("=", 1)
        if not os.path.exists(path):
            results[name] = {"status": "failed", "reason": "no result file (the contender failed)"}
            bad += 1
            continue
        v = contender_relation(con, name, path)
        on = " AND ".join(f"r.{k} = c.{k}" for k in KEY)
        diff = " + ".join(f"(r.{c} IS DISTINCT FROM c.{c})::INT" for c in VALUES)
        rows, missing, extra, differing, rows_differing = con.execute(f"""
            SELECT count(c.location_id), count(*) FILTER (WHERE c.location_id IS NULL),
                   count(*) FILTER (WHERE r.location_id IS NULL),
                   coalesce(sum({diff}) FILTER (WHERE r.location_id IS NOT NULL AND c.location_id IS NOT NULL), 0),
                   count(*) FILTER (WHERE r.location_id IS NOT NULL AND c.location_id IS NOT NULL AND ({diff}) > 0)
            FROM ref r FULL OUTER JOIN {v} c ON {on}""").fetchone()
        dup = con.execute(f"SELECT count(*) - count(DISTINCT ({', '.join(KEY)})) FROM {v}").fetchone()[0]
        # A missing or extra row differs in all its values; a duplicated key counts as extra rows.
        total = int(differing) + len(COLUMNS) * (missing + extra)
        r = {
            "rows": rows,
            "reference_rows": ref_rows,
            "missing_rows": missing,
            "extra_rows": extra,
            "duplicate_keys": dup,
            "differing_values": total,
            "rows_with_differing_values": rows_differing,
        }
        if total != 0 or dup != 0:
            sample = con.execute(f"""
                SELECT r.location_id, r.interval_start_utc, {", ".join(f"r.{c}, c.{c}" for c in VALUES)}
                FROM ref r JOIN {v} c ON {on} WHERE ({diff}) > 0 LIMIT 3""").fetchall()
            r["sample"] = [[str(x) for x in s] for s in sample]
        r["status"] = "ok" if total == 0 and dup == 0 else "failed"
        bad += r["status"] != "ok"
        results[name] = r
    print(
        f"check: rows of each contender vs stg_prices (stage normalize, {ref_rows} rows; "
        f"compared: {', '.join(COLUMNS)})"
    )
    for name, r in results.items():
        if "differing_values" in r:
            print(
                f"  {name:<11} {r['rows']} rows, {r['differing_values']} differing values "
                f"({r['missing_rows']} missing rows, {r['extra_rows']} extra, {r['duplicate_keys']} duplicate keys, "
                f"{r['rows_with_differing_values']} rows with differing values) {r['status'].upper()}"
            )
            for s in r.get("sample", []):
                print(f"      e.g. {s}")
        else:
            print(f"  {name:<11} {r['reason']} FAILED")
    Path(a.json).write_text(json.dumps({"reference_rows": ref_rows, "contenders": results}, indent=2))
    return 1 if bad else 0


# ------------------------------------------------------------------------------------- report

OOM = re.compile(r"(OutOfMemoryError(?::[ A-Za-z]+)?)")


def json_lines(path: str) -> list[dict]:
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def parse_measurement(m: dict) -> dict:
    r = {
        "name": m["name"],
        "run": int(m["run"]),
        "status": "ok",
        "reason": None,
        "wall_s": None,
        "cpu_s": None,
        "peak_rss_mb": None,
        "rows": None,
        "total_ms": None,
        "stage_ms": None,
        "jvm_start_ms": None,
        "overhead_s": None,
    }
    if m["kind"] == "skipped":
        r.update(status="skipped", reason=m["note"])
        return r
    tf = read_text(m["timefile"])
    for line in reversed(tf.splitlines()):
        f = line.split()
        if len(f) == 4 and all(re.fullmatch(r"[0-9.]+", x) for x in f):
            r["wall_s"], r["cpu_s"] = float(f[0]), round(float(f[1]) + float(f[2]), 2)
            r["peak_rss_mb"] = round(int(f[3]) / 1024, 1)
            break
    rc = int(m["rc"])
    err = read_text(m["errfile"])
    lines = json_lines(m["errfile"])
    if m["kind"] == "jar":
        stage = "load" if m["name"] == "run" else m["name"].removeprefix("clickhouse_")
        for j in lines:
            if j.get("msg") == "timing":
                r["total_ms"], r["stage_ms"], r["jvm_start_ms"] = (
                    j.get("total_ms"),
                    j.get("stage_ms"),
                    j.get("jvm_start_ms"),
                )
            if "status" in j and j.get("stage") == stage and "rows_out" in j:
                r["rows"] = j["rows_out"]
        if r["wall_s"] is not None and r["total_ms"] is not None:
            r["overhead_s"] = round(r["wall_s"] - r["total_ms"] / 1000, 2)
    elif m["kind"] == "contender":
        for line in read_text(m["outfile"]).splitlines():
            if line.startswith("{"):
                try:
                    r["rows"] = json.loads(line).get("rows")
                except ValueError:
                    pass
    elif m["kind"] == "raw":
        mm = re.search(r"rows=(\d+)", m["note"])
        r["rows"] = int(mm.group(1)) if mm else None
    if rc != 0:
        r["status"] = "failed"
        oom = OOM.search(err)
        sig = re.search(r"terminated by signal (\d+)", tf)
        if oom:
            r["reason"] = oom.group(1).strip()
        elif rc == 124:
            r["reason"] = "timeout"
        elif sig:
            r["reason"] = f"killed by signal {sig.group(1)}"
        else:
            msg = next((j.get("msg") for j in lines if j.get("level") == "ERROR"), None)
            if msg is None:
                tail = [x for x in err.splitlines() if x.strip() and not x.startswith("{")]
                msg = tail[-1] if tail else ""
            r["reason"] = f"exit {rc}" + (f": {msg[:90]}" if msg else "")
    return r


def median(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["status"] == "ok"]
    bad = [r for r in runs if r["status"] != "ok"]
    use = ok or bad
    s = {
        "runs": len(runs),
        "ok_runs": len(ok),
        "status": "ok" if not bad else bad[0]["status"],
        "reason": None if not bad else bad[0]["reason"],
    }
    for k in ("wall_s", "cpu_s", "peak_rss_mb", "rows", "total_ms", "stage_ms", "overhead_s"):
        s[k] = median([r[k] for r in use])
    if s["rows"] is not None:
        s["rows"] = int(s["rows"])
    s["per_run"] = [
        {k: r[k] for k in ("run", "status", "reason", "wall_s", "cpu_s", "peak_rss_mb", "rows", "overhead_s")}
        for r in runs
    ]
    return s


STAGES = ["fetch", "normalize", "enrich", "load"]


def chain(runs_by_name: dict[str, list[dict]]) -> dict:
    """The four stage processes as Airflow runs them, one after the other: per run the sum."""
    per_run = []
    for i in sorted({r["run"] for n in STAGES for r in runs_by_name.get(n, [])}):
        rs = [next((r for r in runs_by_name.get(n, []) if r["run"] == i), None) for n in STAGES]
        first_bad = next((r for r in rs if r is None or r["status"] != "ok"), None)
        walls = [r["wall_s"] for r in rs if r and r["wall_s"] is not None]
        cpus = [r["cpu_s"] for r in rs if r and r["cpu_s"] is not None]
        rss = [r["peak_rss_mb"] for r in rs if r and r["peak_rss_mb"] is not None]
        per_run.append(
            {
                "name": "stages",
                "run": i,
                "status": "ok" if first_bad is None else "failed",
                "reason": None
                if first_bad is None
                else (
                    f"{first_bad['name']} {first_bad['status']}: {first_bad['reason']}"
                    if first_bad
                    else "missing stage"
                ),
                "wall_s": round(sum(walls), 2) if walls else None,
                "cpu_s": round(sum(cpus), 2) if cpus else None,
                "peak_rss_mb": max(rss) if rss else None,
                "rows": rs[3]["rows"] if rs[3] else None,
                "total_ms": None,
                "stage_ms": None,
                "overhead_s": None,
            }
        )
    return summarize(per_run)


def fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def status_text(s: dict) -> str:
    if s["status"] == "ok":
        return "ok"
    runs = f" ({s['runs'] - s['ok_runs']}/{s['runs']} runs)" if s["runs"] > 1 and s["status"] != "skipped" else ""
    return f"{s['status']}: {s['reason']}{runs}"


def verdict(ok: bool | None) -> str:
    return "PASS" if ok else "FAIL"


def clickhouse_section(grouped: dict, nodes: int, meta: dict, p, others: list) -> dict | None:
    """The ClickHouse table: ingest load vs a raw RowBinary insert of the same rows (and the peak RSS
    of normalize and enrich against ClickHouse); appends its checks to others."""
    ch = None
    if ("clickhouse", nodes, "clickhouse_load") in grouped or meta.get("clickhouse"):
        ch = {"note": meta.get("clickhouse")}
        ld = summarize(grouped.get(("clickhouse", nodes, "clickhouse_load"), []))
        raw = summarize(grouped.get(("clickhouse", nodes, "clickhouse_raw"), []))
        stages = {
            st: summarize(grouped[("clickhouse", nodes, "clickhouse_" + st)])
            for st in ("normalize", "enrich")
            if ("clickhouse", nodes, "clickhouse_" + st) in grouped
        }
        ch.update(load=ld, raw=raw, stages=stages)
        if ld["runs"] or raw["runs"]:
            p(f"ClickHouse ({meta.get('clickhouse', '')}): the same rows into Silver")
            p("")
            p("| process | rows | wall s | rows/s | peak RSS MB | status |")
            p("|---|---:|---:|---:|---:|---|")
            for label, s in (
                [(f"ingest {st} (CLICKHOUSE_DSN, 1 run)", stages[st]) for st in stages]
                + [
                    ("ingest load (CLICKHOUSE_DSN)", ld),
                    ("clickhouse-client INSERT … FORMAT RowBinary", raw),
                ]
            ):
                s["rows_per_s"] = (
                    round(s["rows"] / s["wall_s"]) if s["rows"] and s["wall_s"] and s["status"] == "ok" else None
                )
                cells = [
                    fmt(s["rows"]),
                    fmt(s["wall_s"]),
                    fmt(s["rows_per_s"]),
                    fmt(s["peak_rss_mb"], 0),
                    status_text(s),
                ]
                p(f"| {label} | " + " | ".join(cells) + " |")
            p("")
            r = ld["rows_per_s"] / raw["rows_per_s"] if ld.get("rows_per_s") and raw.get("rows_per_s") else None
            ch["ratio"] = round(r, 2) if r is not None else None
            others.append(
                {
                    "name": "ClickHouse load / raw RowBinary insert (rows/s)",
                    "value": ch["ratio"],
                    "unit": "",
                    "target": "≥ 0.5",
                    "passed": r is not None and r >= 0.5,
                    "note": None if r is not None else "load or raw insert failed",
                }
            )
            measured = [(st, s) for st, s in list(stages.items()) + [("load", ld)] if s["runs"]]
            worst = max(
                (x for x in measured if x[1]["peak_rss_mb"] is not None), key=lambda x: x[1]["peak_rss_mb"], default=None
            )
            bad = [st for st, s in measured if s["status"] != "ok"]
            others.append(
                {
                    "name": "peak RSS of every stage against ClickHouse",
                    "value": worst[1]["peak_rss_mb"] if worst else None,
                    "unit": "MB",
                    "target": "≤ 512 MB",
                    "passed": bool(measured) and not bad and worst is not None and worst[1]["peak_rss_mb"] <= 512,
                    "note": (f"{', '.join(bad)} did not finish" if bad else None) or (f"max: {worst[0]}" if worst else None),
                }
            )
        else:
            others.append(
                {
                    "name": "ClickHouse load / raw RowBinary insert",
                    "value": None,
                    "unit": "",
                    "target": "≥ 0.5",
                    "passed": False,
                    "note": meta.get("clickhouse_skip", "not measured"),
                }
            )
    return ch


def cmd_report_clickhouse_only(a, grouped: dict, meta: dict) -> int:
    """BENCH_ONLY=clickhouse: the ClickHouse table and its checks, nothing else."""
    nodes = int(meta.get("nodes", 0))
    out: list[str] = []
    p = out.append
    p(
        f"bench (ClickHouse only): caiso/lmp_rt_5min {meta.get('start')}..{meta.get('end')}, {nodes} nodes, "
        f"{meta.get('runs')} run(s), JAR {meta.get('java_opts')}, {meta.get('cpus')} CPUs, commit {meta.get('commit')}; "
        f"load average {meta.get('load_average')}"
    )
    p("")
    others: list[dict] = []
    ch = clickhouse_section(grouped, nodes, meta, p, others)
    p("| check | value | target | result |")
    p("|---|---:|---|---|")
    for o in others:
        val = "—" if o["value"] is None else f"{fmt(o['value'], 0 if o['unit'] == 'MB' else 2)} {o['unit']}".strip()
        note = f" ({o['note']})" if o["note"] else ""
        p(f"| {o['name']} | {val} | {o['target']} | {verdict(o['passed'])}{note} |")
    if not ch:
        p("")
        p(f"ClickHouse: {meta.get('clickhouse_skip', 'not measured')}")
    text = "\n".join(out)
    print(text)
    Path(a.json).write_text(json.dumps({"meta": meta, "targets": others, "clickhouse": ch}, indent=2, default=str) + "\n")
    if a.markdown:
        Path(a.markdown).write_text(text + "\n")
    failures = [] if ch and ch.get("load", {}).get("status") == "ok" else ["ClickHouse load not measured"]
    if a.strict:
        failures += [o["name"] for o in others if not o["passed"]]
    if failures:
        print(f"bench: FAILED: {', '.join(dict.fromkeys(failures))}", file=sys.stderr)
        return 1
    return 0


def cmd_report(a) -> int:
    meta = dict(kv.split("=", 1) for kv in a.meta)
    ms = []
    with open(a.measurements) as f:
        for line in f:
            if not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            ms.append(
                dict(
                    zip(["section", "nodes", "run", "name", "kind", "rc", "timefile", "errfile", "outfile", "note"], p)
                )
            )
    grouped: dict[tuple, list[dict]] = {}
    for m in ms:
        grouped.setdefault((m["section"], int(m["nodes"]), m["name"]), []).append(parse_measurement(m))
    if a.clickhouse_only:
        return cmd_report_clickhouse_only(a, grouped, meta)
    nodes = int(meta.get("nodes", 0))
    main = {name: runs for (sec, n, name), runs in grouped.items() if sec == "main"}
    summary = {name: summarize(runs) for name, runs in main.items()}
    if all(n in main for n in STAGES):
        summary["stages"] = chain(main)
    check = json.loads(Path(a.check).read_text()) if a.check and os.path.exists(a.check) else None
    zmeta = json.loads(Path(a.zips_meta).read_text()) if a.zips_meta and os.path.exists(a.zips_meta) else {}

    order = [
        ("fetch", "ingest fetch"),
        ("normalize", "ingest normalize"),
        ("enrich", "ingest enrich"),
        ("load", "ingest load"),
        ("stages", "run: the 4 stage processes"),
        ("run", "ingest run (1 process)"),
        ("duckdb_sql", "duckdb_sql"),
        ("polars", "polars"),
        ("pandas", "pandas"),
        ("help", "ingest --help"),
    ]
    out = []
    p = out.append
    csv_rows = zmeta.get("csv_rows")
    p(
        f"bench: caiso/lmp_rt_5min {meta.get('start')}..{meta.get('end')}, {nodes} nodes "
        f"({nodes + 7} locations{', ' + format(csv_rows, ',') + ' OASIS CSV rows' if csv_rows else ''}"
        f"{', ' + str(zmeta['zips']) + ' zips' if 'zips' in zmeta else ''}), median of {meta.get('runs')} run(s), "
        f"JAR {meta.get('java_opts')}, {meta.get('cpus')} CPUs, commit {meta.get('commit')}; "
        f"load average {meta.get('load_average')}"
    )
    p("")
    p("| process | wall s | cpu s | peak RSS MB | rows | wall − own timer s | status |")
    p("|---|---:|---:|---:|---:|---:|---|")
    for key, label in order:
        s = summary.get(key)
        if s is None:
            continue
        p(
            f"| {label} | {fmt(s['wall_s'])} | {fmt(s['cpu_s'])} | {fmt(s['peak_rss_mb'], 0)} | "
            f"{fmt(s['rows'])} | {fmt(s['overhead_s'])} | {status_text(s)} |"
        )
    p("")
    p(
        "rows: fetch = payloads; stages = canonical rows out (run: rows loaded); contenders = rows written. "
        "wall − own timer = /usr/bin/time wall minus the JAR's timing line total_ms. "
        "A failed process shows its figures up to the failure."
    )
    p("")

    targets = []

    def ratio(num, den, target, label, cmp="le"):
        a_, b_ = summary.get(num), summary.get(den)
        entry = {"name": label, "target": target}
        if not a_ or not b_ or a_["status"] != "ok" or b_["status"] != "ok" or not b_["wall_s"]:
            why = next(
                (
                    f"{x} {summary[x]['status']}" + (f": {summary[x]['reason']}" if summary[x]["reason"] else "")
                    for x in (num, den)
                    if x in summary and summary[x]["status"] != "ok"
                ),
                "not measured",
            )
            entry.update(wall=None, cpu=None, passed=False, note=why)
        else:
            w = a_["wall_s"] / b_["wall_s"]
            c = a_["cpu_s"] / b_["cpu_s"] if b_["cpu_s"] else None
            entry.update(
                wall=round(w, 2),
                cpu=round(c, 2) if c is not None else None,
                passed=w <= target if cmp == "le" else w >= target,
                note=None,
            )
        targets.append(entry)

    ratio("normalize", "duckdb_sql", 1.0, "normalize / duckdb_sql")
    ratio("normalize", "pandas", 0.5, "normalize / pandas")
    ratio("stages", "duckdb_sql", 2.0, "run (4 stage processes) / duckdb_sql")
    ratio("run", "duckdb_sql", 2.0, "ingest run (1 process) / duckdb_sql")
    p("| ratio (wall) | wall | cpu | target | result |")
    p("|---|---:|---:|---|---|")
    for t in targets:
        p(
            f"| {t['name']} | {fmt(t['wall'])} | {fmt(t['cpu'])} | ≤ {t['target']} | {verdict(t['passed'])}"
            f"{' (' + t['note'] + ')' if t['note'] else ''} |"
        )
    p("")

    others = []
    rss = [(n, summary[n]) for n in STAGES if n in summary]
    bad_rss = [n for n, s in rss if s["status"] != "ok"]
    worst = max((s for _, s in rss if s["peak_rss_mb"] is not None), key=lambda s: s["peak_rss_mb"], default=None)
    worst_name = next((n for n, s in rss if s is worst), None)
    others.append(
        {
            "name": "peak RSS of every stage",
            "value": worst["peak_rss_mb"] if worst else None,
            "unit": "MB",
            "target": "≤ 512 MB",
            "passed": bool(rss) and not bad_rss and worst["peak_rss_mb"] <= 512,
            "note": (f"{', '.join(bad_rss)} did not finish" if bad_rss else None)
            or (f"max: {worst_name}" if worst else None),
        }
    )
    h = summary.get("help")
    others.append(
        {
            "name": "ingest --help start-up",
            "value": h["wall_s"] if h else None,
            "unit": "s",
            "target": "≤ 0.3 s",
            "passed": bool(h) and h["status"] == "ok" and h["wall_s"] <= 0.3,
            "note": None,
        }
    )
    ov = [(n, summary[n]["overhead_s"]) for n in STAGES if n in summary and summary[n]["overhead_s"] is not None]
    wov = max(ov, key=lambda x: x[1], default=None)
    others.append(
        {
            "name": "stage wall − own timer (max over stages)",
            "value": wov[1] if wov else None,
            "unit": "s",
            "target": "≤ 0.5 s",
            "passed": bool(ov) and len(ov) == len(STAGES) and wov[1] <= 0.5,
            "note": (f"max: {wov[0]}" if wov else "")
            + ("" if len(ov) == len(STAGES) else f"; no timing line from {len(STAGES) - len(ov)} stage(s)"),
        }
    )
    if check:
        for name, r in check["contenders"].items():
            others.append(
                {
                    "name": f"{name} rows = stg_prices",
                    "value": r.get("differing_values"),
                    "unit": "differing values",
                    "target": "0",
                    "passed": r["status"] == "ok",
                    "note": r.get("reason"),
                }
            )
    else:
        others.append(
            {
                "name": "contender rows = stg_prices",
                "value": None,
                "unit": "",
                "target": "0",
                "passed": False,
                "note": "not checked",
            }
        )

    scaling = None
    sizes = sorted({n for (sec, n, _) in grouped if sec == "scaling"})
    if sizes:
        scaling = {"sizes": sizes, "stages": {}}
        p("Scaling: peak RSS MB (wall s) per stage process, the same interval at each size")
        p("")
        p("| stage | " + " | ".join(f"{n} nodes" for n in sizes) + " | spread | result |")
        p("|---|" + "---:|" * len(sizes) + "---:|---|")
        all_ok = True
        for st in STAGES:
            cells, vals, ok = [], [], True
            row = {}
            for n in sizes:
                s = summarize(grouped.get(("scaling", n, st), []))
                row[n] = s
                if s["runs"] == 0:
                    cells.append("—")
                    ok = False
                elif s["status"] != "ok":
                    cells.append(f"{status_text(s)}" + (f" (peak {fmt(s['peak_rss_mb'], 0)} MB)" if s["peak_rss_mb"] else ""))
                    ok = False
                else:
                    cells.append(f"{fmt(s['peak_rss_mb'], 0)} ({fmt(s['wall_s'], 1)} s)")
                    vals.append(s["peak_rss_mb"])
            spread = round((max(vals) - min(vals)) / min(vals) * 100, 1) if len(vals) >= 2 and min(vals) > 0 else None
            passed = ok and spread is not None and spread <= 15 and max(vals) <= 512
            all_ok &= passed
            scaling["stages"][st] = {
                "by_nodes": {str(n): row[n] for n in sizes},
                "spread_pct": spread,
                "passed": passed,
            }
            p(
                f"| {st} | "
                + " | ".join(cells)
                + f" | {fmt(spread, 1)}{' %' if spread is not None else ''} | {verdict(passed)} |"
            )
        p("")
        others.append(
            {
                "name": "peak RSS flat across " + "/".join(map(str, sizes)) + " nodes",
                "value": None,
                "unit": "",
                "target": "spread ≤ 15 %, ≤ 512 MB, every size passes",
                "passed": all_ok,
                "note": None,
            }
        )

    ch = clickhouse_section(grouped, nodes, meta, p, others)
    p("| check | value | target | result |")
    p("|---|---:|---|---|")
    for o in others:
        val = "—" if o["value"] is None else f"{fmt(o['value'], 0 if o['unit'] == 'MB' else 2)} {o['unit']}".strip()
        note = f" ({o['note']})" if o["note"] else ""
        p(f"| {o['name']} | {val} | {o['target']} | {verdict(o['passed'])}{note} |")
    if not ch:
        p("")
        p(f"ClickHouse: {meta.get('clickhouse_skip', 'not measured')}")
    text = "\n".join(out)
    print(text)

    result = {
        "meta": meta,
        "input": zmeta,
        "processes": summary,
        "ratios": targets,
        "targets": others,
        "check": check,
        "scaling": scaling,
        "clickhouse": ch,
    }
    Path(a.json).write_text(json.dumps(result, indent=2, default=str) + "\n")
    if a.markdown:
        Path(a.markdown).write_text(text + "\n")

    # Exit status: the rows must be right and the contenders must run; the JAR's figures are reported.
    failures = []
    if not check or any(r["status"] != "ok" for r in check["contenders"].values()):
        failures.append("row check")
    failures += [n for n in CONTENDERS if summary.get(n, {}).get("status") != "ok"]
    if a.smoke:
        failures += [n for n, s in summary.items() if s["status"] != "ok" and n not in failures]
    if a.strict:
        failures += [t["name"] for t in targets + others if not t["passed"]]
    if a.smoke:
        checks = [s for s in summary.values()] + (list(check["contenders"].values()) if check else [None])
        passed = sum(1 for c in checks if c and c["status"] == "ok")
        print(f"bench-smoke: {passed} passed, {len(checks) - passed} failed")
    if failures:
        print(f"bench: FAILED: {', '.join(dict.fromkeys(failures))}", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------------- clickhouse


def cmd_clickhouse_target(a) -> int:
    """Host, ports and credentials of CLICKHOUSE_DSN, and a DSN for the bench's own database."""
    from urllib.parse import quote, urlsplit

    u = urlsplit(a.dsn if "://" in a.dsn else "clickhouse://" + a.dsn)
    secure = u.scheme == "https" or "secure=true" in (u.query or "")
    port = u.port or (8443 if secure else 8123)
    user = os.environ.get("CLICKHOUSE_USER") or (u.username or "")
    password = os.environ.get("CLICKHOUSE_PASSWORD") or (u.password or "")
    cred = (quote(user) + (":" + quote(password) if password else "") + "@") if user else ""
    scheme = "https" if secure else "http"
    query = f"?{u.query}" if u.query else ""
    for k, v in {
        "ch_http": f"{scheme}://{u.hostname}:{port}",
        "ch_host": u.hostname,
        "ch_user": user,
        "ch_password": password,
        "ch_dsn": f"clickhouse://{cred}{u.hostname}:{port}/{a.database}{query}",
    }.items():
        print(f"{k}={shell_quote(v)}")
    return 0


def shell_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("name", choices=sorted(CONTENDERS))
    r.add_argument("--zips", required=True)
    r.add_argument("--out", required=True)
    e = sub.add_parser("export")
    e.add_argument("--warehouse", required=True)
    e.add_argument("--start", required=True)
    e.add_argument("--end", required=True)
    e.add_argument("--zips")
    e.add_argument("--reference")
    c = sub.add_parser("check")
    c.add_argument("--reference", required=True)
    c.add_argument("--json", required=True)
    c.add_argument("results", nargs="+", metavar="NAME=FILE")
    rep = sub.add_parser("report")
    rep.add_argument("--measurements", required=True)
    rep.add_argument("--json", required=True)
    rep.add_argument("--markdown")
    rep.add_argument("--check")
    rep.add_argument("--zips-meta")
    rep.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    rep.add_argument("--smoke", action="store_true")
    rep.add_argument("--strict", action="store_true")
    rep.add_argument("--clickhouse-only", action="store_true")
    t = sub.add_parser("clickhouse-target")
    t.add_argument("dsn")
    t.add_argument("database")
    a = ap.parse_args(argv)
    return {
        "run": cmd_run,
        "export": cmd_export,
        "check": cmd_check,
        "report": cmd_report,
        "clickhouse-target": cmd_clickhouse_target,
    }[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
