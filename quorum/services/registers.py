"""Registers for inspection tours and the secretariat, as Excel: major_matter decisions, supervision, issued documents.

Each register is read with a fixed number of queries (never one per row) into a Register — a title,
columns and rows of plain values, Chinese words only — and laid out for printing by xlsx_layout.
Who may export which register is policy (permissions.toml register.*), checked here for the web UI
and the command line alike.

A matter is in the decision register when a collective body hears it (it has a meeting step that applies); its
year is the year of its first meeting, or its filing year while no meeting has heard it yet.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from quorum.calendar import TZ
from quorum.core.actions import ACTION_NAMES
from quorum.core.documents import STATUS_NAMES
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.core.states import status_name
from quorum.db import (
    AgendaItem,
    Attendance,
    Ballot,
    Document,
    Matter,
    MatterStep,
    Meeting,
    MeetingMember,
    Opinion,
    Person,
    ProgressReport,
    Recusal,
    SupervisionItem,
    Unit,
)
from quorum.services import documents, permissions
from quorum.services.env import Env
from quorum.services.policies import policy_set_for
from quorum.services.records import requirement_names
from quorum.services.xlsx_layout import Column, workbook

KINDS = ("decisions", "supervision", "documents")
YEARLY = ("decisions", "documents")
MEETING_STEP, GATE_STEP, MINUTES_LAYOUT, AGREE = "meeting", "gate", "minutes", "agree"
PRESENT = ("present", "left")           # at the meeting when it opened (left: went away mid-meeting)


@dataclass(frozen=True)
class Register:
    """One register ready to lay out: what it is, its columns and its rows (cells in words and numbers)."""

    kind: str
    title: str
    sheet: str
    file_name: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    note: str = ""

    def xlsx(self) -> bytes:
        return workbook(self.title, self.sheet, self.columns, self.rows, self.note)


def _col(key: str, min_width: int = 6, max_width: int = 40, kind: str = "text") -> Column:
    return Column(message(f"register.col_{key}"), min_width, max_width, kind)


def _lines(values: Iterable[str]) -> str:
    return message("register.line_separator").join(v for v in values if v)


def _list(values: Iterable[str]) -> str:
    return message("value.list_separator").join(v for v in values if v)


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(TZ).date()
    return moment.isoformat()


def check_year(value: Any) -> int:
    """A register's year from a form or the command line, refused in words when it is not a sensible year."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput.because("register.year_invalid", value=value) from None
    if not 2000 <= year <= 2100:
        raise InvalidInput.because("register.year_invalid", value=value)
    return year


def may_export(s: Session, env: Env, actor: Person) -> dict[str, bool]:
    """Which registers the actor may export (for the page's buttons)."""
    return {kind: permissions.may(s, env, actor, f"register.{kind}") for kind in KINDS}


def build(s: Session, env: Env, actor: Person, kind: str, year: int | None = None) -> Register:
    """The register of that kind (and year, for the yearly ones), if the actor may export it."""
    if kind not in KINDS:
        raise InvalidInput.because("register.unknown", name=kind)
    permissions.require(s, env, actor, f"register.{kind}", subject="register")
    if kind == "supervision":
        return supervision_register(s, env)
    year = env.now.year if year is None else check_year(year)
    return decisions_register(s, env, year) if kind == "decisions" else documents_register(s, env, year)


def _note(env: Env, count: int) -> str:
    return message("register.note", count=count, at=env.now.strftime("%Y-%m-%d %H:%M"))


def _year_range(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=TZ), datetime(year + 1, 1, 1, tzinfo=TZ)


# ------------------------------------------------------------------------------------------------
# 三重一大决策台账


