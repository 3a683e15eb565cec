"""Every variable of infra.settings.VARIABLES is read into its field, and a bad value is
refused with a message naming the variable (not the field)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec
import pytest

from infra.settings import (
    DATABASE_SERVICES,
    VARIABLES,
    ConfigError,
    Settings,
    load,
    unknown,
)

TYPES = {f.name: f.type for f in msgspec.structs.fields(Settings)}
SAMPLES: dict[object, tuple[str, object]] = {
    bool: ("yes", True),
    int: ("3", 3),
    float: ("2.5", 2.5),
    Path: ("/srv/tollgate", Path("/srv/tollgate")),
    str: ("tcp://somewhere", "tcp://somewhere"),
    tuple[str, ...]: ("a.example, b.example", ("a.example", "b.example")),
    Literal["text", "json"]: ("json", "json"),
}
# text with a shape of its own
OWN_SAMPLES = {
    "TOLLGATE_SMTP_URL": ("smtp://mail.example:2525", "smtp://mail.example:2525"),
    "TOLLGATE_PUBLIC_URL": ("https://tollgate.example", "https://tollgate.example"),
    "TOLLGATE_COMMITTEE_CHAIR": ("clara", "clara"),
}
# those a stray word cannot be: not text, not a comma-separated list
TYPED = [var for var, (field, _) in VARIABLES.items() if TYPES[field] in (bool, int, float)]


@pytest.mark.parametrize("var", list(VARIABLES))
def test_a_variable_sets_its_setting(var: str):
    field = VARIABLES[var][0]
    text, value = OWN_SAMPLES.get(var) or SAMPLES[TYPES[field]]
    assert getattr(load({var: text}), field) == value


@pytest.mark.parametrize(
    ("var", "text"),
    [
        ("TOLLGATE_SMTP_URL", "http://mail.example"),
        ("TOLLGATE_PUBLIC_URL", "tollgate.example"),
        ("TOLLGATE_DIGEST_HOUR", "24"),
        ("TOLLGATE_SCHEDULER_SECONDS", "-1"),
        ("TOLLGATE_COMMITTEE_CHAIR", "Clara Chair"),
    ],
)
def test_a_notification_setting_out_of_its_range_is_refused_naming_it(var: str, text: str):
    with pytest.raises(ConfigError, match=f"^{var}: "):
        load({var: text})


@pytest.mark.parametrize("var", TYPED)
def test_a_value_of_the_wrong_type_is_refused_naming_the_variable(var: str):
    with pytest.raises(ConfigError, match=f"^{var}: 'lots' is not"):
        load({var: "lots"})


def test_the_data_dir_is_a_path_with_the_home_folder_expanded():
    assert load({"TOLLGATE_DATA_DIR": "~/tg"}).data_dir == Path.home() / "tg"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TOLLGATE_HTTP_PORT": "70000"}, "TOLLGATE_HTTP_PORT: 70000 is not a port number"),
        ({"TOLLGATE_SECURE_COOKIES": "maybe"}, "TOLLGATE_SECURE_COOKIES: 'maybe' is not yes"),
        ({"TOLLGATE_SESSION_IDLE_HOURS": "0"}, "TOLLGATE_SESSION_IDLE_HOURS: must be more"),
        ({"DATABASE_URL": "localhost"}, "DATABASE_URL: 'localhost' is not a URL"),
        ({"TOLLGATE_DATABASE_URL_POC": "pg"}, "TOLLGATE_DATABASE_URL_POC: 'pg' is not a URL"),
        ({"TOLLGATE_LOG_FORMAT": "xml"}, "TOLLGATE_LOG_FORMAT: 'xml' is not one of text, json"),
        ({"TOLLGATE_METRICS_PORT": "-1"}, "TOLLGATE_METRICS_PORT: -1 is not a port number"),
    ],
)
def test_a_bad_value_names_the_variable(env: dict[str, str], message: str):
    with pytest.raises(ConfigError, match=f"^{message}"):
        load(env)


def test_unset_and_empty_variables_keep_the_defaults():
    assert load({"TOLLGATE_HTTP_PORT": "", "TOLLGATE_DEMO": "  "}) == Settings()


def test_a_misspelt_variable_is_found_for_a_warning():
    env = {"TOLLGATE_SECURE_COOKIE": "1", "TOLLGATE_DEMO": "1", "HOME": "/root"}
    assert unknown(env) == ["TOLLGATE_SECURE_COOKIE"]


def test_each_service_uses_its_own_database_url_or_else_database_url():
    settings = load(
        {
            "DATABASE_URL": "postgresql://shared/tollgate",
            "TOLLGATE_DATABASE_URL_POC": "postgresql://poc-cluster/poc",
            "TOLLGATE_DATABASE_URL_API": "postgresql://api-cluster/api",
        }
    )
    assert settings.database_url_for("poc") == "postgresql://poc-cluster/poc"
    assert settings.database_url_for("ideation") == "postgresql://shared/tollgate"
    assert settings.database_url_for("projection") == "postgresql://shared/tollgate"
    assert settings.database_url_for("api") == "postgresql://api-cluster/api"


def test_the_webhook_worker_follows_the_api_database_it_shares_tables_with():
    shared = load({"DATABASE_URL": "postgresql://shared/t"})
    assert shared.database_url_for("webhooks") == "postgresql://shared/t"
    apart = load({"DATABASE_URL": "postgresql://shared/t", "TOLLGATE_DATABASE_URL_API": "pg://a"})
    assert apart.database_url_for("webhooks") == "pg://a"
    own = load({"TOLLGATE_DATABASE_URL_API": "pg://a", "TOLLGATE_DATABASE_URL_WEBHOOKS": "pg://b"})
    assert own.database_url_for("webhooks") == "pg://b"


def test_every_service_with_a_database_has_its_variable():
    for service in DATABASE_SERVICES:
        assert f"TOLLGATE_DATABASE_URL_{service.upper()}" in VARIABLES
