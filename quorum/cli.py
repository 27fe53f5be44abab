"""The `quorum` command: parse arguments, open one transaction, call one service, print the result.

A user mistake prints one Chinese message with its English key and exits 2 — never a traceback.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from quorum.cli_support import EXIT_AUDIT_BROKEN, EXIT_USER_ERROR, emit, parse_pairs, parse_time
from quorum.core.errors import InvalidInput, NotPermitted, QuorumError
from quorum.core.messages import message

__all__ = ["EXIT_AUDIT_BROKEN", "EXIT_USER_ERROR", "emit", "main", "parse_pairs", "parse_time"]

class Runtime:
    """Settings, database and policies, opened lazily once per command."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._settings = None
        self._db = None
        self._policies = None

    @property
    def settings(self):
        """config.toml, read when a command first needs it (`init --data-dir` writes it first)."""
        if self._settings is None:
            from quorum.settings import load_settings
            self._settings = load_settings(self.args.config)
        return self._settings

    @property
    def policies(self):
        if self._policies is None:
            from quorum import policies
            self._policies = policies.load(self.settings.policies_dir)
        return self._policies

    @property
    def db(self):
        if self._db is None:
            from quorum.database import open_database
            self._db = open_database(self.settings, upgrade=getattr(self.args, "migrates", False))
            from quorum.services import audit
            audit.use_settings(self.settings)
        return self._db

    def now(self) -> datetime:
        """--now, or the current time in Asia/Shanghai."""
        from quorum import calendar
        return parse_time(self.args.now) if self.args.now else calendar.now()

    def env(self):
        from quorum.services.calendar_years import current_calendar
        from quorum.services.env import Env
        now = self.now()
        return Env(self.policies, current_calendar(self.db.engine, self.settings), now,
                   files_dir=self.settings.data_dir / "files",
                   templates_dir=self.settings.templates_dir, bounds=self.settings.limits.bounds)

    def act(self, fn: Callable, *args: Any, **kw: Any) -> Any:
        """Run one use case as --as in one transaction; return its result."""
        from quorum.services import org
        if not self.args.actor:
            raise InvalidInput.because("cli.actor_required")
        with self.db.sessions.begin() as s:
            actor = org.person(s, self.args.actor)
            return fn(s, self.env(), actor, *args, **kw)

    def person(self, s, username: str):
        from quorum.services import org
        return org.person(s, username)


# --------------------------------------------------------------------------------------------
# commands


def cmd_init(args) -> None:
    from quorum.services import policies as policy_service
    layout = _lay_out(args) if getattr(args, "data_dir", None) else None
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        version = policy_service.current_version(s, rt.env())
        out = {"database": rt.settings.database_url, "policy_version": version.id, "digest": version.digest}
    if args.demo_org:
        from quorum.services import demo
        out["demo_org_loaded"] = demo.ensure_community(rt.db.sessions, rt.env())
    if layout is None or args.json:
        emit(args, out if layout is None else {**out, **_layout_data(layout)})
    else:
        _print_layout(layout, rt.settings, out["policy_version"])


def _lay_out(args):
    """Write D/config.toml, copy policies/ and templates/, then run the rest of init on D's config."""
    from quorum import resources
    if args.config:
        raise InvalidInput.because("cli.init_data_dir_with_config")
    layout = resources.lay_out(args.data_dir)
    args.config = str(layout.directory / resources.CONFIG)
    args.runtime = Runtime(args)
    return layout


def _layout_data(layout) -> dict[str, Any]:
    return {"directory": str(layout.directory), "config_written": layout.config_written, "copied": len(layout.copied),
            "unchanged": len(layout.unchanged), "kept_edited": layout.kept_edited}


def _print_layout(layout, settings, policy_version: int) -> None:
    d = layout.directory
    if layout.config_written:
        print(message("cli.init_config_written", path=d / 'config.toml'))
    else:
        print(message("cli.init_config_kept", path=d / 'config.toml'))
    print(message("cli.init_files_copied", copied=len(layout.copied), policies=d / 'policies',
                  templates=d / 'templates', unchanged=len(layout.unchanged)))
    for name in layout.kept_edited:
        print(message("cli.init_kept_edited", name=name))
    print(message("cli.init_database_ready", data_dir=settings.data_dir, policy_version=policy_version))
    print(message("cli.init_next_steps", directory=d))


