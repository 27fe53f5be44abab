"""Bodies and their rules of procedure, parsed from policies/bodies.toml.

The parsing context lives here too, shared by every policy file: where the parser is, so that each
error names the file and the item at fault.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message


@dataclass(frozen=True)
class Ratio:
    """A share of a base: ">1/2" (strictly more than half) or ">=2/3" (at least two thirds)."""

    fraction: Fraction
    strict: bool

    def required(self, base: int) -> int:
        """Return the smallest whole count that satisfies the ratio of base."""
        exact = self.fraction * base
        if self.strict:
            return int(exact) + 1 if exact.denominator == 1 else -(-exact.numerator // exact.denominator)
        return -(-exact.numerator // exact.denominator)

    def __str__(self) -> str:
        return message("policy.ratio_strict" if self.strict else "policy.ratio_at_least",
                       numerator=self.fraction.numerator, denominator=self.fraction.denominator)


@dataclass(frozen=True)
class BodySpec:
    """A body and its rules of procedure."""

    key: str
    name: str
    short_name: str
    seat_roles: tuple[str, ...]
    chair_role: str
    acting_chair_roles: tuple[str, ...]
    principal_role: str
    quorum: Ratio
    personnel_quorum: Ratio
    pass_ratio: Ratio
    pass_base: str
    chair_speaks_last: bool
    vote_options: tuple[str, ...]
    personnel_vote_options: tuple[str, ...]
    secret_ballot_personnel: bool
    recusal_reduces_base: bool
    min_unconflicted_present: int
    notice_working_days: int
    min_meetings_per_year: int = 0
    open_early_minutes: int = 30     # a meeting opens at most this long before its time (an urgent one at once)
    scope: str = "community"      # "unit": each unit holds its own meeting (成员单位班子会), seats from that unit


class ParseContext:
    """Where we are while parsing, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, reason: str) -> InvalidPolicy:
        source = message("policy.source_where", source=self.source, where=where) if where else self.source
        return InvalidPolicy(source=source, reason=reason)


def parse_ratio(raw: Any, ctx: ParseContext, where: str) -> Ratio:
    """Parse ">1/2" or ">=2/3"."""
    text = str(raw).strip()
    strict = not text.startswith(">=")
    body = text[2:] if text.startswith(">=") else text[1:] if text.startswith(">") else None
    if body is None:
        raise ctx.fail(where, message("policy.ratio_form", text=text))
    try:
        fraction = Fraction(body)
    except (ValueError, ZeroDivisionError):
        raise ctx.fail(where, message("policy.ratio_not_fraction", text=text)) from None
    if not 0 < fraction <= 1:
        raise ctx.fail(where, message("policy.ratio_range", text=text))
    return Ratio(fraction, strict)


def require(data: Mapping, key: str, ctx: ParseContext, where: str, kind: type = str) -> Any:
    if key not in data:
        raise ctx.fail(where, message("policy.missing", setting=key))
    value = data[key]
    if not isinstance(value, kind):
        raise ctx.fail(where, message("policy.wrong_type", setting=key, type=kind.__name__))
    return value


def parse_bodies(data: Mapping, roles: Mapping[str, str], source: str) -> dict[str, BodySpec]:
    ctx = ParseContext(source)
    bodies = {}
    for key, raw in (data.get("bodies") or {}).items():
        where = message("policy.body_where", body=key)
        seat_roles = tuple(require(raw, "seat_roles", ctx, where, list))
        for role in (*seat_roles, raw.get("chair_role", ""), *raw.get("acting_chair_roles", [])):
            if role not in roles:
                raise ctx.fail(where, message("policy.unknown_role", role=role))
        options = tuple(raw.get("vote_options", ["agree", "disagree", "abstain"]))
        personnel_options = tuple(raw.get("personnel_vote_options", ["agree", "disagree", "postpone"]))
        for option in (*options, *personnel_options):
            if option not in ("agree", "disagree", "abstain", "postpone"):
                raise ctx.fail(where, message("policy.vote_option_unknown", option=option))
        if "agree" not in options or "agree" not in personnel_options:
            raise ctx.fail(where, message("policy.vote_options_need_agree"))
        pass_base = raw.get("pass_base", "expected")
        if pass_base not in ("expected", "present"):
            raise ctx.fail(where, message("policy.pass_base"))
        bodies[key] = BodySpec(
            key=key,
            name=require(raw, "name", ctx, where),
            short_name=raw.get("short_name", raw["name"]),
            seat_roles=seat_roles,
            chair_role=require(raw, "chair_role", ctx, where),
            acting_chair_roles=tuple(raw.get("acting_chair_roles", [])),
            principal_role=raw.get("principal_role", raw["chair_role"]),
            quorum=parse_ratio(raw.get("quorum", ">1/2"), ctx, where + " quorum"),
            personnel_quorum=parse_ratio(raw.get("personnel_quorum", ">=2/3"), ctx, where + " personnel_quorum"),
            pass_ratio=parse_ratio(raw.get("pass_ratio", ">1/2"), ctx, where + " pass_ratio"),
            pass_base=pass_base,
            chair_speaks_last=bool(raw.get("chair_speaks_last", True)),
            vote_options=options,
            personnel_vote_options=personnel_options,
            secret_ballot_personnel=bool(raw.get("secret_ballot_personnel", True)),
            recusal_reduces_base=bool(raw.get("recusal_reduces_base", True)),
            min_unconflicted_present=int(raw.get("min_unconflicted_present", 3)),
            notice_working_days=int(raw.get("notice_working_days", 2)),
            min_meetings_per_year=int(raw.get("min_meetings_per_year", 0)),
            open_early_minutes=int(raw.get("open_early_minutes", 30)),
            scope=_body_scope(raw, ctx, where),
        )
    if not bodies:
        raise ctx.fail("", message("policy.no_bodies"))
    return bodies


def _body_scope(raw: Mapping, ctx: ParseContext, where: str) -> str:
    scope = raw.get("scope", "community")
    if scope not in ("community", "unit"):
        raise ctx.fail(where, message("policy.body_scope"))
    return scope
