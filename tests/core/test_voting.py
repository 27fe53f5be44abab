"""quorum.core.voting: quorum, who presides, 末位表态, ballot checks and the tally (DOMAIN.md §2 W1, §3, §6.2)."""

import dataclasses
from fractions import Fraction

import pytest

from quorum.core.errors import QuorumNotMet, VotingRuleViolated
from quorum.core.spec import Ratio
from quorum.core.voting import (
    ItemRoll,
    Seat,
    missing_votes,
    pending_before_chair,
    presiding,
    quorum_state,
    require_quorum,
    tally,
)
from quorum.core.voting import check_ballot as check

# 医共体党委: 9 应到会 members (the demo's 二连浩特 医共体党委).
BATER = Seat(101, "巴特尔", "party_secretary")
WANG_JIANHUA = Seat(102, "王建华", "party_deputy_secretary")
EERDUN = Seat(103, "额尔敦", "president")
MENGHE = Seat(104, "孟和", "member_unit_party_leader")
ZHAO_XIUMEI = Seat(105, "赵秀梅", "member_unit_party_leader")
TEMUER = Seat(106, "特木尔", "member_unit_party_leader")
NAREN = Seat(107, "那仁", "member_unit_party_leader")
CHEN_GUOQING = Seat(108, "陈国庆", "member_unit_party_leader")
BAOYIN = Seat(109, "宝音", "member_unit_party_leader")
PARTY = (BATER, WANG_JIANHUA, EERDUN, MENGHE, ZHAO_XIUMEI, TEMUER, NAREN, CHEN_GUOQING, BAOYIN)

# 总医院院长办公会: 5 members.
LIU_ZHIGANG = Seat(201, "刘志刚", "vice_president")
WUYUNQIQIGE = Seat(202, "乌云其其格", "vice_president")
ZHANG_LIPING = Seat(203, "张丽萍", "chief_accountant")
OFFICE = (EERDUN, LIU_ZHIGANG, WUYUNQIQIGE, ZHANG_LIPING, WANG_JIANHUA)


def ids(people) -> frozenset[int]:
    return frozenset(s.person_id for s in people)


def roll(seats=PARTY, present=None, recused=(), voted=(), personnel=False) -> ItemRoll:
    """present=None means everyone is in the room."""
    return ItemRoll(seats=tuple(seats), present=ids(seats if present is None else present), recused=ids(recused),
                    voted=ids(voted), personnel=personnel)


def everyone_but(*people, seats=PARTY):
    return tuple(s for s in seats if s not in people)


def violation(body, item_roll, seat, choice="agree") -> VotingRuleViolated:
    with pytest.raises(VotingRuleViolated) as info:
        check(body, item_roll, seat.person_id, choice)
    return info.value


# --- quorum --------------------------------------------------------------------------------


def test_full_attendance(party_committee):
    state = quorum_state(party_committee, roll())
    assert (state.met, state.base, state.required, state.present, state.escalate) == (True, 9, 6, 9, False)
    assert state.basis == "应到会9人，回避0人，计算基数9人，实到（未回避）9人，法定人数须6人（不少于2/3）"


def test_recusal_shrinks_the_base(party_committee):
    """9 members, 孟和 recused (his own unit's matter): base 8, ≥2/3 of 8 = 6."""
    state = quorum_state(party_committee, roll(present=everyone_but(NAREN, BAOYIN, CHEN_GUOQING), recused=[MENGHE]))
    assert (state.base, state.required, state.present) == (8, 6, 5)
    assert state.met is False
    state = quorum_state(party_committee, roll(present=everyone_but(NAREN, BAOYIN), recused=[MENGHE]))
    assert (state.base, state.required, state.present, state.met) == (8, 6, 6, True)
    assert state.basis == "应到会9人，回避1人，计算基数8人，实到（未回避）6人，法定人数须6人（不少于2/3）"


def test_recused_member_in_the_room_does_not_count_as_present(party_committee):
    state = quorum_state(party_committee, roll(recused=[MENGHE]))
    assert state.present == 8


