"""Dockerfile.task, docker-compose.airflow.yml and k8s/, checked without Docker or a cluster:
parsed, required keys present, every path they copy or mount present in the repository."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from ingest_airflow.runners import POD_CMDS, POD_SUMMARY_FILE, PodSettings, pod_cmds

from conftest import REPO

DOCKERFILE = REPO / "Dockerfile.task"
COMPOSE = REPO / "docker-compose.airflow.yml"
K8S = REPO / "k8s"
OVERLAYS = ("dev", "staging", "production")


def dockerfile_instructions() -> list[tuple[str, str, str]]:
    """(stage, instruction, arguments) with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stage, out = "", []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, args = line.partition(" ")
        if op.upper() == "FROM":
            stage = args.split(" AS ")[-1].strip() if " AS " in args else args
        out.append((stage, op.upper(), args.strip()))
    return out


def test_dockerfile_is_a_maven_build_then_a_non_root_jre_runtime():
    ins = dockerfile_instructions()
    froms = [a for _, op, a in ins if op == "FROM"]
    assert len(froms) == 2
    assert froms[0].startswith("maven:")
    assert "temurin-21" in froms[0]
    assert "-jre" in froms[1]
    runs_mvn = [a for s, op, a in ins if s == "build" and op == "RUN" and "mvn" in a]
    assert runs_mvn
    assert "-f java/pom.xml" in runs_mvn[0]
    users = [a for s, op, a in ins if s == "runtime" and op == "USER"]
    assert users
    assert not users[-1].startswith(("root", "0"))


def test_dockerfile_copies_paths_that_exist_and_the_jar_the_build_makes():
    ins = dockerfile_instructions()
    for _, op, args in ins:
        if op != "COPY" or args.startswith("--from"):
            continue
        *sources, _dest = args.split()
        for src in sources:
            assert (REPO / src).exists(), f"COPY {src}: not in the repository"
    copied_from_build = [a for s, op, a in ins if s == "runtime" and op == "COPY" and a.startswith("--from=build")]
    assert copied_from_build == ["--from=build /ingest.jar /app/ingest.jar", "--from=build /duckdb-native/ /app/"]
    assert any("java/tasks/target/ingest.jar" in a for s, op, a in ins if s == "build" and op == "RUN")
    runtime_copies = {a.split()[-1] for s, op, a in ins if s == "runtime" and op == "COPY"}
    assert {"/app/connectors/", "/app/configs/"} <= runtime_copies


def test_dockerfile_entrypoint_is_the_pods_command():
    entry = [a for s, op, a in dockerfile_instructions() if s == "runtime" and op == "ENTRYPOINT"]
    assert json.loads(entry[-1]) == POD_CMDS
    env = " ".join(a for s, op, a in dockerfile_instructions() if s == "runtime" and op == "ENV")
    assert "INGEST_CONNECTORS_DIR=/app/connectors" in env
    assert POD_SUMMARY_FILE.startswith("/airflow/xcom/")


def test_fetch_pods_get_a_small_young_generation_the_others_the_entrypoint():
    for stage in ("normalize", "enrich", "load"):
        assert pod_cmds(stage) == POD_CMDS
    fetch = pod_cmds("fetch")
    assert fetch[-2:] == ["-jar", "/app/ingest.jar"]
    # The JVM takes the last of a repeated flag: fetch's sizes come after the ENTRYPOINT's.
    assert fetch.index("-XX:NewSize=24m") > fetch.index("-XX:NewSize=96m")
    assert fetch.index("-XX:MaxNewSize=24m") > fetch.index("-XX:MaxNewSize=96m")
    assert [a for a in fetch if a not in ("-XX:NewSize=24m", "-XX:MaxNewSize=24m")] == POD_CMDS


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_airflow_and_every_server():
    services = compose()["services"]
    required = {
        "postgres", "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
        "airflow-triggerer", "kafka", "schema-registry", "clickhouse", "redis", "prometheus", "grafana",
        "simulator", "ingest-task",
    }  # fmt: skip
    assert required <= set(services)
    for name, svc in services.items():
        assert "image" in svc or "build" in svc, name
    assert services["ingest-task"]["build"]["dockerfile"] == "Dockerfile.task"
    assert "airflow:3.3.2" in services["airflow-scheduler"]["build"]["dockerfile_inline"]


