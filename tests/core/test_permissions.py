"""policies/permissions.toml: its grants, the one check, and a policy error for every mistake in the file."""

import tomllib
from pathlib import Path

import pytest

from quorum.core.errors import InvalidPolicy
from quorum.core.permissions import ACTIONS, Grant, Standing, allows, holders_named, parse_permissions

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "policies/permissions.toml"
ROLES = tomllib.loads((ROOT / "policies" / "roles.toml").read_text(encoding="utf-8"))["roles"]
SHIPPED = tomllib.loads((ROOT / "policies" / "permissions.toml").read_text(encoding="utf-8"))


def shipped(**changes):
    data = {"permissions": {**SHIPPED["permissions"], **changes}}
    return {"permissions": {k: v for k, v in data["permissions"].items() if v is not None}}


def test_the_shipped_file_grants_every_action_the_engine_asks():
    grants = parse_permissions(SHIPPED, ROLES, SOURCE).grants
    assert set(grants) == set(ACTIONS)
    assert grants["supervision.complete"].roles == ("secretariat",)
    assert "staff_representative" not in grants["supervision.report"].unit_roles
    assert grants["matter.mark_urgent"].relations == ("hearing_principal",)


@pytest.mark.parametrize(("standing", "allowed"), [
    (Standing(roles=frozenset({"secretariat"})), True),                        # a role anywhere
    (Standing(roles=frozenset({"president"})), False),                         # a unit role, not held there
    (Standing(roles=frozenset({"president"}), unit_roles=frozenset({"president"})), True),
    (Standing(relations=frozenset({"initiator"})), True),
    (Standing(relations=frozenset({"owner"})), False),
    (Standing(), False),
])
def test_a_grant_allows_a_role_anywhere_a_role_at_the_unit_or_a_relation(standing, allowed):
    grant = Grant("x", "确认办结", roles=("secretariat",), unit_roles=("president",), relations=("initiator",))
    assert allows(grant, standing) is allowed


def test_a_refusal_names_who_may_in_the_policy_s_order_or_in_its_own_words():
    grant = Grant("x", "确认办结", roles=("secretariat", "president"), relations=("initiator",))
    names = {"secretariat": "党政办公室", "president": "总院长"}
    assert holders_named(grant, names.get) == "党政办公室、总院长、事项申报人"
    assert holders_named(Grant("x", "确认办结", roles=("secretariat",), who="牵头单位负责人或党政办"), names.get) == \
        "牵头单位负责人或党政办"


@pytest.mark.parametrize(("changes", "says"), [
    ({"matter.urge": None}, "缺少权限「matter.urge」"),
    ({"matter.fly": {"name": "飞", "roles": ["president"]}}, "未知的权限「matter.fly」"),
    ({"matter.urge": {"roles": ["secretariat"]}}, "须有 name"),
    ({"matter.urge": {"name": "催办", "roles": ["janitor"]}}, "未定义的角色「janitor」"),
    ({"matter.urge": {"name": "催办", "relations": ["friend"]}}, "未知的关系「friend」"),
    ({"matter.urge": {"name": "催办", "roles": "secretariat"}}, "roles 须为字符串列表"),
    ({"matter.urge": {"name": "催办", "role": ["secretariat"]}}, "未知的键：role"),
    ({"matter.urge": {"name": "催办"}}, "没有授予任何角色或关系"),
])
def test_every_mistake_in_the_file_is_a_policy_error_naming_the_file_and_the_action(changes, says):
    with pytest.raises(InvalidPolicy) as refused:
        parse_permissions(shipped(**changes), ROLES, SOURCE)
    assert SOURCE in str(refused.value) and says in str(refused.value)
