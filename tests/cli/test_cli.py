"""The `quorum` command, run in-process (a few tests marked cli_process: in a subprocess), on SQLite and PostgreSQL.

The key flow — init with the demo 医共体, submit a 600,000 元 大额资金 matter, give the 前置程序
opinions, the two reviews, then hold the 院长办公会 (schedule, open, attend, recuse, vote with the
chair last, close-item, close) and verify the audit chain — runs once per backend in a
module-scoped fixture that records every command's result; the tests below assert on them.
User mistakes must print one Chinese line in the refusal's wording (never its key: that is for --json) and exit 2.
"""

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from quorum import policies
from quorum.db import AuditEvent, Matter
from tests.cli.support import ROOT, Cli, cli_backends, json_error, make_cli, user_error

TITLE = "乌兰社区中心购置数字化X光机（DR）"
SUMMARY = "为乌兰社区卫生服务中心购置DR一台，资金来源为2026年预算内设备购置经费。"
FIELDS = ["--field", "category=funds", "--field", "unit=wulan_chc", "--field", "amount=600000",
          "--field", "budgeted=true", "--field", f"summary={SUMMARY}"]
SECRETARY = "gaowenjing"          # 高文静, 党政办公室主任
CLERK = "sarengaowa"              # 萨仁高娃, 党政办公室科员
MEETING_AT = "2026-11-05T09:00"   # three working days after NOW: the 2-day notice is respected
# 院长办公会 seats in seat order: 总院长 (chair), two 分管副院长, 总会计师, 党委副书记.
MEMBERS = ["eerdun", "liuzhigang", "wuyunqiqige", "zhangliping", "wangjianhua"]
MEMBER_NAMES = ["额尔敦", "刘志刚", "乌云其其格", "张丽萍", "王建华"]
PARTY_COMMITTEE_ROUTE = "【党委会集体决定】适用：金额 600,000 元 ≥ 200,000 元，须提交党委会集体决策"
NOT_A_VOTER = "不是本议题的表决成员（未到会、已离席、已回避或非本机构成员）"
DIGEST = policies.load(ROOT / "policies").digest


@dataclass
class Flow:
    cli: Cli
    matter_id: int
    meeting_id: int
    r: dict[str, Any]


def open_task(cli: Cli, username: str, matter_id: int) -> dict[str, Any]:
    tasks = [t for t in cli.json("task", "list", "--as", username) if t["matter_id"] == matter_id]
    assert len(tasks) == 1, (username, tasks)
    return tasks[0]


