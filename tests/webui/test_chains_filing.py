"""Filing every workflow through the generated form: person and people selects, defaults pre-filled,
system flags and amounts never on the form but shown on the matter page, 拆分规避 flagged — on SQLite
and PostgreSQL.
"""

import pytest
from sqlalchemy import select

from quorum.db import Matter, MatterFlag
from tests.webui.test_matters import current_step, forms, matter_row, page, snapshot, user

FILINGS = {
    "major_matter": ("gaowenjing", "关于建设医共体远程会诊中心的议题", {
        "field_category": "project", "field_unit": "general_hospital", "field_amount": "860000",
        "field_summary": "连通六家成员单位的远程会诊中心。", "field_options_compared": "自建与租用云平台两方案比较。"},
        "pre_review"),
    "expenditure": ("zhanghua", "乌兰社区中心购置门诊办公电脑", {
        "field_unit": "wulan_chc", "field_purpose": "办公设备购置", "field_vendor": "二连浩特市恒信科技有限公司",
        "field_amount": "30,000", "field_summary": "更新门诊诊室办公电脑10台，询价采购。"}, "member_head_approval"),
    "appointment": ("alatan", "关于提名那仁任乌兰社区卫生服务中心副主任的议题", {
        "field_post": "副主任", "field_unit": "wulan_chc", "field_candidate": "naren",
        "field_relatives": ["", "temuer", "zhanghua"], "field_summary": "班子缺副主任一名，经分析研判拟从中层选拔。"},
        "motion_approval"),
    "executive_president": ("alatan", "关于委派乌兰社区卫生服务中心执行院长的议题", {
        "field_unit": "wulan_chc", "field_candidate": "liuzhigang", "field_summary": "加强总医院对社区中心的管理。"},
        "party_committee"),
    "performance_plan": ("alatan", "关于2027年度医共体绩效工资分配方案的议题", {
        "field_year": "2027", "field_total_pot": "12800000", "field_summary": "按岗位、工作量和服务质量分配。"},
        "member_agreement"),
    "member_performance_plan": ("lichunyan", "乌兰社区中心2027年度绩效考核与分配方案", {
        "field_unit": "wulan_chc", "field_year": "2027", "field_summary": "向公共卫生和家庭医生签约倾斜。"},
        "member_leadership"),
    "emergency": ("bater", "关于暴雪天气紧急转运危重患者的临机处置", {
        "field_body": "party_committee", "field_unit": "general_hospital", "field_occurred_on": "2026-10-30",
        "field_situation": "暴雪封路，格日乐卫生服务站两名危重患者须立即转运。",
        "field_why_urgent": "夜间突发，来不及召开党委会。", "field_decision_taken": "调派两台负压救护车并协调交警开道。",
        "field_amount": "18000"}, "ratification"),
    "committee_matter": ("gaowenjing", "关于审议牵头医院2027年收支预算的请示", {
        "field_category": "budget", "field_unit": "general_hospital", "field_amount": "56000000",
        "field_summary": "请管委会审议牵头医院2027年收支预算。"}, "office_review"),
    "recruitment_plan": ("alatan", "关于2027年度医共体公开招聘计划的议题", {
        "field_year": "2027", "field_positions": "36", "field_summary": "临床、护理、公共卫生岗位36个。"},
        "president_office"),
}


def file_through_form(app, sc, workflow: str):
    username, title, values, _first = FILINGS[workflow]
    client = user(app, username)
    assert f'data-testid="file-{workflow}"' in page(client, "/matters/new") or \
        f'data-testid="file-{workflow}"' in page(client, "/matters")
    form = forms(page(client, f"/matters/new?workflow={workflow}"))["matter-form"]
    return client, client.post(form.action, data=form.data(title=title, **values))


@pytest.mark.parametrize("workflow", sorted(FILINGS))
def test_every_workflow_is_filed_through_its_form(app, sc, workflow):
    client, response = file_through_form(app, sc, workflow)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with sc.sessions.begin() as s:
        matter = s.execute(select(Matter)).scalar_one()
        mid, fields = matter.id, dict(matter.fields)
    assert response.headers["Location"].endswith(f"/matters/{mid}")
    assert current_step(sc, mid) == FILINGS[workflow][3]
    html = page(client, f"/matters/{mid}")
    assert FILINGS[workflow][1] in html and "办理路径及依据" in html
    if workflow == "appointment":
        assert fields["candidate"] == "naren" and fields["relatives"] == ["temuer", "zhanghua"]
        assert "那仁" in html and "特木尔、张华" in html and "（naren）" not in html and "（temuer）" not in html
        assert fields["variant"] == "member_head_y2024" and fields["probation"] is True      # defaults kept


