"""HTML forms for the API's request bodies: one field list per form, parsed and validated
with the same msgspec Structs the API uses (api.bodies), every field's error at once.

A form's values arrive as strings; lists are comma- or line-separated, numbers and dates
are converted by msgspec (`strict=False`), and each field's message is made readable.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from api.deps import Deps
from api.dispatch import Accepted
from api.limits import DATE_MESSAGE, FIRST_YEAR, LAST_YEAR
from events.base import Actor, Role

Widget = str  # text, textarea, number, date, datetime, select, list, lines, metrics, checklist
Send = Callable[[Deps, Actor, str, msgspec.Struct, dict[str, Any]], Awaitable[Accepted]]
_LIMIT = re.compile(r"Expected `(\w+)`(?: of length)? ([<>]=?) ([\d.]+)")
_MISSING = re.compile(r"missing required field `(\w+)`")
_AT = re.compile(r"at `\$\.(\w+)")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: Widget = "text"
    options: tuple[str, ...] = ()
    hint: str = ""
    required: bool = True
    extra: bool = False  # not part of the body: a path parameter of the command (e.g. kpi_id)
    step: str = "any"


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    stages: tuple[str, ...]
    body: type[msgspec.Struct]
    fields: tuple[Field, ...]
    send: Send
    roles: tuple[Role, ...]
    intro: str = ""
    button: str = "Record"


@dataclass
class Parsed:
    """The form's values as typed (strings kept for re-display), errors by field name."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    body: msgspec.Struct | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def humane(message: str, item: Field) -> str:
    """msgspec's message, said the way a form says it."""
    if found := _LIMIT.search(message):
        kind, op, limit = found.groups()
        bound = limit.removesuffix(".0")
        if kind == "str":
            return f"Use {'at most' if op.startswith('<') else 'at least'} {bound} characters"
        if kind in ("array", "tuple", "list"):
            return f"Give {'at most' if op.startswith('<') else 'at least'} {bound} entries"
        return f"Enter a number {'at most' if op.startswith('<') else 'at least'} {bound}"
    if "enum" in message:
        return f"Choose one of: {', '.join(item.options)}"
    if "RFC3339" in message:
        return "Enter a valid date"
    if DATE_MESSAGE in message:
        return f"Enter a date from {FIRST_YEAR} to {LAST_YEAR}"
    if "regex" in message and "\\x00" in message:
        return "Remove the NUL characters (\\0): the text cannot be stored with them"
    if "got `str`" in message:
        return "Enter a whole number" if "int" in message else "Enter a number"
    return message


def _split(raw: str, by_line: bool) -> list[str]:
    parts = raw.splitlines() if by_line else re.split(r"[,\n]", raw)
    return [p.strip() for p in parts if p.strip()]


def _metrics(raw: str) -> list[dict[str, str]]:
    """Lines of `name: threshold` (the last number on the line is the threshold)."""
    rows = []
    for line in _split(raw, by_line=True):
        name, _, threshold = line.rpartition(":") if ":" in line else line.rpartition(" ")
        rows.append({"name": name.strip() or line, "threshold": threshold.strip()})
    return rows


def _checklist(raw: str) -> list[dict[str, object]]:
    """Lines of items; `[x]` in front marks one done (`[ ]` or nothing: not yet)."""
    rows: list[dict[str, object]] = []
    for line in _split(raw, by_line=True):
        done = line.lower().startswith("[x]")
        text = line[3:] if done or line.startswith("[ ]") else line
        rows.append({"item": text.strip(), "done": done})
    return rows


def _raw_value(item: Field, raw: str) -> Any:
    if item.widget == "list":
        return _split(raw, by_line=False)
    if item.widget == "lines":
        return _split(raw, by_line=True)
    if item.widget == "metrics":
        return _metrics(raw)
    if item.widget == "checklist":
        return _checklist(raw)
    return raw


def parse(spec: FormSpec, form: Mapping[str, str]) -> Parsed:
    """Validate each field on its own (so every error shows), then build the body."""
    types = {f.name: f.type for f in msgspec.structs.fields(spec.body)}
    parsed = Parsed()
    values: dict[str, Any] = {}
    for item in spec.fields:
        raw = str(form.get(item.name, "")).strip()
        parsed.values[item.name] = raw
        if not raw:
            if item.required:
                parsed.errors[item.name] = f"Enter the {item.label.lower()}"
            continue
        value = _raw_value(item, raw)
        target = parsed.extra if item.extra else values
        try:
            target[item.name] = msgspec.convert(value, types.get(item.name, str), strict=False)
        except msgspec.ValidationError as exc:
            parsed.errors[item.name] = humane(str(exc), item)
    if parsed.errors:
        return parsed
    try:
        parsed.body = msgspec.convert(values, spec.body, strict=False)
    except msgspec.ValidationError as exc:
        name = _where(str(exc)) or spec.fields[0].name
        parsed.errors[name] = humane(str(exc), _field(spec, name))
    return parsed


def _where(message: str) -> str | None:
    found = _MISSING.search(message) or _AT.search(message)
    return found.group(1) if found else None


def _field(spec: FormSpec, name: str) -> Field:
    return next((f for f in spec.fields if f.name == name), Field(name=name, label=name))
