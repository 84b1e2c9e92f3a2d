"""Before and after a pull request: what a change to the records does to each school.

:func:`compare` reads the records at two git revisions — the point where the branch left
main (the merge base of BASE and HEAD, as a pull request's own diff does) and HEAD — and
checks only the files the branch changed. Each side is a small tree in a temp folder: the
changed dossiers, every ``_district.yaml`` (rule sets, reviewers) and empty placeholders for
the other files whose names a changed school's id could clash with, so the cross-record
checks (school ids unique across the tree) still see the whole tree at almost no cost.
Both sides are evaluated as of the same day, so a difference is the change's, not time's.

The result says, per changed school: status before → after, hazards opened, closed and
removed (by id), findings added and resolved (by rule or check code and path). Formatters for
the terminal, the reviewer's Markdown job summary, GitHub annotations and JSON are in
:data:`FORMATS`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from generator.core import pipeline
from generator.core.dates import parse_date
from generator.core.evaluate import INVALID
from generator.core.findings import Finding
from generator.core.rules import SchoolView
from generator.core.validate import DISTRICT_FILE
from generator.report.findings import REPORTERS
from generator.report.markdown import line_ref, md
from generator.workflow import gitrepo

ABSENT = "无"
"""The status of a school that does not exist on one side (added or deleted)."""
"""The status of a dossier that does not pass validation."""
UNEVALUATED = "未评估"
"""The status of a valid dossier whose district's rule set is unknown."""
DETAILS_LIMIT = 100
"""Schools shown in detail in the Markdown summary (the table lists them all)."""


def is_dossier(path: str) -> bool:
    p = PurePosixPath(path)
    return p.suffix in (".yaml", ".yml") and p.name != DISTRICT_FILE and not p.name.startswith(".")


def _key(f: Finding, data: dict | None = None) -> tuple[str, str]:
    """A finding's identity across the two sides: its code and :func:`stable_path`."""
    return (f.code, stable_path(f.path, data))


def stable_path(pointer: str, data: dict | None) -> str:
    """``pointer`` with each list index replaced by the item's id where it has one
    (``/hazards/2/deadline`` → ``/hazards/@H-2026-002/deadline``): inserting a hazard before
    another does not make the other's findings look new."""
    if data is None or not pointer:
        return pointer
    parts, node = [], data
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            item_id = node.get("id") if isinstance(node, dict) else None
            parts.append(f"@{item_id}" if isinstance(item_id, str) else part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
            parts.append(raw)
        else:
            node = None
            parts.append(raw)
    return "/" + "/".join(parts)


@dataclass
class SectionChange:
    """One section of a dossier, before and after: items (by id, or date and kind) or fields
    (by title) added, removed and changed. Labels and titles only, never values."""

    section: str
    title: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def text(self) -> str:
        parts = [
            f"{word} {'、'.join(items)}"
            for word, items in (("新增", self.added), ("删除", self.removed), ("修改", self.changed))
            if items
        ]
        return f"{self.title}:{';'.join(parts)}"


@dataclass
class SchoolChange:
    """One changed dossier, before and after."""

    file: str
    school: str
    name: str
    change: str  # A added, M modified, D deleted
    status_before: str
    status_after: str
    problems: list[Finding] = field(default_factory=list)
    """Validation findings at HEAD: any error here makes the change invalid."""
    findings_after: list[Finding] = field(default_factory=list)
    """Rule findings at HEAD."""
    findings_added: list[Finding] = field(default_factory=list)
    findings_resolved: list[Finding] = field(default_factory=list)
    hazards_opened: list[str] = field(default_factory=list)
    hazards_closed: list[str] = field(default_factory=list)
    hazards_removed: list[str] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    """What the change added, removed and changed in each section of the dossier."""
    ledger: list[Finding] = field(default_factory=list)
    """Errors for a closed hazard or a past drill deleted or rewritten: the ledger only grows."""
    subject: str = ""
    """What changed, in one line (:func:`change_subject`): the web editor's commit message."""

    @property
    def invalid(self) -> bool:
        return any(f.severity == "error" for f in [*self.problems, *self.ledger])

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "school": self.school,
            "name": self.name,
            "change": self.change,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "invalid": self.invalid,
            "problems": [f.as_dict() for f in self.problems],
            "findings_added": [f.as_dict() for f in self.findings_added],
            "findings_resolved": [f.as_dict() for f in self.findings_resolved],
            "hazards_opened": self.hazards_opened,
            "hazards_closed": self.hazards_closed,
            "hazards_removed": self.hazards_removed,
            "sections": [c.as_dict() for c in self.sections],
            "ledger": [f.as_dict() for f in self.ledger],
            "subject": self.subject,
        }


