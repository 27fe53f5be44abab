"""From the record to a document: the structured context a kind's template reads, and the Page laid out.

Everything a document states as fact — attendance, recusals, vote counts, dissent, amounts, the
cited request's title and number, the supervision items with their lead units and deadlines — is read
here from the database, never typed in. The template's `record` block is rendered from this context
again at sign_off, so the minutes say exactly what was recorded at the moment they are signed.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import voting
from quorum.core.documents import (
    DocumentKind,
    DocumentPolicy,
    cn_date,
    document_policy_of,
    join_names,
    printed_number,
    series_text,
    subject_of,
)
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.db import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    Document,
    Matter,
    MatterStep,
    Meeting,
    Person,
    PolicyVersion,
    Recusal,
    SupervisionItem,
    Unit,
    WrittenOpinion,
)
from quorum.documents import Page, wording
from quorum.services import records
from quorum.services.env import Env
from quorum.services.policies import policy_set_for

_POLICIES: dict[str, DocumentPolicy] = {}
PROFILE = ("gender", "ethnicity", "birth", "education", "party")      # labelled document.profile_<key>


def policy_for(s: Session, version_id: int) -> DocumentPolicy:
    """The document rules of a stored policy version (cached by digest: versions never change)."""
    memo = _memo(s)
    found = memo.get(version_id)
    if found is None:
        digest = s.execute(select(PolicyVersion.digest).where(PolicyVersion.id == version_id)).scalar_one()
        found = _POLICIES.get(digest)
        if found is None:
            found = _POLICIES[digest] = document_policy_of(s.get(PolicyVersion, version_id).content,
                                                           policy_set_for(s, version_id))
        memo[version_id] = found
    return found


def _memo(s: Session) -> dict[int, DocumentPolicy]:
    """Document rules per policy version id for this session (ids differ between databases, rows never change)."""
    return s.info.setdefault("quorum.drafting", {})


def templates_dir(env: Env) -> Path | None:
    return Path(env.templates_dir) / "documents" if env.templates_dir else None


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


# --------------------------------------------------------------------------------------------
# who issues


def decision_body(matter: Matter | None) -> str | None:
    last = (matter.decision or {}).get("last") if matter is not None else None
    return last.get("body") if last else None


def body_key(doc_matter: Matter | None, meeting: Meeting | None) -> str | None:
    return meeting.body_key if meeting is not None else decision_body(doc_matter)


def issuer_unit(s: Session, kind: DocumentKind, matter: Matter | None, meeting: Meeting | None) -> Unit:
    """The issuing organ: the body's issuer if the kind names one, else the kind's unit kind or the matter's unit.

    "@meeting_unit": the unit whose own meeting it is (a member unit's leadership meeting — for a matter, the
    meeting that decided it), else the matter's unit.
    """
    issuer = kind.issuer_by_body.get(body_key(matter, meeting) or "", kind.issuer)
    if issuer == "@meeting_unit":
        held = meeting or _deciding_meeting(s, matter)
        if held is not None and held.unit_id:
            return s.get(Unit, held.unit_id)
        issuer = "@matter_unit"
    if issuer == "@matter_unit":
        unit = s.get(Unit, matter.unit_id) if matter is not None and matter.unit_id else None
        issuer = "lead_hospital" if unit is None else None
        if unit is not None:
            return unit
    unit = s.execute(select(Unit).where(Unit.kind == issuer).order_by(Unit.id)).scalars().first()
    if unit is None:
        raise InvalidInput.because("document.issuer_missing", kind=issuer, document=kind.name)
    return unit


def _deciding_meeting(s: Session, matter: Matter | None) -> Meeting | None:
    meeting_id = ((matter.decision or {}).get("last") or {}).get("meeting_id") if matter is not None else None
    return s.get(Meeting, meeting_id) if meeting_id else None


def series_of(kind: DocumentKind, body: str | None, issuer: Unit) -> str | None:
    """The code series a document is numbered in: the body's own (minutes), the kind's, else the issuer's code."""
    by_body = kind.series_by_body.get(body or "")
    if by_body:
        return series_text(by_body, issuer.short_name)
    return kind.series or issuer.doc_prefix


def lead_unit(s: Session) -> Unit | None:
    return s.execute(select(Unit).where(Unit.kind == "lead_hospital").order_by(Unit.id)).scalars().first()


# --------------------------------------------------------------------------------------------
# addressees


