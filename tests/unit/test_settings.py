"""Every variable of infra.settings.VARIABLES is read into its field, and a bad value is
refused with a message naming the variable (not the field)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from infra.settings import VARIABLES, ConfigError, Settings, load, unknown

TYPES = {f.name: f.type for f in msgspec.structs.fields(Settings)}
SAMPLES: dict[object, tuple[str, object]] = {
    bool: ("yes", True),
    int: ("3", 3),
    float: ("2.5", 2.5),
    Path: ("/srv/tollgate", Path("/srv/tollgate")),
    str: ("tcp://somewhere", "tcp://somewhere"),
    tuple[str, ...]: ("a.example, b.example", ("a.example", "b.example")),
}
# those a stray word cannot be: not text, not a comma-separated list
TYPED = [var for var, (field, _) in VARIABLES.items() if TYPES[field] in (bool, int, float)]


@pytest.mark.parametrize("var", list(VARIABLES))
def test_a_variable_sets_its_setting(var: str):
    field = VARIABLES[var][0]
    text, value = SAMPLES[TYPES[field]]
    assert getattr(load({var: text}), field) == value


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