def test_compose_airflow_uses_the_local_runner_against_the_servers():
    svc = compose()["services"]["airflow-scheduler"]
    env = svc["environment"]
    assert env["INGEST_TASK_RUNNER"] == "local"
    assert env["INGEST_BIN"].endswith("-jar /app/ingest.jar")
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["SCHEMA_REGISTRY_URL"].startswith("http://schema-registry:")
    assert env["CLICKHOUSE_DSN"].startswith("clickhouse://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/ingest/airflow/dags"


def test_compose_mounts_and_build_contexts_exist():
    data = compose()
    for name, svc in data["services"].items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name}: {volume}"
            else:
                assert source in data.get("volumes", {}), f"{name}: named volume {source} not declared"
        build = svc.get("build")
        if build:
            assert (REPO / build["context"]).is_dir()
            if "dockerfile" in build:
                assert (REPO / build["dockerfile"]).is_file()
        for config in svc.get("configs", []):
            assert config["source"] in data["configs"], name
    for name, config in data["configs"].items():
        if "file" in config:
            path = REPO / config["file"]
            assert path.is_file(), f"config {name}: {config['file']}"
            yaml.safe_load(path.read_text())
        else:
            yaml.safe_load(config["content"])


def k8s_docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_kustomize_base_lists_files_that_exist_and_parse():
    kust = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    kinds = set()
    for resource in kust["resources"]:
        path = K8S / "base" / resource
        assert path.is_file(), resource
        for doc in k8s_docs(path):
            assert {"apiVersion", "kind", "metadata"} <= set(doc), resource
            kinds.add(doc["kind"])
    assert {"Namespace", "ServiceAccount", "Role", "RoleBinding", "Job"} <= kinds
    config_maps = {g["name"]: g["literals"] for g in kust["configMapGenerator"]}
    settings = PodSettings()
    assert settings.config_map in config_maps
    airflow_env = dict(item.split("=", 1) for item in config_maps["ingest-airflow-env"])
    assert airflow_env["INGEST_TASK_RUNNER"] == "kubernetes"
    assert airflow_env["INGEST_K8S_SERVICE_ACCOUNT"] == settings.service_account
    assert airflow_env["INGEST_K8S_SINKS_SECRET"] == settings.sinks_secret


@pytest.mark.parametrize("env", OVERLAYS)
def test_overlay_points_at_the_base_and_pins_one_image(env):
    kust = yaml.safe_load((K8S / "overlays" / env / "kustomization.yaml").read_text())
    assert "../../base" in kust["resources"]
    (image,) = kust["images"]
    assert image["name"] == "254carbon/ingest-task"
    airflow_env = next(g for g in kust["configMapGenerator"] if g["name"] == "ingest-airflow-env")
    literals = dict(item.split("=", 1) for item in airflow_env["literals"])
    assert literals["INGEST_TASK_IMAGE"] == f"{image['newName']}:{image['newTag']}", "the pods and the DDL job agree"
    assert literals["INGEST_K8S_NAMESPACE"] == kust["namespace"]
    assert literals["INGEST_ENV"] == env


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) not installed")
@pytest.mark.parametrize("env", OVERLAYS)
def test_overlay_builds_with_kustomize(env):
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / env)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].startswith("registry.254carbon.io/ingest-task:")
    namespaces = {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"}
    expected = yaml.safe_load((K8S / "overlays" / env / "kustomization.yaml").read_text())["namespace"]
    assert namespaces == {expected}
