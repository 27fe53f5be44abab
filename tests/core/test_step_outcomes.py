"""on_reject / on_postpone: parsed once at load into EndMatter, ReturnTo or SetFlag, and explained in words."""

import pytest

from quorum.core.steps import EndMatter, ReturnTo, SetFlag, parse_outcome
from quorum.explain import workflow_context
from tests.core.policy_edits import refusal, step

EMERGENCY = "policies/workflows/emergency.toml"
MAJOR = "policies/workflows/major_matter.toml"
FLAGS = {"ratification_refused", "repeated_use"}




def lines_of(policy_set, workflow: str, name: str) -> list[str]:
    context = workflow_context(policy_set, policy_set.workflow(workflow))
    return next(s["lines"] for s in context["steps"] if s["name"] == name)


@pytest.mark.parametrize("text, value", [
    ("end", EndMatter()),
    ("return:proposal", ReturnTo("proposal")),
    ("flag:ratification_refused", SetFlag("ratification_refused")),
])
def test_a_rule_is_parsed_into_its_value_and_written_back_the_same(text, value):
    parsed = parse_outcome(text, FLAGS, "on_reject", ValueError)
    assert parsed == value and str(parsed) == text


@pytest.mark.parametrize("text", ["abandon", "return:", "", 3, None])
def test_a_rule_that_is_none_of_the_three_is_refused(text):
    with pytest.raises(ValueError, match="无效：应为 end 或 return:<此前的步骤 key>"):
        parse_outcome(text, FLAGS, "on_reject", ValueError)


def test_the_real_rules_are_typed_values(policy_set, major_matter):
    assert major_matter.step("pre_review").on_reject == ReturnTo("proposal")
    assert major_matter.step("pre_review").return_target == "proposal"
    assert major_matter.step("party_committee").on_reject == EndMatter()
    assert major_matter.step("party_committee").on_postpone == ReturnTo("proposal")
    ratification = policy_set.workflow("emergency").step("ratification")
    assert ratification.on_reject == SetFlag("ratification_refused")
    assert ratification.reject_flag == "ratification_refused" and ratification.return_target is None


def test_a_flag_must_name_a_system_flag(raw_policies):
    step(raw_policies, "emergency", "ratification")["on_reject"] = "flag:summary"
    text = refusal(raw_policies)
    assert f"{EMERGENCY}，步骤 ratification）：on_reject「flag:summary」须指向 input = false 的是/否字段" in text


def test_a_postponement_may_only_return_to_an_earlier_step(raw_policies):
    step(raw_policies, "major_matter", "party_committee")["on_postpone"] = "return:record"
    text = refusal(raw_policies)
    assert f"{MAJOR}，步骤 party_committee）：「return:record」无效：应为 end 或 return:<此前的步骤 key>" in text


def test_a_misspelt_rule_is_refused_naming_the_step(raw_policies):
    step(raw_policies, "major_matter", "leader_review")["on_reject"] = "back:proposal"
    assert f"{MAJOR}，步骤 leader_review）：「back:proposal」无效" in refusal(raw_policies)


def test_the_explanation_names_the_flag_not_a_slice_of_its_key(policy_set):
    """The 「tification_refused」 bug: 7 characters cut off "flag:ratification_refused"."""
    lines = lines_of(policy_set, "emergency", "提请会议追认")
    assert lines[-1] == "不同意时：记为「不予追认」后继续办理"
    assert not any("tification" in line for line in lines)


def test_the_explanation_names_the_step_a_return_goes_to(policy_set):
    assert lines_of(policy_set, "major_matter", "前置程序")[-1] == "不同意时：退回「议题申报」"
    assert lines_of(policy_set, "major_matter", "党委会集体决定")[-1] == "不同意时：流程终止；缓议时：退回「议题申报」"


def test_steps_that_never_reject_say_nothing_about_it(policy_set):
    assert lines_of(policy_set, "major_matter", "议题申报") == []
    assert not any(line.startswith("不同意时") for line in lines_of(policy_set, "major_matter", "督办落实"))
