"""A new step kind is one class registered under its kind string: the parser needs no change.

The toy kind is a 听证 (hearing): the 法律顾问 holds a hearing announced `notice_days` calendar days
ahead and reports whether the matter may go on; it needs a notice period and offers one answer.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from quorum.core.errors import InvalidPolicy
from quorum.core.spec import parse_policy_set
from quorum.core.steps import Span, StepReader, StepSpec, TaskPlan, register, step_kinds, unregister

MAJOR = "policies/workflows/major_matter.toml"


@dataclass(frozen=True, kw_only=True)
class HearingStep(StepSpec):
    """听证: the role holds a hearing after a notice period and reports."""

    kind = "hearing"
    needs_role = True
    tasks = TaskPlan.BY_ROLE
    default_options = (("heard", "pass"),)
    notice_days: int | None = None

    @classmethod
    def read(cls, reader: StepReader) -> dict[str, Any]:
        return {"notice_days": reader.int("notice_days", 1)}

    def check(self, fail: Callable[[str], Exception]) -> None:
        if self.notice_days is None:
            raise fail("hearing 步骤须给出 notice_days（公告天数）")
        super().check(fail)

    def span(self, execution_months: int | None) -> Span | None:
        return Span(days=self.notice_days or 0)


@pytest.fixture
def hearing() -> Iterator[type[HearingStep]]:
    register(HearingStep)
    yield HearingStep
    unregister("hearing")


def with_hearing(raw: dict, **settings: Any) -> dict:
    steps = raw["workflows"]["major_matter"]["steps"]
    steps.insert(2, {"key": "hearing", "kind": "hearing", "name": "合法性听证", "role": "legal_counsel",
                     "on_reject": "return:proposal", **settings})
    return raw


def test_a_registered_kind_is_parsed_with_its_own_fields(raw_policies, hearing):
    spec = parse_policy_set(with_hearing(raw_policies, notice_days=7)).workflow("major_matter")
    step = spec.step("hearing")
    assert type(step) is hearing and step.kind == "hearing" and step.notice_days == 7
    assert [o.key for o in step.options] == ["heard"] and step.return_target == "proposal"
    assert step.span(None) == Span(days=7) and step.tasks is TaskPlan.BY_ROLE
    assert step_kinds()[-1] == "hearing"


def test_the_new_kind_checks_its_own_settings_naming_the_step(raw_policies, hearing):
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(with_hearing(raw_policies))
    assert f"{MAJOR}，步骤 hearing）：hearing 步骤须给出 notice_days（公告天数）" in str(info.value)


def test_the_common_rules_apply_to_the_new_kind(raw_policies, hearing):
    raw = with_hearing(raw_policies, notice_days=7)
    del raw["workflows"]["major_matter"]["steps"][2]["role"]
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(raw)
    assert f"{MAJOR}，步骤 hearing）：hearing 步骤须指定 role" in str(info.value)


def test_a_return_to_a_later_step_is_refused_for_the_new_kind_too(raw_policies, hearing):
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(with_hearing(raw_policies, notice_days=7, on_reject="return:record"))
    assert "「return:record」无效：应为 end 或 return:<此前的步骤 key>" in str(info.value)


def test_without_registration_the_kind_is_unknown(raw_policies):
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(with_hearing(raw_policies, notice_days=7))
    assert "未知的步骤类型「hearing」" in str(info.value)
