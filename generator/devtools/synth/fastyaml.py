"""Writing a dossier as YAML, about ten times faster than yaml.safe_dump (see below)."""

from __future__ import annotations

import functools
import re

import yaml

# ---------------------------------------------------------------------------------------------
# Writing YAML
#
# ``yaml.safe_dump`` spends most of its time turning Python objects into nodes; a dossier is
# only mappings, lists, text, numbers and booleans, so a few lines write the same text about
# ten times faster. The tests check that :func:`dump` gives exactly what :func:`dump_reference`
# (``yaml.dump`` with the safe dumper) gives. One deliberate difference from plain
# ``safe_dump``: text made of digits and ``-:.+`` (dates, times like '07:20', phone numbers) is
# always single-quoted, so that no YAML reader can take it for a number or a date.


class _ReferenceDumper(yaml.SafeDumper):
    pass


_DIGITLIKE = re.compile(r"[0-9][0-9:.+-]*")
_STR_TAG = "tag:yaml.org,2002:str"


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "'" if _DIGITLIKE.fullmatch(text) else None
    return dumper.represent_scalar(_STR_TAG, text, style=style)


_ReferenceDumper.add_representer(str, _represent_str)


def dump_reference(data: dict) -> str:
    """The dossier as ``yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)``
    writes it (with digit-like text quoted): slow, the yardstick for :func:`dump`."""
    return yaml.dump(data, Dumper=_ReferenceDumper, allow_unicode=True, sort_keys=False, width=1000)


# Text that safe_dump writes plain: a letter (ASCII or CJK) first, then letters, digits and
# punctuation that is no YAML indicator, no spaces, no line breaks. Anything else goes through
# the reference dumper (cached: such text comes from the templates).
_CJK = "\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_PLAIN = re.compile(f"[A-Za-z{_CJK}][A-Za-z0-9_./()+=~;{_CJK}-]*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_KEYS: set[str] = set()  # keys seen to be plain
_RESOLVER = yaml.resolver.Resolver()


class _Unusual(Exception):
    """Data the fast writer does not handle: a list in a list, a non-text key …"""


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    out = dump_reference([text])
    if not out.startswith("- ") or out.count("\n") != 1:
        raise _Unusual(text)
    return out[2:-1]


def _scalar(value) -> str:
    kind = type(value)
    if kind is str:
        if _DIGITLIKE.fullmatch(value):
            return f"'{value}'"
        if _PLAIN.fullmatch(value) and (
            value[0] > "\x7f"
            or _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
        ):
            return value
        return _quoted(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float and re.fullmatch(r"-?[0-9]+\.[0-9]+", repr(value)):
        return repr(value)
    if value == [] or value == {}:
        return "[]" if value == [] else "{}"
    raise _Unusual(value)


def _mapping(data: dict, indent: int, out: list[str], first: str | None = None) -> None:
    pad = " " * indent
    for key, value in data.items():
        if key not in _KEYS:
            if type(key) is not str or not _KEY.fullmatch(key):
                raise _Unusual(key)
            _KEYS.add(key)
        head = f"{pad if first is None else first}{key}:"
        first = None
        if value and type(value) is dict:
            out.append(head + "\n")
            _mapping(value, indent + 2, out)
        elif value and type(value) is list:
            out.append(head + "\n")
            _sequence(value, indent, out)  # block sequences in a mapping are not indented
        else:
            out.append(f"{head} {_scalar(value)}\n")


def _sequence(items: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for value in items:
        if value and type(value) is dict:
            _mapping(value, indent + 2, out, first=pad + "- ")
        elif value and type(value) is list:
            raise _Unusual(value)
        else:
            out.append(f"{pad}- {_scalar(value)}\n")


def dump(data: dict) -> str:
    """YAML text as the project writes it: Chinese as is, keys in order, no wrapping."""
    if not data:
        return dump_reference(data)
    out: list[str] = []
    try:
        _mapping(data, 0, out)
    except _Unusual:
        return dump_reference(data)
    return "".join(out)


