"""Valid values made from a msgspec type, and one copy per text field with a NUL in it, so
the NUL sweeps cover every text field of every body and command, new ones included.

`nul_variants(T)` gives a valid value of T (as JSON-ready builtins) and, for each string
anywhere inside it (optional fields, list items and every member of a union included),
the path of that string (`title`, `team[0]`, `conditions[0].text`) and a copy of the value
with a NUL in that string.
"""

from __future__ import annotations

from typing import Any

from msgspec import inspect as mi

Variants = list[tuple[str, Any]]
NUL = "\x00"


def _bounded(t: mi.IntType | mi.FloatType) -> float:
    low = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else 1)
    return min(low, t.le) if t.le is not None else low


def _text(t: mi.StrType) -> tuple[str, Variants]:
    length = max(t.min_length or 1, 1)
    return "x" * length, [("", "x" * (length - 1) + NUL)]


def _array(item: mi.Type, min_length: int | None) -> tuple[list[Any], Variants]:
    valid, inner = _walk(item)
    rest = [valid] * (max(min_length or 1, 1) - 1)
    return [valid, *rest], [(f"[0]{path}", [value, *rest]) for path, value in inner]


def _struct(t: mi.StructType) -> tuple[dict[str, Any], Variants]:
    valid: dict[str, Any] = {}
    found: Variants = []
    for field in t.fields:
        valid[field.encode_name], inner = _walk(field.type)
        found += [(f".{field.encode_name}{p}", (field.encode_name, v)) for p, v in inner]
    return valid, [(path, valid | dict([pair])) for path, pair in found]


def _union(t: mi.UnionType) -> tuple[Any, Variants]:
    members = [m for m in t.types if not isinstance(m, mi.NoneType)]
    walked = [_walk(m) for m in members]
    return walked[0][0], [variant for _, variants in walked for variant in variants]


def _walk(t: mi.Type) -> tuple[Any, Variants]:
    if isinstance(t, mi.Metadata):
        return _walk(t.type)
    if isinstance(t, mi.StrType):
        return _text(t)
    if isinstance(t, (mi.IntType, mi.FloatType)):
        return _bounded(t), []
    if isinstance(t, mi.LiteralType):
        return t.values[0], []
    if isinstance(t, mi.DateType):
        return "2026-01-02", []
    if isinstance(t, mi.DateTimeType):
        return "2026-01-02T03:04:05Z", []
    if isinstance(t, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)):
        return _array(t.item_type, t.min_length)
    if isinstance(t, mi.StructType):
        return _struct(t)
    if isinstance(t, mi.UnionType):
        return _union(t)
    if isinstance(t, mi.BoolType):
        return True, []
    return None, []  # None, Any, dicts: no text field of their own to sweep


def nul_variants(type_: Any) -> tuple[Any, Variants]:
    """A valid value of `type_` and, per text field, its path and the value with a NUL."""
    valid, found = _walk(mi.type_info(type_))
    return valid, [(path.lstrip("."), value) for path, value in found]
