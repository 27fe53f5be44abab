"""The engine's exceptions: one base, one subclass per kind of refusal.

Each carries a message key from quorum.core.messages so that every entry point (web, API, CLI)
shows the same Chinese text, plus the key itself for machines.
"""

from quorum.core.messages import message


class QuorumError(Exception):
    """A refusal the user can understand and act on."""

    key = "invalid_input"
    http_status = 422

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(message(self.key, **params))

    @property
    def text(self) -> str:
        return str(self)


class InvalidInput(QuorumError):
    key = "invalid_input"
    http_status = 422


class InvalidPolicy(QuorumError):
    key = "invalid_policy"
    http_status = 422


class NotFound(QuorumError):
    key = "not_found"
    http_status = 404


class NotPermitted(QuorumError):
    key = "not_permitted"
    http_status = 403


class InvalidTransition(QuorumError):
    key = "invalid_transition"
    http_status = 409


class Conflict(QuorumError):
    key = "conflict"
    http_status = 409


class QuorumNotMet(QuorumError):
    key = "quorum_not_met"
    http_status = 409


class VotingRuleViolated(QuorumError):
    """A ballot the body's 议事规则 forbids (second vote, chair too early, wrong option)."""

    key = "invalid_input"
    http_status = 409
