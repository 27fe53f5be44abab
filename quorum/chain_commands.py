"""CLI commands of the other chains: add_signer, copy, comment, payments, publicity objections, acknowledgement, timers.

register(groups, add) adds them under the existing `task`, `matter` and `meeting` groups and the
new `expenditure`, `publicity` and `timers` groups; every handler calls one service in one
transaction through args.runtime, exactly like the commands in quorum.cli.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from quorum.cli_support import emit
from quorum.core.errors import InvalidInput
from quorum.core.messages import message


def _emit(args, data: Any) -> None:
    emit(args, data)


def cmd_add_signer(args) -> None:
    from quorum.services import org, task_ops

    def call(s, env, actor):
        return task_ops.add_signer(s, env, actor, args.task, org.person(s, args.to), args.reason)
    task = args.runtime.act(call)
    _emit(args, {"task": task.id, "signer": args.to})


def cmd_comment(args) -> None:
    from quorum.services import attachments, task_ops
    uploads = []
    for name in args.file or []:
        path = Path(name)
        if not path.is_file():
            raise InvalidInput.because("cli.attachment_missing", name=name)
        uploads.append(attachments.Upload(path.name, "application/octet-stream", path.read_bytes()))
    opinion = args.runtime.act(task_ops.comment, args.task, args.text, uploads)
    _emit(args, {"opinion": opinion.id, "attachments": len(uploads)})


def cmd_copy(args) -> None:
    from quorum.services import org, task_ops

    def call(s, env, actor):
        people = [org.person(s, u.strip()) for u in args.to.split(",") if u.strip()]
        return task_ops.copy_to(s, env, actor, args.matter, people, args.note or "")
    rows = args.runtime.act(call)
    _emit(args, {"matter": args.matter, "copied": len(rows)})


def cmd_pay(args) -> None:
    from quorum.services import expenditure
    paid_on = _date(args.date) if args.date else None
    payment = args.runtime.act(expenditure.pay, args.task, args.amount, paid_on, args.note or "")
    _emit(args, {"payment": payment.id, "amount": f"{payment.amount:.2f}", "paid_on": payment.paid_on.isoformat()})


def cmd_complete(args) -> None:
    from quorum.services import expenditure
    task = args.runtime.act(expenditure.complete, args.task, args.comment or "")
    _emit(args, {"task": task.id, "matter": task.matter_id, "done": True})


def cmd_change(args) -> None:
    from quorum.services import expenditure
    matter = args.runtime.act(expenditure.change_amount, args.matter, args.field, args.amount, args.reason)
    _emit(args, {"matter": matter.id, "current_step": matter.current_step})


def cmd_object(args) -> None:
    from quorum.services import publicity
    row = args.runtime.act(publicity.lodge, args.matter, args.text, anonymous=args.anonymous,
                           complainant=args.complainant or "", contact=args.contact or "", specific=not args.vague)
    _emit(args, {"objection": row.id, "status": row.status, "late": row.late})


def cmd_resolve(args) -> None:
    from quorum.services import publicity
    row = args.runtime.act(publicity.resolve, args.objection, args.result, args.finding, args.feedback or "")
    _emit(args, {"objection": row.id, "status": row.status})


def cmd_acknowledge(args) -> None:
    from quorum.services import meetings
    item = args.runtime.act(meetings.acknowledge, args.meeting, args.item, args.text)
    _emit(args, {"meeting": args.meeting, "item": item.seq, "acknowledged": True})


def cmd_timers(args) -> None:
    from quorum.services import timers
    rt = args.runtime
    env = rt.env()
    with rt.db.sessions.begin() as s:
        done = timers.fire_due(s, env)
    if args.json:
        _emit(args, done)
        return
    print("\n".join(message("cli.timer_fired", matter_id=d["matter_id"],
                            text=d["text"]) for d in done) or message("cli.timers_none_due"))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.because("cli.date_malformed", text=text) from None


def register(sub, groups: dict[str, Any], add: Callable) -> None:
    task, matter, meeting = groups["task"], groups["matter"], groups["meeting"]
    p = add(task, "add-signer", cmd_add_signer, message("cli.task_add_signer_help"))
    p.add_argument("task", type=int)
    p.add_argument("--to", required=True, help=message("cli.task_add_signer_to_help"))
    p.add_argument("--reason", required=True)
    p = add(task, "comment", cmd_comment, message("cli.task_comment_help"))
    p.add_argument("task", type=int)
    p.add_argument("--text", required=True)
    p.add_argument("--file", action="append", help=message("cli.task_comment_file_help"))
    p = add(matter, "cc", cmd_copy, message("cli.matter_copy_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--to", required=True, help=message("cli.matter_copy_to_help"))
    p.add_argument("--note")
    p = add(meeting, "acknowledge", cmd_acknowledge, message("cli.meeting_acknowledge_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--text", required=True)

    ex = sub.add_parser("expenditure", help=message("cli.expenditure_help")).add_subparsers(dest="sub", required=True)
    p = add(ex, "pay", cmd_pay, message("cli.expenditure_pay_help"))
    p.add_argument("task", type=int)
    p.add_argument("--amount", required=True)
    p.add_argument("--date")
    p.add_argument("--note")
    p = add(ex, "complete", cmd_complete, message("cli.expenditure_complete_help"))
    p.add_argument("task", type=int)
    p.add_argument("--comment")
    p = add(ex, "change", cmd_change, message("cli.expenditure_change_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--field", default="contract_total", choices=["amount", "contract_total"])
    p.add_argument("--amount", required=True)
    p.add_argument("--reason", required=True)

    pub = sub.add_parser("publicity", help=message("cli.publicity_help")).add_subparsers(dest="sub", required=True)
    p = add(pub, "object", cmd_object, message("cli.publicity_object_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--text", required=True)
    p.add_argument("--anonymous", action="store_true")
    p.add_argument("--vague", action="store_true", help=message("cli.publicity_object_vague_help"))
    p.add_argument("--complainant")
    p.add_argument("--contact")
    p = add(pub, "resolve", cmd_resolve, message("cli.publicity_resolve_help"))
    p.add_argument("objection", type=int)
    p.add_argument("--result", required=True, choices=["verified", "unfounded"])
    p.add_argument("--finding", required=True)
    p.add_argument("--feedback")

    add(sub, "timers", cmd_timers, message("cli.timers_help"))
