"""compose.yaml cannot run here (no container engine), so check it statically."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from infra.settings import VARIABLES, load
from launch.cli import SERVICES, parser

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES_IN_COMPOSE = COMPOSE["services"]
TOLLGATE = {n: s for n, s in SERVICES_IN_COMPOSE.items() if s.get("image") == "tollgate:latest"}


def test_every_tollgate_service_runs_from_the_one_image_built_by_infra_dockerfile():
    assert set(TOLLGATE) == {*SERVICES, "migrate"}
    for service in TOLLGATE.values():
        assert service["build"]["dockerfile"] == "infra/Dockerfile"
    assert (ROOT / "infra" / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(TOLLGATE))
def test_each_command_is_a_tollgate_subcommand(name: str):
    program, *args = TOLLGATE[name]["command"]
    assert program == "tollgate"
    parser().parse_args(args)  # exits (SystemExit) on an unknown subcommand


def interpolated(value: str) -> str:
    """A value as compose makes it with nothing set: `${X:-default}` is the default, and
    `${X:?message}` (compose refuses to start without X) is taken as set."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"^\$\{[A-Z_]+:\?.*\}$", "x", value)


@pytest.mark.parametrize("name", sorted(TOLLGATE))
def test_each_service_is_configured_with_valid_settings(name: str):
    env = {k: str(v) for k, v in TOLLGATE[name]["environment"].items()}
    assert {k for k in env if not k.startswith("OTEL_")} <= set(VARIABLES)  # OTEL_: the SDK's
    settings = load({k: interpolated(v) for k, v in env.items()})
    assert settings.stream_replicas == 3
    assert not settings.demo  # a real instance: no demo users, and its own secret is required
    assert env["TOLLGATE_SECRET"].startswith("${TOLLGATE_SECRET:?")


def test_services_wait_for_healthy_dependencies():
    for name in SERVICES:
        deps = TOLLGATE[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert all(deps[n]["condition"] == "service_healthy" for n in ("nats1", "nats2", "nats3"))
    assert SERVICES_IN_COMPOSE["postgres"]["healthcheck"]
    assert SERVICES_IN_COMPOSE["api"]["healthcheck"]


def test_the_nats_cluster_has_three_routed_jetstream_nodes():
    nodes = [SERVICES_IN_COMPOSE[f"nats{i}"]["command"] for i in (1, 2, 3)]
    for command in nodes:
        assert "-js" in command
        assert command[command.index("--cluster_name") + 1] == "tollgate"
        routes = command[command.index("--routes") + 1].split(",")
        assert len(routes) == 2
