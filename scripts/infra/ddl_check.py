"""Runs the ClickHouse DDL of ddl/ on a current ClickHouse engine (chdb, in-process) and on the
local server `make infra-up` starts (Debian's 18.16), then the same deduplication probe on both:
same files, same statements, same results expected.

    .venv/chdb/bin/python scripts/infra/ddl_check.py [--server http://127.0.0.1:8123] [--cluster-sql FILE]

--cluster-sql takes the output of `ingest ddl print --cluster NAME` and checks that every
statement of the cluster variant parses on the current engine (formatQuery): a cluster with
ZooKeeper/Keeper cannot run here, the parser can.
Exit 0 when everything matches, 1 otherwise.
"""

import argparse
import pathlib
import sys
import tempfile
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
DB = "ddl_check"


def statements(text: str, database: str) -> list[str]:
    """Same rule as Ddl.statements in Java: drop comment lines, split on ';' at a line end."""
    out, cur = [], []
    for line in text.replace("${database}", database).splitlines():
        s = line.strip()
        if s.startswith("--") or (not s and not cur):
            continue
        if s.endswith(";"):
            body = line[: line.rfind(";")]
            if body.strip():
                cur.append(body.rstrip())
            out.append("\n".join(cur).strip())
            cur = []
        else:
            cur.append(line.rstrip())
    if "".join(cur).strip():
        raise SystemExit("statement without ';': " + "\n".join(cur))
    return out


def migrations(database: str) -> list[str]:
    ddl = ROOT / "ddl"
    out = []
    for name in (ddl / "index.txt").read_text().split():
        out += statements((ddl / name).read_text(), database)
    return out


# The probe: inserts in separate statements (separate parts), then the reads the warehouse does.
PROBE_WRITES = [
    # Silver: versions 1, 3, 2 of one key -> 3 wins; an equal version re-inserted -> last insert wins
    f"INSERT INTO {DB}.silver_prices (market, dataset, market_run, price_type, location_id, location_type, interval_start_utc, interval_end_utc, price, currency, unit, version, fetched_at, source) VALUES ('caiso', 'lmp_rt_5min', 'RT', 'LMP', 'A', 'node', 1730620800, 1730621100, 10.5, 'USD', 'MWh', 1, 1730620900, 'p1')",
    f"INSERT INTO {DB}.silver_prices (market, dataset, market_run, price_type, location_id, location_type, interval_start_utc, interval_end_utc, price, currency, unit, version, fetched_at, source) VALUES ('caiso', 'lmp_rt_5min', 'RT', 'LMP', 'A', 'node', 1730620800, 1730621100, 30.5, 'USD', 'MWh', 3, 1730620900, 'p3')",
    f"INSERT INTO {DB}.silver_prices (market, dataset, market_run, price_type, location_id, location_type, interval_start_utc, interval_end_utc, price, currency, unit, version, fetched_at, source) VALUES ('caiso', 'lmp_rt_5min', 'RT', 'LMP', 'A', 'node', 1730620800, 1730621100, 20.5, 'USD', 'MWh', 2, 1730620900, 'p2')",
    f"INSERT INTO {DB}.silver_prices (market, dataset, market_run, price_type, location_id, location_type, interval_start_utc, interval_end_utc, price, currency, unit, version, fetched_at, source) VALUES ('caiso', 'lmp_rt_5min', 'RT', 'LMP', 'B', 'hub', 1730620800, 1730621100, 40.25, 'USD', 'MWh', 5, 1730620900, 'b1')",
    f"INSERT INTO {DB}.silver_prices (market, dataset, market_run, price_type, location_id, location_type, interval_start_utc, interval_end_utc, price, currency, unit, version, fetched_at, source) VALUES ('caiso', 'lmp_rt_5min', 'RT', 'LMP', 'B', 'hub', 1730620800, 1730621100, 41.25, 'USD', 'MWh', 5, 1730620900, 'b2')",
    # Bronze: the same payload id twice (first fetched_at kept by the writer, newer last_fetched_at)
    f"INSERT INTO {DB}.bronze_payloads VALUES ('p0', 'caiso', 'lmp_rt_5min', 1730620800, 1730624400, 0, 'u', NULL, 200, 3, 'abc', 'xyz', 1730620900, 1730620900)",
    f"INSERT INTO {DB}.bronze_payloads VALUES ('p0', 'caiso', 'lmp_rt_5min', 1730620800, 1730624400, 0, 'u', NULL, 200, 3, 'abc', 'xyz', 1730620900, 1730621900)",
    # Staging: generation 1 (two rows), generation 2 (one row, a retried block inserted twice)
    f"INSERT INTO {DB}.stg_load (stage, key_start, key_end, generation, row_no, market, dataset, market_run, area, interval_start_utc, interval_end_utc, mw, unit, version, fetched_at, source) VALUES ('normalize', 1730620800, 1730624400, 1, 0, 'caiso', 'load_actual', 'ACTUAL', 'X', 1730620800, 1730624400, 1.5, 'MW', 1, 1730620900, 's'), ('normalize', 1730620800, 1730624400, 1, 1, 'caiso', 'load_actual', 'ACTUAL', 'Y', 1730620800, 1730624400, 2.5, 'MW', 1, 1730620900, 's')",
    f"INSERT INTO {DB}.stg_generations VALUES ('normalize', 'load', 'caiso', 'load_actual', 1730620800, 1730624400, 1, 2, 1730620900)",
    f"INSERT INTO {DB}.stg_load (stage, key_start, key_end, generation, row_no, market, dataset, market_run, area, interval_start_utc, interval_end_utc, mw, unit, version, fetched_at, source) VALUES ('normalize', 1730620800, 1730624400, 2, 0, 'caiso', 'load_actual', 'ACTUAL', 'Z', 1730620800, 1730624400, 3.5, 'MW', 2, 1730620900, 's')",
    f"INSERT INTO {DB}.stg_load (stage, key_start, key_end, generation, row_no, market, dataset, market_run, area, interval_start_utc, interval_end_utc, mw, unit, version, fetched_at, source) VALUES ('normalize', 1730620800, 1730624400, 2, 0, 'caiso', 'load_actual', 'ACTUAL', 'Z', 1730620800, 1730624400, 3.5, 'MW', 2, 1730620900, 's')",
    f"INSERT INTO {DB}.stg_generations VALUES ('normalize', 'load', 'caiso', 'load_actual', 1730620800, 1730624400, 2, 1, 1730620901)",
]
KEY = "market = 'caiso' AND dataset = 'load_actual' AND stage = 'normalize' AND key_start = toDateTime(1730620800, 'UTC') AND key_end = toDateTime(1730624400, 'UTC')"
PROBE_READS = {
    "silver FINAL": f"SELECT location_id, version, price, source FROM {DB}.silver_prices FINAL ORDER BY location_id FORMAT TabSeparated",
    "silver count FINAL": f"SELECT count() FROM {DB}.silver_prices FINAL FORMAT TabSeparated",
    "bronze FINAL": f"SELECT payload_id, toUnixTimestamp(fetched_at), toUnixTimestamp(last_fetched_at), hex(body) FROM {DB}.bronze_payloads FINAL FORMAT TabSeparated",
    "staging latest generation": f"SELECT area, mw, toUnixTimestamp(interval_start_utc) FROM {DB}.stg_load FINAL WHERE {KEY} AND generation = (SELECT max(generation) FROM {DB}.stg_generations WHERE {KEY} AND kind = 'load') ORDER BY row_no FORMAT TabSeparated",
}
EXPECTED = {
    "silver FINAL": "A\t3\t30.5\tp3\nB\t5\t41.25\tb2\n",
    "silver count FINAL": "2\n",
    "bronze FINAL": "p0\t1730620900\t1730621900\t78797A\n",
    "staging latest generation": "Z\t3.5\t1730620800\n",
}