def resolve(s: Session, tokens: tuple[str, ...], policy: DocumentPolicy, issuer: Unit, matter: Matter | None,
            meeting: Meeting | None, request: Document | None, step_key: str | None = None) -> list[str]:
    """Turn the principal addressee / copy tokens of documents.toml into names; a token that resolves to nothing is
    left out.

    "a|b" takes the first alternative that names anyone ("@step_units|@superior").
    """
    names: list[str] = []
    for token in tokens:
        found: list[str] = []
        for alternative in token.split("|"):
            found = found or [n for n in _resolve_one(s, alternative, policy, issuer, matter, meeting, request,
                                                       step_key) if n and n != issuer.name]
        names.extend(n for n in found if n not in names)
    return names


def step_units(s: Session, matter: Matter | None, step_key: str | None) -> list[str]:
    """The units a matter's step goes to (a countersign by the health commission, the human resources and social
    security bureau, the finance bureau), in the order the workflow lists them.
    """
    if matter is None or not step_key:
        return []
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    keys = next((tuple(getattr(st, "units", ())) for st in spec.steps if st.key == step_key), ())
    found = {u.key: u.name for u in s.execute(select(Unit).where(Unit.key.in_(keys))).scalars()} if keys else {}
    return [found[k] for k in keys if k in found]


def _resolve_one(s: Session, token: str, policy: DocumentPolicy, issuer: Unit, matter: Matter | None,
                 meeting: Meeting | None, request: Document | None, step_key: str | None = None) -> list[str]:
    if token == "@step_units":
        return step_units(s, matter, step_key)
    if token.startswith("unit:"):
        unit = s.execute(select(Unit).where(Unit.key == token[5:])).scalar_one_or_none()
        return [unit.name] if unit else []
    if token.startswith("kind:"):
        return list(s.execute(select(Unit.name).where(Unit.kind == token[5:]).order_by(Unit.id)).scalars())
    if token == "@matter_unit":
        unit = s.get(Unit, matter.unit_id) if matter is not None and matter.unit_id else None
        return [unit.name] if unit else []
    if token == "@superior":
        target = policy.superiors.get(issuer.kind)
        return _resolve_one(s, target, policy, issuer, matter, meeting, request) if target else []
    if token == "@requester":
        unit = s.get(Unit, request.issuer_unit_id) if request is not None and request.issuer_unit_id else None
        return [unit.name] if unit else []
    if token == "@meeting_members":
        if meeting is None:
            return []
        body = policy_set_for(s, meeting.policy_version_id).body(meeting.body_key)
        return [message("document.body_members", body=body.name)]
    if token == "@supervision_units":
        rows = records.supervision_records(s, matter.id) if matter is not None else []
        return [name for r in rows for name in (r["lead_unit"], *r["co_units"])]
    return [token]


# --------------------------------------------------------------------------------------------
# the structured record


def context(s: Session, env: Env, doc: Document, kind: DocumentKind, policy: DocumentPolicy) -> dict[str, Any]:
    """Everything a template may read about a document's matter, meeting, step and cited request."""
    return _context(s, env, doc, kind, *_sources(s, doc))


def _sources(s: Session, doc: Document) -> tuple[Matter | None, Meeting | None, Unit | None, Document | None,
                                                 Unit | None]:
    """The rows a document is drafted from: matter, meeting, issuing unit, cited request, lead hospital."""
    return (s.get(Matter, doc.matter_id) if doc.matter_id else None,
            s.get(Meeting, doc.meeting_id) if doc.meeting_id else None,
            s.get(Unit, doc.issuer_unit_id) if doc.issuer_unit_id else None,
            s.get(Document, doc.request_id) if doc.request_id else None, lead_unit(s))


def _context(s: Session, env: Env, doc: Document, kind: DocumentKind, matter: Matter | None,
             meeting: Meeting | None, issuer: Unit | None, request: Document | None,
             lead: Unit | None) -> dict[str, Any]:
    return {
        "kind": {"key": kind.key, "name": kind.name, "genre": kind.genre},
        "issuer": {"name": issuer.name if issuer else "", "short_name": issuer.short_name if issuer else ""},
        "lead": {"name": lead.name if lead else "", "short_name": lead.short_name if lead else ""},
        "community": str(env.policies.policy_set.meta.get("community", "")),
        "today": cn_date(env.now.date()),
        "matter": matter_context(s, matter, kind) if matter is not None else None,
        "meeting": meeting_context(s, meeting) if meeting is not None else None,
        "step": step_context(s, env, matter, doc.step_key, kind) if matter is not None and doc.step_key else None,
        "request": request_context(s, request) if request is not None else None,
    }