def cmd_migrate(args) -> None:
    """Upgrade the schema to this code's head (opening the database does it); print where it stands."""
    from quorum.database import code_head, schema_revision
    from quorum.db.session import make_engine
    args.runtime.settings.data_dir.mkdir(parents=True, exist_ok=True)
    probe = make_engine(args.runtime.settings.database_url)
    try:
        before = schema_revision(probe)
    finally:
        probe.dispose()
    engine = args.runtime.db.engine
    emit(args, {"database": engine.url.render_as_string(hide_password=True), "from": before,
                "to": schema_revision(engine), "head": code_head()})


def cmd_run(args) -> None:
    """The main job on the configured database: demo data and scenario on first run, then the record."""
    from quorum.services import demo
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        existing = demo.matter_ids(s)
    if not existing:
        cmd_demo(args)
        return
    _print_demo(args, {"matter_id": existing[0], "meetings": [], "refusals": []})
    print(message("cli.run_demo_present", matters=len(existing), data_dir=rt.settings.data_dir))


def cmd_demo(args) -> None:
    from quorum.services import demo
    if getattr(args, "what", None) == "users":
        cmd_demo_users(args)
        return
    _print_demo(args, demo.run(args.runtime.db.sessions, args.runtime.env()))


def cmd_demo_users(args) -> None:
    """List the demo accounts (from the demo file, so it works before the database exists)."""
    from quorum.services import demo
    data = demo.demo_data()
    password = data["demo_password"]
    roles = args.runtime.policies.policy_set.roles
    users = [{"username": p["username"], "name": p["name"], "password": password,
              "posts": [{"role": post["role"], "role_name": roles.get(post["role"], post["role"]),
                         "title": post["title"]} for post in p.get("posts", [])]} for p in data["people"]]
    if args.json:
        emit(args, users)
        return
    print(message("cli.demo_users_heading", password=password))
    for u in users:
        print(message("cli.demo_user_line", username=u['username'], name=u['name'],
                      posts=message("cli.demo_post_separator").join(p['title'] for p in u['posts'])))


def _print_demo(args, result: dict) -> None:
    from quorum.services import audit, records
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        record = _matter_for(args, s, result["matter_id"])
        meeting_records = [_keyed(args, s, records.meeting_record(s, m), "meeting") for m in result["meetings"]]
        check = audit.verify(s)
    if args.json:
        emit(args, {"matter": record, "meetings": meeting_records, "refusals": result["refusals"],
                    "audit_ok": check.ok, "audit_events": check.count})
        return
    from quorum.text import render
    for mt in meeting_records:
        print(render(rt.settings.templates_dir, "meeting.txt", mt=mt))
    print(render(rt.settings.templates_dir, "matter.txt", m=record))
    print(message("cli.demo_refusals_heading"))
    for line in result["refusals"]:
        print("  " + line)
    print(message("cli.demo_audit_check", count=check.count,
                  verdict=message("cli.audit_chain_intact" if check.ok else "cli.audit_chain_broken")))
    print(message("cli.demo_database", database_url=rt.settings.database_url))


def _matter_for(args, s, matter_id: int) -> dict[str, Any]:
    """A matter's record as --json gives it (usernames and unit keys beside the names) or as its text shows it
    (each opinion headed by its step's and requirement's names, never their keys)."""
    from quorum.services import records
    record = records.matter_record(s, matter_id)
    if args.json:
        return _keyed(args, s, record, "matter")
    from quorum.services.policies import policy_set_for
    from quorum.services.visibility import unit_choices
    spec = policy_set_for(s, record["policy_version_id"]).workflow(record["workflow"])
    steps = {st["key"]: st["name"] for st in record["steps"]}
    answered = records.requirement_names(spec, unit_choices(s))
    for opinion in record["opinions"]:
        opinion["step_name"] = steps.get(opinion["step"], "")
        opinion["requirement_name"] = answered.get(opinion["requirement"], "") if opinion["requirement"] else ""
    return record


def _keyed(args, s, record: Any, what: str) -> Any:
    """With --json, the record with usernames and unit keys beside its names (what --as, --person, --unit take)."""
    if not args.json:
        return record
    from quorum import org_list_commands
    return org_list_commands.with_keys(s, record, what)


