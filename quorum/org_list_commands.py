"""`quorum unit list` and `quorum person list`: the codes the command line accepts, beside the names people know.

Every option that wants a unit key (`--unit`, `--field unit=…`) or a username (`--as`, `--person`, `--to`) can be
answered from these two lists; a refusal of an unknown one points here and suggests close matches
(`refusal_hint`). The listings are a reference, so their text shows the codes beside the Chinese names — like
`policy explain` — where every other command's text shows names only. The JSON of the record commands gets the
usernames and unit keys beside the names from `with_keys`.
"""

import argparse
import difflib
import re
import string
from collections.abc import Callable, Iterable
from typing import Any

from quorum.cli_support import emit
from quorum.core.errors import InvalidInput, QuorumError
from quorum.core.messages import MESSAGES, message

UNIT_KINDS = ("lead_hospital", "member_unit", "party_org", "government", "bureau")


def register(sub, add: Callable) -> None:
    """Add `unit list` and `person list` to the command line."""
    add(_group(sub, "unit", message("cli.unit_help")), "list", cmd_unit_list, message("cli.unit_list_help"))
    person = _group(sub, "person", message("cli.person_help"))
    p = add(person, "list", cmd_person_list, message("cli.person_list_help"))
    p.add_argument("--unit", help=message("cli.person_list_unit_help"))
    p.add_argument("--role", help=message("cli.person_list_role_help"))
    p.add_argument("--inactive", action="store_true", help=message("cli.person_list_inactive_help"))


def _group(sub, name: str, help_text: str):
    """The subcommands of command `name`, which another module may have made (`unit set-code`: documents)."""
    parser = sub.choices.get(name)
    if parser is None:
        return sub.add_parser(name, help=help_text).add_subparsers(dest="sub", required=True)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def kind_name(kind: str) -> str:
    return message(f"cli.unit_kind_{kind}") if kind in UNIT_KINDS else kind


# --------------------------------------------------------------------------------------------
# the two lists


def units(s) -> list[dict[str, Any]]:
    """Every registered unit, in registration order."""
    from sqlalchemy import select

    from quorum.db import Unit
    return [{"key": u.key, "name": u.name, "short_name": u.short_name, "kind": u.kind, "kind_name": kind_name(u.kind),
             "code": u.doc_prefix} for u in s.execute(select(Unit).order_by(Unit.id)).scalars()]


def people(s, role_names: dict[str, str], unit_key: str | None = None, role: str | None = None,
           inactive: bool = False) -> list[dict[str, Any]]:
    """People with their active posts (unit, role, title), optionally those holding a post at a unit or in a role."""
    from sqlalchemy import select

    from quorum.db import Person, Post, Unit
    query = (select(Person.id, Person.username, Person.name, Person.active, Person.email, Person.phone)
             .order_by(Person.id))
    if not inactive:
        query = query.where(Person.active.is_(True))
    found = {pid: {"username": username, "name": name, "active": active, "email": email, "phone": phone,
                   "posts": []}
             for pid, username, name, active, email, phone in s.execute(query)}
    rows = s.execute(select(Post.person_id, Post.role, Post.title, Unit.key, Unit.name)
                     .join(Unit, Unit.id == Post.unit_id).where(Post.active.is_(True)).order_by(Post.id))
    for pid, post_role, title, key, unit_name in rows:
        if pid in found:
            found[pid]["posts"].append({"unit": key, "unit_name": unit_name, "role": post_role,
                                        "role_name": role_names.get(post_role, post_role), "title": title})
    out = list(found.values())
    if unit_key is not None:
        out = [p for p in out if any(post["unit"] == unit_key for post in p["posts"])]
    if role is not None:
        out = [p for p in out if any(post["role"] == role for post in p["posts"])]
    return out


