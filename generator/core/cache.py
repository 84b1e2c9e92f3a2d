"""A cache of each school's evaluation summary (status and share of each district rate), so
``xiaoan check <one file> --format json|markdown`` can report district rates over a large
tree without reading every other dossier again.

An entry is reused while its file's size and modification time are unchanged, the cache's
key still holds (the same rule sets, by content, and the same code) and the day of evaluation
falls in the days its summary holds on (``valid_from`` to ``next_change``), so the summaries
of one day serve the next ones too. A file's validity depends on today only through dates
that may not lie after it: a file valid on one day is valid on later ones, an invalid one is
checked again on another day. Anything else — a changed, new or removed file — is evaluated
anew (or dropped) and the cache is rewritten. The cache lives outside the repository
(``$XIAOAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/xiaoan``, else ``~/.cache/xiaoan``); a cache
that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from pathlib import Path

from generator import ROOT, __version__
from generator.core.dates import iso
from generator.core.evaluate import SchoolResult, evaluate
from generator.core.files import atomic_write
from generator.core.load import LoadError, discover, load
from generator.core.ruleset import BASELINE, RuleSetError, load_rule_set
from generator.core.validate import DISTRICT_FILE, Records, check_document

FORMAT = 2


@cache
def code_digest() -> str:
    """Changes whenever the code or data that decide a result change."""
    h = hashlib.sha256(f"{FORMAT} {__version__}".encode())
    parts = [  # the whole pipeline: its code, rule sets and schemas
        *sorted((ROOT / "core").rglob("*.py")),
        *sorted((ROOT / "core" / "rulesets").glob("*")),
        *sorted((ROOT / "_schema").glob("*.json")),
    ]
    for path in parts:
        if path.is_file():
            h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path:
    """``$XIAOAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/xiaoan``, else ``~/.cache/xiaoan``."""
    return Path(
        os.environ.get("XIAOAN_CACHE_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xiaoan"
    )


def cache_file(root: Path) -> Path:
    tag = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"check-{tag}.json"


def _key(rule_set: str | None, districts: dict) -> dict:
    names = {}
    for district_id, doc in sorted(districts.items()):
        try:
            names[district_id] = load_rule_set(doc.data["rule_set"]).digest
        except RuleSetError:
            names[district_id] = load_rule_set(BASELINE).digest
    return {
        "code": code_digest(),
        "rules": rule_set,
        "districts": names,
    }


def _read(path: Path, key: dict) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("entries", {}) if isinstance(data, dict) and data.get("key") == key else {}


def write_json(path: Path, data: dict) -> None:
    """Write a cache file through a temp file; one that cannot be written is simply not kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False))
    except OSError:
        pass


def _summary(result: SchoolResult) -> dict:
    return {
        "id": result.id,
        "district": result.district,
        "rule_set": result.rule_set,
        "status": result.status,
        "rate_parts": result.rate_parts,
        "valid_from": iso(result.valid_from),
        "next_change": iso(result.next_change),
    }


def _fresh(entry: dict | None, stat: list[int] | None, as_of: date, today: date) -> bool:
    """Does ``entry`` still answer for its file (``stat`` now) on ``as_of``, validated as of
    ``today``?"""
    if entry is None or entry.get("stat") != stat or not isinstance(entry.get("today"), str):
        return False
    s = entry["summary"]
    if s is None:  # invalid: perhaps valid on another day
        return entry["today"] == today.isoformat()
    day = as_of.isoformat()  # ISO dates compare as text
    return entry["today"] <= today.isoformat() and (
        (s["valid_from"] or "") <= day < (s["next_change"] or "~")
    )


def _result(entry: dict, file: str) -> SchoolResult:
    s = entry["summary"]
    return SchoolResult(
        id=s["id"],
        file=file,
        name="",
        district=s["district"],
        stage="",
        rule_set=s["rule_set"],
        status=s["status"],
        categories={},
        findings=[],
        counts={},
        rate_parts={k: tuple(v) for k, v in s["rate_parts"].items()},
        valid_from=date.fromisoformat(s["valid_from"]) if s["valid_from"] else None,
        next_change=date.fromisoformat(s["next_change"]) if s["next_change"] else None,
    )


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


def summaries(
    root: Path,
    skip: Iterable[Path],
    districts: dict,
    as_of: date,
    rule_set: str | None,
    today: date,
    display: Callable[[Path], str] = str,
    use_cache: bool = True,
) -> list[SchoolResult]:
    """The evaluation summaries of every valid school under ``root`` except ``skip``, for the
    district rates: from the cache where the file is unchanged, evaluated anew where not."""
    root = Path(root)
    key = _key(rule_set, districts)
    where = cache_file(root)
    old = _read(where, key) if use_cache else {}
    base = root.resolve()
    skipped = set()
    for p in skip:
        try:
            skipped.add(Path(p).resolve().relative_to(base).as_posix())
        except ValueError:
            pass
    shown = display(root)  # files are shown as the root is, plus their place in it
    entries: dict[str, dict] = {}
    out: list[SchoolResult] = []
    for path in discover([root]):
        if path.name == DISTRICT_FILE:
            continue
        rel = path.relative_to(root).as_posix()
        stat = _stat(path)
        entry = old.get(rel)
        fresh = _fresh(entry, stat, as_of, today)
        if rel in skipped:  # the caller evaluates it
            if fresh:
                entries[rel] = entry
            continue
        if not fresh:
            entry = _evaluate(path, f"{shown}/{rel}", stat, districts, as_of, rule_set, today)
        entries[rel] = entry
        if entry["summary"] is not None:
            out.append(_result(entry, f"{shown}/{rel}"))
    if use_cache and entries != old:
        write_json(where, {"key": key, "entries": entries})
    return out


def _evaluate(path: Path, file: str, stat, districts, as_of, rule_set, today) -> dict:
    entry = {"stat": stat, "today": today.isoformat(), "summary": None}
    try:
        doc = load(path, file)
    except LoadError:
        return entry
    if check_document(doc, "dossier", today):
        return entry
    records = Records(root=path.parent, districts=districts, schools=[doc])
    [result] = evaluate(records, as_of, rule_set, districts=False).schools
    return {**entry, "summary": _summary(result)}


def remember(
    root: Path,
    results: Iterable[SchoolResult],
    districts: dict,
    rule_set: str | None,
    today: date,
) -> None:
    """Store the summaries of a whole-tree run (validated as of ``today``), so the next
    one-file run finds them. The results' files are as the command shows them: relative to
    the current folder, or whole."""
    root = Path(root)
    key = _key(rule_set, districts)
    base = root.resolve()
    entries = {}
    for r in results:
        path = Path(r.file)
        try:
            rel = path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
        entries[rel] = {"stat": _stat(path), "today": today.isoformat(), "summary": _summary(r)}
    write_json(cache_file(root), {"key": key, "entries": entries})
