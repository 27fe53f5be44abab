"""事项 in the web UI: file a matter from the workflow's fields, read its page, act on it as the engine allows.

Each test drives the pages the way a browser does — it reads the forms the page offers (so a button
the page does not show cannot be pressed) — and then checks the database, on SQLite and PostgreSQL.
"""

import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from quorum.db import (
    Attachment,
    AuditEvent,
    Delegation,
    Matter,
    MatterStep,
    Opinion,
    SupervisionItem,
    Task,
)
from quorum.services import matters, meetings
from tests.helpers import all_agree, pass_gate_and_reviews, schedule, start
from tests.helpers import submit as submit_matter
from tests.webui.conftest import business_events, login, post

SECRETARY, CLERK = "gaowenjing", "sarengaowa"          # 党政办主任 / 科员
LEGAL, RISK, FINANCE = "zhouming", "tuya", "yangxiaodong"
HR, DISCIPLINE, PRESIDENT = "alatan", "sunlixin", "eerdun"
MEMBER, STAFF = "menghe", "wuhaiyan"                    # 成员单位党支部书记 / 职工代表: no part in these matters

REMOTE_CENTRE = {"field_category": "project", "field_unit": "general_hospital", "field_amount": "860,000",
                 "field_budgeted": "true", "field_staff_interest": "false",
                 "field_summary": "拟在总医院建设医共体远程会诊中心，连通六家成员单位，实现远程会诊、影像和心电诊断。",
                 "field_options_compared": "方案一：自建机房与平台（86万元）；方案二：租用云平台（年租金31万元）。"}


# --------------------------------------------------------------------------------------------
# a tiny browser: the forms a page offers, submitted as they are filled in


