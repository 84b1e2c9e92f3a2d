"""The sign-off ledger (审核确认记录): every change to a school's dossier that reached main.

A reviewer's approval and merge of a pull request is the official sign-off, so the ledger is
read from git history, not kept by hand. Convention (docs/workflow.md):

* the main branch's **first-parent** history is the sequence of sign-offs: each merge commit
  on it is one merged pull request; a commit on it that is not a merge was pushed directly
  (直接提交,未经审核) — unless its subject ends in ``(#12)``, the mark GitHub and Gitea leave
  on a squash merge;
* **title**: the pull request's title — the line after "Merge pull request #12 from …"
  (GitHub), the quoted title in "Merge pull request '…' (#12) from … into main" (Gitea), else
  the commit's subject;
* **author**: the authors of the branch's commits (those the merge brought in);
* **approver**: the names in ``Reviewed-by:`` / ``Approved-by:`` trailers of the merge
  message (Gitea writes ``Reviewed-by:`` for each approving review), else the merge commit's
  author — on GitHub and Gitea, the reviewer who pressed "merge";
* **date**: the day the change reached main (the commit's committer date).

What the public school page shows (:func:`signoff_rows`) is made from these facts only — the
date, author, approver, pull request number, the sections of the dossier the change touched
and the status it left — never the free text of commit messages or PR titles, which may
name a guard and his phone. ``Entry.title`` keeps that text for the reviewer.

Efficient for 20,000 schools: one ``git log --first-parent --raw`` pass builds the map
file → commits, one ``git log`` pass over the commit graph finds the branches' authors, one
``git cat-file --batch`` reads the old versions whose status is shown. The status after each
change is the dossier at that commit evaluated as of that day (with the district's current
rule set), for the newest :data:`STATUS_LIMIT` entries of each school; statuses are kept in
a cache file, so a nightly build evaluates only what was merged since the last one.

Outside a git repository (records from a tarball) the ledger is empty and :func:`note` says
why, in Chinese; it is never an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath

from generator.core import schema
from generator.core.cache import cache_dir, code_digest, write_json
from generator.core.evaluate import INVALID, evaluate_school
from generator.core.load import LoadError, load, parse
from generator.core.pipeline import check_document
from generator.core.rules import Context
from generator.core.ruleset import BASELINE, RuleSetError, load_rule_set
from generator.core.validate import DISTRICT_FILE
from generator.workflow import gitrepo
from generator.workflow.compare import is_dossier

STATUS_LIMIT = 20
"""Entries per school whose status after the change is evaluated (the newest)."""

KINDS = {
    "merge": "合并请求",
    "squash": "合并请求(压缩合并)",
    "direct": "直接提交(未经审核)",
}

_GITHUB = re.compile(r"^Merge pull request #(\d+) from \S+")
_GITEA = re.compile(r"^Merge pull request '(.*)' \(#(\d+)\) from .+ into \S+$")
_SQUASH = re.compile(r"^(.*\S)\s+\(#(\d+)\)$")
_TRAILER = re.compile(r"^(?:Reviewed-by|Approved-by)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_OTHER_TRAILER = re.compile(r"^[A-Za-z-]+-(?:by|on)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One change to a school's dossier on main."""

    date: str
    title: str
    author: str
    approver: str | None
    """``None`` for a direct commit: nobody approved it."""
    commit: str
    kind: str
    number: int | None = None
    """The pull request's number, when the commit message gives it."""
    status_after: str | None = None
    """The school's status as of ``date`` with the file as this commit left it."""
    file: str = ""
    blob: str = ""
    before: str = ""
    """The blob the change replaced; empty when it created the file."""
    sections: tuple[str, ...] | None = None
    """The dossier's sections (their Chinese titles) this change touched, when worked out."""

    @property
    def reviewed(self) -> bool:
        return self.kind != "direct"

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("blob")
        out.pop("before")
        out["label"] = self.label
        return out


# ---------------------------------------------------------------------------------------------
# Reading the history


@dataclass
class _Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str
    message: str
    files: list[tuple[str, str, str, str]]  # (status, path, blob before, blob after)


_MARK = "\x01\x02"