def _decided_matters(s: Session, year: int) -> list[Matter]:
    start, end = _year_range(year)
    first = (select(AgendaItem.matter_id.label("matter_id"), func.min(Meeting.scheduled_at).label("first_at"))
             .join(Meeting, Meeting.id == AgendaItem.meeting_id).group_by(AgendaItem.matter_id).subquery())
    heard = select(MatterStep.matter_id).where(MatterStep.kind == MEETING_STEP, MatterStep.applies.is_(True))
    when = func.coalesce(first.c.first_at, Matter.created_at)
    query = (select(Matter).options(lazyload(Matter.steps)).outerjoin(first, first.c.matter_id == Matter.id)
             .where(Matter.id.in_(heard), when >= start, when < end).order_by(when, Matter.id))
    return list(s.execute(query).scalars())


class _Facts:
    """Everything the decision register reads about a set of matters, a fixed number of queries for all of them."""

    def __init__(self, s: Session, found: Sequence[Matter]) -> None:
        ids = [m.id for m in found] or [-1]
        self.units = {u.id: u for u in s.execute(select(Unit)).scalars()}
        self.gates = self._by_matter(s.execute(select(MatterStep).where(
            MatterStep.matter_id.in_(ids), MatterStep.kind == GATE_STEP).order_by(MatterStep.seq)).scalars())
        self.opinions = self._by_matter(s.execute(select(Opinion).where(Opinion.matter_id.in_(ids))
                                                  .order_by(Opinion.id)).scalars())
        pairs = s.execute(select(AgendaItem, Meeting).options(lazyload(Meeting.members), lazyload(Meeting.items))
                          .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                          .where(AgendaItem.matter_id.in_(ids)).order_by(Meeting.scheduled_at, AgendaItem.id)).all()
        self.items: dict[int, list[tuple[AgendaItem, Meeting]]] = defaultdict(list)
        for item, meeting in pairs:
            self.items[item.matter_id].append((item, meeting))
        meeting_ids = sorted({m.id for _, m in pairs}) or [-1]
        item_ids = [i.id for i, _ in pairs] or [-1]
        self.expected = dict(s.execute(select(MeetingMember.meeting_id, func.count()).where(
            MeetingMember.meeting_id.in_(meeting_ids)).group_by(MeetingMember.meeting_id)).all())
        self.present = dict(s.execute(select(Attendance.meeting_id, func.count()).where(
            Attendance.meeting_id.in_(meeting_ids), Attendance.status.in_(PRESENT)).group_by(Attendance.meeting_id)).all())
        self.recusals = self._by_item(s.execute(select(Recusal).where(Recusal.item_id.in_(item_ids))
                                                .order_by(Recusal.id)).scalars())
        secret = [i.id for i, _ in pairs if i.secret]
        self.dissent = self._by_item(s.execute(select(Ballot).where(
            Ballot.item_id.in_(item_ids), Ballot.item_id.not_in(secret or [-1]), Ballot.choice != AGREE)
            .order_by(Ballot.id)).scalars())
        people = {r.person_id for rows in (*self.recusals.values(), *self.dissent.values()) for r in rows}
        self.names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(people or [-1]))).all())
        self.minutes: dict[int, list[Document]] = defaultdict(list)
        for doc in s.execute(select(Document).where(Document.meeting_id.in_(meeting_ids)).order_by(Document.id)).scalars():
            if documents.kind_of(s, doc).layout == MINUTES_LAYOUT:
                self.minutes[doc.meeting_id].append(doc)
        self.supervision = self._by_matter(s.execute(select(SupervisionItem).where(
            SupervisionItem.matter_id.in_(ids)).order_by(SupervisionItem.due_date, SupervisionItem.id)).scalars())

    @staticmethod
    def _by_matter(rows: Iterable[Any]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            out[row.matter_id].append(row)
        return out

    @staticmethod
    def _by_item(rows: Iterable[Any]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            out[row.item_id].append(row)
        return out


def _body_name(s: Session, meeting: Meeting) -> str:
    return policy_set_for(s, meeting.policy_version_id).body(meeting.body_key).short_name


def _pre_review(spec, matter: Matter, facts: _Facts) -> str:
    names = requirement_names(spec, ((u.key, u.name) for u in facts.units.values()))
    gate_keys = {g.step_key for g in facts.gates[matter.id]}
    lines = [message("register.pre_review_line", name=names.get(o.requirement or "", o.requirement or ""),
                     decision=ACTION_NAMES.get(o.decision, o.decision))
             for o in facts.opinions[matter.id] if o.step_key in gate_keys and o.requirement]
    answered = {o.step_key for o in facts.opinions[matter.id] if o.step_key in gate_keys}
    lines += [message("register.pre_review_step", step=g.name, status=status_name("step", g.status))
              for g in facts.gates[matter.id] if g.applies and g.step_key not in answered]
    return _lines(lines)


def _tally(counts: dict[str, Any] | None) -> str:
    return _list(message("register.tally_part", choice=message(f"choice.{c}"), count=n)
                 for c, n in (counts or {}).items())


def _result(body: str, item: AgendaItem) -> str:
    if not item.result:
        return message("register.result_pending", body=body)
    key = "register.result_secret" if item.secret else "register.result_line"
    return message(key, body=body, result=message(f"result.{item.result}"), tally=_tally(item.counts))


def _hearings(s: Session, matter: Matter, facts: _Facts) -> dict[str, str]:
    meetings, attendance, recusals, results, dissent, minutes = [], [], [], [], [], []
    for item, meeting in facts.items[matter.id]:
        body = _body_name(s, meeting)
        meetings.append(message("register.meeting_line", body=body, day=_day(meeting.scheduled_at)))
        attendance.append(message("register.attendance_line", body=body, present=facts.present.get(meeting.id, 0),
                                  expected=facts.expected.get(meeting.id, 0)))
        recusals += [message("register.recusal_line", body=body, name=facts.names.get(r.person_id, ""), reason=r.reason)
                     for r in facts.recusals[item.id]]
        results.append(_result(body, item))
        for b in facts.dissent[item.id]:
            key = "register.dissent_line" if b.reason else "register.dissent_no_reason"
            dissent.append(message(key, body=body, name=facts.names.get(b.person_id, ""),
                                   choice=message(f"choice.{b.choice}"), reason=b.reason))
        minutes += [d.doc_number or message("register.minutes_unnumbered", body=body)
                    for d in facts.minutes[meeting.id]]
    return {"meetings": _lines(meetings), "attendance": _lines(attendance), "recusals": _lines(recusals),
            "results": _lines(results), "dissent": _lines(dissent), "minutes": _lines(dict.fromkeys(minutes))}


def _supervision_state(items: Sequence[SupervisionItem]) -> str:
    return _lines(message("register.supervision_line", title=i.title, status=status_name("supervision", i.status),
                          due=_day(i.due_date)) for i in items)


def _category(spec, matter: Matter) -> str:
    field = next((f for f in spec.fields if f.key == "category" and f.type == "choice"), None)
    value = matter.fields.get("category") if field else None
    return field.choice_label(value) if field and value else spec.name


def _amount(spec, matter: Matter) -> Any:
    for f in spec.fields:
        if f.type == "money" and matter.fields.get(f.key) not in (None, ""):
            return matter.fields[f.key]
    return None


def decisions_register(s: Session, env: Env, year: int) -> Register:
    """The major_matter decision register of a year: one row per matter heard by a collective body."""
    found = _decided_matters(s, year)
    facts = _Facts(s, found)
    rows = []
    for n, matter in enumerate(found, 1):
        spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
        heard = _hearings(s, matter, facts)
        unit = facts.units[matter.unit_id].name if matter.unit_id else ""
        rows.append([n, matter.title, _category(spec, matter), unit, _amount(spec, matter),
                     _pre_review(spec, matter, facts), heard["meetings"], heard["attendance"], heard["recusals"],
                     heard["results"], heard["dissent"], heard["minutes"],
                     _supervision_state(facts.supervision[matter.id]), status_name("matter", matter.status)])
    columns = (_col("number", 5, 6, "number"), _col("matter", 16, 30), _col("category", 8, 14), _col("unit", 8, 16),
               _col("amount", 10, 16, "money"), _col("pre_review", 12, 28), _col("meetings", 12, 24),
               _col("attendance", 8, 18), _col("recusals", 8, 30), _col("result", 14, 34), _col("dissent", 12, 34),
               _col("minutes", 10, 26), _col("supervision", 12, 34), _col("status", 6, 10))
    return Register("decisions", message("register.decisions_title", year=year), message("register.decisions_sheet"),
                    message("register.decisions_file", year=year), columns, rows, _note(env, len(rows)))


# ------------------------------------------------------------------------------------------------
# 督办台账


def supervision_register(s: Session, env: Env) -> Register:
    """The supervision register: each supervision item, by due date, with its source, units, progress, completion."""
    found = list(s.execute(select(SupervisionItem).order_by(SupervisionItem.due_date, SupervisionItem.id)).scalars())
    units = {u.id: u.name for u in s.execute(select(Unit)).scalars()}
    matter_ids = {i.matter_id for i in found if i.matter_id} or {-1}
    titles = dict(s.execute(select(Matter.id, Matter.title).where(Matter.id.in_(matter_ids))).all())
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    for r in s.execute(select(ProgressReport).where(ProgressReport.item_id.in_([i.id for i in found] or [-1]))
                       .order_by(ProgressReport.id)).scalars():
        reports[r.item_id].append(r)
    rows = []
    for n, item in enumerate(found, 1):
        source = (message("register.source_matter", title=titles.get(item.matter_id, "")) if item.matter_id
                  else message("register.source_import"))
        due = message("register.provisional_due", due=_day(item.due_date)) if item.due_provisional else _day(item.due_date)
        progress = _lines(message("register.progress_line", day=_day(r.reported_at), text=r.text)
                          for r in reports[item.id])
        rows.append([n, item.title, source, units.get(item.lead_unit_id, ""), _list(units.get(u, "") for u in item.co_unit_ids),
                     due, status_name("supervision", item.status), progress, _day(item.done_at)])
    columns = (_col("number", 5, 6, "number"), _col("task", 18, 36), _col("source", 12, 30), _col("lead", 10, 20),
               _col("co", 10, 36), _col("due", 10, 18, "date"), _col("item_status", 8, 10), _col("progress", 16, 44),
               _col("done_at", 10, 12, "date"))
    return Register("supervision", message("register.supervision_title"), message("register.supervision_sheet"),
                    message("register.supervision_file", day=env.now.date().isoformat()), columns, rows,
                    _note(env, len(rows)))


# ------------------------------------------------------------------------------------------------
# 发文登记簿


def documents_register(s: Session, env: Env, year: int) -> Register:
    """The register of issued documents of a year: every numbered document (a voided one keeps its line and says so)."""
    found = list(s.execute(select(Document).where(Document.doc_number.is_not(None), Document.year == year)
                           .order_by(Document.doc_date, Document.series, Document.serial, Document.id)).scalars())
    units = {u.id: u.name for u in s.execute(select(Unit)).scalars()}
    signers = {d.signer_id for d in found if d.signer_id} or {-1}
    names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(signers))).all())
    rows = []
    for n, doc in enumerate(found, 1):
        kind = documents.kind_of(s, doc)
        state = message("register.voided", reason=doc.void_reason) if doc.void_reason else STATUS_NAMES[doc.status]
        rows.append([n, doc.doc_number, kind.name, doc.title, units.get(doc.issuer_unit_id, ""),
                     _list(str(a) for a in doc.addressees or []), _list(str(c) for c in doc.cc or []),
                     names.get(doc.signer_id, ""), _day(doc.doc_date), kind.secrecy, state])
    columns = (_col("number", 5, 6, "number"), _col("doc_number", 14, 26), _col("kind", 6, 12), _col("title", 20, 40),
               _col("issuer", 12, 28), _col("addressees", 12, 40), _col("cc", 8, 40), _col("signer", 6, 10),
               _col("doc_date", 10, 12, "date"), _col("secrecy", 8, 12), _col("doc_status", 6, 20))
    return Register("documents", message("register.documents_title", year=year), message("register.documents_sheet"),
                    message("register.documents_file", year=year), columns, rows, _note(env, len(rows)))
