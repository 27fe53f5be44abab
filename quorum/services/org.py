"""People, units and posts: who holds which role, password checks, and loading a community."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session, lazyload
from werkzeug.security import check_password_hash, generate_password_hash

from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.db import Person, Post, Unit
from quorum.services import audit
from quorum.services.env import Env


def hash_password(password: str) -> str:
    """werkzeug's scrypt hash, which carries its parameters (`scrypt:32768:8:1$salt$hash`)."""
    return generate_password_hash(password, method="scrypt")


def check_password(stored: str, password: str) -> bool:
    """Check against a werkzeug hash, or a hash of the earlier `scrypt$salt$digest` form."""
    if stored.startswith("scrypt$"):
        try:
            _, salt, digest = stored.split("$")
            candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1).hex()
        except ValueError:
            return False
        return hmac.compare_digest(candidate, digest)
    try:
        return bool(stored) and check_password_hash(stored, password)
    except ValueError:
        return False


def needs_rehash(stored: str) -> bool:
    """A hash of the earlier form: replaced at the next successful sign-in."""
    return not stored.startswith("scrypt:")


def person(s: Session, username: str) -> Person:
    found = s.execute(select(Person).where(Person.username == username)
                      .options(lazyload(Person.posts))).scalar_one_or_none()   # posts: loaded when read
    if found is None:
        raise NotFound("unknown_user", username=username)
    return found


def unit(s: Session, key: str) -> Unit:
    found = s.execute(select(Unit).where(Unit.key == key)).scalar_one_or_none()
    if found is None:
        raise NotFound(what=message("org.what_unit"), ref=key)
    return found


def holders(s: Session, role: str, unit_id: int | None = None) -> list[Person]:
    """Return the active holders of a role (optionally at one unit), in post order."""
    query = (select(Person).join(Post, Post.person_id == Person.id).options(lazyload(Person.posts))
             .where(Post.role == role, Post.active.is_(True), Person.active.is_(True)).order_by(Post.id))
    if unit_id is not None:
        query = query.where(Post.unit_id == unit_id)
    return list(dict.fromkeys(s.execute(query).scalars()))


def active_people(s: Session) -> list[tuple[str, str]]:
    """Every active person as (username, label), for the person selects of the forms.

    The label is the name with the title of the person's first post in full-width brackets (the unit and the
    role) — what tells two people of the same name apart to the clerk choosing one — never the username.
    """
    rows = s.execute(select(Person.username, Person.name, Post.title)
                     .outerjoin(Post, and_(Post.person_id == Person.id, Post.active.is_(True)))
                     .where(Person.active.is_(True)).order_by(Person.id, Post.id))
    labels: dict[str, str] = {}
    for username, name, title in rows:
        if username not in labels:
            labels[username] = message("admin.person_choice", name=name, title=title) if title else name
    return list(labels.items())


@dataclass(frozen=True)
class Identity:
    """Who is signed in: an active person's id, username, name and current roles (one query)."""

    person_id: int
    username: str
    name: str
    roles: frozenset[str]
    session_version: int = 0
    must_change_password: bool = False


def identity(s: Session, person_id: int) -> Identity | None:
    """The active person with this id and the roles of their active posts, in one statement; None if inactive."""
    rows = s.execute(select(Person.id, Person.username, Person.name, Post.role, Person.session_version,
                            Person.must_change_password, Post.unit_id)
                     .outerjoin(Post, and_(Post.person_id == Person.id, Post.active.is_(True)))
                     .where(Person.id == person_id, Person.active.is_(True))).all()
    if not rows:
        return None
    found = Identity(rows[0][0], rows[0][1], rows[0][2], frozenset(r[3] for r in rows if r[3] is not None),
                     rows[0][4], rows[0][5])
    _known_posts(s)[found.person_id] = frozenset((r[3], r[6]) for r in rows if r[3] is not None)
    return found


def posts_of(s: Session, person_id: int) -> frozenset[tuple[str, int]]:
    """(role, unit id) of a person's active posts; asked once per person and transaction (a flush forgets them)."""
    known = _known_posts(s)
    if person_id not in known:
        rows = s.execute(select(Post.role, Post.unit_id).where(Post.person_id == person_id, Post.active.is_(True)))
        known[person_id] = frozenset((role, unit_id) for role, unit_id in rows)
    return known[person_id]


def roles_of(s: Session, person_id: int) -> set[str]:
    """The roles of a person's active posts (from posts_of: the same one question per transaction)."""
    return {role for role, _unit_id in posts_of(s, person_id)}


def _known_posts(s: Session) -> dict[int, frozenset[tuple[str, int]]]:
    return s.info.setdefault(ROLES_KEY, {})


ROLES_KEY = "quorum.org.roles"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_roles(s: Session, *_args: Any) -> None:
    """Posts may have changed: roles are asked again."""
    s.info.pop(ROLES_KEY, None)


def holds_any(s: Session, person_id: int, roles: Iterable[str]) -> bool:
    return bool(roles_of(s, person_id) & set(roles))


def load_community(s: Session, env: Env, data: Mapping[str, Any]) -> dict[str, int]:
    """Create the units, people and posts of a community description (the demo file's schema)."""
    if s.execute(select(Unit.id).limit(1)).first() is not None:
        raise InvalidInput.because("org.already_loaded")
    password = hash_password(str(data.get("demo_password", secrets.token_urlsafe(12))))
    units = {}
    for raw in data["units"]:
        row = Unit(key=raw["key"], name=raw["name"], short_name=raw.get("short_name", raw["name"]),
                   kind=raw["kind"], doc_prefix=raw.get("doc_prefix"))
        s.add(row)
        units[raw["key"]] = row
    s.flush()
    people = 0
    for raw in data["people"]:
        profile = {k: raw[k] for k in ("gender", "ethnicity", "birth", "education", "party") if k in raw}
        row = Person(username=raw["username"], name=raw["name"], password_hash=password, email=raw.get("email"),
                     phone=raw.get("phone"), profile=profile)
        s.add(row)
        s.flush()
        for post in raw.get("posts", []):
            if post["unit"] not in units:
                raise InvalidInput.because("org.post_unit_unknown", username=raw["username"], unit=post["unit"])
            s.add(Post(person_id=row.id, unit_id=units[post["unit"]].id, role=post["role"], title=post["title"],
                       since=env.now))
        people += 1
    s.flush()
    audit.append(s, env, None, "org.loaded", "community", None,
                 {"community": data.get("community", {}).get("name"), "units": len(units), "people": people})
    return {"units": len(units), "people": people}