def matter_context(s: Session, matter: Matter, kind: DocumentKind) -> dict[str, Any]:
    rec = records.matter_record(s, matter.id)
    initiator = s.get(Person, matter.initiator_id)
    fields = {f["key"]: f["display"] for f in rec["fields"]}
    last = (matter.decision or {}).get("last")
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    steps = {st.key: st.name for st in spec.steps}
    # an opinion's requirement is a gate requirement's key or, on a 会签, the key of the unit that answered
    requirements = {**dict(s.execute(select(Unit.key, Unit.name)).all()),
                    **{r.key: r.name for st in spec.steps for r in st.requirements}}
    return {
        "id": matter.id, "title": matter.title, "subject": subject_of(matter.title), "workflow": rec["workflow_name"],
        "unit": rec["unit"] or "", "initiator": initiator.name,
        "contact": {"name": initiator.name, "phone": initiator.phone or ""},
        "fields": fields, "field_list": [f for f in rec["fields"] if f["display"]],
        "public_fields": _public(s, matter, rec, kind),
        "opinions": [{"step": o["step"], "step_name": steps.get(o["step"], o["step"]),
                      "requirement": o["requirement"] or "",
                      "requirement_name": requirements.get(o["requirement"], o["requirement"] or ""),
                      "author": o["author"], "decision": o["decision_name"], "text": o["text"]}
                     for o in rec["opinions"]],
        "decision": _decision(s, last) if last else None,
        "record": (matter.decision or {}).get("record", ""),
        "supervision": [_supervision(r) for r in rec["supervision"]],
        "route": rec["route"],
    }


def _public(s: Session, matter: Matter, rec: dict[str, Any], kind: DocumentKind) -> list[dict[str, str]]:
    """The fields a publicity may show (kind.public_fields), a person's allowed profile entries after their name."""
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    by_key = {f["key"]: f for f in rec["fields"]}
    shown = []
    for key in kind.public_fields:
        field = by_key.get(key)
        if field is None or not field["display"]:
            continue
        shown.append({"label": field["label"], "value": field["display"]})
        if spec.field(key).type == "person":
            person = s.execute(select(Person).where(Person.username == field["value"])).scalar_one_or_none()
            profile = person.profile if person is not None else {}
            shown += [{"label": message(f"document.profile_{k}"), "value": str(profile[k])}
                      for k in PROFILE if profile.get(k)]
    return shown


def _decision(s: Session, last: dict[str, Any]) -> dict[str, Any]:
    meeting = s.get(Meeting, last["meeting_id"]) if last.get("meeting_id") else None
    body = policy_set_for(s, meeting.policy_version_id).body(meeting.body_key) if meeting else None
    day = _day(last.get("decided_at"))
    return {"body": body.name if body else last.get("body_name", ""), "body_short": last.get("body_name", ""),
            "meeting": meeting.title if meeting else "", "date": cn_date(day) if day else "",
            "result": message(f"result.{last['result']}"), "passed": last["result"] == "passed",
            "counts": counts_text(last.get("counts") or {})}


def counts_text(counts: dict[str, int]) -> str:
    return message("value.sentence_separator").join(
        message("document.vote_count", choice=message(f"choice.{k}"), count=v) for k, v in counts.items())


def _supervision(row: dict[str, Any]) -> dict[str, Any]:
    return {"title": row["title"], "lead_unit": row["lead_unit"], "co_units": join_names(row["co_units"]),
            "due": cn_date(row["due_date"]), "provisional": row["due_provisional"]}


def meeting_context(s: Session, meeting: Meeting) -> dict[str, Any]:
    """The meeting as recorded: who was there, who was away and why, each item's votes, recusals and dissent.

    Read in a fixed number of statements whatever the number of items (minutes of 10 items are
    rendered at every sign_off and preview): each kind of row is fetched once for all the items.
    """
    body = policy_set_for(s, meeting.policy_version_id).body(meeting.body_key)
    attendance = {a.person_id: a for a in s.execute(select(Attendance).where(Attendance.meeting_id == meeting.id))
                  .scalars()}
    ids = {meeting.chair_id, *attendance} - {None}
    names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()) if ids else {}
    members = [{"name": m.name, "attendance": attendance[m.person_id].status if m.person_id in attendance else None,
                "reason": attendance[m.person_id].reason if m.person_id in attendance else ""}
               for m in meeting.members]
    at = meeting.scheduled_at
    present = [m["name"] + (message("document.left_early") if m["attendance"] == "left" else "") for m in members
               if m["attendance"] in ("present", "left")]
    return {
        "id": meeting.id, "title": meeting.title, "body": body.name, "body_short": body.short_name,
        "date": cn_date(at.date()), "time": _time_of_day(at),
        "place": meeting.place, "chair": names.get(meeting.chair_id) or "", "status": meeting.status,
        "members": [m["name"] for m in members], "present": present,
        "absent": [{"name": m["name"], "reason": m["reason"]} for m in members if m["attendance"] == "absent"],
        "missing": [m["name"] for m in members if m["attendance"] is None],
        "observers": [n for n in (names.get(pid) for pid, a in attendance.items() if a.status == "observer") if n],
        "agenda": _agenda(s, meeting, body, attendance),
    }


