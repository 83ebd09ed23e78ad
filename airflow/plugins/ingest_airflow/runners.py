"""The one place that builds a stage task, for either runner.

``INGEST_TASK_RUNNER=kubernetes`` (the default): a KubernetesPodOperator (pod.IngestPodOperator)
running the task image built from Dockerfile.task. ``INGEST_TASK_RUNNER=local``: the same JAR as a local
process (laptops, CI). Both receive the same arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ingest_airflow.local import LocalIngestOperator
from ingest_airflow.spec import DatasetSpec, MarketSpec

STAGES = ("fetch", "normalize", "enrich", "load")
RUNNERS = ("kubernetes", "local")
EXIT_NOT_PUBLISHED = 99
# The image's ENTRYPOINT (Dockerfile.task): heap sized from the pod's memory limit.
POD_CMDS = [
    "java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UseSerialGC", "-XX:NewSize=96m", "-XX:MaxNewSize=96m", "-XX:SurvivorRatio=2",
    "-XX:SharedArchiveFile=/app/ingest.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
    "-jar", "/app/ingest.jar",
]  # fmt: skip
POD_SUMMARY_FILE = "/airflow/xcom/return.json"
# fetch holds one payload body at a time (the rest waits in its spool on disk): a small young
# generation, not the one sized for the batches in flight of the other stages (bin/ingest does the same).
FETCH_YOUNG = ["-XX:NewSize=24m", "-XX:MaxNewSize=24m"]


def pod_cmds(stage: str) -> list[str]:
    """The pod's command for a stage: the image's ENTRYPOINT, with fetch's young generation for fetch."""
    if stage != "fetch":
        return list(POD_CMDS)
    jar = POD_CMDS.index("-jar")
    return POD_CMDS[:jar] + FETCH_YOUNG + POD_CMDS[jar:]


@dataclass(frozen=True)
class PodSettings:
    """Where and how task pods run; from the environment of the Airflow deployment."""

    image: str = "254carbon/ingest-task:latest"
    namespace: str = "ingestion"
    service_account: str = "ingest-task"
    config_map: str = "ingest-config"
    sinks_secret: str = "ingest-sinks"  # noqa: S105 - the name of a Kubernetes Secret, not a value
    environment: str = "production"
    cpu_request: str = "250m"
    memory_request: str = "1Gi"
    memory_limit: str = "2Gi"
    extra_labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PodSettings:
        env = dict(os.environ) if env is None else env
        d = cls()
        return cls(
            image=env.get("INGEST_TASK_IMAGE", d.image),
            namespace=env.get("INGEST_K8S_NAMESPACE", d.namespace),
            service_account=env.get("INGEST_K8S_SERVICE_ACCOUNT", d.service_account),
            config_map=env.get("INGEST_K8S_CONFIG_MAP", d.config_map),
            sinks_secret=env.get("INGEST_K8S_SINKS_SECRET", d.sinks_secret),
            environment=env.get("INGEST_ENV", d.environment),
        )


def runner_from_env(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    runner = env.get("INGEST_TASK_RUNNER", "kubernetes").strip() or "kubernetes"
    if runner not in RUNNERS:
        raise ValueError(f"INGEST_TASK_RUNNER={runner!r}: expected one of {', '.join(RUNNERS)}")
    return runner


def stage_arguments(stage: str, market: MarketSpec, dataset: DatasetSpec) -> list[str]:
    """The JAR's arguments, templated from the run's interval (templating.run_interval: the run
    parameters market_day / interval_start + interval_end when given, else the data interval)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    return [
        stage,
        "--market",
        market.market,
        "--dataset",
        dataset.id,
        "--interval-start",
        "{{ run_interval(params, data_interval_start, data_interval_end).start }}",
        "--interval-end",
        "{{ run_interval(params, data_interval_start, data_interval_end).end }}",
        "--run-id",
        "{{ run_id }}",
    ]


def stage_task(
    stage: str,
    market: MarketSpec,
    dataset: DatasetSpec,
    runner: str,
    pod: PodSettings | None = None,
) -> Any:
    """One stage task (task id = the stage name, inside the dataset's task group)."""
    common: dict[str, Any] = {
        "task_id": stage,
        "arguments": stage_arguments(stage, market, dataset),
        "doc_md": f"`ingest {stage}` for {market.market}/{dataset.id} over the run's data interval.",
    }
    if stage == "fetch":  # the only stage that talks to the ISO: the pool enforces its rate limit
        common["pool"] = market.rate_limit.pool
        common["pool_slots"] = market.rate_limit.pool_slots
    if runner == "local":
        return LocalIngestOperator(**common)
    if runner == "kubernetes":
        return _pod_task(stage, market, dataset, pod or PodSettings.from_env(), common)
    raise ValueError(f"unknown runner {runner!r}; expected one of {', '.join(RUNNERS)}")


def _pod_task(stage: str, market: MarketSpec, dataset: DatasetSpec, pod: PodSettings, common: dict) -> Any:
    from airflow.providers.cncf.kubernetes.secret import Secret
    from kubernetes.client import models as k8s

    from ingest_airflow.pod import IngestPodOperator

    labels = {
        "app.kubernetes.io/name": "ingest-task",
        "app.kubernetes.io/part-of": "254carbon-ingestion",
        "254carbon.io/market": market.market,
        "254carbon.io/dataset": dataset.id.replace("_", "-"),
        "254carbon.io/stage": stage,
        **pod.extra_labels,
    }
    # IngestPodOperator: the pod's JSON log lines at their level in the task log, TRACEPARENT set per task try
    return IngestPodOperator(
        **common,
        name=f"ingest-{market.market}-{dataset.id}-{stage}".replace("_", "-"),
        namespace=pod.namespace,
        image=pod.image,
        image_pull_policy="IfNotPresent",
        cmds=pod_cmds(stage),
        env_vars=[
            k8s.V1EnvVar(name="INGEST_SUMMARY_FILE", value=POD_SUMMARY_FILE),
            k8s.V1EnvVar(name="INGEST_ENV", value=pod.environment),
        ],
        # Non-secret endpoints (Kafka, registry, OTLP) from the ConfigMap; credentials from
        # Secrets: the shared sinks secret (CLICKHOUSE_DSN, REDIS_URL) and, where the market
        # needs API keys, an optional per-market secret `ingest-<market>`.
        env_from=[
            k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name=pod.config_map)),
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=f"ingest-{market.market}", optional=True)),
        ],
        secrets=[Secret(deploy_type="env", deploy_target=None, secret=pod.sinks_secret)],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": pod.cpu_request, "memory": pod.memory_request},
            limits={"memory": pod.memory_limit},
        ),
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=10001,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        container_security_context=k8s.V1SecurityContext(
            run_as_non_root=True,
            allow_privilege_escalation=False,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        service_account_name=pod.service_account,
        labels=labels,
        do_xcom_push=True,
        skip_on_exit_code=EXIT_NOT_PUBLISHED,
        on_finish_action="delete_succeeded_pod",  # failed pods stay for `kubectl logs`/describe
        get_logs=True,
        startup_timeout_seconds=300,
    )
