"""What validation and evaluation made of each dossier, kept between runs, so that a run over
a large tree (the site build) checks and evaluates again only the files that changed.

Two tables, in one SQLite file per tree in the cache folder (:func:`cache.cache_dir`):

- ``documents``: a valid dossier's data (packed as the worker processes send it), by the
  digest of its bytes and its place in the tree. It is reused on any later day: a dossier's
  validity depends on the day only through dates that may not lie after it, so one valid on
  a day is valid on every later one; an invalid file is never kept.
- ``results``: a school's evaluation (:class:`SchoolResult`, findings and all), by the digest
  of its bytes, the digest of the rule set it was evaluated under and the name the file is
  shown by. It is reused on the days it holds on (``valid_from`` to ``next_change``).

A different version of the code (:func:`cache.code_digest`: the pipeline's code, rule sets
and schemas) empties the store. A run over the whole tree drops the entries of files it no
longer has. The store holds the dossiers' private fields, so its file is readable by its
owner only, and it lives outside the repository and the site. A store that cannot be opened,
read or written is simply not used: every file is then checked as if new.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from generator.core.cache import cache_dir, code_digest
from generator.core.dates import iso

FORMAT = 1
_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, today TEXT, school TEXT, packed BLOB)",  # noqa: E501
    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, valid_from TEXT, next_change TEXT, result BLOB)",  # noqa: E501
)


def store_file(root: Path) -> Path:
    tag = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"store-{tag}.sqlite"


class Store:
    """One tree's store; :meth:`open` it, or get None where it cannot be used."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.used_documents: set[str] = set()
        self.used_results: set[str] = set()

    @classmethod
    def open(cls, root: Path) -> Store | None:
        path = store_file(root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # private data: owner only
            os.close(fd)
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            for table in _TABLES:
                db.execute(table)
            version = f"{FORMAT} {code_digest()}"
            row = db.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
            if row is None or row[0] != version:
                with _transaction(db):
                    db.execute("DELETE FROM documents")
                    db.execute("DELETE FROM results")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (version,))
        except (OSError, sqlite3.Error):
            return None
        return cls(db)

    def documents(self, keys: Iterable[str], today: date) -> dict[str, tuple[str, bytes]]:
        """The kept (school id, packed data) of the valid documents among ``keys``, valid as
        of ``today``."""
        found = self._select("documents", keys, "key, today, school, packed")
        out = {k: (school, packed) for k, day, school, packed in found if day <= today.isoformat()}
        self.used_documents.update(out)
        return out

    def keep_documents(self, rows: Iterable[tuple[str, date, str, bytes]]) -> None:
        """Keep (key, today, school id, packed data) of documents found valid."""
        rows = [(k, day.isoformat(), school, packed) for k, day, school, packed in rows]
        self.used_documents.update(r[0] for r in rows)
        self._write("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", rows)

    def results(self, keys: Iterable[str], as_of: date) -> dict[str, Any]:
        """The kept evaluations among ``keys`` that hold on ``as_of``."""
        day = as_of.isoformat()  # ISO dates compare as text
        out = {}
        for key, since, until, blob in self._select(
            "results", keys, "key, valid_from, next_change, result"
        ):  # noqa: E501
            if (since or "") <= day < (until or "~"):
                try:
                    out[key] = pickle.loads(blob)
                except Exception:  # noqa: BLE001 - damaged: evaluated again
                    continue
        self.used_results.update(out)
        return out

    def keep_results(self, rows: Iterable[tuple[str, Any]]) -> None:
        """Keep (key, SchoolResult) of evaluations made."""
        rows = [
            (k, iso(r.valid_from), iso(r.next_change), pickle.dumps(r, pickle.HIGHEST_PROTOCOL))
            for k, r in rows
        ]
        self.used_results.update(r[0] for r in rows)
        self._write("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)

    def forget_all(self) -> None:
        """Drop every entry: this run checks every file anew (a full build)."""
        try:
            with _transaction(self.db):
                self.db.execute("DELETE FROM documents")
                self.db.execute("DELETE FROM results")
        except sqlite3.Error:
            pass

    def forget_unused(self) -> None:
        """Drop every entry this run did not use (after a run over the whole tree)."""
        try:
            with _transaction(self.db):
                for table, used in (("documents", self.used_documents), ("results", self.used_results)):  # fmt: skip
                    self._keys(used)
                    self.db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keys)")  # noqa: S608
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self.db.close()

    def _select(self, table: str, keys: Iterable[str], columns: str) -> list[tuple]:
        try:
            with _transaction(self.db):
                self._keys(keys)
            return self.db.execute(
                f"SELECT {columns} FROM {table} WHERE key IN (SELECT key FROM keys)"  # noqa: S608
            ).fetchall()
        except sqlite3.Error:
            return []

    def _keys(self, keys: Iterable[str]) -> None:
        """Fill the temporary table ``keys`` with ``keys`` (inside a transaction): one query
        then joins them, where thousands of ``?`` would not fit in one statement."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM keys")
        self.db.executemany("INSERT OR IGNORE INTO keys VALUES (?)", ((k,) for k in keys))

    def _write(self, sql: str, rows: list[tuple]) -> None:
        if not rows:
            return
        try:
            with _transaction(self.db):
                self.db.executemany(sql, rows)
        except sqlite3.Error:
            pass


class _transaction:
    """BEGIN … COMMIT, or ROLLBACK on an error (the connection is in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *_) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