def _agenda(s: Session, meeting: Meeting, body: Any, attendance: dict[int, Attendance]) -> list[dict[str, Any]]:
    """Every item of the meeting with its roll, quorum, votes, recusals, written opinions and supervision items."""
    items = list(meeting.items)
    if not items:
        return []
    item_ids = [i.id for i in items]
    seats = tuple(voting.Seat(m.person_id, m.name, m.seat_role) for m in meeting.members)
    present = frozenset(pid for pid, a in attendance.items() if a.status == "present")
    recusals = _by_item(s, select(Recusal).where(Recusal.item_id.in_(item_ids)).order_by(Recusal.id))
    written = _by_item(s, select(WrittenOpinion).where(WrittenOpinion.item_id.in_(item_ids))
                       .order_by(WrittenOpinion.id))
    ballots = _by_item(s, select(Ballot).where(Ballot.item_id.in_(item_ids)).order_by(Ballot.id))
    secret = [i.id for i in items if i.secret]
    receipts = _by_item(s, select(BallotReceipt).where(BallotReceipt.item_id.in_(secret))) if secret else {}
    decisions = dict(s.execute(select(Matter.id, Matter.decision)
                               .where(Matter.id.in_({i.matter_id for i in items}))).all())
    final = {i.matter_id for i in items if ((decisions.get(i.matter_id) or {}).get("last") or {})
             .get("meeting_id") == meeting.id}
    supervision = _supervision_of(s, final)
    out = []
    for item in items:
        voted = receipts.get(item.id, []) if item.secret else ballots.get(item.id, [])
        roll = voting.ItemRoll(seats, present, frozenset(r.person_id for r in recusals.get(item.id, [])),
                               frozenset(b.person_id for b in voted), item.personnel)
        out.append(_item(item, roll, voting.quorum_state(body, roll), recusals.get(item.id, []),
                         written.get(item.id, []), [] if item.secret else ballots.get(item.id, []),
                         decisions.get(item.matter_id) or {}, item.matter_id in final,
                         supervision.get(item.matter_id, [])))
    return out


def _by_item(s: Session, query) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in s.execute(query).scalars():
        grouped.setdefault(row.item_id, []).append(row)
    return grouped