def _run_flow(cli: Cli) -> Flow:
    r: dict[str, Any] = {}
    r["init"] = cli.run("init", "--demo-org")
    r["init_again"] = cli.run("init", "--demo-org")
    r["submit"] = cli.run("matter", "submit", "--workflow", "major_matter", "--title", TITLE, *FIELDS,
                          "--as", SECRETARY, "--json")
    assert r["submit"].returncode == 0, r["submit"].stderr
    mid = json.loads(r["submit"].stdout)["id"]
    r["show_submitted"] = cli.json("matter", "show", mid)
    r["show_text"] = cli.run("matter", "show", mid)

    # 前置程序: the legal counsel sees the task; someone else may not act on it.
    r["legal_tasks"] = cli.json("task", "list", "--as", "zhouming")
    r["legal_tasks_text"] = cli.run("task", "list", "--as", "zhouming")
    legal = open_task(cli, "zhouming", mid)["id"]
    r["act_not_assignee"] = cli.run("task", "act", legal, "--action", "approve", "--as", "tuya")
    r["act_not_assignee_json"] = cli.run("task", "act", legal, "--action", "approve", "--as", "tuya", "--json")
    r["act_legality"] = cli.json("task", "act", legal, "--action", "approve", "--comment", "采购程序合法。",
                                 "--as", "zhouming")
    r["legal_tasks_after"] = cli.json("task", "list", "--as", "zhouming")
    for who, comment in (("tuya", "风险可控。"), (CLERK, "已征求成员单位意见，均同意。"),
                         ("yangxiaodong", "已列入2026年预算。")):
        cli.json("task", "act", open_task(cli, who, mid)["id"], "--action", "approve", "--comment", comment,
                 "--as", who)
    r["after_gate"] = cli.json("matter", "show", mid)

    # 分管领导 and 主要负责人.
    cli.json("task", "act", open_task(cli, "liuzhigang", mid)["id"], "--action", "approve",
             "--comment", "同意提交院长办公会研究。", "--as", "liuzhigang")
    r["president_tasks"] = cli.json("task", "list", "--as", "eerdun")
    cli.json("task", "act", open_task(cli, "eerdun", mid)["id"], "--action", "approve",
             "--comment", "同意列入院长办公会议程。", "--as", "eerdun")
    r["at_meeting_step"] = cli.json("matter", "show", mid)

    # 院长办公会.
    r["schedule"] = cli.json("meeting", "schedule", "--body", "president_office", "--at", MEETING_AT,
                             "--place", "总医院行政楼三楼会议室", "--matter", mid, "--as", SECRETARY)
    meeting = r["schedule"]["id"]

    def at_meeting(*args: Any) -> subprocess.CompletedProcess:
        return cli.run("meeting", *args, now=MEETING_AT)

    def at_meeting_json(*args: Any) -> Any:
        return cli.json("meeting", *args, now=MEETING_AT)

    r["open"] = at_meeting_json("open", meeting, "--as", SECRETARY)
    for username in MEMBERS:
        at_meeting_json("attend", meeting, "--person", username, "--status", "present", "--as", SECRETARY)
    r["attended"] = at_meeting_json("attend", meeting, "--person", "sunlixin", "--status", "observer",
                                    "--as", SECRETARY)
    r["recuse"] = at_meeting_json("recuse", meeting, "--item", 1, "--person", "zhangliping",
                                  "--reason", "其配偶在拟投标的设备供应商任职", "--as", SECRETARY)
    vote = ("vote", meeting, "--item", 1, "--choice")
    r["vote_chair_first"] = at_meeting(*vote, "agree", "--as", "eerdun")
    r["vote_non_member"] = at_meeting(*vote, "agree", "--as", "tuya")
    r["vote_non_member_json"] = at_meeting(*vote, "agree", "--as", "tuya", "--json")
    r["vote_recused"] = at_meeting(*vote, "agree", "--as", "zhangliping")
    r["vote_bad_choice"] = at_meeting(*vote, "postpone", "--as", "liuzhigang")
    at_meeting_json(*vote, "agree", "--as", "liuzhigang")
    r["vote_disagree_without_reason"] = at_meeting(*vote, "disagree", "--as", "wuyunqiqige")
    at_meeting_json(*vote, "disagree", "--reason", "建议分两年采购，减轻当年资金压力。", "--as", "wuyunqiqige")
    r["close_too_early"] = at_meeting("close", meeting, "--as", SECRETARY)
    r["before_chair"] = at_meeting_json(*vote, "agree", "--as", "wangjianhua")
    r["vote_chair"] = at_meeting_json(*vote, "agree", "--as", "eerdun")
    r["vote_twice"] = at_meeting(*vote, "agree", "--as", "eerdun")
    r["close_item"] = at_meeting_json("close-item", meeting, "--item", 1, "--as", SECRETARY)
    r["close"] = at_meeting_json("close", meeting, "--as", SECRETARY)
    r["meeting_show"] = cli.json("meeting", "show", meeting)
    r["meeting_show_text"] = cli.run("meeting", "show", meeting)
    r["after_meeting"] = cli.json("matter", "show", mid)

    r["verify"] = cli.run("audit", "verify")
    r["verify_json"] = cli.run("audit", "verify", "--json")
    engine = cli.engine()
    with engine.connect() as conn:
        r["event_count"] = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    engine.dispose()
    return Flow(cli, mid, meeting, r)


@pytest.fixture(scope="module", params=cli_backends())
def flow(request, tmp_path_factory) -> Iterator[Flow]:
    for cli in make_cli(request.param, tmp_path_factory.mktemp(f"cli_{request.param}") / "data"):
        yield _run_flow(cli)


def step_status(record: dict[str, Any]) -> dict[str, str]:
    return {st["key"]: st["status"] for st in record["steps"]}


