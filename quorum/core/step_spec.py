"""Step specs: one step of a workflow, as parsed and validated from its policy file.

A step is data. Its kind says how it runs (see DESIGN.md "Step kinds"); its options say what a
person may answer on its tasks and what each answer does:

    effect "pass"            the answer counts toward completing the step
    effect "reject"          the step's on_reject rule applies (end, return:<step>, flag:<field>)
    effect "return:<step>"   the matter goes back to that earlier step
    effect "postpone"        (publicity) the decision waits, at most postpone_months
    sets = "<field>"         a system flag field becomes true, and the route is planned again

Flags are how a later step depends on an earlier answer without any code: a member unit's 反对
sets `member_objection`, and the 理事会协调 step has `when = { field = "member_objection", op = "is_true" }`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from quorum.core.conditions import Condition
from quorum.core.messages import message

STEP_KINDS = ("submit", "gate", "review", "countersign", "meeting", "record", "publicity", "filing", "timer",
              "execution", "supervise")
TASK_STEP_KINDS = ("review", "countersign", "filing", "publicity")
ROLE_SCOPES = ("any", "matter_unit")
ANCHORS = ("activation", "decision")
RESTARTS = ("all", "objecting")
DEFAULT_OPTIONS = {
    "review": (("approve", "pass"), ("reject", "reject")),
    "countersign": (("approve", "pass"), ("reject", "reject")),
    "filing": (("acknowledge", "pass"),),
    "publicity": (("appoint", "pass"), ("appoint_reminded", "pass"), ("not_appoint", "reject"),
                  ("defer_appointment", "postpone")),
}
NEEDS_COMMENT = ("reject", "object", "appoint_reminded", "not_appoint", "defer_appointment", "fail", "disagree")


@dataclass(frozen=True)
class Requirement:
    """One opinion a gate needs (合法性审查, 风险评估, 征求意见, 职代会审议 ...)."""

    key: str
    name: str
    role: str
    when: Condition | None = None


@dataclass(frozen=True)
class RoleRule:
    role: str
    when: Condition | None = None


@dataclass(frozen=True)
class OptionSpec:
    """One answer a task of this step offers, and what it does."""

    key: str
    label: str
    effect: str
    sets: str | None = None
    needs_comment: bool = False

    @property
    def return_target(self) -> str | None:
        return self.effect.split(":", 1)[1] if self.effect.startswith("return:") else None


@dataclass(frozen=True)
class StepSpec:
    key: str
    kind: str
    name: str
    roles: tuple[RoleRule, ...] = ()
    body: str | None = None
    when: Condition | None = None
    reason: str = ""
    deadline_working_days: int | None = None
    on_reject: str = "end"
    on_postpone: str | None = None
    requirements: tuple[Requirement, ...] = ()
    documents: tuple[str, ...] = ()     # 文种 keys this step produces (see policies/documents.toml)
    options: tuple[OptionSpec, ...] = ()
    role_scope: str = "any"             # matter_unit: only holders of the role at the matter's unit
    units: tuple[str, ...] = ()         # countersign: one 或签 group per unit (卫健委, 人社局, 财政局)
    unit_kind: str | None = None        # countersign: one group per unit of this kind (member_unit)
    required: int | None = None         # countersign: n of m groups; None = every group
    restart: str = "all"                # countersign after a return: all groups again, or only objectors
    window_working_days: int | None = None   # publicity: the 公示 window
    postpone_months: int | None = None       # publicity: 暂缓任用 at most this long
    months: int | None = None                # timer
    days: int | None = None                  # timer, filing deadline (calendar days)
    anchor: str = "activation"               # timer: count from activation or the last decision
    valid_months: int | None = None          # the step's result expires (民主推荐 12 months) ...
    valid_until: str | None = None           # ... and must still be valid when this step decides
    silence_consent_days: int | None = None  # no reply within these days counts as consent ...
    silence_consent_when: Condition | None = None   # ... for these matters only (双重管理)
    acknowledge: tuple[str, ...] = ()        # meeting: flags the body must acknowledge before voting
    mandatory: bool = False                  # meeting: put on the body's next meeting automatically
    body_from: str | None = None             # meeting: the body is the value of this field
    escalate_role: str | None = None         # who is pressed when a timed decision is overdue
    enabled: bool = True
    tolerance: str | None = None             # execution: the workflow's [execution] rule applies

    @property
    def return_target(self) -> str | None:
        return self.on_reject.split(":", 1)[1] if self.on_reject.startswith("return:") else None

    @property
    def reject_flag(self) -> str | None:
        return self.on_reject.split(":", 1)[1] if self.on_reject.startswith("flag:") else None

    def option(self, key: str) -> OptionSpec | None:
        return next((o for o in self.options if o.key == key), None)

    def body_for(self, values: Mapping[str, Any]) -> str | None:
        """The body that decides this meeting step for a matter with these values."""
        return values.get(self.body_from) if self.body_from else self.body


def int_setting(raw: Mapping, key: str, fail: Callable[[str], Exception], minimum: int = 0) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(f"「{key}」须为不小于{minimum}的整数")
    return value


def parse_options(raw: Mapping, kind: str, label_of: Callable[[str], str | None], bool_flags: set[str],
                  fail: Callable[[str], Exception]) -> tuple[OptionSpec, ...]:
    """Parse `[[steps.options]]`, or give the kind's default answers."""
    given = raw.get("options")
    if given is None:
        return tuple(OptionSpec(k, label_of(k) or k, e, None, k in NEEDS_COMMENT)
                     for k, e in DEFAULT_OPTIONS.get(kind, ()))
    if kind not in TASK_STEP_KINDS:
        raise fail(f"{kind} 步骤不能定义 options")
    if not isinstance(given, list) or not given:
        raise fail("options 须为非空列表")
    options, seen = [], set()
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise fail("每个 option 须给出 key")
        key = item["key"]
        if key in seen or len(key) > 20:
            raise fail(f"option「{key}」重复或过长（最多20个字符）")
        seen.add(key)
        effect = item.get("effect", "pass")
        if effect not in ("pass", "reject", "postpone", "end") and not str(effect).startswith("return:"):
            raise fail(f"option「{key}」的 effect「{effect}」无效：应为 pass、reject、postpone、end 或 return:<步骤>")
        sets = item.get("sets")
        if sets is not None and sets not in bool_flags:
            raise fail(f"option「{key}」的 sets「{sets}」须为 input = false 的是/否字段")
        needs = bool(item.get("needs_comment", key in NEEDS_COMMENT or effect != "pass"))
        label = item.get("label") or label_of(key)
        if not label:
            raise fail(f"option「{key}」须给出 label（中文名称）")
        options.append(OptionSpec(key, label, effect, sets, needs))
    return tuple(options)


