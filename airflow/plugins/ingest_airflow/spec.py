"""connectors/<market>.yaml -> frozen dataclasses.

The YAML file is the single declaration of a market. This module reads it strictly:
every key is known, every value has its type, and every error names the file and the
key (``connectors/caiso.yaml: datasets.lmp_rt_5min.window: ...``). It imports no
Airflow, so it is testable in milliseconds and usable from scripts (pool set-up).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_CADENCE = re.compile(r"^[a-z0-9]+$")
_POOL = re.compile(r"^[A-Za-z0-9_.-]+$")
KINDS = ("prices", "load", "fuel_mix")

# The keys of a market's file and whether each is required come from connectors/schema/keys.yaml,
# the one list the task JAR checks the same file against (see _key_list); the types are read below.
KEYS_FILE = Path("schema") / "keys.yaml"
_REPO_KEYS = Path(__file__).resolve().parents[3] / "connectors" / KEYS_FILE


class SpecError(ValueError):
    """A connectors/<market>.yaml file that cannot be used; the message names file and key."""

    def __init__(self, source: Path | str, key: str, problem: str) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{self.source}: {key}: " if key else f"{self.source}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class RateLimit:
    min_request_spacing: dt.timedelta
    pool: str
    pool_slots: int


@dataclass(frozen=True)
class HttpBudgets:
    """None = the JAR's default."""

    connect_timeout: dt.timedelta | None = None
    attempt_timeout: dt.timedelta | None = None
    part_timeout: dt.timedelta | None = None


@dataclass(frozen=True)
class Policies:
    """The market's own policy files (relative to the connectors directory); the JAR reads them."""

    normalization: str | None = None
    taxonomy: str | None = None
    quality: str | None = None  # load's data-quality checks (severities, thresholds, dated caps)


_POLICY_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\\]+\.yaml$")


@dataclass(frozen=True)
class Defaults:
    start_date: dt.date
    retries: int
    retry_delay: dt.timedelta
    max_retry_delay: dt.timedelta
    execution_timeout: dt.timedelta
    max_active_runs: int
    catchup: bool


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    kind: str
    description: str
    cadence: str
    schedule: str
    window: dt.timedelta
    lag: dt.timedelta
    freshness: dt.timedelta
    max_window: dt.timedelta | None = None  # longest interval one task run may load (None: the JAR's default)

    @property
    def schedule_delta(self) -> dt.timedelta | None:
        """The schedule as a fixed period when it is a duration (``5m``), else None (cron)."""
        return parse_duration(self.schedule) if _DURATION.match(self.schedule) else None


@dataclass(frozen=True)
class MarketSpec:
    source: Path
    market: str
    display_name: str
    timezone: str
    owner: str
    base_url: str
    rate_limit: RateLimit
    defaults: Defaults
    datasets: tuple[DatasetSpec, ...]
    http: HttpBudgets = HttpBudgets()
    policies: Policies = Policies()
    terms: str | None = None  # the source's terms of use (the connector catalogue shows them); None: not stated

    def cadences(self) -> dict[str, tuple[DatasetSpec, ...]]:
        """Datasets grouped by cadence, in file order: one DAG each."""
        groups: dict[str, list[DatasetSpec]] = {}
        for d in self.datasets:
            groups.setdefault(d.cadence, []).append(d)
        return {c: tuple(ds) for c, ds in groups.items()}

    def dag_id(self, cadence: str) -> str:
        return f"ingest_{self.market}_{cadence}"


