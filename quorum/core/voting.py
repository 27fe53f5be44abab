"""Meeting rules for one agenda item: quorum, who chairs, who may vote when, and the result.

All functions are pure. The service layer gathers the facts of an item into an ItemRoll
(who is expected, who is present right now, who is recused, who has voted) and asks these
functions; nothing here reads a clock or a database.

Rules (defaults from DOMAIN.md §2 W1, §3 and §6.2; every number comes from the BodySpec):
- quorum is counted per item among non-recused members, with the body's general ratio or its
  personnel ratio; fewer than `min_unconflicted_present` non-recused members present means the
  item must go to the superior body;
- the pass threshold is a ratio of the expected base (or of those present, if the body says so);
  recused members leave the base when `recusal_reduces_base`;
- chair_speaks_last: the chair (or the acting chair when the chair is recused or away) votes only after
  every other present, non-recused member has voted;
- postpone counts as not-agree; if postpone outnumbers disagree the matter goes back with reasons.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from quorum.core.errors import InvalidInput, NotPermitted, QuorumNotMet, VotingRuleViolated
from quorum.core.messages import message
from quorum.core.spec import BodySpec
from quorum.core.states import ItemStatus


@dataclass(frozen=True)
class Seat:
    person_id: int
    name: str
    role: str


@dataclass(frozen=True)
class ItemRoll:
    """Who counts for one agenda item at one moment."""

    seats: tuple[Seat, ...]          # 应到会 members, in seat order
    present: frozenset[int]          # members in the room now (arrived, not left)
    recused: frozenset[int]
    voted: frozenset[int]            # members whose ballot (or secret receipt) is recorded
    personnel: bool

    @property
    def expected(self) -> frozenset[int]:
        return frozenset(s.person_id for s in self.seats)

    @property
    def voters(self) -> frozenset[int]:
        """Present, non-recused members: the people who must vote on this item."""
        return (self.present & self.expected) - self.recused

    def name(self, person_id: int) -> str:
        return next((s.name for s in self.seats if s.person_id == person_id), str(person_id))


@dataclass(frozen=True)
class QuorumState:
    met: bool
    base: int
    required: int
    present: int
    escalate: bool
    basis: str


def quorum_state(body: BodySpec, roll: ItemRoll) -> QuorumState:
    """Check the quorum of one item and say on which basis it was counted."""
    ratio = body.personnel_quorum if roll.personnel else body.quorum
    expected = len(roll.expected)
    recused = len(roll.recused & roll.expected)
    base = expected - recused if body.recusal_reduces_base else expected
    required = max(ratio.required(base), 1)
    present = len(roll.voters)
    basis = message("quorum.basis", expected=expected, recused=recused, base=base, present=present,
                    required=required, fraction=str(ratio))
    escalate = present < body.min_unconflicted_present
    if escalate:
        basis += message("value.clause_separator") + message("quorum.too_few_unconflicted", minimum=body.min_unconflicted_present)
    return QuorumState(present >= required and not escalate, base, required, present, escalate, basis)


def require_quorum(body: BodySpec, roll: ItemRoll) -> QuorumState:
    state = quorum_state(body, roll)
    if not state.met:
        raise QuorumNotMet(reason=state.basis)
    return state


def presiding(body: BodySpec, roll: ItemRoll) -> int | None:
    """Return who presides over this item: the chair, or the first acting chair present and not recused."""
    order = [body.chair_role, *body.acting_chair_roles]
    for role in order:
        for seat in roll.seats:
            if seat.role == role and seat.person_id in roll.voters:
                return seat.person_id
    return None


def vote_options(body: BodySpec, personnel: bool) -> tuple[str, ...]:
    return body.personnel_vote_options if personnel else body.vote_options


def check_ballot(body: BodySpec, roll: ItemRoll, person_id: int, choice: str) -> None:
    """Refuse a ballot the rules of procedure forbid; return quietly when it may be cast."""
    options = vote_options(body, roll.personnel)
    if choice not in options:
        raise VotingRuleViolated(
            "bad_vote_option", choice=choice,
            options=message("value.list_separator").join(
                message("value.vote_option", option=o, name=message("choice." + o)) for o in options))
    if person_id in roll.voted:
        raise VotingRuleViolated("already_voted", name=roll.name(person_id))
    if person_id not in roll.voters:
        raise VotingRuleViolated("not_a_voter", name=roll.name(person_id))
    require_quorum(body, roll)
    if body.chair_speaks_last and person_id == presiding(body, roll):
        pending = pending_before_chair(body, roll)
        if pending:
            raise VotingRuleViolated("chair_must_speak_last",
                                     pending=message("value.list_separator").join(roll.name(p) for p in pending))


def pending_before_chair(body: BodySpec, roll: ItemRoll) -> list[int]:
    """Return the present, non-recused members other than the presiding one who have not voted."""
    chair = presiding(body, roll)
    return [s.person_id for s in roll.seats
            if s.person_id in roll.voters and s.person_id != chair and s.person_id not in roll.voted]


@dataclass(frozen=True)
class Tally:
    result: str                       # passed | not_passed | postponed
    counts: dict[str, int]
    required: int
    base: int
    basis: str


def tally(body: BodySpec, roll: ItemRoll, choices: Iterable[str]) -> Tally:
    """Count the ballots of an item whose voting is complete and decide its result."""
    counts = Counter(choices)
    everyone = {o: counts.get(o, 0) for o in vote_options(body, roll.personnel)}
    if body.pass_base == "present":
        base = len(roll.voters)
    else:
        expected = len(roll.expected)
        base = expected - len(roll.recused & roll.expected) if body.recusal_reduces_base else expected
    required = body.pass_ratio.required(base)
    agree = everyone.get("agree", 0)
    base_key = body.pass_base
    if base_key == "expected" and body.recusal_reduces_base and roll.recused & roll.expected:
        base_key = "expected_less_recused"
    basis = message("tally.basis", agree=agree, base_name=message(f"base.{base_key}"), base=base,
                    compare=message("value.more_than" if body.pass_ratio.strict else "value.at_least"),
                    fraction=f"{body.pass_ratio.fraction.numerator}/{body.pass_ratio.fraction.denominator}",
                    required=required)
    if agree >= required:
        result = "passed"
    elif everyone.get("postpone", 0) > everyone.get("disagree", 0):
        result = "postponed"
    else:
        result = "not_passed"
    return Tally(result, everyone, required, base, basis)


def missing_votes(roll: ItemRoll) -> Sequence[int]:
    """Return voters who have not voted yet; an item cannot close while anyone is missing."""
    return [s.person_id for s in roll.seats if s.person_id in roll.voters and s.person_id not in roll.voted]


# --------------------------------------------------------------------------------------------
# one ballot: decide (every rule, no database) → the event the service records


@dataclass(frozen=True)
class ItemFacts:
    """What the rules of a ballot need to know of its agenda item, read by the service."""

    title: str
    status: str                        # quorum.core.states.ItemStatus
    result: str | None
    secret: bool
    unacknowledged: tuple[str, ...]    # opinions the body must acknowledge before voting (过期的前置意见 …)


@dataclass(frozen=True)
class CastBallot:
    """The command: `voter` votes `choice`; `by_proxy` when the secretariat enters a show-of-hands vote for him."""

    voter_id: int
    voter_name: str
    choice: str
    reason: str = ""
    by_proxy: bool = False
    may_enter_votes: bool = False      # the actor may enter votes for members (meeting.organise)


@dataclass(frozen=True)
class BallotCast:
    """The event: a ballot to record; `opens_voting` when it is the item's first."""

    voter_id: int
    choice: str
    reason: str
    secret: bool
    opens_voting: bool


