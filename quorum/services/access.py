"""Sign-in (with lockout and throttling), password changes and API tokens (only a token's SHA-256 is stored).

MLPS 2.0 identification and authentication: after `max_failures` consecutive wrong passwords an account is
locked for `lockout_minutes`, and a source address with `source_max_failures` failures in that window is
throttled. Failures are rows (person.failed_logins, login_attempt), so every web worker sees them;
a refused sign-in is therefore *returned*, not raised, so that its transaction commits the count.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from quorum.core.errors import InvalidInput, NotFound, NotPermitted
from quorum.core.messages import message
from quorum.db import ApiToken, Person
from quorum.db.access import LoginAttempt
from quorum.security_settings import SecuritySettings
from quorum.services import audit, org

TOKEN_DAYS = SecuritySettings.token_days
WRONG = "access.credentials_wrong"      # the one refusal for an unknown name and a wrong password


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the person, or a refusal (401; 429 with retry_after seconds)."""

    person: Person | None = None
    refusal: str = ""
    retry_after: int = 0


def sign_in(s: Session, env, rules: SecuritySettings, username: str, password: str, source: str) -> SignIn:
    """Check a username and password from `source`; count, lock and audit failures; audit the success."""
    window = timedelta(minutes=rules.lockout_minutes)
    username = (username or "").strip()[:64]
    failures = s.scalar(select(func.count()).select_from(LoginAttempt)
                        .where(LoginAttempt.source == source, LoginAttempt.at > env.now - window))
    if failures >= rules.source_max_failures:
        audit.append(s, env, None, "auth.throttled", "person", None, {"username": username, "source": source})
        return SignIn(refusal=message("access.source_throttled", minutes=rules.lockout_minutes),
                      retry_after=int(window.total_seconds()))
    person = s.execute(select(Person).where(Person.username == username)).scalar_one_or_none()
    if person is not None and person.locked_until is not None and person.locked_until > env.now:
        wait = int((person.locked_until - env.now).total_seconds()) + 1
        audit.append(s, env, person.id, "auth.login_locked", "person", person.id, {"source": source})
        return SignIn(refusal=message("access.account_locked", minutes=(wait + 59) // 60),
                      retry_after=wait)
    if person is None or not person.active or not org.check_password(person.password_hash, password or ""):
        _failed(s, env, rules, person, username, source)
        return SignIn(refusal=message(WRONG))
    person.failed_logins, person.locked_until = 0, None
    if org.needs_rehash(person.password_hash):
        person.password_hash = org.hash_password(password)
    audit.append(s, env, person.id, "auth.login", "person", person.id, {"source": source})
    return SignIn(person=person)


def _failed(s: Session, env, rules: SecuritySettings, person: Person | None, username: str, source: str) -> None:
    """Count a failure against the source and the account; lock the account at the limit."""
    window = timedelta(minutes=rules.lockout_minutes)
    s.execute(delete(LoginAttempt).where(LoginAttempt.at <= env.now - window))
    s.add(LoginAttempt(source=source[:64], username=username, at=env.now))
    person_id = person.id if person is not None else None
    audit.append(s, env, person_id, "auth.login_failed", "person", person_id, {"username": username, "source": source})
    if person is None:
        return
    person.failed_logins += 1
    if person.failed_logins >= rules.max_failures:
        person.failed_logins, person.locked_until = 0, env.now + window
        person.session_version += 1          # a lockout also ends the sessions already open
        audit.append(s, env, None, "auth.locked", "person", person.id,
                     {"until": person.locked_until, "source": source})


def authenticate(s: Session, username: str, password: str) -> Person:
    """Return the person for a correct username and password, else refuse with one vague message (no counting)."""
    person = s.execute(select(Person).where(Person.username == (username or "").strip())).scalar_one_or_none()
    if person is None or not person.active or not org.check_password(person.password_hash, password or ""):
        raise NotPermitted.because(WRONG)
    return person


def sign_out(s: Session, env, person_id: int) -> None:
    """End every session of this person (their session cookies carry the old version) and audit it."""
    person = s.get(Person, person_id)
    if person is not None:
        person.session_version += 1
        audit.append(s, env, person.id, "auth.logout", "person", person.id, {})


def change_password(s: Session, env, rules: SecuritySettings, person_id: int, current: str, new: str) -> int:
    """Change one's own password (the current one required); returns the new session version.

    Every other web session ends (the version) and every API token is revoked: whoever learnt the old
    password may have taken a token with it.
    """
    person = s.get(Person, person_id)
    if person is None or not org.check_password(person.password_hash, current or ""):
        raise NotPermitted.because("access.current_password_wrong")
    problem = rules.password_problem(new or "", person.username, person.name)
    if problem is not None:
        raise InvalidInput(reason=problem)
    if org.check_password(person.password_hash, new):
        raise InvalidInput.because("access.password_unchanged")
    person.password_hash = org.hash_password(new)
    person.must_change_password, person.password_changed_at = False, env.now
    person.session_version += 1
    revoked = revoke_all_tokens(s, env, person.id)
    audit.append(s, env, person.id, "auth.password_changed", "person", person.id, {"tokens_revoked": revoked})
    return person.session_version


def revoke_all_tokens(s: Session, env, person_id: int) -> int:
    """Revoke every live API token of this person (a new password ends them all); return how many."""
    result = s.execute(update(ApiToken).where(ApiToken.person_id == person_id, ApiToken.revoked.is_(False),
                                              ApiToken.expires_at > env.now)
                       .values(revoked=True).execution_options(synchronize_session="fetch"))
    return result.rowcount


def issue_token(s: Session, env, person: Person, days: int = TOKEN_DAYS) -> str:
    token = secrets.token_urlsafe(32)
    s.add(ApiToken(person_id=person.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                   created_at=env.now, expires_at=env.now + timedelta(days=days)))
    s.flush()
    return token


def person_for_token(s: Session, env, token: str) -> Person | None:
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = s.execute(select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    if row is None or row.revoked or row.expires_at <= env.now:
        return None
    person = s.get(Person, row.person_id)
    return person if person is not None and person.active else None


def tokens(s: Session, env, person: Person, everyone: bool = False) -> list[ApiToken]:
    """The unexpired, unrevoked tokens of this person (all people's for an administrator)."""
    query = select(ApiToken).where(ApiToken.revoked.is_(False), ApiToken.expires_at > env.now).order_by(ApiToken.id)
    return list(s.scalars(query if everyone else query.where(ApiToken.person_id == person.id)))


def revoke_token(s: Session, env, person: Person, token_id: int, admin: bool = False) -> None:
    """Revoke a token: its owner or an administrator; someone else's token is simply not found."""
    row = s.get(ApiToken, token_id)
    if row is None or row.revoked or not (admin or row.person_id == person.id):
        raise NotFound(what=message("access.what_token"), ref=str(token_id))
    row.revoked = True
    audit.append(s, env, person.id, "auth.token_revoked", "api_token", row.id, {"owner_id": row.person_id})
