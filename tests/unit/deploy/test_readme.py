"""The README documents what the code does: configuration and command line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from infra.settings import VARIABLES
from launch.cli import parser

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()


def test_the_configuration_table_lists_exactly_the_variables_the_code_reads():
    documented = dict(re.findall(r"^\| `([A-Z_]+)` \| (.+) \|$", README, re.M))
    assert documented == {var: text for var, (_, text) in VARIABLES.items()}


@pytest.mark.parametrize(
    "line", re.findall(r"^\| `(tollgate [^`]+)` \|", README, re.M), ids=lambda s: s[:30]
)
def test_every_documented_command_parses(line: str):
    args = shlex.split(re.sub(r"\[([^\]]+)\]", r"\1", line).replace("|", " "))[1:]
    concrete = [a.replace("NAME", "poc").replace("ROLE", "viewer").replace("D", "x")
                for a in args if a != "..."]  # fmt: skip
    if concrete[:1] == ["users"] and len(concrete) > 2:
        concrete[2] = "alice"
    parser().parse_args(concrete)


def test_both_setup_commands_are_in_the_readme():
    assert "make up" in README and "make test" in README
