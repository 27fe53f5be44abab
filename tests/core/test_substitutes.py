"""roles.toml `substitute`: who decides when every holder of a role must recuse — parsed, followed, checked."""

import pytest

from quorum.core.errors import InvalidPolicy
from quorum.core.spec import parse_policy_set


def test_the_chain_of_substitutes_is_followed_once(policy_set):
    assert policy_set.substitutes_of("vice_president") == ("president", "party_secretary")
    assert policy_set.substitutes_of("member_unit_head") == ("member_unit_party_leader",)      # back to itself: stop
    assert policy_set.substitutes_of("legal_counsel") == ()


def test_an_unknown_substitute_is_named_with_the_file(raw_policies):
    raw_policies["roles"]["roles"]["vice_president"]["substitute"] = "vice_principal"
    with pytest.raises(InvalidPolicy) as refused:
        parse_policy_set(raw_policies)
    assert "角色 vice_president" in str(refused.value) and "substitute「vice_principal」不是另一个已定义的角色" in str(refused.value)
