"""Edit a raw policy set the way a county would, and read the parser's refusal."""

import pytest

from quorum.core.errors import InvalidPolicy
from quorum.core.spec import parse_policy_set


def step(raw: dict, workflow: str, key: str) -> dict:
    """The raw table of one step of one workflow, to change in place."""
    return next(s for s in raw["workflows"][workflow]["steps"] if s["key"] == key)


def refusal(raw: dict) -> str:
    """The policy error the edited set is refused with (the test fails if it is accepted)."""
    with pytest.raises(InvalidPolicy) as info:
        parse_policy_set(raw)
    return str(info.value)
