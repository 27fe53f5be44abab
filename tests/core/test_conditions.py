"""quorum.core.conditions: the allow-listed condition evaluator and its explanation sentences."""

from decimal import Decimal

import pytest

from quorum.core.conditions import AllOf, AnyOf, Leaf, Not, as_decimal, describe, evaluate, fields_used
from quorum.core.routing import FieldFormatter, format_money
from quorum.core.spec import FieldSpec

CATEGORY_CHOICES = (
    ("decision", "重大事项决策"),
    ("appointment", "重要干部任免"),
    ("project", "重大项目安排"),
    ("funds", "大额资金使用"),
)
FIELDS = (
    FieldSpec("category", "事项类别", "choice", True, CATEGORY_CHOICES),
    FieldSpec("unit", "提出单位", "unit", True),
    FieldSpec("amount", "金额", "money"),
    FieldSpec("budgeted", "是否预算内", "bool"),
    FieldSpec("staff_interest", "涉及职工切身利益", "bool"),
)
FMT = FieldFormatter(FIELDS)

THRESHOLD = Decimal("200000")
AMOUNT_AT_LEAST = Leaf("amount", ">=", THRESHOLD)
OFF_BUDGET = Leaf("budgeted", "is_false", None)
STAFF = Leaf("staff_interest", "is_true", None)
DECISION_OR_PROJECT = Leaf("category", "in", ("decision", "project"))
NOT_APPOINTMENT = Leaf("category", "!=", "appointment")


# --- single comparisons --------------------------------------------------------------------


def test_at_least_includes_the_boundary():
    """"20万元（含）以上" is >= and includes 200,000 itself."""
    assert evaluate(AMOUNT_AT_LEAST, {"amount": Decimal("200000")}, FMT) == (True, "金额 200,000 元 ≥ 200,000 元")


def test_one_cent_below_the_boundary_is_false_and_shows_the_negated_operator():
    assert evaluate(AMOUNT_AT_LEAST, {"amount": Decimal("199999.99")}, FMT) == (
        False, "金额 199,999.99 元 < 200,000 元")


def test_large_amount_sentence_uses_thousands_separators():
    assert evaluate(AMOUNT_AT_LEAST, {"amount": Decimal("600000")}, FMT) == (True, "金额 600,000 元 ≥ 200,000 元")


@pytest.mark.parametrize(
    ("op", "amount", "expected", "sentence"),
    [
        (">", "200000", False, "金额 200,000 元 ≤ 200,000 元"),
        (">", "200000.01", True, "金额 200,000.01 元 > 200,000 元"),
        ("<", "860000", False, "金额 860,000 元 ≥ 200,000 元"),
        ("<=", "200000", True, "金额 200,000 元 ≤ 200,000 元"),
        ("==", "200000.00", True, "金额 200,000 元 为 200,000 元"),
        ("!=", "860000", True, "金额 860,000 元 不为 200,000 元"),
    ],
)
def test_other_comparisons_on_money(op, amount, expected, sentence):
    assert evaluate(Leaf("amount", op, THRESHOLD), {"amount": Decimal(amount)}, FMT) == (expected, sentence)


def test_missing_amount_fails_an_ordered_comparison():
    assert evaluate(AMOUNT_AT_LEAST, {}, FMT) == (False, "金额 未填写 < 200,000 元")


def test_in_shows_choice_labels():
    assert evaluate(DECISION_OR_PROJECT, {"category": "project"}, FMT) == (
        True, "事项类别 重大项目安排 属于 重大事项决策、重大项目安排")


def test_in_false_shows_not_in():
    assert evaluate(DECISION_OR_PROJECT, {"category": "funds"}, FMT) == (
        False, "事项类别 大额资金使用 不属于 重大事项决策、重大项目安排")


def test_not_in():
    cond = Leaf("category", "not_in", ("appointment",))
    assert evaluate(cond, {"category": "funds"}, FMT) == (True, "事项类别 大额资金使用 不属于 重要干部任免")
    assert evaluate(cond, {"category": "appointment"}, FMT) == (False, "事项类别 重要干部任免 属于 重要干部任免")


def test_missing_value_is_not_in_any_list_and_differs_from_any_value():
    assert evaluate(DECISION_OR_PROJECT, {"category": None}, FMT)[0] is False
    assert evaluate(Leaf("category", "not_in", ("appointment",)), {}, FMT)[0] is True
    assert evaluate(NOT_APPOINTMENT, {}, FMT) == (True, "事项类别 未填写 不为 重要干部任免")
    assert evaluate(Leaf("category", "==", "funds"), {}, FMT) == (False, "事项类别 未填写 不为 大额资金使用")


def test_is_true():
    assert evaluate(STAFF, {"staff_interest": True}, FMT) == (True, "涉及职工切身利益：是")
    assert evaluate(STAFF, {"staff_interest": False}, FMT) == (False, "涉及职工切身利益：否")


def test_is_true_with_missing_value_is_false():
    assert evaluate(STAFF, {}, FMT) == (False, "涉及职工切身利益：未填写")


def test_is_false():
    assert evaluate(OFF_BUDGET, {"budgeted": False}, FMT) == (True, "是否预算内：否")
    assert evaluate(OFF_BUDGET, {"budgeted": True}, FMT) == (False, "是否预算内：是")


def test_is_false_with_missing_value_is_true():
    """An unanswered yes/no is not "yes": is_false holds, is_true does not."""
    assert evaluate(OFF_BUDGET, {"budgeted": None}, FMT) == (True, "是否预算内：未填写")