def test_the_form_shows_inputs_only_with_defaults_filled_and_system_values_read_only(app, sc):
    client = user(app, "zhanghua")
    html = page(client, "/matters/new?workflow=expenditure")
    form = forms(html)["matter-form"]
    assert "field_routing_amount" not in form.fields and "field_split_suspected" not in form.fields
    assert "审批依据金额" not in html and "疑似拆分规避" not in html
    assert form.fields["field_budgeted"] == ["true"] and form.fields["field_major_project"] == ["false"]

    hr = user(app, "alatan")
    appointment = page(hr, "/matters/new?workflow=appointment")
    fields = forms(appointment)["matter-form"].fields
    assert fields["field_variant"] == ["member_head_y2024"] and fields["field_probation"] == ["true"]
    assert '<select id="f-candidate" name="field_candidate" required>' in appointment
    assert '<option value="naren">那仁（东城社区卫生服务中心党支部书记，医共体党委委员）</option>' in appointment
    assert "（naren）" not in appointment            # a person is chosen by name and post, never by username
    assert 'name="field_relatives" multiple' in appointment
    assert "field_consultation_negative" not in fields and "field_probation_failed" not in fields
    dispatch = forms(page(hr, "/matters/new?workflow=executive_president"))["matter-form"].fields
    assert dispatch["field_post"] == ["执行院长"] and dispatch["field_term"] == ["三年"]

    _client, response = file_through_form(app, sc, "expenditure")
    shown = page(client, response.headers["Location"])
    assert 'data-testid="system-routing_amount">30,000 元' in shown and "（系统判定）" in shown


def test_a_system_flag_cannot_be_posted_and_the_form_comes_back_as_typed(app, sc):
    client = user(app, "zhanghua")
    form = forms(page(client, "/matters/new?workflow=expenditure"))["matter-form"]
    before = snapshot(sc)
    data = form.data(title="乌兰社区中心购置门诊办公电脑", **FILINGS["expenditure"][2], field_routing_amount="1")
    response = client.post(form.action, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "「审批依据金额」由系统设置，不能填写" in html
    assert 'value="二连浩特市恒信科技有限公司"' in html and snapshot(sc) == before


def test_the_nominator_may_not_nominate_himself_and_loses_nothing(app, sc):
    client = user(app, "alatan")
    form = forms(page(client, "/matters/new?workflow=appointment"))["matter-form"]
    before = snapshot(sc)
    values = {**FILINGS["appointment"][2], "field_candidate": "alatan"}
    response = client.post(form.action, data=form.data(title="关于提名阿拉坦的议题", **values))
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "提名人不得为被提名人" in html
    assert 'value="关于提名阿拉坦的议题"' in html and '<option value="temuer" selected>' in html
    assert snapshot(sc) == before


def test_split_requests_are_flagged_on_both_matters_and_in_the_list(app, sc):
    client = user(app, "zhanghua")
    for title in ("乌兰社区中心购置门诊办公电脑（一期）", "乌兰社区中心购置门诊办公电脑（二期）"):
        form = forms(page(client, "/matters/new?workflow=expenditure"))["matter-form"]
        values = {**FILINGS["expenditure"][2], "field_amount": "30000"}
        assert client.post(form.action, data=form.data(title=title, **values)).status_code == 302
    with sc.sessions.begin() as s:
        first, second = s.execute(select(Matter.id).order_by(Matter.id)).scalars().all()
        flagged = set(s.execute(select(MatterFlag.matter_id).where(MatterFlag.kind == "split_evasion")).scalars())
    assert flagged == {first, second}
    assert current_step(sc, second) == "member_leadership"          # the aggregate 60,000 元 decides
    assert matter_row(sc, second).route[0].startswith("拆分规避提示")
    html = page(client, f"/matters/{second}")
    assert 'data-testid="flags"' in html and "累计 60,000 元" in html
    assert html.index('data-testid="flags"') < html.index('data-testid="fields"')
    listing = page(client, "/matters")
    assert f'data-testid="flag-{first}">⚠ 疑似拆分规避' in listing
    assert f'data-testid="flag-{second}">⚠ 疑似拆分规避' in listing