def cmd_unit_list(args: argparse.Namespace) -> None:
    with args.runtime.db.sessions.begin() as s:
        rows = units(s)
    if args.json:
        emit(args, rows)
        return
    if not rows:
        print(message("cli.unit_list_empty"))
        return
    print(message("cli.unit_list_heading", count=len(rows)))
    width = max(len(r["key"]) for r in rows) + 2
    for r in rows:
        print(message("cli.unit_list_line", key=r["key"].ljust(width), name=r["name"], short_name=r["short_name"],
                      kind_name=r["kind_name"],
                      code=message("cli.unit_list_code", code=r["code"]) if r["code"] else ""))


def cmd_person_list(args: argparse.Namespace) -> None:
    rt = args.runtime
    role_names = dict(rt.policies.policy_set.roles)
    with rt.db.sessions.begin() as s:
        unit_key = resolve_unit(s, args.unit) if args.unit else None
        role = _resolve_role(role_names, args.role) if args.role else None
        rows = people(s, role_names, unit_key, role, args.inactive)
    if args.json:
        emit(args, rows)
        return
    if not rows:
        print(message("cli.person_list_empty"))
        return
    print(message("cli.person_list_heading", count=len(rows)))
    width = max(len(r["username"]) for r in rows) + 2
    for r in rows:
        flag = "" if r["active"] else message("cli.person_list_inactive")
        print(message("cli.person_list_line", username=r["username"].ljust(width), name=r["name"], flag=flag))
        for post in r["posts"]:
            print(message("cli.person_list_post", title=post["title"], unit_name=post["unit_name"],
                          unit=post["unit"], role_name=post["role_name"], role=post["role"]))
    print(message("cli.person_list_footer"))


def resolve_unit(s, ref: str) -> str:
    """The key of the unit given by key, full name or short name; an unknown one is refused with close matches."""
    text = ref.strip()
    for u in units(s):
        if text in (u["key"], u["name"], u["short_name"]):
            return u["key"]
    raise InvalidInput.because("cli.unit_unknown", ref=text, hint=_unit_hint(s, text))


def _resolve_role(role_names: dict[str, str], ref: str) -> str:
    text = ref.strip()
    if text in role_names:
        return text
    by_name = {name: code for code, name in role_names.items()}
    if text in by_name:
        return by_name[text]
    close = _close(text, [(code, code) for code in role_names] + [(name, code) for code, name in role_names.items()])
    suggestion = message("cli.did_you_mean", choices=message("cli.list_separator").join(
        message("cli.name_with_code", name=role_names[c], code=c) for c in close)) if close else ""
    raise InvalidInput.because("cli.role_unknown", ref=text, hint=suggestion)


# --------------------------------------------------------------------------------------------
# refusals of an unknown username or unit key: how to find the right one, and the close ones


def _close(text: str, candidates: Iterable[tuple[str, str]], limit: int = 3) -> list[str]:
    """The values of the candidates (word, value) whose word is close to text or contains it, best first."""
    pairs = list(candidates)
    words = [w for w, _ in pairs]
    picked = [w for w in words if text and (text in w or w in text) and len(w) > 1]
    picked += difflib.get_close_matches(text, words, n=limit, cutoff=0.6)
    values = dict(pairs)
    return list(dict.fromkeys(values[w] for w in picked))[:limit]


def _close_people(s, text: str) -> str:
    from sqlalchemy import select

    from quorum.db import Person
    rows = s.execute(select(Person.username, Person.name).where(Person.active.is_(True))).all()
    names = dict(rows)
    close = _close(text, [(u, u) for u, _ in rows] + [(n, u) for u, n in rows])
    return message("cli.did_you_mean", choices=message("cli.list_separator").join(
        message("cli.name_with_code", name=names[u], code=u) for u in close)) if close else ""


def _close_units(s, text: str) -> str:
    rows = units(s)
    names = {u["key"]: u["name"] for u in rows}
    close = _close(text, [(u["key"], u["key"]) for u in rows] + [(u["name"], u["key"]) for u in rows]
                   + [(u["short_name"], u["key"]) for u in rows])
    return message("cli.did_you_mean", choices=message("cli.list_separator").join(
        message("cli.name_with_code", name=names[k], code=k) for k in close)) if close else ""


