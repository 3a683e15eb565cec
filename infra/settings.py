"""All configuration, from environment variables with defaults, validated at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from events.subjects import Subjects


class ConfigError(Exception):
    """A setting has a value Tollgate cannot use; the message names it."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = ""
    nats_url: str = ""
    data_dir: Path = Path(".tollgate")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    stream: str = "TOLLGATE"
    stream_replicas: int = 1
    subject_root: str = "tollgate"
    command_timeout: float = 5.0
    secret: str = "change-me-in-production"
    stale_days: int = 30
    demo: bool = True

    @property
    def subjects(self) -> Subjects:
        return Subjects(root=self.subject_root, stream=self.stream)


# variable -> (field, description); the README's configuration table follows this
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "database_url",
        "PostgreSQL URL; unset = embedded PostgreSQL under the data dir",
    ),
    "NATS_URL": ("nats_url", "NATS URL; unset = embedded nats-server -js under the data dir"),
    "TOLLGATE_DATA_DIR": ("data_dir", "folder for embedded servers and logs (default .tollgate)"),
    "TOLLGATE_HTTP_HOST": ("http_host", "address the API binds (default 127.0.0.1)"),
    "TOLLGATE_HTTP_PORT": ("http_port", "port of the API and pages (default 8000)"),
    "TOLLGATE_STREAM": ("stream", "JetStream stream name (default TOLLGATE)"),
    "TOLLGATE_STREAM_REPLICAS": ("stream_replicas", "replicas of the stream (3 on a NATS cluster)"),
    "TOLLGATE_SUBJECT_ROOT": ("subject_root", "first token of every subject (default tollgate)"),
    "TOLLGATE_COMMAND_TIMEOUT": (
        "command_timeout",
        "seconds a command request may take (default 5)",
    ),
    "TOLLGATE_SECRET": ("secret", "signs session cookies and CSRF tokens"),
    "TOLLGATE_STALE_DAYS": ("stale_days", "days in one stage before an initiative counts as stale"),
    "TOLLGATE_DEMO": ("demo", "seed the demo portfolio into an empty store (1/0)"),
}


def load(environ: dict[str, str] | None = None) -> Settings:
    """Read the environment; a bad value raises ConfigError naming the variable."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for var, (field, _) in VARIABLES.items():
        value = env.get(var)
        if value is not None and value != "":
            raw[field] = value
    if "demo" in raw:
        raw["demo"] = str(raw["demo"]).lower() in {"1", "true", "yes", "on"}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1]
        var = next((v for v, (f, _) in VARIABLES.items() if f == field), field)
        raise ConfigError(f"{var}: {exc}") from None
    if not 0 < settings.http_port < 65536:
        raise ConfigError(f"TOLLGATE_HTTP_PORT: {settings.http_port} is not a port number")
    if settings.stream_replicas not in (1, 3, 5):
        raise ConfigError("TOLLGATE_STREAM_REPLICAS: use 1, 3 or 5")
    if settings.command_timeout <= 0:
        raise ConfigError("TOLLGATE_COMMAND_TIMEOUT: must be a positive number of seconds")
    for url, var in ((settings.database_url, "DATABASE_URL"), (settings.nats_url, "NATS_URL")):
        if url and "://" not in url:
            raise ConfigError(f"{var}: {url!r} is not a URL")
    return settings
