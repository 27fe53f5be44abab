"""One-shot scheduler commands: run a sweep, the delivery or the digest as plain functions (backup: backup_commands).

`quorum remind [--now ISO-TIME] [--json]` is the 15-minute sweep without Prefect: it applies expiries,
enqueues the reminders due at that moment and delivers what is pending, then prints what it sent.
Run twice at the same instant it sends nothing the second time. Wired into the cli with
register(sub, add), the signature of the "quorum.commands" entry points.
"""

import argparse
from collections.abc import Callable
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message

CHANNELS = {channel: message(f"cli.channel_{channel}") for channel in ("in_app", "email", "webhook", "timer")}
STATUSES = {status: message(f"cli.delivery_{status}") for status in ("sent", "pending", "failed")}


def _context(args: argparse.Namespace):
    from quorum.services.outbox import Outlets
    rt = args.runtime
    return rt, rt.env(), Outlets.from_settings(rt.settings)


def _print_result(result: dict[str, Any]) -> None:
    for t in result.get("timers", []):
        print(message("cli.remind_timer_line", timer=CHANNELS["timer"], matter_id=t.get("matter_id"),
                      text=t.get("text", "")))
    for n in result.get("notified", []):
        print(message("cli.remind_notified_line", in_app=CHANNELS["in_app"], name=n["name"], title=n["title"]))
    for d in result.get("delivered", []):
        status = STATUSES.get(d["status"], d["status"])
        error = message("cli.remind_delivery_error", error=d["error"]) if d.get("error") else ""
        print(message("cli.remind_delivered_line", channel=CHANNELS.get(d["channel"], d["channel"]), to=d["to"],
                      title=d["title"], status=status, error=error))
    if not any(result.get(k) for k in ("timers", "notified", "delivered")):
        print(message("cli.remind_nothing"))


def cmd_remind(args: argparse.Namespace) -> None:
    from quorum.services import jobs, sweeps
    rt, env, outlets = _context(args)
    rules = sweeps.SweepRules.load(rt.settings.policies_dir)
    # recorded like the scheduler's sweep, so /healthz also sees a sweep run from cron without Prefect
    result = jobs.recorded(rt.db.sessions, "sweep", "command",
                           lambda: sweeps.run_sweep(rt.db.sessions, env, outlets, rules, deliver=not args.no_deliver))
    if args.json:
        emit(args, result)
        return
    _print_result(result)


def cmd_deliver(args: argparse.Namespace) -> None:
    from quorum.services import outbox
    rt, env, outlets = _context(args)
    result = {"at": env.now, "delivered": outbox.deliver_pending(rt.db.sessions, env, outlets)}
    if args.json:
        emit(args, result)
        return
    _print_result(result)


def cmd_digest(args: argparse.Namespace) -> None:
    from quorum.services import outbox, sweeps
    rt, env, outlets = _context(args)
    with rt.db.sessions.begin() as s:
        notified = sweeps.digest(s, env, outlets, sweeps.SweepRules.load(rt.settings.policies_dir))
    result = {"at": env.now, "notified": notified, "delivered": outbox.deliver_pending(rt.db.sessions, env, outlets)}
    if args.json:
        emit(args, result)
        return
    _print_result(result)


def cmd_notifications(args: argparse.Namespace) -> None:
    from quorum.core.errors import InvalidInput
    from quorum.services import org, outbox
    rt = args.runtime
    if not args.actor:
        raise InvalidInput.because("cli.actor_required")
    with rt.db.sessions.begin() as s:
        person = org.person(s, args.actor)
        rows = [{"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "created_at": n.created_at,
                 "read": n.read_at is not None} for n in outbox.notifications_of(s, person.id, args.unread)]
    if args.json:
        emit(args, rows)
        return
    for r in rows:
        print(f"[{r['id']}]{'' if r['read'] else ' ●'} {r['created_at']:%Y-%m-%d %H:%M} {r['title']}")
    if not rows:
        print(message("cli.notifications_none"))


def cmd_outbox(args: argparse.Namespace) -> None:
    from quorum.services import outbox
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        rows = [{"id": m.id, "channel": m.channel, "to": m.target, "title": m.title, "status": m.status,
                 "attempts": m.attempts, "next_attempt_at": m.next_attempt_at, "error": m.last_error}
                for m in outbox.problems(s)]
    if args.json:
        emit(args, rows)
        return
    for r in rows:
        print(message("cli.outbox_line", id=r["id"], channel=CHANNELS.get(r["channel"], r["channel"]), to=r["to"],
                      title=r["title"], status=STATUSES.get(r["status"], r["status"]), attempts=r["attempts"],
                      error=r["error"]))
    if not rows:
        print(message("cli.outbox_empty"))


def cmd_outbox_retry(args: argparse.Namespace) -> None:
    from quorum.services import outbox
    row = args.runtime.act(outbox.retry, args.message)
    emit(args, {"message": row.id, "status": row.status})


def cmd_calendar_feed(args: argparse.Namespace) -> None:
    from quorum.services import calendar_feed
    token = args.runtime.act(calendar_feed.issue)
    emit(args, {"path": calendar_feed.path_for(token), "token": token})


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add remind, deliver, digest, backup and restore (backup_commands), notifications, outbox and calendar-feed."""
    p = add(sub, "remind", cmd_remind, message("cli.remind_help"))
    p.add_argument("--no-deliver", action="store_true", help=message("cli.remind_no_deliver_help"))
    add(sub, "deliver", cmd_deliver, message("cli.deliver_help"))
    add(sub, "digest", cmd_digest, message("cli.digest_help"))
    from quorum import backup_commands
    backup_commands.register(sub, add)
    add(sub, "notifications", cmd_notifications, message("cli.notifications_help")).add_argument(
        "--unread", action="store_true", help=message("cli.notifications_unread_help"))
    box = sub.add_parser("outbox", help=message("cli.outbox_help")).add_subparsers(dest="sub", required=True)
    add(box, "list", cmd_outbox, message("cli.outbox_list_help"))
    add(box, "retry", cmd_outbox_retry, message("cli.outbox_retry_help")).add_argument("message", type=int)
    add(sub, "calendar-feed", cmd_calendar_feed, message("cli.calendar_feed_help"))
