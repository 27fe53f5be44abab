"""Acting on the chains through the pages: a member unit's countersign, 任前公示 with an objection and
the outcome after the window, the 管委会's filing answered with an objection, payments within the
tolerance, 评论 with a file, 加签 and 抄送 — on SQLite and PostgreSQL.
"""

import io
from datetime import datetime, time

from sqlalchemy import func, select

from quorum.calendar import TZ
from quorum.db import Attachment, AuditEvent, Opinion, Payment, PublicityObjection, Task
from quorum.services import matters
from tests import helpers
from tests.webui import chains
from tests.webui.test_api import set_clock
from tests.webui.test_matters import current_step, forms, matter_row, page, press, user


def count(sc, model) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def task_form(client, matter_id: int, task_id: int) -> dict:
    return forms(page(client, f"/matters/{matter_id}"))


# --------------------------------------------------------------------------------------------
# 会签: a member unit answers the 绩效分配方案


def test_a_member_unit_answers_the_plan_with_changes_and_another_objects(app, sc):
    plan = chains.performance_plan(sc)
    head = user(app, chains.HEAD)
    task_id = sc.task_of(chains.HEAD, plan)
    offered = forms(page(head, f"/matters/{plan}"))[f"decide-{task_id}"]
    assert list(offered.buttons) == ["同意", "修改后同意", "反对", "退回"]

    before = count(sc, AuditEvent)
    refused = press(head, f"/matters/{plan}", f"decide-{task_id}", "修改后同意", comment="")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "选择「修改后同意」时须填写理由或说明" in html
    assert count(sc, AuditEvent) == before and sc.task_of(chains.HEAD, plan) == task_id

    done = press(head, f"/matters/{plan}", f"decide-{task_id}", "修改后同意",
                 comment="建议将家庭医生签约服务费单列，不计入绩效总量。")
    assert done.status_code == 302
    assert "已修改后同意" in page(head, "/tasks")
    with sc.sessions.begin() as s:
        answer = s.execute(select(Opinion).where(Opinion.task_id == task_id)).scalar_one()
        assert (answer.decision, answer.requirement) == ("agree_with_changes", "wulan_chc")

    dongcheng = sc.holder("member_unit_head", unit="dongcheng_chc")
    other = user(app, dongcheng)
    press(other, f"/matters/{plan}", f"decide-{sc.task_of(dongcheng, plan)}", "反对",
          comment="社区中心绩效总量占比过低，不同意本方案。")
    html = page(other, f"/matters/{plan}")
    assert 'data-testid="flag-member_objection"' in html and "成员单位有反对意见" in html
    assert "社区中心绩效总量占比过低" in html
    with sc.sessions.begin() as s:
        steps = {st.step_key: st.applies for st in matters.get(s, plan).steps}
    assert steps["board_coordination"] is True                  # 反对 → 理事会协调
    assert "⚠ 成员单位有反对意见" in page(other, "/matters")


# --------------------------------------------------------------------------------------------
# 任前公示: an objection, then the outcome after the window


