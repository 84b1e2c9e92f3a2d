"""The generator of synthetic dossiers: one seeded random source, templates per section."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from generator.core.rules.responsibilities import SAFETY_RULES
from generator.devtools.synth.words import (
    BRANDS,
    DISTRICT_NAMES,
    DRILL_KIND_OTHER,
    DRILL_PROBLEMS,
    EDUCATION,
    ESCORT,
    EXPERIMENTAL_KIND,
    GIVEN,
    HAZARDS,
    INSPECTORS,
    MEETING_TOPICS,
    MEMBER_POSTS,
    MIX,
    NUMBERED_KIND,
    PLACE,
    PLANS,
    POSTS,
    REF,
    RISK_CATEGORY,
    RISKS,
    ROADS,
    RULE_SETS,
    SCHOOLS_PER_DISTRICT,
    SECONDARY,
    STAGE_FACTS,
    STAGE_SLUG,
    STAGE_WEIGHTS,
    STAGES,
    SURNAMES,
    TOWN_KIND,
    TOWN_SUFFIX,
    TOWN_SYL,
    cn_number,
    day,
    months_back,
    off,
)

# ---------------------------------------------------------------------------------------------
# The generator


class Synth:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.experimental: set[str] = set()  # districts that have their 实验小学

    # -- small helpers -------------------------------------------------------------------------

    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def mobile(self) -> str:
        return f"13{self.rng.randint(0, 9)}0000{self.rng.randint(0, 9999):04d}"

    def landline(self, area: str) -> str:
        return f"{area}-{self.rng.randint(2, 8)}{self.rng.randint(0, 9999999):07d}"

    def town(self) -> str:
        r = self.rng
        return r.choice(TOWN_SYL) + r.choice(TOWN_SYL) + r.choice(TOWN_SUFFIX)

    def pick(self, weights: tuple) -> str:
        return self.rng.choices([k for k, _ in weights], [w for _, w in weights])[0]

    # -- the tree ------------------------------------------------------------------------------

    def tree(self, schools: int) -> Iterator[tuple[str, dict]]:
        n_districts = max(1, round(schools / SCHOOLS_PER_DISTRICT))
        width = max(2, len(str(n_districts)))
        school_width = max(4, len(str(schools)))
        cities = self.cities((n_districts + 7) // 8)
        index = 0
        for k in range(n_districts):
            city, area = cities[k // 8]
            district = self.district(k, width, city)
            yield f"{district['id']}/_district.yaml", district
            count = (k + 1) * schools // n_districts - k * schools // n_districts
            for _ in range(count):
                stage = STAGES[index] if index < len(STAGES) else None
                index += 1
                school_id = f"{district['id']}-s{index:0{school_width}d}"
                data = self.dossier(school_id, district, area, stage)
                yield f"{district['id']}/{data['profile']['id']}.yaml", data

    def cities(self, n: int) -> list[tuple[str, str]]:
        names = [PLACE[i : i + 2] for i in range(0, len(PLACE), 2)]
        while len(names) < n:
            name = self.rng.choice(TOWN_SYL) + self.rng.choice(PLACE)
            if name not in names:
                names.append(name)
        return [(name + "市", f"0{300 + i % 700}") for i, name in enumerate(names[:n])]

    def district(self, k: int, width: int, city: str) -> dict:
        name = DISTRICT_NAMES[k % 8 + 8 * (k // 8 % 2)]
        did = f"d{k + 1:0{width}d}"
        return {
            "schema_version": 1,
            "id": did,
            "name": name,
            "city": city,
            "rule_set": RULE_SETS[k % len(RULE_SETS)],
            "bureau": f"{city}{name}教育局校园安全管理办公室",
            "reviewers": [
                {"account": f"xiaoan-{did}-shenhe{i}", "name": self.person()} for i in (1, 2)
            ],
        }

    def school_name(self, stage: str, district: dict, experimental: bool) -> tuple[str, bool]:
        """A name not used before in the tree, and whether it is a private school's brand name."""
        r = self.rng
        city, short = district["city"], district["name"][:-1]
        for attempt in range(5):
            roll, private = r.random(), False
            if experimental and attempt == 0 or 0.5 <= roll < 0.6:  # 东城实验小学
                name = f"{short}{EXPERIMENTAL_KIND[stage]}"
            elif roll < 0.35:  # 柳庄镇中心小学
                name = f"{self.town()}{TOWN_KIND[stage]}"
            elif roll < 0.5:  # 育才学校
                name = f"{r.choice(BRANDS)}{'学校' if stage in SECONDARY else NUMBERED_KIND[stage]}"
                private = True
            else:
                break
            if name not in self.names:
                self.names.add(name)
                return name, private
        # numbered within the city, which never repeats: 临河市第十二小学
        kind = NUMBERED_KIND[stage]
        n = self.counters[(city, kind)] = self.counters.get((city, kind), 0) + 1
        name = f"{city}第{cn_number(n)}{kind}"
        self.names.add(name)
        return name, False

    # -- one dossier ---------------------------------------------------------------------------

    def dossier(self, school_id: str, district: dict, area: str, stage: str | None) -> dict:
        r = self.rng
        kind = self.pick(MIX)
        stage = stage or r.choices(STAGES, STAGE_WEIGHTS)[0]
        (low, high), boarding_share, private_share = STAGE_FACTS[stage]
        # the first primary school of each district is its 实验小学
        experimental = stage == "小学" and district["id"] not in self.experimental
        if experimental:
            self.experimental.add(district["id"])
        name, branded = self.school_name(stage, district, experimental)
        students = r.randint(low, high)
        boarding = r.random() < boarding_share
        names: dict[str, None] = {}
        while len(names) < 20:
            names[self.person()] = None
        ctx = School(
            kind=kind,
            stage=stage,
            students=students,
            staff=max(8, students // r.randint(9, 16)),
            boarding=boarding,
            secondary=stage in SECONDARY,
            canteen=boarding or stage == "幼儿园" or r.random() < 0.6,
            equipment=boarding and r.random() < 0.5 or r.random() < 0.15,
            principal=next(iter(names)),
            people=list(names),
        )
        if kind == "overdue":
            ctx.problems = {r.choice(("hazard", "hazard", "hazard", "spray", "drill"))}
            if r.random() < 0.3:
                ctx.problems.add(r.choice(("spray", "drill", "hazard")))
        elif kind == "gap":
            ctx.problems = {r.choice(("guard", "video", "alarm", "barrier", "signs", "canteen"))}
        buses = stage in ("幼儿园", "小学", "九年一贯制", "特殊教育") and r.random() < 0.2

        risks = self.risks(ctx)
        inspections = self.inspections()
        drills = self.drills(ctx)
        plans = self.plans(ctx)
        if buses:
            drills.append(self.drill(ctx, REF.year, 10, "校车", "部分"))
            drills.sort(key=lambda d: d["date"])
            plans.append(
                {
                    "kind": "校车事故",
                    "title": "校车安全事故应急预案",
                    "revised": day(-r.randint(30, 300)),
                    "approved_by": ctx.principal,
                }
            )
        data: dict = {
            "schema_version": 1,
            "profile": {
                "id": f"{school_id}-{STAGE_SLUG[stage]}",
                "name": name,
                "district": district["id"],
                "stage": stage,
                "ownership": "民办" if branded or r.random() < private_share else "公办",
                "boarding": boarding,
                "students": students,
                "staff": ctx.staff,
                "address": f"{district['city']}{district['name']}"
                f"{r.choice(ROADS)}{r.randint(1, 399)}号",
                "principal": ctx.principal,
                "office_phone": self.landline(area),
            },
            "responsibilities": self.responsibilities(ctx),
            "risks": risks,
            "hazards": self.hazards(ctx, risks, inspections),
            "drills": drills,
            "devices": self.devices(ctx),
            "police": self.police(area),
            "emergency_plans": plans,
            "safety_education": self.education(ctx),
        }
        if buses:
            data["school_buses"] = self.buses()
        data["canteen"] = self.canteen(ctx) if ctx.canteen else {"operated": False}
        data["chemicals"] = self.chemicals(ctx) if ctx.secondary else {"held": False}
        if ctx.equipment:
            data["special_equipment"] = self.special_equipment(ctx)
        data["inspections"] = inspections
        data["reports"] = self.reports()
        self.seed_requirements(data, ctx)
        return data

    def seed_requirements(self, data: dict, ctx: School) -> None:
        """The fields of the rules added from the seeds (issue #12). They draw from their own
        generator, seeded by the school's id, so every earlier choice stays as it was; a
        compliant school meets them all, a school with a gap misses one of them."""
        r = random.Random(data["profile"]["id"])
        resp, dev = data["responsibilities"], data["devices"]
        resp.update(
            safety_office=True,
            safety_rules=list(SAFETY_RULES),
            warning_education=day(-r.randint(30, 400)),
            safety_talk=day(-r.randint(10, 300)),
        )
        dev.update(
            peak_extra_guards=True,
            **({"dorm_managers": r.randint(1, 4)} if ctx.boarding else {}),
            handover_log=True,
            patrol_log=True,
            electronic_patrol=True,
            fire_acceptance=True,
        )
        dev["video"].update(keeper_assigned=True, daily_check=True)
        if ctx.kind == "compliant" and not dev["perimeter_alarm"]["installed"]:
            dev["perimeter_alarm"] = {"installed": True, "zones": ["东侧围墙", "西侧围墙"]}
        data["police"]["legal_counsellor"] = True
        for bus in data.get("school_buses", []):
            bus.update(gps=True, escort=True)
            bus["driver"].update(
                qualification_valid_until=bus["driver"]["licence_valid_until"], matches_sign=True
            )
        if ctx.canteen:
            data["canteen"].update(
                staff_health_certified=True,
                purchase_records=True,
                flue_cleaned=day(-r.randint(5, 80)),
                gas_safety=True,
                lpg_store=r.choice(("不使用液化气", "不使用液化气", "规范")),
            )
        if data["chemicals"].get("held"):
            data["chemicals"].update(lab_admission=True, waste_disposal=True)
        for item in data.get("special_equipment", []):
            if item["kind"] != "电梯":
                item["last_maintenance"] = day(-r.randint(1, 25))
        data["emergency_supplies"] = {"stocked": True, "last_checked": day(-r.randint(1, 60))}
        data["student_support"] = {"hotline_posted": True, "help_line": True}
        data["buildings"] = [
            {"name": name, "safety_grade": r.choice("AAB"), "in_use": True,
             "last_checked": day(-r.randint(30, 300))}
            for name in ("1号教学楼", "综合楼", "学生宿舍楼")[: 3 if ctx.boarding else 2]
        ]  # fmt: skip
        data["hazard_checks"] = [
            {"date": d, "kind": "开学前排查", "hazards_found": r.randint(0, 3)}
            for d in ("2026-02-20", "2026-08-25")
        ]
        for h in data["hazards"]:  # 002 四2: a plan with its funds for what is not fixed at once
            if h["status"] != "已销号" and not h.get("immediate") and "funds" not in h:
                h["funds"] = {"amount": r.randint(1, 30) * 1000, "source": "学校公用经费",
                              "secured": True}  # fmt: skip
        if ctx.kind == "gap" and r.random() < 0.5:
            data["buildings"][0]["last_checked"] = day(-r.randint(400, 700))

    def responsibilities(self, ctx: School) -> dict:
        r = self.rng
        members = r.sample(MEMBER_POSTS, r.randint(3, 5))
        people = iter(ctx.people[1:])  # after the principal: distinct people for these posts
        rep, minor = next(people), next(people)
        letters = date(2026, 9, r.randint(1, 12))
        posts = []
        for post, duties in r.sample(POSTS, r.randint(3, 5)):
            if post == "宿舍管理员" and not ctx.boarding:
                continue
            posts.append(
                {
                    "post": post,
                    "person": r.choice(ctx.people),
                    "duties": duties,
                    "letter_signed": (letters + timedelta(days=r.randint(0, 5))).isoformat(),
                }
            )
        return {
            "leadership_group": {
                "leader": ctx.principal,
                "established": date(2026, 9, r.randint(1, 8)).isoformat(),
                "members": [
                    {
                        "name": next(people),
                        "post": post,
                        **({"role": role} if r.random() < 0.5 else {}),
                    }
                    for post, role in members
                ],
            },
            "safety_representative": {
                "name": rep,
                "post": "安全办主任",
                "full_time": True,
                "appointed": day(-r.randint(80, 1500)),
                "phone": self.mobile(),
            },
            "minor_protection_officer": {
                "name": minor,
                "post": r.choice(("德育主任", "心理教师", "团委书记", "副校长")),
                "appointed": day(-r.randint(80, 1500)),
                "phone": self.mobile(),
            },
            "posts": posts,
            "meetings": [
                {
                    "date": date(y, m, r.randint(2, 12)).isoformat(),
                    "topic": r.choice(MEETING_TOPICS),
                    "attendees": r.randint(6, 15),
                }
                for y, m in reversed(months_back(r.randint(2, 3)))
            ],
        }

    def risks(self, ctx: School) -> list[dict]:
        r = self.rng
        pool = [t for t in RISKS if ctx.has(t[0])]
        chosen = r.sample(pool, min(len(pool), 3 + int(r.random() ** 3 * 6)))  # 3–8, mostly few
        risks = []
        for i, (category, place, description, controls, levels) in enumerate(chosen, 1):
            risks.append(
                {
                    "id": f"R-{i:02d}",
                    "place": place,
                    "category": category,
                    "description": description,
                    "level": r.choice(levels),
                    "controls": list(controls[: r.randint(2, 3)]),
                    "owner": r.choice(ctx.people),
                    **({"owner_phone": self.mobile()} if r.random() < 0.3 else {}),
                    "assessed": day(-r.randint(20, 300)),
                    "next_review": day(r.randint(20, 250)),
                }
            )
        return risks

    def inspections(self) -> list[dict]:
        """Two inspections a semester, this one and the last, and sometimes one from last year."""
        r = self.rng
        dates = [
            date(2026, 9, r.randint(3, 28)),
            date(2026, r.choice((10, 11)), r.randint(3, 20)),
            date(2026, 3, r.randint(3, 30)),
            date(2026, r.choice((5, 6)), r.randint(3, 28)),
        ]
        if r.random() < 0.3:
            dates.append(date(2025, r.choice((10, 11, 12)), r.randint(3, 28)))
        dates.sort()
        out = []
        numbers: dict[int, int] = {}
        for d in dates:
            numbers[d.year] = numbers.get(d.year, 0) + 1
            by, _, notes = r.choice(INSPECTORS)
            out.append(
                {
                    "id": f"I-{d.year}-{numbers[d.year]:02d}",
                    "date": d.isoformat(),
                    "by": by,
                    "hazards_found": 0,
                }
            )
            if r.random() < 0.5:
                out[-1]["notes"] = notes + "。"
        return out

    def hazards(self, ctx: School, risks: list[dict], inspections: list[dict]) -> list[dict]:
        r = self.rng
        n = 2 + int(r.random() ** 4 * 11)  # 2–12, mostly few
        states = ["closed"] * n
        if ctx.kind == "open" or (ctx.kind in ("overdue", "major", "gap") and r.random() < 0.4):
            for i in range(r.randint(1, min(3, n - 1))):
                states[i] = "open"
        if "hazard" in ctx.problems:
            states[-1] = "overdue"
            if r.random() < 0.3 and n > 2:
                states[-2] = "overdue"
        if ctx.kind == "major":
            states[-1] = "major"
        risk_by_category = {}
        for risk in risks:
            risk_by_category.setdefault(risk["category"], risk["id"])
        by_source = {by: source for by, source, _ in INSPECTORS}
        items = []
        for state in states:
            # now and then a major hazard, long since closed
            major = state == "major" or state == "closed" and r.random() < 0.04
            templates = [t for t in HAZARDS if (t[5] is not None) == major and ctx.has(t[0])]
            items.append(
                self.hazard(
                    ctx, state, r.choice(templates), inspections, by_source, risk_by_category
                )
            )
        items.sort(key=lambda h: h["found"])
        numbers: dict[str, int] = {}
        for h in items:
            year = h["found"][:4]
            numbers[year] = numbers.get(year, 0) + 1
            h["id"] = f"H-{year}-{numbers[year]:03d}"
        for insp in inspections:
            insp["hazards_found"] = sum(h.get("inspection") == insp["id"] for h in items)
        return items

    def hazard(self, ctx, state, template, inspections, by_source, risk_by_category) -> dict:
        r = self.rng
        category, location, description, measures, interim, plan = template
        # when found: closed ones any time in the last year or so, open ones recently
        if state == "closed":
            window = (-420, -3)
        elif state == "overdue":
            window = (-200, -30)
        elif state == "major":
            window = (-120, -10)
        else:
            window = (-45, -1)
        candidates = [
            i for i in inspections if window[0] <= off(date.fromisoformat(i["date"])) <= window[1]
        ]
        h: dict = {"id": ""}
        if candidates and r.random() < 0.5:
            insp = r.choice(candidates)
            found = off(date.fromisoformat(insp["date"]))
            h.update(found=insp["date"], source=by_source[insp["by"]], inspection=insp["id"])
            h["found_by"] = self.person()
        else:
            found = r.randint(*window)
            h.update(found=day(found), source="自查")
        major = plan is not None
        immediate = state == "closed" and not major and r.random() < 0.4
        h.update(
            location=location,
            description=description,
            category=category,
            grade="重大" if major else "一般",
            immediate=immediate,
        )
        if state == "closed":
            if immediate:
                deadline = rectified = closed = found
            else:
                deadline = found + (r.randint(60, 180) if major else r.randint(5, 45))
                last = min(deadline, -1)
                rectified = r.randint(found, max(found, last - 1))
                closed = r.randint(rectified, max(rectified, last))
            h.update(
                status="已销号",
                measures=measures,
                owner=r.choice(ctx.people),
                deadline=day(deadline),
            )
        else:
            if state == "overdue":
                deadline = r.randint(max(found + 7, -60), -3)
            elif state == "major":
                deadline = r.randint(30, 160)
            else:
                deadline = r.randint(5, 60)
            status = (
                r.choice(("登记", "整改中", "整改中", "待验收")) if state == "open" else "整改中"
            )
            if found >= -3 and state == "open" and r.random() < 0.5:
                status = "发现"
            h.update(
                status=status, measures=measures, owner=r.choice(ctx.people), deadline=day(deadline)
            )
        if major:
            h["funds"] = {
                "amount": r.randint(5, 90) * 10000,
                "source": r.choice(("区财政专项", "市级专项资金", "学校公用经费")),
                "secured": state == "closed" or r.random() < 0.5,
            }
            h["plan"] = plan
        if not immediate and state != "closed":
            h["interim_controls"] = interim
            h["watcher"] = r.choice(ctx.people)
        if state == "closed":
            h.update(rectified=day(rectified), closed=day(closed), verifier=r.choice(ctx.people))
        elif h["status"] == "待验收":
            h["rectified"] = day(r.randint(found, 0))
        risk = risk_by_category.get(RISK_CATEGORY.get(category, ""))
        if risk:
            h["risk"] = risk
        if r.random() < 0.1:
            h["notes"] = r.choice(
                ("已向区教育局书面报告。", "整改前后照片已存档。", "已纳入本月隐患清单月报。")
            )
        return h

    def drill(self, ctx: School, year: int, month: int, kind: str, scope: str) -> dict:
        r = self.rng
        last_day = 20 if (year, month) == (REF.year, REF.month) else 26
        people = ctx.students + ctx.staff
        participants = (
            people - r.randint(0, people // 20)
            if scope == "全校"
            else r.randint(30, max(31, people // 3))
        )
        if ctx.secondary:
            seconds = r.randint(75, 118)
        else:
            seconds = r.randint(95, 175)
        d = {
            "date": date(year, month, r.randint(2, last_day)).isoformat(),
            "kind": kind,
            "scope": scope,
            "participants": participants,
            "evacuation_seconds": seconds,
        }
        if r.random() < 0.6:
            d["organiser"] = r.choice(ctx.people)
        if r.random() < 0.25:
            d["problems"], d["improvements"] = r.choice(DRILL_PROBLEMS)
        return d

    def drills(self, ctx: School) -> list[dict]:
        """A drill each month of this term and the last, at least three a term whole-school
        fire and earthquake drills (both kinds each term), sometimes a few from before."""
        r = self.rng
        months = [(2026, 9), (2026, 10), (2026, 11)]
        if "drill" in ctx.problems:  # the last two months missed (the whole term in a kindergarten)
            months = [] if ctx.stage == "幼儿园" else months[:1]
        spring = [(2026, 3), (2026, 4), (2026, 5), (2026, 6)]
        other = r.choice(spring)
        older = [(2025, 12), (2026, 1)][2 - int(r.random() ** 2 * 3) :]
        drills = []
        for y, m in older + spring + months:
            if (y, m) == other or y == 2025 or m == 1:
                kind = r.choice(DRILL_KIND_OTHER)
                scope = "全校" if kind in ("消防疏散", "地震疏散") or r.random() < 0.6 else "部分"
            else:
                kind, scope = ("地震疏散" if m in (4, 5, 10) else "消防疏散"), "全校"
            drills.append(self.drill(ctx, y, m, kind, scope))
        return drills

    def devices(self, ctx: School) -> dict:
        r = self.rng
        people = ctx.students + ctx.staff
        needed = 1 if people < 100 else 2 if people <= 1000 else 2 + -(-(people - 1000) // 500)
        guards = []
        for i in range(needed + r.randint(0, 1)):
            guards.append(
                {
                    "name": self.person(),
                    "certificate_no": f"保安员证{r.randint(2015, 2025)}{r.randint(0, 999999):06d}",
                    **({"phone": self.mobile()} if r.random() < 0.5 else {}),
                    "full_time": True,
                    "certified": not ("guard" in ctx.problems and i == 0),
                    "hired": day(-r.randint(60, 2500)),
                }
            )
        spray_expires = r.randint(-60, -2) if "spray" in ctx.problems else r.randint(40, 500)
        equipment = [
            {"kind": "防刺背心", "count": len(guards) + r.randint(0, 2)},
            {"kind": "钢叉", "count": r.randint(2, 6)},
            {
                "kind": "防卫喷雾",
                "count": r.randint(2, 4),
                "expires": day(spray_expires),
                "location": "门卫室",
            },
            {"kind": "一键报警遥控器", "count": r.randint(1, 3), "location": "门卫室和值班室"},
        ]
        equipment.insert(2, {"kind": "橡胶警棍", "count": len(guards)})
        for kind in ("防暴头盔", "防割手套"):
            if r.random() < 0.3:
                equipment.insert(3, {"kind": kind, "count": len(guards)})
        cameras = max(16, people // r.randint(12, 25))
        locations = ["校门内外", "门卫室", "操场", "教学楼各楼层走廊", "周界围墙"]
        if ctx.boarding:
            locations.append("学生宿舍出入口")
        if ctx.stage == "幼儿园":
            locations += ["各班活动室", "午睡室"]
        if ctx.canteen:
            locations.append("食堂操作间")
        fire = []
        for kind, low, high in (
            ("灭火器", 30, 160),
            ("室内消火栓", 8, 40),
            ("应急照明", 20, 90),
            ("疏散指示标志", 30, 120),
            ("烟感报警器", 10, 80),
        ):
            if kind in ("室内消火栓", "烟感报警器") and r.random() < 0.5:
                continue
            item = {
                "kind": kind,
                "count": r.randint(low, high),
                "last_inspected": day(-r.randint(1, 28)),
                "next_inspection": day(r.randint(3, 30)),
            }
            if kind == "疏散指示标志":
                item["national_standard"] = "signs" not in ctx.problems
                item["failed"] = r.randint(2, 6) if "signs" in ctx.problems else 0
            fire.append(item)
        rooms = r.sample(["财务室", "档案室", "配电室", "监控室"], r.randint(2, 4))
        if ctx.secondary:
            rooms.append("化学实验室药品室")
        return {
            "guards": guards,
            "duty_24h": True,
            "patrols_per_day": r.randint(5, 8),
            "closed_campus": True,
            "protective_equipment": equipment,
            "anti_collision": (
                {"installed": False}
                if "barrier" in ctx.problems
                else {
                    "installed": True,
                    "kind": r.choice(("升降柱", "隔离墩", "防撞桩")),
                    "count": r.randint(3, 8),
                }
            ),
            "video": {
                "cameras": cameras,
                "key_areas_covered": True,
                "storage_days": 30 if "video" in ctx.problems else r.choice((90, 90, 90, 120, 180)),
                "linked_police": True,
                "locations": locations,
            },
            "one_key_alarm": {
                "installed": True,
                "linked_police": "alarm" not in ctx.problems,
                "last_tested": day(-r.randint(1, 25)),
                "location": "门卫室",
            },
            "perimeter_alarm": {
                "installed": True,
                "zones": ["东侧围墙", "南侧围墙", "西侧围墙", "北侧围墙"],
            }
            if r.random() < 0.6
            else {"installed": False},
            "fire_equipment": fire,
            "key_rooms": [{"room": room, "guard_rail": True, "alarm": True} for room in rooms],
        }

    def police(self, area: str) -> dict:
        r = self.rng
        station = self.town()[:2] + "派出所"
        posts = [{"period": "早", "start": r.choice(ESCORT["早"][:2]), "end": "08:00"}]
        if r.random() < 0.4:
            posts.append({"period": "中", "start": r.choice(ESCORT["中"]), "end": "12:30"})
        posts.append(
            {
                "period": "晚",
                "start": r.choice(ESCORT["晚"]),
                "end": r.choice(("17:30", "17:40", "18:00")),
            }
        )
        return {
            "officer": self.person(),
            "badge_no": f"{r.randint(0, 999999):06d}",
            "station": station,
            "duty_phone": self.landline(area),
            "officer_mobile": self.mobile(),
            "duties": "指导学校安全防范和安全教育;每周到校巡查;上下学时段护学;"
            "接警后第一时间到场处置。",
            "complaint_phone": "12389",
            "notice_posted": day(-r.randint(10, 200)),
            "escort_posts": posts,
        }

    def plans(self, ctx: School) -> list[dict]:
        r = self.rng
        chosen = PLANS[:3] + tuple(r.sample(PLANS[3:], r.randint(1, 3)))
        plans = [
            {"kind": kind, "title": title, "revised": day(-r.randint(20, 300))}
            for kind, title in chosen
        ]
        plans[0]["approved_by"] = ctx.principal
        if ctx.stage != "特殊教育" and r.random() < 0.5:
            plans.append(
                {
                    "kind": "食品安全",
                    "title": "食品安全事故应急预案",
                    "revised": day(-r.randint(20, 300)),
                    "approved_by": ctx.principal,
                }
            )
        return plans

    def education(self, ctx: School) -> list[dict]:
        """Twelve hours or more in the last school year, and as many in this one so far."""
        r = self.rng
        out = []
        for months in ((3, 4, 5, 6), (9, 10, 11)):
            year = 2026
            hours = 0.0
            while hours < 12:
                audience = "全园幼儿" if ctx.stage == "幼儿园" else "全校学生"
                m = r.choice(months)
                d = date(year, m, r.randint(2, 20 if m == 11 else 27))
                h = r.choice((2, 3, 4, 4, 6))
                hours += h
                if ctx.stage != "幼儿园" and r.random() < 0.3:
                    audience = r.choice(
                        ("一年级", "二年级", "毕业年级", "寄宿学生" if ctx.boarding else "三年级")
                    )
                out.append({"date": d.isoformat(), "topic": r.choice(EDUCATION[m]), "hours": h})
                if r.random() < 0.5:
                    out[-1]["audience"] = audience
        out.sort(key=lambda e: e["date"])
        return out

    def canteen(self, ctx: School) -> dict:
        r = self.rng
        weekday = REF - timedelta(days=max(0, REF.weekday() - 4))
        grams = 100 if "canteen" in ctx.problems else r.choice((125, 150, 200, 200))
        return {
            "operated": True,
            "licence_no": f"JY{r.randint(1, 9)}{r.randint(0, 10**13 - 1):013d}",
            "licence_valid_until": day(r.randint(120, 1500)),
            "open_kitchen": True,
            "accompanied_meals_recorded": True,
            "last_accompanied_meal": weekday.isoformat(),
            "sample_grams": grams,
            "sample_hours": r.choice((48, 48, 72)),
            "sample_log": True,
        }

    def chemicals(self, ctx: School) -> dict:
        r = self.rng
        return {
            "held": True,
            "keepers": r.sample(ctx.people, 2),
            "double_lock": True,
            "ledger": True,
            "last_checked": day(-r.randint(1, 28)),
            "store_location": "实验楼二楼药品室",
        }

    def special_equipment(self, ctx: School) -> list[dict]:
        r = self.rng
        items = []
        if ctx.boarding and r.random() < 0.7:
            items.append(
                {
                    "kind": "锅炉",
                    "name": "1号燃气热水锅炉",
                    "reg_no": f"锅G{r.randint(0, 99999):05d}",
                    "last_inspection": day(-r.randint(30, 300)),
                    "next_inspection": day(r.randint(60, 330)),
                    "operator_certified": True,
                }
            )
        for i in range(r.randint(0 if items else 1, 2)):
            items.append(
                {
                    "kind": "电梯",
                    "name": f"{i + 1}号楼电梯",
                    "reg_no": f"梯T{r.randint(0, 99999):05d}",
                    "last_inspection": day(-r.randint(30, 300)),
                    "next_inspection": day(r.randint(60, 330)),
                    "last_maintenance": day(-r.randint(1, 12)),
                    "operator_certified": True,
                }
            )
        return items

    def buses(self) -> list[dict]:
        r = self.rng
        return [
            {
                "plate": f"冀{r.choice('ABCDEFG')}·{r.randint(10000, 99999)}",
                "sign_no": f"XC{r.randint(2024, 2026)}{r.randint(0, 99999):05d}",
                "sign_valid_until": day(r.randint(60, 700)),
                "seats": r.choice((19, 35, 41, 56)),
                "route": f"{self.town()}—{self.town()}—学校",
                "driver": {
                    "name": self.person(),
                    "licence_valid_until": day(r.randint(200, 2000)),
                    "driving_years": r.randint(5, 25),
                    "age": r.randint(30, 55),
                },
            }
            for _ in range(r.randint(1, 2))
        ]

    def reports(self) -> dict:
        r = self.rng
        monthly = [
            {"month": f"{y}-{m:02d}", "submitted": date(y, m, r.randint(1, 10)).isoformat()}
            for y, m in reversed(months_back(r.randint(3, 6)))
        ]
        return {
            "monthly": monthly,
            "annual": [
                {"year": y, "submitted": date(y, 12, r.randint(1, 15)).isoformat()}
                for y in (2024, 2025)
            ],
        }


@dataclass
class School:
    """What the parts of one dossier share while it is built."""

    kind: str  # one of MIX
    stage: str
    students: int
    staff: int
    boarding: bool
    secondary: bool
    canteen: bool
    equipment: bool  # has special equipment (boiler, lift)
    principal: str
    people: list[str]  # staff names to draw owners, organisers … from
    problems: set[str] = field(default_factory=set)  # what is wrong, beyond the kind

    def has(self, category: str) -> bool:
        """Whether a risk or hazard of this category can arise at this school."""
        if category in ("危化品", "危险化学品"):
            return self.secondary
        if category == "特种设备":
            return self.equipment
        if category in ("食品", "食品安全"):
            return self.canteen
        return True