def test_domain_example_seven_members_two_recused_four_present(party_committee):
    """DOMAIN §6.2.1: 7 members, 2 recused, 4 present → base 5, ≥2/3 of 5 = 4 → quorum met."""
    seven = PARTY[:7]
    item = roll(seats=seven, present=(BATER, WANG_JIANHUA, EERDUN, MENGHE), recused=(TEMUER, NAREN))
    state = quorum_state(party_committee, item)
    assert (state.met, state.base, state.required, state.present, state.escalate) == (True, 5, 4, 4, False)
    assert state.basis == "应到会7人，回避2人，计算基数5人，实到（未回避）4人，法定人数须4人（不少于2/3）"


def test_domain_example_without_recusal_reducing_the_base(party_committee):
    body = dataclasses.replace(party_committee, recusal_reduces_base=False)
    seven = PARTY[:7]
    item = roll(seats=seven, present=(BATER, WANG_JIANHUA, EERDUN, MENGHE), recused=(TEMUER, NAREN))
    state = quorum_state(body, item)
    assert (state.met, state.base, state.required) == (False, 7, 5)


def test_fewer_than_three_unconflicted_present_escalates(party_committee):
    """A matter touching six member units: only 巴特尔, 王建华, 额尔敦 are free of interest."""
    conflicted = (MENGHE, ZHAO_XIUMEI, TEMUER, NAREN, CHEN_GUOQING, BAOYIN)
    item = roll(present=everyone_but(EERDUN), recused=conflicted)
    state = quorum_state(party_committee, item)
    assert (state.base, state.required, state.present) == (3, 2, 2)
    assert state.present >= state.required  # the ratio alone would be met ...
    assert state.escalate is True           # ... but two unconflicted members cannot decide
    assert state.met is False
    assert state.basis.endswith("；无利害关系的到会成员不足3人，须提交上级机构决策")
    with pytest.raises(QuorumNotMet) as info:
        require_quorum(party_committee, item)
    assert "须提交上级机构决策" in str(info.value)
    assert str(info.value).startswith("未达到法定人数：应到会9人，回避6人，计算基数3人，实到（未回避）2人")


def test_three_unconflicted_present_do_not_escalate(party_committee):
    conflicted = (MENGHE, ZHAO_XIUMEI, TEMUER, NAREN, CHEN_GUOQING, BAOYIN)
    state = quorum_state(party_committee, roll(recused=conflicted))
    assert (state.met, state.escalate, state.present) == (True, False, 3)
    assert "须提交上级机构决策" not in state.basis


def test_general_and_personnel_quorum_differ_on_president_office(president_office):
    """5 members, 3 present: > 1/2 (3) is met for a general item, ≥ 2/3 (4) is not for a personnel item."""
    present = (EERDUN, LIU_ZHIGANG, ZHANG_LIPING)
    general = quorum_state(president_office, roll(seats=OFFICE, present=present))
    personnel = quorum_state(president_office, roll(seats=OFFICE, present=present, personnel=True))
    assert (general.met, general.required, general.present) == (True, 3, 3)
    assert general.basis.endswith("法定人数须3人（超过1/2）")
    assert (personnel.met, personnel.required, personnel.present) == (False, 4, 3)
    assert personnel.basis.endswith("法定人数须4人（不少于2/3）")
    with pytest.raises(QuorumNotMet):
        check(president_office, roll(seats=OFFICE, present=present, personnel=True), LIU_ZHIGANG.person_id, "agree")
    assert check(president_office, roll(seats=OFFICE, present=present), LIU_ZHIGANG.person_id, "agree") is None


def test_people_outside_the_body_do_not_count(party_committee):
    visitor = Seat(301, "高文静", "secretariat")  # 列席 secretariat, not a member
    item = ItemRoll(seats=PARTY, present=frozenset({BATER.person_id, WANG_JIANHUA.person_id, EERDUN.person_id,
                                                    MENGHE.person_id, ZHAO_XIUMEI.person_id, visitor.person_id}),
                    recused=frozenset(), voted=frozenset(), personnel=False)
    state = quorum_state(party_committee, item)
    assert (state.present, state.met) == (5, False)


