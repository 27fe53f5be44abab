"""The engine's exceptions: one base, one subclass per kind of refusal.

Each carries a message key from quorum.core.messages so that every entry point (web, API, CLI)
shows the same Chinese text, plus the key itself for machines.
"""

from quorum.core.messages import message


class QuorumError(Exception):
    """A refusal the user can understand and act on."""

    key = "invalid_input"
    http_status = 422

    reason_key = ""

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(message(self.key, **params))

    @classmethod
    def because(cls, reason_key: str, /, **params: object) -> "QuorumError":
        """Return this kind of refusal with the reason worded by message key `reason_key`.

        The text is the class's own wording around the reason ("not permitted: ..."); `key` stays the class's
        key for machines and `reason_key` names the reason.
        """
        error = cls(reason=message(reason_key, **params))
        error.reason_key = reason_key
        return error

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
    """A refusal of who the actor is; `action`, `subject` and `subject_id` say what was tried, for the record."""

    key = "not_permitted"
    http_status = 403
    action = ""
    subject = ""
    subject_id: int | None = None


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
    """A ballot the body's rules of procedure forbid (second vote, chair too early, wrong option)."""

    key = "invalid_input"
    http_status = 409


class ServiceBusy(QuorumError):
    """The database is busy (a pool or lock timeout): nothing was changed; try again shortly."""
    key = "service_busy"
    http_status = 503