def counts(cli: Cli, kind: str | None = None) -> tuple[int, int]:
    """(audit events other than the records of refused attempts — or only those of `kind` —, matters)."""
    engine = cli.engine()
    wanted = AuditEvent.kind == kind if kind else AuditEvent.kind != "access.refused"
    with engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(AuditEvent).where(wanted)).scalar_one()
        matters = conn.execute(select(func.count()).select_from(Matter)).scalar_one()
    engine.dispose()
    return events, matters


# --------------------------------------------------------------------------------------------
# init


def test_init_migrates_registers_policy_version_and_loads_demo_org(flow):
    result = flow.r["init"]
    assert result.returncode == 0, result.stderr
    expected_url = flow.cli.database_url or f"sqlite:///{flow.cli.data_dir / 'quorum.sqlite3'}"
    assert json.loads(result.stdout) == {"database": expected_url, "policy_version": 1, "digest": DIGEST,
                                         "demo_org_loaded": True}
    if flow.cli.backend == "sqlite":
        assert (flow.cli.data_dir / "quorum.sqlite3").is_file()


def test_init_again_keeps_the_version_and_does_not_reload_the_org(flow):
    result = flow.r["init_again"]
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["policy_version"] == 1
    assert json.loads(result.stdout)["demo_org_loaded"] is False


# --------------------------------------------------------------------------------------------
# submit and show


def test_submit_prints_the_matter_record_with_its_route(flow):
    submitted = json.loads(flow.r["submit"].stdout)
    assert submitted == flow.r["show_submitted"]
    m = flow.r["show_submitted"]
    assert m["title"] == TITLE and m["workflow"] == "major_matter" and m["status"] == "active"
    assert m["current_step"] == "pre_review"
    assert m["policy_version_id"] == 1 and m["policy_digest"] == DIGEST
    assert m["initiator"] == "高文静" and m["unit"] == "二连浩特市乌兰社区卫生服务中心"
    amount = next(f for f in m["fields"] if f["key"] == "amount")
    assert (amount["value"], amount["display"]) == ("600000", "600,000 元")
    assert m["route"][5] == PARTY_COMMITTEE_ROUTE
    assert [line for line in m["route"] if "金额 600,000 元 ≥ 200,000 元" in line] == [PARTY_COMMITTEE_ROUTE]
    assert step_status(m) == {"proposal": "done", "pre_review": "active", "leader_review": "pending",
                              "principal_review": "pending", "president_office": "pending",
                              "party_committee": "pending", "record": "pending", "supervision": "pending"}
    # 前置程序 of a 600,000 元 funds matter: 合法性, 风险 (≥ threshold), 征求意见 (both clerks), 财务.
    assert sorted((t["title"].split("：")[0], t["assignee"]) for t in m["tasks"]) == sorted([
        ("合法性审查意见", "周明"), ("风险评估报告", "图雅"), ("征求意见汇总", "高文静"),
        ("征求意见汇总", "萨仁高娃"), ("财务管理中心审核意见", "杨晓东")])


def test_matter_show_text_explains_the_route(flow):
    result = flow.r["show_text"]
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"事项 #{flow.matter_id}  {TITLE}" in out
    assert "状态：办理中　当前环节：前置程序" in out
    assert f"  {PARTY_COMMITTEE_ROUTE}\n" in out
    assert "  金额：600,000 元\n" in out


# --------------------------------------------------------------------------------------------
# tasks


def test_task_list_json_shows_the_legal_counsel_his_task_and_actions(flow):
    tasks = flow.r["legal_tasks"]
    assert len(tasks) == 1
    task = dict(tasks[0])
    assert isinstance(task.pop("id"), int)
    expected = {"title": f"合法性审查意见：{TITLE}", "kind": "gate", "matter_id": flow.matter_id,
                "matter_title": TITLE, "on_behalf_of": None, "status": "open", "due_date": "2026-11-16",
                "due_provisional": False,
                "actions": ["approve", "reject", "return"], "action_names": ["同意", "不同意", "退回"]}
    assert {k: task[k] for k in expected} == expected


