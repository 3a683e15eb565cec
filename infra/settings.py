"""All configuration, from environment variables with defaults, validated at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args, get_origin

import msgspec

from events.subjects import Subjects

DEFAULT_SECRET = "change-me-in-production"
KNOWN_SECRETS = frozenset({DEFAULT_SECRET, "change-me"})  # the shipped defaults, public
# the processes that may each have a database of their own (TOLLGATE_DATABASE_URL_<NAME>)
DATABASE_SERVICES = (
    *("ideation", "poc", "pilot", "mvp", "agents", "trends"),
    *("projection", "api", "webhooks"),
)


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
    secret: str = DEFAULT_SECRET
    stale_days: int = 30
    demo: bool = True
    token_days: int = 90
    token_cache_seconds: float = 5.0
    secure_cookies: bool = False
    session_idle_hours: float = 8.0
    session_max_days: float = 7.0
    signin_lock_after: int = 10
    signin_lock_minutes: float = 15.0
    webhook_allow: tuple[str, ...] = ()
    log_format: Literal["text", "json"] = "text"
    metrics_port: int = 0
    database_url_ideation: str = ""
    database_url_poc: str = ""
    database_url_pilot: str = ""
    database_url_mvp: str = ""
    database_url_agents: str = ""
    database_url_trends: str = ""
    database_url_projection: str = ""
    database_url_api: str = ""
    database_url_webhooks: str = ""
    smtp_url: str = ""  # notifications by e-mail: off while unset
    smtp_from: str = "Tollgate <tollgate@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    committee_chair: str = ""
    digest_hour: int = 7
    scheduler_seconds: float = 60.0

    @property
    def subjects(self) -> Subjects:
        return Subjects(root=self.subject_root, stream=self.stream)

    def database_url_for(self, service: str) -> str:
        """The database of one service (a stage's event store, the read models, the API's
        tables): its own URL if set, else DATABASE_URL. The webhook worker uses the API's
        tables, so it falls back to the API's URL first."""
        own: str = getattr(self, f"database_url_{service}")
        if own:
            return own
        return self.database_url_for("api") if service == "webhooks" else self.database_url


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
    "TOLLGATE_SECRET": (
        "secret",
        "signs the forms' CSRF tokens; required unless in demo mode",
    ),
    "TOLLGATE_STALE_DAYS": ("stale_days", "days in one stage before an initiative counts as stale"),
    "TOLLGATE_DEMO": (
        "demo",
        "demo mode: a fresh store gets the demo users and portfolio (1/0; default 1)",
    ),
    "TOLLGATE_TOKEN_DAYS": ("token_days", "days a new API token stays valid (default 90)"),
    "TOLLGATE_TOKEN_CACHE_SECONDS": (
        "token_cache_seconds",
        "seconds an API process keeps token -> user; changes are heard at once (default 5; "
        "0: ask the database on every request)",
    ),
    "TOLLGATE_SECURE_COOKIES": (
        "secure_cookies",
        "mark the session and CSRF cookies `Secure` (1 behind HTTPS; default 0)",
    ),
    "TOLLGATE_SESSION_IDLE_HOURS": (
        "session_idle_hours",
        "a page session ends after this many hours without a request (default 8)",
    ),
    "TOLLGATE_SESSION_MAX_DAYS": (
        "session_max_days",
        "a page session ends this many days after sign-in, however active (default 7)",
    ),
    "TOLLGATE_SIGNIN_LOCK_AFTER": (
        "signin_lock_after",
        "failed sign-ins of one name that lock it (default 10; an address: 5 times as many)",
    ),
    "TOLLGATE_SIGNIN_LOCK_MINUTES": (
        "signin_lock_minutes",
        "how long a locked name or address stays locked (default 15)",
    ),
    "TOLLGATE_WEBHOOK_ALLOW": (
        "webhook_allow",
        "hosts and CIDRs webhooks may reach although loopback or private (comma-separated)",
    ),
    "TOLLGATE_LOG_FORMAT": (
        "log_format",
        "`text` (default) or `json`: one JSON object a line, with the trace and span id",
    ),
    "TOLLGATE_METRICS_PORT": (
        "metrics_port",
        "port on which a service other than the API serves /metrics for Prometheus (default off)",
    ),
    **{
        f"TOLLGATE_DATABASE_URL_{service.upper()}": (
            f"database_url_{service}",
            f"PostgreSQL URL of {purpose} (default DATABASE_URL)",
        )
        for service, purpose in (
            ("ideation", "the ideation service's event store"),
            ("poc", "the poc service's event store"),
            ("pilot", "the pilot service's event store"),
            ("mvp", "the mvp service's event store"),
            ("agents", "the agents service's event store (policies, held actions)"),
            ("trends", "the trends service's event store (the radar)"),
            ("projection", "the projection's read models"),
            ("api", "the API's tables: users, tokens, sessions, idempotency, webhooks"),
        )
    },
    "TOLLGATE_DATABASE_URL_WEBHOOKS": (
        "database_url_webhooks",
        "PostgreSQL URL of the webhook worker: the API's database (default the API's URL)",
    ),
    "TOLLGATE_SMTP_URL": (
        "smtp_url",
        "mail server for notifications: `smtp://[user:password@]host[:port]`, `smtps://` or"
        " `smtp+starttls://`; unset = no e-mail (default)",
    ),
    "TOLLGATE_SMTP_FROM": (
        "smtp_from",
        "sender of notification mails (default `Tollgate <tollgate@localhost>`)",
    ),
    "TOLLGATE_PUBLIC_URL": (
        "public_url",
        "base URL of the pages, for the links in mails (default http://127.0.0.1:8000)",
    ),
    "TOLLGATE_COMMITTEE_CHAIR": (
        "committee_chair",
        "user name of the committee chair, to whom overdue reviews and unacknowledged high or"
        " critical incidents escalate (default none)",
    ),
    "TOLLGATE_DIGEST_HOUR": (
        "digest_hour",
        "hour (UTC, 0-23) from which the daily digests go out (default 7)",
    ),
    "TOLLGATE_SCHEDULER_SECONDS": (
        "scheduler_seconds",
        "seconds between the notifier's checks for overdue reviews, incidents to escalate and"
        " digests (0 = off; default 60)",
    ),
}

