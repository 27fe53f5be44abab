"""The policy parser's wording: what is wrong in a policy file, named so a secretariat can fix it."""

MESSAGES: dict[str, str] = {
    # --- settings of a step ------------------------------------------------------------------------
    "policy.missing": "缺少必填项「{setting}」",
    "policy.wrong_type": "「{setting}」类型应为{type}",
    "policy.int_setting": "「{setting}」须为不小于{minimum}的整数",
    "policy.choice_setting": "「{setting}」只能是 {allowed}",
    "policy.string_list": "「{setting}」须为字符串列表",
    "policy.unknown_role": "未定义的角色「{role}」（见 policies/roles.toml）",
    # --- steps ---------------------------------------------------------------------------------------
    "policy.step_where": "步骤 {step}",
    "policy.step_duplicate": "步骤 key 重复",
    "policy.step_unknown_kind": "未知的步骤类型「{kind}」，可选：{kinds}",
    "policy.step_needs_role": "{kind} 步骤须指定 role",
    "policy.outcome_invalid": "「{text}」无效：应为 end 或 return:<此前的步骤 key>",
    "policy.outcome_flag_not_system": "{setting}「{text}」须指向 input = false 的是/否字段",
    "policy.valid_until_later": "valid_until「{step}」须为此后的步骤 key",
    "policy.validity_pair": "valid_months 与 valid_until 须同时给出",
    "policy.postpone_needs_months": "含 postpone 选项的步骤须给出 postpone_months（暂缓期限）",
    "policy.gate_needs_requirements": "gate 步骤须列出 requirements",
    "policy.required_only_countersign": "required（n 票中 m 票）只适用于 countersign 步骤",
    "policy.countersign_units_or_kind": "countersign 步骤只能给出 units 或 unit_kind 之一",
    "policy.countersign_required_too_many": "required = {required} 超过会签单位数 {units}",
    "policy.meeting_body_unknown": "meeting 步骤须指定已定义的议事机构 body，「{body}」未定义",
    "policy.meeting_body_from": "body_from「{field}」须为选项均为议事机构 key 的 choice 字段",
    "policy.acknowledge_not_flag": "acknowledge 的「{name}」须为 input = false 的是/否字段",
    "policy.publicity_needs_window": "publicity 步骤须给出 window_working_days（公示工作日数）",
    "policy.timer_needs_period": "timer 步骤须给出 months、days 或 deadline_working_days",
    # --- answers (options) ---------------------------------------------------------------------------
    "policy.options_not_allowed": "{kind} 步骤不能定义 options",
    "policy.options_empty": "options 须为非空列表",
    "policy.option_no_key": "每个 option 须给出 key",
    "policy.option_duplicate": "option「{option}」重复或过长（最多20个字符）",
    "policy.option_effect": "option「{option}」的 effect「{effect}」无效：应为 pass、reject、postpone、end 或 return:<步骤>",
    "policy.option_sets": "option「{option}」的 sets「{sets}」须为 input = false 的是/否字段",
    "policy.option_label": "option「{option}」须给出 label（中文名称）",
}