def test_is_true_only_accepts_real_true():
    assert evaluate(STAFF, {"staff_interest": "是"}, FMT)[0] is False


# --- combinations --------------------------------------------------------------------------


def test_all_true_lists_every_part_joined_by_and():
    cond = AllOf((AMOUNT_AT_LEAST, OFF_BUDGET))
    assert evaluate(cond, {"amount": Decimal("860000"), "budgeted": False}, FMT) == (
        True, "金额 860,000 元 ≥ 200,000 元，且是否预算内：否")


def test_all_false_lists_only_the_failing_parts():
    cond = AllOf((AMOUNT_AT_LEAST, OFF_BUDGET, NOT_APPOINTMENT))
    assert evaluate(cond, {"amount": Decimal("150000"), "budgeted": True, "category": "funds"}, FMT) == (
        False, "金额 150,000 元 < 200,000 元，或是否预算内：是")


def test_any_true_lists_only_the_holding_parts():
    cond = AnyOf((DECISION_OR_PROJECT, AMOUNT_AT_LEAST, OFF_BUDGET))
    assert evaluate(cond, {"category": "funds", "amount": Decimal("600000"), "budgeted": True}, FMT) == (
        True, "金额 600,000 元 ≥ 200,000 元")


def test_any_true_with_two_holding_parts_joins_them_by_or():
    cond = AnyOf((DECISION_OR_PROJECT, AMOUNT_AT_LEAST, OFF_BUDGET))
    assert evaluate(cond, {"category": "funds", "amount": Decimal("600000"), "budgeted": False}, FMT) == (
        True, "金额 600,000 元 ≥ 200,000 元，或是否预算内：否")


def test_any_false_lists_every_part_joined_by_and():
    cond = AnyOf((DECISION_OR_PROJECT, AMOUNT_AT_LEAST, OFF_BUDGET))
    assert evaluate(cond, {"category": "funds", "amount": Decimal("150000"), "budgeted": True}, FMT) == (
        False, "事项类别 大额资金使用 不属于 重大事项决策、重大项目安排，且金额 150,000 元 < 200,000 元，且是否预算内：是")


def test_not_inverts_the_result_and_keeps_the_reason():
    cond = Not(Leaf("category", "==", "appointment"))
    assert evaluate(cond, {"category": "funds"}, FMT) == (True, "事项类别 大额资金使用 不为 重要干部任免")
    assert evaluate(cond, {"category": "appointment"}, FMT) == (False, "事项类别 重要干部任免 为 重要干部任免")


def test_not_of_a_boundary_amount():
    cond = Not(AMOUNT_AT_LEAST)
    assert evaluate(cond, {"amount": Decimal("200000")}, FMT) == (False, "金额 200,000 元 ≥ 200,000 元")
    assert evaluate(cond, {"amount": Decimal("199999.99")}, FMT) == (True, "金额 199,999.99 元 < 200,000 元")


def test_nested_any_of_all():
    """预算外 and ≥20万, or a 重大项目: the nested reason is kept in the sentence."""
    cond = AnyOf((AllOf((AMOUNT_AT_LEAST, OFF_BUDGET)), DECISION_OR_PROJECT))
    values = {"category": "funds", "amount": Decimal("860000"), "budgeted": False}
    assert evaluate(cond, values, FMT) == (True, "金额 860,000 元 ≥ 200,000 元，且是否预算内：否")
    values["budgeted"] = True
    assert evaluate(cond, values, FMT) == (
        False, "是否预算内：是，且事项类别 大额资金使用 不属于 重大事项决策、重大项目安排")


def test_fields_used():
    cond = AnyOf((AllOf((AMOUNT_AT_LEAST, OFF_BUDGET)), Not(DECISION_OR_PROJECT)))
    assert fields_used(cond) == {"amount", "budgeted", "category"}
    assert fields_used(STAFF) == {"staff_interest"}


# --- describe ------------------------------------------------------------------------------


def test_describe_leaves():
    assert describe(AMOUNT_AT_LEAST, FMT) == "金额 ≥ 200,000 元"
    assert describe(DECISION_OR_PROJECT, FMT) == "事项类别 属于 重大事项决策、重大项目安排"
    assert describe(STAFF, FMT) == "涉及职工切身利益为是"
    assert describe(OFF_BUDGET, FMT) == "是否预算内为否"


def test_describe_combinations_bracket_nested_groups():
    cond = AnyOf((DECISION_OR_PROJECT, AllOf((AMOUNT_AT_LEAST, OFF_BUDGET))))
    assert describe(cond, FMT) == "事项类别 属于 重大事项决策、重大项目安排 或 （金额 ≥ 200,000 元 且 是否预算内为否）"


def test_describe_not():
    assert describe(Not(Leaf("category", "==", "appointment")), FMT) == "并非（事项类别 为 重要干部任免）"


# --- money ---------------------------------------------------------------------------------


def test_as_decimal_parses_strings_with_commas_and_integers():
    assert as_decimal("1,200,000") == Decimal("1200000")
    assert as_decimal(" 860000.50 ") == Decimal("860000.50")
    assert as_decimal(200000) == Decimal("200000")
    assert isinstance(as_decimal(200000), Decimal)


@pytest.mark.parametrize("raw", [200000.0, 0.1, True, False])
def test_as_decimal_refuses_floats_and_bools(raw):
    with pytest.raises(ValueError):
        as_decimal(raw)


def test_format_money():
    assert format_money(Decimal("600000")) == "600,000 元"
    assert format_money(Decimal("1234.5")) == "1,234.50 元"
    assert format_money(Decimal("860000.00")) == "860,000 元"
