"""Property tests (Hypothesis): the counting rules hold for every roll, ballot and date, not only the examples.

Quorum, the pass rule, 末位表态 and working-day arithmetic (deadlines, 公示 windows, meeting notice) are checked
against their definitions in DOMAIN.md over generated cases — thousands per run, in seconds. The search is
derandomized so CI sees the same cases on every run.
"""

import dataclasses
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quorum.calendar import WorkCalendar
from quorum.core.errors import QuorumNotMet, VotingRuleViolated
from quorum.core.spec import Ratio
from quorum.core.voting import (
    ItemRoll,
    Seat,
    check_ballot,
    pending_before_chair,
    presiding,
    quorum_state,
    tally,
    vote_options,
)

CHECK = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
ROLES = ("party_secretary", "party_deputy_secretary", "president", "vice_president", "member_unit_party_leader")


ratios = st.builds(lambda q, p, strict: Ratio(Fraction(min(p, q), q), strict),
                   st.integers(1, 12), st.integers(1, 12), st.booleans())


@st.composite
def rolls(draw, with_votes: bool = False) -> ItemRoll:
    """A 应到会 list of 1–15 seats, some present, some recused, some having voted."""
    n = draw(st.integers(1, 15))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=n, max_size=n))
    seats = tuple(Seat(100 + i, f"委员{i}", role) for i, role in enumerate(roles))
    everyone = [s.person_id for s in seats]
    present = frozenset(draw(st.lists(st.sampled_from(everyone), unique=True)))
    recused = frozenset(draw(st.lists(st.sampled_from(everyone), unique=True, max_size=max(1, n // 3))))
    voters = sorted((present & frozenset(everyone)) - recused)
    voted = frozenset(draw(st.lists(st.sampled_from(voters), unique=True))) if with_votes and voters else frozenset()
    return ItemRoll(seats=seats, present=present, recused=recused, voted=voted, personnel=draw(st.booleans()))


def body_with(body, **changes):
    return dataclasses.replace(body, **changes)


# --------------------------------------------------------------------------------------------------------
# ratios: ">1/2" and ">=2/3" of a base


@CHECK
@given(ratio=ratios, base=st.integers(0, 300))
def test_a_ratio_requires_the_smallest_count_that_satisfies_it(ratio, base):
    required, share = ratio.required(base), ratio.fraction * base
    satisfies = (lambda k: k > share) if ratio.strict else (lambda k: k >= share)
    assert satisfies(required) and not satisfies(required - 1)


@CHECK
@given(ratio=ratios, base=st.integers(0, 300))
def test_a_larger_base_never_requires_fewer(ratio, base):
    assert ratio.required(base + 1) >= ratio.required(base)


# --------------------------------------------------------------------------------------------------------
# quorum, counted per item among non-recused members


@CHECK
@given(roll=rolls(), reduces=st.booleans(), minimum=st.integers(0, 4))
def test_quorum_is_met_exactly_when_enough_unconflicted_members_are_present(party_committee, roll, reduces,
                                                                           minimum):
    body = body_with(party_committee, recusal_reduces_base=reduces, min_unconflicted_present=minimum)
    state = quorum_state(body, roll)
    ratio = body.personnel_quorum if roll.personnel else body.quorum
    base = len(roll.expected) - (len(roll.recused & roll.expected) if reduces else 0)
    assert state.base == base and state.required == max(ratio.required(base), 1)
    assert state.present == len(roll.voters)
    assert state.escalate == (len(roll.voters) < minimum)
    assert state.met == (len(roll.voters) >= state.required and not state.escalate)


@CHECK
@given(roll=rolls(), data=st.data())
def test_one_more_member_in_the_room_never_loses_the_quorum(party_committee, roll, data):
    absent = sorted(roll.expected - roll.present - roll.recused)
    if not absent:
        return
    arriving = data.draw(st.sampled_from(absent))
    later = dataclasses.replace(roll, present=roll.present | {arriving})
    assert quorum_state(party_committee, later).met >= quorum_state(party_committee, roll).met


# --------------------------------------------------------------------------------------------------------
# the pass rule and 缓议


@st.composite
def ballots(draw, body):
    """A roll and one ballot per voter, among the options the body offers for such an item."""
    roll = draw(rolls())
    options = vote_options(body, roll.personnel)
    choices = draw(st.lists(st.sampled_from(options), min_size=len(roll.voters), max_size=len(roll.voters)))
    return roll, choices


@CHECK
@given(data=st.data(), pass_base=st.sampled_from(("expected", "present")), reduces=st.booleans())
def test_an_item_passes_exactly_when_agree_reaches_the_required_share_of_its_base(party_committee, data, pass_base,
                                                                                  reduces):
    roll, choices = data.draw(ballots(party_committee))
    body = body_with(party_committee, pass_base=pass_base, recusal_reduces_base=reduces)
    result = tally(body, roll, choices)
    if pass_base == "present":
        base = len(roll.voters)
    else:
        base = len(roll.expected) - (len(roll.recused & roll.expected) if reduces else 0)
    counts = Counter(choices)
    assert result.base == base and result.required == body.pass_ratio.required(base)
    assert (result.result == "passed") == (counts["agree"] >= result.required)
    if result.result != "passed":
        assert (result.result == "postponed") == (counts["postpone"] > counts["disagree"])
    assert sum(result.counts.values()) == len(choices)


@CHECK
@given(data=st.data())
def test_turning_a_no_into_a_yes_never_turns_a_pass_into_a_failure(party_committee, data):
    roll, choices = data.draw(ballots(party_committee))
    if "disagree" not in choices:
        return
    before = tally(party_committee, roll, choices).result
    changed = list(choices)
    changed[changed.index("disagree")] = "agree"
    after = tally(party_committee, roll, changed).result
    assert not (before == "passed" and after != "passed")


# --------------------------------------------------------------------------------------------------------
# 末位表态: the presiding member votes last


@CHECK
@given(roll=rolls(with_votes=True))
def test_the_presiding_member_may_vote_only_after_everyone_else_present(party_committee, roll):
    chair = presiding(party_committee, roll)
    if chair is None or chair in roll.voted:
        return
    try:
        check_ballot(party_committee, roll, chair, "agree")
    except QuorumNotMet:
        assert not quorum_state(party_committee, roll).met
        return
    except VotingRuleViolated as refused:
        assert refused.key == "chair_must_speak_last" and pending_before_chair(party_committee, roll)
        return
    assert pending_before_chair(party_committee, roll) == []


@CHECK
@given(roll=rolls(with_votes=True), data=st.data())
def test_no_one_votes_twice_and_only_those_in_the_room_vote(party_committee, roll, data):
    person = data.draw(st.sampled_from(sorted(roll.expected)))
    if person in roll.voted:
        with pytest.raises(VotingRuleViolated):
            check_ballot(party_committee, roll, person, "agree")
    elif person not in roll.voters:
        with pytest.raises(VotingRuleViolated):
            check_ballot(party_committee, roll, person, "agree")


# --------------------------------------------------------------------------------------------------------
# working days: deadlines, 公示 windows, meeting notice (the real calendar, 2024–2027, 调休 included)

CALENDAR = WorkCalendar()
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 10, 31))


@CHECK
@given(start=days, n=st.integers(1, 40))
def test_n_working_days_after_a_day_is_a_working_day_with_n_working_days_between(start, n):
    due = CALENDAR.add_working_days(start, n).due
    assert CALENDAR.is_workday(due) and due > start
    assert CALENDAR.working_days_between(start, due) == n
    assert CALENDAR.working_days_between(start, due - timedelta(days=1)) == n - 1


@CHECK
@given(start=days, n=st.integers(1, 40))
def test_one_more_working_day_is_always_later(start, n):
    assert CALENDAR.add_working_days(start, n + 1).due > CALENDAR.add_working_days(start, n).due


@CHECK
@given(meeting=days, n=st.integers(1, 10))
def test_a_notice_n_working_days_ahead_leaves_n_working_days_before_the_meeting(meeting, n):
    latest = CALENDAR.subtract_working_days(meeting, n).due
    day = timedelta(days=1)
    assert CALENDAR.is_workday(latest) and latest < meeting
    assert CALENDAR.working_days_between(latest - day, meeting - day) == n     # working days in [latest, meeting)


@CHECK
@given(start=days, n=st.integers(0, 40))
def test_counting_forward_then_back_returns_to_the_first_working_day(start, n):
    first = CALENDAR.next_workday(start)
    there = CALENDAR.add_working_days(first, n).due
    assert CALENDAR.subtract_working_days(there, n).due == first
