"""The command line as a newcomer finds it (issue 15, item 8), in-process on SQLite and PostgreSQL.

Every value an option takes — a username for --as/--person/--to, a unit key for --unit or `--field unit=…`, a step
key for `task act --to`, an answer for --action, a choice value — can be looked up: `quorum unit list`,
`quorum person list` and `quorum policy explain` show the codes beside the names, and the refusal of an unknown
username or unit says where to look and which ones are close. Those three reference commands are the narrow
exception to "no key in text output": the records (matter show, task list, meeting show, supervision list,
document list) show names only, while their --json carries usernames and unit keys beside the names.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import pytest
from sqlalchemy import select

from quorum import policies
from quorum.db import Matter, Meeting, Person, Post, Task, Unit
from tests.cli.support import ROOT, Cli, cli_backends, json_error, make_cli, user_error

KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
FIND_USERNAME = "用户名可用 quorum person list 查看"
FIND_UNIT = "单位代码可用 quorum unit list 查看"
SECRETARY = "gaowenjing"          # 高文静, 党政办公室主任
POLICIES = policies.load(ROOT / "policies").policy_set


@dataclass
class Community:
    """The demo 医共体 after `quorum demo`, with its people and units as the database holds them."""

    cli: Cli
    units: dict[str, dict[str, Any]]        # key -> {name, short_name, kind, code}
    names: dict[str, str]                   # username -> name
    active: list[str]                       # usernames of the active accounts
    posts: list[tuple[str, str, str]]       # active (username, unit key, role)
    matters: list[int]
    meetings: list[int]
    assignees: list[str]                    # usernames with an open task


@pytest.fixture(scope="module", params=cli_backends())
def community(request, tmp_path_factory) -> Iterator[Community]:
    for cli in make_cli(request.param, tmp_path_factory.mktemp(f"newcomer_{request.param}") / "data"):
        assert "审计链校验：完整" in cli.ok("demo")
        engine = cli.engine()
        with engine.connect() as conn:
            units = {key: {"name": name, "short_name": short, "kind": kind, "code": code}
                     for key, name, short, kind, code in conn.execute(
                         select(Unit.key, Unit.name, Unit.short_name, Unit.kind, Unit.doc_prefix).order_by(Unit.id))}
            names = dict(conn.execute(select(Person.username, Person.name)).all())
            active = sorted(conn.execute(select(Person.username).where(Person.active.is_(True))).scalars())
            posts = [tuple(row) for row in conn.execute(
                select(Person.username, Unit.key, Post.role).join(Post, Post.person_id == Person.id)
                .join(Unit, Unit.id == Post.unit_id).where(Post.active.is_(True), Person.active.is_(True)))]
            matters = sorted(conn.execute(select(Matter.id)).scalars())
            meetings = sorted(conn.execute(select(Meeting.id)).scalars())
            assignees = sorted(set(conn.execute(select(Person.username).join(Task, Task.assignee_id == Person.id)
                                                .where(Task.status == "open")).scalars()))
        engine.dispose()
        assert len(units) > 10 and len(names) > 40 and matters and meetings and assignees
        yield Community(cli, units, names, active, posts, matters, meetings, assignees)


# --------------------------------------------------------------------------------------------
# --version


def test_version_is_the_installed_package_version(sqlite_cli):
    result = sqlite_cli.run("--version", now=None)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"quorum {version('quorum')}\n"
    assert not sqlite_cli.data_dir.exists()          # no configuration read, no database opened


# --------------------------------------------------------------------------------------------
# unit list, person list


def test_unit_list_shows_each_key_beside_its_name(community):
    lines = community.cli.ok("unit", "list").splitlines()
    assert lines[0] == f"已登记单位 {len(community.units)} 个（左列为命令行中填写的单位代码）："
    body = lines[1:]
    assert [line.split()[0] for line in body] == list(community.units)
    for line, unit in zip(body, community.units.values(), strict=True):
        assert f"{unit['name']}（简称 {unit['short_name']}）" in line
        assert (f"｜机关代字 {unit['code']}" in line) == bool(unit["code"])
        assert unit["kind"] not in line.split(maxsplit=1)[1]          # the kind in words, not its key
    assert "  general_hospital        二连浩特市总医院（简称 总医院）｜牵头医院｜机关代字 二医共发" in body


def test_unit_list_json_is_the_register(community):
    listed = community.cli.json("unit", "list")
    assert {u["key"]: {k: u[k] for k in ("name", "short_name", "kind", "code")} for u in listed} == community.units
    assert {u["kind_name"] for u in listed} == {"牵头医院", "成员单位", "主管部门", "政府", "党组织"}


def at_unit(community: Community, key: str) -> list[str]:
    return sorted({u for u, unit, _role in community.posts if unit == key})


def test_person_list_of_a_unit_by_key_or_name(community):
    by_key = community.cli.json("person", "list", "--unit", "wulan_chc")
    assert sorted(p["username"] for p in by_key) == at_unit(community, "wulan_chc")
    assert community.cli.json("person", "list", "--unit", "乌兰社区中心") == by_key
    assert community.cli.json("person", "list", "--unit", "二连浩特市乌兰社区卫生服务中心") == by_key
    for person in by_key:
        assert person["name"] == community.names[person["username"]]
        assert "wulan_chc" in {post["unit"] for post in person["posts"]}


def test_person_list_of_a_role_by_code_or_name(community):
    presidents = community.cli.json("person", "list", "--role", "president")
    assert [p["username"] for p in presidents] == ["eerdun"]
    assert presidents[0]["posts"][0] | {"title": ""} == {
        "unit": "general_hospital", "unit_name": "二连浩特市总医院", "role": "president", "role_name": "总院长",
        "title": ""}
    assert community.cli.json("person", "list", "--role", "总院长") == presidents
    heads = community.cli.json("person", "list", "--role", "member_unit_head", "--unit", "wulan_chc")
    assert [p["username"] for p in heads] == sorted(u for u, unit, role in community.posts
                                                    if unit == "wulan_chc" and role == "member_unit_head")


def test_person_list_text_shows_username_beside_name_and_codes_beside_posts(community):
    lines = community.cli.ok("person", "list", "--unit", "wulan_chc").splitlines()
    people = at_unit(community, "wulan_chc")
    assert lines[0] == f"人员 {len(people)} 人（左列为命令行中填写的用户名）："
    heads = [line.split() for line in lines[1:-1] if not line.startswith("      ")]
    assert sorted(username for username, _name in heads) == people
    assert all(community.names[username] == name for username, name in heads)
    assert "      乌兰社区卫生服务中心主任（执行院长）｜二连浩特市乌兰社区卫生服务中心（wulan_chc）｜" \
           "成员单位执行院长（负责人）（member_unit_head）" in lines
    assert lines[-1] == "（括号内为单位代码和角色代码，可用于 --unit 和 --role）"


def test_everyone_active_is_listed_once_with_all_posts(community):
    listed = community.cli.json("person", "list")
    assert sorted(p["username"] for p in listed) == community.active
    assert sorted((p["username"], post["unit"], post["role"]) for p in listed for post in p["posts"]) == \
        sorted(community.posts)


@pytest.mark.parametrize("args, text", [
    (["--unit", "wulan"], "输入有误：未找到单位「wulan」。是否要找：二连浩特市乌兰社区卫生服务中心（wulan_chc）。" + FIND_UNIT),
    (["--unit", "县医院"], "输入有误：未找到单位「县医院」。是否要找：二连浩特市总医院（general_hospital）。" + FIND_UNIT),
    (["--unit", "xyz"], "输入有误：未找到单位「xyz」。" + FIND_UNIT),
    (["--role", "presidnet"], "输入有误：未知的角色「presidnet」。是否要找：总院长（president）、分管副院长（vice_president）"
                             "（角色代码见 policies/roles.toml）"),
], ids=["close-unit", "close-name", "far-unit", "misspelt-role"])
def test_person_list_of_an_unknown_unit_or_role(community, args, text):
    assert user_error(community.cli.run("person", "list", *args), "invalid_input") == text


# --------------------------------------------------------------------------------------------
# an unknown username or unit: where to look, and the close ones


@pytest.mark.parametrize("typed", ["gaowenjin", "高文静", "gaowenjing2"])
def test_unknown_as_suggests_the_username(community, typed):
    line = user_error(community.cli.run("task", "list", "--as", typed), "unknown_user")
    assert line == f"用户不存在：{typed}。是否要找：高文静（gaowenjing）。{FIND_USERNAME}（可加 --unit 单位代码 或 --role 角色代码 筛选）"


def test_unknown_as_with_nothing_close_says_where_to_look(community):
    line = user_error(community.cli.run("task", "list", "--as", "xyz"), "unknown_user")
    assert line == f"用户不存在：xyz。{FIND_USERNAME}（可加 --unit 单位代码 或 --role 角色代码 筛选）"


def test_unknown_person_as_json_carries_the_hint(community):
    result = community.cli.run("meeting", "attend", community.meetings[0], "--person", "eerdn", "--status", "present",
                               "--as", SECRETARY, "--json")
    assert json_error(result, "unknown_user").startswith("用户不存在：eerdn。是否要找：额尔敦（eerdun）。" + FIND_USERNAME)


def test_unknown_unit_field_suggests_the_key(community):
    result = community.cli.run("matter", "submit", "--workflow", "major_matter", "--title", "购置救护车",
                               "--field", "category=funds", "--field", "unit=乌兰社区中心", "--field", "amount=1000",
                               "--field", "summary=购置救护车一辆", "--as", SECRETARY)
    assert user_error(result, "invalid_input") == (
        "输入有误：「提出单位」的值「乌兰社区中心」不是已登记的单位。是否要找：二连浩特市乌兰社区卫生服务中心（wulan_chc）、"
        "二连浩特市锡林社区卫生服务中心（xilin_chc）、二连浩特市东城社区卫生服务中心（dongcheng_chc）。" + FIND_UNIT)


def test_unknown_meeting_unit_suggests_the_key(community):
    result = community.cli.run("meeting", "schedule", "--body", "member_leadership", "--unit", "xilin",
                               "--at", "2026-11-20T09:00", "--place", "会议室", "--as", SECRETARY)
    assert user_error(result, "not_found") == (
        "未找到单位：xilin。是否要找：二连浩特市锡林社区卫生服务中心（xilin_chc）。" + FIND_UNIT)


# --------------------------------------------------------------------------------------------
# policy explain: the reference, codes beside the labels


def test_policy_explain_shows_the_codes_the_command_line_takes(community):
    text = community.cli.ok("policy", "explain", "major_matter")
    lines = text.splitlines()
    wf = POLICIES.workflow("major_matter")
    for n, st in enumerate(wf.steps, 1):                          # task act --to
        assert any(line.startswith(f"  {n}. {st.name}（{st.key}）（") for line in lines), st.key
    for f in wf.fields:                                           # --field key=value
        assert f"  - {f.label}（{f.key}，" in text
        for value, label in f.choices:
            assert f"{label}（{value}）" in text
    assert ("  - 事项类别（category，choice，必填）：重大事项决策（decision）／重要干部任免（appointment）／"
            "重大项目安排（project）／大额资金使用（funds）") in lines
    unit_line = next(line for line in lines if line.startswith("  - 提出单位（unit，unit，必填）："))
    assert unit_line.count("（") == len(community.units) + 1
    for key, unit in community.units.items():                     # --field unit=…
        assert f"{unit['name']}（{key}）" in unit_line
    assert lines.count("     办理选项（--action）：同意（approve）、不同意（reject）、退回（return）") == 3
    assert "     办理选项（--action）：形成纪要/决定（record）" in lines
    assert lines[lines.index("  1. 议题申报（proposal）（申报）") + 1] == \
        "     退回后申报人的办理选项（--action）：重新申报（resubmit）、撤回（withdraw）"
    assert "     议事机构：医共体党委会议（party_committee）" in lines      # meeting schedule --body


def test_policy_explain_names_custom_answers(community):
    text = community.cli.ok("policy", "explain", "appointment")
    wf = POLICIES.workflow("appointment")
    options = [o for st in wf.steps for o in st.options if o.key not in ("approve", "reject")]
    assert options
    for o in options:
        assert f"{o.label}（{o.key}）" in text


def test_policy_explain_json_gives_fields_with_their_choices(community):
    explained = community.cli.json("policy", "explain", "expenditure")
    unit = next(f for f in explained["fields"] if f["key"] == "unit")
    assert unit["choices"] == [{"value": k, "label": u["name"]} for k, u in community.units.items()]
    assert [s["key"] for s in explained["steps"]] == [st.key for st in POLICIES.workflow("expenditure").steps]
    assert {"key": "approve", "label": "同意"} in explained["steps"][1]["actions"]
    assert explained["initiators"] == [{"key": "member_unit_deputy", "name": "成员单位副职（班子成员）"}]


def test_policy_explain_before_the_database_exists(sqlite_cli):
    lines = sqlite_cli.ok("policy", "explain", "expenditure").splitlines()
    assert "  - 申请单位（unit，unit，必填）：单位代码见 quorum unit list" in lines
    assert not (sqlite_cli.data_dir / "quorum.sqlite3").exists()       # explaining never creates a database
    assert sqlite_cli.json("policy", "explain", "expenditure")["fields"][0]["choices"] == []


# --------------------------------------------------------------------------------------------
# --json: usernames and unit keys beside the names


def named(community: Community, username: str | None, name: str | None) -> None:
    """A username given beside a name is that person's."""
    assert (username is None) == (name is None), (username, name)
    if username is not None:
        assert community.names[username] == name, (username, name)