def parse_duration(text: str) -> dt.timedelta:
    """``250ms``, ``30s``, ``5m``, ``2h``, ``1d`` -> timedelta; ValueError otherwise."""
    m = _DURATION.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"expected a duration like 30s, 5m, 2h or 1d, got {text!r}")
    return dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Typed access to one mapping of one file, with the key path for messages."""

    def __init__(
        self, source: Path, prefix: str, data: Any, allowed: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> None:
        self.source = source
        self.prefix = prefix
        if not isinstance(data, Mapping):
            raise SpecError(source, prefix, f"expected a mapping, got {_type_name(data)}")
        self.data = data
        unknown = [k for k in data if k not in allowed and k not in optional]
        if unknown:
            raise SpecError(
                source,
                self.key(str(unknown[0])),
                f"unknown key (allowed here: {', '.join(allowed + optional)})",
            )
        missing = [k for k in allowed if k not in data]
        if missing:
            raise SpecError(source, self.key(missing[0]), "required key is missing")

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str) -> SpecError:
        return SpecError(self.source, self.key(name), problem)

    def str(self, name: str, pattern: re.Pattern[str] | None = None) -> str:
        value = self.data[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"expected a non-empty string, got {_type_name(value)}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(name, f"{value!r} does not match {pattern.pattern}")
        return value

    def int(self, name: str, minimum: int) -> int:
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"expected an integer, got {_type_name(value)}")
        if value < minimum:
            raise self.fail(name, f"must be >= {minimum}, got {value}")
        return value

    def bool(self, name: str) -> bool:
        value = self.data[name]
        if not isinstance(value, bool):
            raise self.fail(name, f"expected true or false, got {_type_name(value)}")
        return value

    def duration(self, name: str, allow_zero: bool = False) -> dt.timedelta:
        value = self.data[name]
        try:
            delta = parse_duration(value)
        except ValueError as e:
            raise self.fail(name, str(e)) from None
        if not allow_zero and delta <= dt.timedelta(0):
            raise self.fail(name, "must be greater than zero")
        return delta

    def date(self, name: str) -> dt.date:
        value = self.data[name]
        if isinstance(value, dt.datetime):
            raise self.fail(name, "expected a date (YYYY-MM-DD, market-local midnight), got a date-time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(name, f"expected a date YYYY-MM-DD, got {value!r}")


def _type_name(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


@dataclass(frozen=True)
class KeyList:
    """connectors/schema/keys.yaml: per section, its required and its optional keys, in file order."""

    source: Path
    sections: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]

    def of(self, section: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.sections[section]


_KEY_LISTS: dict[Path, KeyList] = {}


def _key_list(source: Path) -> KeyList:
    """The key list beside the market files (``<dir>/schema/keys.yaml``, as deployed), else the repository's."""
    beside = source.parent / KEYS_FILE
    path = beside if beside.is_file() else _REPO_KEYS
    if path not in _KEY_LISTS:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
        except (OSError, yaml.YAMLError) as e:
            raise SpecError(source, "", f"cannot read the key list {path}: {e}".replace("\n", " ")) from None
        sections: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for name, keys in (data or {}).items():
            names = [str(k) for k in (keys or {})]
            sections[name] = (
                tuple(k for k in names if not k.endswith("?")),
                tuple(k[:-1] for k in names if k.endswith("?")),
            )
        missing = [s for s in ("top", "rate_limit", "http", "policies", "defaults", "dataset") if s not in sections]
        if missing:
            raise SpecError(path, missing[0], "section missing from the key list")
        _KEY_LISTS[path] = KeyList(path, sections)
    return _KEY_LISTS[path]


