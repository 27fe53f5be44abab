"""Recurring duties: read policies/duties.toml, gather evidence from the record, judge a year.

Read only: nothing here changes state. The rules live in policies/duties.toml and the judging in
quorum.core.duties; this module only reads the file and the database.
"""

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum import calendar
from quorum.calendar import WorkCalendar
from quorum.core import duties as core
from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message
from quorum.core.states import MeetingStatus, SupervisionStatus
from quorum.db import Meeting, SupervisionItem, Unit

FILE = "duties.toml"


def _source(directory: Path) -> str:
    return f"{directory.name}/{FILE}"


def _read_toml(path: Path, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPolicy(source=source, reason=message("duty.file_missing")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidPolicy(source=source, reason=message("duty.toml_error", error=exc)) from None


def load(policies_dir: Path | str) -> dict[str, core.Duty]:
    """Read and validate policies/duties.toml; meetings_of must name a body of bodies.toml beside it."""
    directory = Path(policies_dir)
    source = _source(directory)
    raw = _read_toml(directory / FILE, source)
    bodies_path = directory / "bodies.toml"
    known = None
    if bodies_path.exists():
        known = list(_read_toml(bodies_path, f"{directory.name}/bodies.toml").get("bodies", {}))
    return core.parse_duties(raw, source, known)


def _local_date(moment: datetime) -> date:
    return calendar.to_local(moment).date()


def meeting_dates(s: Session, body_key: str, year: int) -> list[date]:
    """The days closed meetings of the body were held (opened, else scheduled) in the year."""
    rows = s.execute(select(Meeting.opened_at, Meeting.scheduled_at).where(
        Meeting.body_key == body_key, Meeting.status == MeetingStatus.CLOSED)).all()
    days = [_local_date(opened or scheduled) for opened, scheduled in rows]
    return sorted(d for d in days if d.year == year)


def supervision_dates(s: Session, text: str, year: int) -> list[date]:
    """The days supervision items with the text in their title were marked done in the year."""
    rows = s.execute(select(SupervisionItem.done_at).where(
        SupervisionItem.status == SupervisionStatus.DONE, SupervisionItem.done_at.is_not(None),
        SupervisionItem.title.contains(text, autoescape=True))).scalars()
    return sorted(d for d in (_local_date(at) for at in rows) if d.year == year)


def evidence_dates(s: Session, duty: core.Duty, year: int) -> list[date] | None:
    if duty.evidence.kind == "meetings_of":
        return meeting_dates(s, duty.evidence.value, year)
    if duty.evidence.kind == "supervision_title_contains":
        return supervision_dates(s, duty.evidence.value, year)
    return None


def _evidence_text(evidence: core.Evidence) -> str:
    if evidence.kind == "meetings_of":
        return message("duty.evidence_meetings", body=evidence.value)
    if evidence.kind == "supervision_title_contains":
        return message("duty.evidence_supervision", text=evidence.value)
    return message("duty.evidence_manual")


def report(s: Session, duties: Mapping[str, core.Duty], year: int, today: date,
           work_calendar: WorkCalendar | None = None) -> list[dict[str, Any]]:
    """One row per duty and period (plus the yearly rollup of per_year duties), in the file's order."""
    cal = work_calendar or WorkCalendar()

    def before(d: date, n: int) -> date:
        return cal.subtract_working_days(d, n).due

    owners = {key: name for key, name in s.execute(select(Unit.key, Unit.name))}
    rows = []
    for duty in duties.values():
        dates = evidence_dates(s, duty, year)
        for st in core.assess(duty, year, dates, today, before):
            rows.append({
                "duty": duty.key, "name": duty.name, "owner": duty.owner,
                "owner_name": owners.get(duty.owner, duty.owner), "source": duty.source,
                "evidence": _evidence_text(duty.evidence), "manual": duty.evidence.manual,
                "period": st.label, "period_name": core.period_name(st.label),
                "start": st.start, "end": st.end, "due": st.due, "remind_from": st.remind_from,
                "status": st.status, "status_name": st.status_name,
                "count": st.count, "required": st.required, "escalated": st.escalated,
                "escalate_on": core.escalation_date(duty, year) if st.label == core.TOTAL else None,
                "evidence_dates": [d for d in (dates or []) if st.start <= d <= st.end and d <= today],
            })
    return rows