def test_matter_json_carries_usernames_and_unit_keys(community):
    seen = {"tasks": 0, "opinions": 0, "timeline": 0, "supervision": 0, "ballots": 0}
    for matter_id in community.matters:
        record = community.cli.json("matter", "show", matter_id)
        named(community, record["initiator_username"], record["initiator"])
        assert record["unit_key"] is None or community.units[record["unit_key"]]["name"] == record["unit"]
        for task in record["tasks"]:
            named(community, task["assignee_username"], task["assignee"])
            seen["tasks"] += 1
        for opinion in record["opinions"]:
            if opinion["author_username"] is not None:
                named(community, opinion["author_username"], opinion["author"])
                seen["opinions"] += 1
            named(community, opinion["on_behalf_of_username"], opinion["on_behalf_of"])
        for event in record["timeline"]:
            named(community, event["actor_username"], event["actor"])
            seen["timeline"] += event["actor"] is not None
        for item in record["supervision"]:
            assert community.units[item["lead_unit_key"]]["name"] == item["lead_unit"]
            assert [community.units[k]["name"] for k in item["co_unit_keys"]] == item["co_units"]
            seen["supervision"] += 1
        for item in record["agenda_items"]:
            for ballot in item["ballots"]:
                named(community, ballot["username"], ballot["name"])
                seen["ballots"] += 1
    assert all(seen.values()), seen


