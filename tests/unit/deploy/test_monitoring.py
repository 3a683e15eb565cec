"""compose's monitoring, checked statically: Prometheus scrapes every service where it serves
/metrics, the Grafana dashboard asks only for metrics (and labels) Tollgate really exports,
traces go to the collector and on, and the per-service databases option is complete."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from prometheus_client import REGISTRY

import api.app
import api.webhooks.worker
import infra.metrics
from infra.settings import DATABASE_SERVICES
from launch.cli import SERVICES

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
PROMETHEUS = yaml.safe_load((ROOT / "infra/prometheus/prometheus.yml").read_text())
COLLECTOR = yaml.safe_load((ROOT / "infra/otel-collector.yaml").read_text())
GRAFANA = ROOT / "infra/grafana"
DASHBOARD = json.loads((GRAFANA / "dashboards/tollgate.json").read_text())
JOBS = {job["job_name"]: job for job in PROMETHEUS["scrape_configs"]}
TOPICS = ("Command rate", "read model latency", "Projection lag", "Relay backlog",
          "Webhook failures", "5xx")  # fmt: skip
__all__ = ["api", "infra"]  # imported for the metrics they register


def mounts(service: str) -> dict[str, str]:
    """container path -> host path of a compose service's bind mounts."""
    found = {}
    for volume in COMPOSE[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            found[target] = source
    return found


def targets(job: dict[str, Any]) -> list[tuple[str, int]]:
    return [(name, sd["port"]) for sd in job["dns_sd_configs"] for name in sd["names"]]


def test_prometheus_scrapes_every_tollgate_service_where_it_serves_metrics():
    scraped = {name: port for job in JOBS.values() for name, port in targets(job)}
    assert set(scraped) == set(SERVICES)
    for name, port in scraped.items():
        env = COMPOSE[name]["environment"]
        expected = 8000 if name == "api" else int(env["TOLLGATE_METRICS_PORT"])
        assert port == expected, name
        assert env["TOLLGATE_HTTP_HOST"] == "0.0.0.0", name  # reachable from Prometheus


def test_prometheus_reads_the_admin_only_api_metrics_with_a_token_file_it_has_mounted():
    authorization = JOBS["tollgate-api"]["authorization"]
    assert authorization["type"] == "Bearer"
    folder = str(Path(authorization["credentials_file"]).parent)
    assert mounts("prometheus")[folder] == "./secrets"
    assert (
        mounts("prometheus")["/etc/prometheus/prometheus.yml"]
        == "./infra/prometheus/prometheus.yml"
    )


def test_every_configuration_file_compose_mounts_is_in_the_repository():
    for service in ("prometheus", "grafana", "otel-collector", "postgres-apart"):
        for source in mounts(service).values():
            if source != "./secrets":  # made by the operator (README)
                assert (ROOT / source).exists(), source


def test_every_service_sends_its_traces_to_the_collector_which_passes_them_to_jaeger():
    for name in SERVICES:
        endpoint = urlparse(COMPOSE[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert endpoint.hostname == "otel-collector" and endpoint.hostname in COMPOSE
        http = COLLECTOR["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
        assert http.endswith(f":{endpoint.port}")  # OTLP/HTTP, as the SDK's exporter speaks
    pipeline = COLLECTOR["service"]["pipelines"]["traces"]
    assert "otlp" in pipeline["receivers"]
    assert COLLECTOR["exporters"]["otlp/jaeger"]["endpoint"].split(":")[0] in COMPOSE


def test_grafana_is_provisioned_with_the_dashboard_and_its_datasource():
    assert mounts("grafana")["/etc/grafana/provisioning"] == "./infra/grafana/provisioning"
    provider = yaml.safe_load((GRAFANA / "provisioning/dashboards/tollgate.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    assert mounts("grafana")[path] == "./infra/grafana/dashboards"
    sources = yaml.safe_load((GRAFANA / "provisioning/datasources/tollgate.yml").read_text())
    uids = {s["uid"]: s for s in sources["datasources"]}
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] in uids
    prometheus = uids[DASHBOARD["panels"][0]["datasource"]["uid"]]
    assert urlparse(prometheus["url"]).hostname == "prometheus"


def test_the_dashboard_shows_each_topic():
    titles = [panel["title"] for panel in DASHBOARD["panels"]]
    for topic in TOPICS:
        assert any(topic in title for title in titles), topic


def exported() -> dict[str, set[str]]:
    """Every sample name the process registry exports (what /metrics serves) -> its labels."""
    found: dict[str, set[str]] = {}
    for collector, names in REGISTRY._collector_to_names.items():
        for name in names:
            found[name] = {*getattr(collector, "_labelnames", ()), "le"}
    return found


EXPRESSIONS = [t["expr"] for p in DASHBOARD["panels"] for t in p["targets"]]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=lambda e: e[:60])
def test_each_query_names_only_metrics_and_labels_that_tollgate_exports(expr: str):
    metrics = exported()
    named = re.findall(r"\b(tollgate_[a-z0-9_]+)\b", expr)
    assert named, "a query without a Tollgate metric"
    for metric in named:
        assert metric in metrics, f"{metric} is not exported"
    labels = set().union(*(metrics[m] for m in named))
    selectors = re.findall(r"\{([^}]*)\}", expr)
    used = {m for s in selectors for m in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", s)}
    used |= {label.strip() for group in re.findall(r"by \(([^)]*)\)", expr)
             for label in group.split(",")}  # fmt: skip
    assert used <= labels, f"labels {used - labels} are on none of {named}"


def test_the_per_service_databases_option_has_a_database_and_a_variable_per_service():
    apart = COMPOSE["postgres-apart"]
    assert apart["profiles"] == ["apart"]
    sql = ROOT / mounts("postgres-apart")["/docker-entrypoint-initdb.d/databases.sql"][2:]
    created = set(re.findall(r"CREATE DATABASE (\w+);", sql.read_text()))
    own = {s for s in DATABASE_SERVICES if s != "webhooks"}  # the worker uses the API's
    assert created == own
    env = COMPOSE["projection"]["environment"]
    for service in own:
        assert env[f"TOLLGATE_DATABASE_URL_{service.upper()}"].endswith(":-}")  # unset: shared
    migrate = COMPOSE["migrate"]["depends_on"]["postgres-apart"]
    assert (migrate["condition"], migrate["required"]) == ("service_healthy", False)