def test_publicity_waits_for_its_window_and_for_the_objection_to_be_investigated(app, sc):
    mid = chains.appointment_at_publicity(sc)
    set_clock(app, sc, sc.env.now)
    with sc.sessions.begin() as s:
        end = matters.current(matters.get(s, mid)).due_date
    secretary_of_party = user(app, chains.SECRETARY_OF_PARTY)
    html = page(secretary_of_party, f"/matters/{mid}")
    assert f"任前公示期至{end.isoformat()}结束，公示期满后方可作出任用决定" in html
    assert not [k for k in forms(html) if k.startswith("decide-")]

    hr = user(app, chains.HR)
    lodged = press(hr, f"/matters/{mid}", "lodge-form", text="反映该同志在原岗位存在考勤不实问题。",
                   complainant="王某某", contact="13904790000")
    assert lodged.status_code == 302
    objection = _only_objection(sc)
    assert objection.status == "open" and objection.complainant == "王某某"

    # the complainant's name is for the recorders and investigators only (DOMAIN §6.5 #39)
    assert "王某某" in page(hr, f"/matters/{mid}") and "王某某" in page(user(app, chains.INSPECTOR), f"/matters/{mid}")
    shown = page(secretary_of_party, f"/matters/{mid}")
    assert "考勤不实" in shown and "王某某" not in shown and "13904790000" not in shown
    assert "lodge-form" not in forms(shown) and f"resolve-{objection.id}" not in forms(shown)

    # after the window the outcome is offered, but waits for the investigation
    set_clock(app, sc, datetime.combine(sc.env.calendar.next_workday(end, include_self=False), time(9), tzinfo=TZ))
    task_id = sc.task_of(chains.SECRETARY_OF_PARTY, mid)
    html = page(secretary_of_party, f"/matters/{mid}")
    assert list(forms(html)[f"decide-{task_id}"].buttons) == ["任用", "任用并提醒", "不予任用", "暂缓任用"]
    assert "尚有1件实名或内容具体的异议未核查完毕" in html
    early = press(secretary_of_party, f"/matters/{mid}", f"decide-{task_id}", "任用", comment="")
    assert early.status_code == 422 and "尚有1件实名或内容具体的异议未核查完毕" in early.get_data(as_text=True)
    assert current_step(sc, mid) == "publicity"

    inspector = user(app, chains.INSPECTOR)
    half = press(inspector, f"/matters/{mid}", f"resolve-{objection.id}", result="unfounded",
                 finding="经调取考勤记录核查，反映不实。", feedback="")
    assert half.status_code == 422 and "「向反映人反馈情况」为必填项" in half.get_data(as_text=True)
    assert "经调取考勤记录核查，反映不实。" in half.get_data(as_text=True)     # what was typed is kept
    press(inspector, f"/matters/{mid}", f"resolve-{objection.id}", result="unfounded",
          finding="经调取考勤记录核查，反映不实。", feedback="已当面向反映人反馈核查结果。")
    assert _only_objection(sc).status == "unfounded"

    press(secretary_of_party, f"/matters/{mid}", f"decide-{task_id}", "任用", comment="公示期满，异议经核查不实。")
    assert current_step(sc, mid) == "appointment"


def _only_objection(sc) -> PublicityObjection:
    with sc.sessions.begin() as s:
        row = s.execute(select(PublicityObjection)).scalar_one()
        s.expunge(row)
        return row


# --------------------------------------------------------------------------------------------
# 备案: the 管委会 objects to a 执行院长 dispatch


def test_the_management_office_objects_to_a_filing_and_the_dispatch_goes_back_to_the_committee(app, sc):
    mid = sc.do(chains.HR, matters.submit, "executive_president", "关于委派刘志刚任乌兰社区卫生服务中心执行院长的议题",
                {"unit": "wulan_chc", "candidate": "liuzhigang", "summary": "加强总医院对社区中心的业务管理。"}).id
    helpers.hold(sc, "party_committee", [mid])
    sc.do(chains.SECRETARY, matters.act, sc.task_of(chains.SECRETARY, mid), "record", "印发委派决定。")
    assert current_step(sc, mid) == "filing"
    set_clock(app, sc, sc.env.now)
    office = user(app, "baiyumei")
    task_id = sc.task_of("baiyumei", mid)
    assert list(forms(page(office, f"/matters/{mid}"))[f"decide-{task_id}"].buttons) == [
        "已备案", "提出异议（退回党委会复议）"]
    press(office, f"/matters/{mid}", f"decide-{task_id}", "提出异议（退回党委会复议）",
          comment="拟委派人员已兼任两家单位职务，请党委会复议。")
    assert current_step(sc, mid) == "party_committee"
    assert "拟委派人员已兼任两家单位职务" in page(user(app, chains.HR), f"/matters/{mid}")


# --------------------------------------------------------------------------------------------
# 资金支付与执行


