"""The discipline inspectors' audit page: the chain's last check, the log's events with filters, a matter's dossier.

Only those granted `audit.inspect` (discipline inspection, the administrator) read any of it. Verifying the whole
chain costs about 30 µs an event (1.5 s on SQLite, 2.2 s on PostgreSQL for 50k events), too long for a page: the
check runs off the request and is recorded as a job run (`audit_verify`, its result in the run's summary);
the page shows the newest finished check, its time, and how many events were appended since.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from quorum import calendar
from quorum.calendar import TZ
from quorum.core import audit as chain
from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import MESSAGES, message
from quorum.core.states import RunStatus
from quorum.db import AuditEvent, AuditHead, Document, JobRun, Matter, MatterStep, Meeting, Person
from quorum.services import audit, dossier, jobs, permissions, records, refusals
from quorum.services.env import Env

CHECK = "audit_verify"              # the job run's name
PER_PAGE = 50
ABANDONED = timedelta(minutes=30)   # a check still "running" after this died with its process
MISMATCHES_KEPT = 20


def require_inspector(s: Session, env: Env, actor: Person) -> None:
    """Refuse anyone not granted audit.inspect (the refusal is recorded by the entry point)."""
    permissions.require(s, env, actor, "audit.inspect", subject="audit")


# --- the chain check -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """The newest finished verification of the chain, and whether another one is running now."""

    at: datetime | None                  # when it finished (None: never checked)
    ok: bool = False
    events: int = 0
    first_bad_seq: int | None = None
    reason: str = ""
    anchors: int = 0
    mismatches: tuple[str, ...] = ()
    error: str = ""                      # the check itself failed (not the chain)
    running_since: datetime | None = None
    head_seq: int = 0                    # the chain's length now
    bad_page: int = 1                    # the timeline's page (unfiltered) that shows the first broken event

    @property
    def appended_since(self) -> int:
        return max(0, self.head_seq - self.events) if self.at else self.head_seq


def last_check(s: Session, env: Env, actor: Person) -> Check:
    """The newest finished check, any check running now, and the chain's current length."""
    require_inspector(s, env, actor)
    head_seq = s.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
    running = _running_since(s, env)
    done = s.scalars(select(JobRun).where(JobRun.name == CHECK, JobRun.finished_at.is_not(None))
                     .order_by(JobRun.id.desc()).limit(1)).first()
    if done is None:
        return Check(None, running_since=running, head_seq=head_seq)
    summary = done.summary or {}
    bad_seq = summary.get("first_bad_seq")
    bad_page = 1
    if bad_seq:
        newer = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq > bad_seq)) or 0
        bad_page = newer // PER_PAGE + 1
    return Check(done.finished_at, ok=bool(summary.get("ok")), events=int(summary.get("events") or 0),
                 first_bad_seq=bad_seq, reason=str(summary.get("reason") or ""),
                 anchors=int(summary.get("anchors") or 0),
                 mismatches=tuple(line for line in str(summary.get("mismatches") or "").split("\n") if line),
                 error=done.error or "", running_since=running, head_seq=head_seq, bad_page=bad_page)


def _running_since(s: Session, env: Env) -> datetime | None:
    started = s.scalar(select(JobRun.started_at).where(JobRun.name == CHECK, JobRun.status == RunStatus.RUNNING)
                       .order_by(JobRun.id.desc()).limit(1))
    if started is None or _aware(started) < env.now - ABANDONED:
        return None
    return started


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=TZ)


def may_start_check(s: Session, env: Env, actor: Person) -> bool:
    """Whether a new check may start now (refused to anyone but an inspector; False while one runs)."""
    require_inspector(s, env, actor)
    return _running_since(s, env) is None


def run_check(sessions: sessionmaker[Session], anchor_lines: list[str] | None,
              clock: Callable[[], datetime] = calendar.now) -> dict[str, Any]:
    """Verify the whole chain (against the anchors) as a recorded job run; return its result."""
    def body() -> dict[str, Any]:
        with sessions.begin() as s:
            result = audit.verify(s, anchor_lines)
        return {"ok": result.ok, "events": result.count, "first_bad_seq": result.first_bad_seq,
                "reason": result.reason, "anchors": result.anchors,
                "mismatches": "\n".join(result.mismatches[:MISMATCHES_KEPT])}
    return jobs.recorded(sessions, CHECK, "manual", body, clock)


def anchors(lines: list[str] | None) -> tuple[list[chain.Anchor], str]:
    """The anchors of the anchor file, newest first, or the reason they cannot be read."""
    if lines is None:
        return [], ""
    found, bad = chain.parse_anchors(lines, audit.keyring())
    return list(reversed(found)), bad.reason if bad else ""


# --- the timeline ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the timeline is narrowed to (every field optional)."""

    person_id: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None
    matter_id: int | None = None
    page: int = 1

    def checked(self) -> "Filters":
        if self.page < 1:
            raise InvalidInput("audit_page.page_bad")
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("audit_page.date_range_bad")
        return self


@dataclass(frozen=True)
class Event:
    """One event of the log, as discipline inspection reads it (names and words, never keys)."""

    seq: int
    at: datetime
    actor: str
    kind_name: str
    detail: str
    matter_id: int | None
    matter_title: str
    refused: bool
    about: str = ""              # the meeting or 公文 it was about


