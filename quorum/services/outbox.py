"""The outbox: enqueue notifications in the caller's transaction; deliver them later, idempotently.

`notify` runs inside the transaction of the change that causes it and inserts, under a unique key
per person, one Notification (shown in-app). A key already present means "already notified":
nothing is inserted, so a sweep run twice sends nothing twice, even when two sweeps race (the
unique constraint decides; the loser's savepoint rolls back).

`deliver_pending` works outside any business transaction: it first expands new notifications into
OutboxMessage rows for e-mail and group robots as config.toml says (`dispatch`) — a burst of one
person's notifications created within the same minute becomes one message per channel listing them
(in-app they stay separate rows) —, then claims one message at a time (status
"sending" with a lease; SKIP LOCKED on PostgreSQL), sends it, and marks it sent — or schedules a
retry with exponential backoff, or after the last attempt marks it failed and tells the secretariat.
A deliverer killed mid-send leaves its message "sending"; once the lease runs out the next run
sends it again with the same key (X-Quorum-Delivery-Key / Message-ID), so a receiver can drop the
copy. Every other message is sent exactly once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quorum import calendar
from quorum.core import states
from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.core.states import DeliveryStatus
from quorum.db import AuditEvent, Meeting, Notification, OutboxMessage, Person
from quorum.notify import DeliveryError, mail, webhook
from quorum.notify.wording import render
from quorum.scheduler_settings import MailSettings, Robot, SchedulerSettings
from quorum.services import calendar_feed, org, permissions
from quorum.services.env import Env

PENDING, SENDING, SENT, FAILED = DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED
SECRETARIAT = ("secretariat",)
BUNDLE = "bundle"                  # the kind of a message listing several notifications of one person
MEETING_CALLED = "meeting_called"  # a 会议通知: its e-mail carries the .ics invitation
NOTIFICATIONS_PAGE = "/notifications"


@dataclass(frozen=True)
class Outlets:
    """Where notifications go and how delivery behaves (from config.toml)."""

    templates_dir: Path
    mail: MailSettings = MailSettings()
    robots: tuple[Robot, ...] = ()
    scheduler: SchedulerSettings = SchedulerSettings()
    base_url: str = ""                 # [web] base_url: links in e-mail and robot messages become absolute

    @classmethod
    def from_settings(cls, settings: Any) -> "Outlets":
        d = settings.delivery
        return cls(settings.templates_dir, d.mail, d.robots, d.scheduler, d.base_url)

    def url(self, link: str | None) -> str:
        """The address a person opens: absolute under base_url when one is configured, else the path."""
        if not link:
            return ""
        if link.startswith(("http://", "https://")) or not self.base_url:
            return link
        return self.base_url.rstrip("/") + "/" + link.lstrip("/")

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


def notify(s: Session, env: Env, event: Event, person_ids: Iterable[int], fresh: bool = False) -> list[dict[str, Any]]:
    """Enqueue the event for each person, in the caller's transaction; needs no channel settings.

    Returns what was newly enqueued; an empty list means everyone had been told already. `fresh` says the
    key names something this transaction has just made (a new task's id): no earlier row can hold it, so the
    row is added without the look-up and the savepoint, and goes out with the transaction's next flush.
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
        if fresh:
            s.add(row)
        if fresh or _insert(s, row):
            out.append({"channel": "in_app", "to": person.username, "name": person.name, "kind": event.kind,
                        "subject": event.subject, "subject_id": event.subject_id, "title": event.title, "key": key})
    return out


def _message(env: Env, n: Notification, channel: str, target: str, key: str, title: str, body: str,
             kind: str) -> OutboxMessage:
    return OutboxMessage(key=key, notification_id=n.id, channel=channel, target=target, kind=kind, title=title,
                         body=body, status=PENDING, attempts=0, next_attempt_at=env.now, created_at=env.now)


def _minute(moment: datetime) -> datetime:
    return calendar.to_local(moment).replace(second=0, microsecond=0)


def _without_greeting(person: Person, body: str) -> str:
    """A notification's body without its first line when that line greets the person (a bundle greets once)."""
    first, _, rest = body.partition("\n")
    return rest.strip() if first.startswith(person.name) and rest else body


def _content(outlets: Outlets, person: Person, rows: list[Notification], with_links: bool) -> tuple[str, str, str]:
    """(kind, title, body) of one message carrying these notifications of one person: the notification
    itself when it is alone, else a bundle listing them (templates/messages/bundle.txt). An e-mail (with links)
    greets its reader; a group robot's post is read by the whole group, so it greets no one."""
    if len(rows) == 1:
        n = rows[0]
        url = outlets.url(n.link)
        body = n.body if with_links else _without_greeting(person, n.body)
        body += "\n\n" + message("notify.link_line", url=url) if with_links and url else ""
        return n.kind, n.title, body
    listed = [{"title": n.title, "body": _without_greeting(person, n.body),
               "url": outlets.url(n.link) if with_links else ""} for n in rows]
    title, body = render(outlets.templates_dir, "bundle", person=person, rows=listed)
    if with_links:
        body += "\n\n" + message("notify.all_notifications_line", url=outlets.url(NOTIFICATIONS_PAGE))
    return BUNDLE, title, body


def dispatch(s: Session, env: Env, outlets: Outlets, limit: int = 1000) -> int:
    """Expand new notifications into e-mail (per person) and robot messages, one per person, channel and minute.

    A person's notifications created within the same minute go out as one message per channel listing them
    (a lone one goes out as itself); a robot receives an event told to several people once. Each message is
    keyed by its first notification, and every notification is dispatched once (it is marked in the same
    transaction, and locked with SKIP LOCKED on PostgreSQL), so a re-run or a racing dispatcher sends nothing twice.
    """
    rows = s.execute(select(Notification).where(Notification.dispatched_at.is_(None)).order_by(Notification.id)
                     .limit(limit).with_for_update(skip_locked=True)).scalars().all()
    bursts: dict[tuple[int, datetime], list[Notification]] = {}
    for n in rows:
        n.dispatched_at = env.now
        if not n.in_app_only:
            bursts.setdefault((n.person_id, _minute(n.created_at)), []).append(n)
    made = 0
    robot_events: dict[str, set[str]] = {r.name: set() for r in outlets.robots}
    for (person_id, _), burst in bursts.items():
        person = s.get(Person, person_id)
        mailed = [n for n in burst if outlets.emails(n.kind)]
        if person.email and mailed:
            kind, title, body = _content(outlets, person, mailed, with_links=True)
            key = f"{mailed[0].key}:email" if len(mailed) == 1 else f"{mailed[0].key}:bundle:email"
            made += _insert(s, _message(env, mailed[0], "email", person.email, key, title, body, kind))
        for robot in outlets.robots:
            seen = robot_events[robot.name]
            posted = [n for n in burst if (not robot.kinds or n.kind in robot.kinds) and n.event_key not in seen]
            if not posted:
                continue
            seen.update(n.event_key for n in posted)
            kind, title, body = _content(outlets, person, posted, with_links=False)
            key = (f"{posted[0].event_key}:w:{robot.name}" if len(posted) == 1
                   else f"{posted[0].key}:bundle:w:{robot.name}")
            made += _insert(s, _message(env, posted[0], "webhook", robot.name, key, title, body, kind))
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
    link: str = ""               # what a robot's card opens (absolute when [web] base_url is set)
    attachments: tuple[mail.Attachment, ...] = ()    # an e-mailed 会议通知's .ics invitation


def claim_next(s: Session, env: Env, lease_seconds: int, outlets: Outlets | None = None) -> Claimed | None:
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
    return Claimed(row.id, row.key, row.channel, row.target, row.title, row.body, row.attempts,
                   _link_of(s, row, outlets), _invitations(s, row, outlets))


def _invitations(s: Session, row: OutboxMessage, outlets: Outlets | None) -> tuple[mail.Attachment, ...]:
    """The .ics invitation of the meetings an e-mail calls its reader to (alone or in a bundle).

    A bundle is keyed by its first notification; its others are that person's notifications of the same
    dispatch and minute, so they are found again by person, dispatch time and minute.
    """
    first = s.get(Notification, row.notification_id) if row.notification_id is not None else None
    if row.channel != "email" or first is None or outlets is None:
        return ()
    query = select(Notification.subject_id).where(Notification.kind == MEETING_CALLED,
                                                  Notification.subject == "meeting")
    if row.kind == BUNDLE:
        minute = _minute(first.created_at)
        query = query.where(Notification.person_id == first.person_id,
                            Notification.dispatched_at == first.dispatched_at,
                            Notification.in_app_only.is_(False))
        ids = [i for i, created in s.execute(query.add_columns(Notification.created_at))
               if _minute(created) == minute]
    else:
        ids = list(s.execute(query.where(Notification.id == first.id)).scalars())
    meetings = [m for m in (s.get(Meeting, i) for i in dict.fromkeys(ids) if i is not None) if m is not None]
    if not meetings:
        return ()
    person = s.get(Person, first.person_id)
    data = calendar_feed.invitation(meetings, outlets.mail.sender, row.target, person.name, row.created_at)
    return (mail.Attachment(message("outbox.invitation_filename"), "text/calendar; method=REQUEST; charset=utf-8", data),)


def _link_of(s: Session, row: OutboxMessage, outlets: Outlets | None) -> str:
    """A bundle opens the notifications page; a single notice opens its own link."""
    if row.kind == BUNDLE:
        link: str | None = NOTIFICATIONS_PAGE
    else:
        n = s.get(Notification, row.notification_id) if row.notification_id is not None else None
        link = n.link if n is not None else None
    return outlets.url(link) if outlets is not None else (link or "")


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
            mail.send(outlets.mail, msg.target, msg.title, msg.body, msg.key, msg.attachments)
        elif msg.channel == "webhook":
            robot = robots.get(msg.target)
            if robot is None:
                raise DeliveryError(message("outbox.robot_gone", name=msg.target))
            webhook.send(robot, msg.title, msg.body, msg.key, now, outlets.scheduler.webhook_timeout_seconds,
                         link=msg.link)
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
            msg = claim_next(s, env, outlets.scheduler.lease_seconds, outlets)
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
    return s.execute(select(func.count(Notification.id)).where(Notification.person_id == person_id,
                                                               Notification.read_at.is_(None))).scalar_one()


def mark_read(s: Session, env: Env, actor: Person, notification_ids: Iterable[int] | None, read: bool = True) -> int:
    """Mark the actor's own notifications (all of them when ids is None) read or unread."""
    query = update(Notification).where(Notification.person_id == actor.id)
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    return s.execute(query.values(read_at=env.now if read else None)).rowcount


def problems(s: Session, limit: int = 200) -> list[OutboxMessage]:
    """Messages that failed or are waiting for a retry after an error, for the secretariat's page."""
    query = (select(OutboxMessage).where(or_(OutboxMessage.status == FAILED, OutboxMessage.last_error.is_not(None)),
                                         OutboxMessage.status != SENT)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    return list(s.execute(query).scalars())


def retry(s: Session, env: Env, actor: Person, message_id: int) -> OutboxMessage:
    """The secretariat sends a failed message again (fresh attempts, same key)."""
    permissions.require(s, env, actor, "outbox.retry", subject="outbox_message", subject_id=message_id)
    row = s.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(what=message("outbox.what_message"), ref=message_id)
    if row.status == SENT:
        raise InvalidInput.because("outbox.already_sent")
    states.apply(row, "delivery", PENDING, message("outbox.action_resend"))
    row.attempts, row.next_attempt_at = 0, env.now
    return row


# --------------------------------------------------------------------------------------------
# read receipts


@dataclass(frozen=True)
class Receipt:
    """Whether one person has read one notice: who, what, when it was sent and when read (None: unread)."""

    name: str
    title: str
    sent_at: datetime
    read_at: datetime | None
    matter_id: int | None = None


def urges_sent(s: Session, person_id: int, limit: int = 20) -> list[Receipt]:
    """The urges this person sent lately, each with whether the urged person has read it (newest first)."""
    urged = list(s.execute(select(AuditEvent.subject_id, AuditEvent.at).where(
        AuditEvent.kind == "task.urged", AuditEvent.actor_id == person_id).order_by(AuditEvent.seq.desc())
        .limit(limit)).all())
    keys = [f"task:{task_id}:urge:{calendar.to_local(at).date()}" for task_id, at in urged]
    if not keys:
        return []
    rows = s.execute(select(Notification, Person.name).join(Person, Person.id == Notification.person_id)
                     .where(Notification.event_key.in_(keys))).all()
    found = {n.event_key: (n, name) for n, name in rows}
    return [Receipt(name, n.title, n.created_at, n.read_at, n.matter_id)
            for n, name in (found[k] for k in keys if k in found)]


def notice_reads(s: Session, event_key: str) -> list[Receipt]:
    """Who was sent one notice (e.g. a meeting's notice, "meeting:<id>:called") and who has read it, in sent order."""
    rows = s.execute(select(Notification, Person.name).join(Person, Person.id == Notification.person_id)
                     .where(Notification.event_key == event_key).order_by(Notification.id)).all()
    return [Receipt(name, n.title, n.created_at, n.read_at, n.matter_id) for n, name in rows]