def test_payments_within_the_tolerance_and_one_beyond_it_refused_with_nothing_saved(app, sc):
    mid = chains.expenditure_at_execution(sc)            # 30,000 元 approved, 10% tolerance
    set_clock(app, sc, sc.env.now)
    finance = user(app, chains.FINANCE)
    task_id = sc.task_of(chains.FINANCE, mid)
    html = page(finance, f"/matters/{mid}")
    assert {f"pay-{task_id}", f"complete-{task_id}", "amount-form"} <= set(forms(html))
    assert "批准金额 <strong>30,000 元</strong>" in html and "累计支付上限 33,000 元" in html

    assert press(finance, f"/matters/{mid}", f"pay-{task_id}", amount="20,000", note="首期款").status_code == 302
    before = (count(sc, Payment), count(sc, AuditEvent))
    over = press(finance, f"/matters/{mid}", f"pay-{task_id}", amount="14000", note="尾款")
    html = over.get_data(as_text=True)
    assert over.status_code == 422
    assert "支付金额累计 34,000 元 超过批准金额 30,000 元 的 10%，须先办理金额变更并重新审批" in html
    assert 'value="14000"' in html and 'value="尾款"' in html
    assert (count(sc, Payment), count(sc, AuditEvent)) == before

    bad_day = press(finance, f"/matters/{mid}", f"pay-{task_id}", amount="1000", paid_on="2026-13-01")
    assert bad_day.status_code == 422 and "支付日期「2026-13-01」无效" in bad_day.get_data(as_text=True)

    press(finance, f"/matters/{mid}", f"pay-{task_id}", amount="12,000", note="尾款")
    page_now = page(finance, f"/matters/{mid}")
    assert 'data-testid="paid-total">32,000 元' in page_now and "首期款" in page_now
    press(finance, f"/matters/{mid}", f"complete-{task_id}", comment="电脑已验收，款项付清。")
    assert matter_row(sc, mid).status == "closed"


def test_an_amount_change_beyond_the_tolerance_sends_the_request_back(app, sc):
    mid = chains.expenditure_at_execution(sc)
    set_clock(app, sc, sc.env.now)
    deputy = user(app, chains.DEPUTY)
    assert "amount-form" not in forms(page(user(app, chains.HEAD), f"/matters/{mid}"))
    press(deputy, f"/matters/{mid}", "amount-form", field="amount", amount="32000", reason="增购一台备用机")
    assert current_step(sc, mid) == "execution" and matter_row(sc, mid).fields["amount"] == "32000"
    press(deputy, f"/matters/{mid}", "amount-form", field="amount", amount="60000", reason="改为采购一体机")
    assert current_step(sc, mid) == "application"


# --------------------------------------------------------------------------------------------
# 评论, 加签, 抄送


def test_a_comment_with_a_file_closes_nothing_and_a_signer_must_act_too(app, sc):
    plan = chains.performance_plan(sc)
    head = user(app, chains.HEAD)
    task_id = sc.task_of(chains.HEAD, plan)
    form = forms(page(head, f"/matters/{plan}"))[f"comment-{task_id}"]
    data = form.data(text="请牵头医院提供各单位测算表。")
    data["attachments"] = [(io.BytesIO(b"%PDF-1.7 figures"), "测算表.pdf", "application/pdf")]
    assert head.post(form.action, data=data, content_type="multipart/form-data").status_code == 302
    with sc.sessions.begin() as s:
        assert s.get(Task, task_id).status == "open"
        assert s.execute(select(func.count()).select_from(Attachment)).scalar_one() == 1
    html = page(head, f"/matters/{plan}")
    assert "请牵头医院提供各单位测算表。" in html and "评论" in html

    press(head, f"/matters/{plan}", f"signer-{task_id}", signer="naren", reason="请公共卫生科一并审核")
    signer_task = sc.task_of("naren", plan)
    assert signer_task is not None
    press(head, f"/matters/{plan}", f"decide-{task_id}", "同意", comment="同意。")
    with sc.sessions.begin() as s:
        assert s.get(Task, signer_task).status == "open"


def test_a_personnel_matter_copied_to_someone_becomes_readable_for_them(app, sc):
    mid = chains.appointment(sc)
    vice = user(app, "liuzhigang")
    assert vice.get(f"/matters/{mid}").status_code == 403
    assert "关于提名那仁" not in page(vice, "/matters")
    press(user(app, chains.HR), f"/matters/{mid}", "copy-form", to=["liuzhigang"], note="请分管领导知悉")
    assert "关于提名那仁" in page(vice, f"/matters/{mid}") and "关于提名那仁" in page(vice, "/matters")
    html = page(vice, f"/matters/{mid}")
    assert "刘志刚" in html and "请分管领导知悉" in html and "copy-form" not in forms(html)
    with sc.sessions.begin() as s:
        from quorum.services import org, visibility
        assert visibility.can_view(s, sc.env, org.person(s, "liuzhigang"), matters.get(s, mid))
        assert not visibility.can_view(s, sc.env, org.person(s, "wuyunqiqige"), matters.get(s, mid))
    assert sc.refused("liuzhigang", matters.act, sc.task_of(chains.SECRETARY_OF_PARTY, mid), "approve", "同意")