def test_task_list_text_shows_the_legal_counsel_his_task_and_actions(flow):
    result = flow.r["legal_tasks_text"]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    task_id = flow.r["legal_tasks"][0]["id"]
    assert result.stdout.splitlines() == [
        "周明的待办（1 项）：",
        f"  [{task_id}] 合法性审查意见：{TITLE}　时限 2026-11-16",
        "       可执行：approve（同意）、reject（不同意）、return（退回）",
    ]


def test_task_act_by_someone_who_is_not_the_assignee_is_refused(flow):
    assert user_error(flow.r["act_not_assignee"], "not_permitted") == "无权执行此操作：该待办不是分派给您的，您也不是其代理人"
    assert json_error(flow.r["act_not_assignee_json"], "not_permitted") == "无权执行此操作：该待办不是分派给您的，您也不是其代理人"


def test_task_act_approve_records_the_opinion_and_closes_the_task(flow):
    m = flow.r["act_legality"]
    task_id = flow.r["legal_tasks"][0]["id"]
    task = next(t for t in m["tasks"] if t["id"] == task_id)
    assert (task["status"], task["outcome"], task["assignee"]) == ("done", "approve", "周明")
    assert [(o["requirement"], o["author"], o["decision"], o["text"]) for o in m["opinions"]] == [
        ("legality", "周明", "approve", "采购程序合法。")]
    assert m["current_step"] == "pre_review"          # the other opinions are still missing
    assert flow.r["legal_tasks_after"] == []


def test_gate_and_reviews_bring_the_matter_to_the_president_office(flow):
    assert flow.r["after_gate"]["current_step"] == "leader_review"
    assert [t["title"] for t in flow.r["president_tasks"]] == [f"主要负责人审定列入议程：{TITLE}"]
    assert flow.r["president_tasks"][0]["actions"] == ["approve", "reject", "return"]
    m = flow.r["at_meeting_step"]
    assert m["current_step"] == "president_office"
    assert step_status(m) == {"proposal": "done", "pre_review": "done", "leader_review": "done",
                              "principal_review": "done", "president_office": "active",
                              "party_committee": "pending", "record": "pending", "supervision": "pending"}
    # the consultation task of the other clerk was cancelled when 萨仁高娃 answered for the 党政办
    assert sorted(o["requirement"] or o["step"] for o in m["opinions"]) == [
        "consultation", "finance", "leader_review", "legality", "principal_review", "risk"]
    assert not [t for t in m["tasks"] if t["status"] == "open"]


# --------------------------------------------------------------------------------------------
# the 院长办公会


def test_meeting_schedule_snapshots_members_and_puts_the_matter_on(flow):
    mt = flow.r["schedule"]
    assert (mt["body"], mt["status"], mt["chair"]) == ("president_office", "scheduled", "额尔敦")
    assert mt["scheduled_at"] == "2026-11-05T09:00:00+08:00" and mt["notice_at"] == "2026-11-02T09:00:00+08:00"
    assert [m["name"] for m in mt["members"]] == MEMBER_NAMES
    assert [(i["seq"], i["matter_id"], i["status"]) for i in mt["items"]] == [(1, flow.matter_id, "pending")]


def test_meeting_attendance_and_recusal(flow):
    assert flow.r["open"]["status"] == "in_session"
    mt = flow.r["recuse"]
    assert [m["attendance"] for m in mt["members"]] == ["present"] * 5
    assert mt["observers"] == ["孙立新"]
    item = mt["items"][0]
    assert item["recusals"] == [{"name": "张丽萍", "reason": "其配偶在拟投标的设备供应商任职", "username": "zhangliping"}]
    assert (item["quorum"]["met"], item["quorum"]["base"], item["quorum"]["present"]) == (True, 4, 4)


def test_chair_may_not_vote_before_the_others(flow):
    assert user_error(flow.r["vote_chair_first"], "chair_must_speak_last") == (
        "末位表态：主持人须在其他到会且未回避的成员全部表态后表态，尚待表态：刘志刚、乌云其其格、王建华")
    assert flow.r["before_chair"]["items"][0]["pending"] == ["额尔敦"]      # only the chair is left
    assert flow.r["vote_chair"]["items"][0]["pending"] == []