def _first_parent_changes(repo: Path, rev: str, pathspec: str) -> list[_Commit]:
    """Commits on the first-parent line of ``rev`` that touch ``pathspec``, newest first,
    each with its changes against its first parent."""
    out = gitrepo.git(
        repo, "log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z",
        "--no-renames", "--no-abbrev", f"--format={_MARK}%H%x00%P%x00%an%x00%ae%x00%cI%x00%B",
        rev, "--", pathspec,
    ).decode("utf-8", "replace")  # fmt: skip
    commits = []
    for chunk in out.split(_MARK)[1:]:
        sha, parents, author, email, when, rest = chunk.split("\0", 5)
        message, _, raw = rest.partition("\0")
        tokens = raw.lstrip("\0\n").split("\0")
        files = []
        for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
            if meta.startswith(":"):
                fields = meta[1:].split(" ")
                files.append((fields[4][0], path, fields[2], fields[3]))
        commits.append(
            _Commit(sha, tuple(parents.split()), author, email, when[:10], message.strip(), files)
        )
    return commits


def _branch_authors(repo: Path, rev: str) -> dict[str, list[str]]:
    """``{merge commit on the first-parent line: authors of the commits it brought in}``.

    Walks the first-parent line oldest first, keeping the set of commits already on main;
    the commits a merge brings in are those reachable from its other parents and not yet on
    main. Each commit is visited once.
    """
    out = gitrepo.git(repo, "log", "--format=%H%x00%P%x00%an", rev).decode("utf-8", "replace")
    graph: dict[str, tuple[tuple[str, ...], str]] = {}
    for line in out.splitlines():
        sha, parents, author = line.split("\0")
        graph[sha] = (tuple(parents.split()), author)
    mainline = []
    sha = gitrepo.resolve(repo, rev)
    while sha in graph:
        mainline.append(sha)
        parents = graph[sha][0]
        sha = parents[0] if parents else ""
    seen: set[str] = set()
    result: dict[str, list[str]] = {}
    for sha in reversed(mainline):
        parents = graph[sha][0]
        authors: list[str] = []
        stack = list(parents[1:])
        while stack:
            c = stack.pop()
            if c in seen or c not in graph:
                continue
            seen.add(c)
            authors.append(graph[c][1])
            stack.extend(graph[c][0])
        seen.add(sha)
        if len(parents) > 1:
            result[sha] = list(dict.fromkeys(reversed(authors)))  # oldest first, each once
    return result


def _describe(c: _Commit, branch_authors: dict[str, list[str]]) -> dict:
    """Title, kind, number, author and approver of one first-parent commit."""
    lines = c.message.splitlines()
    subject = lines[0] if lines else ""
    body = [line for line in lines[1:] if line.strip()]
    approvers = [_name(m.group(1)) for line in lines if (m := _TRAILER.match(line))]
    text = [line for line in body if not _OTHER_TRAILER.match(line) and not _TRAILER.match(line)]
    number = None
    if len(c.parents) > 1:
        kind = "merge"
        if m := _GITEA.match(subject):
            title, number = m.group(1), int(m.group(2))
        elif m := _GITHUB.match(subject):
            title, number = (text[0] if text else subject), int(m.group(1))
        else:
            title = text[0] if text and subject.startswith("Merge ") else subject
        authors = branch_authors.get(c.sha) or [c.author]
        approver = "、".join(dict.fromkeys(approvers)) or c.author
    elif m := _SQUASH.match(subject):
        kind, title, number = "squash", m.group(1), int(m.group(2))
        authors, approver = [c.author], "、".join(dict.fromkeys(approvers)) or None
    else:
        kind, title, authors, approver = "direct", subject, [c.author], None
    return {
        "title": title.strip() or "(无标题)",
        "kind": kind,
        "number": number,
        "author": "、".join(authors),
        "approver": approver,
    }


def _name(trailer: str) -> str:
    """``Wang Zhendong <wang@example.org>`` → ``Wang Zhendong``."""
    return re.sub(r"\s*<[^>]*>\s*$", "", trailer).strip() or trailer


