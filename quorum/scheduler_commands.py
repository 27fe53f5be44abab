"""One-shot scheduler commands: run a sweep, the delivery or the digest as plain functions (backup: backup_commands).

`quorum remind [--now ISO-TIME] [--json]` is the 15-minute sweep without Prefect: it applies expiries,
enqueues the reminders due at that moment and delivers what is pending, then prints what it sent.
Run twice at the same instant it sends nothing the second time. Wired into the cli with
register(sub, add), the signature of the "quorum.commands" entry points.
"""

import argparse
from collections.abc import Callable
from typing import Any

CHANNELS = {"in_app": "站内", "email": "邮件", "webhook": "群机器人", "timer": "到期处理"}
STATUSES = {"sent": "已发送", "pending": "待重试", "failed": "发送失败"}


def _context(args: argparse.Namespace):
    from quorum.services.outbox import Outlets
    rt = args.runtime
    return rt, rt.env(), Outlets.from_settings(rt.settings)


def _print_result(result: dict[str, Any]) -> None:
    for t in result.get("timers", []):
        print(f"{CHANNELS['timer']}：事项 {t.get('matter_id')} {t.get('text', '')}")
    for n in result.get("notified", []):
        print(f"{CHANNELS['in_app']} → {n['name']}（{n['to']}）：{n['title']}")
    for d in result.get("delivered", []):
        status = STATUSES.get(d["status"], d["status"])
        error = f"：{d['error']}" if d.get("error") else ""
        print(f"{CHANNELS.get(d['channel'], d['channel'])} → {d['to']}：{d['title']}（{status}{error}）")
    if not any(result.get(k) for k in ("timers", "notified", "delivered")):
        print("此时没有需要发送的提醒或通知。")


def cmd_remind(args: argparse.Namespace) -> None:
    from quorum.cli import emit
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
    from quorum.cli import emit
    from quorum.services import outbox
    rt, env, outlets = _context(args)
    result = {"at": env.now, "delivered": outbox.deliver_pending(rt.db.sessions, env, outlets)}
    if args.json:
        emit(args, result)
        return
    _print_result(result)


def cmd_digest(args: argparse.Namespace) -> None:
    from quorum.cli import emit
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
    from quorum.cli import emit
    from quorum.core.errors import InvalidInput
    from quorum.services import org, outbox
    rt = args.runtime
    if not args.actor:
        raise InvalidInput(reason="此命令需要 --as 用户名 指明操作人")
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
        print("没有通知。")


def cmd_outbox(args: argparse.Namespace) -> None:
    from quorum.cli import emit
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
        print(f"[{r['id']}] {CHANNELS.get(r['channel'], r['channel'])} → {r['to']}：{r['title']}"
              f"（{STATUSES.get(r['status'], r['status'])}，已尝试 {r['attempts']} 次：{r['error']}）")
    if not rows:
        print("没有发送失败或等待重试的消息。")


def cmd_outbox_retry(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.services import outbox
    row = args.runtime.act(outbox.retry, args.message)
    emit(args, {"message": row.id, "status": row.status})


def cmd_calendar_feed(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.services import calendar_feed
    token = args.runtime.act(calendar_feed.issue)
    emit(args, {"path": calendar_feed.path_for(token), "token": token})


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add remind, deliver, digest, backup and restore (backup_commands), notifications, outbox and calendar-feed."""
    p = add(sub, "remind", cmd_remind, "运行一次提醒扫描：到期处理、期限提醒与升级、周期性职责，并发送待发消息")
    p.add_argument("--no-deliver", action="store_true", help="只生成通知，不发送邮件和群机器人消息")
    add(sub, "deliver", cmd_deliver, "发送待发的邮件和群机器人消息（失败的按退避重试）")
    add(sub, "digest", cmd_digest, "生成并发送每人每日待办汇总")
    from quorum import backup_commands
    backup_commands.register(sub, add)
    add(sub, "notifications", cmd_notifications, "我的通知（--as 用户名）").add_argument(
        "--unread", action="store_true", help="只列未读")
    box = sub.add_parser("outbox", help="待发消息").add_subparsers(dest="sub", required=True)
    add(box, "list", cmd_outbox, "发送失败或等待重试的消息")
    add(box, "retry", cmd_outbox_retry, "重新发送一条失败的消息（党政办）").add_argument("message", type=int)
    add(sub, "calendar-feed", cmd_calendar_feed, "生成本人的日历订阅地址（iCalendar，旧地址作废）")