def check_references(steps: tuple[StepSpec, ...], fail: Callable[[str, str], Exception]) -> None:
    """Every return target names an earlier step; valid_until names a later one."""
    keys = [s.key for s in steps]
    for step in steps:
        where = f"步骤 {step.key}"
        if keys.count(step.key) > 1:
            raise fail(where, "步骤 key 重复")
        targets = [step.on_reject, step.on_postpone, *(o.effect for o in step.options)]
        for text in targets:
            if text is None or text in ("end", "pass", "reject", "postpone") or text.startswith("flag:"):
                continue
            target = text.split(":", 1)[1] if text.startswith("return:") else None
            if target is None or target not in keys or keys.index(target) >= keys.index(step.key):
                raise fail(where, f"「{text}」无效：应为 end 或 return:<此前的步骤 key>")
        if step.valid_until is not None and (step.valid_until not in keys
                                             or keys.index(step.valid_until) <= keys.index(step.key)):
            raise fail(where, f"valid_until「{step.valid_until}」须为此后的步骤 key")


def option_label(key: str) -> str | None:
    text = message(f"option.{key}")
    return None if text == f"option.{key}" else text


def check_meeting_body(body: Any, body_from: Any, fields: Mapping[str, Any],
                       bodies: Mapping[str, Any], fail: Callable[[str], Exception]) -> None:
    if body_from is None:
        if body not in bodies:
            raise fail(f"meeting 步骤须指定已定义的议事机构 body，「{body}」未定义")
        return
    source = fields.get(body_from)
    if source is None or source.type != "choice" or any(k not in bodies for k, _ in source.choices):
        raise fail(f"body_from「{body_from}」须为选项均为议事机构 key 的 choice 字段")


def check_kind(step: StepSpec, fail: Callable[[str], Exception]) -> None:
    """The attributes each kind needs, and the ones that make no sense on it."""
    if step.kind == "countersign" and step.units and step.unit_kind:
        raise fail("countersign 步骤只能给出 units 或 unit_kind 之一")
    if step.required is not None and step.kind != "countersign":
        raise fail("required（n 票中 m 票）只适用于 countersign 步骤")
    if step.required is not None and step.units and step.required > len(step.units):
        raise fail(f"required = {step.required} 超过会签单位数 {len(step.units)}")
    if step.kind == "publicity" and step.window_working_days is None:
        raise fail("publicity 步骤须给出 window_working_days（公示工作日数）")
    if step.kind == "timer" and not (step.months or step.days or step.deadline_working_days):
        raise fail("timer 步骤须给出 months、days 或 deadline_working_days")
    if (step.valid_months is None) != (step.valid_until is None):
        raise fail("valid_months 与 valid_until 须同时给出")
    if any(o.effect == "postpone" for o in step.options) and step.postpone_months is None:
        raise fail("含 postpone 选项的步骤须给出 postpone_months（暂缓期限）")
