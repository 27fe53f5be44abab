"""What a failure below the rules means to the person who met it: one reading for the web, the API and the CLI.

A lost optimistic lock or a unique key taken meanwhile is a conflict (409: reload and try again); a value the
database cannot hold is bad input (422); a pool or lock timeout is a busy database (503: nothing changed, try
again shortly). Anything else is a fault and stays one.
"""

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from quorum.core.errors import Conflict, InvalidInput, QuorumError, ServiceBusy

DATABASE_FAILURES = (StaleDataError, IntegrityError, DataError, OperationalError, DBAPIError, PoolTimeout)
BUSY_SIGNS = ("database is locked", "lock timeout", "lock_timeout", "could not serialize", "deadlock detected",
              "canceling statement due to lock", "could not obtain lock")


def busy(exc: BaseException) -> bool:
    """A pool or lock timeout: the database is busy, not broken — the request may simply be tried again."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError | DBAPIError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return any(sign in text for sign in BUSY_SIGNS)


def refusal_for(exc: BaseException) -> QuorumError | None:
    """The refusal a person is shown for a database failure, or None when it is a fault to report."""
    if isinstance(exc, StaleDataError | IntegrityError):
        return Conflict.because("conflict.changed_meanwhile")
    if isinstance(exc, DataError):
        return InvalidInput.because("api.out_of_range")
    if busy(exc):
        return ServiceBusy()
    return None
