"""Who may do what outside a task's own buttons: the grants of policies/permissions.toml, and the one check.

A permission names an action (report a supervision item's progress, mark a matter urgent, sign_off ...). It is
granted to
  roles        held anywhere (a post at any unit);
  unit_roles   held at one of the units the action concerns (the supervision item's lead unit, the matter's unit);
  relations    the actor's own relation to the object, computed by the service that asks:
               initiator (filed the matter), hearing_principal (principal of a body the matter will still meet
               in), owner (the object is the actor's own: their delegation), task_holder (holds
               or held a task on the matter).
A person may act when any one of the three holds. The services compute the actor's Standing toward the object
and ask `allows`; the pages ask the same function to decide which buttons to show.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message

RELATIONS = ("initiator", "hearing_principal", "owner", "task_holder")
# The actions the engine asks about; policies/permissions.toml must grant each (and nothing else).
ACTIONS = ("supervision.report", "supervision.complete", "supervision.import", "matter.mark_urgent",
           "matter.file_for_other_unit", "matter.urge", "matter.copy", "matter.attach", "matter.view_all",
           "expenditure.change_amount", "publicity.record_objection", "publicity.resolve_objection",
           "meeting.organise", "meeting.view_all", "delegation.manage", "audit.inspect", "outbox.retry",
           "calendar.load", "admin.manage",
           "register.decisions", "register.supervision", "register.documents")
_KEYS = {"name", "who", "roles", "unit_roles", "relations"}


@dataclass(frozen=True)
class Grant:
    """One permission: its action key, its name as people say it, and to whom it is granted."""

    action: str
    name: str
    roles: tuple[str, ...] = ()          # in the order the policy lists them (refusals name them so)
    unit_roles: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    who: str = ""                        # who may, in words (责任单位负责人或党政办); else the roles are listed


@dataclass(frozen=True)
class Standing:
    """What the actor is toward one object: roles held anywhere, roles held at its units, relations to it."""

    roles: frozenset[str] = frozenset()
    unit_roles: frozenset[str] = frozenset()
    relations: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Permissions:
    """The grants of one policy set, by action key."""

    grants: Mapping[str, Grant] = field(default_factory=dict)

    def grant(self, action: str) -> Grant:
        found = self.grants.get(action)
        if found is None:
            raise KeyError(f"no permission {action!r} in policies/permissions.toml")
        return found

    def roles_for(self, action: str) -> frozenset[str]:
        """Every role that may grant the action somewhere (roles and unit_roles): for lists and queries."""
        grant = self.grant(action)
        return frozenset(grant.roles) | frozenset(grant.unit_roles)


def allows(grant: Grant, standing: Standing) -> bool:
    """Whether the standing satisfies the grant: a role anywhere, a role at the object's unit, or a relation."""
    return bool(standing.roles.intersection(grant.roles) or standing.unit_roles.intersection(grant.unit_roles)
                or standing.relations.intersection(grant.relations))


def holders_named(grant: Grant, role_name) -> str:
    """Who the grant names, in words (its `who`, else the names of its roles and relations), for a refusal's reason."""
    if grant.who:
        return grant.who
    names = [role_name(r) for r in (*grant.roles, *grant.unit_roles)]
    names += [message(f"permission.relation.{r}") for r in grant.relations]
    return message("value.list_separator").join(dict.fromkeys(names))


def parse_permissions(data: Mapping[str, Any] | None, roles: Iterable[str], source: str) -> Permissions:
    """Validate policies/permissions.toml against the declared roles; errors name the file and the action."""
    known = set(roles)
    table = (data or {}).get("permissions", {})
    if not isinstance(table, Mapping):
        raise InvalidPolicy(source=source, reason=message("permission.policy_no_table"))
    for action in table:
        if action not in ACTIONS:
            raise InvalidPolicy(source=source, reason=message("permission.policy_unknown_action", action=action,
                                                              known=message("value.list_separator").join(ACTIONS)))
    for action in ACTIONS:
        if action not in table:
            raise InvalidPolicy(source=source, reason=message("permission.policy_missing", action=action))
    return Permissions({action: _grant(action, raw, known, source) for action, raw in table.items()})


def _grant(action: str, raw: Any, known: set[str], source: str) -> Grant:
    def fail(wording: str, **params: object) -> InvalidPolicy:
        return InvalidPolicy(source=source, reason=message(wording, action=action, **params))

    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise fail("permission.policy_no_name")
    unknown = set(raw) - _KEYS
    if unknown:
        raise fail("permission.policy_unknown_key", keys=message("value.list_separator").join(sorted(unknown)))
    lists = {}
    for key in ("roles", "unit_roles", "relations"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("permission.policy_not_list", field=key)
        lists[key] = tuple(dict.fromkeys(value))
    for role in (*lists["roles"], *lists["unit_roles"]):
        if role not in known:
            raise fail("permission.policy_unknown_role", role=role)
    for relation in set(lists["relations"]) - set(RELATIONS):
        raise fail("permission.policy_unknown_relation", relation=relation, known=message("value.list_separator").join(RELATIONS))
    if not any(lists.values()):
        raise fail("permission.policy_nobody")
    who = raw.get("who", "")
    if not isinstance(who, str):
        raise fail("permission.policy_not_text", field="who")
    return Grant(action, raw["name"].strip(), **lists, who=who.strip())