@dataclass
class DistrictChange:
    """A changed ``_district.yaml``: its rule set and reviewers before and after."""

    file: str
    change: str
    rule_set_before: str | None
    rule_set_after: str | None
    reviewers_added: list[str]
    reviewers_removed: list[str]
    problems: list[Finding]

    @property
    def invalid(self) -> bool:
        return any(f.severity == "error" for f in self.problems)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "change": self.change,
            "rule_set_before": self.rule_set_before,
            "rule_set_after": self.rule_set_after,
            "reviewers_added": self.reviewers_added,
            "reviewers_removed": self.reviewers_removed,
            "invalid": self.invalid,
            "problems": [f.as_dict() for f in self.problems],
        }


@dataclass
class Comparison:
    base: str
    head: str
    start: str
    """The merge base of ``base`` and ``head``: the "before" side."""
    as_of: date
    schools: list[SchoolChange]
    districts: list[DistrictChange]
    problems: list[Finding] = field(default_factory=list)
    """Findings on changed files that belong to no school (a file in the wrong place)."""

    @property
    def ok(self) -> bool:
        """No changed dossier or district file is invalid."""
        return not (
            any(s.invalid for s in self.schools)
            or any(d.invalid for d in self.districts)
            or any(f.severity == "error" for f in self.problems)
        )

    def to_json(self) -> dict:
        return {
            "base": self.base,
            "head": self.head,
            "merge_base": self.start,
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
            "schools": [s.as_dict() for s in self.schools],
            "districts": [d.as_dict() for d in self.districts],
            "problems": [f.as_dict() for f in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Reading one side


@dataclass
class _Side:
    present: set[str]
    data: dict[str, dict]  # valid dossiers and district files, by file
    status: dict[str, str]
    problems: dict[str, list[Finding]]
    findings: dict[str, list[Finding]]  # rule findings


def _read_side(repo: Path, rev: str, prefix: str, paths: list[str], as_of: date) -> _Side:
    tree = gitrepo.ls_tree(repo, rev, prefix)
    wanted = {p: tree[p] for p in paths if p in tree}
    districts = {p: sha for p, sha in tree.items() if PurePosixPath(p).name == DISTRICT_FILE}
    stems = {PurePosixPath(p).stem for p in wanted if is_dossier(p)}
    clashes = [
        p for p in tree if is_dossier(p) and PurePosixPath(p).stem in stems and p not in wanted
    ]
    side = _Side(set(wanted), {}, {}, {}, {})
    with tempfile.TemporaryDirectory(prefix="xiaoan-diff-") as tmp:
        top = Path(tmp)
        gitrepo.materialize(repo, {**districts, **wanted}, top, empty=clashes)

        def display(path: Path) -> str:
            return path.relative_to(top).as_posix()

        files = [top / PurePosixPath(p) for p in wanted]
        done = pipeline.run(
            top / prefix, as_of, files=files, districts=False, today=as_of, display=display
        )
        checked, evaluation = done.records, done.evaluation
        schools = [p for p in wanted if is_dossier(p)]
    for f in evaluation.findings:  # the validation findings, and unknown rule sets
        side.problems.setdefault(f.file, []).append(f)
    for doc in [*checked.schools, *checked.districts.values()]:
        side.data[doc.file] = doc.data
    for result in evaluation.schools:
        side.status[result.file] = result.status
        side.findings[result.file] = result.findings
    for p in schools:
        if p not in side.status:
            side.status[p] = INVALID if p not in side.data else UNEVALUATED
    return side


# ---------------------------------------------------------------------------------------------
# Comparing


def compare(
    repo: Path, base: str, head: str = "HEAD", *, records: Path = Path("records"), as_of: date
) -> Comparison:
    """Compare the records at ``base`` (its merge base with ``head``) and at ``head``.

    ``repo`` is any folder inside the repository, ``records`` the records folder (relative
    to the current folder, or absolute). Raises :class:`gitrepo.GitError` outside git or for
    an unknown revision.
    """
    top = gitrepo.toplevel(repo)
    if top is None:
        raise gitrepo.GitError(f"{repo} 不在 git 仓库中:xiaoan diff 比较的是两个 git 版本")
    prefix = gitrepo.relative(top, records)
    base_sha = gitrepo.resolve(top, base)
    head_sha = gitrepo.resolve(top, head)
    start = gitrepo.merge_base(top, base_sha, head_sha)
    changes = [
        (status, path)
        for status, path in gitrepo.changed(top, start, head_sha, prefix)
        if PurePosixPath(path).suffix in (".yaml", ".yml")
    ]
    paths = [p for _, p in changes]
    before = _read_side(top, start, prefix, paths, as_of)
    after = _read_side(top, head_sha, prefix, paths, as_of)

    schools, districts, problems = [], [], []
    for status, path in changes:
        if PurePosixPath(path).name == DISTRICT_FILE:
            districts.append(_district_change(path, status, before, after))
        elif is_dossier(path):
            schools.append(_school_change(path, status, before, after, as_of))
    known = {c.file for c in schools} | {d.file for d in districts}
    for file, found in after.problems.items():
        if file not in known:
            problems.extend(found)
    return Comparison(
        base=base_sha, head=head_sha, start=start, as_of=as_of,
        schools=schools, districts=districts, problems=sorted(problems, key=Finding.sort_key),
    )  # fmt: skip


def _hazard_states(data: dict | None, as_of: date) -> dict[str, bool]:
    """``{hazard id: still open}``."""
    if data is None:
        return {}
    return {h["id"]: is_open for _, h, is_open in SchoolView(data).hazards(as_of)}


def _school_change(
    path: str, status: str, before: _Side, after: _Side, as_of: date
) -> SchoolChange:
    data = after.data.get(path) or before.data.get(path) or {}
    profile = data.get("profile", {})
    change = SchoolChange(
        file=path,
        school=profile.get("id", PurePosixPath(path).stem),
        name=profile.get("name", PurePosixPath(path).stem),
        change="D" if status == "D" else ("A" if path not in before.present else "M"),
        status_before=before.status.get(path, ABSENT),
        status_after=after.status.get(path, ABSENT),
        problems=sorted(after.problems.get(path, []), key=Finding.sort_key),
        findings_after=after.findings.get(path, []),
    )
    if change.change == "D":
        change.hazards_removed = sorted(_hazard_states(before.data.get(path), as_of))
        return change
    if path in before.data and path in after.data:
        change.sections = sections_changed(before.data[path], after.data[path])
    if isinstance(after.data.get(path), dict):
        change.subject = change_subject(before.data.get(path), after.data[path], change.sections)
    # Compare like with like: rule findings only when both sides could be evaluated.
    if path in after.findings and (path in before.findings or path not in before.present):
        old = before.findings.get(path, [])
        new = after.findings[path]
    else:
        old = before.problems.get(path, [])
        new = after.problems.get(path, [])
    old_data, new_data = before.data.get(path), after.data.get(path)
    old_keys = {_key(f, old_data) for f in old}
    new_keys = {_key(f, new_data) for f in new}
    change.findings_added = [f for f in new if _key(f, new_data) not in old_keys]
    change.findings_resolved = [f for f in old if _key(f, old_data) not in new_keys]
    if path in after.data:
        was = _hazard_states(before.data.get(path), as_of)
        now = _hazard_states(after.data[path], as_of)
        change.hazards_opened = [
            h for h, is_open in now.items() if is_open and was.get(h) is not True
        ]
        change.hazards_closed = [
            h for h, is_open in now.items() if not is_open and was.get(h) is not False
        ]
        if path in before.data:
            change.hazards_removed = [h for h in was if h not in now]
            change.ledger = ledger_rewrites(path, before.data[path], after.data[path], as_of)
    return change


# Keys that name an item of a list without an id, in the order they are tried.
_LABEL_KEYS = ("date", "month", "kind", "topic", "title", "plate", "name")


def item_label(item: Any, index: int) -> str:
    """How a reviewer knows a list item: its id, else its date and kind (2026-12-01 消防疏散)."""
    if isinstance(item, dict):
        if isinstance(item.get("id"), str):
            return item["id"]
        parts = [str(item[k]) for k in _LABEL_KEYS if item.get(k) not in (None, "")][:2]
        if parts:
            return " ".join(parts)
    return f"第{index + 1}项"


def _labelled(items: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        label = item_label(item, i)
        out[label if label not in out else f"{label}(第{i + 1}项)"] = item
    return out


def sections_changed(old: dict, new: dict) -> list[SectionChange]:
    """Every section's additions, removals and changes, in the schema's order."""
    from generator.core import schema

    root = schema.at(()) or {}
    order = [k for k in root.get("properties", {}) if k in old or k in new]
    order += [k for k in {**old, **new} if k not in order]
    out = []
    for key in order:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = SectionChange(key, schema.title(root, key))
        if isinstance(a, list) or isinstance(b, list):
            before, after = _labelled(a or []), _labelled(b or [])
            change.added = [k for k in after if k not in before]
            change.removed = [k for k in before if k not in after]
            change.changed = [k for k in after if k in before and after[k] != before[k]]
        elif isinstance(a, dict) or isinstance(b, dict):
            a, b = a or {}, b or {}
            node = schema.at((key,)) or {}
            title = {k: schema.title(node, k) for k in {*a, *b}}
            change.added = [title[k] for k in b if k not in a]
            change.removed = [title[k] for k in a if k not in b]
            change.changed = [title[k] for k in b if k in a and a[k] != b[k]]
        else:
            change.changed = [change.title]
        out.append(change)
    return out


SUBJECT_LABELS = 2
"""A subject names at most this many items of one kind; more are counted (新增演练记录 3 条)."""
SUBJECT_PARTS = 4
"""A subject lists at most this many parts, else one fewer and the count (… 等 6 处修改)."""


def change_subject(old: dict | None, new: dict, sections: list | None = None) -> str:
    """What a change to one dossier did, in one line: a commit message or pull request title.

    ``城关区第二中学:隐患 H-2026-002 销号;新增演练记录 2026-11-21 防踩踏``. Built from
    :func:`sections_changed`, so it names items as ``xiaoan diff`` does. The web editor's glue
    script (``site/admin/editor.js``, ``subject``) says the same; tests/test_editor.py checks
    that the two agree. ``sections``: :func:`sections_changed` of the two, if made already.
    """
    from generator.core import schema

    profile = new.get("profile") if isinstance(new.get("profile"), dict) else {}
    name = str(profile.get("name") or profile.get("id") or "学校档案")
    if old is None:
        return f"{name}:新建学校档案"
    parts = []
    for change in sections_changed(old, new) if sections is None else sections:
        a, b = old.get(change.section), new.get(change.section)
        if isinstance(a, list) or isinstance(b, list):
            noun = (schema.at((change.section, 0)) or {}).get("title") or change.title
            before, after = _labelled(a or []), _labelled(b or [])
            changed = []
            for label in change.changed:
                status = after[label].get("status") if isinstance(after[label], dict) else None
                was = before[label].get("status") if isinstance(before[label], dict) else None
                if status != was and isinstance(status, str):
                    word = "销号" if status == "已销号" else f"改为“{status}”"
                    parts.append(f"{noun} {label} {word}")
                else:
                    changed.append(label)
            for word, labels in (("新增", change.added), ("删除", change.removed),
                                 ("修改", changed)):  # fmt: skip
                if len(labels) > SUBJECT_LABELS:
                    parts.append(f"{word}{noun} {len(labels)} 条")
                elif labels:
                    parts.append(f"{word}{noun} {'、'.join(labels)}")
        elif isinstance(a, dict) or isinstance(b, dict):
            named = [*change.added, *change.removed, *change.changed]
            shown = f"({'、'.join(named)})" if len(named) <= SUBJECT_LABELS else ""
            parts.append(f"修改{change.title}{shown}")
        else:
            parts.append(f"修改{change.title}")
    if not parts:
        return f"{name}:调整格式(内容不变)"
    more = f" 等 {len(parts)} 处修改" if len(parts) > SUBJECT_PARTS else ""
    return f"{name}:{';'.join(parts[: SUBJECT_PARTS - 1] if more else parts)}{more}"


def ledger_rewrites(file: str, old: dict, new: dict, as_of: date) -> list[Finding]:
    """A closed hazard or a past drill deleted or rewritten: errors. The hazard ledger and the
    drill record are what happened; a correction is a new entry with a note, not an edit."""
    found = []
    closed = {h for h, is_open in _hazard_states(old, as_of).items() if not is_open}
    hazards_now = {h.get("id"): h for h in new.get("hazards", []) if isinstance(h, dict)}
    for h in old.get("hazards", []):
        hid = h.get("id")
        if hid not in closed:
            continue
        if hid not in hazards_now:
            found.append((f"已销号的隐患 {hid} 被删除", "compare.closed-hazard-removed"))
        elif hazards_now[hid] != h:
            found.append((f"已销号的隐患 {hid} 被改写", "compare.closed-hazard-changed"))
    drills_then = _labelled(old.get("drills", []))
    drills_now = _labelled(new.get("drills", []))
    for label, d in drills_then.items():
        held = parse_date(d.get("date")) if isinstance(d, dict) else None
        if held is None or held > as_of:
            continue
        if label not in drills_now:
            found.append((f"已举行的演练 {label} 被删除", "compare.past-drill-removed"))
        elif drills_now[label] != d:
            found.append((f"已举行的演练 {label} 被改写", "compare.past-drill-changed"))
    return [
        Finding(file=file, code=code, severity="error",
                message=f"{message}:台账只能追加,更正请新增一条并在备注中说明")
        for message, code in found
    ]  # fmt: skip


def _reviewers(data: dict | None) -> set[str]:
    return {r["account"] for r in (data or {}).get("reviewers", [])}


def _district_change(path: str, status: str, before: _Side, after: _Side) -> DistrictChange:
    old, new = before.data.get(path), after.data.get(path)
    return DistrictChange(
        file=path,
        change="D" if status == "D" else ("A" if path not in before.present else "M"),
        rule_set_before=(old or {}).get("rule_set"),
        rule_set_after=(new or {}).get("rule_set"),
        reviewers_added=sorted(_reviewers(new) - _reviewers(old)) if new else [],
        reviewers_removed=sorted(_reviewers(old) - _reviewers(new)) if new else [],
        problems=sorted(after.problems.get(path, []), key=Finding.sort_key),
    )


# ---------------------------------------------------------------------------------------------
# Formats

CHANGE_WORDS = {"A": "新增", "M": "修改", "D": "删除"}


def _status_line(s: SchoolChange) -> str:
    if s.status_before == s.status_after:
        return f"{s.status_after}(不变)"
    return f"{s.status_before} → {s.status_after}"


def _finding_text(f: Finding) -> str:
    where = f.place or f.category or ""
    text = f"{where}:{f.message}" if where else f.message
    return f"{text}({f.code})"


def _ids(ids: list[str]) -> str:
    return "、".join(ids) if ids else "—"


def _headline(c: Comparison) -> str:
    parts = [f"{len(c.schools)} 所学校的档案"]
    if c.districts:
        parts.append(f"{len(c.districts)} 个区县信息文件")
    return (
        f"比较 {c.start[:10]}(分支起点)→ {c.head[:10]},按 {c.as_of.isoformat()} 评估;"
        f"修改了{'、'.join(parts)}。"
    )


def _verdict(c: Comparison) -> str:
    if not c.schools and not c.districts and not c.problems:
        return "本次修改没有涉及档案文件。"
    if c.ok:
        return "全部修改过的档案通过校验。"
    bad = sum(s.invalid for s in c.schools) + sum(d.invalid for d in c.districts)
    return f"有 {bad or len(c.problems)} 个修改过的文件没有通过校验,须先修正才能合并。"


def as_markdown(c: Comparison, *, blob_url: str | None = None, **_: object) -> str:
    """The reviewer's job summary, in Chinese."""
    out = ["### 档案修改审核摘要", "", md(_headline(c)) + " " + md(_verdict(c)), ""]
    if c.schools:
        out += [
            "| 学校 | 修改 | 状态(修改前 → 修改后) | 新增隐患 | 销号隐患 | 新增问题 | 已解决问题 |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in c.schools:
            mark = " ❌" if s.invalid else ""
            out.append(
                f"| {md(s.name)}<br>`{md(s.file)}` | {CHANGE_WORDS[s.change]}{mark} | "
                f"{md(_status_line(s))} | {md(_ids(s.hazards_opened))} | "
                f"{md(_ids(s.hazards_closed))} | {len(s.findings_added)} | "
                f"{len(s.findings_resolved)} |"
            )
        out.append("")
    for d in c.districts:
        out.append(f"#### 区县信息 `{md(d.file)}`({CHANGE_WORDS[d.change]})")
        out.append("")
        if d.rule_set_before != d.rule_set_after and d.change != "D":
            out.append(
                f"- 规则集:{md(d.rule_set_before or ABSENT)} → "
                f"**{md(d.rule_set_after or ABSENT)}**"
                "(本区县全部学校将按新规则集评估,合并后请查看区县页面的达标率)"
            )
        if d.reviewers_added or d.reviewers_removed:
            out.append(
                f"- 审核人:新增 {md(_ids(d.reviewers_added))},"
                f"移除 {md(_ids(d.reviewers_removed))}"
                "(请运行 `xiaoan codeowners` 更新 CODEOWNERS)"
            )
        for f in d.problems:
            out.append(f"- ❌ {line_ref(f.file, f.line, blob_url)} {md(_finding_text(f))}")
        out.append("")
    for f in c.problems:
        out.append(f"- ❌ {line_ref(f.file, f.line, blob_url)} {md(_finding_text(f))}")
    for s in c.schools[:DETAILS_LIMIT]:
        out += _school_details(s, blob_url)
    if len(c.schools) > DETAILS_LIMIT:
        out.append(
            f"(另有 {len(c.schools) - DETAILS_LIMIT} 所学校的明细未列出,"
            "请用 `xiaoan diff` 在本地查看)"
        )
        out.append("")
    out += [
        "<details><summary>审核人核对要点</summary>",
        "",
        "- 修改内容与学校提交的材料(演练记录、整改验收单、检查记录)一致;",
        "- 已销号的隐患有整改日期、销号日期和验收人,隐患没有被删除;",
        "- 没有录入学生个人信息;个人电话、保安证号等只填在不公开的字段中;",
        "- 批准并合并即为审核确认,合并记录会显示在学校页面的“审核确认记录”中。",
        "",
        "</details>",
        "",
    ]
    return "\n".join(out)


def _school_details(s: SchoolChange, blob_url: str | None) -> list[str]:
    out = [f"#### {md(s.name)}({md(s.school)})", "", f"- 状态:**{md(_status_line(s))}**"]
    if s.change == "D":
        out.append("- ⚠️ 学校档案被删除:请确认学校已撤并;档案中的隐患台账将不再显示")
    for f in s.problems:
        out.append(f"- ❌ 校验不通过 {line_ref(f.file, f.line, blob_url)} {md(_finding_text(f))}")
    for f in s.ledger:
        out.append(f"- ❌ {md(f.message)}(`{f.code}`)")
    for c in s.sections:
        out.append(f"- {md(c.text())}")
    if s.hazards_opened:
        out.append(f"- 新增或重新打开的隐患:{md(_ids(s.hazards_opened))}")
    if s.hazards_closed:
        out.append(f"- 销号的隐患:{md(_ids(s.hazards_closed))}")
    if s.hazards_removed and s.change != "D":
        out.append(
            f"- ⚠️ 被删除的隐患:{md(_ids(s.hazards_removed))}(已销号的隐患应保留在台账中,不得删除)"
        )
    for f in s.findings_added:
        if f in s.problems:
            continue
        icon = "🔴" if f.severity == "error" else "🟡"
        out.append(f"- {icon} 新增问题 {line_ref(f.file, f.line, blob_url)} {md(_finding_text(f))}")
    for f in s.findings_resolved:
        out.append(f"- ✅ 已解决 {md(_finding_text(f))}")
    if not (s.problems or s.findings_added or s.findings_resolved or s.hazards_opened
            or s.hazards_closed or s.hazards_removed or s.sections):  # fmt: skip
        out.append("- 没有新增或解决的问题")
    out.append("")
    return out


def annotations(c: Comparison) -> list[Finding]:
    """What to annotate: every finding at HEAD on a changed file, the new ones first.

    Findings already there before the change keep their place but say so, and are notices:
    the reviewer sees the whole dossier, the author sees what the change brought.
    """
    first, later = [], []
    for s in c.schools:
        added = {id(f) for f in s.findings_added}
        first += s.problems + s.ledger
        for f in s.findings_after:
            if id(f) in added:
                first.append(f)
            else:
                later.append(replace(f, severity="info", message=f"{f.message}(修改前已存在)"))
        if s.hazards_removed and s.change != "D":
            first.append(
                Finding(
                    file=s.file, code="compare.hazard-removed", severity="warning",
                    message=f"隐患 {_ids(s.hazards_removed)} 被删除:"
                    "已销号的隐患应保留在台账中,不得删除",
                )
            )  # fmt: skip
    for d in c.districts:
        first += d.problems
    return [*c.problems, *first, *later]


def as_github(c: Comparison, **_: object) -> str:
    """GitHub workflow commands for the changed files, then the summary sentence."""
    text = REPORTERS["github"](annotations(c))
    return text + _headline(c) + _verdict(c) + "\n"


def as_text(c: Comparison, **_: object) -> str:
    """For the terminal: one block per changed school."""
    out = [_headline(c), _verdict(c), ""]
    for d in c.districts:
        out.append(f"{d.file}({CHANGE_WORDS[d.change]}区县信息)")
        if d.rule_set_before != d.rule_set_after and d.change != "D":
            out.append(f"  规则集:{d.rule_set_before or ABSENT} → {d.rule_set_after or ABSENT}")
        if d.reviewers_added or d.reviewers_removed:
            out.append(f"  审核人:新增 {_ids(d.reviewers_added)},移除 {_ids(d.reviewers_removed)}")
        out += [f"  错误 {f.file}:{f.line or 1}: {_finding_text(f)}" for f in d.problems]
    out += [f"错误 {f.file}:{f.line or 1}: {_finding_text(f)}" for f in c.problems]
    for s in c.schools:
        out.append(f"{s.file}({CHANGE_WORDS[s.change]}){s.name}:{_status_line(s)}")
        out += [f"  错误 {f.file}:{f.line or 1}: {_finding_text(f)}" for f in s.problems]
        if s.hazards_opened:
            out.append(f"  新增隐患:{_ids(s.hazards_opened)}")
        if s.hazards_closed:
            out.append(f"  销号隐患:{_ids(s.hazards_closed)}")
        if s.hazards_removed and s.change != "D":
            out.append(f"  被删除的隐患:{_ids(s.hazards_removed)}(已销号的隐患不得删除)")
        out += [f"  错误 {f.file}: {f.message}({f.code})" for f in s.ledger]
        out += [f"  {c.text()}" for c in s.sections]
        out += [
            f"  + {f.file}:{f.line or 1}: {_finding_text(f)}"
            for f in s.findings_added
            if f not in s.problems
        ]
        out += [f"  - 已解决:{_finding_text(f)}" for f in s.findings_resolved]
    return "\n".join(out) + "\n"


def as_json(c: Comparison, **_: object) -> str:
    return json.dumps(c.to_json(), ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[..., str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "github": as_github,
    "json": as_json,
}
