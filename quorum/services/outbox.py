"""The outbox: enqueue notifications in the caller's transaction; deliver them later, idempotently.

`notify` runs inside the transaction of the change that causes it and inserts, under a unique key
per person, one Notification (shown in-app). A key already present means "already notified":
nothing is inserted, so a sweep run twice sends nothing twice, even when two sweeps race (the
unique constraint decides; the loser's savepoint rolls back).

`deliver_pending` works outside any business transaction: it first expands new notifications into
OutboxMessage rows for e-mail and group robots as config.toml says (`dispatch`), then claims one message at a time (status
"sending" with a lease; SKIP LOCKED on PostgreSQL), sends it, and marks it sent — or schedules a
retry with exponential backoff, or after the last attempt marks it failed and tells the 党政办.
A deliverer killed mid-send leaves its message "sending"; once the lease runs out the next run
sends it again with the same key (X-Quorum-Delivery-Key / Message-ID), so a receiver can drop the
copy. Every other message is sent exactly once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quorum.core import states
from quorum.core.messages import message
from quorum.core.states import DeliveryStatus
from quorum.db import Notification, OutboxMessage, Person
from quorum.notify import DeliveryError, mail, webhook
from quorum.scheduler_settings import MailSettings, Robot, SchedulerSettings
from quorum.services import org, permissions
from quorum.services.env import Env

PENDING, SENDING, SENT, FAILED = DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED
SECRETARIAT = ("secretariat",)


@dataclass(frozen=True)
class Outlets:
    """Where notifications go and how delivery behaves (from config.toml)."""

    templates_dir: Path
    mail: MailSettings = MailSettings()
    robots: tuple[Robot, ...] = ()
    scheduler: SchedulerSettings = SchedulerSettings()

    @classmethod
    def from_settings(cls, settings: Any) -> "Outlets":
        d = settings.delivery
        return cls(settings.templates_dir, d.mail, d.robots, d.scheduler)

    def emails(self, kind: str) -> bool:
        return self.mail.enabled and (not self.mail.kinds or kind in self.mail.kinds)

    def robots_for(self, kind: str) -> list[Robot]:
        return [r for r in self.robots if not r.kinds or kind in r.kinds]


@dataclass(frozen=True)
class Event:
    """Something people are told about; `key` is person-independent (subject, kind, day)."""

    key: str
    kind: str
    title: str
    body: str
    subject: str = ""
    subject_id: int | None = None
    matter_id: int | None = None
    link: str | None = None
    in_app_only: bool = False


def _insert(s: Session, row: Any) -> bool:
    """Insert a keyed row unless its key exists; a concurrent insert of the same key loses quietly."""
    model = type(row)
    if s.execute(select(model.id).where(model.key == row.key)).first() is not None:
        return False
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:
        return False
    return True


def notify(s: Session, env: Env, event: Event, person_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Enqueue the event for each person, in the caller's transaction; needs no channel settings.

    Returns what was newly enqueued; an empty list means everyone had been told already.
    """
    out = []
    for pid in dict.fromkeys(person_ids):
        person = s.get(Person, pid)
        if person is None or not person.active:
            continue
        key = f"{event.key}:p{pid}"
        row = Notification(key=key, event_key=event.key, person_id=pid, kind=event.kind, subject=event.subject,
                           subject_id=event.subject_id, matter_id=event.matter_id, title=event.title,
                           body=event.body, link=event.link, in_app_only=event.in_app_only, created_at=env.now)
        if _insert(s, row):
            out.append({"channel": "in_app", "to": person.username, "name": person.name, "kind": event.kind,
                        "subject": event.subject, "subject_id": event.subject_id, "title": event.title, "key": key})
    return out


def _message(env: Env, n: Notification, channel: str, target: str, key: str) -> OutboxMessage:
    return OutboxMessage(key=key, notification_id=n.id, channel=channel, target=target, kind=n.kind, title=n.title,
                         body=n.body, status=PENDING, attempts=0, next_attempt_at=env.now, created_at=env.now)


def dispatch(s: Session, env: Env, outlets: Outlets, limit: int = 1000) -> int:
    """Expand new notifications into e-mail (per person) and robot messages (once per event)."""
    rows = s.execute(select(Notification).where(Notification.dispatched_at.is_(None)).order_by(Notification.id)
                     .limit(limit).with_for_update(skip_locked=True)).scalars().all()
    made = 0
    for n in rows:
        n.dispatched_at = env.now
        if n.in_app_only:
            continue
        email = s.get(Person, n.person_id).email
        if email and outlets.emails(n.kind):
            made += _insert(s, _message(env, n, "email", email, f"{n.key}:email"))
        for robot in outlets.robots_for(n.kind):
            made += _insert(s, _message(env, n, "webhook", robot.name, f"{n.event_key}:w:{robot.name}"))
    return made


# --------------------------------------------------------------------------------------------
# delivery


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    channel: str
    target: str
    title: str
    body: str
    attempts: int


def claim_next(s: Session, env: Env, lease_seconds: int) -> Claimed | None:
    """Take the next due message (or one whose deliverer died) and mark it sending under a lease."""
    stale = env.now - timedelta(seconds=lease_seconds)
    query = (select(OutboxMessage)
             .where(or_((OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= env.now),
                        (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at <= stale)))
             .order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True))
    row = s.execute(query).scalar_one_or_none()
    if row is None:
        return None
    states.apply(row, "delivery", SENDING, message("outbox.action_claim"))
    row.claimed_at, row.attempts = env.now, row.attempts + 1
    s.flush()
    return Claimed(row.id, row.key, row.channel, row.target, row.title, row.body, row.attempts)


