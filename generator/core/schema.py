"""The two JSON Schemas, compiled once: validators, Chinese titles and the public marks.

* :func:`fast_validator` — a ``fastjsonschema`` function, the fast path: most files are valid
  and need nothing more than a yes.
* :func:`full_validator` — ``jsonschema``'s 2020-12 validator, used only for a file that
  failed, to list every error.
* :func:`place` — where a path stands, in the schema's Chinese titles
  (``隐患清单 第3项 › 整改期限``).
* :func:`is_public` / :func:`public_view` — the ``x-public`` marks: what may reach the public
  site. A mark applies to everything inside the property that carries it, until a deeper
  mark says otherwise; what no mark covers is private.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from generator import ROOT, SCHEMA_DIR

KINDS = ("dossier", "district")
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def is_date(value: object) -> bool:
    """A real calendar date written ``YYYY-MM-DD`` (no 2024-13-01, no 2023-02-29)."""
    if not isinstance(value, str):
        return True  # formats only apply to text; the type check reports the rest
    if not _DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def schema_dir() -> Path:
    """The folder holding the schemas: the package's copy, else the repository's."""
    for folder in (SCHEMA_DIR, ROOT.parent / "schema"):
        if (folder / "dossier.schema.json").is_file():
            return folder
    raise FileNotFoundError(f"找不到档案格式文件 dossier.schema.json(已查找 {SCHEMA_DIR})")


@cache
def load_schema(kind: str = "dossier") -> dict:
    """The schema for ``kind`` (``dossier`` or ``district``), parsed once."""
    if kind not in KINDS:
        raise ValueError(f"unknown schema kind {kind!r}")
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Validators


@cache
def fast_validator(kind: str = "dossier") -> Callable[[Any], Any]:
    """A compiled validator that raises ``fastjsonschema.JsonSchemaException`` on bad data.

    fastjsonschema knows drafts up to 07; the schemas only use keywords that mean the same
    in 07 and 2020-12, so they are compiled as 07. Its messages are never shown (a file that
    fails is validated again by :func:`full_validator`), which allows two speed-ups that
    together make it five times faster on a valid dossier:

    * the ``$ref`` are inlined (the schemas have no recursion), and
    * the error names are left unformatted: an ``if`` that does not hold raises inside the
      generated code, and inside a list each raise formatted its name from ``locals()``.
    """
    schema = _inline(load_schema(kind), kind)
    schema["$schema"] = DRAFT_07
    del schema["$id"]  # the generated function is then called plain `validate`
    code = fastjsonschema.compile_to_code(schema, formats={"date": is_date}, use_default=False)
    namespace: dict[str, Any] = {}
    exec(code.replace(".format(**locals())", ""), namespace)  # noqa: S102 - our own schema
    return functools.partial(namespace["validate"], custom_formats={"date": is_date})


def _inline(node: Any, kind: str) -> Any:
    """A deep copy of ``node`` with every ``$ref`` replaced by what it names."""
    if isinstance(node, dict):
        return {k: _inline(v, kind) for k, v in resolve(node, kind).items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, kind) for v in node]
    return node


def _pattern(validator, pattern: str, instance: Any, schema: dict) -> Iterator:
    """``pattern`` as ECMA-262 reads it: ``$`` is the end of the text, not of a last line.

    Python's ``$`` also matches before a final newline; fastjsonschema already reads ``$`` as
    ``\\Z``, and so must the full validator, or the two paths would disagree on ``"x\\n"``.
    """
    if isinstance(instance, str) and not re.search(_ecma(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma(pattern: str) -> str:
    return re.sub(r"(?<!\\)\$", r"\\Z", pattern)


FORMATS = jsonschema.FormatChecker(formats=())
"""The one format the schemas use, ``date``, for jsonschema validators (the rule sets' too)."""
FORMATS.checks("date")(is_date)
_FullValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


@cache
def full_validator(kind: str = "dossier") -> jsonschema.protocols.Validator:
    """The 2020-12 validator that lists every error of a file (the slow path)."""
    return _FullValidator(load_schema(kind), format_checker=FORMATS)


# ---------------------------------------------------------------------------------------------
# Walking the schema along a path of data


def resolve(node: dict, kind: str = "dossier") -> dict:
    """``node`` with its ``$ref`` followed; the referring node's own words take precedence."""
    ref = node.get("$ref")
    if ref is None:
        return node
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    target: Any = load_schema(kind)
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    merged = dict(resolve(target, kind))
    merged.update((k, v) for k, v in node.items() if k != "$ref")
    return merged


def child(node: dict | None, key: str | int, kind: str = "dossier") -> dict | None:
    """The schema of ``key`` (a property name or a list index) inside ``node``, if any."""
    if node is None:
        return None
    if isinstance(key, int):
        items = node.get("items")
        return resolve(items, kind) if isinstance(items, dict) else None
    sub = node.get("properties", {}).get(key)
    return resolve(sub, kind) if sub is not None else None


def at(path: tuple | list, kind: str = "dossier") -> dict | None:
    """The (resolved) schema of the value at ``path``; ``None`` where the schema has none."""
    node: dict | None = resolve(load_schema(kind), kind)
    for key in path:
        node = child(node, key, kind)
    return node


def place(path: tuple | list, kind: str = "dossier") -> str:
    """Where ``path`` stands, in Chinese titles: ``隐患清单 第3项 › 整改期限``.

    List indices count from 1; a key the schema does not know is shown as written.
    The empty path is the whole file (the schema's own title).
    """
    node: dict | None = resolve(load_schema(kind), kind)
    if not path:
        return node["title"]
    parts: list[str] = []
    for key in path:
        node = child(node, key, kind)
        if isinstance(key, int):
            label = f"第{key + 1}项"
            if parts:
                parts[-1] += f" {label}"
            else:
                parts.append(label)
        else:
            parts.append(node.get("title", key) if node else f"“{key}”")
    return " › ".join(parts)


def title(node: dict | None, key: str) -> str:
    """The Chinese title of property ``key`` of ``node`` (the key itself if it has none)."""
    sub = (node or {}).get("properties", {}).get(key) or {}
    return sub.get("title") or key


# ---------------------------------------------------------------------------------------------
# Public and private


def is_public(path: tuple | list, kind: str = "dossier") -> bool:
    """May the value at ``path`` reach the public site?"""
    node: dict | None = resolve(load_schema(kind), kind)
    public = bool(node.get("x-public", False))
    for key in path:
        node = child(node, key, kind)
        if node is None:
            return False  # not in the schema: never public
        public = node.get("x-public", public)
    return public


_DROP = object()


class _Mask:
    """What of a value at one place in the schema is public, with the places below it found
    once and kept rather than following ``$ref`` anew for every value."""

    __slots__ = ("node", "public", "kind", "below")

    def __init__(self, node: dict, inherited: bool, kind: str):
        self.node = node
        self.public = bool(node.get("x-public", inherited))
        self.kind = kind
        self.below: dict[str | int, _Mask | None] = {}

    def child(self, key: str | int) -> _Mask | None:
        """The mask of property ``key`` (or of the items, for ``0``); ``None`` if unknown."""
        try:
            return self.below[key]
        except KeyError:
            sub = child(self.node, key, self.kind)
            mask = None if sub is None else _Mask(sub, self.public, self.kind)
            if isinstance(key, int) or sub is not None:  # unknown keys are not kept
                self.below[key] = mask
            return mask


@cache
def _root_mask(kind: str) -> _Mask:
    return _Mask(resolve(load_schema(kind), kind), False, kind)


def public_view(data: Any, kind: str = "dossier") -> Any:
    """A copy of ``data`` holding only what the ``x-public`` marks allow.

    A private mapping or list that holds public parts keeps just those parts; a public one
    keeps everything except its private parts (a public mapping emptied that way stays, as
    ``{}``). Keys the schema does not know are dropped.
    """
    view = _public(data, _root_mask(kind))
    if view is _DROP:
        return {} if isinstance(data, dict) else None
    return view


def _public(value: Any, mask: _Mask | None) -> Any:
    if mask is None:
        return _DROP
    public = mask.public
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            sub = _public(item, mask.child(key))
            if sub is not _DROP:
                kept[key] = sub
        return kept if kept or public else _DROP
    if isinstance(value, list):
        items = mask.child(0)
        kept_items = [v for v in (_public(x, items) for x in value) if v is not _DROP]
        return kept_items if kept_items or public else _DROP
    return value if public else _DROP