def test_vote_by_a_non_member_is_refused(flow):
    assert user_error(flow.r["vote_non_member"], "not_a_voter").endswith(NOT_A_VOTER)
    assert json_error(flow.r["vote_non_member_json"], "not_a_voter").endswith(NOT_A_VOTER)


def test_vote_refusal_names_the_non_member(flow):
    """The refusal must name the person (图雅), not print her database id."""
    assert user_error(flow.r["vote_non_member"], "not_a_voter") == f"图雅{NOT_A_VOTER}"


def test_vote_by_a_recused_member_is_refused(flow):
    assert user_error(flow.r["vote_recused"], "not_a_voter") == f"张丽萍{NOT_A_VOTER}"


def test_other_ballot_mistakes_are_refused(flow):
    assert user_error(flow.r["vote_bad_choice"], "bad_vote_option") == (
        "表决选项「postpone」不适用，可选：agree（同意）、disagree（不同意）、abstain（弃权）")
    assert user_error(flow.r["vote_disagree_without_reason"], "invalid_input") == (
        "输入有误：投不同意或缓议票时须说明理由（记入会议记录）")
    assert user_error(flow.r["close_too_early"], "invalid_input") == f"输入有误：尚有议题未宣布结果或暂缓：{TITLE}"
    assert user_error(flow.r["vote_twice"], "already_voted") == "额尔敦已对本议题表决，同一人对同一议题只能表决一次"


def test_close_item_announces_the_result_with_its_basis(flow):
    item = flow.r["close_item"]["items"][0]
    assert (item["status"], item["result"], item["result_name"]) == ("decided", "passed", "通过")
    assert item["counts"] == {"agree": 3, "disagree": 1, "abstain": 0}
    assert item["presiding"] == "额尔敦"
    assert [(b["order"], b["name"], b["choice"]) for b in item["ballots"]] == [
        (1, "刘志刚", "agree"), (2, "乌云其其格", "disagree"), (3, "王建华", "agree"), (4, "额尔敦", "agree")]
    assert item["ballots"][1]["reason"] == "建议分两年采购，减轻当年资金压力。"
    assert item["basis"] == ("应到会5人，回避1人，计算基数4人，实到（未回避）4人，法定人数须3人（超过1/2）；"
                             "同意3票，须超过应到会人数扣除回避后（4人）的1/2，即至少3票")


def test_close_and_show_meeting(flow):
    assert flow.r["close"]["status"] == "closed"
    assert flow.r["meeting_show"] == flow.r["close"]
    text = flow.r["meeting_show_text"]
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == f"会议 #{flow.meeting_id} 总医院院长办公会议（2026年11月5日）"
    assert "列席：孙立新" in lines
    assert f"议题1：{TITLE}" in lines
    assert "  结果：通过（应到会5人，回避1人，计算基数4人，实到（未回避）4人，法定人数须3人（超过1/2）；" \
           "同意3票，须超过应到会人数扣除回避后（4人）的1/2，即至少3票）" in lines


def test_the_matter_moves_on_to_the_party_committee(flow):
    m = flow.r["after_meeting"]
    assert m["status"] == "active" and m["current_step"] == "party_committee"
    president_office = next(st for st in m["steps"] if st["key"] == "president_office")
    assert (president_office["status"], president_office["outcome"]) == ("done", "approved")
    assert m["decision"]["last"]["body"] == "president_office"
    assert m["decision"]["last"]["result"] == "passed"
    assert m["decision"]["last"]["meeting_id"] == flow.meeting_id


def test_audit_verify_passes_on_the_intact_chain(flow):
    n = flow.r["event_count"]
    assert n >= 40
    result = flow.r["verify"]
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"审计链完整：共 {n} 条事件，逐条哈希校验通过。\n"
    assert result.stderr == ""
    assert json.loads(flow.r["verify_json"].stdout) == {"ok": True, "events": n, "first_bad_seq": None,
                                                         "reason": ""}
    assert flow.r["verify_json"].returncode == 0


# --------------------------------------------------------------------------------------------
# user mistakes: one Chinese line, the key in brackets, exit 2, no traceback, no trace in the database

SUBMIT = ["matter", "submit", "--workflow", "major_matter", "--title", "购置救护车"]
FIND_USERNAME = "。用户名可用 quorum person list 查看（可加 --unit 单位代码 或 --role 角色代码 筛选）"   # issue 15, item 8