def test_task_list_json_carries_usernames_and_unit_keys(community):
    for username in community.assignees:
        tasks = community.cli.json("task", "list", "--as", username)
        assert tasks, username
        for task in tasks:
            assert task["assignee_username"] == username
            assert task["unit_key"] is None or task["unit_key"] in community.units


def test_meeting_json_carries_usernames(community):
    ballots = 0
    for meeting_id in community.meetings:
        record = community.cli.json("meeting", "show", meeting_id)
        named(community, record["chair_username"], record["chair"])
        assert [community.names[u] for u in record["observer_usernames"]] == record["observers"]
        for member in record["members"]:
            named(community, member["username"], member["name"])
        for item in record["items"]:
            for key in ("recusals", "written_opinions", "ballots"):
                for row in item[key]:
                    named(community, row["username"], row["name"])
                    ballots += key == "ballots"
    assert ballots


def test_supervision_list_json_carries_unit_keys(community):
    rows = community.cli.json("supervision", "list")
    assert rows
    for row in rows:
        assert community.units[row["lead_unit_key"]]["name"] == row["lead_unit"]
        assert len(row["co_unit_keys"]) == len(row["co_units"])


# --------------------------------------------------------------------------------------------
# the exception is narrow: the records' text shows names only


def test_record_text_shows_no_key_and_no_username(community):
    cli = community.cli
    outputs = {f"matter show {m}": cli.ok("matter", "show", m) for m in community.matters}
    outputs |= {f"meeting show {m}": cli.ok("meeting", "show", m) for m in community.meetings}
    answers = {}
    for username in community.assignees:           # a task's 可执行 line gives the --action codes: a reference too
        lines = cli.ok("task", "list", "--as", username).splitlines()
        answers[username] = [line for line in lines if line.strip().startswith("可执行：")]
        outputs[f"task list {username}"] = "\n".join(line for line in lines if line not in answers[username])
    assert all(answers.values())
    assert all(re.fullmatch(r"\s+可执行：[a-z_]+（[^（）]+）(、[a-z_]+（[^（）]+）)*", line)
               for lines in answers.values() for line in lines), answers
    outputs["supervision list"] = cli.ok("supervision", "list")
    outputs["document list"] = cli.ok("document", "list")
    codes = set(community.names) | set(community.units)
    found = {where: sorted(set(KEY.findall(text)) | (set(WORD.findall(text)) & codes))
             for where, text in outputs.items()}
    assert {where: words for where, words in found.items() if words} == {}
    assert sum(len(text) for text in outputs.values()) > 10_000


