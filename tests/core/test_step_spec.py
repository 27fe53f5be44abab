"""quorum.core.step_spec and workflow_rules: the new step kinds, options and rules, as `policy check` sees them."""

from decimal import Decimal

import pytest

from quorum.core.money import Related, assess_split, basis_amount, exceeds_tolerance, match_key, tier
from quorum.core.steps import step_class, step_kinds
from tests.core.policy_edits import refusal, step

EXPENDITURE = "policies/workflows/expenditure.toml"
APPOINTMENT = "policies/workflows/appointment.toml"




def test_the_real_chains_parse_with_their_options_and_rules(policy_set):
    plan = policy_set.workflow("performance_plan")
    members = plan.step("member_agreement")
    assert [(o.key, o.label, o.effect, o.sets) for o in members.options] == [
        ("agree", "同意", "pass", None), ("agree_with_changes", "修改后同意", "pass", None),
        ("object", "反对", "pass", "member_objection")]
    assert plan.step("bureau_approval").units == ("health_commission", "hrss_bureau", "finance_bureau")
    appointment = policy_set.workflow("appointment")
    assert appointment.personnel_always and [f.key for f in appointment.recused_fields] == ["candidate", "relatives"]
    assert appointment.step("publicity").window_working_days == 5
    assert appointment.step("recommendation").valid_until == "party_committee"
    rules = policy_set.workflow("expenditure").rules
    assert rules.split_evasion.tiers == ("member_collective", "vice_president", "major", "management_committee")
    assert rules.execution.tolerance == Decimal("0.10") and rules.execution.validity_months == 6
    assert policy_set.workflow("emergency").step("ratification").body_for({"body": "president_office"}) == "president_office"
    assert policy_set.body("member_leadership").scope == "unit"


def test_every_default_answer_fits_the_task_outcome_column():
    assert all(len(key) <= 20 for kind in step_kinds() for key, _ in step_class(kind).default_options)


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(restart="sometimes"), "「restart」只能是 all、objecting"),
    (lambda s: s.update(required=7), "required = 7 超过会签单位数 3"),
    (lambda s: s.update(unit_kind="member_unit"), "只能给出 units 或 unit_kind 之一"),
    (lambda s: s["options"].append({"key": "maybe", "effect": "perhaps", "label": "或许"}), "effect「perhaps」无效"),
    (lambda s: s["options"].append({"key": "hold", "effect": "return:implementation", "label": "搁置"}),
     "「return:implementation」无效：应为 end 或 return:<此前的步骤 key>"),
    (lambda s: s["options"].append({"key": "x_" * 11, "label": "过长"}), "重复或过长"),
    (lambda s: s["options"].append({"key": "veto", "effect": "reject"}), "option「veto」须给出 label"),
    (lambda s: s["options"].append({"key": "flagged", "sets": "total_pot", "label": "标记"}),
     "sets「total_pot」须为 input = false 的是/否字段"),
])
def test_broken_countersign_steps_are_refused_naming_the_step(raw_policies, change, message):
    bureau = step(raw_policies, "performance_plan", "bureau_approval")
    bureau.setdefault("options", [{"key": "approve", "effect": "pass"}, {"key": "reject", "effect": "reject"}])
    change(bureau)
    text = refusal(raw_policies)
    assert "policies/workflows/performance_plan.toml，步骤 bureau_approval" in text and message in text


def test_publicity_timer_and_validity_settings_are_checked(raw_policies):
    del step(raw_policies, "appointment", "publicity")["window_working_days"]
    assert "publicity 步骤须给出 window_working_days" in refusal(raw_policies)


def test_a_timer_needs_a_period_and_validity_needs_a_later_step(raw_policies):
    del step(raw_policies, "appointment", "probation")["months"]
    assert "timer 步骤须给出 months、days 或 deadline_working_days" in refusal(raw_policies)


def test_valid_until_must_name_a_later_step(raw_policies):
    step(raw_policies, "appointment", "recommendation")["valid_until"] = "motion"
    assert f"{APPOINTMENT}，步骤 recommendation）：valid_until「motion」须为此后的步骤 key" in refusal(raw_policies)


def test_acknowledge_and_flag_rejections_name_system_flags(raw_policies):
    step(raw_policies, "appointment", "party_committee")["acknowledge"] = ["post"]
    assert "acknowledge 的「post」须为 input = false 的是/否字段" in refusal(raw_policies)


def test_body_from_must_be_a_choice_of_bodies(raw_policies):
    step(raw_policies, "emergency", "ratification")["body_from"] = "situation"
    assert "body_from「situation」须为选项均为议事机构 key 的 choice 字段" in refusal(raw_policies)


def test_split_rule_checks_its_tiers_and_fields(raw_policies):
    rule = raw_policies["workflows"]["expenditure"]["split_evasion"]
    rule["tiers"] = ["major", "member_collective"]
    assert f"{EXPENDITURE}，split_evasion）：tiers 须按金额由低到高排列" in refusal(raw_policies)
    rule["tiers"] = ["member_collective"]
    rule["target"] = "amount"
    assert "「amount」须为已声明的money类型系统字段（input = false）" in refusal(raw_policies)


def test_execution_tolerance_must_be_a_fraction(raw_policies):
    raw_policies["workflows"]["expenditure"]["execution"]["tolerance"] = "ten percent"
    assert "tolerance 须为小数" in refusal(raw_policies)


def test_system_fields_are_flags_or_amounts_and_people_fields_may_recuse(raw_policies):
    fields = raw_policies["workflows"]["appointment"]["fields"]
    next(f for f in fields if f["key"] == "post")["recuse"] = True
    assert "recuse / not_initiator 只适用于 person、people 类型字段" in refusal(raw_policies)


def test_money_rules():
    assert tier([Decimal(50000), Decimal(100000)], Decimal("49999.99")) == 0
    assert tier([Decimal(50000), Decimal(100000)], Decimal(50000)) == 1           # 以上 includes the boundary
    finding = assess_split([Decimal(50000), Decimal(100000)], Decimal(40000),
                           [Related(1, "一", Decimal(40000), "供应商"), Related(2, "二", Decimal(30000), "供应商")])
    assert (finding.aggregate, finding.own_tier, finding.aggregate_tier, finding.crosses) == (Decimal(110000), 0, 2, True)
    assert match_key(" 康源（医疗） Co ") == match_key("康源(医疗)co")
    assert exceeds_tolerance(Decimal(45000), Decimal("49500.01"), Decimal("0.10"))
    assert not exceeds_tolerance(Decimal(45000), Decimal(49500), Decimal("0.10"))
    assert not exceeds_tolerance(Decimal(45000), Decimal(1), Decimal("0.10"))      # a decrease never needs re-approval


def test_the_contract_total_is_the_basis(policy_set):
    rule = policy_set.workflow("expenditure").rules.split_evasion
    labels = {"amount": "本次申请金额", "contract_total": "合同（项目）总额"}
    assert basis_amount(rule, {"amount": Decimal(30000), "contract_total": Decimal(240000)}, labels) == Decimal(240000)
    assert basis_amount(rule, {"amount": Decimal(30000)}, labels) == Decimal(30000)
    assert basis_amount(rule, {}, labels) is None