# --- who presides --------------------------------------------------------------------------


def test_chair_presides(party_committee):
    assert presiding(party_committee, roll()) == BATER.person_id


def test_chair_recused_deputy_presides(party_committee):
    assert presiding(party_committee, roll(recused=[BATER])) == WANG_JIANHUA.person_id


def test_chair_absent_deputy_presides(party_committee):
    assert presiding(party_committee, roll(present=everyone_but(BATER))) == WANG_JIANHUA.person_id


def test_chair_and_deputy_recused_president_presides(party_committee):
    assert presiding(party_committee, roll(recused=[BATER, WANG_JIANHUA])) == EERDUN.person_id


def test_nobody_to_preside(party_committee):
    assert presiding(party_committee, roll(recused=[BATER, WANG_JIANHUA, EERDUN])) is None


def test_president_office_acting_chair_is_vice_president(president_office):
    item = roll(seats=OFFICE, recused=[EERDUN])
    assert presiding(president_office, item) == LIU_ZHIGANG.person_id


# --- ballot checks -------------------------------------------------------------------------


def test_chair_may_not_vote_first(party_committee):
    err = violation(party_committee, roll(), BATER)
    assert err.key == "chair_must_speak_last"
    assert str(err) == ("末位表态：主持人须在其他到会且未回避的成员全部表态后表态，"
                        "尚待表态：王建华、额尔敦、孟和、赵秀梅、特木尔、那仁、陈国庆、宝音")
    assert err.http_status == 409


def test_chair_waits_for_the_last_pending_member(party_committee):
    item = roll(voted=everyone_but(BATER, BAOYIN))
    err = violation(party_committee, item, BATER)
    assert err.key == "chair_must_speak_last"
    assert str(err).endswith("尚待表态：宝音")
    assert pending_before_chair(party_committee, item) == [BAOYIN.person_id]


def test_chair_votes_last(party_committee):
    item = roll(voted=everyone_but(BATER))
    assert check(party_committee, item, BATER.person_id, "agree") is None


def test_absent_and_recused_members_are_not_waited_for(party_committee):
    present = everyone_but(NAREN)
    item = roll(present=present, recused=[MENGHE], voted=everyone_but(BATER, NAREN, MENGHE))
    assert pending_before_chair(party_committee, item) == []
    assert check(party_committee, item, BATER.person_id, "disagree") is None


def test_members_other_than_the_chair_vote_in_any_order(party_committee):
    assert check(party_committee, roll(), BAOYIN.person_id, "abstain") is None
    assert check(party_committee, roll(), WANG_JIANHUA.person_id, "agree") is None


def test_acting_chair_must_speak_last_when_chair_recused(party_committee):
    """DOMAIN §6.2.2: 巴特尔 is recused, 王建华 presides and it is 王建华 who speaks last."""
    item = roll(recused=[BATER])
    err = violation(party_committee, item, WANG_JIANHUA)
    assert err.key == "chair_must_speak_last"
    assert str(err).endswith("尚待表态：额尔敦、孟和、赵秀梅、特木尔、那仁、陈国庆、宝音")
    assert "巴特尔" not in str(err)
    assert violation(party_committee, item, BATER).key == "not_a_voter"
    done = roll(recused=[BATER], voted=everyone_but(BATER, WANG_JIANHUA))
    assert check(party_committee, done, WANG_JIANHUA.person_id, "agree") is None


def test_second_vote_refused(party_committee):
    item = roll(voted=[WANG_JIANHUA, MENGHE])
    err = violation(party_committee, item, WANG_JIANHUA, "disagree")
    assert err.key == "already_voted"
    assert str(err) == "王建华已对本议题表决，同一人对同一议题只能表决一次"


def test_chair_second_vote_refused(party_committee):
    item = roll(voted=PARTY)
    assert violation(party_committee, item, BATER).key == "already_voted"