def test_the_reference_commands_show_the_codes(community):
    """The exception, explicit: these four (and a task's 可执行 line, above) are where the codes are looked up."""
    for args in (["unit", "list"], ["person", "list"], ["policy", "explain", "major_matter"], ["policy", "list"]):
        assert KEY.search(community.cli.ok(*args)), args


def test_json_errors_stay_machine_readable(community):
    result = community.cli.run("person", "list", "--unit", "nowhere", "--json")
    body = json.loads(result.stderr)
    assert body["error"] == "invalid_input" and FIND_UNIT in body["message"]


@pytest.mark.parametrize("command, option, where", [
    (["task", "list"], "--as", "quorum person list"),
    (["task", "transfer"], "--to", "quorum person list"),
    (["meeting", "attend"], "--person", "quorum person list"),
    (["meeting", "vote"], "--for", "quorum person list"),
    (["meeting", "schedule"], "--unit", "quorum unit list"),
    (["meeting", "schedule"], "--body", "quorum policy list"),
    (["matter", "submit"], "--workflow", "quorum policy list"),
    (["matter", "submit"], "--field", "quorum policy explain"),
    (["task", "act"], "--to", "quorum policy explain"),
], ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_option_help_says_where_its_values_are_listed(sqlite_cli, command, option, where):
    """Every option that takes a username, unit, body, workflow, field or step code names the command that lists them."""
    out = sqlite_cli.ok(*command, "--help", now=None)
    entries = re.split(r"\n(?=\s{2}-)", out)                         # one entry per option
    entry = next(e for e in entries if e.strip().startswith(option + " "))
    assert where in " ".join(entry.split()), (option, entry)


def test_unknown_return_step_says_where_the_step_codes_are(community):
    cli = community.cli
    submitted = cli.json("matter", "submit", "--workflow", "major_matter", "--title", "购置救护车", "--field",
                         "category=funds", "--field", "unit=wulan_chc", "--field", "amount=1000", "--field",
                         "summary=购置救护车一辆", "--as", SECRETARY)
    task = next(t for t in cli.json("task", "list", "--as", "zhouming") if t["matter_id"] == submitted["id"])
    assert "return" in task["actions"]
    result = cli.run("task", "act", task["id"], "--action", "return", "--to", "draft", "--comment", "请补充材料",
                     "--as", "zhouming")
    assert user_error(result, "invalid_input") == (
        "输入有误：没有名为「draft」的环节。环节代码见 quorum policy explain 流程代码（每个环节名称后括号内）")
    assert "  1. 议题申报（proposal）（申报）" in cli.ok("policy", "explain", "major_matter").splitlines()


def test_document_json_carries_the_signers_username_and_the_issuers_unit_key(community):
    rows = community.cli.json("document", "list", "--as", SECRETARY)
    signed = [r for r in rows if r.get("status") == "frozen"]
    assert signed
    for row in signed:
        record = community.cli.json("document", "show", row["id"], "--as", SECRETARY)
        named(community, record["signer_username"], record["signer"])
        assert community.units[record["issuer_unit_key"]]["name"] == record["issuer"]


def test_refusals_json_carries_the_actors_username(community):
    community.cli.run("unit", "set-code", "wulan_chc", "乌社卫", "--as", "zhouming")      # refused: not an administrator
    rows = community.cli.json("audit", "refusals", "--as", "sunlixin")                  # 纪检
    assert rows
    for row in rows:
        named(community, row["actor_username"], row["actor"])