def _history(repo: Path, pathspec: str) -> dict[str, list[Entry]]:
    """``{school id: entries, newest first}`` for the dossiers under ``pathspec``."""
    commits = _first_parent_changes(repo, "HEAD", pathspec)
    merges = any(len(c.parents) > 1 for c in commits)
    authors = _branch_authors(repo, "HEAD") if merges else {}
    entries: dict[str, list[Entry]] = {}
    for c in commits:
        described = None
        for status, path, before, blob in c.files:
            if not is_dossier(path):
                continue
            described = described or _describe(c, authors)
            entries.setdefault(PurePosixPath(path).stem, []).append(
                Entry(
                    date=c.date,
                    commit=c.sha,
                    file=path,
                    blob="" if status == "D" else blob,
                    before="" if status == "A" else before,
                    **described,
                )
            )
    return entries


# ---------------------------------------------------------------------------------------------
# Status over time


def _with_status(
    repo: Path, records: Path, entries: dict[str, list[Entry]], limit: int, use_cache: bool
) -> None:
    """Fill ``status_after`` of the newest ``limit`` entries of each school, in place.

    History does not change: a status, once evaluated, is kept in a cache file (by blob,
    day, rule set and code digest) and the next build only evaluates what was merged since.
    """
    rule_sets: dict[str, object] = {}

    def rule_set(district: str):
        if district not in rule_sets:
            rule_sets[district] = _rule_set(records / district / DISTRICT_FILE)
        return rule_sets[district]

    def key(e: Entry) -> str | None:
        rs = rule_set(PurePosixPath(e.file).parent.name)
        return None if rs is None else f"{e.blob}|{e.date}|{rs.digest}"

    todo = [(s, i) for s, items in entries.items() for i, e in enumerate(items[:limit]) if e.blob]
    path = cache_dir() / "ledger-status.json" if use_cache else None  # beside the check cache
    known, touched = _read_cache(path) if path else ({}, {})
    missing = [(s, i) for s, i in todo if key(entries[s][i]) not in known]
    changes = [e for items in entries.values() for e in items[:limit] if _change(e) not in touched]
    wanted = [entries[s][i].blob for s, i in missing]
    wanted += [b for e in changes for b in (e.before, e.blob) if b]
    blobs = gitrepo.read_blobs(repo, wanted)
    for e in changes:
        touched[_change(e)] = _sections(blobs.get(e.before), blobs.get(e.blob), e.file)
    for items in entries.values():
        for i, e in enumerate(items[:limit]):
            items[i] = replace(e, sections=touched[_change(e)])
    contexts: dict[tuple[str, str], Context] = {}
    for school, i in todo:
        e = entries[school][i]
        k = key(e)
        if k is None:
            continue
        if k not in known:
            district = PurePosixPath(e.file).parent.name
            if (district, e.date) not in contexts:
                contexts[district, e.date] = Context(date.fromisoformat(e.date), rule_set(district))
            known[k] = _status(blobs[e.blob], e.file, contexts[district, e.date])
        entries[school][i] = replace(e, status_after=known[k])
    if path and (missing or changes):
        used = {key(entries[s][i]) for s, i in todo}
        kept = {_change(e) for items in entries.values() for e in items[:limit]}
        write_json(
            path,
            {
                "code": code_digest(),
                "entries": {k: v for k, v in known.items() if k in used},
                "sections": {k: v for k, v in touched.items() if k in kept},
            },
        )


def _change(e: Entry) -> str:
    return f"{e.before}|{e.blob}"


def _read_cache(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, ...] | None]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not (isinstance(data, dict) and data.get("code") == code_digest()):
        return {}, {}
    entries, sections = data.get("entries"), data.get("sections")
    return (
        entries if isinstance(entries, dict) else {},
        {k: tuple(v) if isinstance(v, list) else None for k, v in sections.items()}
        if isinstance(sections, dict)
        else {},
    )


def _sections(before: bytes | None, after: bytes | None, file: str) -> tuple[str, ...] | None:
    """The titles of the top-level sections that differ between two versions of a dossier
    (all of the file's sections when it was created or deleted); ``None`` when either
    version cannot be read."""
    versions = []
    for blob in (before, after):
        if blob is None:
            versions.append({})
            continue
        try:
            data = parse(blob.decode("utf-8-sig"), file).data
        except (LoadError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict):
            return None
        versions.append(data)
    old, new = versions
    keys = [k for k in dict.fromkeys([*new, *old]) if old.get(k) != new.get(k)]
    root = schema.resolve(schema.load_schema("dossier"), "dossier")
    return tuple(schema.title(root, k) for k in keys if k != "schema_version")


