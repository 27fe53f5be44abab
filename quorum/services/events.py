"""What the engine announces, and the routes that react to it in the same transaction.

The aggregates below the documents (matters, meetings, supervision) do not call the modules that
react to them: they `publish` an event, and the routes in quorum/services/reactions.py (installed
with the package) run each reaction at once, in order, inside the publisher's transaction — so a
reaction that refuses (a reply with no request for instructions to answer) still rolls the whole change
back. This keeps the import graph one-way: the documents read the matters, never the other way round.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from quorum.db import Matter, MatterStep, Meeting
from quorum.services.env import Env


@dataclass(frozen=True)
class StepActivated:
    matter: Matter
    step: MatterStep


@dataclass(frozen=True)
class StepFinished:
    matter: Matter
    step: MatterStep


@dataclass(frozen=True)
class MeetingScheduled:
    meeting: Meeting


@dataclass(frozen=True)
class MeetingClosed:
    meeting: Meeting


@dataclass(frozen=True)
class SupervisionSettled:
    """The last open supervision item of a matter is done."""
    matter_id: int
    actor_id: int


Event = StepActivated | StepFinished | MeetingScheduled | MeetingClosed | SupervisionSettled
Reaction = Callable[[Session, Env, Event], None]

_routes: dict[type, list[Reaction]] = defaultdict(list)


def route(event_type: type, reaction: Reaction) -> None:
    """Have `reaction(s, env, event)` run whenever an event of this type is published."""
    _routes[event_type].append(reaction)


def publish(s: Session, env: Env, event: Event) -> None:
    """Run every reaction routed to the event's type, in the order routed; refusals propagate."""
    reactions = _routes.get(type(event))
    if not reactions:
        raise LookupError(f"no reaction is routed to {type(event).__name__}: quorum.services.reactions not installed")
    for reaction in reactions:
        reaction(s, env, event)