class Form:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.action, self.testid = attrs.get("action", ""), attrs.get("data-testid", "")
        self.fields: dict[str, list[str]] = {}
        self.buttons: dict[str, tuple[str, str]] = {}       # text -> (name, value)

    def add(self, name: str | None, value: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(value)

    def data(self, button: str | None = None, **changes) -> dict:
        data = {k: (v if len(v) > 1 else v[0]) for k, v in self.fields.items()}
        data.update(changes)
        if button is not None:
            assert button in self.buttons, f"the page offers no 「{button}」 button, only {list(self.buttons)}"
            name, value = self.buttons[button]
            if name:
                data[name] = value
        return data


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, bool, list[str], list[str]] | None = None
        self.text: tuple[str, str, list[str]] | None = None     # (kind, name or value, chunks)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.form.add(a.get("name"), a.get("value", ""))
        elif tag == "select":
            self.select = (a.get("name", ""), "multiple" in a, [], [])
        elif tag == "option" and self.select is not None:
            self.select[2].append(a.get("value", ""))
            if "selected" in a:
                self.select[3].append(a.get("value", ""))
        elif tag == "textarea":
            self.text = ("textarea", a.get("name", ""), [])
        elif tag == "button":
            self.text = ("button", f"{a.get('name', '')}\0{a.get('value', '')}", [])

    def handle_data(self, data):
        if self.text is not None:
            self.text[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, multiple, options, chosen = self.select
            for value in chosen or ([] if multiple or not options else [options[0]]):
                self.form.add(name, value)
            self.select = None
        elif tag in ("textarea", "button") and self.text is not None and self.form is not None:
            kind, ref, chunks = self.text
            if kind == "textarea":
                self.form.add(ref, "".join(chunks).removeprefix("\n"))
            else:
                name, value = ref.split("\0")
                self.form.buttons["".join(chunks).strip()] = (name, value)
            self.text = None


def forms(html: str) -> dict[str, Form]:
    parser = _Parser()
    parser.feed(html)
    return {f.testid: f for f in parser.forms if f.testid}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def press(client, path: str, testid: str, button: str | None = None, **changes):
    """Open a page, fill in the form with data-testid, press a button (by its text) and submit."""
    form = forms(page(client, path))[testid]
    return client.post(form.action, data=form.data(button, **changes))


def user(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


# --------------------------------------------------------------------------------------------
# the database, before and after


def snapshot(sc) -> dict:
    with sc.sessions.begin() as s:
        counts = {model.__name__: s.execute(select(func.count()).select_from(model)).scalar_one()
                  for model in (Matter, Attachment, Delegation, Opinion, SupervisionItem, Task)}
        counts["AuditEvent"] = business_events(s)
        counts["open_tasks"] = s.execute(select(func.count()).select_from(Task).where(Task.status == "open")
                                         ).scalar_one()
        counts["urgent"] = s.execute(select(func.count()).select_from(Matter).where(Matter.urgent.is_(True))
                                     ).scalar_one()
        counts["active_delegations"] = s.execute(select(func.count()).select_from(Delegation)
                                                 .where(Delegation.active.is_(True))).scalar_one()
    return counts


def stored_files(app) -> list[str]:
    folder = app.extensions["quorum"].settings.data_dir / "files" / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def matter_row(sc, matter_id: int) -> Matter:
    with sc.sessions.begin() as s:
        row = s.get(Matter, matter_id)
        s.expunge(row)
        return row


def current_step(sc, matter_id: int) -> str:
    return matter_row(sc, matter_id).current_step


def only_matter_id(sc) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(Matter.id)).scalar_one()


# --------------------------------------------------------------------------------------------
# filing a matter


def test_secretariat_files_a_matter_with_attachments_through_the_generated_form(app, sc):
    client = user(app, SECRETARY)
    listing = page(client, "/matters")
    assert 'data-testid="file-choose"' in listing and "申报事项" in listing    # she files two workflows: a picker
    picker = page(client, "/matters/new")
    assert 'data-testid="file-major_matter"' in picker and 'data-testid="file-committee_matter"' in picker

    html = page(client, "/matters/new?workflow=major_matter")
    assert 'inputmode="decimal"' in html and 'name="field_amount"' in html          # money
    assert 'type="radio" name="field_budgeted" value="true"' in html and "否</label>" in html   # bool 是/否
    assert '<option value="funds">大额资金使用</option>' in html                     # choice with labels
    assert '<option value="general_hospital">二连浩特市总医院</option>' in html       # units from the DB
    assert "涉及资金的填写合同或项目总额（元），不按单笔支付拆分" in html                # field help
    assert html.count('class="req"') >= 4 and 'type="file" multiple' in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html

    before = snapshot(sc)
    form = forms(html)["matter-form"]
    data = form.data(title="关于建设医共体远程会诊中心的议题", **REMOTE_CENTRE)
    plan, contract = "远程会诊中心建设方案.pdf".encode() + b"%PDF-1.7 plan", b"PK\x03\x04 contract text"
    data["attachments"] = [(io.BytesIO(plan), "远程会诊中心建设方案.pdf", "application/pdf"),
                           (io.BytesIO(contract), "../../etc/采购合同（草案）.docx")]
    response = client.post(form.action, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    mid = only_matter_id(sc)
    assert response.headers["Location"].endswith(f"/matters/{mid}")

    row = matter_row(sc, mid)
    assert row.title == "关于建设医共体远程会诊中心的议题" and row.category == "project"
    assert row.fields["amount"] == "860000" and row.fields["budgeted"] is True
    assert row.fields["staff_interest"] is False and row.current_step == "pre_review"
    assert any("金额 860,000 元 ≥ 200,000 元" in line for line in row.route)
    after = snapshot(sc)
    assert after["Matter"] == before["Matter"] + 1 and after["Attachment"] == before["Attachment"] + 2
    with sc.sessions.begin() as s:
        rows = s.execute(select(Attachment).where(Attachment.matter_id == mid).order_by(Attachment.id)).scalars().all()
        names = [a.filename for a in rows]
        ids = [a.id for a in rows]
        kinds = s.execute(select(AuditEvent.kind).where(AuditEvent.matter_id == mid)).scalars().all()
    assert names == ["远程会诊中心建设方案.pdf", "采购合同（草案）.docx"]      # only the base name is kept
    assert kinds.count("attachment.added") == 2
    assert len(stored_files(app)) == 2

    shown = client.get(response.headers["Location"])
    text = shown.get_data(as_text=True)
    assert "已申报事项：关于建设医共体远程会诊中心的议题（附件2个）" in text
    assert "远程会诊中心建设方案.pdf" in text and "上传附件" in text
    download = client.get(f"/matters/{mid}/attachments/{ids[0]}")
    assert download.status_code == 200 and download.data == plan
    assert "attachment" in download.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert client.get(f"/matters/{mid}/attachments/{ids[1]}").data == contract


def test_a_validation_error_keeps_every_value_and_says_what_is_wrong(app, sc):
    client = user(app, SECRETARY)
    before = snapshot(sc)
    form = forms(page(client, "/matters/new?workflow=major_matter"))["matter-form"]
    bad = form.data(title="关于购置64排CT的议题", **{**REMOTE_CENTRE, "field_category": "funds",
                                                  "field_amount": "三百万元"})
    response = client.post(form.action, data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "「金额」的值「三百万元」无效。请填写不带单位的金额（元），最多两位小数" in html
    refill = forms(html)["matter-form"].fields
    assert refill["title"] == ["关于购置64排CT的议题"] and refill["field_amount"] == ["三百万元"]
    assert refill["field_category"] == ["funds"] and refill["field_unit"] == ["general_hospital"]
    assert refill["field_budgeted"] == ["true"] and refill["field_summary"] == [REMOTE_CENTRE["field_summary"]]

    missing = client.post(form.action, data={**bad, "field_amount": "3000000", "field_summary": ""})
    assert missing.status_code == 422 and "「议题内容及方案」为必填项" in missing.get_data(as_text=True)
    untitled = client.post(form.action, data={**bad, "field_amount": "3000000", "title": " "})
    assert untitled.status_code == 422 and "「议题名称」为必填项" in untitled.get_data(as_text=True)
    empty_file = client.post(form.action, content_type="multipart/form-data", data={
        **bad, "field_amount": "3000000", "attachments": [(io.BytesIO(b""), "设备参数.xlsx")]})
    assert empty_file.status_code == 422
    assert "附件「设备参数.xlsx」是空文件" in empty_file.get_data(as_text=True)
    assert snapshot(sc) == before and stored_files(app) == []


def test_only_initiators_may_open_or_post_the_form(app, sc, client):
    before = snapshot(sc)
    anonymous = post(client, "/matters/new?workflow=major_matter",
                     {"title": "关于调整绩效方案的议题", **REMOTE_CENTRE}, page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/matters").status_code == 302 and client.get("/matters/new").status_code == 302

    member = user(app, MEMBER)
    assert "申报事项" not in page(member, "/matters")
    assert member.get("/matters/new?workflow=major_matter").status_code == 403
    assert member.get("/matters/new").status_code == 403
    refused = post(member, "/matters/new?workflow=major_matter", {
        "title": "关于蒙医中医医院购置设备的议题", **REMOTE_CENTRE,
        "attachments": [(io.BytesIO(b"quote"), "报价单.pdf")]}, content_type="multipart/form-data")
    assert refused.status_code == 403
    assert "只有" in refused.get_data(as_text=True) and "可以申报「三重一大事项集体决策」" in refused.get_data(as_text=True)
    assert snapshot(sc) == before and stored_files(app) == []


# --------------------------------------------------------------------------------------------
# the matter page


def test_the_page_explains_the_route_and_offers_only_the_actions_the_engine_allows(app, sc):
    mid = submit_matter(sc, "关于建设医共体远程会诊中心的议题", amount="860000")
    counsel = user(app, LEGAL)
    html = page(counsel, f"/matters/{mid}")
    assert "金额 860,000 元 ≥ 200,000 元，须提交党委会集体决策" in html
    assert "议题内容及方案" in html and "860,000 元" in html and "重大项目安排" in html
    assert "时限 2026-11-16" in html                          # 前置程序: 10 working days
    task_id = sc.task_of(LEGAL, mid, "legality")
    offered = forms(html)
    assert set(offered) >= {f"decide-{task_id}"}
    assert list(offered[f"decide-{task_id}"].buttons) == ["同意", "不同意", "退回"]
    assert offered[f"decide-{task_id}"].fields["return_to"] == ["proposal"]
    assert not any(k.startswith(("resubmit-", "record-", "withdraw-")) for k in offered)

    other = page(user(app, MEMBER), f"/matters/{mid}")
    assert "金额 860,000 元 ≥ 200,000 元" in other
    assert not [k for k in forms(other) if k != "urgent-form"] and 'name="action"' not in other

    # The initiator has no review to approve on her own matter, only her share of the 征求意见 (which
    # she may also hand on), and — nobody else having acted yet — she may still withdraw it.
    consultation = sc.task_of(SECRETARY, mid, 'consultation')
    mine = forms(page(user(app, SECRETARY), f"/matters/{mid}"))
    assert set(mine) == {f"decide-{consultation}", f"transfer-{consultation}", "withdraw-form",
                         f"comment-{consultation}", f"signer-{consultation}", "copy-form"}


def test_acting_through_the_page_advances_the_matter(app, sc):
    mid = submit_matter(sc, "关于建设医共体远程会诊中心的议题")
    opinions = {LEGAL: "经审查，采购程序及合同文本符合《政府采购法》。", RISK: "数据安全风险可控。",
                CLERK: "已征求六家成员单位意见，均表示同意。", FINANCE: "资金已列入2026年预算。"}
    for username, comment in opinions.items():
        client = user(app, username)
        task_id = sc.task_of(username, mid)
        response = press(client, f"/matters/{mid}", f"decide-{task_id}", "同意", comment=comment)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/matters/{mid}")
    assert current_step(sc, mid) == "leader_review"

    vp = sc.holder("vice_president", 0)
    press(user(app, vp), f"/matters/{mid}", f"decide-{sc.task_of(vp, mid)}", "同意", comment="同意提交院长办公会研究。")
    assert current_step(sc, mid) == "principal_review"
    html = page(user(app, MEMBER), f"/matters/{mid}")
    assert "经审查，采购程序及合同文本符合《政府采购法》。" in html and "合法性审查意见" in html
    assert "同意提交院长办公会研究。" in html and "办理待办" in html

    # A stale form: the 法律顾问's task is done, so the engine refuses and nothing changes.
    before = snapshot(sc)
    stale = post(user(app, LEGAL), "/tasks/1/act", {"action": "approve", "comment": "再次同意"})
    assert stale.status_code == 302 and snapshot(sc) == before


def test_returned_matter_is_resubmitted_with_changed_fields(app, sc):
    mid = submit_matter(sc, "关于购置64排CT的议题", category="funds", amount="860000")
    counsel = user(app, LEGAL)
    no_reason = press(counsel, f"/matters/{mid}", f"decide-{sc.task_of(LEGAL, mid)}", "退回")
    assert no_reason.status_code == 422 and current_step(sc, mid) == "pre_review"      # refused: 须填写理由
    assert "须填写理由" in no_reason.get_data(as_text=True)
    press(counsel, f"/matters/{mid}", f"decide-{sc.task_of(LEGAL, mid)}", "退回",
          comment="采购金额拆分不清，请按合同总额重新申报。")
    assert current_step(sc, mid) == "proposal"

    secretary = user(app, SECRETARY)
    task_id = sc.task_of(SECRETARY, mid)
    offered = forms(page(secretary, f"/matters/{mid}"))
    assert set(offered) == {f"resubmit-{task_id}", f"withdraw-{task_id}", f"comment-{task_id}", "copy-form"}
    assert offered[f"resubmit-{task_id}"].fields["field_amount"] == ["860000"]
    assert offered[f"resubmit-{task_id}"].fields["field_budgeted"] == ["true"]

    before = snapshot(sc)
    bad = press(secretary, f"/matters/{mid}", f"resubmit-{task_id}", "重新申报", field_amount="十五万")
    assert bad.status_code == 422 and "「金额」的值「十五万」无效" in bad.get_data(as_text=True)
    assert forms(bad.get_data(as_text=True))[f"resubmit-{task_id}"].fields["field_amount"] == ["十五万"]
    assert snapshot(sc) == before

    done = press(secretary, f"/matters/{mid}", f"resubmit-{task_id}", "重新申报", field_amount="150,000",
                 comment="已按合同总额15万元重新申报。")
    assert done.status_code == 302
    row = matter_row(sc, mid)
    assert row.fields["amount"] == "150000" and row.current_step == "pre_review"
    with sc.sessions.begin() as s:
        party = s.execute(select(MatterStep).where(MatterStep.matter_id == mid,
                                                   MatterStep.step_key == "party_committee")).scalar_one()
        assert party.status == "skipped"                       # under 200,000 元 and within budget
    html = page(secretary, f"/matters/{mid}")
    assert "第2轮" in html and "采购金额拆分不清，请按合同总额重新申报。" in html and "重新申报" in html


def test_resubmit_route_refuses_others_and_anonymous(app, sc, client):
    mid = submit_matter(sc, "关于购置64排CT的议题", category="funds")
    sc.do(LEGAL, matters.act, sc.task_of(LEGAL, mid), "return", "请补充论证报告。", return_to_step="proposal")
    task_id = sc.task_of(SECRETARY, mid)
    path = f"/matters/{mid}/tasks/{task_id}/resubmit"
    before = snapshot(sc)
    anonymous = post(client, path, {"field_amount": "1"}, page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert post(user(app, CLERK), path, {"field_amount": "1", "comment": "代为申报"}).status_code == 403
    assert post(user(app, SECRETARY), f"/matters/{mid + 1}/tasks/{task_id}/resubmit", {}).status_code == 404
    assert snapshot(sc) == before and matter_row(sc, mid).fields["amount"] == "860000"


def _to_record_step(sc) -> int:
    """A 大额资金 matter of 15万元 within budget: 前置程序, reviews, 院长办公会 — then 纪要."""
    mid = submit_matter(sc, "关于购置数字化X线摄影系统的议题", category="funds", amount="150000")
    pass_gate_and_reviews(sc, mid)
    office = schedule(sc, "president_office", [mid])
    people = start(sc, office)
    all_agree(sc, office, people)
    sc.do(SECRETARY, meetings.close_item, office, 1)
    sc.do(SECRETARY, meetings.close, office)
    assert current_step(sc, mid) == "record"
    return mid


def test_secretariat_records_the_decision_with_supervision_items(app, sc):
    mid = _to_record_step(sc)
    app.extensions["quorum"].fixed_now = sc.env.now
    secretary = user(app, SECRETARY)
    task_id = sc.task_of(SECRETARY, mid)
    form = forms(page(secretary, f"/matters/{mid}"))[f"record-{task_id}"]
    assert list(form.buttons) == ["形成纪要/决定"]

    before = snapshot(sc)
    summary = "会议同意购置数字化X线摄影系统，预算15万元，由总医院设备科牵头采购。"
    no_lead = client_post = secretary.post(form.action, data=form.data(**{
        "summary": summary, "item-0-title": "完成DR设备政府采购"}))
    assert no_lead.status_code == 422 and "督办事项「完成DR设备政府采购」须选择牵头单位" in no_lead.get_data(as_text=True)
    assert forms(client_post.get_data(as_text=True))[f"record-{task_id}"].fields["item-0-title"] == ["完成DR设备政府采购"]
    no_summary = secretary.post(form.action, data=form.data(summary=""))
    assert no_summary.status_code == 422 and "请填写会议决定（纪要）摘要" in no_summary.get_data(as_text=True)
    assert snapshot(sc) == before

    response = secretary.post(form.action, data=form.data(**{
        "summary": summary,
        "item-0-title": "完成DR设备政府采购", "item-0-lead": "general_hospital", "item-0-co": ["finance_bureau"],
        "item-0-due_days": "20",
        "item-1-title": "完成设备安装验收并投入使用", "item-1-lead": "general_hospital",
        "item-1-co": ["mongolian_tcm_hospital", "general_hospital"], "item-1-due_date": "2027-03-31"}))
    assert response.status_code == 302
    assert current_step(sc, mid) == "supervision"
    with sc.sessions.begin() as s:
        items = s.execute(select(SupervisionItem).where(SupervisionItem.matter_id == mid)
                          .order_by(SupervisionItem.id)).scalars().all()
        shape = [(i.title, len(i.co_unit_ids), i.due_date.isoformat()) for i in items]
        decision = s.get(Matter, mid).decision
    assert shape[0][:2] == ("完成DR设备政府采购", 1)
    assert shape[1] == ("完成设备安装验收并投入使用", 1, "2027-03-31")    # the lead is not its own co-unit
    assert decision["record"] == summary
    html = page(secretary, f"/matters/{mid}")
    assert summary in html and "完成DR设备政府采购" in html and "配合：二连浩特市财政局" in html


def test_record_route_refuses_others_and_anonymous(app, sc, client):
    mid = _to_record_step(sc)
    app.extensions["quorum"].fixed_now = sc.env.now
    path = f"/matters/{mid}/tasks/{sc.task_of(SECRETARY, mid)}/record"
    data = {"summary": "同意。", "item-0-title": "采购", "item-0-lead": "general_hospital", "item-0-due_days": "5"}
    before = snapshot(sc)
    anonymous = post(client, path, data, page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert post(user(app, LEGAL), path, data).status_code == 403
    assert snapshot(sc) == before and current_step(sc, mid) == "record"


def test_president_marks_a_matter_urgent_and_others_cannot(app, sc, client):
    mid = submit_matter(sc, "关于应对突发公共卫生事件采购防护物资的议题", category="funds", amount="480000")
    path = f"/matters/{mid}/urgent"
    before = snapshot(sc)
    anonymous = post(client, path, {"reason": "疫情防控"}, page="/login")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    staff = user(app, STAFF)
    assert "urgent-form" not in forms(page(staff, f"/matters/{mid}"))
    refused = post(staff, path, {"reason": "疫情防控物资告急"})
    assert refused.status_code == 403 and "只有将审议该议题的会议机构的主要负责人可以将议题标记为紧急议题" in refused.get_data(as_text=True)
    president = user(app, PRESIDENT)
    assert press(president, f"/matters/{mid}", "urgent-form", "标记为紧急议题").status_code == 302
    assert snapshot(sc) == before and not matter_row(sc, mid).urgent          # no reason: refused

    press(president, f"/matters/{mid}", "urgent-form", "标记为紧急议题", reason="上级通知三日内完成物资储备")
    assert matter_row(sc, mid).urgent
    html = page(president, f"/matters/{mid}")
    assert "紧急议题" in html and "上级通知三日内完成物资储备" in html and "urgent-form" not in forms(html)


# --------------------------------------------------------------------------------------------
# personnel matters are restricted


@pytest.fixture
def appointment(app, sc) -> tuple[int, int]:
    """A 干部任免 matter filed by the 人力资源管理中心主任 with the candidate's 考察材料."""
    hr = user(app, HR)
    form = forms(page(hr, "/matters/new?workflow=major_matter"))["matter-form"]
    data = form.data(title="关于推荐乌兰社区卫生服务中心副主任人选的议题", **{
        **REMOTE_CENTRE, "field_category": "appointment", "field_unit": "wulan_chc", "field_amount": "",
        "field_summary": "经民主推荐和考察，拟推荐某同志任乌兰社区卫生服务中心副主任。"})
    data["attachments"] = [(io.BytesIO("干部考察材料".encode()), "干部考察材料.docx")]
    assert hr.post(form.action, data=data, content_type="multipart/form-data").status_code == 302
    mid = only_matter_id(sc)
    with sc.sessions.begin() as s:
        attachment_id = s.execute(select(Attachment.id).where(Attachment.matter_id == mid)).scalar_one()
    assert matter_row(sc, mid).personnel
    return mid, attachment_id


def test_a_personnel_matter_is_hidden_from_people_with_no_part_in_it(app, sc, appointment, client):
    mid, attachment_id = appointment
    title = "关于推荐乌兰社区卫生服务中心副主任人选的议题"
    assert client.get(f"/matters/{mid}").status_code == 302
    assert client.get(f"/matters/{mid}/attachments/{attachment_id}").status_code == 302
    for outsider in (MEMBER, PRESIDENT):
        browser = user(app, outsider)
        assert title not in page(browser, "/matters")
        refused = browser.get(f"/matters/{mid}")
        assert refused.status_code == 403 and "人事事项仅限" in refused.get_data(as_text=True)
        assert browser.get(f"/matters/{mid}/attachments/{attachment_id}").status_code == 403
    for insider in (HR, LEGAL, DISCIPLINE, CLERK):          # initiator, gate task holders, 党政办
        browser = user(app, insider)
        assert title in page(browser, "/matters") and title in page(browser, f"/matters/{mid}")
        assert browser.get(f"/matters/{mid}/attachments/{attachment_id}").data == "干部考察材料".encode()
    assert user(app, LEGAL).get(f"/matters/{mid + 1}/attachments/{attachment_id}").status_code == 404


def test_the_list_filters_and_shows_newest_first(app, sc):
    first = submit_matter(sc, "关于建设医共体远程会诊中心的议题")
    second = submit_matter(sc, "关于购置64排CT的议题", category="funds", amount="300000")
    with sc.sessions.begin() as s:
        s.get(Matter, second).created_at = sc.env.later(hours=2).now
    browser = user(app, MEMBER)
    html = page(browser, "/matters")
    assert html.index(f'data-testid="matter-{second}"') < html.index(f'data-testid="matter-{first}"')
    assert "当前环节：前置程序" in html and "二连浩特市总医院" in html and "三重一大事项集体决策" in html
    funds = page(browser, "/matters?category=funds")
    assert f'data-testid="matter-{second}"' in funds and f'data-testid="matter-{first}"' not in funds
    assert f'data-testid="matter-{first}"' not in page(browser, "/matters?status=closed")
    assert f'data-testid="matter-{first}"' in page(browser, "/matters?workflow=major_matter&status=active")
