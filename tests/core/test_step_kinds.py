"""Step kinds as classes: each kind parses its own fields and declares how it runs (issue 13)."""

import dataclasses

import pytest

from quorum.core.steps import Span, TaskPlan, kind_class, step_kinds
from quorum.core.steps.kinds import (
    CountersignStep,
    ExecutionStep,
    FilingStep,
    GateStep,
    MeetingStep,
    PublicityStep,
    RecordStep,
    ReviewStep,
    SubmitStep,
    SuperviseStep,
    TimerStep,
)
from tests.core.policy_edits import refusal, step

APPOINTMENT = "policies/workflows/appointment.toml"




def own_fields(cls: type) -> set[str]:
    """The fields a kind adds to the ones every step has."""
    return {f.name for f in dataclasses.fields(cls)} - {f.name for f in dataclasses.fields(SubmitStep)}


def test_the_registry_holds_the_eleven_kinds_in_policy_order():
    assert step_kinds() == ("submit", "gate", "review", "countersign", "meeting", "record", "publicity", "filing",
                            "timer", "execution", "supervise")
    assert all(kind_class(kind).kind == kind for kind in step_kinds())


def test_the_appointment_chain_parses_each_step_into_its_kind(policy_set):
    appointment = policy_set.workflow("appointment")
    assert [type(s) for s in appointment.steps] == [
        SubmitStep, ReviewStep, GateStep, RecordStep, ReviewStep, GateStep, ReviewStep, MeetingStep, ReviewStep,
        PublicityStep, RecordStep, TimerStep, ReviewStep, MeetingStep, FilingStep]
    assert [type(s) for s in policy_set.workflow("major_matter").steps] == [
        SubmitStep, GateStep, ReviewStep, ReviewStep, MeetingStep, MeetingStep, RecordStep, SuperviseStep]
    assert [s.kind for s in appointment.steps][-4:] == ["timer", "review", "meeting", "filing"]


def test_each_kind_holds_only_its_own_fields():
    assert own_fields(ReviewStep) == own_fields(RecordStep) == own_fields(ExecutionStep) == set()
    assert own_fields(GateStep) == {"requirements"}
    assert own_fields(CountersignStep) == {"units", "unit_kind", "required", "restart"}
    assert own_fields(MeetingStep) == {"body", "body_from", "acknowledge", "mandatory"}
    assert own_fields(PublicityStep) == {"window_working_days", "postpone_months"}
    assert own_fields(FilingStep) == {"days"}
    assert own_fields(TimerStep) == {"months", "days", "anchor"}


def test_the_real_steps_carry_their_kinds_settings(policy_set):
    appointment, plan = policy_set.workflow("appointment"), policy_set.workflow("performance_plan")
    probation = appointment.step("probation")
    assert (probation.months, probation.anchor) == (12, "decision")
    publicity = appointment.step("publicity")
    assert (publicity.window_working_days, publicity.postpone_months, publicity.escalate_role) == (5, 3, "party_secretary")
    assert plan.step("member_agreement").unit_kind == "member_unit"
    assert plan.step("bureau_approval").restart == "all" and plan.step("bureau_approval").required is None
    ratification = policy_set.workflow("emergency").step("ratification")
    assert ratification.mandatory and ratification.body is None and ratification.body_from == "body"
    assert [r.key for r in policy_set.workflow("major_matter").step("pre_review").requirements][:2] == [
        "legality", "risk"]


def test_a_review_knows_no_meeting_and_no_requirements(major_matter):
    leader = major_matter.step("leader_review")
    assert leader.requirements == () and leader.body is None and leader.body_for({"body": "x"}) is None
    assert not leader.mandatory and leader.acknowledge == ()
    assert not hasattr(leader, "units")


