"""connectors/<market>.yaml parsing: pure Python, no Airflow."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ingest_airflow.cli import local_bound
from ingest_airflow.spec import SpecError, load_all, load_market, parse_duration

from conftest import CONNECTORS, PLUGINS, market_files

CAISO = CONNECTORS / "caiso.yaml"


def caiso_data() -> dict:
    return yaml.safe_load(CAISO.read_text())


def write(tmp_path: Path, data: dict | str, name: str = "caiso") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def error_of(tmp_path: Path, data: dict | str, name: str = "caiso") -> SpecError:
    path = write(tmp_path, data, name)
    with pytest.raises(SpecError) as info:
        load_market(path)
    assert str(path) in str(info.value), "the message names the file"
    return info.value


def test_caiso_declaration_is_read_whole():
    m = load_market(CAISO)
    assert m.market == "caiso"
    assert m.timezone == "America/Los_Angeles"
    assert m.owner == "ingestion-caiso"
    assert m.rate_limit.pool == "caiso_oasis"
    assert m.rate_limit.pool_slots == 1
    assert m.rate_limit.min_request_spacing == dt.timedelta(seconds=5)
    assert m.defaults.start_date == dt.date(2024, 11, 1)
    assert m.defaults.retries == 3
    assert m.defaults.retry_delay == dt.timedelta(minutes=2)
    assert m.defaults.max_retry_delay == dt.timedelta(minutes=30)
    assert m.defaults.execution_timeout == dt.timedelta(minutes=30)
    assert m.defaults.max_active_runs == 4
    assert m.defaults.catchup is False
    ids = [d.id for d in m.datasets]
    assert ids == ["lmp_rt_5min", "lmp_rt_15min", "lmp_da_hourly", "load_actual", "load_forecast", "fuel_mix"]
    rt5 = m.datasets[0]
    assert (rt5.kind, rt5.cadence, rt5.schedule) == ("prices", "5min", "*/5 * * * *")
    assert (rt5.window, rt5.lag, rt5.freshness) == (
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=20),
    )
    assert {c: [d.id for d in ds] for c, ds in m.cadences().items()} == {
        "5min": ["lmp_rt_5min"],
        "15min": ["lmp_rt_15min"],
        "daily": ["lmp_da_hourly", "load_actual", "load_forecast", "fuel_mix"],
    }


@pytest.mark.parametrize("path", market_files(), ids=lambda p: p.name)
def test_every_market_file_is_valid(path):
    m = load_market(path)
    assert m.market == path.stem
    assert m.datasets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0s", dt.timedelta(0)),
        ("30s", dt.timedelta(seconds=30)),
        ("5m", dt.timedelta(minutes=5)),
        ("2h", dt.timedelta(hours=2)),
        ("1d", dt.timedelta(days=1)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["5", "5 m", "5min", "-5m", "1w", "", "PT5M"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_unknown_top_level_key_is_named(tmp_path):
    data = caiso_data()
    data["schedule_hint"] = "x"
    e = error_of(tmp_path, data)
    assert e.key == "schedule_hint"
    assert "unknown key" in str(e)


def test_unknown_dataset_key_is_named(tmp_path):
    data = caiso_data()
    data["datasets"]["lmp_rt_5min"]["windwo"] = "5m"
    e = error_of(tmp_path, data)
    assert e.key == "datasets.lmp_rt_5min.windwo"


@pytest.mark.parametrize(("section", "key"), [("rate_limit", "burst"), ("defaults", "sla")])
def test_unknown_nested_key_is_named(tmp_path, section, key):
    data = caiso_data()
    data[section][key] = 1
    assert error_of(tmp_path, data).key == f"{section}.{key}"


def test_missing_key_is_named(tmp_path):
    data = caiso_data()
    del data["datasets"]["fuel_mix"]["lag"]
    e = error_of(tmp_path, data)
    assert e.key == "datasets.fuel_mix.lag"
    assert "missing" in str(e)


@pytest.mark.parametrize(
    ("path", "value", "key", "fragment"),
    [
        (("datasets", "lmp_rt_5min", "window"), "five minutes", "datasets.lmp_rt_5min.window", "duration"),
        (("datasets", "lmp_rt_5min", "window"), "0s", "datasets.lmp_rt_5min.window", "greater than zero"),
        (("datasets", "lmp_rt_5min", "schedule"), "every 5 minutes", "datasets.lmp_rt_5min.schedule", "cron"),
        (("datasets", "lmp_rt_5min", "schedule"), "*/7 * * * * *", "datasets.lmp_rt_5min.schedule", "cron"),
        (("datasets", "lmp_rt_5min", "kind"), "lmp", "datasets.lmp_rt_5min.kind", "prices"),
        (("datasets", "lmp_rt_5min", "cadence"), "5-min", "datasets.lmp_rt_5min.cadence", "match"),
        (("defaults", "retries"), True, "defaults.retries", "integer"),
        (("defaults", "retries"), -1, "defaults.retries", ">= 0"),
        (("defaults", "max_active_runs"), 0, "defaults.max_active_runs", ">= 1"),
        (("defaults", "catchup"), "yes", "defaults.catchup", "true or false"),
        (("defaults", "start_date"), "Nov 1", "defaults.start_date", "YYYY-MM-DD"),
        (("defaults", "max_retry_delay"), "1m", "defaults.max_retry_delay", "retry_delay"),
        (("rate_limit", "pool_slots"), 0, "rate_limit.pool_slots", ">= 1"),
        (("rate_limit", "pool"), "caiso oasis", "rate_limit.pool", "match"),
        (("timezone",), "America/Springfield", "timezone", "time zone"),
        (("market",), "ercot", "market", "file name"),
        (("base_url",), "oasis.caiso.com", "base_url", "http"),
        (("owner",), "", "owner", "non-empty"),
        (("datasets",), {}, "datasets", "non-empty"),
    ],
)
def test_bad_values_are_named(tmp_path, path, value, key, fragment):
    data = caiso_data()
    target = data
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    e = error_of(tmp_path, data)
    assert e.key == key
    assert fragment in str(e)


def test_window_must_be_the_cron_period(tmp_path):
    data = caiso_data()
    data["datasets"]["lmp_rt_15min"]["window"] = "5m"
    e = error_of(tmp_path, data)
    assert e.key == "datasets.lmp_rt_15min.window"
    assert "15m" in str(e)


def test_duration_schedule_is_a_delta_timetable(tmp_path):
    data = caiso_data()
    data["datasets"]["lmp_rt_5min"]["schedule"] = "5m"
    m = load_market(write(tmp_path, data))
    assert m.datasets[0].schedule_delta == dt.timedelta(minutes=5)
    data["datasets"]["lmp_rt_5min"]["schedule"] = "10m"
    assert error_of(tmp_path, data).key == "datasets.lmp_rt_5min.window"


def test_one_cadence_has_one_schedule(tmp_path):
    data = caiso_data()
    data["datasets"]["fuel_mix"]["schedule"] = "0 1 * * *"
    e = error_of(tmp_path, data)
    assert e.key == "datasets.fuel_mix.schedule"
    assert "lmp_da_hourly" in str(e)


def test_duplicate_keys_are_not_silently_merged(tmp_path):
    text = CAISO.read_text().replace("  lmp_rt_15min:", "  lmp_rt_5min:", 1)
    e = error_of(tmp_path, text)
    assert "duplicate key 'lmp_rt_5min'" in str(e)


@pytest.mark.parametrize("text", ["market: [caiso", "", "- just\n- a list\n"])
def test_not_a_mapping_or_not_yaml(tmp_path, text):
    e = error_of(tmp_path, text)
    assert "YAML" in str(e) or "mapping" in str(e)


def test_load_all_keeps_good_files_and_reports_broken_ones(tmp_path):
    write(tmp_path, caiso_data())
    broken = caiso_data()
    broken["market"] = "pjm"
    broken["rate_limit"]["requests_per_minute"] = 6
    write(tmp_path, broken, "pjm")
    result = load_all(tmp_path)
    assert [m.market for m in result.markets] == ["caiso"]
    assert len(result.errors) == 1
    assert result.errors[0].source.endswith("pjm.yaml")
    assert result.errors[0].key == "rate_limit.requests_per_minute"


def test_spec_imports_no_airflow():
    code = (
        "import sys, ingest_airflow.spec, ingest_airflow.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('airflow')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(PLUGINS)}
    )
    assert out.stdout.strip() == "[]"


def test_backfill_range_uses_market_local_days():
    from zoneinfo import ZoneInfo

    la = ZoneInfo("America/Los_Angeles")
    assert local_bound("2024-11-02", la, end=False) == "2024-11-02T00:00:00-07:00"
    # 2024-11-03 is the fall-back day: it ends in PST.
    assert local_bound("2024-11-03", la, end=True) == "2024-11-03T23:59:59-08:00"
    assert local_bound("2024-11-03T08:00:00Z", la, end=True) == "2024-11-03T08:00:00Z"


def test_http_budgets_and_max_window_are_optional_and_typed(tmp_path):
    m = load_market(CAISO)
    assert m.http.attempt_timeout == dt.timedelta(seconds=30)
    assert m.http.part_timeout == dt.timedelta(minutes=2)
    data = caiso_data()
    del data["http"]
    data["datasets"]["lmp_rt_5min"]["max_window"] = "1d"
    m = load_market(write(tmp_path, data))
    assert m.http.part_timeout is None
    assert m.datasets[0].max_window == dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (lambda d: d["http"].update(read_timeout="5s"), "http.read_timeout", "unknown key"),
        (lambda d: d["http"].update(part_timeout="2 minutes"), "http.part_timeout", "expected a duration"),
        (lambda d: d["http"].update(attempt_timeout="5m", part_timeout="1m"), "http.part_timeout", "shorter"),
        (lambda d: d["datasets"]["lmp_rt_5min"].update(max_window="1m"), "datasets.lmp_rt_5min.max_window", "shorter"),
    ],
)
def test_http_and_max_window_errors_name_the_key(tmp_path, mutate, key, problem):
    data = caiso_data()
    mutate(data)
    err = error_of(tmp_path, data)
    assert err.key == key
    assert problem in err.problem


def _key_sections() -> dict:
    return yaml.safe_load((CONNECTORS / "schema" / "keys.yaml").read_text())


def test_the_key_list_is_the_one_beside_the_market_files(tmp_path):
    """The keys come from connectors/schema/keys.yaml (the list the task JAR checks), not from this module."""
    keys = _key_sections()
    del keys["top"]["owner"]
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "keys.yaml").write_text(yaml.safe_dump(keys, sort_keys=False))
    e = error_of(tmp_path, caiso_data())
    assert e.key == "owner", e
    assert e.problem.startswith("unknown key"), e
    assert "owner" not in e.problem.split("allowed here:")[1]


def test_every_key_of_the_list_is_a_field_of_the_spec():
    """A key added to keys.yaml fails here until the DAG factory's spec carries it (the JAR has the same test)."""
    from dataclasses import fields

    from ingest_airflow.spec import DatasetSpec, Defaults, HttpBudgets, MarketSpec, Policies, RateLimit

    def names(section: str) -> list[str]:
        return [k.rstrip("?") for k in _key_sections()[section]]

    assert sorted(names("top")) == sorted(f.name for f in fields(MarketSpec) if f.name != "source")
    assert names("rate_limit") == [f.name for f in fields(RateLimit)]
    assert names("http") == [f.name for f in fields(HttpBudgets)]
    assert names("policies") == [f.name for f in fields(Policies)]
    assert names("defaults") == [f.name for f in fields(Defaults)]
    assert names("dataset") == [f.name for f in fields(DatasetSpec) if f.name != "id"]


