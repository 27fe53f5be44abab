"""Statistics: what the dashboard charts show — open matters, overdue work, decisions, meeting cadence.

Pure reads over the database; every function returns plain dicts and lists so the web page, the
JSON API and the CLI can show the same numbers. The day (`today`) is passed in, never read here.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quorum.calendar import TZ
from quorum.core.messages import message
from quorum.core.spec import PolicySet, WorkflowSpec
from quorum.core.states import ItemStatus, MatterStatus, MeetingStatus, SupervisionStatus, TaskStatus
from quorum.db import AgendaItem, Matter, MatterStep, Meeting, SupervisionItem, Task, Unit
from quorum.explain import KIND_NAMES
from quorum.services.policies import policy_set_for

STAGES = ("submit", "gate", "review", "countersign", "meeting", "record", "supervise")
RESULTS = ("passed", "not_passed", "postponed")


def _workflow(s: Session, policies: PolicySet, key: str, version_id: int) -> WorkflowSpec | None:
    """The workflow as now written, or as the matter's own version wrote it if since removed."""
    if key in policies.workflows:
        return policies.workflows[key]
    return policy_set_for(s, version_id).workflows.get(key)


def _category_label(spec: WorkflowSpec | None, category: str | None, workflow_key: str) -> str:
    if spec is None:
        return category or workflow_key
    if category is None:
        return spec.name
    field = next((f for f in spec.fields if f.key == "category"), None)
    return field.choice_label(category) if field else category


def open_matters(s: Session, policies: PolicySet) -> dict[str, Any]:
    """Count open (in progress) matters by category, split by the kind of step each now waits at."""
    query = (select(Matter.workflow_key, Matter.policy_version_id, Matter.category, MatterStep.kind,
                    func.count(Matter.id))
             .join(MatterStep, (MatterStep.matter_id == Matter.id) & (MatterStep.step_key == Matter.current_step))
             .where(Matter.status == MatterStatus.ACTIVE)
             .group_by(Matter.workflow_key, Matter.policy_version_id, Matter.category, MatterStep.kind))
    rows: dict[str, dict[str, Any]] = {}
    for workflow_key, version_id, category, kind, count in s.execute(query):
        label = _category_label(_workflow(s, policies, workflow_key, version_id), category, workflow_key)
        row = rows.setdefault(label, {"label": label, "total": 0, "by_stage": Counter()})
        row["by_stage"][kind] += count
        row["total"] += count
    used = {kind for row in rows.values() for kind in row["by_stage"]}
    stages = [{"key": k, "name": KIND_NAMES.get(k, k)} for k in STAGES if k in used]
    categories = sorted(rows.values(), key=lambda r: (-r["total"], r["label"]))
    for row in categories:
        row["by_stage"] = {st["key"]: row["by_stage"].get(st["key"], 0) for st in stages}
    return {"categories": categories, "stages": stages, "total": sum(r["total"] for r in categories)}


def overdue_by_unit(s: Session, today: date) -> dict[str, Any]:
    """Count overdue work per unit: open tasks by the matter's unit, open supervision items by their lead unit.

    Tasks shared by several holders (any_of) are one piece of work and count once.
    """
    units = {u.id: u.short_name for u in s.execute(select(Unit)).scalars()}
    tasks = (select(Matter.unit_id, func.count(func.distinct(Task.group_key)))
             .join(Matter, Matter.id == Task.matter_id)
             .where(Task.status == TaskStatus.OPEN, Task.due_date.is_not(None), Task.due_date < today)
             .group_by(Matter.unit_id))
    items = (select(SupervisionItem.lead_unit_id, func.count(SupervisionItem.id))
             .where(SupervisionItem.status == SupervisionStatus.OPEN, SupervisionItem.due_date < today)
             .group_by(SupervisionItem.lead_unit_id))
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"tasks": 0, "supervision": 0})
    for unit_id, count in s.execute(tasks):
        rows[units.get(unit_id, message("value.no_unit"))]["tasks"] += count
    for unit_id, count in s.execute(items):
        rows[units.get(unit_id, message("value.no_unit"))]["supervision"] += count
    out = [{"unit": name, "label": name, **row, "total": row["tasks"] + row["supervision"]} for name, row in rows.items()]
    out.sort(key=lambda r: (-r["total"], r["unit"]))
    return {"units": out, "tasks": sum(r["tasks"] for r in out), "supervision": sum(r["supervision"] for r in out)}