def mark_sent(s: Session, env: Env, message_id: int) -> None:
    row = s.get(OutboxMessage, message_id)
    if row.status == SENT:       # a deliverer whose lease ran out finished after the next one: sent once is enough
        return
    states.apply(row, "delivery", SENT, message("outbox.action_sent"))
    row.sent_at, row.last_error = env.now, None


def mark_failed(s: Session, env: Env, outlets: Outlets, message_id: int, error: str) -> str:
    """Schedule a retry with backoff, or after the last attempt mark the message failed; return the status."""
    row = s.get(OutboxMessage, message_id)
    row.last_error = error[:2000]
    if row.attempts >= outlets.scheduler.max_attempts:
        states.apply(row, "delivery", FAILED, message("outbox.action_fail"))
        _tell_secretariat(s, env, outlets, row)
    else:
        states.apply(row, "delivery", PENDING, message("outbox.action_retry"))
        row.next_attempt_at = env.now + timedelta(seconds=outlets.scheduler.backoff_seconds * 2 ** (row.attempts - 1))
    return row.status


def _tell_secretariat(s: Session, env: Env, outlets: Outlets, row: OutboxMessage) -> None:
    from quorum.notify.wording import render
    title, body = render(outlets.templates_dir, "delivery_failed", message=row, channel=_channel_name(row.channel))
    event = Event(f"delivery_failed:{row.id}", "delivery_failed", title, body, "outbox", row.id,
                  link="/notifications/outbox", in_app_only=True)
    notify(s, env, event, [p.id for role in SECRETARIAT for p in org.holders(s, role)])


def _channel_name(channel: str) -> str:
    return message(f"outbox.channel_{channel}") if channel in ("email", "webhook") else channel


Sender = Callable[[Claimed], None]


def send(outlets: Outlets, now: datetime) -> Sender:
    """The real sender: SMTP for e-mail, HTTP for robots."""
    robots = {r.name: r for r in outlets.robots}

    def _send(msg: Claimed) -> None:
        if msg.channel == "email":
            mail.send(outlets.mail, msg.target, msg.title, msg.body, msg.key)
        elif msg.channel == "webhook":
            robot = robots.get(msg.target)
            if robot is None:
                raise DeliveryError(message("outbox.robot_gone", name=msg.target))
            webhook.send(robot, msg.title, msg.body, msg.key, now, outlets.scheduler.webhook_timeout_seconds)
        else:
            raise DeliveryError(message("outbox.channel_unknown", channel=msg.channel))
    return _send


def deliver_pending(sessions: sessionmaker[Session], env: Env, outlets: Outlets, limit: int = 500,
                    sender: Sender | None = None) -> list[dict[str, Any]]:
    """Expand new notifications, then send due messages one by one, each in its own short transaction."""
    sender = sender or send(outlets, env.now)
    with sessions.begin() as s:
        dispatch(s, env, outlets)
    results = []
    for _ in range(limit):
        with sessions.begin() as s:
            msg = claim_next(s, env, outlets.scheduler.lease_seconds)
        if msg is None:
            break
        try:
            sender(msg)
        except DeliveryError as exc:
            with sessions.begin() as s:
                status = mark_failed(s, env, outlets, msg.id, str(exc))
            results.append({"channel": msg.channel, "to": msg.target, "title": msg.title, "key": msg.key,
                            "status": status, "error": str(exc), "attempt": msg.attempts})
            continue
        with sessions.begin() as s:
            mark_sent(s, env, msg.id)
        results.append({"channel": msg.channel, "to": msg.target, "title": msg.title, "key": msg.key,
                        "status": SENT, "attempt": msg.attempts})
    return results


# --------------------------------------------------------------------------------------------
# reading and the secretariat's retry


def notifications_of(s: Session, person_id: int, unread_only: bool = False, limit: int = 200) -> list[Notification]:
    query = select(Notification).where(Notification.person_id == person_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(s.execute(query.order_by(Notification.id.desc()).limit(limit)).scalars())


def unread_count(s: Session, person_id: int) -> int:
    from sqlalchemy import func
    return s.execute(select(func.count(Notification.id)).where(Notification.person_id == person_id,
                                                               Notification.read_at.is_(None))).scalar_one()


def mark_read(s: Session, env: Env, actor: Person, notification_ids: Iterable[int] | None, read: bool = True) -> int:
    """Mark the actor's own notifications (all of them when ids is None) read or unread."""
    query = update(Notification).where(Notification.person_id == actor.id)
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    return s.execute(query.values(read_at=env.now if read else None)).rowcount


def problems(s: Session, limit: int = 200) -> list[OutboxMessage]:
    """Messages that failed or are waiting for a retry after an error, for the 党政办's page."""
    query = (select(OutboxMessage).where(or_(OutboxMessage.status == FAILED, OutboxMessage.last_error.is_not(None)),
                                         OutboxMessage.status != SENT)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    return list(s.execute(query).scalars())


def retry(s: Session, env: Env, actor: Person, message_id: int) -> OutboxMessage:
    """The 党政办 sends a failed message again (fresh attempts, same key)."""
    from quorum.core.errors import InvalidInput, NotFound
    permissions.require(s, env, actor, "outbox.retry", subject="outbox_message", subject_id=message_id)
    row = s.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(what=message("outbox.what_message"), ref=message_id)
    if row.status == SENT:
        raise InvalidInput.because("outbox.already_sent")
    states.apply(row, "delivery", PENDING, message("outbox.action_resend"))
    row.attempts, row.next_attempt_at = 0, env.now
    return row