@pytest.mark.parametrize("args", [
    ["task", "list", "--as", "nobody"],
    [*SUBMIT, *FIELDS, "--as", "nobody"],
    ["task", "act", "1", "--action", "approve", "--as", "nobody"],
    ["meeting", "attend", "1", "--person", "nobody", "--status", "present", "--as", SECRETARY],
], ids=["task-list", "submit", "task-act", "meeting-person"])
def test_unknown_user(flow, args):
    assert user_error(flow.cli.run(*args), "unknown_user") == "用户不存在：nobody" + FIND_USERNAME


def test_unknown_user_as_json(flow):
    result = flow.cli.run("task", "list", "--as", "nobody", "--json")
    assert json_error(result, "unknown_user") == "用户不存在：nobody" + FIND_USERNAME


def money(value: str) -> list[str]:
    return ["--field", "category=funds", "--field", "unit=wulan_chc", "--field", f"amount={value}",
            "--field", "summary=购置救护车一辆"]


@pytest.mark.parametrize("value", ["12万", "-5", "600000.001", "NaN", "Infinity", "1.5e-3"])
def test_bad_money_value(flow, value):
    result = flow.cli.run(*SUBMIT, *money(value), "--as", SECRETARY)
    assert user_error(result, "invalid_input") == (
        f"输入有误：「金额」的值「{value}」无效。请填写不带单位的金额（元），最多两位小数")


def test_bad_money_value_as_json(flow):
    result = flow.cli.run(*SUBMIT, *money("12万"), "--as", SECRETARY, "--json")
    assert json_error(result, "invalid_input") == "输入有误：「金额」的值「12万」无效。请填写不带单位的金额（元），最多两位小数"


def test_unknown_workflow(flow):
    result = flow.cli.run("matter", "submit", "--workflow", "capital_project", "--title", "购置救护车",
                          *money("300000"), "--as", SECRETARY)
    assert user_error(result, "invalid_input") == (
        "输入有误：未知的流程「capital_project」，可选：appointment、committee_matter、emergency、executive_president、"
        "expenditure、major_matter、member_performance_plan、performance_plan、recruitment_plan")


@pytest.mark.parametrize("args, key, text", [
    (["matter", "show", "999"], "not_found", "未找到事项：999"),
    (["task", "act", "999", "--action", "approve", "--as", "zhouming"], "not_found", "未找到待办：999"),
    ([*SUBMIT, *money("300000"), "--field", "colour=red", "--as", SECRETARY], "invalid_input",
     "输入有误：流程「三重一大事项集体决策」没有字段：colour"),
    ([*SUBMIT, *money("300000"), "--field", "budgeted", "--as", SECRETARY], "invalid_input",
     "输入有误：字段「budgeted」应写作 名称=值"),
    ([*SUBMIT, "--field", "category=funds", "--field", "unit=wulan_chc", "--as", SECRETARY], "invalid_input",
     "输入有误：「议题内容及方案」为必填项"),
    ([*SUBMIT, *money("300000"), "--as", "zhouming"], "not_permitted",
     "无权执行此操作：只有党政办公室、分管副院长、总院长、总会计师、人力资源管理中心主任、财务管理中心主任、"
     "成员单位执行院长（负责人）、医共体党委副书记可以申报「三重一大事项集体决策」"),
    (["meeting", "schedule", "--body", "president_office", "--at", "2026-11-03T09:00", "--place", "会议室",
      "--as", SECRETARY], "notice_too_late", "会议通知须至少提前2个工作日发出（最迟2026-10-30），紧急会议除外"),
    (["meeting", "schedule", "--body", "president_office", "--at", "11月5日上午", "--place", "会议室",
      "--as", SECRETARY], "invalid_input", "输入有误：时间「11月5日上午」格式应为 2026-11-25T09:00"),
], ids=["matter-missing", "task-missing", "unknown-field", "field-without-value", "required-field",
        "not-an-initiator", "notice-too-late", "bad-time"])
def test_other_user_mistakes(flow, args, key, text):
    assert user_error(flow.cli.run(*args), key) == text


