"""Tests for generator/report/findings.py: each reporter's output, compared as exact strings."""

from __future__ import annotations

import json

from generator.core.findings import FileCount, Finding
from generator.report.findings import REPORTERS, as_json, github, markdown, summary, text

DATE = Finding(
    file="records/cg/s.yaml",
    line=12,
    column=7,
    path="/hazards/2/deadline",
    place="隐患清单 第3项 › 整改期限",
    message="'2024-13-01' 不是有效日期 (YYYY-MM-DD)",
    code="schema.format",
)
LOAD = Finding(
    file="records/cg/t.yaml",
    line=None,
    column=None,
    message="文件是 UTF-16 编码,请另存为 UTF-8 编码",
    code="file.encoding",
)
RULE = Finding(
    file="records/cg/s.yaml",
    line=40,
    column=3,
    path="/drills",
    place="",
    severity="warning",
    message="本月尚未开展疏散演练",
    code="rule.drill-monthly",
    school="cg-s",
    category="应急演练",
    source="003 三(四)二",
)


def test_reporters_are_chosen_by_name():
    assert set(REPORTERS) == {"text", "json", "github", "markdown"}


def test_summary():
    assert summary([], 26) == "全部 26 份档案通过校验"
    assert summary([], FileCount(30, 3)) == "全部 27 所学校的档案和 3 个区县配置通过校验"
    assert summary([DATE], FileCount(1, 1)).startswith("检查了 1 个区县配置,")
    assert summary([], 0) == "没有找到需要校验的档案"
    assert summary([DATE, LOAD, DATE], 26) == "检查了 26 份档案,发现 3 处问题(2 个文件)"
    assert (
        summary([DATE, RULE], 26) == "检查了 26 份档案,发现 2 处问题(1 个错误、1 个警告;1 个文件)"
    )
    assert summary([DATE]) == "发现 1 处问题(1 个文件)"


def test_text():
    assert text([DATE, LOAD, RULE], files_checked=26) == (
        "records/cg/s.yaml:12:7: error: 隐患清单 第3项 › 整改期限: "
        "'2024-13-01' 不是有效日期 (YYYY-MM-DD)\n"
        "records/cg/t.yaml: error: 文件是 UTF-16 编码,请另存为 UTF-8 编码\n"
        "records/cg/s.yaml:40:3: warning: 应急演练: 本月尚未开展疏散演练(依据:003 三(四)二)\n"
        "检查了 26 份档案,发现 3 处问题(2 个错误、1 个警告;2 个文件)\n"
    )
    assert text([], files_checked=26) == "全部 26 份档案通过校验\n"


def test_text_colours_only_when_asked():
    assert "\x1b[" not in text([DATE], files_checked=1)
    coloured = text([DATE], files_checked=1, color=True)
    assert coloured.startswith("\x1b[1mrecords/cg/s.yaml:12:7\x1b[0m: \x1b[31;1merror\x1b[0m: ")
    assert text([], files_checked=1, color=True) == "\x1b[32;1m全部 1 份档案通过校验\x1b[0m\n"


def test_json_is_exactly_the_list_of_findings():
    out = as_json([DATE, RULE], files_checked=2)
    assert "不是有效日期" in out  # not \\u escaped
    assert json.loads(out) == [
        {
            "file": "records/cg/s.yaml",
            "line": 12,
            "column": 7,
            "path": "/hazards/2/deadline",
            "place": "隐患清单 第3项 › 整改期限",
            "message": "'2024-13-01' 不是有效日期 (YYYY-MM-DD)",
            "code": "schema.format",
            "severity": "error",
        },
        {
            "file": "records/cg/s.yaml",
            "line": 40,
            "column": 3,
            "path": "/drills",
            "place": "",
            "message": "本月尚未开展疏散演练",
            "code": "rule.drill-monthly",
            "severity": "warning",
            "school": "cg-s",
            "category": "应急演练",
            "source": "003 三(四)二",
        },
    ]
    assert json.loads(as_json([])) == []


def test_github_workflow_commands_are_escaped():
    odd = Finding(
        file="records/a,b/c:d.yaml",
        line=3,
        column=1,
        place="风险清单 第1项 › 管控措施: 甲,乙",
        message="100% 不对\r\n第二行",
        code="schema.x",
    )
    assert github([DATE, odd, LOAD, RULE], files_checked=3) == (
        "::error file=records/cg/s.yaml,line=12,col=7,title=隐患清单 第3项 › 整改期限::"
        "'2024-13-01' 不是有效日期 (YYYY-MM-DD)\n"
        "::error file=records/a%2Cb/c%3Ad.yaml,line=3,col=1,"
        "title=风险清单 第1项 › 管控措施%3A 甲%2C乙::"
        "100%25 不对%0D%0A第二行\n"
        "::error file=records/cg/t.yaml,title=file.encoding::"
        "文件是 UTF-16 编码,请另存为 UTF-8 编码\n"
        "::warning file=records/cg/s.yaml,line=40,col=3,title=应急演练::"
        "本月尚未开展疏散演练(依据:003 三(四)二)\n"
        "检查了 3 份档案,发现 4 处问题(3 个错误、1 个警告;3 个文件)\n"
    )


def test_markdown_table():
    assert markdown([DATE], files_checked=5) == (
        "### 校验结果\n\n检查了 5 份档案,发现 1 处问题(1 个文件)\n\n"
        "| 文件 | 级别 | 位置 | 问题 | 代码 |\n"
        "|---|---|---|---|---|\n"
        "| `records/cg/s.yaml:12:7` | 错误 | 隐患清单 第3项 › 整改期限 "
        "| '2024-13-01' 不是有效日期 (YYYY-MM-DD) | `schema.format` |\n"
    )
    assert (
        markdown([], files_checked=5, title="档案校验") == "### 档案校验\n\n全部 5 份档案通过校验\n"
    )


def test_markdown_escapes_cells_and_adds_rule_columns():
    odd = Finding(file="f.yaml", line=1, column=1, message="a|b <script>\nc", code="x")
    out = markdown([odd, RULE])
    assert "| 文件 | 级别 | 学校 | 类别 | 位置 | 问题 | 依据 | 代码 |" in out
    assert "a\\|b &lt;script&gt;<br>c" in out
    assert "| cg-s | 应急演练 |" in out and "| 003 三(四)二 |" in out