def load_market(path: Path | str) -> MarketSpec:
    """Read and validate one connectors/<market>.yaml; SpecError names file and key."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(source, "", f"cannot read: {e.strerror or e}") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise SpecError(source, "", f"not valid YAML: {e}".replace("\n", " ")) from None
    return parse_market(source, data)


def parse_market(source: Path, data: Any) -> MarketSpec:
    keys = _key_list(source)
    top = _Reader(source, "", data, *keys.of("top"))
    market = top.str("market", _IDENT)
    if market != source.stem:
        raise top.fail("market", f"{market!r} must equal the file name {source.stem!r}")
    tz_name = top.str("timezone")
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise top.fail("timezone", f"unknown IANA time zone {tz_name!r}") from None
    base_url = top.str("base_url")
    if not base_url.startswith(("http://", "https://")):
        raise top.fail("base_url", f"expected an http(s) URL, got {base_url!r}")

    rl = _Reader(source, "rate_limit", data["rate_limit"], *keys.of("rate_limit"))
    rate_limit = RateLimit(
        min_request_spacing=rl.duration("min_request_spacing", allow_zero=True),
        pool=rl.str("pool", _POOL),
        pool_slots=rl.int("pool_slots", 1),
    )

    http = HttpBudgets()
    if "http" in data:
        h = _Reader(source, "http", data["http"], *keys.of("http"))
        http = HttpBudgets(**{k: h.duration(k) for k in HttpBudgets.__dataclass_fields__ if k in h.data})
        if http.attempt_timeout and http.part_timeout and http.part_timeout < http.attempt_timeout:
            raise h.fail("part_timeout", "must not be shorter than attempt_timeout")

    policies = Policies()
    if "policies" in data:
        pr = _Reader(source, "policies", data["policies"], *keys.of("policies"))
        for k in pr.data:
            v = pr.str(k)
            if not _POLICY_PATH.match(v):
                raise pr.fail(
                    k, f"expected a .yaml file beside the market's, relative to connectors/ (no '..'), got {v!r}"
                )
        policies = Policies(**{k: pr.data[k] for k in Policies.__dataclass_fields__ if k in pr.data})

    d = _Reader(source, "defaults", data["defaults"], *keys.of("defaults"))
    defaults = Defaults(
        start_date=d.date("start_date"),
        retries=d.int("retries", 0),
        retry_delay=d.duration("retry_delay"),
        max_retry_delay=d.duration("max_retry_delay"),
        execution_timeout=d.duration("execution_timeout"),
        max_active_runs=d.int("max_active_runs", 1),
        catchup=d.bool("catchup"),
    )
    if defaults.max_retry_delay < defaults.retry_delay:
        raise d.fail("max_retry_delay", "must not be shorter than retry_delay")

    raw_datasets = data["datasets"]
    if not isinstance(raw_datasets, Mapping) or not raw_datasets:
        raise top.fail("datasets", "expected a non-empty mapping of dataset id to its declaration")
    datasets = []
    start = dt.datetime.combine(defaults.start_date, dt.time())
    for ds_id, body in raw_datasets.items():
        if not isinstance(ds_id, str) or not _IDENT.match(ds_id):
            raise top.fail("datasets", f"dataset id {ds_id!r} does not match {_IDENT.pattern}")
        r = _Reader(source, f"datasets.{ds_id}", body, *keys.of("dataset"))
        kind = r.str("kind")
        if kind not in KINDS:
            raise r.fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        ds = DatasetSpec(
            id=ds_id,
            kind=kind,
            description=r.str("description"),
            cadence=r.str("cadence", _CADENCE),
            schedule=r.str("schedule"),
            window=r.duration("window"),
            lag=r.duration("lag", allow_zero=True),
            freshness=r.duration("freshness"),
            max_window=r.duration("max_window") if "max_window" in r.data else None,
        )
        if ds.max_window is not None and ds.max_window < ds.window:
            raise r.fail(
                "max_window",
                f"{format_duration(ds.max_window)} is shorter than the window {format_duration(ds.window)}",
            )
        _check_schedule(r, ds, start)
        datasets.append(ds)

    for cadence, group in _group(datasets).items():
        first = group[0]
        for other in group[1:]:
            if other.schedule != first.schedule:
                raise SpecError(
                    source,
                    f"datasets.{other.id}.schedule",
                    f"{other.schedule!r} differs from {first.schedule!r} of {first.id}; "
                    f"datasets of cadence {cadence!r} share one DAG and so one schedule",
                )

    return MarketSpec(
        source=source,
        market=market,
        display_name=top.str("display_name"),
        timezone=tz_name,
        owner=top.str("owner"),
        base_url=base_url,
        rate_limit=rate_limit,
        defaults=defaults,
        datasets=tuple(datasets),
        http=http,
        policies=policies,
        terms=top.str("terms") if "terms" in data else None,
    )


def _group(datasets: list[DatasetSpec]) -> dict[str, list[DatasetSpec]]:
    groups: dict[str, list[DatasetSpec]] = {}
    for d in datasets:
        groups.setdefault(d.cadence, []).append(d)
    return groups


def _check_schedule(r: _Reader, ds: DatasetSpec, start: dt.datetime) -> None:
    """The schedule is a duration or a 5-field cron whose period is the window.

    The period is measured in market-local wall-clock time, so ``0 0 * * *`` with ``1d``
    passes although a local day lasts 23, 24 or 25 hours.
    """
    delta = ds.schedule_delta
    if delta is not None:
        if delta != ds.window:
            raise r.fail("window", f"{format_duration(ds.window)} differs from the schedule period {ds.schedule}")
        return
    if len(ds.schedule.split()) != 5 or not croniter.is_valid(ds.schedule):
        raise r.fail("schedule", f"{ds.schedule!r} is neither a duration (5m) nor a 5-field cron expression")
    it = croniter(ds.schedule, start)
    fires = [it.get_next(dt.datetime) for _ in range(4)]
    gaps = {b - a for a, b in itertools.pairwise(fires)}
    if gaps != {ds.window}:
        shown = ", ".join(sorted(format_duration(g) for g in gaps))
        raise r.fail(
            "window",
            f"{format_duration(ds.window)} differs from the period of schedule {ds.schedule!r} ({shown}); "
            "a run's data interval is one schedule period",
        )


def format_duration(delta: dt.timedelta) -> str:
    """timedelta -> the YAML notation (``5m``, ``26h``, ``1d``)."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class LoadResult:
    markets: tuple[MarketSpec, ...]
    errors: tuple[SpecError, ...]


def load_all(connectors_dir: Path | str) -> LoadResult:
    """Every connectors/*.yaml, in name order; a broken file becomes an error, not an exception."""
    markets, errors = [], []
    for path in sorted(Path(connectors_dir).glob("*.yaml")):
        try:
            markets.append(load_market(path))
        except SpecError as e:
            errors.append(e)
    return LoadResult(tuple(markets), tuple(errors))