def _unit_hint(s, text: str) -> str:
    return _close_units(s, text) + message("cli.find_unit_key")


UNIT_REFUSALS = ("matter.unit_not_registered", "supervision.unit_not_registered", "admin.unit_unknown",
                 "documents.unit_unknown", "search.unit_unknown")
LIST_UNITS, LIST_PEOPLE = "quorum unit list", "quorum person list"


def refusal_hint(exc: QuorumError, sessions) -> str:
    """What to add to the refusal of an unknown username, unit key or step key ("" for any other refusal): the close
    ones, and the command that lists them unless the refusal already names it."""
    if exc.reason_key == "matter.return_target_unknown":
        return message("cli.find_step_key")
    if exc.key == "unknown_user":
        text, close, find = str(exc.params.get("username", "")), _close_people, "cli.find_username"
    elif exc.reason_key in UNIT_REFUSALS or (exc.key == "not_found"
                                              and exc.params.get("what") == message("org.what_unit")):
        text, close, find = str(exc.params.get("ref") or _reason_value(exc)), _close_units, "cli.find_unit_key"
    else:
        return ""
    named = (LIST_PEOPLE if close is _close_people else LIST_UNITS) in str(exc)
    found = ""
    if sessions is not None and text:
        with sessions() as s:
            found = close(s, text)
    return found + ("" if named else message(find))


def _reason_value(exc: QuorumError) -> str:
    """The unit a because()-refusal named, read back from its reason by the reason's wording."""
    pattern, names = "", []
    for literal, name, _spec, _conv in string.Formatter().parse(MESSAGES.get(exc.reason_key, "")):
        pattern += re.escape(literal)
        if name is not None:
            pattern += "(.*?)"
            names.append(name)
    found = re.fullmatch(pattern, str(exc.params.get("reason", "")))
    if found is None:
        return ""
    values = dict(zip(names, found.groups(), strict=True))
    return next((values[k] for k in ("value", "unit", "ref") if k in values), "")


# --------------------------------------------------------------------------------------------
# usernames and unit keys beside the names in the JSON of the records


def with_keys(s, record: Any, what: str) -> Any:
    """Add usernames and unit keys beside the names of a record (`what`: matter, meeting, tasks, supervision)."""
    if what == "matter":
        _matter_keys(s, record)
    elif what == "meeting":
        _meeting_keys(s, record)
    elif what == "tasks":
        _task_keys(s, record)
    elif what == "supervision":
        _supervision_keys(s, record)
    return record


def _usernames(s, ids: Iterable[int | None]) -> dict[int, str]:
    from sqlalchemy import select

    from quorum.db import Person
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(Person.id, Person.username).where(Person.id.in_(wanted))).all())


def _unit_keys(s) -> dict[int, str]:
    from sqlalchemy import select

    from quorum.db import Unit
    return dict(s.execute(select(Unit.id, Unit.key)).all())


def _matter_keys(s, record: dict[str, Any]) -> None:
    from sqlalchemy import select

    from quorum.db import AuditEvent, Matter, MatterCopy, Opinion, Task
    matter = s.get(Matter, record["id"])
    tasks = {t.id: t.assignee_id for t in s.execute(select(Task).where(Task.matter_id == matter.id)).scalars()}
    opinions = list(s.execute(select(Opinion).where(Opinion.matter_id == matter.id).order_by(Opinion.id)).scalars())
    events = dict(s.execute(select(AuditEvent.seq, AuditEvent.actor_id).where(AuditEvent.matter_id == matter.id)).all())
    copies = list(s.execute(select(MatterCopy).where(MatterCopy.matter_id == matter.id)
                            .order_by(MatterCopy.id)).scalars())
    usernames = _usernames(s, [matter.initiator_id, *tasks.values(), *(o.author_id for o in opinions),
                               *(o.on_behalf_of_id for o in opinions), *events.values(),
                               *(c.person_id for c in copies), *(c.by_id for c in copies)])
    units = _unit_keys(s)
    record["initiator_username"] = usernames.get(matter.initiator_id)
    record["unit_key"] = units.get(matter.unit_id)
    for task in record["tasks"]:
        task["assignee_username"] = usernames.get(tasks.get(task["id"]))
    for view, row in zip(record["opinions"], opinions, strict=False):
        view["author_username"] = usernames.get(row.author_id)
        view["on_behalf_of_username"] = usernames.get(row.on_behalf_of_id)
    for view, row in zip(record["copies"], copies, strict=False):
        view["username"] = usernames.get(row.person_id)
        view["by_username"] = usernames.get(row.by_id)
    for event in record["timeline"]:
        event["actor_username"] = usernames.get(events.get(event["seq"]))
    _supervision_keys(s, record["supervision"], units)
    for item in record["agenda_items"]:
        _item_keys(s, item)


