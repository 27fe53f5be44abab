"""Load the demo 医共体 and walk one 三重一大 matter from 议题申报 to 督办.

The scenario is driven only through the public services, each step in its own transaction,
exactly as the web UI or CLI would; the clock moves forward through working days so notices,
deadlines and the audit trail look like a real fortnight at the 二连浩特市总医院.
"""

import tomllib
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quorum.calendar import TZ, month_end
from quorum.core.errors import QuorumError
from quorum.db import Matter, Person, Task, Unit
from quorum.services import demo_chains, documents, matters, meetings, org, supervision
from quorum.services.env import Env

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "erlianhaote.toml"


def demo_data() -> dict[str, Any]:
    return tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))


def ensure_community(sessions: sessionmaker[Session], env: Env) -> bool:
    """Load the demo community unless units already exist; return whether it loaded."""
    with sessions.begin() as s:
        if s.execute(select(Unit.id).limit(1)).first() is not None:
            return False
        org.load_community(s, env, demo_data())
    return True


class Scenario:
    """A tiny driver: run one use case per transaction at a given moment, by username."""

    def __init__(self, sessions: sessionmaker[Session], env: Env) -> None:
        self.sessions, self.env, self.log = sessions, env, []

    def at(self, day, hour: int, minute: int = 0) -> None:
        self.env = self.env.at(datetime.combine(day, time(hour, minute), tzinfo=TZ))

    def do(self, username: str, fn: Callable, *args: Any, **kw: Any) -> Any:
        with self.sessions.begin() as s:
            actor = org.person(s, username)
            return fn(s, self.env, actor, *args, **kw)

    def refused(self, username: str, fn: Callable, *args: Any, **kw: Any) -> str:
        """Run a use case that the rules must refuse; return the refusal text."""
        try:
            self.do(username, fn, *args, **kw)
        except QuorumError as exc:
            self.log.append(f"（已拒绝）{exc}")
            return str(exc)
        raise AssertionError(f"{fn.__name__} should have been refused")

    def task_of(self, username: str, matter_id: int, requirement: str | None = None) -> int:
        with self.sessions.begin() as s:
            person = org.person(s, username)
            query = select(Task.id).where(Task.matter_id == matter_id, Task.assignee_id == person.id,
                                          Task.status == "open")
            if requirement:
                query = query.where(Task.requirement == requirement)
            return s.execute(query.order_by(Task.id)).scalars().first()

    def holder(self, role: str, index: int = 0, unit: str | None = None) -> str:
        with self.sessions.begin() as s:
            unit_id = org.unit(s, unit).id if unit else None
            return org.holders(s, role, unit_id)[index].username


