"""quorum.core.spec: parsing the real policies/, refusing broken copies, coercing field values."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from quorum.core.conditions import AnyOf, Leaf
from quorum.core.errors import InvalidInput, InvalidPolicy
from quorum.core.spec import FieldSpec, Ratio, coerce_fields, coerce_value, parse_policy_set
from quorum.core.steps import EndMatter, ReturnTo

WORKFLOW_FILE = "policies/workflows/major_matter.toml"
BODIES_FILE = "policies/bodies.toml"
ROLES_FILE = "policies/roles.toml"

SUBMISSION = {
    "category": "大额资金使用",
    "unit": "二连浩特市乌兰社区卫生服务中心",
    "amount": "860000",
    "budgeted": "是",
    "staff_interest": "否",
    "summary": "乌兰社区卫生服务中心购置彩色多普勒超声诊断仪一台，纳入年度设备采购预算",
}


def steps_of(raw: dict) -> list[dict]:
    return raw["workflows"]["major_matter"]["steps"]


def step_of(raw: dict, key: str) -> dict:
    return next(s for s in steps_of(raw) if s["key"] == key)


def refused(raw: dict) -> InvalidPolicy:
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(raw)
    assert info.value.key == "invalid_policy"
    return info.value


# --- the real policies ---------------------------------------------------------------------


def test_real_policies_parse(policy_set):
    assert policy_set.label == "2026.1"
    assert policy_set.meta["community"] == "二连浩特市紧密型医共体"
    assert set(policy_set.bodies) == {"party_committee", "president_office", "management_committee", "board",
                                      "staff_congress", "member_leadership"}
    assert set(policy_set.workflows) == {"major_matter", "expenditure", "appointment", "executive_president",
                                         "performance_plan", "member_performance_plan", "emergency",
                                         "committee_matter", "recruitment_plan"}
    assert policy_set.role_name("party_secretary") == "医共体党委书记"
    assert policy_set.role_name("union_chair") == "工会主席"


def test_real_bodies(party_committee, president_office, policy_set):
    assert party_committee.name == "医共体党委会议"
    assert party_committee.short_name == "党委会"
    assert party_committee.chair_role == "party_secretary"
    assert party_committee.acting_chair_roles == ("party_deputy_secretary", "president")
    assert party_committee.quorum == Ratio(Fraction(2, 3), strict=False)
    assert party_committee.personnel_quorum == Ratio(Fraction(2, 3), strict=False)
    assert party_committee.pass_ratio == Ratio(Fraction(1, 2), strict=True)
    assert party_committee.pass_base == "expected"
    assert party_committee.recusal_reduces_base is True
    assert party_committee.min_unconflicted_present == 3
    assert party_committee.vote_options == ("agree", "disagree", "abstain")
    assert party_committee.personnel_vote_options == ("agree", "disagree", "postpone")
    assert president_office.quorum == Ratio(Fraction(1, 2), strict=True)
    assert president_office.personnel_quorum == Ratio(Fraction(2, 3), strict=False)
    assert policy_set.body("staff_congress").chair_speaks_last is False


def test_real_workflow(major_matter):
    assert major_matter.source == WORKFLOW_FILE
    assert major_matter.name == "三重一大事项集体决策"
    assert [s.key for s in major_matter.steps] == [
        "proposal", "pre_review", "leader_review", "principal_review", "president_office", "party_committee",
        "record", "supervision"]
    assert [s.kind for s in major_matter.steps] == [
        "submit", "gate", "review", "review", "meeting", "meeting", "record", "supervise"]
    assert major_matter.thresholds == {"funds_party_committee": Decimal("200000")}
    assert major_matter.personnel_when == Leaf("category", "==", "appointment")
    assert major_matter.field("amount").type == "money"
    assert major_matter.step_index("party_committee") == 5


def test_real_workflow_steps_detail(major_matter):
    leader = major_matter.step("leader_review")
    assert leader.return_target == "proposal"
    assert leader.deadline_working_days == 3
    party = major_matter.step("party_committee")
    assert party.body == "party_committee"
    assert party.on_reject == EndMatter()
    assert party.return_target is None
    assert party.on_postpone == ReturnTo("proposal")
    assert party.reason == "须提交党委会集体决策"
    assert party.when == AnyOf((
        Leaf("category", "in", ("decision", "appointment", "project")),
        Leaf("amount", ">=", Decimal("200000")),
        Leaf("budgeted", "==", False),
    ))
    gate = major_matter.step("pre_review")
    assert [r.key for r in gate.requirements] == [
        "legality", "risk", "consultation", "finance", "staff_congress", "discipline"]
    risk = gate.requirements[1]
    assert isinstance(risk.when, AnyOf)
    assert risk.when.parts[1] == Leaf("amount", ">=", Decimal("200000"))
    principal = major_matter.step("principal_review")
    assert [(r.role, r.when) for r in principal.roles] == [
        ("party_secretary", Leaf("category", "==", "appointment")), ("president", None)]


def test_policy_set_unknown_workflow_and_body(policy_set):
    with pytest.raises(InvalidInput, match="未知的流程「promotion」，可选：.*major_matter"):
        policy_set.workflow("promotion")
    with pytest.raises(InvalidInput, match="未知的议事机构「standing_committee」"):
        policy_set.body("standing_committee")


# --- broken copies -------------------------------------------------------------------------


def test_unknown_step_kind(raw_policies):
    step_of(raw_policies, "leader_review")["kind"] = "approve"
    err = refused(raw_policies)
    assert str(err).startswith(f"规则文件有误（{WORKFLOW_FILE}，步骤 leader_review）：未知的步骤类型「approve」")


def test_condition_on_undeclared_field(raw_policies):
    step_of(raw_policies, "party_committee")["when"] = {"field": "department", "op": "==", "value": "财务科"}
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 party_committee when）：条件引用了未声明的字段「department」"


def test_condition_on_undeclared_field_inside_any(raw_policies):
    when = step_of(raw_policies, "party_committee")["when"]
    when["any"].append({"field": "contract_total", "op": ">=", "value": "1000000"})
    err = refused(raw_policies)
    assert "步骤 party_committee when" in str(err)
    assert "条件引用了未声明的字段「contract_total」" in str(err)


def test_unknown_operator(raw_policies):
    step_of(raw_policies, "president_office")["when"] = {"field": "category", "op": "=~", "value": "funds"}
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 president_office when）" in str(err)
    assert "未知的比较符「=~」" in str(err)


def test_requirement_condition_errors_name_the_requirement(raw_policies):
    gate = step_of(raw_policies, "pre_review")
    gate["requirements"][4]["when"] = {"field": "staff_interest", "op": "yes"}
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 pre_review requirement staff_congress）" in str(err)
    assert "未知的比较符「yes」" in str(err)


def test_unknown_body(raw_policies):
    step_of(raw_policies, "party_committee")["body"] = "standing_committee"
    err = refused(raw_policies)
    assert str(err) == (f"规则文件有误（{WORKFLOW_FILE}，步骤 party_committee）："
                        "meeting 步骤须指定已定义的议事机构 body，「standing_committee」未定义")


def test_unknown_role_on_a_step(raw_policies):
    step_of(raw_policies, "leader_review")["role"] = "dean"
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 leader_review）：未定义的角色「dean」（见 policies/roles.toml）"


def test_unknown_role_in_role_when(raw_policies):
    step_of(raw_policies, "principal_review")["role_when"][0]["role"] = "organisation_minister"
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 principal_review）" in str(err)
    assert "未定义的角色「organisation_minister」" in str(err)


def test_unknown_role_in_a_requirement(raw_policies):
    step_of(raw_policies, "pre_review")["requirements"][0]["role"] = "lawyer"
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 pre_review）" in str(err)
    assert "未定义的角色「lawyer」" in str(err)


def test_unknown_initiator_role(raw_policies):
    raw_policies["workflows"]["major_matter"]["initiator_roles"].append("dean")
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，initiator_roles）：未定义的角色「dean」"


def test_unknown_seat_role_in_a_body(raw_policies):
    raw_policies["bodies"]["bodies"]["party_committee"]["seat_roles"].append("discipline_secretary")
    err = refused(raw_policies)
    assert f"（{BODIES_FILE}，议事机构 party_committee）" in str(err)
    assert "未定义的角色「discipline_secretary」" in str(err)


def test_ratio_without_comparison_sign(raw_policies):
    raw_policies["bodies"]["bodies"]["party_committee"]["quorum"] = "2/3"
    err = refused(raw_policies)
    assert str(err) == (f"规则文件有误（{BODIES_FILE}，议事机构 party_committee quorum）："
                        "比例「2/3」应写作 \">1/2\"（超过）或 \">=2/3\"（不少于）")


@pytest.mark.parametrize(
    ("text", "reason"),
    [(">=two thirds", "比例「>=two thirds」不是有效分数"),
     (">1/0", "比例「>1/0」不是有效分数"),
     (">=3/2", "比例「>=3/2」须在 0 与 1 之间"),
     (">0", "比例「>0」须在 0 与 1 之间")],
)
def test_bad_ratio_values(raw_policies, text, reason):
    raw_policies["bodies"]["bodies"]["president_office"]["personnel_quorum"] = text
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{BODIES_FILE}，议事机构 president_office personnel_quorum）：{reason}"


def test_unknown_vote_option(raw_policies):
    raw_policies["bodies"]["bodies"]["party_committee"]["vote_options"] = ["agree", "disagree", "veto"]
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{BODIES_FILE}，议事机构 party_committee）：未知的表决选项「veto」"


def test_bad_pass_base(raw_policies):
    raw_policies["bodies"]["bodies"]["board"]["pass_base"] = "members"
    err = refused(raw_policies)
    assert f"（{BODIES_FILE}，议事机构 board）" in str(err)
    assert "pass_base 只能是 expected（应到会）或 present（实到会）" in str(err)


def test_on_reject_pointing_at_a_later_step(raw_policies):
    step_of(raw_policies, "leader_review")["on_reject"] = "return:party_committee"
    err = refused(raw_policies)
    assert str(err) == (f"规则文件有误（{WORKFLOW_FILE}，步骤 leader_review）："
                        "「return:party_committee」无效：应为 end 或 return:<此前的步骤 key>")


def test_on_reject_pointing_at_itself(raw_policies):
    step_of(raw_policies, "principal_review")["on_reject"] = "return:principal_review"
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 principal_review）" in str(err)
    assert "「return:principal_review」无效" in str(err)


def test_on_reject_to_an_unknown_step_or_word(raw_policies):
    step_of(raw_policies, "leader_review")["on_reject"] = "restart"
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 leader_review）：「restart」无效" in str(err)


def test_on_postpone_pointing_at_a_later_step(raw_policies):
    step_of(raw_policies, "president_office")["on_postpone"] = "return:record"
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 president_office）：「return:record」无效" in str(err)


def test_first_step_must_be_submit(raw_policies):
    del steps_of(raw_policies)[0]
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}）：流程的第一个步骤必须是 submit（申报）"


def test_duplicate_step_key(raw_policies):
    step_of(raw_policies, "record")["key"] = "leader_review"
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 leader_review）：步骤 key 重复"


def test_missing_threshold_name(raw_policies):
    when = step_of(raw_policies, "party_committee")["when"]
    when["any"][1]["threshold"] = "funds_board"
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 party_committee when）：未定义的阈值「funds_board」"


def test_thresholds_table_removed(raw_policies):
    del raw_policies["workflows"]["major_matter"]["thresholds"]
    err = refused(raw_policies)
    # the first use of the threshold is the 风险评估 requirement of the 前置程序
    assert str(err) == (f"规则文件有误（{WORKFLOW_FILE}，步骤 pre_review requirement risk）："
                        "未定义的阈值「funds_party_committee」")


def test_threshold_written_as_a_float(raw_policies):
    raw_policies["workflows"]["major_matter"]["thresholds"]["funds_party_committee"] = 200000.0
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，阈值 funds_party_committee）" in str(err)
    assert "「200000.0」不是有效金额（请写成字符串，如 \"200000\"）" in str(err)


def test_condition_value_of_the_wrong_type(raw_policies):
    step_of(raw_policies, "party_committee")["when"] = {"field": "amount", "op": ">=", "value": "二十万"}
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 party_committee when）" in str(err)
    assert "「金额」的值「二十万」无效" in str(err)


def test_condition_choice_value_not_declared(raw_policies):
    step_of(raw_policies, "president_office")["when"] = {"field": "category", "op": "!=", "value": "personnel"}
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 president_office when）" in str(err)
    assert "「事项类别」的值「personnel」无效" in str(err)


def test_in_needs_a_list(raw_policies):
    step_of(raw_policies, "pre_review")["requirements"][3]["when"] = {
        "field": "category", "op": "in", "value": "funds"}
    err = refused(raw_policies)
    assert f"（{WORKFLOW_FILE}，步骤 pre_review requirement finance）：in 的 value 须为列表" in str(err)


def test_review_step_without_role(raw_policies):
    del step_of(raw_policies, "leader_review")["role"]
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 leader_review）：review 步骤须指定 role"


def test_gate_without_requirements(raw_policies):
    del step_of(raw_policies, "pre_review")["requirements"]
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 pre_review）：gate 步骤须列出 requirements"


def test_negative_deadline(raw_policies):
    step_of(raw_policies, "record")["deadline_working_days"] = -3
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，步骤 record）：「deadline_working_days」须为不小于0的整数"


def test_choice_field_without_choices(raw_policies):
    raw_policies["workflows"]["major_matter"]["fields"][0]["choices"] = {}
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{WORKFLOW_FILE}，字段 category）：choice 类型字段须给出 choices"


def test_role_without_name(raw_policies):
    raw_policies["roles"]["roles"]["secretariat"] = {"title": "党政办公室"}
    err = refused(raw_policies)
    assert str(err) == f"规则文件有误（{ROLES_FILE}，角色 secretariat）：须给出 name"


# --- field values --------------------------------------------------------------------------


def test_coerce_fields_realistic_submission(major_matter):
    values = coerce_fields(major_matter, SUBMISSION)
    assert values == {
        "category": "funds",
        "unit": "二连浩特市乌兰社区卫生服务中心",
        "amount": Decimal("860000"),
        "budgeted": True,
        "staff_interest": False,
        "summary": "乌兰社区卫生服务中心购置彩色多普勒超声诊断仪一台，纳入年度设备采购预算",
        "options_compared": None,
    }
    assert isinstance(values["amount"], Decimal)


def test_money_with_commas(major_matter):
    values = coerce_fields(major_matter, {**SUBMISSION, "amount": "1,200,000"})
    assert values["amount"] == Decimal("1200000")


def test_money_with_two_decimals_is_kept_exactly(major_matter):
    assert coerce_value(major_matter.field("amount"), "199999.99") == Decimal("199999.99")


@pytest.mark.parametrize("raw", ["860000.005", "-5000", "86万", "八十六万", 860000.5])
def test_bad_money_is_refused(major_matter, raw):
    with pytest.raises(InvalidInput) as info:
        coerce_fields(major_matter, {**SUBMISSION, "amount": raw})
    assert str(info.value) == f"输入有误：「金额」的值「{raw}」无效。请填写不带单位的金额（元），最多两位小数"


@pytest.mark.parametrize("raw", ["Infinity", "-Infinity", "NaN"])
def test_non_finite_money_is_refused_in_words(major_matter, raw):
    """coerce_value promises InvalidInput in Chinese for any bad value, not a Python error."""
    with pytest.raises(InvalidInput) as info:
        coerce_value(major_matter.field("amount"), raw)
    assert "「金额」的值" in str(info.value)


@pytest.mark.parametrize("raw", ["大额资金使用", "funds"])
def test_choice_by_label_or_key(major_matter, raw):
    assert coerce_fields(major_matter, {**SUBMISSION, "category": raw})["category"] == "funds"


def test_unknown_choice_lists_the_labels(major_matter):
    with pytest.raises(InvalidInput) as info:
        coerce_fields(major_matter, {**SUBMISSION, "category": "设备采购"})
    assert str(info.value) == ("输入有误：「事项类别」的值「设备采购」无效。"
                               "可选：重大事项决策、重要干部任免、重大项目安排、大额资金使用")


@pytest.mark.parametrize(("raw", "expected"), [("是", True), ("否", False), ("yes", True), ("0", False),
                                               (True, True), (False, False)])
def test_bool_words(major_matter, raw, expected):
    assert coerce_value(major_matter.field("budgeted"), raw) is expected


def test_bad_bool_word(major_matter):
    with pytest.raises(InvalidInput) as info:
        coerce_value(major_matter.field("staff_interest"), "不确定")
    assert str(info.value) == "输入有误：「涉及职工切身利益」的值「不确定」无效。请填写 是/否"


def test_blank_optional_values_become_none(major_matter):
    values = coerce_fields(major_matter, {**SUBMISSION, "amount": "  ", "budgeted": ""})
    assert values["amount"] is None
    assert values["budgeted"] is None


@pytest.mark.parametrize(("key", "label"), [("summary", "议题内容及方案"), ("unit", "提出单位"),
                                            ("category", "事项类别")])
def test_required_field_missing(major_matter, key, label):
    submission = dict(SUBMISSION)
    del submission[key]
    with pytest.raises(InvalidInput) as info:
        coerce_fields(major_matter, submission)
    assert str(info.value) == f"输入有误：「{label}」为必填项"


def test_required_field_blank(major_matter):
    with pytest.raises(InvalidInput, match="「议题内容及方案」为必填项"):
        coerce_fields(major_matter, {**SUBMISSION, "summary": "   "})


def test_undeclared_field_refused(major_matter):
    with pytest.raises(InvalidInput) as info:
        coerce_fields(major_matter, {**SUBMISSION, "vendor": "内蒙古某医疗器械有限公司", "department": "设备科"})
    assert str(info.value) == "输入有误：流程「三重一大事项集体决策」没有字段：department、vendor"


def test_date_value():
    spec = FieldSpec("meeting_date", "会议日期", "date")
    assert coerce_value(spec, "2026-11-20") == date(2026, 11, 20)
    with pytest.raises(InvalidInput, match="日期格式为 2026-11-22"):
        coerce_value(spec, "2026年11月20日")


# --- ratios --------------------------------------------------------------------------------

MORE_THAN_HALF = Ratio(Fraction(1, 2), strict=True)
TWO_THIRDS = Ratio(Fraction(2, 3), strict=False)


@pytest.mark.parametrize(("base", "required"), [(9, 5), (8, 5), (7, 4), (5, 3), (4, 3), (1, 1)])
def test_more_than_half(base, required):
    assert MORE_THAN_HALF.required(base) == required


@pytest.mark.parametrize(("base", "required"), [(9, 6), (8, 6), (7, 5), (6, 4), (5, 4), (3, 2)])
def test_at_least_two_thirds(base, required):
    assert TWO_THIRDS.required(base) == required


def test_strict_two_thirds_of_nine_needs_seven():
    assert Ratio(Fraction(2, 3), strict=True).required(9) == 7


def test_ratio_words():
    assert str(MORE_THAN_HALF) == "超过1/2"
    assert str(TWO_THIRDS) == "不少于2/3"