@pytest.mark.parametrize("cls, tasks, answers, own_answers", [
    (SubmitStep, TaskPlan.NONE, (), False),
    (GateStep, TaskPlan.PER_REQUIREMENT, ("approve", "reject"), False),
    (ReviewStep, TaskPlan.BY_ROLE, ("approve", "reject"), True),
    (CountersignStep, TaskPlan.PER_UNIT, ("approve", "reject"), True),
    (MeetingStep, TaskPlan.NONE, (), False),
    (RecordStep, TaskPlan.BY_ROLE, (), False),
    (PublicityStep, TaskPlan.BY_ROLE, ("appoint", "appoint_reminded", "not_appoint", "defer_appointment"), True),
    (FilingStep, TaskPlan.BY_ROLE, ("acknowledge",), True),
    (TimerStep, TaskPlan.NONE, (), False),
    (ExecutionStep, TaskPlan.BY_ROLE, (), False),
    (SuperviseStep, TaskPlan.NONE, (), False),
])
def test_each_kind_declares_its_tasks_and_default_answers(cls, tasks, answers, own_answers):
    assert cls.tasks is tasks
    assert tuple(key for key, _ in cls.default_options) == answers
    assert cls.takes_options == own_answers
    assert cls.needs_role == (tasks is TaskPlan.BY_ROLE or cls is CountersignStep)


def test_the_kinds_declare_how_they_wait_and_decide():
    def having(flag: str) -> set[str]:
        return {k for k in step_kinds() if getattr(kind_class(k), flag)}

    assert having("reopens_to_initiator") == {"submit"}
    assert having("waits_for_meeting") == {"meeting"}
    assert having("fires_when_due") == {"timer"}
    assert having("waits_for_supervision") == {"supervise"}
    assert having("has_window") == {"publicity"}
    assert having("pays_out") == {"execution"}
    assert having("outcome_is_answer") == {"publicity", "filing"}
    assert having("answers_may_return") == having("holder_may_add_signer") == {"gate", "review", "countersign"}
    assert having("initiator_may_not_answer") == {"review", "countersign", "publicity", "filing"}
    assert {k for k in step_kinds() if not kind_class(k).states_reject_rule} == {"submit", "record", "supervise"}


def test_each_kind_counts_its_own_span(policy_set):
    appointment, expenditure = policy_set.workflow("appointment"), policy_set.workflow("expenditure")
    assert appointment.step("probation").span(None) == Span(months=12, from_decision=True)
    assert appointment.step("publicity").span(None) == Span(working_days=5)
    assert appointment.step("filing").span(None) == Span(days=30)
    assert appointment.step("inspection").span(None) == Span(working_days=15)
    assert expenditure.step("execution").span(6) == Span(months=6)
    assert expenditure.step("execution").span(None) is None
    assert policy_set.workflow("major_matter").step("supervision").span(None) is None
    assert appointment.step("publicity").counted_working_days() == 5


def test_the_kind_names_are_the_secretariats_words(major_matter):
    assert [s.kind_name for s in major_matter.steps[:3]] == ["申报", "前置程序", "审核（或签）"]


def test_an_unknown_kind_is_refused_listing_the_kinds(raw_policies):
    step(raw_policies, "appointment", "publicity")["kind"] = "notice"
    text = refusal(raw_policies)
    assert f"{APPOINTMENT}，步骤 publicity）：未知的步骤类型「notice」，可选：submit、gate、review" in text


def test_a_kinds_own_setting_is_checked_by_its_class(raw_policies):
    step(raw_policies, "appointment", "probation")["anchor"] = "appointment"
    assert f"{APPOINTMENT}，步骤 probation）：「anchor」只能是 activation、decision" in refusal(raw_policies)


def test_a_setting_of_another_kind_is_refused_where_it_was_before(raw_policies):
    step(raw_policies, "appointment", "candidates")["required"] = 2
    assert "required（n 票中 m 票）只适用于 countersign 步骤" in refusal(raw_policies)


def test_answers_on_a_kind_without_tasks_are_refused(raw_policies):
    step(raw_policies, "appointment", "probation")["options"] = [{"key": "pass", "label": "通过"}]
    assert f"{APPOINTMENT}，步骤 probation）：timer 步骤不能定义 options" in refusal(raw_policies)


def test_a_gates_opinions_are_agreed_or_refused_with_a_reason(major_matter):
    gate = major_matter.step("pre_review")
    assert [(o.key, o.label, o.effect, o.needs_comment) for o in gate.options] == [
        ("approve", "同意", "pass", False), ("reject", "不同意", "reject", True)]
