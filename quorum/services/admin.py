"""Administration: people, their posts (who holds which policy role where), and what the administrator reads.

Only a holder of the "administrator" role may change anything here. Nothing is ever deleted: a
person leaving is deactivated, a post ending is marked inactive, so every opinion, vote and audit
event keeps pointing at the person who gave it. Every change appends an audit event; passwords
and their hashes never enter the audit log.
"""

import re
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quorum.core.documents import UNIT_KINDS
from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.db import Delegation, Person, PolicyVersion, Post, Unit
from quorum.explain import body_rules, workflow_context
from quorum.policies import LoadedPolicies
from quorum.security_settings import SecuritySettings
from quorum.services import access, audit, documents, org, permissions
from quorum.services.env import Env

ADMINISTRATOR = "administrator"
DEFAULT_RULES = SecuritySettings()       # Quorum's own [security] rules, when a caller names none
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,38}")
UNIT_KEY = re.compile(r"[a-z][a-z0-9_]{1,63}")      # a unit's code: the organisation workbook's 单位代码


def _require_admin(s: Session, env: Env, actor: Person) -> None:
    permissions.require(s, env, actor, "admin.manage", subject="person")


def _locked_person(s: Session, person_id: int) -> Person:
    row = s.execute(select(Person).where(Person.id == person_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(what=message("admin.what_person"), ref=person_id)
    return row


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput.because("admin.name_empty")
    if len(name) > 200:
        raise InvalidInput.because("admin.name_too_long")
    return name


def _clean_contact(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    email, phone = (email or "").strip() or None, (phone or "").strip() or None
    if email and (len(email) > 200 or not EMAIL.fullmatch(email)):
        raise InvalidInput.because("admin.email_malformed", email=email)
    if phone and not PHONE.fullmatch(phone):
        raise InvalidInput.because("admin.phone_malformed", phone=phone)
    return email, phone


def _check_password(rules: SecuritySettings, password: str, username: str, name: str) -> str:
    """Refuse a password that breaks the deployment's [security] rules, as a person's own change would."""
    problem = rules.password_problem(password or "", username, name)
    if problem is not None:
        raise InvalidInput(reason=problem)
    return password


# --------------------------------------------------------------------------------------------
# people


def create_person(s: Session, env: Env, actor: Person, username: str, name: str, password: str,
                  email: str | None = None, phone: str | None = None,
                  rules: SecuritySettings = DEFAULT_RULES) -> Person:
    """Create a person who can sign in; the username is unique regardless of letter case.

    The password the administrator chose follows `rules` and must be replaced at the first sign-in.
    """
    _require_admin(s, env, actor)
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput.because("admin.username_malformed")
    if s.execute(select(Person.id).where(func.lower(Person.username) == username.lower())).first():
        raise InvalidInput.because("admin.username_taken", username=username)
    name = _clean_name(name)
    email, phone = _clean_contact(email, phone)
    row = Person(username=username, name=name,
                 password_hash=org.hash_password(_check_password(rules, password, username, name)),
                 active=True, email=email, phone=phone, profile={}, must_change_password=True)
    _insert(s, row, InvalidInput.because("admin.username_taken", username=username))
    audit.append(s, env, actor.id, "org.person_created", "person", row.id,
                 {"username": username, "name": name, "email": email, "phone": phone})
    return row


def update_person(s: Session, env: Env, actor: Person, person_id: int, name: str, email: str | None,
                  phone: str | None, active: bool) -> Person:
    """Change a person's name, contact details or whether their account is active."""
    _require_admin(s, env, actor)
    row = _locked_person(s, person_id)
    new = {"name": _clean_name(name), **dict(zip(("email", "phone"), _clean_contact(email, phone), strict=True)),
           "active": bool(active)}
    if row.id == actor.id and not new["active"]:
        raise InvalidInput.because("admin.deactivate_self")
    changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
    if not changes:
        return row
    for key, (_old, value) in changes.items():
        setattr(row, key, value)
    audit.append(s, env, actor.id, "org.person_updated", "person", row.id,
                 {"username": row.username, "changes": changes})
    return row


def set_password(s: Session, env: Env, actor: Person, person_id: int, password: str,
                 rules: SecuritySettings = DEFAULT_RULES) -> Person:
    """Set a new password (e.g. reset a forgotten one); the audit event records that, never the password."""
    _require_admin(s, env, actor)
    row = _locked_person(s, person_id)
    row.password_hash = org.hash_password(_check_password(rules, password, row.username, row.name))
    # Someone else's reset: they must choose their own at next sign-in; it also unlocks, ends their sessions
    # and revokes their API tokens.
    row.must_change_password = row.id != actor.id
    row.failed_logins, row.locked_until, row.session_version = 0, None, row.session_version + 1
    revoked = access.revoke_all_tokens(s, env, row.id)
    audit.append(s, env, actor.id, "org.password_set", "person", row.id,
                 {"username": row.username, "tokens_revoked": revoked})
    return row


# --------------------------------------------------------------------------------------------
# posts


def add_post(s: Session, env: Env, actor: Person, person_id: int, role: str, unit_key: str, title: str) -> Post:
    """Give a person a policy role at a unit; an ended post for the same role and unit is taken up again."""
    _require_admin(s, env, actor)
    holder = _locked_person(s, person_id)
    roles = env.policies.policy_set.roles
    if role not in roles:
        raise InvalidInput.because("admin.role_unknown", role=role)
    unit = s.execute(select(Unit).where(Unit.key == (unit_key or "").strip())).scalar_one_or_none()
    if unit is None:
        raise InvalidInput.because("admin.unit_unknown", unit=unit_key)
    if not holder.active:
        raise InvalidInput.because("admin.holder_inactive", name=holder.name)
    title = (title or "").strip() or roles[role]
    post = s.execute(select(Post).where(Post.person_id == holder.id, Post.role == role, Post.unit_id == unit.id)
                     .with_for_update(of=Post)).scalar_one_or_none()
    if post is not None and post.active:
        raise InvalidInput.because("admin.post_held", name=holder.name, unit=unit.short_name, role=roles[role])
    resumed = post is not None
    if post is None:
        post = Post(person_id=holder.id, unit_id=unit.id, role=role, title=title, active=True, since=env.now)
        s.add(post)
    else:
        post.title, post.active, post.since = title, True, env.now
    s.flush()
    audit.append(s, env, actor.id, "org.post_added", "post", post.id,
                 {"username": holder.username, "role": role, "unit": unit.key, "title": title, "resumed": resumed})
    return post


def end_post(s: Session, env: Env, actor: Person, post_id: int) -> Post:
    """End a post (it stays on record as inactive); the last administrator post cannot end."""
    _require_admin(s, env, actor)
    post = s.execute(select(Post).where(Post.id == post_id).with_for_update(of=Post)).scalar_one_or_none()
    if post is None:
        raise NotFound(what=message("admin.what_post"), ref=post_id)
    if not post.active:
        raise InvalidInput.because("admin.post_ended")
    if post.role == ADMINISTRATOR and not _other_administrators(s, post):
        raise InvalidInput.because("admin.last_administrator")
    post.active = False
    audit.append(s, env, actor.id, "org.post_ended", "post", post.id,
                 {"username": post.person.username, "role": post.role, "unit": post.unit.key, "title": post.title})
    return post


def _other_administrators(s: Session, post: Post) -> bool:
    """Whether an active administrator post of an active person remains once this one ends."""
    other = (select(Post.id).join(Person, Person.id == Post.person_id)
             .where(Post.role == ADMINISTRATOR, Post.active.is_(True), Person.active.is_(True), Post.id != post.id))
    return s.execute(other.limit(1)).first() is not None


# --------------------------------------------------------------------------------------------
# units and their 机关代字 (issue 15, item 1: a county enters its own units)


def unit_kinds() -> list[tuple[str, str]]:
    """(kind, its Chinese name) of every unit kind, for the forms."""
    return [(kind, message(f"onboarding.kind_{kind}")) for kind in UNIT_KINDS]


def _unit_fields(name: str, short_name: str, kind: str) -> dict[str, str]:
    name = _clean_name(name)
    short_name = (short_name or "").strip() or name
    if len(short_name) > 200:
        raise InvalidInput.because("admin.name_too_long")
    if kind not in UNIT_KINDS:
        raise InvalidInput.because("onboarding.unit_kind_unknown", kind=kind)
    return {"name": name, "short_name": short_name, "kind": kind}


def create_unit(s: Session, env: Env, actor: Person, key: str, name: str, short_name: str, kind: str,
                code: str = "") -> Unit:
    """Add a unit under a new code; its issuing organ's code, if given, is registered as `quorum unit set-code` does."""
    permissions.require(s, env, actor, "admin.manage", subject="unit")
    key = (key or "").strip()
    if not UNIT_KEY.fullmatch(key):
        raise InvalidInput.because("onboarding.unit_key_malformed", key=key)
    if s.execute(select(Unit.id).where(Unit.key == key)).first() is not None:
        raise InvalidInput.because("onboarding.unit_taken", key=key)
    row = Unit(key=key, **_unit_fields(name, short_name, kind))
    _insert(s, row, InvalidInput.because("onboarding.unit_taken", key=key))
    audit.append(s, env, actor.id, "org.unit_created", "unit", row.id,
                 {"key": key, "name": row.name, "short_name": row.short_name, "kind": row.kind})
    if (code or "").strip():
        documents.set_unit_code(s, env, actor, key, code)
    return row


def update_unit(s: Session, env: Env, actor: Person, unit_id: int, name: str, short_name: str, kind: str,
                code: str = "") -> Unit:
    """Change a unit's names or kind, and register a new issuing organ's code (blank keeps the one registered)."""
    permissions.require(s, env, actor, "admin.manage", subject="unit")
    row = s.execute(select(Unit).where(Unit.id == unit_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(what=message("onboarding.what_unit"), ref=unit_id)
    new = _unit_fields(name, short_name, kind)
    changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
    for key, (_old, value) in changes.items():
        setattr(row, key, value)
    if changes:
        audit.append(s, env, actor.id, "org.unit_updated", "unit", row.id, {"key": row.key, "changes": changes})
    code = (code or "").strip()
    if code and code != row.doc_prefix:
        documents.set_unit_code(s, env, actor, row.key, code)
    return row


def _unit_view(unit: Unit, holders: int = 0) -> dict[str, Any]:
    return {"id": unit.id, "key": unit.key, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind,
            "kind_name": message(f"onboarding.kind_{unit.kind}") if unit.kind in UNIT_KINDS else unit.kind,
            "doc_prefix": unit.doc_prefix or "", "holders": holders}


def units(s: Session) -> list[dict[str, Any]]:
    """Every unit with how many people hold an active post there, in the order they were entered."""
    counts = dict(s.execute(select(Post.unit_id, func.count(func.distinct(Post.person_id)))
                            .where(Post.active.is_(True)).group_by(Post.unit_id)).all())
    return [_unit_view(u, counts.get(u.id, 0)) for u in s.execute(select(Unit).order_by(Unit.id)).scalars()]


def unit_record(s: Session, unit_id: int) -> dict[str, Any]:
    row = s.get(Unit, unit_id)
    if row is None:
        raise NotFound(what=message("onboarding.what_unit"), ref=unit_id)
    return _unit_view(row)


# --------------------------------------------------------------------------------------------
# reading


def _post_view(post: Post, roles: dict[str, str] | Any) -> dict[str, Any]:
    return {"id": post.id, "role": post.role, "role_name": roles.get(post.role, post.role), "unit": post.unit.key,
            "unit_name": post.unit.short_name, "title": post.title, "active": post.active, "since": post.since}


def _person_view(person: Person, roles: Any) -> dict[str, Any]:
    posts = sorted(person.posts, key=lambda p: (not p.active, p.id))
    return {"id": person.id, "username": person.username, "name": person.name, "email": person.email or "",
            "phone": person.phone or "", "active": person.active, "posts": [_post_view(p, roles) for p in posts]}


def people(s: Session, env: Env, query: str = "") -> list[dict[str, Any]]:
    """Everyone with their posts; `query` matches username, name, phone, e-mail or a post title."""
    stmt = select(Person).order_by(Person.active.desc(), Person.id)
    text = (query or "").strip()
    if text:
        like = f"%{text}%"
        titles = select(Post.person_id).where(Post.title.ilike(like))
        stmt = stmt.where(or_(Person.username.ilike(like), Person.name.ilike(like), Person.phone.ilike(like),
                              Person.email.ilike(like), Person.id.in_(titles)))
    roles = env.policies.policy_set.roles
    return [_person_view(p, roles) for p in s.execute(stmt).scalars()]


def person_record(s: Session, env: Env, person_id: int) -> dict[str, Any]:
    person = s.get(Person, person_id)
    if person is None:
        raise NotFound(what=message("admin.what_person"), ref=person_id)
    return _person_view(person, env.policies.policy_set.roles)


def choices(s: Session, env: Env) -> dict[str, Any]:
    """What the forms offer: roles from the policies, units and active people from the database."""
    units = s.execute(select(Unit).order_by(Unit.id)).scalars()
    ids = dict(s.execute(select(Person.username, Person.id).where(Person.active.is_(True))).all())
    return {"roles": list(env.policies.policy_set.roles.items()),
            "units": [(u.key, u.short_name) for u in units],
            "people": [(ids[username], label) for username, label in org.active_people(s)]}


def body_seats(s: Session, env: Env) -> list[dict[str, Any]]:
    """For each body: its seat roles and who holds them now, its chair and acting chairs.

    A person holding two seat roles of one body has one seat (as when a meeting is scheduled).
    """
    policies = env.policies.policy_set
    out = []
    for body in policies.bodies.values():
        seated: set[int] = set()
        seats = []
        for role in body.seat_roles:
            holders = _holders(s, role)
            seats.append({"role": role, "role_name": policies.role_name(role),
                          "holders": [dict(h, duplicate=h["person_id"] in seated) for h in holders]})
            seated |= {h["person_id"] for h in holders}
        chairs = [{"role": r, "role_name": policies.role_name(r), "holders": _holders(s, r)}
                  for r in (body.chair_role, *body.acting_chair_roles)]
        out.append({"key": body.key, "name": body.name, "short_name": body.short_name, "seats": seats,
                    "seat_count": len(seated), "chair": chairs[0], "acting_chairs": chairs[1:],
                    "roles": list(dict.fromkeys((*body.seat_roles, body.chair_role, *body.acting_chair_roles)))})
    return out


def _holders(s: Session, role: str) -> list[dict[str, Any]]:
    rows = s.execute(select(Post, Person).join(Person, Person.id == Post.person_id)
                     .where(Post.role == role, Post.active.is_(True), Person.active.is_(True)).order_by(Post.id))
    return [{"person_id": person.id, "name": person.name, "username": person.username, "post_id": post.id,
             "unit_name": post.unit.short_name, "title": post.title} for post, person in rows]


def delegation_overview(s: Session, env: Env) -> list[dict[str, Any]]:
    """Every delegation, newest first, with the names and whether it is in force now."""
    rows = list(s.execute(select(Delegation).order_by(Delegation.starts.desc(), Delegation.id.desc())).scalars())
    ids = {i for d in rows for i in (d.principal_id, d.delegate_id, d.created_by_id)}
    names = {pid: name for pid, name in s.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))}
    out = []
    for d in rows:
        state = ("cancelled" if not d.active else "ended" if d.ends <= env.now
                 else "upcoming" if d.starts > env.now else "in_force")
        out.append({"id": d.id, "principal": names.get(d.principal_id), "delegate": names.get(d.delegate_id),
                    "created_by": names.get(d.created_by_id), "starts": d.starts, "ends": d.ends, "reason": d.reason,
                    "state": state, "cancellable": state in ("upcoming", "in_force")})
    return out


def policy_overview(s: Session, loaded: LoadedPolicies) -> dict[str, Any]:
    """The rules in force, described as `quorum policy explain` does, and every version stored so far."""
    policies = loaded.policy_set
    versions = s.execute(select(PolicyVersion).order_by(PolicyVersion.id.desc())).scalars()
    return {"label": policies.label, "digest": loaded.digest, "meta": dict(policies.meta),
            "workflows": [workflow_context(policies, wf) for wf in policies.workflows.values()],
            "bodies": [{"key": b.key, "name": b.name, "short_name": b.short_name,
                        "min_meetings_per_year": b.min_meetings_per_year, "rules": body_rules(policies, b)}
                       for b in policies.bodies.values()],
            "roles": list(policies.roles.items()),
            "versions": [{"label": v.label, "digest": v.digest, "loaded_at": v.loaded_at,
                          "current": v.digest == loaded.digest} for v in versions]}


def _insert(s: Session, row: object, taken: InvalidInput) -> None:
    """Add a new row now; a unique key another writer took in the meantime is refused as `taken`."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        raise taken from None
