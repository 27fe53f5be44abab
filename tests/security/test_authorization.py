"""Authorization as rules (issue 12, item 5): who may close a 督办 item, mark a matter urgent, file for which unit,
签发 which series — declared in policies/permissions.toml and documents.toml, asked by the pages and checked by the
services alike — and every refused attempt recorded for 纪检监察, never shown to the person refused.

The attempts are the ones found on a fresh demo: a 职工代表 closing a whole 三重一大 matter by reporting its 督办
item done, any body's 主要负责人 marking any matter urgent (twice), a member unit's deputy filing 大额资金 for
another unit, the 总院长 签发 a 医共体党委 document.
"""

import dataclasses

import pytest
from sqlalchemy import func, select

from quorum.core.errors import Conflict, NotPermitted
from quorum.db import AuditEvent, Document, Matter, Person, SupervisionItem, Unit
from quorum.services import demo, documents, matters, org
from tests.cli.conftest import cli  # noqa: F401  (fixture)
from tests.helpers import submit
from tests.webui.conftest import as_user, post, text
from tests.webui.test_api import API
from tests.webui.test_api import as_user as api_user

STAFF_REP, DISCIPLINE, LEAD_VICE_PRESIDENT = "wuhaiyan", "sunlixin", "liuzhigang"
PRESIDENT, PARTY_SECRETARY, SECRETARY = "eerdun", "bater", "gaowenjing"
WULAN_DEPUTY, WULAN_HEAD = "zhanghua", "lichunyan"


def refusals(sc) -> list[tuple[str, str, str, str]]:
    """(who, where, channel, reason) of every refused attempt, oldest first."""
    with sc.sessions.begin() as s:
        rows = s.execute(select(Person.username, AuditEvent.payload, AuditEvent.matter_id)
                         .join(Person, Person.id == AuditEvent.actor_id)
                         .where(AuditEvent.kind == "access.refused").order_by(AuditEvent.seq)).all()
    assert all(matter_id is None for _u, _p, matter_id in rows)      # never on a matter's timeline
    return [(u, p["where"], p["channel"], p["reason"]) for u, p, _m in rows]


def business_events(sc, kind: str) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)).scalar_one()


def lead_hospital_item(sc) -> int:
    """The decided demo matter's 督办 item led by the 总医院."""
    with sc.sessions.begin() as s:
        hospital = s.execute(select(Unit.id).where(Unit.key == "general_hospital")).scalar_one()
        return s.execute(select(SupervisionItem.id).where(SupervisionItem.lead_unit_id == hospital)
                         .order_by(SupervisionItem.id)).scalars().first()


def test_a_staff_representative_at_the_lead_unit_cannot_close_a_supervision_item(app, client, sc):
    demo.run(sc.sessions, sc.env)
    item_id = lead_hospital_item(sc)
    refused = api_user(client, STAFF_REP).post(f"/supervision/{item_id}/reports", json={"text": "已完成", "done": True})
    assert refused.status_code == 403
    assert refused.get_json()["message"].startswith(
        "无权执行此操作：只有责任单位（牵头单位、协办单位）的负责人或党政办可以报告督办进展（本事项：")
    with sc.sessions.begin() as s:
        assert s.get(SupervisionItem, item_id).status != "done"
    assert refusals(sc)[-1][:3] == (STAFF_REP, f"POST {API}/supervision/{item_id}/reports", "api")

    # The board offers the 职工代表 no form; the 总医院's vice president sees it and closes the item.
    board = text(as_user(app, STAFF_REP).get("/supervision"))
    assert f'action="/supervision/{item_id}/report"' not in board
    leader = as_user(app, LEAD_VICE_PRESIDENT)
    assert 'name="done"' in text(leader.get("/supervision"))
    assert post(leader, f"/supervision/{item_id}/report", {"text": "设备已到货验收。", "done": "1"},
                page="/supervision").status_code == 302
    with sc.sessions.begin() as s:
        assert s.get(SupervisionItem, item_id).status == "done"


def test_only_the_principal_of_a_body_that_hears_the_matter_marks_it_urgent_and_only_once(app, client, sc):
    mid = submit(sc, "关于紧急采购负压救护车的议题", amount="480000")
    # 乌兰社区中心主任 is the 主要负责人 of his own 班子会, which never hears a 总医院 matter.
    assert "只有将审议该议题的会议机构的主要负责人可以" in sc.refused(WULAN_HEAD, matters.mark_urgent, mid, "疫情防控")
    with sc.sessions.begin() as s:
        assert not matters.may_mark_urgent(s, sc.env, org.person(s, WULAN_HEAD), s.get(Matter, mid))
        assert matters.may_mark_urgent(s, sc.env, org.person(s, PRESIDENT), s.get(Matter, mid))
    sc.do(PRESIDENT, matters.mark_urgent, mid, "疫情防控物资告急")
    with pytest.raises(Conflict, match="已标记为紧急议题"):
        sc.do(PRESIDENT, matters.mark_urgent, mid, "再标记一次")
    assert business_events(sc, "matter.marked_urgent") == 1
    again = api_user(client, PRESIDENT).post(f"/matters/{mid}/urgent", json={"reason": "再标记一次"})
    assert again.status_code == 409 and business_events(sc, "matter.marked_urgent") == 1
    with sc.sessions.begin() as s:       # the button is gone once the matter is urgent
        assert not matters.may_mark_urgent(s, sc.env, org.person(s, PRESIDENT), s.get(Matter, mid))


