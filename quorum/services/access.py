"""Sign-in checks and API tokens (only a token's SHA-256 is stored)."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.errors import NotPermitted
from quorum.db import ApiToken, Person
from quorum.services import org

TOKEN_DAYS = 30


def authenticate(s: Session, username: str, password: str) -> Person:
    """Return the person for a correct username and password, else refuse with one vague message."""
    person = s.execute(select(Person).where(Person.username == (username or "").strip())).scalar_one_or_none()
    if person is None or not person.active or not org.check_password(person.password_hash, password or ""):
        raise NotPermitted(reason="用户名或密码错误")
    return person


def issue_token(s: Session, env, person: Person) -> str:
    token = secrets.token_urlsafe(32)
    s.add(ApiToken(person_id=person.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                   created_at=env.now, expires_at=env.now + timedelta(days=TOKEN_DAYS)))
    s.flush()
    return token


def person_for_token(s: Session, env, token: str) -> Person | None:
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = s.execute(select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    if row is None or row.revoked or row.expires_at <= env.now:
        return None
    person = s.get(Person, row.person_id)
    return person if person is not None and person.active else None