def test_bad_now_is_a_user_mistake(flow):
    assert user_error(flow.cli.run("init", now="下周一"), "invalid_input") == (
        "输入有误：时间「下周一」格式应为 2026-11-25T09:00")


def test_user_mistakes_leave_no_trace(flow):
    before, refused = counts(flow.cli), counts(flow.cli, "access.refused")[0]
    user_error(flow.cli.run(*SUBMIT, *money("12万"), "--as", SECRETARY), "invalid_input")
    user_error(flow.cli.run(*SUBMIT, *FIELDS, "--as", "tuya"), "not_permitted")
    user_error(flow.cli.run("task", "act", "1", "--action", "approve", "--as", "tuya"), "not_permitted")
    assert counts(flow.cli) == before
    assert counts(flow.cli, "access.refused")[0] == refused + 2      # the two refusals are on record for 纪检
    assert flow.cli.run("audit", "verify").returncode == 0


def test_task_list_without_as_asks_for_it(flow):
    message = user_error(flow.cli.run("task", "list"), "invalid_input")
    assert message == "输入有误：此命令需要 --as 用户名 指明操作人"


def test_options_before_the_subcommand_are_honoured(flow):
    """`quorum --as X task list --json` must mean the same as `quorum task list --as X --json`."""
    after = flow.cli.run("task", "list", "--as", "zhouming", "--json")
    before = flow.cli.run("--as", "zhouming", "--json", "task", "list")
    assert after.returncode == 0, after.stderr
    assert before.returncode == 0, before.stderr
    assert before.stdout == after.stdout


# --------------------------------------------------------------------------------------------
# policy commands (no database needed)


def test_policy_check(sqlite_cli):
    assert sqlite_cli.ok("policy", "check") == (
        f"规则校验通过：版本 2026.1，摘要 {DIGEST[:12]}，流程 9 个，议事机构 6 个，周期性职责 9 项，提醒规则 3 类，"
        f"公文种类 12 种\n")
    checked = sqlite_cli.json("policy", "check")
    assert checked.pop("duties")[:2] == ["promotion_mechanism", "management_committee_consultation"]
    assert checked.pop("reminders") == ["task", "supervision", "duty"]
    assert len(checked.pop("documents")) == 12
    assert checked == {
        "ok": True, "version": "2026.1", "digest": DIGEST,
        "workflows": ["appointment", "committee_matter", "emergency", "executive_president", "expenditure",
                      "major_matter", "member_performance_plan", "performance_plan", "recruitment_plan"],
        "bodies": ["party_committee", "president_office", "management_committee", "board", "staff_congress",
                   "member_leadership"]}


def test_policy_list(sqlite_cli):
    assert sqlite_cli.ok("policy", "list").splitlines() == [
        "流程：",
        "  appointment：干部任免（15 个步骤，policies/workflows/appointment.toml）",
        "  committee_matter：管委会审议事项（5 个步骤，policies/workflows/committee_matter.toml）",
        "  emergency：临机处置事项追认（4 个步骤，policies/workflows/emergency.toml）",
        "  executive_president：成员单位执行院长委派（4 个步骤，policies/workflows/executive_president.toml）",
        "  expenditure：成员单位大额资金使用审批（10 个步骤，policies/workflows/expenditure.toml）",
        "  major_matter：三重一大事项集体决策（8 个步骤，policies/workflows/major_matter.toml）",
        "  member_performance_plan：成员单位绩效考核与分配方案审定（4 个步骤，policies/workflows/member_performance_plan.toml）",
        "  performance_plan：医共体绩效分配方案（9 个步骤，policies/workflows/performance_plan.toml）",
        "  recruitment_plan：医共体招聘计划（5 个步骤，policies/workflows/recruitment_plan.toml）",
        "议事机构：",
        "  party_committee：医共体党委会议",
        "  president_office：总医院院长办公会议",
        "  management_committee：医共体管理委员会会议",
        "  board：医共体理事会会议",
        "  staff_congress：总医院职工代表大会",
        "  member_leadership：成员单位领导班子会议",
    ]
    listed = sqlite_cli.json("policy", "list")
    assert {"key": "major_matter", "name": "三重一大事项集体决策", "steps": 8,
            "source": "policies/workflows/major_matter.toml"} in listed["workflows"]
    assert listed["bodies"][0] == {"key": "party_committee", "name": "医共体党委会议"}