def test_recused_member_may_not_vote(party_committee):
    err = violation(party_committee, roll(recused=[MENGHE]), MENGHE)
    assert err.key == "not_a_voter"
    assert str(err) == "孟和不是本议题的表决成员（未到会、已离席、已回避或非本机构成员）"


def test_absent_member_may_not_vote(party_committee):
    err = violation(party_committee, roll(present=everyone_but(CHEN_GUOQING)), CHEN_GUOQING)
    assert err.key == "not_a_voter"
    assert str(err).startswith("陈国庆不是本议题的表决成员")


def test_non_member_may_not_vote(party_committee):
    err = violation(party_committee, roll(), LIU_ZHIGANG)
    assert err.key == "not_a_voter"


def test_postpone_refused_on_a_general_item(party_committee):
    err = violation(party_committee, roll(), MENGHE, "postpone")
    assert err.key == "bad_vote_option"
    assert str(err) == "表决选项「postpone」不适用，可选：agree（同意）、disagree（不同意）、abstain（弃权）"


def test_abstain_refused_on_a_personnel_item(party_committee):
    err = violation(party_committee, roll(personnel=True), MENGHE, "abstain")
    assert err.key == "bad_vote_option"
    assert str(err) == "表决选项「abstain」不适用，可选：agree（同意）、disagree（不同意）、postpone（缓议）"


def test_postpone_allowed_on_a_personnel_item(party_committee):
    assert check(party_committee, roll(personnel=True), MENGHE.person_id, "postpone") is None


def test_no_vote_without_quorum(party_committee):
    item = roll(present=(BATER, WANG_JIANHUA, EERDUN, MENGHE, ZHAO_XIUMEI))
    with pytest.raises(QuorumNotMet) as info:
        check(party_committee, item, MENGHE.person_id, "agree")
    assert info.value.key == "quorum_not_met"
    assert str(info.value) == ("未达到法定人数：应到会9人，回避0人，计算基数9人，实到（未回避）5人，"
                               "法定人数须6人（不少于2/3）")


def test_quorum_lost_mid_item_blocks_remaining_votes(party_committee):
    """A member leaves mid-meeting: quorum is re-checked for every ballot (DOMAIN §6.2.6)."""
    six = (BATER, WANG_JIANHUA, EERDUN, MENGHE, ZHAO_XIUMEI, TEMUER)
    assert check(party_committee, roll(present=six, voted=[MENGHE]), TEMUER.person_id, "agree") is None
    five = six[:-1]
    with pytest.raises(QuorumNotMet):
        check(party_committee, roll(present=five, voted=[MENGHE]), ZHAO_XIUMEI.person_id, "agree")


def test_chair_speaks_last_off_for_staff_congress(policy_set):
    body = policy_set.body("staff_congress")
    reps = (Seat(401, "敖登格日乐", "union_chair"), Seat(402, "吴海燕", "staff_representative"),
            Seat(403, "朝鲁门", "staff_representative"), Seat(404, "马俊", "staff_representative"))
    assert check(body, roll(seats=reps), 401, "agree") is None


def test_missing_votes(party_committee):
    item = roll(present=everyone_but(NAREN), recused=[MENGHE], voted=(WANG_JIANHUA, EERDUN, ZHAO_XIUMEI))
    assert list(missing_votes(item)) == [BATER.person_id, TEMUER.person_id, CHEN_GUOQING.person_id,
                                         BAOYIN.person_id]


# --- tally ---------------------------------------------------------------------------------


@pytest.fixture
def majority_quorum_body(party_committee):
    """The 党委会 with a > 1/2 general quorum, as some 议事规则 have (DOMAIN §3)."""
    return dataclasses.replace(party_committee, quorum=Ratio(Fraction(1, 2), strict=True))


