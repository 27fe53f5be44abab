"""The `quorum` command: parse arguments, open one transaction, call one service, print the result.

A user mistake prints one Chinese message with its English key and exits 2 — never a traceback.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from quorum.core.errors import InvalidInput, QuorumError

EXIT_USER_ERROR = 2
EXIT_AUDIT_BROKEN = 3


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def emit(args: argparse.Namespace, data: Any, template: str | None = None, **context: Any) -> None:
    if args.json or template is None:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        return
    from quorum.text import render
    print(render(args.runtime.settings.templates_dir, template, **context), end="")


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InvalidInput(reason=f"{what}「{pair}」应写作 名称=值")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def parse_time(text: str) -> datetime:
    # imported late, like every heavy module: `quorum --help` stays quick
    from quorum import calendar
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(reason=f"时间「{text}」格式应为 2026-11-25T09:00") from None
    return calendar.to_local(moment)


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
            raise InvalidInput(reason="此命令需要 --as 用户名 指明操作人")
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
        raise InvalidInput(reason="--data-dir 与 --config 不能同时使用：init 会在该目录写入并使用 config.toml")
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
        print(f"已写入配置文件 {d / 'config.toml'}（仅本人可读，含新生成的会话密钥；请把医共体名称改为本地名称）")
    else:
        print(f"配置文件 {d / 'config.toml'} 已存在，未改动")
    print(f"规则与文书模板：新复制 {len(layout.copied)} 个文件到 {d / 'policies'} 和 {d / 'templates'}，"
          f"已有且未改动的 {len(layout.unchanged)} 个")
    for name in layout.kept_edited:
        print(f"  保留本地修改：{name}（与随程序发布的版本不同，未覆盖）")
    print(f"数据库已建好并升级到最新结构（数据目录 {settings.data_dir}），当前规则已登记为第 {policy_version} 版")
    print(f"下一步：cd {d} && quorum demo    然后：quorum serve")


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
    print(f"（数据库中已有 {len(existing)} 个事项；删除 {rt.settings.data_dir} 可重新运行演示）")


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
    print(f"演示账号（密码均为 {password}）：")
    for u in users:
        print(f"  {u['username']:<16}{u['name']}　{'；'.join(p['title'] for p in u['posts'])}")


def _print_demo(args, result: dict) -> None:
    from quorum.services import audit, records
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        record = records.matter_record(s, result["matter_id"])
        meeting_records = [records.meeting_record(s, m) for m in result["meetings"]]
        check = audit.verify(s)
    if args.json:
        emit(args, {"matter": record, "meetings": meeting_records, "refusals": result["refusals"],
                    "audit_ok": check.ok, "audit_events": check.count})
        return
    from quorum.text import render
    for mt in meeting_records:
        print(render(rt.settings.templates_dir, "meeting.txt", mt=mt))
    print(render(rt.settings.templates_dir, "matter.txt", m=record))
    print("演示中被规则拒绝的操作：")
    for line in result["refusals"]:
        print("  " + line)
    print(f"审计链校验：{'完整' if check.ok else '断裂'}（{check.count} 条事件）")
    print(f"数据库：{rt.settings.database_url}")


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
    print(f"规则校验通过：版本 {ps.label}，摘要 {loaded.digest[:12]}，流程 {len(ps.workflows)} 个，"
          f"议事机构 {len(ps.bodies)} 个，周期性职责 {len(recurring)} 项，提醒规则 {len(reminder_rules.deadlines)} 类，"
          f"公文种类 {len(document_kinds)} 种")


def cmd_policy_list(args) -> None:
    ps = args.runtime.policies.policy_set
    rows = [{"key": w.key, "name": w.name, "steps": len(w.steps), "source": w.source} for w in ps.workflows.values()]
    bodies = [{"key": b.key, "name": b.name} for b in ps.bodies.values()]
    if args.json:
        emit(args, {"workflows": rows, "bodies": bodies})
        return
    print("流程：")
    for r in rows:
        print(f"  {r['key']}：{r['name']}（{r['steps']} 个步骤，{r['source']}）")
    print("议事机构：")
    for b in bodies:
        print(f"  {b['key']}：{b['name']}")


def cmd_policy_explain(args) -> None:
    from quorum.explain import workflow_context
    ps = args.runtime.policies.policy_set
    ctx = workflow_context(ps, ps.workflow(args.workflow))
    if args.json:
        emit(args, {"key": ctx["wf"].key, "name": ctx["wf"].name, "steps": ctx["steps"]})
        return
    emit(args, None, "policy_explain.txt", **ctx)


def cmd_matter_submit(args) -> None:
    from quorum.services import matters, records
    rt = args.runtime
    matter = rt.act(matters.submit, args.workflow, args.title, parse_pairs(args.field, "字段"))
    with rt.db.sessions.begin() as s:
        record = records.matter_record(s, matter.id)
    emit(args, record, "matter.txt", m=record)


def cmd_matter_show(args) -> None:
    from quorum.services import records
    with args.runtime.db.sessions.begin() as s:
        record = records.matter_record(s, args.matter)
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
        raise InvalidInput(reason="此命令需要 --as 用户名 指明操作人")
    with rt.db.sessions.begin() as s:
        person = rt.person(s, args.actor)
        tasks = records.my_tasks(s, person, rt.now())        # no rules or calendar needed to list
        name = person.name
    emit(args, tasks, "tasks.txt", tasks=tasks, name=name)


def _record_items(raw: list[str] | None) -> list[dict[str, Any]]:
    items = []
    for text in raw or []:
        parts = text.split("|")
        if len(parts) != 4:
            raise InvalidInput(reason=f"督办事项「{text}」应写作 事项|牵头单位|配合单位1,配合单位2|时限（日期或N个工作日写作 +N）")
        title, lead, co, due = parts
        item = {"title": title, "lead_unit": lead, "co_units": [c for c in co.split(",") if c]}
        item["due_working_days" if due.startswith("+") else "due_date"] = due.lstrip("+")
        items.append(item)
    return items


def cmd_task_act(args) -> None:
    from quorum.services import matters, records
    rt = args.runtime
    task = rt.act(matters.act, args.task, args.action, args.comment or "", return_to_step=args.to,
                  fields=parse_pairs(args.field, "字段"), record={"items": _record_items(args.record_item)})
    with rt.db.sessions.begin() as s:
        record = records.matter_record(s, task.matter_id)
    emit(args, record, "matter.txt", m=record)


def _meeting_out(args, meeting_id: int) -> None:
    from quorum.services import records
    with args.runtime.db.sessions.begin() as s:
        record = records.meeting_record(s, meeting_id)
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
        rows = records.supervision_records(s)
    if args.json:
        emit(args, rows)
        return
    for r in rows:
        print(f"[{r['id']}] {r['title']}｜牵头 {r['lead_unit']}｜时限 {r['due_date']}"
              f"{'（暂定）' if r['due_provisional'] else ''}｜{r['status_name']}")


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
    common.add_argument("--as", dest="actor", help="操作人用户名", **default)
    common.add_argument("--json", action="store_true", help="输出 JSON", **default)
    common.add_argument("--config", help="config.toml 路径（默认 QUORUM_CONFIG，否则当前目录的 config.toml）", **default)
    common.add_argument("--now", help="以此时间执行（ISO 格式，测试与补录用）", **default)
    return common


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; installed entry points are looked up unless argv names an engine-only command."""
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(prog="quorum", description="医共体议事决策平台",
                                     parents=[_common_options(suppress=False)])
    sub = parser.add_subparsers(dest="command", required=True)

    def add(parent, name: str, fn: Callable, help_text: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(fn=fn)
        return p

    p = add(sub, "init", cmd_init, "初始化数据库并登记当前规则版本；--data-dir 新建一个医共体的运行目录")
    p.add_argument("--demo-org", action="store_true", help="同时导入演示医共体的单位和人员")
    p.add_argument("--data-dir", metavar="目录",
                   help="在该目录写入 config.toml（新会话密钥）并复制 policies/、templates/（已有文件不覆盖），再初始化其数据库")
    p.set_defaults(migrates=True)
    add(sub, "migrate", cmd_migrate, "升级数据库结构到本程序的版本（发布步骤；网页进程与调度器不会自行升级）"
        ).set_defaults(migrates=True)
    p = add(sub, "demo", cmd_demo, "导入演示医共体并运行演示事项，打印完整记录；demo users 列出演示账号")
    p.add_argument("what", nargs="?", choices=["users"], help="users：列出演示账号及密码")
    p.set_defaults(migrates=True)
    add(sub, "run", cmd_run, "运行主任务：首次运行时初始化内置数据库、导入演示数据并运行演示事项").set_defaults(migrates=True)

    policy = sub.add_parser("policy", help="规则").add_subparsers(dest="sub", required=True)
    add(policy, "check", cmd_policy_check, "校验 policies/ 下全部规则文件")
    add(policy, "list", cmd_policy_list, "列出流程和议事机构")
    add(policy, "explain", cmd_policy_explain, "用文字说明一个流程的步骤和规则").add_argument("workflow")

    matter = sub.add_parser("matter", help="事项").add_subparsers(dest="sub", required=True)
    p = add(matter, "submit", cmd_matter_submit, "申报事项")
    p.add_argument("--workflow", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--field", action="append", metavar="名称=值")
    add(matter, "show", cmd_matter_show, "显示事项、路由说明和过程记录").add_argument("matter", type=int)
    p = add(matter, "urgent", cmd_matter_urgent, "主要负责人标记紧急议题")
    p.add_argument("matter", type=int)
    p.add_argument("--reason", required=True)

    p = add(matter, "withdraw", cmd_matter_withdraw, "申报人在他人办理前撤回事项")
    p.add_argument("matter", type=int)
    p.add_argument("--reason", required=True)

    task = sub.add_parser("task", help="待办").add_subparsers(dest="sub", required=True)
    p = add(task, "transfer", cmd_task_transfer, "转交待办")
    p.add_argument("task", type=int)
    p.add_argument("--to", required=True, help="接收人用户名")
    p.add_argument("--reason", required=True)
    add(task, "urge", cmd_task_urge, "催办（每个待办每天一次）").add_argument("task", type=int)
    add(task, "list", cmd_task_list, "我的待办")
    p = add(task, "act", cmd_task_act, "办理待办")
    p.add_argument("task", type=int)
    p.add_argument("--action", required=True,
                   help="approve / reject / return / resubmit / withdraw / record，或该环节自己的选项（如 agree、object、appoint）")
    p.add_argument("--comment")
    p.add_argument("--to", help="退回到的环节 key")
    p.add_argument("--field", action="append", metavar="名称=值", help="重新申报时修改的字段")
    p.add_argument("--record-item", action="append", metavar="事项|牵头单位|配合单位|时限")

    meeting = sub.add_parser("meeting", help="会议").add_subparsers(dest="sub", required=True)
    p = add(meeting, "schedule", cmd_meeting_schedule, "安排会议并发出通知")
    p.add_argument("--body", required=True)
    p.add_argument("--title")
    p.add_argument("--at", required=True)
    p.add_argument("--place", required=True)
    p.add_argument("--matter", type=int, action="append")
    p.add_argument("--urgent", action="store_true")
    p.add_argument("--unit", help="各单位分别召开的会议（如成员单位班子会）的召开单位")
    p = add(meeting, "add-item", cmd_meeting_add_item, "增加议题")
    p.add_argument("meeting", type=int)
    p.add_argument("--matter", type=int, required=True)
    p.add_argument("--secret", action="store_true", help="人事议题无记名投票")
    add(meeting, "open", cmd_meeting_open, "开会").add_argument("meeting", type=int)
    p = add(meeting, "attend", cmd_meeting_attend, "登记出席、离席、请假或列席")
    p.add_argument("meeting", type=int)
    p.add_argument("--person", required=True)
    p.add_argument("--status", required=True, choices=["present", "left", "absent", "observer"])
    p.add_argument("--reason")
    p = add(meeting, "recuse", cmd_meeting_recuse, "登记回避")
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--person", required=True)
    p.add_argument("--reason", required=True)
    p = add(meeting, "opinion", cmd_meeting_opinion, "登记缺席成员的书面意见")
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--person", required=True)
    p.add_argument("--text", required=True)
    p = add(meeting, "vote", cmd_meeting_vote, "表决")
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--choice", required=True)
    p.add_argument("--reason")
    p.add_argument("--for", dest="voter", help="党政办代为登记举手表决时的表决人")
    p = add(meeting, "close-item", cmd_meeting_close_item, "宣布议题表决结果")
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p = add(meeting, "defer-item", cmd_meeting_defer_item, "议题暂缓表决（如不足法定人数）")
    p.add_argument("meeting", type=int)
    p.add_argument("--item", type=int, required=True)
    p.add_argument("--reason", required=True)
    add(meeting, "close", cmd_meeting_close, "散会").add_argument("meeting", type=int)
    add(meeting, "show", cmd_meeting_show, "显示会议").add_argument("meeting", type=int)

    sv = sub.add_parser("supervision", help="督办").add_subparsers(dest="sub", required=True)
    add(sv, "list", cmd_supervision_list, "督办事项一览")
    from quorum import supervision_commands
    supervision_commands.configure(add(sv, "import", supervision_commands.cmd_import,
                                       "导入重点任务清单（CSV；如 action_plan_2021.csv）"))
    p = add(sv, "report", cmd_supervision_report, "报告督办进展")
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
    if _command_of(argv) not in set(sub.choices) - EXTENDED:
        _plugin_commands(sub, add)
    return parser


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        args.runtime = Runtime(args)
        args.fn(args)
    except BrokenPipeError:
        sys.stderr.close()         # output piped into `head`: stop quietly
        return 0
    except QuorumError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.key, "message": str(exc)}, ensure_ascii=False), file=sys.stderr)
        else:
            print(f"错误：{exc}（{exc.key}）", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
