"""Decoding with the declared schema: msgspec's ValidationError as one line in TOML terms.

``Expected `int` >= 1 - at `$.profiles[...].users``` becomes ``profiles.heavy.users: expected a whole number
of users from 1 to 100000, got -5``: the path is walked through the data and the Struct types together (a
table's entry msgspec shows as ``[...]`` is found by decoding each entry), the expectation is written from the
type's declared ``Meta`` constraints, and an unknown key gets the nearest declared key as a hint.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar

import msgspec
import msgspec.inspect as mi

from perfconsole.config.schema import decode_hook
from perfconsole.errors import ConfigError

_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
T = TypeVar("T")


def convert(value: Any, kind: type[T], file: str, path: str = "") -> T:
    """``value`` decoded as ``kind``; ConfigError ``FILE: PATH: problem`` naming the key at fault."""
    try:
        return msgspec.convert(value, kind, strict=False, dec_hook=decode_hook)
    except msgspec.ValidationError as error:
        where, problem = _explain(str(error), value, kind, path)
        raise ConfigError(f"{file}: {where}: {problem}" if where else f"{file}: {problem}") from None


def _explain(message: str, data: Any, kind: Any, path: str) -> tuple[str, str]:
    text, _, at = message.rpartition(" - at `")
    if not text:
        text, at = message, "$`"
    kind, data, path = _walk(kind, data, at.rstrip("`").removeprefix("$"), path)
    if unknown := re.fullmatch(r"Object contains unknown field `(.+)`", text):
        key = unknown.group(1)
        allowed = [f.encode_name for f in msgspec.structs.fields(_unwrap(kind))]
        hint = difflib.get_close_matches(key, allowed, n=1)
        suggestion = f"did you mean {hint[0]!r}?" if hint else f"expected one of: {', '.join(allowed)}"
        return join_key(path, key), f"unknown key ({suggestion})"
    if missing := re.fullmatch(r"Object missing required field `(.+)`", text):
        return path, f"missing key {missing.group(1)!r}"
    if text.startswith(("Expected `", "Invalid enum value")):
        return path, f"expected {expectation(kind)}, got {describe(data)}"
    return path, text


def _walk(kind: Any, data: Any, at: str, path: str) -> tuple[Any, Any, str]:
    """The type, the value and the TOML path at msgspec's path ``at`` (``.run.workers``, ``[...]``)."""
    for match in _SEGMENT.finditer(at):
        name, index = match.groups()
        kind = _unwrap(kind)
        if name is not None:
            field = next(f for f in msgspec.structs.fields(kind) if f.encode_name == name)
            kind, data, path = field.type, _get(data, name), join_key(path, name)
        elif index == "...":
            value_kind = typing.get_args(kind)[1]
            key = _failing_key(data, value_kind)
            kind, data, path = value_kind, _get(data, key), join_key(path, key)
        else:
            kind, data = typing.get_args(kind)[0], data[int(index)]
            path = f"{path}[{index}]"
    return kind, data, path


def _failing_key(table: Any, kind: Any) -> str:
    for key, value in table.items():
        try:
            msgspec.convert(value, kind, strict=False, dec_hook=decode_hook)
        except msgspec.ValidationError:
            return str(key)
    return "?"


def _unwrap(kind: Any) -> Any:
    """The container or Struct type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        if typing.get_origin(kind) is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif typing.get_origin(kind) in (typing.Union, types.UnionType):
            members = [m for m in typing.get_args(kind) if m is not type(None)]
            kind = members[0]
        else:
            return kind


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, dict) else None


def expectation(kind: Any) -> str:
    """What a value of ``kind`` must be, from its declared constraints: ``a number above 0``."""
    return _expected(mi.type_info(kind))


def _expected(info: mi.Type, extra: dict[str, str] | None = None) -> str:
    extra = extra or {}
    what, unit = extra.get("what"), extra.get("unit", "")
    if isinstance(info, mi.Metadata):
        return _expected(info.type, info.extra)
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType | mi.BoolType)]
        return " or ".join(_expected(t) for t in members) if members else "true or false"
    if isinstance(info, mi.IntType | mi.FloatType):
        default = "a whole number" if isinstance(info, mi.IntType) else "a number"
        text = f"{what or default}{_range(info)}"
        return f"{text} {unit}" if unit else text
    if isinstance(info, mi.StructType | mi.DictType):
        return what or "a table"
    if isinstance(info, mi.ListType):
        return what or "a list"
    if isinstance(info, mi.LiteralType):
        return " or ".join(f'"{value}"' for value in info.values)
    if isinstance(info, mi.StrType):
        return "a string"
    if isinstance(info, mi.BoolType):
        return "true or false"
    return what or "a valid value"


def _range(info: mi.IntType | mi.FloatType) -> str:
    low, high = _number(info.ge), _number(info.le)
    if low and high:
        return f" from {low} to {high}"
    if info.gt is not None:
        return f" above {_number(info.gt)}" + (f" and at most {high}" if high else "")
    if low:
        return f" of {low} or more"
    return f" at most {high}" if high else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}" if value % 1 else str(int(value))


def join_key(path: str, key: str) -> str:
    """``path.key``; a key that is not a bare TOML key is quoted (``endpoints."/api/*"``)."""
    part = key if _BARE_KEY.fullmatch(key) else f'"{key}"'
    return f"{path}.{part}" if path else part


def describe(value: object) -> str:
    """A short rendering of a TOML value for error messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