def test_a_member_unit_deputy_files_only_for_their_own_unit(sc):
    fields = {"purpose": "办公设备购置", "amount": "40000", "summary": "拟通过询价方式采购。"}
    refused = sc.refused(WULAN_DEPUTY, matters.submit, "expenditure", "锡林社区中心采购电脑",
                         {**fields, "unit": "xilin_chc"})
    assert "只有党政办公室可以为本人任职单位以外的单位申报事项" in refused
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(Matter)).scalar_one() == 0
    own = sc.do(WULAN_DEPUTY, matters.submit, "expenditure", "乌兰社区中心采购电脑", {**fields, "unit": "wulan_chc"})
    assert own.unit_id is not None


def test_the_cli_refuses_filing_for_another_unit_and_records_it(cli):  # noqa: F811
    cli.ok("init", "--demo-org")
    result = cli.run("matter", "submit", "--workflow", "expenditure", "--title", "锡林社区中心采购电脑",
                     "--field", "unit=xilin_chc", "--field", "purpose=办公设备购置", "--field", "amount=40000",
                     "--field", "summary=拟通过询价方式采购。", "--as", WULAN_DEPUTY)
    assert result.returncode == 2 and "为本人任职单位以外的单位申报事项" in result.stderr
    listed = cli.json("audit", "refusals", "--as", DISCIPLINE)
    assert [(r["actor"], r["channel"], r["where"]) for r in listed] == [("张华", "命令行", "quorum matter submit")]
    assert "为本人任职单位以外的单位申报事项" in listed[0]["reason"]
    denied = cli.run("audit", "refusals", "--as", WULAN_DEPUTY)
    assert denied.returncode == 2 and "核验审计链、查阅越权操作记录" in denied.stderr


def test_the_president_may_not_sign_the_party_committees_documents(sc, tmp_path):
    demo_result = demo.run(sc.sessions, sc.env)
    sc.env = dataclasses.replace(sc.env, files_dir=tmp_path)
    doc = sc.do(SECRETARY, documents.draft, "notice", [demo_result["matter_id"]])
    with sc.sessions.begin() as s:
        row = s.get(Document, doc.id)
        assert documents.signer_roles(s, row) == ("party_secretary",)
        assert not documents.may_sign(s, org.person(s, PRESIDENT), row)
        assert documents.may_sign(s, org.person(s, PARTY_SECRETARY), row)
    with pytest.raises(NotPermitted, match="通知须由医共体党委书记签发"):
        sc.do(PRESIDENT, documents.sign, doc.id)
    signed = sc.do(PARTY_SECRETARY, documents.sign, doc.id)
    assert signed.doc_number.startswith("二医共党发")


def test_refusals_are_shown_to_discipline_inspection_and_never_to_the_person_refused(app, client, sc):
    mid = submit(sc, "关于调整门诊收费项目的议题", amount=None, category="decision")
    refused = post(as_user(app, STAFF_REP), f"/matters/{mid}/urgent", {"reason": "想加快"})
    assert refused.status_code == 403
    assert refusals(sc) == [(STAFF_REP, f"POST /matters/{mid}/urgent", "web",
                             "无权执行此操作：只有将审议该议题的会议机构的主要负责人可以将议题标记为紧急议题")]
    inspector = as_user(app, DISCIPLINE)
    page = text(inspector.get("/audit/refusals"))
    assert "吴海燕" in page and "将议题标记为紧急议题" in page and f"POST /matters/{mid}/urgent" in page
    assert "wuhaiyan" not in page and "matter.mark_urgent" not in page         # names, never keys
    assert 'href="/audit"' in text(inspector.get("/tasks"))      # the nav's 审计: /audit, which links the refusals
    listed = api_user(client, DISCIPLINE).get("/audit/refusals").get_json()["refusals"]
    assert [(r["actor"], r["channel"], r["action"]) for r in listed] == [("吴海燕", "网页", "将议题标记为紧急议题")]

    staff = as_user(app, STAFF_REP)
    assert staff.get("/audit/refusals").status_code == 403
    assert 'href="/audit"' not in text(staff.get("/tasks"))
    assert "将议题标记为紧急议题" not in text(staff.get(f"/matters/{mid}"))     # not on the matter's timeline
    assert api_user(client, STAFF_REP).get("/audit/refusals").status_code == 403
    who = [r[0] for r in refusals(sc)]
    assert who == [STAFF_REP, STAFF_REP, STAFF_REP]        # the page and the API asked: both refusals recorded too