POSITIVE = (
    "TOLLGATE_SESSION_IDLE_HOURS",
    "TOLLGATE_SESSION_MAX_DAYS",
    "TOLLGATE_SIGNIN_LOCK_AFTER",
    "TOLLGATE_SIGNIN_LOCK_MINUTES",
)


def unknown(environ: Mapping[str, str] | None = None) -> list[str]:
    """TOLLGATE_* variables Tollgate does not read: most likely misspelt."""
    env = os.environ if environ is None else environ
    return sorted(v for v in env if v.startswith("TOLLGATE_") and v not in VARIABLES)


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment; a bad value raises ConfigError naming the variable."""
    env = os.environ if environ is None else environ
    types = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    raw: dict[str, object] = {}
    for var, (field, _) in VARIABLES.items():
        value = env.get(var)
        if value is not None and value.strip() != "":
            raw[field] = _parse(var, value.strip(), types[field])
    settings = msgspec.convert(raw, Settings)
    if not 0 < settings.http_port < 65536:
        raise ConfigError(f"TOLLGATE_HTTP_PORT: {settings.http_port} is not a port number")
    if settings.stream_replicas not in (1, 3, 5):
        raise ConfigError("TOLLGATE_STREAM_REPLICAS: use 1, 3 or 5")
    if not 1 <= settings.token_days <= 3650:
        raise ConfigError("TOLLGATE_TOKEN_DAYS: use 1 to 3650 days")
    if not 0 <= settings.token_cache_seconds <= 300:
        raise ConfigError("TOLLGATE_TOKEN_CACHE_SECONDS: use 0 to 300 seconds")
    if settings.command_timeout <= 0:
        raise ConfigError("TOLLGATE_COMMAND_TIMEOUT: must be a positive number of seconds")
    for var in POSITIVE:
        if getattr(settings, VARIABLES[var][0]) <= 0:
            raise ConfigError(f"{var}: must be more than 0")
    for entry in settings.webhook_allow:
        if not _host_or_network(entry):
            raise ConfigError(f"TOLLGATE_WEBHOOK_ALLOW: {entry!r} is not a host, address or CIDR")
    if not 0 <= settings.metrics_port < 65536:
        raise ConfigError(f"TOLLGATE_METRICS_PORT: {settings.metrics_port} is not a port number")
    urls = [(settings.database_url, "DATABASE_URL"), (settings.nats_url, "NATS_URL")]
    urls += [
        (getattr(settings, field), var)
        for var, (field, _) in VARIABLES.items()
        if field.startswith("database_url_")
    ]
    for url, var in urls:
        if url and "://" not in url:
            raise ConfigError(f"{var}: {url!r} is not a URL")
    _check_notifications(settings)
    return settings


SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")


def _check_notifications(settings: Settings) -> None:
    scheme = settings.smtp_url.partition("://")[0]
    if settings.smtp_url and (scheme not in SMTP_SCHEMES or "://" not in settings.smtp_url):
        raise ConfigError(
            f"TOLLGATE_SMTP_URL: {settings.smtp_url!r} is not an smtp://, smtps:// or"
            " smtp+starttls:// URL"
        )
    if not settings.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"TOLLGATE_PUBLIC_URL: {settings.public_url!r} is not an http(s) URL")
    if settings.committee_chair and not re.fullmatch(
        r"[A-Za-z0-9_.:-]{1,64}", settings.committee_chair
    ):
        raise ConfigError(
            f"TOLLGATE_COMMITTEE_CHAIR: {settings.committee_chair!r} is not a user name"
        )
    if not 0 <= settings.digest_hour <= 23:
        raise ConfigError("TOLLGATE_DIGEST_HOUR: use an hour from 0 to 23")
    if settings.scheduler_seconds < 0:
        raise ConfigError("TOLLGATE_SCHEDULER_SECONDS: use 0 (off) or a positive number")


def _host_or_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?", entry) is not None
    return True


YES, NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(var: str, text: str, kind: object) -> object:
    """One variable's text as its field's type (bool, Path, numbers, comma lists, str)."""
    if kind is bool:
        if text.lower() not in YES | NO:
            raise ConfigError(f"{var}: {text!r} is not yes or no (use 1/0, true/false, on/off)")
        return text.lower() in YES
    if kind is Path:
        return Path(text).expanduser()
    if get_origin(kind) is Literal:
        if text not in get_args(kind):
            raise ConfigError(f"{var}: {text!r} is not one of {', '.join(get_args(kind))}")
        return text
    if get_origin(kind) in (list, tuple):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        return msgspec.convert(text, kind, strict=False)
    except msgspec.ValidationError:
        name = getattr(kind, "__name__", str(kind))
        article = "an" if name == "int" else "a"
        what = {"int": "integer", "float": "number"}.get(name, name)
        raise ConfigError(f"{var}: {text!r} is not {article} {what}") from None


def secret_warning(settings: Settings) -> str | None:
    """Whether the secret may be used to serve: a secret of one's own, yes (None);
    the public default in the demo, yes with a warning; elsewhere, ConfigError."""
    if settings.secret not in KNOWN_SECRETS:
        return None
    if not settings.demo:
        raise ConfigError(
            "TOLLGATE_SECRET: a real (non-demo) instance needs a secret of its own to sign"
            " its forms' CSRF tokens; set TOLLGATE_SECRET, for example to the output of"
            " `openssl rand -hex 32`"
        )
    return (
        "warning: TOLLGATE_SECRET is not set, so the forms' CSRF tokens are signed with the"
        " public default secret: fine for the demo, never for real use (set TOLLGATE_SECRET)"
    )