def _item_keys(s, item: dict[str, Any]) -> None:
    from sqlalchemy import select

    from quorum.db import AgendaItem, Ballot, Recusal, WrittenOpinion
    row = s.execute(select(AgendaItem).where(AgendaItem.meeting_id == item["meeting_id"],
                                             AgendaItem.seq == item["seq"])).scalars().first()
    if row is None:
        return
    recusals = list(s.execute(select(Recusal.person_id).where(Recusal.item_id == row.id)).scalars())
    written = list(s.execute(select(WrittenOpinion.person_id).where(WrittenOpinion.item_id == row.id)).scalars())
    ballots = [] if row.secret else list(s.execute(select(Ballot.person_id).where(Ballot.item_id == row.id)
                                                   .order_by(Ballot.id)).scalars())
    usernames = _usernames(s, [*recusals, *written, *ballots])
    for key, ids in (("recusals", recusals), ("written_opinions", written), ("ballots", ballots)):
        for view, pid in zip(item[key], ids, strict=False):
            view["username"] = usernames.get(pid)


def _meeting_keys(s, record: dict[str, Any]) -> None:
    from sqlalchemy import select

    from quorum.db import Attendance, Meeting
    meeting = s.get(Meeting, record["id"])
    observers = list(s.execute(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id,
                                                                  Attendance.status == "observer")).scalars())
    usernames = _usernames(s, [meeting.chair_id, *observers])
    record["chair_username"] = usernames.get(meeting.chair_id)
    record["observer_usernames"] = [usernames[p] for p in observers if p in usernames]
    record["unit_key"] = _unit_keys(s).get(meeting.unit_id) if meeting.unit_id else None
    for item in record["items"]:
        _item_keys(s, item)


def _task_keys(s, tasks: list[dict[str, Any]]) -> None:
    from sqlalchemy import select

    from quorum.db import Matter, Task
    ids = [t["id"] for t in tasks]
    if not ids:
        return
    rows = {tid: (assignee, unit_id) for tid, assignee, unit_id in s.execute(
        select(Task.id, Task.assignee_id, Matter.unit_id).join(Matter, Matter.id == Task.matter_id)
        .where(Task.id.in_(ids)))}
    usernames = _usernames(s, [a for a, _u in rows.values()])
    units = _unit_keys(s)
    for task in tasks:
        assignee, unit_id = rows.get(task["id"], (None, None))
        task["assignee_username"] = usernames.get(assignee)
        task["unit_key"] = units.get(unit_id)


def _supervision_keys(s, rows: list[dict[str, Any]], units: dict[int, str] | None = None) -> None:
    from sqlalchemy import select

    from quorum.db import SupervisionItem
    if not rows:
        return
    units = units if units is not None else _unit_keys(s)
    found = {i.id: i for i in s.execute(select(SupervisionItem).where(
        SupervisionItem.id.in_([r["id"] for r in rows]))).scalars()}
    for row in rows:
        item = found.get(row["id"])
        if item is not None:
            row["lead_unit_key"] = units.get(item.lead_unit_id)
            row["co_unit_keys"] = [units.get(u) for u in item.co_unit_ids]
