"""风险: the risk list (风险清单), published as the risk announcement (风险公告)."""

from __future__ import annotations

from generator.core.dates import parse_date
from generator.core.rules.base import Deadline, Hit, due, rule


@rule(
    id="risk.none",
    category="风险",
    severity="error",
    title="未建立安全风险清单",
    source="000 二(一)2; 004 三(二)3",
    fields=("risks",),
)
def none(school, ctx):
    if not school.get("risks"):
        yield Hit(("risks",), "未开展安全风险辨识评估:风险清单是空的")


@rule(
    id="risk.no_controls",
    category="风险",
    severity="error",
    title="风险点未落实管控措施",
    source="000 二(一)2(落实安全风险管控措施); 003 三(三)",
    fields=("risks[].controls",),
)
def no_controls(school, ctx):
    for path, risk in school.items("risks"):
        if not risk.get("controls"):
            yield Hit((*path, "controls"), f"风险点 {risk['id']}({risk['category']})没有管控措施")


@rule(
    id="risk.review_overdue",
    category="风险",
    severity="error",
    title="风险点超过复核日期未重新评估",
    source="000 二(一)2(安全风险评估、管控、公告制度); 004 三(二)3(动态风险监测)",
    fields=("risks[].next_review",),
)
def review_overdue(school, ctx):
    for path, risk in school.items("risks"):
        due = parse_date(risk.get("next_review"))
        if due is not None and ctx.as_of > due:
            yield Hit(
                (*path, "next_review"),
                f"风险点 {risk['id']}({risk['category']})应于 {due} 复核,已逾期",
                "overdue",
                due,
            )


@due("risk.review_overdue")
def _risk_reviews(school, ctx):
    for _, r in school.items("risks"):
        review = parse_date(r.get("next_review"))
        if review and r.get("id"):
            yield Deadline(
                "risk-review",
                r["id"],
                review,
                f"风险复核:{r.get('place', '')}({r['id']})",
                f"风险点 {r['id']}({r.get('place', '')},{r.get('category', '')},"
                f"{r.get('level', '')}风险)"
                f"计划于 {review.isoformat()} 复核。",
                "风险",
                (7,),
            )
