"""The nightly flags: what is overdue or missing now, and what became so since the last run.

Every rule finding of severity ``error`` (something overdue, missing, or an open major hazard)
and every validation error is an *item*, known by its school, rule and place in the dossier
(``cg-xiangyang-youeryuan|device.equipment_expired|/devices/protective_equipment/5/expires``).

What changed since the last run is computed in one of two ways (docs/workflow.md):

* ``since`` a day (default: the day before ``as_of``) — the records **as git had them at the
  end of that day** (the last first-parent commit of HEAD on or before it), evaluated as of
  that day, against today's records evaluated as of today. No state is kept between runs:
  the repository's history is the state. Things that went overdue by themselves and changes
  merged since both show. Only the files that differ between that commit and HEAD are read
  again; the rest are today's documents. Outside git, the same records are evaluated as of
  both days (what went overdue by itself).
* ``previous``: the JSON this report wrote on the last run (``--format json``): exact when
  the runs are irregular, at the price of keeping that file between runs (a CI cache).

:func:`issue_body` writes one issue per district: every current item, the new ones marked,
with links to the lines; :func:`write_issues` writes them with an ``index.tsv`` for the
workflow's loop over ``gh issue``.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

from generator.core import pipeline
from generator.core.evaluate import STATUSES, Evaluation
from generator.core.findings import Finding
from generator.core.validate import DISTRICT_FILE, Records
from generator.report.markdown import line_ref, md
from generator.workflow import gitrepo
from generator.workflow.compare import stable_path

ISSUE_PREFIX = "[逾期提醒]"
BODY_LIMIT = 60_000
"""Characters of an issue body (GitHub allows 65,536)."""


@dataclass(frozen=True)
class Item:
    key: str
    district: str
    school: str
    name: str
    file: str
    line: int | None
    code: str
    category: str
    place: str
    message: str
    new: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> Item:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass
class DistrictReport:
    id: str
    name: str
    schools: int
    items: list[Item]
    resolved: list[Item] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def new(self) -> list[Item]:
        return [i for i in self.items if i.new]

    @property
    def title(self) -> str:
        return f"{ISSUE_PREFIX} {self.name}"


@dataclass
class OverdueReport:
    as_of: date
    baseline: str
    """How the previous state was found, in Chinese (shown in the summary)."""
    since: date | None
    districts: list[DistrictReport]

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "baseline": self.baseline,
            "districts": [
                {
                    "id": d.id,
                    "name": d.name,
                    "schools": d.schools,
                    "status_counts": d.status_counts,
                    "items": [asdict(i) for i in d.items],
                    "resolved": [asdict(i) for i in d.resolved],
                }
                for d in self.districts
            ],
        }


# ---------------------------------------------------------------------------------------------
# Items


def items_of(records: Records, evaluation: Evaluation) -> dict[str, Item]:
    """``{key: item}``: the errors of every school, and every file that failed validation."""
    data = {doc.file: doc.data for doc in records.schools}
    out: dict[str, Item] = {}

    def add(f: Finding, school: str, name: str, district: str) -> None:
        key = f"{school}|{f.code}|{stable_path(f.path, data.get(f.file))}"
        out[key] = Item(
            key=key, district=district, school=school, name=name, file=f.file, line=f.line,
            code=f.code, category=f.category or "档案格式", place=f.place, message=f.message,
        )  # fmt: skip

    for result in evaluation.schools:
        for f in result.findings:
            if f.severity == "error":
                add(f, result.id, result.name, result.district)
    for f in evaluation.findings:  # validation: the school is known by its file
        if f.severity == "error":
            path = PurePosixPath(f.file)
            profile = data.get(f.file, {}).get("profile", {})
            add(f, profile.get("id", path.stem), profile.get("name", path.stem), path.parent.name)
    return out


# ---------------------------------------------------------------------------------------------
# The previous state


def _commit_at(repo: Path, day: date) -> str | None:
    """The last first-parent commit of HEAD made on or before ``day`` (committer date)."""
    out = gitrepo.git(
        repo, "rev-list", "-1", "--first-parent", f"--before={day.isoformat()} 23:59:59", "HEAD"
    ).strip()
    return out.decode() or None


def _records_at(repo: Path, prefix: str, commit: str, now: Records, day: date) -> Records:
    """The records at ``commit``: today's documents where the file is unchanged since, the
    others read from git and validated as of ``day``."""
    then = gitrepo.ls_tree(repo, commit, prefix)
    head = gitrepo.ls_tree(repo, "HEAD", prefix)
    changed = {
        p: sha
        for p, sha in then.items()
        if head.get(p) != sha and PurePosixPath(p).name != DISTRICT_FILE
    }
    districts = {p: sha for p, sha in then.items() if PurePosixPath(p).name == DISTRICT_FILE}
    with tempfile.TemporaryDirectory(prefix="xiaoan-since-") as tmp:
        top = Path(tmp)
        gitrepo.materialize(repo, {**districts, **changed}, top)
        old = pipeline.validate(
            top / prefix, [top / PurePosixPath(p) for p in changed], today=day,
            display=lambda p: p.relative_to(top).as_posix(),
        )  # fmt: skip
    unchanged = {p for p in then if p not in changed}
    old.schools += [doc for doc in now.schools if doc.file in unchanged]
    old.schools.sort(key=lambda doc: doc.file)
    old.findings += [f for f in now.findings if f.file in unchanged]
    return old


def _previous_state(records_dir: Path, now: Records, since: date) -> tuple[Records | None, str]:
    top = gitrepo.toplevel(records_dir)
    if top is None:
        return None, f"同一份档案按 {since.isoformat()} 评估的结果(不在 git 仓库中)"
    try:
        commit = _commit_at(top, since)
    except gitrepo.GitError:
        commit = None
    if commit is None:
        return Records(root=records_dir), f"空档案库({since.isoformat()} 及以前没有提交)"
    prefix = gitrepo.relative(top, records_dir)
    return (
        _records_at(top, prefix, commit, now, since),
        f"{since.isoformat()} 的档案(提交 {commit[:10]},按当日评估)",
    )


def repo_display(records_dir: Path):
    """A display function giving repository paths (``records/x/y.yaml``) inside git, the
    path as given outside: the form issue links and annotations need."""
    top = gitrepo.toplevel(records_dir)
    if top is None:
        return str
    return lambda p: gitrepo.relative(top, Path(p))


# ---------------------------------------------------------------------------------------------
# The report


def overdue_report(
    records_dir: Path, as_of: date, *, since: date | None = None, previous: dict | None = None,
    rule_set: str | None = None,
) -> OverdueReport:  # fmt: skip
    """What is overdue or missing as of ``as_of``, per district, with what is new since the
    previous run (``previous`` report JSON, else the records ``since`` that day)."""
    records_dir = Path(records_dir)
    display = repo_display(records_dir)
    done = pipeline.run(records_dir, as_of, rule_set=rule_set, today=as_of, display=display)
    now, evaluation = done.records, done.evaluation
    current = items_of(now, evaluation)
    if previous is not None:
        before = {
            i["key"]: Item.from_dict(i)
            for d in previous.get("districts", [])
            for i in d.get("items", [])
        }
        baseline = f"上次运行({previous.get('as_of', '?')})的结果"
        since = date.fromisoformat(previous["as_of"]) if previous.get("as_of") else None
    else:
        since = since or as_of - timedelta(days=1)
        old, baseline = _previous_state(records_dir, now, since)
        if old is None:
            old = now
        before = items_of(old, pipeline.evaluate(old, since, rule_set))
    return _by_district(now, evaluation, current, before, as_of, since, baseline)


def _by_district(now, evaluation, current, before, as_of, since, baseline) -> OverdueReport:
    names = {d: doc.data["name"] for d, doc in now.districts.items()}
    reports: dict[str, DistrictReport] = {}

    def district(d: str) -> DistrictReport:
        if d not in reports:
            reports[d] = DistrictReport(id=d, name=names.get(d, d), schools=0, items=[])
        return reports[d]

    for r in evaluation.districts:
        district(r.id).schools = len(r.schools)
        district(r.id).status_counts = r.status_counts
    for d in names:
        district(d)
    for key, item in sorted(
        current.items(), key=lambda kv: (kv[1].district, kv[1].school, kv[1].line or 0, kv[0])
    ):
        district(item.district).items.append(Item(**{**asdict(item), "new": key not in before}))
    for key, item in sorted(before.items()):
        if key not in current:
            district(item.district).resolved.append(item)
    return OverdueReport(
        as_of=as_of, baseline=baseline, since=since,
        districts=[reports[d] for d in sorted(reports)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Markdown: the job summary and the issues


def _item_line(item: Item, blob_url: str | None, *, school: bool = True) -> str:
    mark = "🆕 " if item.new else ""
    who = f"{md(item.name)} · " if school else ""
    where = f"{md(item.place)}:" if item.place else ""
    return (
        f"- {mark}{who}[{md(item.category)}] {where}{md(item.message)} — {line_ref(item.file, item.line, blob_url)}"
    )


def summary_markdown(report: OverdueReport, blob_url: str | None = None) -> str:
    """The job summary: per district the counts, then what is new and what was resolved."""
    total = sum(len(d.items) for d in report.districts)
    new = sum(len(d.new) for d in report.districts)
    resolved = sum(len(d.resolved) for d in report.districts)
    out = [
        f"### 逾期和缺项提醒(截至 {report.as_of.isoformat()})",
        "",
        f"与{md(report.baseline)}相比:新增 **{new}** 项,已解决 {resolved} 项;目前共 {total} 项。",
        "",
        "| 区县 | 学校数 | " + " | ".join(STATUSES) + " | 目前问题 | 新增 | 已解决 |",
        "|---|---|" + "---|" * len(STATUSES) + "---|---|---|",
    ]
    for d in report.districts:
        counts = " | ".join(str(d.status_counts.get(s, 0)) for s in STATUSES)
        out.append(
            f"| {md(d.name)} | {d.schools} | {counts} | {len(d.items)} | {len(d.new)} "
            f"| {len(d.resolved)} |"
        )
    out.append("")
    for d in report.districts:
        if not d.new and not d.resolved:
            continue
        out += [f"#### {md(d.name)}", ""]
        out += [_item_line(i, blob_url) for i in d.new[:50]]
        if len(d.new) > 50:
            out.append(f"- ……另有 {len(d.new) - 50} 项新增,见区县的提醒议题")
        out += [
            f"- ✅ 已解决:{md(i.name)} · [{md(i.category)}] {md(i.message)}"
            for i in d.resolved[:20]
        ]
        if len(d.resolved) > 20:
            out.append(f"- ……另有 {len(d.resolved) - 20} 项已解决")
        out.append("")
    return "\n".join(out)


def issue_body(d: DistrictReport, report: OverdueReport, blob_url: str | None = None) -> str:
    """One district's issue: every current item by school, the new ones marked 🆕."""
    head = [
        f"**{md(d.name)}** 截至 {report.as_of.isoformat()} 逾期或缺项 **{len(d.items)}** 项"
        f"(新增 {len(d.new)} 项,已解决 {len(d.resolved)} 项;与{md(report.baseline)}相比)。",
        "",
    ]
    if not d.items:
        head.append("✅ 目前没有逾期或缺项,本议题自动关闭。")
    tail = [
        "",
        "---",
        "本议题由每日任务(`.github/workflows/nightly.yml`,`xiaoan overdue-report`)自动更新,"
        "请勿手工编辑正文。处理办法:学校补录或整改后提交修改请求,区教育局审核人批准合并;"
        "下次运行时已解决的项目自动移除。",
    ]
    body: list[str] = []
    by_school: dict[str, list[Item]] = {}
    for item in d.items:
        by_school.setdefault(item.school, []).append(item)
    size = sum(len(x) + 1 for x in head + tail)
    shown = 0
    for school, items in by_school.items():
        block = [f"#### {md(items[0].name)}(`{md(school)}`)", ""]
        block += [_item_line(i, blob_url, school=False) for i in items]
        block.append("")
        length = sum(len(x) + 1 for x in block)
        if size + length > BODY_LIMIT - 500:
            break
        body += block
        size += length
        shown += len(items)
    if shown < len(d.items):
        body.append(
            f"……另有 {len(d.items) - shown} 项未列出(议题长度有限),请在网站的区县页面查看。"
        )
        body.append("")
    if d.resolved:
        body.append("<details><summary>自上次以来已解决</summary>")
        body.append("")
        for item in d.resolved[:200]:
            line = f"- ✅ {md(item.name)} · [{md(item.category)}] {md(item.message)}"
            if size + len(line) > BODY_LIMIT - 200:
                break
            body.append(line)
            size += len(line) + 1
        body += ["", "</details>"]
    return "\n".join(head + body + tail) + "\n"


def write_issues(report: OverdueReport, folder: Path, blob_url: str | None = None) -> Path:
    """One ``<district>.md`` per district and ``index.tsv`` (district, open|closed, title,
    body file) for the workflow to open, update or close the issues; returns the index."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for d in report.districts:
        body = folder / f"{d.id}.md"
        body.write_text(issue_body(d, report, blob_url), encoding="utf-8")
        state = "open" if d.items else "closed"
        rows.append(f"{d.id}\t{state}\t{d.title}\t{body.as_posix()}\n")
    index = folder / "index.tsv"
    index.write_text("".join(rows), encoding="utf-8")
    return index


def dumps(report: OverdueReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