def _supervision_of(s: Session, matter_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """The supervision items of these matters as the minutes list them, ordered by due date (as records does)."""
    if not matter_ids:
        return {}
    rows = list(s.execute(select(SupervisionItem).where(SupervisionItem.matter_id.in_(matter_ids))
                          .order_by(SupervisionItem.due_date, SupervisionItem.id)).scalars())
    if not rows:
        return {}
    unit_ids = {u for r in rows for u in (r.lead_unit_id, *r.co_unit_ids)}
    units = dict(s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.matter_id, []).append(_supervision({
            "title": r.title, "lead_unit": units[r.lead_unit_id], "co_units": [units[u] for u in r.co_unit_ids],
            "due_date": r.due_date, "due_provisional": r.due_provisional}))
    return out


def _item(item: AgendaItem, roll: Any, quorum: Any, recusals: list[Recusal], written: list[WrittenOpinion],
          ballots: list[Ballot], decision: dict[str, Any], final: bool,
          supervision: list[dict[str, Any]]) -> dict[str, Any]:
    result_name = message(f"result.{item.result}") if item.result else None
    return {
        "seq": item.seq, "title": item.title, "subject": subject_of(item.title), "status": item.status,
        "result": item.result or "", "result_name": result_name or message(f"status.{item.status}"),
        "passed": item.result == "passed", "counts": counts_text(item.counts or {}), "secret": item.secret,
        "quorum": {"met": quorum.met, "required": quorum.required, "present": quorum.present, "base": quorum.base,
                   "basis": quorum.basis},
        "basis": item.basis or "", "note": item.note or "",
        "recusals": [{"name": roll.name(r.person_id), "reason": r.reason} for r in recusals],
        "written": [{"name": roll.name(w.person_id), "text": w.text} for w in written],
        "dissent": [{"name": roll.name(b.person_id), "choice": message(f"choice.{b.choice}"), "reason": b.reason}
                    for b in ballots if b.choice != "agree"],
        "record": decision.get("record", "") if final else "",
        "supervision": supervision if final else [],
    }


def step_context(s: Session, env: Env, matter: Matter, step_key: str, kind: DocumentKind) -> dict[str, Any]:
    step = s.execute(select(MatterStep).where(MatterStep.matter_id == matter.id,
                                              MatterStep.step_key == step_key)).scalar_one_or_none()
    if step is None:
        return {"key": step_key, "name": "", "due": "", "start": "", "end": "", "days": 0}
    start = _day(step.started_at) or env.now.date()
    end = step.due_date
    days = kind.window_working_days or 0
    if days:                           # a window of N working days holds exactly N, its first day included
        start = env.calendar.next_workday(start)
        end = env.calendar.add_working_days(start, days - 1).due
    return {"key": step.step_key, "name": step.name, "due": cn_date(step.due_date) if step.due_date else "",
            "start": cn_date(start), "end": cn_date(end) if end else "", "days": days}


def request_context(s: Session, request: Document) -> dict[str, Any]:
    unit = s.get(Unit, request.issuer_unit_id) if request.issuer_unit_id else None
    return {"title": request.title, "subject": subject_of(request.title), "number": request.doc_number or "",
            "frozen": request.status == "frozen", "issuer": unit.name if unit else "",
            "date": cn_date(request.doc_date) if request.doc_date else ""}


# --------------------------------------------------------------------------------------------
# the page


def page(s: Session, env: Env, doc: Document, kind: DocumentKind, policy: DocumentPolicy, *, number: str = "",
         day: date | None = None, signer: str = "") -> tuple[Page, dict[str, str]]:
    """Lay out a document from its draft fields and a fresh rendering of its record block."""
    sources = _sources(s, doc)         # held for the whole layout, so each row is read once
    ctx = _context(s, env, doc, kind, *sources)
    blocks = wording.render(kind.template, ctx, templates_dir(env))
    matter, meeting, issuer, _request, lead = sources
    lead = lead or issuer
    series = doc.series or series_of(kind, body_key(matter, meeting), issuer)
    organ = policy.organ(series, issuer.name)
    number = printed_number(kind, number, series)
    printer = issuer if issuer.kind == "member_unit" else lead      # a member unit prints its own documents
    heading = organ + kind.heading_suffix
    if kind.layout == "minutes" and meeting is not None:
        body_spec = policy_set_for(s, meeting.policy_version_id).body(meeting.body_key)
        heading = (message("document.minutes_heading_unit", unit=issuer.name, body=body_spec.short_name)
                   if meeting.unit_id else message("document.minutes_heading", body=body_spec.name))
    body = "\n".join(part for part in (blocks["record"], doc.body) if part)
    result = Page(layout=kind.layout, title=doc.title, heading=heading, number=number, signer=signer,
                  addressees=tuple(doc.addressees), body=body, attachments=tuple(doc.attachments),
                  attendance=attendance(ctx["meeting"]) if kind.layout == "minutes" and ctx["meeting"] else (),
                  signature=organ if kind.signature else "", date=day, notes=doc.notes,
                  cc_label=kind.cc_label, cc=tuple(doc.cc), printer=printer.name + policy.printing_office,
                  print_date=day, secrecy=kind.secrecy, star=issuer.kind in policy.star_issuers,
                  created=env.now)
    return result, blocks


def attendance(meeting: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Present / on leave / absent / observer, exactly as the attendance was recorded."""
    absent = (message("document.absent_with_reason", name=a["name"], reason=a["reason"]) if a["reason"]
              else a["name"] for a in meeting["absent"])
    lists = [("present", join_names(meeting["present"])), ("leave", join_names(absent)),
             ("missing", join_names(meeting["missing"])), ("observers", join_names(meeting["observers"]))]
    return tuple((message(f"document.attendance_{key}"), names) for key, names in lists if names)


def _time_of_day(at: datetime) -> str:
    """The time of a meeting as the minutes write it: morning or afternoon, the hour on a 12-hour clock, the minutes
    if any.
    """
    hour = message("document.time_morning" if at.hour < 12 else "document.time_afternoon", hour=at.hour % 12 or 12)
    return hour + (message("document.time_minute", minute=at.minute) if at.minute else "")
