"""Fixtures for the pure-core tests: the real policies/ of the 二连浩特 医共体, parsed once."""

import copy
from functools import cache
from pathlib import Path

import pytest

from quorum.core.spec import BodySpec, PolicySet, WorkflowSpec, parse_policy_set
from quorum.policies import read_raw

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@cache
def _raw() -> dict:
    return read_raw(POLICIES)


@pytest.fixture
def raw_policies() -> dict:
    """A private deep copy of the raw policy data, free to break."""
    return copy.deepcopy(_raw())


@pytest.fixture(scope="session")
def policy_set() -> PolicySet:
    return parse_policy_set(copy.deepcopy(_raw()))


@pytest.fixture(scope="session")
def major_matter(policy_set: PolicySet) -> WorkflowSpec:
    return policy_set.workflow("major_matter")


@pytest.fixture(scope="session")
def party_committee(policy_set: PolicySet) -> BodySpec:
    return policy_set.body("party_committee")


@pytest.fixture(scope="session")
def president_office(policy_set: PolicySet) -> BodySpec:
    return policy_set.body("president_office")
