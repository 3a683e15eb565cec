"""`tollgate up --replicas N --nats-cluster 3`: which processes run, on which ports, and
when a data folder refuses the other kind of NATS."""

from __future__ import annotations

from pathlib import Path

from infra.settings import Settings
from launch.embedded import Node, cluster_args
from launch.launcher import api_replicas, cluster_refusal
from launch.supervisor import replicas, service_of


def test_every_service_runs_n_times_each_replica_naming_its_service():
    names = replicas(["api", "poc"], 3)
    assert names == ["api", "api#2", "api#3", "poc", "poc#2", "poc#3"]
    assert [service_of(n) for n in names] == ["api"] * 3 + ["poc"] * 3


def test_one_copy_is_the_services_as_they_are():
    assert replicas(["api", "projection"], 1) == ["api", "projection"]


def test_api_replicas_listen_on_the_port_and_the_ones_after_it():
    settings = Settings(http_port=8000)
    ports = api_replicas(settings, ["api", "api#2", "poc", "api#3", "poc#2"])
    assert ports == {
        "api": {"TOLLGATE_HTTP_PORT": "8000"},
        "api#2": {"TOLLGATE_HTTP_PORT": "8001"},
        "api#3": {"TOLLGATE_HTTP_PORT": "8002"},
    }


def test_a_cluster_node_listens_on_loopback_and_routes_to_the_others():
    args = cluster_args(Node("n1", 4301, 8301, 6301), Path("/s/n1"), [6302, 6303])
    line = " ".join(args)
    assert "-n n1 -a 127.0.0.1 -p 4301 -m 8301 -js -sd /s/n1 --cluster_name tg" in line
    assert "--cluster nats://127.0.0.1:6301" in line
    assert args[-2:] == ["--routes", "nats://127.0.0.1:6302,nats://127.0.0.1:6303"]


def test_a_cluster_needs_nats_url_unset(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, nats_url="nats://127.0.0.1:4222")
    assert "unset NATS_URL" in str(cluster_refusal(settings, 3))


def test_a_data_folder_keeps_the_kind_of_nats_it_started_with(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    assert cluster_refusal(settings, 3) is None and cluster_refusal(settings, 1) is None
    (tmp_path / "nats").mkdir()
    assert "single NATS server" in str(cluster_refusal(settings, 3))
    assert cluster_refusal(settings, 1) is None
    (tmp_path / "nats").rmdir()
    (tmp_path / "nats-cluster").mkdir()
    assert "NATS cluster" in str(cluster_refusal(settings, 1))
    assert cluster_refusal(settings, 3) is None
