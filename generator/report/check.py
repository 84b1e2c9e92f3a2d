"""Reporters for ``xiaoan check``: an :class:`~generator.core.evaluate.Evaluation` as text, JSON,
GitHub workflow commands or Markdown.

The finding lines come from :mod:`generator.report.findings` (the same reporters ``xiaoan validate``
uses); this module adds what only a check has: each school's status, and the district
rates. Each reporter is ``fn(evaluation, *, files_checked, color) -> str``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from generator.core.evaluate import STATUSES, Evaluation
from generator.report.findings import REPORTERS
from generator.report.markdown import md

_BADGE = {"重大隐患": "🔴", "逾期": "🟠", "待整改": "🟡", "达标": "🟢"}


def _statuses(ev: Evaluation) -> str:
    """学校状态:重大隐患 1 所、逾期 9 所 … — the schools listed, worst first."""
    counts = {s: sum(r.status == s for r in ev.schools) for s in STATUSES}
    parts = [f"{s} {n} 所" for s, n in counts.items() if n]
    return f"{len(ev.schools)} 所学校(截至 {ev.as_of.isoformat()}):" + ("、".join(parts) or "无")


def _rate_text(rate) -> str:
    if rate.value is None:
        return "—"
    return f"{rate.value:.1%}({rate.numerator}/{rate.denominator})"


def _met(rate) -> str:
    return "—" if rate.met is None else "达标" if rate.met else "未达标"


def text(
    ev: Evaluation, *, files_checked: int | None = None, color: bool = False, **_: object
) -> str:
    """The findings, one per line; then each school not 达标 with its status; then a summary."""
    out = (
        REPORTERS["text"](ev.all_findings, files_checked=files_checked, color=color)
        .rstrip("\n")
        .splitlines()
    )
    lines = out[:-1]
    for school in sorted(ev.schools, key=lambda r: STATUSES.index(r.status)):
        if school.status != "达标":
            worst = [c for c, s in school.categories.items() if s == school.status]
            lines.append(f"{school.status}:{school.id} {school.name}({'、'.join(worst)})")
    for d in ev.districts:
        missed = [r.title for r in d.rates if r.met is False]
        if missed:
            lines.append(f"{d.name}({d.rule_set})未达标:{'、'.join(missed)}")
    lines.append(out[-1])
    lines.append(_statuses(ev))
    return "\n".join(lines) + "\n"


def as_json(ev: Evaluation, **_: object) -> str:
    """``{"as_of", "schools": [...], "districts": [...], "findings": [...]}``."""
    return json.dumps(ev.to_json(), ensure_ascii=False, indent=2) + "\n"


def github(ev: Evaluation, *, files_checked: int | None = None, **_: object) -> str:
    """Workflow commands for every finding, then the statuses as a notice."""
    body = REPORTERS["github"](ev.all_findings, files_checked=files_checked)
    return body + f"::notice title=学校状态::{_statuses(ev)}\n"


def markdown(ev: Evaluation, *, files_checked: int | None = None, **_: object) -> str:
    """What a reviewer reads in a pull request or job summary: statuses, rates, findings."""
    out = [f"### 安全档案检查结果(截至 {ev.as_of.isoformat()})", "", md(_statuses(ev)), ""]
    if ev.schools:
        out += ["| 状态 | 学校 | 区县 | 需关注的类别 | 错误 | 警告 |", "|---|---|---|---|---|---|"]
        for s in sorted(ev.schools, key=lambda r: (STATUSES.index(r.status), r.id)):
            flagged = "、".join(c for c, v in s.categories.items() if v != "达标") or "—"
            out.append(
                f"| {_BADGE[s.status]} {s.status} | {md(s.name)}(`{s.id}`) | {md(s.district)} | {md(flagged)} "
                f"| {s.counts['errors']} | {s.counts['warnings']} |"
            )
        out.append("")
    for d in ev.districts:
        out += [
            f"#### {md(d.name)} 达标率(规则集 `{d.rule_set}`,{len(d.schools)} 所学校)",
            "",
            "| 指标 | 实际 | 目标 | 结果 | 依据 |",
            "|---|---|---|---|---|",
        ]
        for r in d.rates:
            out.append(
                f"| {md(r.title)} | {_rate_text(r)} | {r.target:.0%} | {_met(r)} | {md(r.source)} |"
            )
        out.append("")
    findings = ev.all_findings
    if findings:
        out.append(REPORTERS["markdown"](findings, files_checked=files_checked, title="问题清单"))
    return "\n".join(out).rstrip("\n") + "\n"


CHECK_REPORTERS: dict[str, Callable[..., str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "markdown": markdown,
}
NEEDS_DISTRICTS = {"json", "markdown"}
"""Formats that show district rates: with PATHs named, only these evaluate the whole tree."""