def test_policy_explain_major_matter(sqlite_cli):
    lines = sqlite_cli.ok("policy", "explain", "major_matter").splitlines()
    assert lines[0] == "流程 major_matter：三重一大事项集体决策"
    assert "  - funds_party_committee：200,000 元" in lines
    assert "     须有：风险评估报告，由风险管理（审计）科出具（当 事项类别 属于 重大事项决策、重大项目安排 或 金额 ≥ 200,000 元）" in lines
    assert "  5. 院长办公会研究（president_office）（上会表决）" in lines
    assert "  6. 党委会集体决定（party_committee）（上会表决）" in lines
    assert "       法定人数：一般议题超过1/2，人事议题不少于2/3（回避人员不计入基数；无利害关系的到会成员少于3人须提交上级）" in lines
    assert "       法定人数：一般议题不少于2/3，人事议题不少于2/3（回避人员不计入基数；无利害关系的到会成员少于3人须提交上级）" in lines
    assert lines.count("       通过：同意票超过1/2应到会人数；平票或同意不足为未通过") == 2
    party = lines.index("  6. 党委会集体决定（party_committee）（上会表决）")
    condition = lines[party + 1]
    assert condition.startswith("     适用条件：事项类别 属于 重大事项决策、重要干部任免、重大项目安排 或 金额 ≥ 200,000 元 或 ")
    assert condition.endswith("——须提交党委会集体决策")
    assert lines[party + 2] == "     议事机构：医共体党委会议（party_committee）"
    assert lines[-1] == "  8. 督办落实（supervision）（督办）"


def test_policy_explain_json(sqlite_cli):
    explained = sqlite_cli.json("policy", "explain", "major_matter")
    assert (explained["key"], explained["name"]) == ("major_matter", "三重一大事项集体决策")
    assert [s["name"] for s in explained["steps"]] == [
        "议题申报", "前置程序", "分管领导审核签字", "主要负责人审定列入议程", "院长办公会研究", "党委会集体决定",
        "形成会议纪要（决定）及督办事项", "督办落实"]
    assert "议事机构：医共体党委会议" in explained["steps"][5]["lines"]


def test_policy_explain_unknown_workflow(sqlite_cli):
    result = sqlite_cli.run("policy", "explain", "capital_project")
    assert user_error(result, "invalid_input") == (
        "输入有误：未知的流程「capital_project」，可选：appointment、committee_matter、emergency、executive_president、"
        "expenditure、major_matter、member_performance_plan、performance_plan、recruitment_plan")


@pytest.mark.cli_process
def test_json_option_before_the_subcommand_is_honoured(sqlite_cli):
    result = sqlite_cli.run("--json", "policy", "check")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["digest"] == DIGEST


def config_with_policies(tmp_path: Path, policies_dir: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "data"\npolicies = "{policies_dir.name}"\n'
                      f'templates = "{(ROOT / "templates").as_posix()}"\n', encoding="utf-8")
    return config


def test_policy_check_names_the_file_and_step_of_a_broken_policy(sqlite_cli, tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    workflow = copy / "workflows" / "major_matter.toml"
    text = workflow.read_text(encoding="utf-8")
    assert text.count('body = "party_committee"') == 1
    workflow.write_text(text.replace('body = "party_committee"', 'body = "standing_committee"'), encoding="utf-8")
    result = sqlite_cli.run("policy", "check", "--config", config_with_policies(tmp_path, copy))
    assert user_error(result, "invalid_policy") == (
        "规则文件有误（policies/workflows/major_matter.toml，步骤 party_committee）："
        "meeting 步骤须指定已定义的议事机构 body，「standing_committee」未定义")


@pytest.mark.cli_process
def test_missing_config_file_is_a_user_mistake(sqlite_cli, tmp_path):
    missing = tmp_path / "nowhere" / "config.toml"
    result = sqlite_cli.run("policy", "check", "--config", missing)
    assert user_error(result, "invalid_input") == f"输入有误：找不到配置文件 {missing}"