def _months(today: date, count: int) -> list[tuple[int, int]]:
    """The last `count` calendar months ending with today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


def decisions_by_month(s: Session, today: date, months: int = 12) -> dict[str, Any]:
    """Count agenda items decided in each of the last `months` months, split by result."""
    window = [(y, m + 1) for y, m in _months(today, months)]
    start = datetime.combine(date(*window[0], 1), time(0), tzinfo=TZ)
    query = select(AgendaItem.decided_at, AgendaItem.result).where(
        AgendaItem.status == ItemStatus.DECIDED, AgendaItem.decided_at >= start)
    counts: Counter = Counter()
    for decided_at, result in s.execute(query):
        local = decided_at.astimezone(TZ)
        if local.date() <= today and result in RESULTS:
            counts[(local.year, local.month, result)] += 1
    rows = []
    for year, month in window:
        by_result = {r: counts[(year, month, r)] for r in RESULTS}
        rows.append({"year": year, "month": month, "key": f"{year}-{month:02d}", "label": message("value.year_month", year=year, month=month),
                     "short": message("value.month", month=month), **by_result, "total": sum(by_result.values())})
    results = [{"key": r, "name": message(f"result.{r}")} for r in RESULTS]
    totals = {r: sum(row[r] for row in rows) for r in RESULTS}
    return {"months": rows, "results": results, "totals": totals, "total": sum(totals.values())}


def elapsed_share(year: int, today: date) -> float:
    """How much of `year` has passed by the end of `today`: 0 before it starts, 1 once it is over."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return ((today - date(year, 1, 1)).days + 1) / days


def meetings_held(s: Session, policies: PolicySet, year: int, today: date) -> dict[str, Any]:
    """Meetings each body held (closed) in `year`, against the number its rules of procedure require.

    `expected_to_date` is the required number times the share of the year gone by; a body that has
    held fewer meetings than the whole meetings expected by now is `behind`.
    """
    held = _held_in_year(s, year)
    share = elapsed_share(year, today)
    bodies = []
    for body in policies.bodies.values():
        required = body.min_meetings_per_year
        expected = round(required * share, 1)
        count = held.get(body.key, 0)
        bodies.append({"key": body.key, "name": body.name, "short_name": body.short_name, "required": required,
                       "held": count, "expected_to_date": expected, "met": count >= required,
                       "behind": count < int(required * share)})
    return {"year": year, "share": round(share, 4), "bodies": bodies}


def _held_in_year(s: Session, year: int) -> dict[str, int]:
    """Closed meetings per body whose opening fell in `year` (Asia/Shanghai)."""
    start = datetime.combine(date(year, 1, 1), time(0), tzinfo=TZ)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=TZ)
    query = (select(Meeting.body_key, func.count(Meeting.id))
             .where(Meeting.status == MeetingStatus.CLOSED, Meeting.opened_at >= start, Meeting.opened_at < end)
             .group_by(Meeting.body_key))
    return {key: count for key, count in s.execute(query)}


def meeting_years(s: Session, today: date) -> list[int]:
    """Years that can be chosen for the meetings chart: any with a meeting, plus this year; newest first."""
    years = {today.year}
    for opened in s.execute(select(Meeting.opened_at).where(Meeting.opened_at.is_not(None))).scalars():
        years.add(opened.astimezone(TZ).year)
    return sorted(years, reverse=True)


def overview(s: Session, policies: PolicySet, today: date, year: int | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, for `today` and the meetings chart's `year`."""
    year = year or today.year
    years = sorted({*meeting_years(s, today), today.year - 1, year}, reverse=True)
    return {"today": today, "year": year, "years": years,
            "open_matters": open_matters(s, policies), "overdue": overdue_by_unit(s, today),
            "decisions": decisions_by_month(s, today), "meetings": meetings_held(s, policies, year, today)}
