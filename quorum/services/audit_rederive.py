"""Re-derive business rows from the audit events and name every row that disagrees.

A named ballot (`ballot`) must have its `meeting.ballot` event (meeting, item, voter, choice) and
every such event its row; a secret item's tallies (`secret_tally`) must add up to the secret ballot
events of that item — the events never hold a secret choice, so only the total can be re-derived.
A task is done exactly when its last status event is `task.done`, with that event's action as its
outcome (cancellations are not re-derived: a consent by silence cancels tasks under a step event).
"""

from collections import Counter
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quorum.core.actions import ACTION_NAMES
from quorum.core.messages import message
from quorum.core.states import status_name
from quorum.db import AgendaItem, AuditEvent, Ballot, Person, SecretTally, Task

BALLOT = "meeting.ballot"


def mismatches(s: Session) -> Iterator[str]:
    """Yield one Chinese line per business row that the audit events do not account for."""
    named: Counter = Counter()
    secret: Counter = Counter()
    first_seq: dict[tuple, int] = {}
    for seq, meeting_id, p in s.execute(select(AuditEvent.seq, AuditEvent.subject_id, AuditEvent.payload)
                                        .where(AuditEvent.kind == BALLOT).order_by(AuditEvent.seq)):
        if p.get("secret"):
            secret[(meeting_id, p.get("item"))] += 1
        else:
            vote = (meeting_id, p.get("item"), p.get("voter"), p.get("choice"))
            named[vote] += 1
            first_seq.setdefault(vote, seq)
    yield from _named(s, named, first_seq)
    yield from _secret(s, secret)
    yield from _tasks(s)


TASK_STATUS_EVENTS = ("task.opened", "task.done", "task.cancelled")


def _tasks(s: Session) -> Iterator[str]:
    last: dict[int, tuple[int, str, dict]] = {}
    for seq, task_id, kind, payload in s.execute(
            select(AuditEvent.seq, AuditEvent.subject_id, AuditEvent.kind, AuditEvent.payload)
            .where(AuditEvent.subject == "task", AuditEvent.kind.in_(TASK_STATUS_EVENTS)).order_by(AuditEvent.seq)):
        last[task_id] = (seq, kind, payload)
    for task_id, status, outcome in s.execute(select(Task.id, Task.status, Task.outcome).order_by(Task.id)):
        seq, kind, payload = last.get(task_id, (None, None, {}))
        logged_done = kind == "task.done"
        if (status == "done") != logged_done:
            where = message("audit.task_last_event", seq=seq, kind=message(f"event.{kind}")) if seq else message("audit.task_no_event")
            yield message("audit.task_status_differs", task_id=task_id, status=status_name("task", status),
                          where=where)
        elif logged_done and payload.get("action") and payload["action"] != outcome:
            yield message("audit.task_outcome_differs", task_id=task_id, outcome=ACTION_NAMES.get(outcome, outcome),
                          seq=seq, action=ACTION_NAMES.get(payload["action"], payload["action"]))


def _named(s: Session, events: Counter, first_seq: dict[tuple, int]) -> Iterator[str]:
    names = dict(s.execute(select(Person.username, Person.name)).all())    # the events name voters by username
    rows = s.execute(select(Ballot.id, AgendaItem.meeting_id, AgendaItem.seq, Person.username, Ballot.choice)
                     .join(AgendaItem, AgendaItem.id == Ballot.item_id).join(Person, Person.id == Ballot.person_id)
                     .order_by(Ballot.id))
    for ballot_id, meeting_id, item, voter, choice in rows:
        vote = (meeting_id, item, voter, choice)
        if events[vote] > 0:
            events[vote] -= 1
        else:
            yield message("audit.ballot_not_logged", ballot_id=ballot_id, meeting_id=meeting_id, item=item,
                          voter=names.get(voter, voter), choice=message(f"choice.{choice}"))
    for vote, left in sorted(events.items(), key=lambda kv: first_seq[kv[0]]):
        if left > 0:
            meeting_id, item, voter, choice = vote
            yield message("audit.vote_not_recorded", seq=first_seq[vote], meeting_id=meeting_id, item=item,
                          voter=names.get(voter, voter), choice=message(f"choice.{choice}"))


def _secret(s: Session, events: Counter) -> Iterator[str]:
    totals = s.execute(select(AgendaItem.meeting_id, AgendaItem.seq, func.sum(SecretTally.count))
                       .join(AgendaItem, AgendaItem.id == SecretTally.item_id)
                       .group_by(AgendaItem.meeting_id, AgendaItem.seq).order_by(AgendaItem.meeting_id, AgendaItem.seq))
    for meeting_id, item, total in totals:
        logged = events.get((meeting_id, item), 0)
        if int(total or 0) != logged:
            yield message("audit.secret_tally_differs", meeting_id=meeting_id, item=item, total=int(total or 0),
                          logged=logged)