def _rule_set(district_file: Path):
    name = BASELINE
    try:
        doc = load(district_file)
        if not check_document(doc, "district"):
            name = doc.data["rule_set"]
    except LoadError:
        pass
    try:
        return load_rule_set(name)
    except RuleSetError:
        return None


def _status(blob: bytes, file: str, ctx: Context) -> str:
    try:
        doc = parse(blob.decode("utf-8-sig"), file)
    except (LoadError, UnicodeDecodeError):
        return INVALID
    if check_document(doc):
        return INVALID
    return evaluate_school(doc, ctx).status


# ---------------------------------------------------------------------------------------------
# The public functions


def note(repo_dir: Path) -> str | None:
    """Why the ledger is empty or incomplete, in Chinese; ``None`` when it is complete."""
    top = gitrepo.toplevel(Path(repo_dir))
    if top is None:
        return "本档案库不在 git 仓库中(例如从压缩包解出),无法列出审核确认记录。"
    try:
        if gitrepo.is_shallow(top):
            return "构建时只取得了部分 git 历史(浅克隆),审核确认记录可能不完整。"
        gitrepo.resolve(top, "HEAD")
    except gitrepo.GitError:
        return "git 仓库中还没有提交,没有审核确认记录。"
    return None


def _open(repo_dir: Path) -> Path | None:
    top = gitrepo.toplevel(Path(repo_dir))
    if top is None:
        return None
    try:
        gitrepo.resolve(top, "HEAD")
    except gitrepo.GitError:
        return None
    return top


def ledger_for_all(
    repo_dir: Path, records_dir: Path, *, status: bool = True, limit: int = STATUS_LIMIT,
    cache: bool = True,
) -> dict[str, list[Entry]]:  # fmt: skip
    """``{school id: entries, newest first}`` for every dossier under ``records_dir`` that
    git history knows; empty outside git (see :func:`note`). ``cache``: keep the statuses
    evaluated in a cache file for the next build."""
    top = _open(repo_dir)
    if top is None:
        return {}
    records_dir = Path(records_dir)
    entries = _history(top, gitrepo.relative(top, records_dir))
    if status:
        _with_status(top, records_dir, entries, limit, cache)
    return entries


def ledger(
    repo_dir: Path, path: Path, *, records_dir: Path | None = None, status: bool = True,
    limit: int = STATUS_LIMIT, cache: bool = True,
) -> list[Entry]:  # fmt: skip
    """The entries of one dossier file, newest first; empty outside git."""
    top = _open(repo_dir)
    if top is None:
        return []
    path = Path(path)
    entries = _history(top, gitrepo.relative(top, path))
    if status:
        _with_status(
            top, Path(records_dir) if records_dir else path.parent.parent, entries, limit, cache
        )
    return entries.get(path.stem, [])


def public_summary(e: Entry, status_before: str | None = None) -> str:
    """What the public may read about a change: the sections it touched, the status it
    changed, the pull request's number — made from facts, never from a commit message."""
    if not e.blob:
        what = "删除档案"
    elif not e.before:
        what = "新建档案"
    elif e.sections is None:
        what = "修改档案"
    else:
        what = "修改了" + "、".join(e.sections) if e.sections else "调整格式(内容未变)"
    if status_before and e.status_after and status_before != e.status_after:
        what += f";状态 {status_before} → {e.status_after}"
    return what + (f"(#{e.number})" if e.number else "")


def signoff_rows(entries: Iterable[Entry], limit: int = 100) -> list[dict]:
    """Rows for the school page's 审核确认记录 table (newest first), as the page shows them.

    ``title`` is :func:`public_summary`, not the commit's text."""
    rows = []
    entries = list(entries)
    for i, e in enumerate(entries[:limit]):
        older = entries[i + 1].status_after if i + 1 < len(entries) else None
        rows.append(
            {
                "date": e.date,
                "title": public_summary(e, older),
                "kind": e.label,
                "reviewed": e.reviewed,
                "author": e.author,
                "approver": e.approver or "—",
                "status": e.status_after or "—",
                "commit": e.commit[:10],
            }
        )
    return rows
