"""One way to read, check and share a configuration, for every room.

A room's configuration is a dataclass that also derives from ``Settings``:

- ``from_dict(data)``: reads a dict (a saved run, a checkpoint's metadata, a worker's params, the
  CLI's JSON): values are converted to the field's type (``"3"`` -> 3 for an int field, 3 -> 3.0
  for a float field, ``"1"``/``"0"`` for a bool), then ``validate()`` checks them.
- **Unknown keys are refused** (the error names them): a typo never silently becomes a default.
- ``to_dict()``: plain JSON-able values (tuples become lists).
- ``to_query()`` / ``from_query(query)``: one URL scheme, ``<PREFIX><field>`` for the fields that
  differ from the defaults (``gan_d_lr=0.05``, ``e_word=rei``). A URL also holds other rooms'
  keys: ``from_query`` reads only its own prefix (and the ``ALIASES`` prefixes of older links).
- ``validate()``: each room's own checks, raising ``UserError`` with the room's keys.

Errors are ``UserError`` with the class's ``ERRORS`` keys (each room keeps its translated
messages); every key gets the parameters ``field``, ``value``, and ``detail`` and ``name`` (both
the field's name).
"""

import dataclasses
import functools
import types
import typing

from genlab.errors import UserError


def errors(unreadable: str, unknown: str | None = None, value: str | None = None):
    """A room's error keys: settings that are not a dict, keys that are not fields, a value that
    cannot become its field's type (the last two default to the first)."""
    return types.MappingProxyType(
        {"unreadable": unreadable, "unknown": unknown or unreadable, "value": value or unreadable}
    )


ERRORS = errors(
    "common.err_settings_unreadable", "common.err_unknown_setting", "common.err_setting_value"
)


class Settings:
    """The base of every configuration dataclass (see the module's docstring)."""

    PREFIX: typing.ClassVar[str] = ""
    ALIASES: typing.ClassVar[tuple[str, ...]] = ()
    ERRORS: typing.ClassVar[types.MappingProxyType] = ERRORS

    def validate(self):
        return self

    def to_dict(self) -> dict:
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(typing.cast(typing.Any, self))
        }

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise cls._error("unreadable", "config", type(data).__name__)
        types = _types(cls)
        unknown = sorted(set(map(str, data)) - set(types))
        if unknown:
            raise cls._error("unknown", ", ".join(unknown), "")
        values = {name: cls._coerce(name, types[name], value) for name, value in data.items()}
        return cls(**values).validate()

    def to_query(self) -> dict[str, str]:
        """The fields that differ from the defaults, as ``<PREFIX><field>`` strings."""
        default = type(self)()
        return {
            self.PREFIX + name: _text(value)
            for name, value in self.to_dict().items()
            if value != getattr(default, name) and value != _plain(getattr(default, name))
        }

    @classmethod
    def query_values(cls, query) -> dict:
        """This room's raw values in a URL's parameters (other rooms' keys are left alone)."""
        values = {}
        for prefix in (*cls.ALIASES, cls.PREFIX):  # the current prefix wins over older ones
            for name in _types(cls):
                if prefix + name in query:
                    values[name] = query[prefix + name]
        return values

    @classmethod
    def query_keys(cls, query) -> list[str]:
        """The parameters of a URL that belong to this room (to drop them before writing)."""
        return [
            f"{p}{n}" for p in (cls.PREFIX, *cls.ALIASES) for n in _types(cls) if p + n in query
        ]

    @classmethod
    def from_query(cls, query):
        return cls.from_dict(cls.query_values(query))

    @classmethod
    def _coerce(cls, name: str, kind, value):
        try:
            return _convert(kind, value)
        except (TypeError, ValueError, OverflowError) as err:
            raise cls._error("value", name, value) from err

    @classmethod
    def _error(cls, kind: str, field: str, value) -> UserError:
        return UserError(cls.ERRORS[kind], field=field, value=value, detail=field, name=field)


@functools.cache
def _types(cls) -> dict:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _convert(kind, value):
    """``value`` as a ``kind`` (int, float, bool, str or tuple[int, ...]); ValueError if it is not
    one (booleans are not numbers, 2.5 is not an int)."""
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(value)
        return tuple(_convert(item, v) for v in value)
    if kind is bool:
        return _boolean(value)
    if isinstance(value, bool) and kind in (int, float):
        raise ValueError(value)
    if kind is int:
        number = int(value) if isinstance(value, str) else value
        if not isinstance(number, (int, float)) or int(number) != number:
            raise ValueError(value)
        return int(number)
    if kind is float:
        return float(value)
    if kind is str and not isinstance(value, str):
        raise ValueError(value)
    return value


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    known = {"1": True, "0": False, "true": True, "false": False, 1: True, 0: False}
    key = value.lower() if isinstance(value, str) else value
    if key not in known:
        raise ValueError(value)
    return known[key]


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)