class Chdb:
    name = "chdb (current ClickHouse)"

    def __init__(self):
        from chdb import session

        self.s = session.Session(tempfile.mkdtemp(prefix="ddl-check-"))
        self.version = self.query("SELECT version() FORMAT TabSeparated").strip()

    def query(self, sql: str) -> str:
        r = self.s.query(sql, "TabSeparated") if "FORMAT" not in sql else self.s.query(sql)
        return r.bytes().decode() if hasattr(r, "bytes") else str(r)


class Server:
    def __init__(self, url: str):
        self.url = url.rstrip("/") + "/"
        self.version = self.query("SELECT version()").strip()
        self.name = f"server {url}"

    def query(self, sql: str) -> str:
        try:
            with urllib.request.urlopen(self.url, sql.encode(), timeout=30) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            raise RuntimeError(e.read().decode()) from None


def run(engine) -> dict[str, str]:
    engine.query(f"DROP DATABASE IF EXISTS {DB}")
    for st in migrations(DB):
        engine.query(st)
    for st in migrations(DB):  # idempotent: every CREATE again (an ALTER runs once: the ledger of applied files guards it)
        if not st.startswith("ALTER TABLE"):
            engine.query(st)
    for st in PROBE_WRITES:
        engine.query(st)
    out = {k: engine.query(v) for k, v in PROBE_READS.items()}
    engine.query(f"DROP DATABASE IF EXISTS {DB}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="http://127.0.0.1:8123", help="ClickHouse HTTP URL ('' to skip)")
    ap.add_argument("--cluster-sql", help="output of `ingest ddl print --cluster NAME` to parse-check")
    a = ap.parse_args()
    ok = True
    engines = [Chdb()]
    if a.server:
        engines.append(Server(a.server))
    results = {}
    for e in engines:
        results[e.name] = run(e)
        print(f"ddl-check: {e.name} {e.version}: {len(migrations(DB))} statements applied, the CREATEs twice")
        for k, want in EXPECTED.items():
            got = results[e.name][k]
            if got != want:
                ok = False
                print(f"ddl-check: FAIL {e.name}: {k}: got {got!r}, expected {want!r}")
    if len(engines) == 2 and results[engines[0].name] != results[engines[1].name]:
        ok = False
        print("ddl-check: FAIL the two engines disagree")
    if a.cluster_sql:
        chdb = engines[0]
        text = pathlib.Path(a.cluster_sql).read_text()
        sts = statements(text, "ingest")
        for st in sts:
            quoted = st.replace("\\", "\\\\").replace("'", "\\'")
            try:
                chdb.query(f"SELECT formatQuery('{quoted}') FORMAT TabSeparated")
            except Exception as e:  # noqa: BLE001 - report every statement that does not parse
                ok = False
                print(f"ddl-check: FAIL cluster statement does not parse: {st.splitlines()[0]}: {e}")
        print(f"ddl-check: cluster variant: {len(sts)} statements parsed by {chdb.version}")
    print("ddl-check: " + ("same DDL, same dedup result on every engine" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
