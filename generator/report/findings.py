"""Reporters: findings as text for people, JSON for programs, GitHub annotations, Markdown.

Each reporter is ``fn(findings, **context) -> str``, chosen by name from :data:`REPORTERS`.
Context they understand (all optional, unknown keys are ignored):

* ``files_checked`` — how many files were checked, for the summary line;
* ``color`` — ANSI colours in the text reporter (the caller decides: only on a terminal);
* ``title`` — the heading of the Markdown report.

They print nothing and know nothing of where findings come from: schema findings and rule
findings (which also carry ``school``, ``category`` and ``source``) look the same to them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence

from generator.core.findings import Finding
from generator.report.markdown import md

_SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
_COLOURS = {"error": "31;1", "warning": "33;1", "info": "36", "file": "1", "ok": "32;1"}


def _files(count: int) -> str:
    """27 所学校的档案和 3 个区县配置, or 30 份档案 when the split is not known."""
    districts = getattr(count, "districts", 0)
    if districts:
        schools = f"{count - districts} 所学校的档案和" if count > districts else ""
        return f"{schools} {districts} 个区县配置".strip()
    return f"{count} 份档案"


def summary(findings: Sequence[Finding], files_checked: int | None = None) -> str:
    """One Chinese sentence: how many files were checked and what was found."""
    checked = f"检查了 {_files(files_checked)}," if files_checked is not None else ""
    if not findings:
        if files_checked == 0:
            return "没有找到需要校验的档案"
        if files_checked is None:
            return "没有发现问题"
        return f"全部 {_files(files_checked)}通过校验"
    files = len({f.file for f in findings})
    counts = Counter(f.severity for f in findings)
    detail = f"{files} 个文件"
    if set(counts) != {"error"}:
        kinds = "、".join(
            f"{counts[s]} 个{_SEVERITY_WORDS.get(s, s)}" for s in _SEVERITY_WORDS if counts[s]
        )
        detail = f"{kinds};{detail}"
    return f"{checked}发现 {len(findings)} 处问题({detail})"


def _location(f: Finding) -> str:
    if f.line is None:
        return f.file
    return f"{f.file}:{f.line}:{f.column or 1}"


def _text_of(f: Finding) -> str:
    """The place (or rule category), the message and the rule's source, on one line."""
    where = f.place or f.category
    message = f"{where}: {f.message}" if where else f.message
    if f.source:
        message += f"(依据:{f.source})"
    return message


def text(
    findings: Sequence[Finding],
    *,
    files_checked: int | None = None,
    color: bool = False,
    **_: object,
) -> str:
    """``file:line:col: error: place: message`` per finding, then a summary line."""

    def paint(s: str, what: str) -> str:
        return f"\x1b[{_COLOURS[what]}m{s}\x1b[0m" if color else s

    lines = [
        f"{paint(_location(f), 'file')}: {paint(f.severity, f.severity)}: {_text_of(f)}"
        for f in findings
    ]
    lines.append(paint(summary(findings, files_checked), "error" if findings else "ok"))
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], **_: object) -> str:
    """Exactly a JSON list of finding objects (UTF-8, not escaped)."""
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


_GH_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def github(findings: Sequence[Finding], *, files_checked: int | None = None, **_: object) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…::message``), then a summary."""
    lines = []
    for f in findings:
        props = [f"file={_gh_property(f.file)}"]
        if f.line is not None:
            props.append(f"line={f.line}")
            props.append(f"col={f.column or 1}")
        props.append(f"title={_gh_property(f.place or f.category or f.code)}")
        message = f.message + (f"(依据:{f.source})" if f.source else "")
        lines.append(
            f"::{_GH_COMMANDS.get(f.severity, 'error')} {','.join(props)}::{_gh_data(message)}"
        )
    lines.append(summary(findings, files_checked))
    return "\n".join(lines) + "\n"


def markdown(
    findings: Sequence[Finding],
    *,
    files_checked: int | None = None,
    title: str = "校验结果",
    **_: object,
) -> str:
    """A Markdown table, for a GitHub job summary or a pull-request comment."""
    out = [f"### {md(title)}", "", md(summary(findings, files_checked)), ""]
    if not findings:
        return "\n".join(out)
    columns: list[tuple[str, Callable[[Finding], object]]] = [
        ("文件", lambda f: f"`{_location(f)}`"),
        ("级别", lambda f: _SEVERITY_WORDS.get(f.severity, f.severity)),
    ]
    if any(f.school for f in findings):
        columns.append(("学校", lambda f: f.school or ""))
    if any(f.category for f in findings):
        columns.append(("类别", lambda f: f.category or ""))
    columns += [("位置", lambda f: f.place), ("问题", lambda f: f.message)]
    if any(f.source for f in findings):
        columns.append(("依据", lambda f: f.source or ""))
    columns.append(("代码", lambda f: f"`{f.code}`"))
    out.append("| " + " | ".join(name for name, _ in columns) + " |")
    out.append("|" + "---|" * len(columns))
    for f in findings:
        out.append("| " + " | ".join(md(cell(f)) for _, cell in columns) + " |")
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[..., str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "markdown": markdown,
}