@dataclass(frozen=True)
class Timeline:
    events: list[Event]
    total: int
    page: int
    pages: int
    kinds: list[tuple[str, str]] = field(default_factory=list)      # (kind, its name) of the log's events
    people: list[tuple[int, str]] = field(default_factory=list)


def kind_name(kind: str) -> str:
    """An event kind's name: the matter timeline's, else this page's, else a generic one (never the key)."""
    return MESSAGES.get(f"event.{kind}") or MESSAGES.get(f"audit_page.event.{kind}") or message("audit_page.event_other")


def timeline(s: Session, env: Env, actor: Person, filters: Filters) -> Timeline:
    """A page of the log's events, newest first, with the total: a fixed number of statements per page."""
    require_inspector(s, env, actor)
    filters = filters.checked()
    conditions = _conditions(filters)
    total = s.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    rows = list(s.scalars(select(AuditEvent).where(*conditions).order_by(AuditEvent.seq.desc())
                          .limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE)))
    events = _described(s, env, rows)
    kinds = sorted(((k, kind_name(k)) for k in s.scalars(select(AuditEvent.kind).distinct())), key=lambda kn: kn[1])
    people = [(pid, name) for pid, name in s.execute(select(Person.id, Person.name).order_by(Person.name, Person.id))]
    return Timeline(events, total, filters.page, pages, kinds, people)


def _conditions(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.person_id is not None:
        conditions.append(AuditEvent.actor_id == filters.person_id)
    if filters.kind:
        conditions.append(AuditEvent.kind == filters.kind)
    if filters.since:
        conditions.append(AuditEvent.at >= datetime.combine(filters.since, time(), TZ))
    if filters.until:
        conditions.append(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time(), TZ))
    if filters.matter_id is not None:
        conditions.append(AuditEvent.matter_id == filters.matter_id)
    return conditions


def _described(s: Session, env: Env, rows: list[AuditEvent]) -> list[Event]:
    """Describe a page of events with the matter timeline's wording: five statements however many events."""
    usernames = {e.payload.get(k) for e in rows for k in ("assignee", "transferred_to", "person")}
    names, named = records.people_names(s, [e.actor_id for e in rows], usernames)      # the matter timeline's own wording
    matter_ids = {e.matter_id for e in rows if e.matter_id is not None}
    titles = dict(s.execute(select(Matter.id, Matter.title).where(Matter.id.in_(matter_ids))).all())
    steps: dict[int, dict[str, str]] = {}
    for matter_id, key, name in s.execute(select(MatterStep.matter_id, MatterStep.step_key, MatterStep.name)
                                          .where(MatterStep.matter_id.in_(matter_ids))):
        steps.setdefault(matter_id, {})[key] = name
    about = _subjects(s, rows)
    return [Event(seq=e.seq, at=e.at, actor=names.get(e.actor_id) or message("system_author"),
                  kind_name=kind_name(e.kind), detail=_describe(env, e, steps.get(e.matter_id, {}), named),
                  matter_id=e.matter_id, matter_title=titles.get(e.matter_id, ""), refused=e.kind == refusals.KIND,
                  about=about.get((e.subject, e.subject_id), ""))
            for e in rows]


def _subjects(s: Session, rows: list[AuditEvent]) -> dict[tuple[str, int | None], str]:
    """The meeting or document an event was about, in words (a meeting's events name no matter)."""
    wanted = {kind: {e.subject_id for e in rows if e.subject == kind and e.subject_id} for kind in ("meeting", "document")}
    found: dict[tuple[str, int | None], str] = {}
    for meeting_id, title in s.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(wanted["meeting"]))):
        found[("meeting", meeting_id)] = message("audit_page.about_meeting", title=title)
    for doc_id, title in s.execute(select(Document.id, Document.title).where(Document.id.in_(wanted["document"]))):
        found[("document", doc_id)] = message("audit_page.about_document", title=title)
    return found


def _describe(env: Env, e: AuditEvent, steps: dict[str, str], named: dict[str, str]) -> str:
    payload = e.payload or {}
    if e.kind == refusals.KIND:                  # the action tried is a permission's key: say its name
        grant = env.policies.permissions.grants.get(payload.get("action", ""))
        action = grant.name if grant is not None else message("refusal.other_action")
        return message("audit_page.refused_detail", action=action, reason=payload.get("reason", ""))
    words = [records.event_detail(payload, steps, named)]                                # the matter timeline's own wording
    person = payload.get("person")
    if isinstance(person, str) and person:       # whom a meeting's attendance, recusal or opinion was about
        words.insert(0, named.get(person, ""))
    if payload.get("filename"):
        words.append(message("audit_page.quoted", text=payload["filename"]))
    return " ".join(w for w in words if w)


# --- the dossier -----------------------------------------------------------------------------------

def matter_dossier(s: Session, env: Env, actor: Person, matter_id: int) -> tuple[bytes, str]:
    """The dossier zip of any matter (quorum dossier), named by the matter's title."""
    require_inspector(s, env, actor)
    title = s.scalar(select(Matter.title).where(Matter.id == matter_id))
    if title is None:
        raise NotFound("audit_page.matter_unknown", id=matter_id)
    data, _name = dossier.export(s, env, matter_id)
    return data, message("audit_page.dossier_file", id=matter_id, title=_file_safe(title))


def _file_safe(title: str) -> str:
    """A title as part of a file name: no path separators or characters Windows refuses, at most 60 characters."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_.")[:60]