def test_five_of_nine_present_all_agree_passes(majority_quorum_body):
    item = roll(present=PARTY[:5], voted=PARTY[:5])
    assert quorum_state(majority_quorum_body, item).met is True
    result = tally(majority_quorum_body, item, ["agree"] * 5)
    assert (result.result, result.required, result.base) == ("passed", 5, 9)
    assert result.counts == {"agree": 5, "disagree": 0, "abstain": 0}
    assert result.basis == "同意5票，须超过应到会人数（9人）的1/2，即至少5票"


def test_four_agree_of_nine_fails_even_if_everyone_present_agrees(majority_quorum_body):
    """Absences count against: 4 of 9 is not more than half of 应到会 (DOMAIN §6.2.7)."""
    item = roll(present=PARTY[:5], voted=PARTY[:5])
    result = tally(majority_quorum_body, item, ["agree", "agree", "agree", "agree", "abstain"])
    assert (result.result, result.required) == ("not_passed", 5)
    assert result.counts == {"agree": 4, "disagree": 0, "abstain": 1}


def test_recused_members_leave_the_pass_base(party_committee):
    item = roll(recused=[MENGHE], voted=everyone_but(MENGHE))
    result = tally(party_committee, item, ["agree"] * 5 + ["disagree"] * 3)
    assert (result.result, result.base, result.required) == ("passed", 8, 5)


def test_tie_is_not_passed(party_committee):
    item = roll(present=everyone_but(BAOYIN), voted=everyone_but(BAOYIN))
    result = tally(party_committee, item, ["agree"] * 4 + ["disagree"] * 4)
    assert result.result == "not_passed"
    assert result.counts["agree"] == result.counts["disagree"] == 4


def test_personnel_tie_with_postpone_equal_to_disagree_is_not_passed(party_committee):
    item = roll(personnel=True, voted=PARTY)
    result = tally(party_committee, item, ["agree"] * 3 + ["disagree"] * 3 + ["postpone"] * 3)
    assert result.result == "not_passed"


def test_postpone_outnumbering_disagree_postpones(party_committee):
    item = roll(personnel=True, voted=PARTY)
    result = tally(party_committee, item, ["agree"] * 4 + ["disagree"] * 1 + ["postpone"] * 4)
    assert result.result == "postponed"
    assert result.counts == {"agree": 4, "disagree": 1, "postpone": 4}


def test_enough_agree_passes_even_with_many_postpones(party_committee):
    item = roll(personnel=True, voted=PARTY)
    result = tally(party_committee, item, ["agree"] * 5 + ["postpone"] * 4)
    assert result.result == "passed"


def test_pass_base_present_variant(party_committee):
    present_body = dataclasses.replace(party_committee, pass_base="present")
    six = PARTY[:6]
    item = roll(present=six, voted=six)
    ballots = ["agree"] * 4 + ["disagree"] * 2
    by_present = tally(present_body, item, ballots)
    assert (by_present.result, by_present.base, by_present.required) == ("passed", 6, 4)
    assert by_present.basis == "同意4票，须超过实到会人数（6人）的1/2，即至少4票"
    by_expected = tally(party_committee, item, ballots)
    assert (by_expected.result, by_expected.base, by_expected.required) == ("not_passed", 9, 5)


def test_pass_base_present_excludes_recused(party_committee):
    present_body = dataclasses.replace(party_committee, pass_base="present")
    item = roll(recused=[MENGHE, ZHAO_XIUMEI], voted=everyone_but(MENGHE, ZHAO_XIUMEI))
    result = tally(present_body, item, ["agree"] * 4 + ["disagree"] * 3)
    assert (result.base, result.required, result.result) == (7, 4, "passed")


def test_tally_basis_wording_matches_an_at_least_ratio(party_committee):
    """With pass_ratio ">=2/3" six of nine is enough; the basis must not say "须超过 … 2/3"."""
    body = dataclasses.replace(party_committee, pass_ratio=Ratio(Fraction(2, 3), strict=False))
    result = tally(body, roll(voted=PARTY), ["agree"] * 6 + ["disagree"] * 3)
    assert (result.result, result.required) == ("passed", 6)
    assert "即至少6票" in result.basis
    assert "须超过" not in result.basis