def test_terms_are_optional_text(tmp_path):
    """``terms`` (the source's terms of use, shown in the connector catalogue) may be absent, never empty."""
    assert "internal use" in load_market(CONNECTORS / "pjm.yaml").terms.lower()
    data = caiso_data()
    del data["terms"]
    assert load_market(write(tmp_path, data)).terms is None
    data["terms"] = ""
    e = error_of(tmp_path, data)
    assert (e.key, "non-empty" in e.problem) == ("terms", True), e


def test_durations_take_milliseconds_as_the_jar_does(tmp_path):
    assert parse_duration("250ms") == dt.timedelta(milliseconds=250)
    data = caiso_data()
    data["http"] = {"connect_timeout": "200ms", "attempt_timeout": "500ms", "part_timeout": "2s"}
    m = load_market(write(tmp_path, data))
    assert m.http.connect_timeout == dt.timedelta(milliseconds=200)


def test_policy_files_are_named_relative_to_the_connectors_directory(tmp_path):
    m = load_market(CAISO)
    assert m.policies.normalization == "caiso/normalization.yaml"
    assert (CONNECTORS / m.policies.taxonomy).is_file()
    for bad in ("../x.yaml", "/etc/x.yaml", "caiso/tax.yml", "a/../../x.yaml"):
        data = caiso_data()
        data["policies"] = {"taxonomy": bad}
        e = error_of(tmp_path, data)
        assert e.key == "policies.taxonomy", e
    data = caiso_data()
    data["policies"] = {"taxonomie": "caiso/taxonomy.yaml"}
    assert error_of(tmp_path, data).key == "policies.taxonomie"