def cmd_policy_check(args) -> None:
    from quorum.services import duties
    loaded = args.runtime.policies
    ps = loaded.policy_set
    recurring = duties.load(args.runtime.settings.policies_dir)
    from quorum.services import reminders
    reminder_rules = reminders.load(args.runtime.settings.policies_dir)
    from quorum.core.documents import document_policy_of
    document_kinds = document_policy_of(loaded.raw, ps).kinds        # documents.toml; steps name known kinds
    if args.json:
        emit(args, {"ok": True, "version": ps.label, "digest": loaded.digest, "workflows": list(ps.workflows),
                    "bodies": list(ps.bodies), "duties": list(recurring),
                    "reminders": list(reminder_rules.deadlines), "documents": list(document_kinds)})
        return
    print(message("cli.policy_check_passed", label=ps.label, digest=loaded.digest[:12], workflows=len(ps.workflows),
                  bodies=len(ps.bodies), duties=len(recurring), reminders=len(reminder_rules.deadlines),
                  document_kinds=len(document_kinds)))


def cmd_policy_list(args) -> None:
    ps = args.runtime.policies.policy_set
    rows = [{"key": w.key, "name": w.name, "steps": len(w.steps), "source": w.source} for w in ps.workflows.values()]
    bodies = [{"key": b.key, "name": b.name} for b in ps.bodies.values()]
    if args.json:
        emit(args, {"workflows": rows, "bodies": bodies})
        return
    print(message("cli.policy_list_workflows"))
    for r in rows:
        print(message("cli.policy_list_workflow", workflow=r['key'], name=r['name'], steps=r['steps'],
                      source=r['source']))
    print(message("cli.policy_list_bodies"))
    for b in bodies:
        print(message("cli.policy_list_body", body=b['key'], name=b['name']))


def cmd_policy_explain(args) -> None:
    """The command line's reference for a workflow: its rules in words, with the codes its options take."""
    from quorum.explain import workflow_context
    ps = args.runtime.policies.policy_set
    wf = ps.workflow(args.workflow)
    ctx = workflow_context(ps, wf, codes=not args.json)
    units = ctx["units"] = _registered_units(args.runtime)
    if args.json:
        emit(args, {"key": wf.key, "name": wf.name, "steps": ctx["steps"],
                    "initiators": [{"key": r, "name": ps.role_name(r)} for r in wf.initiator_roles],
                    "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                                "choices": [{"value": k, "label": v} for k, v in
                                            (f.choices or (units or [] if f.type == "unit" else []))]}
                               for f in wf.fields if f.input]})
        return
    emit(args, None, "policy_explain.txt", **ctx, unit_hint=message("cli.explain_unit_choices_unknown"))