def run(sessions: sessionmaker[Session], env: Env) -> dict[str, Any]:
    """Run the demo 三重一大 matter end to end; return its id, the meetings and the refusals shown."""
    ensure_community(sessions, env)
    cal = env.calendar
    sc = Scenario(sessions, env)
    chains = demo_chains.run(sc, env)
    day = cal.subtract_working_days(env.now.date(), 12).due
    secretary, clerk = sc.holder("secretariat", 0), sc.holder("secretariat", 1)
    sc.at(day, 9)
    matter = sc.do(secretary, matters.submit, "major_matter", "关于建设医共体远程会诊中心的议题", {
        "category": "project", "unit": "general_hospital", "amount": "860000", "budgeted": "true",
        "staff_interest": "false",
        "summary": "拟在总医院建设医共体远程会诊中心，连通六家成员单位，实现远程会诊、影像和心电诊断。"
                   "项目总投资86万元，资金来源为2026年医共体信息化建设专项资金（预算内）。",
        "options_compared": "方案一：自建机房与平台（86万元，三年运维费另计）；方案二：租用云平台（年租金31万元）。"
                            "经比较推荐方案一。"})
    mid = matter.id
    for role, req, text in (("legal_counsel", "legality", "经审查，项目采购程序及合同文本符合《政府采购法》等规定。"),
                            ("risk_officer", "risk", "主要风险为数据安全与运维保障，已提出等保二级建设要求，风险可控。"),
                            ("secretariat", "consultation", "已征求六家成员单位及信息科、设备科意见，均表示同意。"),
                            ("finance_center_head", "finance", "资金已列入2026年预算，来源合规。")):
        sc.at(day, 10)
        who = clerk if role == "secretariat" else sc.holder(role)
        sc.do(who, matters.act, sc.task_of(who, mid, req), "approve", text)
    day = cal.next_workday(day, include_self=False)
    sc.at(day, 9)
    vp = sc.holder("vice_president", 0)
    sc.do(vp, matters.act, sc.task_of(vp, mid), "approve", "同意提交院长办公会研究。")
    president = sc.holder("president")
    sc.do(president, matters.act, sc.task_of(president, mid), "approve", "同意列入院长办公会议程。")
    # 院长办公会: notice today, meeting three working days later.
    meeting_day = cal.add_working_days(day, 3).due
    office = sc.do(secretary, meetings.schedule, "president_office", "",
                   datetime.combine(meeting_day, time(8, 30), tzinfo=TZ), "总医院行政楼三楼会议室", [mid])
    sc.do(secretary, documents.sign_meeting_notice, office.id)      # the 会议通知 is signed before the meeting
    sc.at(meeting_day, 8, 30)
    _hold(sc, secretary, office.id, recusals={}, absent={}, dissent={})
    # 党委会: notice the same afternoon, meeting three working days later.
    sc.at(meeting_day, 15)
    party_day = cal.add_working_days(meeting_day, 3).due
    party = sc.do(secretary, meetings.schedule, "party_committee", "",
                  datetime.combine(party_day, time(9), tzinfo=TZ), "总医院党委会议室", [mid])
    sc.do(secretary, documents.sign_meeting_notice, party.id)
    sc.at(party_day, 9)
    recused = sc.holder("member_unit_party_leader", unit="mongolian_tcm_hospital")
    absent = sc.holder("member_unit_party_leader", unit="gerile_station")
    dissenter = sc.holder("member_unit_party_leader", unit="xilin_chc")
    _hold(sc, secretary, party.id,
          recusals={recused: "其近亲属在拟参与投标的设备供应商任职，依规回避"},
          absent={absent: ("下乡巡诊请假", "同意建设，建议优先连通牧区卫生服务站。")},
          dissent={dissenter: "建议先试点连通两家社区中心，再全面铺开，控制一次性投入。"})
    # 纪要 and 督办.
    sc.at(cal.next_workday(party_day, include_self=False), 10)
    due_month_end = month_end(party_day.year + (party_day.month == 12), party_day.month % 12 + 1)
    sc.do(secretary, matters.act, sc.task_of(secretary, mid), "record",
          "会议同意建设医共体远程会诊中心，项目总投资86万元，由总医院牵头实施。",
          record={"items": [
              {"title": "完成远程会诊中心设备与平台的政府采购", "lead_unit": "general_hospital",
               "co_units": ["finance_bureau"], "due_working_days": 20},
              {"title": "完成与六家成员单位远程会诊系统的联调上线", "lead_unit": "general_hospital",
               "co_units": ["mongolian_tcm_hospital", "maternal_child_center", "wulan_chc", "dongcheng_chc",
                            "xilin_chc", "gerile_station"], "due_date": due_month_end.isoformat()}]})
    with sessions.begin() as s:
        first_item = supervision.board(s)[0].id if supervision.board(s) else None
    if first_item is not None:
        sc.do(secretary, supervision.report, first_item, "采购需求已论证，招标文件已报财政局备案。")
    sc.do(secretary, documents.sign_off_drafts)       # 签发 the drafts: frozen .docx under data_dir/files
    return {"matter_id": mid, "meetings": [office.id, party.id], "refusals": sc.log, "chains": chains}


def _hold(sc: Scenario, secretary: str, meeting_id: int, recusals: dict[str, str],
          absent: dict[str, tuple[str, str]], dissent: dict[str, str]) -> None:
    """Run a meeting: attendance, recusals, 书面意见, ballots with the chair last, result, close."""
    sc.do(secretary, meetings.open_session, meeting_id)
    with sc.sessions.begin() as s:
        record = meetings.get(s, meeting_id)
        members = [(m.person_id, m.seat_role) for m in record.members]
        usernames = {p.id: p.username for p in s.execute(select(Person)).scalars()}
        chair = usernames[record.chair_id]
        items = [i.seq for i in record.items]
    for pid, _role in members:
        user = usernames[pid]
        if user in absent:
            sc.do(secretary, meetings.attend, meeting_id, detached_person(sc, user), "absent", absent[user][0])
        else:
            sc.do(secretary, meetings.attend, meeting_id, detached_person(sc, user), "present")
    sc.do(secretary, meetings.attend, meeting_id, detached_person(sc, sc.holder("discipline_inspector")), "observer")
    for seq in items:
        for user, reason in recusals.items():
            sc.do(secretary, meetings.recuse, meeting_id, seq, detached_person(sc, user), reason)
        for user, (_why, text) in absent.items():
            sc.do(secretary, meetings.written_opinion, meeting_id, seq, detached_person(sc, user), text)
        sc.refused(chair, meetings.vote, meeting_id, seq, "agree")     # 末位表态: the chair may not go first
        for pid, _role in members:
            user = usernames[pid]
            if user in (chair, *recusals, *absent):
                continue
            choice = "disagree" if user in dissent else "agree"
            sc.do(user, meetings.vote, meeting_id, seq, choice, dissent.get(user, ""))
        sc.do(chair, meetings.vote, meeting_id, seq, "agree")
        sc.do(secretary, meetings.close_item, meeting_id, seq)
    sc.do(secretary, meetings.close, meeting_id)


def detached_person(sc: Scenario, username: str) -> Person:
    with sc.sessions.begin() as s:
        person = org.person(s, username)
        s.expunge(person)
        return person


def matter_ids(s: Session) -> list[int]:
    """Every matter's id, the demo's 三重一大 matter first (the one `quorum run` prints)."""
    rows = s.execute(select(Matter.id, Matter.workflow_key).order_by(Matter.id)).all()
    return [i for i, key in rows if key == "major_matter"] + [i for i, key in rows if key != "major_matter"]
