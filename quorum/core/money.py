"""Money rules: the amount that decides, tiers, split_evasion and the tolerance of an approved amount.

Pure functions over Decimal. "Or more" (yishang) includes the boundary: an amount equal to a threshold
is in the higher tier. The contract (or project) total decides, never a single payment.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quorum.core.errors import InvalidInput
from quorum.core.messages import values as value_data
from quorum.core.workflow_rules import SplitRule


@dataclass(frozen=True)
class Related:
    """An earlier request of the same unit that shares a vendor, project or purpose."""

    matter_id: int
    title: str
    amount: Decimal
    shared: str                      # which value they share, in words


@dataclass(frozen=True)
class SplitFinding:
    own: Decimal
    aggregate: Decimal
    own_tier: int
    aggregate_tier: int
    related: tuple[Related, ...]

    @property
    def crosses(self) -> bool:
        return self.aggregate_tier > self.own_tier


def basis_amount(rule: SplitRule, values: Mapping[str, Any], labels: Mapping[str, str]) -> Decimal | None:
    """Return the amount that decides (the largest basis field); a contract total below the request is refused."""
    given = [(f, values[f]) for f in rule.basis_fields if values.get(f) is not None]
    if not given:
        return None
    first_field, first = given[0]
    for name, value in given[1:]:
        if value < first:
            raise InvalidInput.because("value.amount_below", label=labels[name], first=labels[first_field])
    return max(v for _, v in given)


def tier(thresholds: Sequence[Decimal], amount: Decimal) -> int:
    """How many ascending thresholds the amount reaches ("or more" includes the boundary)."""
    return sum(1 for t in thresholds if amount >= t)


def assess_split(thresholds: Sequence[Decimal], own: Decimal, related: Sequence[Related]) -> SplitFinding:
    """Sum a request with its related ones and compare the tiers each would reach."""
    aggregate = own + sum((r.amount for r in related), Decimal(0))
    return SplitFinding(own, aggregate, tier(thresholds, own), tier(thresholds, aggregate), tuple(related))


def match_key(text: Any) -> str:
    """Normalise a vendor, project or purpose for comparison: no spaces, no case, full-width brackets folded."""
    if text is None:
        return ""
    # full-width brackets are data here: the characters folded when comparing what people typed
    folded = str(text).translate(str.maketrans(value_data.FULL_WIDTH_BRACKETS, "()")).lower()
    return "".join(folded.split())


def exceeds_tolerance(approved: Decimal, new: Decimal, tolerance: Decimal) -> bool:
    """Whether a new amount is more than the tolerance above the approved one (decreases never are)."""
    return new > approved * (Decimal(1) + tolerance)