def _registered_units(rt) -> list[tuple[str, str]] | None:
    """The registered units as (key, name), the choices of a unit field; None before the database exists
    (explaining a workflow needs no database, and never creates one)."""
    from sqlalchemy.engine import make_url
    url = make_url(rt.settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from quorum import org_list_commands
    try:
        with rt.db.sessions() as s:
            return [(u["key"], u["name"]) for u in org_list_commands.units(s)]
    except (QuorumError, SQLAlchemyError):      # not migrated yet, or unreachable: the rules are explained anyway
        return None


def cmd_matter_submit(args) -> None:
    from quorum.services import matters
    rt = args.runtime
    matter = rt.act(matters.submit, args.workflow, args.title, parse_pairs(args.field, message("cli.field_noun")))
    with rt.db.sessions.begin() as s:
        record = _matter_for(args, s, matter.id)
    emit(args, record, "matter.txt", m=record)


def cmd_matter_show(args) -> None:
    with args.runtime.db.sessions.begin() as s:
        record = _matter_for(args, s, args.matter)
    emit(args, record, "matter.txt", m=record)


def cmd_matter_urgent(args) -> None:
    from quorum.services import matters
    matter = args.runtime.act(matters.mark_urgent, args.matter, args.reason)
    emit(args, {"matter": matter.id, "urgent": True})


def cmd_matter_withdraw(args) -> None:
    from quorum.services import matters
    matter = args.runtime.act(matters.withdraw, args.matter, args.reason)
    emit(args, {"matter": matter.id, "status": matter.status})


def cmd_task_transfer(args) -> None:
    from quorum.services import matters, org

    def call(s, env, actor):
        return matters.transfer(s, env, actor, args.task, org.person(s, args.to), args.reason)
    task = args.runtime.act(call)
    emit(args, {"task": task.id, "transferred_to": args.to})


def cmd_task_urge(args) -> None:
    from quorum.services import matters
    task = args.runtime.act(matters.urge, args.task)
    emit(args, {"task": task.id, "urged": True})


def cmd_task_list(args) -> None:
    from quorum.services import records
    rt = args.runtime
    if not args.actor:
        raise InvalidInput.because("cli.actor_required")
    with rt.db.sessions.begin() as s:
        person = rt.person(s, args.actor)
        tasks = _keyed(args, s, records.my_tasks(s, person, rt.now()), "tasks")   # no rules or calendar needed
        name = person.name
    emit(args, tasks, "tasks.txt", tasks=tasks, name=name)


def _record_items(raw: list[str] | None) -> list[dict[str, Any]]:
    items = []
    for text in raw or []:
        parts = text.split("|")
        if len(parts) != 4:
            raise InvalidInput.because("cli.record_item_malformed", text=text)
        title, lead, co, due = parts
        item = {"title": title, "lead_unit": lead, "co_units": [c for c in co.split(",") if c]}
        item["due_working_days" if due.startswith("+") else "due_date"] = due.lstrip("+")
        items.append(item)
    return items


def cmd_task_act(args) -> None:
    from quorum.services import matters
    rt = args.runtime
    task = rt.act(matters.act, args.task, args.action, args.comment or "", return_to_step=args.to,
                  fields=parse_pairs(args.field, message("cli.field_noun")),
                  record={"items": _record_items(args.record_item)})
    with rt.db.sessions.begin() as s:
        record = _matter_for(args, s, task.matter_id)
    emit(args, record, "matter.txt", m=record)


def _meeting_out(args, meeting_id: int) -> None:
    from quorum.services import records
    with args.runtime.db.sessions.begin() as s:
        record = _keyed(args, s, records.meeting_record(s, meeting_id), "meeting")
    emit(args, record, "meeting.txt", mt=record)


def cmd_meeting_schedule(args) -> None:
    from quorum.services import meetings
    meeting = args.runtime.act(meetings.schedule, args.body, args.title or "", parse_time(args.at), args.place,
                               args.matter or [], urgent=args.urgent, unit_key=args.unit)
    _meeting_out(args, meeting.id)


def cmd_meeting_add_item(args) -> None:
    from quorum.services import meetings
    args.runtime.act(meetings.add_item, args.meeting, args.matter, secret=args.secret)
    _meeting_out(args, args.meeting)


def cmd_meeting_open(args) -> None:
    from quorum.services import meetings
    args.runtime.act(meetings.open_session, args.meeting)
    _meeting_out(args, args.meeting)


def _with_person(args, fn: Callable, *before: Any, **kw: Any) -> None:
    from quorum.services import org

    def call(s, env, actor):
        return fn(s, env, actor, args.meeting, *before, org.person(s, args.person), **kw)
    args.runtime.act(call)
    _meeting_out(args, args.meeting)


def cmd_meeting_attend(args) -> None:
    from quorum.services import meetings, org

    def call(s, env, actor):
        return meetings.attend(s, env, actor, args.meeting, org.person(s, args.person), args.status, args.reason or "")
    args.runtime.act(call)
    _meeting_out(args, args.meeting)


def cmd_meeting_recuse(args) -> None:
    from quorum.services import meetings, org

    def call(s, env, actor):
        return meetings.recuse(s, env, actor, args.meeting, args.item, org.person(s, args.person), args.reason)
    args.runtime.act(call)
    _meeting_out(args, args.meeting)


def cmd_meeting_opinion(args) -> None:
    from quorum.services import meetings, org

    def call(s, env, actor):
        return meetings.written_opinion(s, env, actor, args.meeting, args.item, org.person(s, args.person), args.text)
    args.runtime.act(call)
    _meeting_out(args, args.meeting)


def cmd_meeting_vote(args) -> None:
    from quorum.services import meetings, org

    def call(s, env, actor):
        voter = org.person(s, args.voter) if args.voter else None
        return meetings.vote(s, env, actor, args.meeting, args.item, args.choice, args.reason or "", voter=voter)
    args.runtime.act(call)
    _meeting_out(args, args.meeting)


def cmd_meeting_close_item(args) -> None:
    from quorum.services import meetings
    args.runtime.act(meetings.close_item, args.meeting, args.item)
    _meeting_out(args, args.meeting)


def cmd_meeting_defer_item(args) -> None:
    from quorum.services import meetings
    args.runtime.act(meetings.defer_item, args.meeting, args.item, args.reason)
    _meeting_out(args, args.meeting)


def cmd_meeting_close(args) -> None:
    from quorum.services import meetings
    args.runtime.act(meetings.close, args.meeting)
    _meeting_out(args, args.meeting)


def cmd_meeting_show(args) -> None:
    _meeting_out(args, args.meeting)


def cmd_supervision_list(args) -> None:
    from quorum.services import records
    with args.runtime.db.sessions.begin() as s:
        rows = _keyed(args, s, records.supervision_records(s), "supervision")
    if args.json:
        emit(args, rows)
        return
    for r in rows:
        provisional = message("cli.supervision_due_provisional") if r["due_provisional"] else ""
        print(message("cli.supervision_list_line", id=r["id"], title=r["title"], lead_unit=r["lead_unit"],
                      due_date=r["due_date"], provisional=provisional, status_name=r["status_name"]))


def cmd_supervision_report(args) -> None:
    from quorum.services import supervision
    item = args.runtime.act(supervision.report, args.item, args.text, done=args.done)
    emit(args, {"item": item.id, "status": item.status})


# --------------------------------------------------------------------------------------------
# argument parsing


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after the subcommand.

    Subcommand copies default to SUPPRESS so they never overwrite a value given before the subcommand.
    """
    common = argparse.ArgumentParser(add_help=False)
    default = {"default": argparse.SUPPRESS} if suppress else {}
    common.add_argument("--as", dest="actor", help=message("cli.option_as_help"), **default)
    common.add_argument("--json", action="store_true", help=message("cli.option_json_help"), **default)
    common.add_argument("--config", help=message("cli.option_config_help"), **default)
    common.add_argument("--now", help=message("cli.option_now_help"), **default)
    return common


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; installed entry points are looked up unless argv names an engine-only command."""
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(prog="quorum", description=message("cli.description"),
                                     parents=[_common_options(suppress=False)])
    parser.add_argument("--version", action=_Version, nargs=0, help=message("cli.version_help"))
    sub = parser.add_subparsers(dest="command", required=True)

    def add(parent, name: str, fn: Callable, help_text: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(fn=fn)
        return p

    p = add(sub, "init", cmd_init, message("cli.init_help"))
    p.add_argument("--demo-org", action="store_true", help=message("cli.init_demo_org_help"))
    p.add_argument("--data-dir", metavar=message("cli.directory_metavar"),
                   help=message("cli.init_data_dir_help"))
    p.set_defaults(migrates=True)
    add(sub, "migrate", cmd_migrate, message("cli.migrate_help")
        ).set_defaults(migrates=True)
    p = add(sub, "demo", cmd_demo, message("cli.demo_help"))
    p.add_argument("what", nargs="?", choices=["users"], help=message("cli.demo_what_help"))
    p.set_defaults(migrates=True)
    add(sub, "run", cmd_run, message("cli.run_help")).set_defaults(migrates=True)

    policy = sub.add_parser("policy", help=message("cli.policy_help")).add_subparsers(dest="sub", required=True)
    add(policy, "check", cmd_policy_check, message("cli.policy_check_help"))
    add(policy, "list", cmd_policy_list, message("cli.policy_list_help"))
    add(policy, "explain", cmd_policy_explain, message("cli.policy_explain_help")).add_argument("workflow")

    matter = sub.add_parser("matter", help=message("cli.matter_help")).add_subparsers(dest="sub", required=True)
    p = add(matter, "submit", cmd_matter_submit, message("cli.matter_submit_help"))
    p.add_argument("--workflow", required=True, help=message("cli.matter_submit_workflow_help"))
    p.add_argument("--title", required=True)
    p.add_argument("--field", action="append", metavar=message("cli.field_metavar"),
                   help=message("cli.matter_submit_field_help"))
    add(matter, "show", cmd_matter_show, message("cli.matter_show_help")).add_argument("matter", type=int)
    p = add(matter, "urgent", cmd_matter_urgent, message("cli.matter_urgent_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--reason", required=True)

    p = add(matter, "withdraw", cmd_matter_withdraw, message("cli.matter_withdraw_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--reason", required=True)

    task = sub.add_parser("task", help=message("cli.task_help")).add_subparsers(dest="sub", required=True)
    p = add(task, "transfer", cmd_task_transfer, message("cli.task_transfer_help"))
    p.add_argument("task", type=int)
    p.add_argument("--to", required=True, help=message("cli.task_transfer_to_help"))
    p.add_argument("--reason", required=True)
    add(task, "urge", cmd_task_urge, message("cli.task_urge_help")).add_argument("task", type=int)
    add(task, "list", cmd_task_list, message("cli.task_list_help"))
    p = add(task, "act", cmd_task_act, message("cli.task_act_help"))
    p.add_argument("task", type=int)
    p.add_argument("--action", required=True,
                   help=message("cli.task_act_action_help"))
    p.add_argument("--comment")
    p.add_argument("--to", help=message("cli.task_act_to_help"))
    p.add_argument("--field", action="append", metavar=message("cli.field_metavar"),
                   help=message("cli.task_act_field_help"))
    p.add_argument("--record-item", action="append", metavar=message("cli.record_item_metavar"))

    meeting = sub.add_parser("meeting", help=message("cli.meeting_help")).add_subparsers(dest="sub", required=True)
    p = add(meeting, "schedule", cmd_meeting_schedule, message("cli.meeting_schedule_help"))
    p.add_argument("--body", required=True, help=message("cli.meeting_schedule_body_help"))
    p.add_argument("--title")
    p.add_argument("--at", required=True)
    p.add_argument("--place", required=True)
    p.add_argument("--matter", type=int, action="append")
    p.add_argument("--urgent", action="store_true")
    p.add_argument("--unit", help=message("cli.meeting_schedule_unit_help"))
    p = add(meeting, "add-item", cmd_meeting_add_item, message("cli.meeting_add_item_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--matter", type=int, required=True)
    p.add_argument("--secret", action="store_true", help=message("cli.meeting_add_item_secret_help"))
    add(meeting, "open", cmd_meeting_open, message("cli.meeting_open_help")).add_argument("meeting", type=int)
    p = add(meeting, "attend", cmd_meeting_attend, message("cli.meeting_attend_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--person", required=True, help=message("cli.meeting_person_help"))
    p.add_argument("--status", required=True, choices=["present", "left", "absent", "observer"])
    p.add_argument("--reason")
    p = add(meeting, "recuse", cmd_meeting_recuse, message("cli.meeting_recuse_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--person", required=True, help=message("cli.meeting_person_help"))
    p.add_argument("--reason", required=True)
    p = add(meeting, "opinion", cmd_meeting_opinion, message("cli.meeting_opinion_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--person", required=True, help=message("cli.meeting_person_help"))
    p.add_argument("--text", required=True)
    p = add(meeting, "vote", cmd_meeting_vote, message("cli.meeting_vote_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--choice", required=True)
    p.add_argument("--reason")
    p.add_argument("--for", dest="voter", help=message("cli.meeting_vote_for_help"))
    p = add(meeting, "close-item", cmd_meeting_close_item, message("cli.meeting_close_item_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p = add(meeting, "defer-item", cmd_meeting_defer_item, message("cli.meeting_defer_item_help"))
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--reason", required=True)
    add(meeting, "close", cmd_meeting_close, message("cli.meeting_close_help")).add_argument("meeting", type=int)
    add(meeting, "show", cmd_meeting_show, message("cli.meeting_show_help")).add_argument("meeting", type=int)

    sv = sub.add_parser("supervision", help=message("cli.supervision_help")).add_subparsers(dest="sub", required=True)
    add(sv, "list", cmd_supervision_list, message("cli.supervision_list_help"))
    from quorum import supervision_commands
    supervision_commands.configure(add(sv, "import", supervision_commands.cmd_import,
                                       message("cli.supervision_import_help")))
    p = add(sv, "report", cmd_supervision_report, message("cli.supervision_report_help"))
    p.add_argument("item", type=int)
    p.add_argument("--text", required=True)
    p.add_argument("--done", action="store_true")

    from quorum import chain_commands
    chain_commands.register(sub, {"task": task, "matter": matter, "meeting": meeting}, add)

    from quorum import audit_commands
    audit_commands.register(sub, add)
    from quorum import duties_commands
    duties_commands.register(sub, add)
    from quorum import documents_commands
    documents_commands.register(sub, add)
    from quorum import scheduler_commands
    scheduler_commands.register(sub, add)
    from quorum import config_commands
    config_commands.register(sub, add)
    from quorum import calendar_commands
    calendar_commands.register(sub, add)
    from quorum import export_commands
    export_commands.register(sub, add)
    from quorum import org_commands
    org_commands.register(sub, add)
    from quorum import org_list_commands
    org_list_commands.register(sub, add)
    from quorum import matter_list_commands
    matter_list_commands.register(sub, add)
    if _command_of(argv) not in set(sub.choices) - EXTENDED:
        _plugin_commands(sub, add)
    return parser


class _Version(argparse.Action):
    """`quorum --version`: the version in the installed package's metadata (read only when asked)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version
        try:
            found = version("quorum")
        except PackageNotFoundError:
            found = "0+unknown"
        print(message("cli.version", version=found))
        parser.exit()


EXTENDED = {"run"}           # built-in commands entry points extend (the web UI adds its server options to run)
_VALUED = ("--as", "--config", "--now")


def _command_of(argv: list[str] | None) -> str | None:
    """The command word of argv (skipping the common options and their values), None if there is none.

    Scanning the installed entry points costs ~30 ms of CPU (importlib.metadata and the web
    commands), a tenth of a read command, so it is skipped when the command is the engine's own.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    while words:
        word = words.pop(0)
        if word in _VALUED:
            words = words[1:]
        elif not word.startswith("-"):
            return word
    return None


def _plugin_commands(sub, add: Callable) -> None:
    """Let installed entry points (the web UI, the scheduler) add or replace commands such as serve and run.

    The engine never imports its entry points; they register themselves under the
    "quorum.commands" entry-point group, each a function register(subparsers, add).
    """
    from importlib.metadata import entry_points
    for point in entry_points(group="quorum.commands"):
        point.load()(sub, add)


def _record_refusal(args, error: NotPermitted, argv: list[str]) -> None:
    """Record a refused command for discipline inspection (quorum.services.refusals), as the --as person."""
    rt = getattr(args, "runtime", None)
    actor = getattr(args, "actor", None)
    if rt is None or rt._db is None or not actor:
        return
    from sqlalchemy import select

    from quorum.db import Person
    from quorum.services import refusals
    with rt.db.sessions() as s:
        person_id = s.scalar(select(Person.id).where(Person.username == actor))
    command = " ".join(word for word in argv[:2] if not word.startswith("-"))
    refusals.record(rt.db.sessions, rt.env(), person_id, error, "cli", f"quorum {command}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from quorum.services import reactions  # noqa: F401 — the routes of the engine's events, as every entry point
    try:
        args.runtime = Runtime(args)
        args.fn(args)
    except BrokenPipeError:
        sys.stderr.close()         # output piped into `head`: stop quietly
        return 0
    except QuorumError as exc:
        if isinstance(exc, NotPermitted):
            _record_refusal(args, exc, sys.argv[1:] if argv is None else argv)
        return _refused(args, _with_hint(args, exc))
    except Exception as exc:
        from quorum.services import failures
        refused = failures.refusal_for(exc)      # a lost lock, a value too large, a busy database: as on the web
        if refused is None:
            raise
        return _refused(args, refused)
    return 0


def _with_hint(args: argparse.Namespace, exc: QuorumError) -> QuorumError:
    """An unknown username or unit key: the refusal says where to look the right one up and the close ones."""
    import copy

    from quorum import org_list_commands
    rt = getattr(args, "runtime", None)
    sessions = rt.db.sessions if rt is not None and rt._db is not None else None
    hint = org_list_commands.refusal_hint(exc, sessions)
    if not hint:
        return exc
    hinted = copy.copy(exc)
    hinted.args = (str(exc) + hint,)
    return hinted


def _refused(args: argparse.Namespace, exc: QuorumError) -> int:
    """Say why on stderr — one Chinese line, or {"error": key, "message": …} with --json — and exit 2."""
    if getattr(args, "json", False):
        print(json.dumps({"error": exc.key, "message": str(exc)}, ensure_ascii=False), file=sys.stderr)
    else:
        print(message("cli.error_line", exc=exc), file=sys.stderr)
    return EXIT_USER_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