def decide_ballot(body: BodySpec, roll: ItemRoll, item: ItemFacts, command: CastBallot) -> BallotCast:
    """Every rule a ballot must pass, in the order a person would be told: who may cast it, whether the item is
    still open, whether the voter counts, the acknowledgements, the rules of procedure (quorum, one vote,
    chair_speaks_last), and a reason for disagree or postpone on a named vote. Returns the ballot to record, or
    raises the refusal.
    """
    if command.by_proxy:
        if item.secret:
            raise NotPermitted.because("meeting.secret_ballot_own")
        if not command.may_enter_votes:
            raise NotPermitted.because("meeting.proxy_vote_secretariat")
    if item.status not in (ItemStatus.PENDING, ItemStatus.VOTING):
        raise InvalidInput.because("meeting.item_already_decided", title=item.title,
                                   result=message("result." + (item.result or "deferred")))
    if command.voter_id not in roll.expected:
        raise VotingRuleViolated("not_a_voter", name=command.voter_name)
    if item.unacknowledged:
        raise VotingRuleViolated("acknowledge_first",
                                 opinions=message("value.clause_separator").join(item.unacknowledged))
    check_ballot(body, roll, command.voter_id, command.choice)
    reason = command.reason.strip()
    if command.choice in ("disagree", "postpone") and not reason and not item.secret:
        raise InvalidInput.because("meeting.vote_reason_required")
    return BallotCast(command.voter_id, command.choice, reason, item.secret,
                      opens_voting=item.status == ItemStatus.PENDING)
