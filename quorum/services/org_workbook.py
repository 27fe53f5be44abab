"""A county's own organisation (issue 15, item 1): the units/people/posts workbook, read, checked, applied, written.

The file is read into `OrgData` — rows of units, people and posts, each with where it came from (sheet and row)
— from an .xlsx workbook (header found below any title rows, columns in any order) or from the demo's TOML.
`import_org` checks every row against the file and the database, lists *every* bad row, and only when there is
none applies all of it in the caller's transaction (all or nothing). Re-import updates by key — the unit's code,
the username, (username, unit, role) for a post — so importing the same file twice changes nothing. Imports add
and update, never remove: ending a post or deactivating a person stays a deliberate act of the admin pages.
New people get a generated password, returned once, which they must change at their first sign-in. Every
change is an audit event; passwords never are.

Body seats are not a sheet of their own: a seat on a body is a post holding one of the body's seat roles
(policies/bodies.toml), as in the demo file. The workbook's roles sheet lists, for reference, each role and
the bodies it seats or chairs.
"""

import io
import secrets
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from quorum.core.documents import UNIT_KINDS
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.db import Person, Post, Unit
from quorum.security_settings import SecuritySettings
from quorum.services import admin, audit, documents, permissions
from quorum.services.env import Env

UNITS, PEOPLE, POSTS = "units", "people", "posts"
SHEETS = {UNITS: "onboarding.sheet_units", PEOPLE: "onboarding.sheet_people", POSTS: "onboarding.sheet_posts"}
# Each sheet's columns: (field, header message key, required, readme message key).
COLUMNS: dict[str, tuple[tuple[str, str, bool, str], ...]] = {
    UNITS: (("key", "onboarding.col_unit_key", True, "onboarding.readme_unit_key"),
            ("name", "onboarding.col_unit_name", True, "onboarding.readme_unit_name"),
            ("short_name", "onboarding.col_unit_short", False, "onboarding.readme_unit_short"),
            ("kind", "onboarding.col_unit_kind", True, "onboarding.readme_unit_kind"),
            ("doc_prefix", "onboarding.col_unit_code", False, "onboarding.readme_unit_code")),
    PEOPLE: (("username", "onboarding.col_username", True, "onboarding.readme_username"),
             ("name", "onboarding.col_person_name", True, "onboarding.readme_person_name"),
             ("phone", "onboarding.col_phone", False, "onboarding.readme_phone"),
             ("email", "onboarding.col_email", False, "onboarding.readme_email")),
    POSTS: (("username", "onboarding.col_username", True, "onboarding.readme_post_user"),
            ("unit", "onboarding.col_post_unit", True, "onboarding.readme_post_unit"),
            ("role", "onboarding.col_role", True, "onboarding.readme_post_role"),
            ("title", "onboarding.col_title", False, "onboarding.readme_post_title")),
}
WIDTHS = {UNITS: (22, 40, 22, 12, 14), PEOPLE: (18, 12, 18, 30), POSTS: (18, 22, 26, 50)}
NAME_LIMIT, PHONE_LIMIT = 200, 40
PASSWORD_ALPHABET = string.ascii_letters + string.digits
# An initial password is random (16 characters of 62: ~95 bits) and lives until the first sign-in, which must
# replace it (then hashed at full cost by org.hash_password). Guessing it offline is out of reach whatever the
# hash's cost, so it is hashed with a lighter scrypt (n = 2**12 instead of 2**15): a county of 300 people imports
# in seconds, not minutes, on a busy two-core server. werkzeug reads the parameters from the stored hash.
INITIAL_HASH = "scrypt:4096:8:1"
INITIAL_LENGTH = 16
FIXED_TIME = datetime(2026, 1, 1)          # the workbook's document properties: the same bytes for the same org


@dataclass(frozen=True)
class Row:
    """One row of a sheet (or entry of the TOML) and where it came from, for the error list."""

    where: str
    values: dict[str, str]


@dataclass
class OrgData:
    units: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)


class OrgFileInvalid(InvalidInput):
    """The file has bad rows: `errors` lists each (sheet, row, the field and the value refused). Nothing was applied."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(reason=message("onboarding.file_invalid", count=len(errors)))
        self.reason_key = "onboarding.file_invalid"
        self.errors = errors


# --------------------------------------------------------------------------------------------
# reading


def read_file(name: str, data: bytes) -> OrgData:
    """An .xlsx workbook or a .toml file (the demo's schema), by the file's name."""
    suffix = Path(name).suffix.lower()
    if suffix == ".toml":
        try:
            return from_toml(tomllib.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise OrgFileInvalid([message("onboarding.toml_malformed", detail=exc)]) from None
    if suffix in (".xlsx", ".xlsm"):
        return from_workbook(data, name)
    raise InvalidInput.because("onboarding.file_kind", name=Path(name).name)


def from_toml(raw: dict[str, Any]) -> OrgData:
    """The demo file's [[units]] and [[people]] with their `posts`; an entry is named by its table and number."""
    out = OrgData()
    for n, unit in enumerate(raw.get("units", []), start=1):
        where = message("onboarding.where_entry", sheet=_sheet(UNITS), row=n)
        out.units.append(Row(where, {k: _text(unit.get(k)) for k in ("key", "name", "short_name", "kind",
                                                                        "doc_prefix")}))
    for n, person in enumerate(raw.get("people", []), start=1):
        where = message("onboarding.where_entry", sheet=_sheet(PEOPLE), row=n)
        out.people.append(Row(where, {k: _text(person.get(k)) for k in ("username", "name", "phone", "email")}))
        for post in person.get("posts", []):
            out.posts.append(Row(where, {"username": _text(person.get("username")), "unit": _text(post.get("unit")),
                                         "role": _text(post.get("role")), "title": _text(post.get("title"))}))
    return out


def from_workbook(data: bytes, name: str = "") -> OrgData:
    """The units / people / posts sheets; every structural problem (a sheet or header missing) is listed at once."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:       # openpyxl raises many kinds (zip, xml, key) for a file that is not a workbook
        raise InvalidInput.because("onboarding.file_unreadable", name=Path(name).name or "?") from None
    out, errors = OrgData(), []
    try:
        for what in (UNITS, PEOPLE, POSTS):
            sheet_name = _sheet(what)
            if sheet_name not in book.sheetnames:
                errors.append(message("onboarding.sheet_missing", sheet=sheet_name))
                continue
            rows, problem = _sheet_rows(book[sheet_name], what)
            if problem:
                errors.append(problem)
            getattr(out, what).extend(rows)
    finally:
        book.close()
    if errors:
        raise OrgFileInvalid(errors)
    return out


def _sheet_rows(sheet: Any, what: str) -> tuple[list[Row], str | None]:
    """The rows under the header (the first of the sheet's first 10 rows naming every required column)."""
    headers = {message(key): name for name, key, _required, _readme in COLUMNS[what]}
    required = [message(key) for _name, key, needed, _readme in COLUMNS[what] if needed]
    rows = list(sheet.iter_rows(values_only=True))
    for index, row in enumerate(rows[:10]):
        cells = [_text(c) for c in row]
        if all(h in cells for h in required):
            positions = {headers[c]: i for i, c in enumerate(cells) if c in headers}
            out = []
            for number, values in enumerate(rows[index + 1:], start=index + 2):
                record = {name: _text(values[i]) if i < len(values) else "" for name, i in positions.items()}
                if any(record.values()):
                    where = message("onboarding.where_row", sheet=_sheet(what), row=number)
                    out.append(Row(where, {name: record.get(name, "") for name, *_ in COLUMNS[what]}))
            return out, None
    sep = message("cli.list_separator")
    return [], message("onboarding.error_line", where=_sheet(what),
                       reason=message("onboarding.header_missing", columns=sep.join(required)))


def _text(value: Any) -> str:
    """A cell as text: a number typed as such (a phone number) without its `.0`, blanks trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet(what: str) -> str:
    return message(SHEETS[what])


# --------------------------------------------------------------------------------------------
# checking and applying


@dataclass
class _Plan:
    errors: list[str] = field(default_factory=list)
    units: dict[str, dict[str, str]] = field(default_factory=dict)          # key → clean values
    people: dict[str, dict[str, str]] = field(default_factory=dict)         # username → clean values
    posts: list[dict[str, str]] = field(default_factory=list)               # username, unit key, role, title

    def bad(self, row: Row, reason: str, /, **params: object) -> None:
        self.errors.append(message("onboarding.error_line", where=row.where, reason=message(reason, **params)))


def import_org(s: Session, env: Env, actor: Person | None, data: OrgData, *, rules: SecuritySettings | None = None,
               check_only: bool = False, source: str = "") -> dict[str, Any]:
    """Check every row, then (unless check_only) apply all of it; return what changed and new passwords.

    `actor` None is the server's operator at the command line on a database without people (the first
    import); otherwise the actor must be an administrator. Raises OrgFileInvalid listing every bad row.
    """
    if actor is not None:
        permissions.require(s, env, actor, "admin.manage", subject="unit")
    elif s.execute(select(Person.id).limit(1)).first() is not None:
        raise InvalidInput.because("onboarding.actor_required")
    plan = _check(s, env, data)
    if plan.errors:
        raise OrgFileInvalid(plan.errors)
    return _apply(s, env, actor, plan, rules or admin.DEFAULT_RULES, check_only, source)


def _check(s: Session, env: Env, data: OrgData) -> _Plan:
    plan = _Plan()
    if not (data.units or data.people or data.posts):
        plan.errors.append(message("onboarding.file_empty"))
        return plan
    db_units = {u.key: u for u in s.execute(select(Unit)).scalars()}
    codes = {u.doc_prefix: u for u in db_units.values() if u.doc_prefix}
    db_people = {p.username.lower(): p for p in s.execute(select(Person)).scalars()}
    _check_units(plan, data.units, db_units, codes)
    _check_people(plan, data.people, db_people)
    _check_posts(plan, env, data.posts, db_units, db_people)
    if not plan.errors and not _administrator_after(s, plan):
        role = env.policies.policy_set.roles.get(admin.ADMINISTRATOR, admin.ADMINISTRATOR)
        plan.errors.append(message("onboarding.no_administrator", role=role))
    return plan


def _check_units(plan: _Plan, rows: list[Row], db_units: dict[str, Unit], codes: dict[str, Unit]) -> None:
    kinds = {message(f"onboarding.kind_{k}"): k for k in UNIT_KINDS} | {k: k for k in UNIT_KINDS}
    seen: dict[str, str] = {}
    code_owner = {code: unit.name for code, unit in codes.items()}
    for row in rows:
        v = row.values
        if not _required(plan, row, UNITS):
            continue
        key = v["key"]
        if not admin.UNIT_KEY.fullmatch(key):
            plan.bad(row, "onboarding.unit_key_malformed", key=key)
            continue
        if key in seen:
            plan.bad(row, "onboarding.unit_key_twice", key=key, first=seen[key])
            continue
        seen[key] = row.where
        ok = _lengths(plan, row, UNITS, ("name", "short_name"))
        kind = kinds.get(v["kind"])
        if kind is None:
            plan.bad(row, "onboarding.unit_kind_unknown", kind=v["kind"])
            ok = False
        code = v["doc_prefix"]
        if code and not documents.UNIT_CODE.fullmatch(code):
            plan.bad(row, "onboarding.unit_code_bad", code=code)
            ok = False
        elif code:
            owner = codes.get(code)
            if code in code_owner and (owner is None or owner.key != key):
                plan.bad(row, "onboarding.unit_code_twice", code=code, unit=code_owner[code])
                ok = False
            code_owner[code] = v["name"]
        if ok:
            plan.units[key] = {"key": key, "name": v["name"], "short_name": v["short_name"] or v["name"],
                               "kind": kind, "doc_prefix": code}


def _check_people(plan: _Plan, rows: list[Row], db_people: dict[str, Person]) -> None:
    seen: dict[str, str] = {}
    for row in rows:
        v = row.values
        if not _required(plan, row, PEOPLE):
            continue
        username = v["username"]
        if not admin.USERNAME.fullmatch(username):
            plan.bad(row, "admin.username_malformed")
            continue
        if username.lower() in seen:
            plan.bad(row, "onboarding.username_twice", username=username, first=seen[username.lower()])
            continue
        seen[username.lower()] = row.where
        existing = db_people.get(username.lower())
        ok = _lengths(plan, row, PEOPLE, ("name",))
        if existing is not None and existing.username != username:
            plan.bad(row, "onboarding.username_case", username=username, existing=existing.username)
            ok = False
        if v["email"] and (len(v["email"]) > NAME_LIMIT or not admin.EMAIL.fullmatch(v["email"])):
            plan.bad(row, "admin.email_malformed", email=v["email"])
            ok = False
        if v["phone"] and (len(v["phone"]) > PHONE_LIMIT or not admin.PHONE.fullmatch(v["phone"])):
            plan.bad(row, "admin.phone_malformed", phone=v["phone"])
            ok = False
        if ok:
            plan.people[username] = {"username": username, "name": v["name"], "email": v["email"],
                                     "phone": v["phone"]}


def _check_posts(plan: _Plan, env: Env, rows: list[Row], db_units: dict[str, Unit],
                 db_people: dict[str, Person]) -> None:
    roles = env.policies.policy_set.roles
    role_of = {name: key for key, name in roles.items()} | {key: key for key in roles}
    units = {**{u.key: u.key for u in db_units.values()}, **{k: k for k in plan.units}}
    for u in db_units.values():
        units.setdefault(u.name, u.key)
        units.setdefault(u.short_name, u.key)
    for key, values in plan.units.items():
        units.setdefault(values["name"], key)
        units.setdefault(values["short_name"], key)
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        v = row.values
        if not _required(plan, row, POSTS) or not _lengths(plan, row, POSTS, ("title",)):
            continue
        listed = plan.people.get(v["username"])
        person = db_people.get(v["username"].lower())
        if listed is None and (person is None or person.username != v["username"]):
            plan.bad(row, "onboarding.person_unknown", username=v["username"])
            continue
        if person is not None and not person.active:        # an import never reactivates: the admin pages do
            plan.bad(row, "onboarding.person_inactive", name=person.name)
            continue
        unit, role = units.get(v["unit"]), role_of.get(v["role"])
        if unit is None:
            plan.bad(row, "onboarding.unit_unknown", unit=v["unit"])
        if role is None:
            plan.bad(row, "onboarding.role_unknown", role=v["role"])
        if unit is None or role is None:
            continue
        name = listed["name"] if listed else person.name
        if (v["username"], unit, role) in seen:
            plan.bad(row, "onboarding.post_twice", name=name, role=roles[role], first=seen[v["username"], unit, role])
            continue
        seen[v["username"], unit, role] = row.where
        plan.posts.append({"username": v["username"], "unit": unit, "role": role, "title": v["title"] or roles[role]})


def _required(plan: _Plan, row: Row, what: str) -> bool:
    missing = [message(header) for name, header, needed, _ in COLUMNS[what] if needed and not row.values.get(name)]
    for column in missing:
        plan.bad(row, "onboarding.required", column=column)
    return not missing


def _lengths(plan: _Plan, row: Row, what: str, names: Iterable[str]) -> bool:
    headers = {name: message(header) for name, header, *_ in COLUMNS[what]}
    ok = True
    for name in names:
        if len(row.values.get(name, "")) > NAME_LIMIT:
            plan.bad(row, "onboarding.too_long", column=headers[name], limit=NAME_LIMIT)
            ok = False
    return ok


def _apply(s: Session, env: Env, actor: Person | None, plan: _Plan, rules: SecuritySettings, check_only: bool,
           source: str) -> dict[str, Any]:
    actor_id = actor.id if actor is not None else None
    counts = {f"{what}_{how}": 0 for what in (UNITS, PEOPLE, POSTS) for how in ("created", "updated")}
    passwords: list[dict[str, str]] = []
    units = {u.key: u for u in s.execute(select(Unit)).scalars()}
    for key, v in plan.units.items():
        row = units.get(key)
        if row is None:
            counts["units_created"] += 1
            if not check_only:
                row = Unit(key=key, name=v["name"], short_name=v["short_name"], kind=v["kind"],
                           doc_prefix=v["doc_prefix"] or None)
                s.add(row)
                s.flush()
                audit.append(s, env, actor_id, "org.unit_created", "unit", row.id, dict(v))
            units[key] = row
            continue
        new = {"name": v["name"], "short_name": v["short_name"], "kind": v["kind"]}
        if v["doc_prefix"]:
            new["doc_prefix"] = v["doc_prefix"]
        changes = _changes(row, new)
        if changes:
            counts["units_updated"] += 1
            if not check_only:
                _set(row, changes)
                audit.append(s, env, actor_id, "org.unit_updated", "unit", row.id, {"key": key, "changes": changes})
    people = {p.username: p for p in s.execute(select(Person)).scalars()}
    for username, v in plan.people.items():
        row = people.get(username)
        if row is None:
            counts["people_created"] += 1
            if not check_only:
                password = _new_password(rules, username, v["name"])
                row = Person(username=username, name=v["name"],
                             password_hash=generate_password_hash(password, method=INITIAL_HASH),
                             active=True, email=v["email"] or None, phone=v["phone"] or None, profile={},
                             must_change_password=True)
                s.add(row)
                s.flush()
                passwords.append({"username": username, "name": v["name"], "password": password})
                audit.append(s, env, actor_id, "org.person_created", "person", row.id,
                             {"username": username, "name": v["name"], "email": row.email, "phone": row.phone,
                              "imported": True})
                people[username] = row
            continue
        changes = _changes(row, {"name": v["name"], **{k: v[k] for k in ("email", "phone") if v[k]}})
        if changes:
            counts["people_updated"] += 1
            if not check_only:
                _set(row, changes)
                audit.append(s, env, actor_id, "org.person_updated", "person", row.id,
                             {"username": username, "changes": changes})
    _apply_posts(s, env, actor_id, plan, units, people, counts, check_only)
    if not check_only:
        s.flush()
        if any(counts.values()):
            audit.append(s, env, actor_id, "org.imported", "community", None, {"source": source, **counts})
    return {**counts, "changed": any(counts.values()), "applied": not check_only, "passwords": passwords,
            "warnings": _seat_warnings(s, env, plan)}


def _seat_warnings(s: Session, env: Env, plan: _Plan) -> list[str]:
    """The bodies nobody would sit on, or nobody would chair, once the file is in (not an error: a county may
    fill its management committee later), worded for the person importing."""
    held = set(s.execute(select(Post.role).join(Person, Person.id == Post.person_id)
                         .where(Post.active.is_(True), Person.active.is_(True)).distinct()).scalars())
    held |= {p["role"] for p in plan.posts}
    policies = env.policies.policy_set
    sep, out = message("cli.list_separator"), []
    for body in policies.bodies.values():
        if not held & set(body.seat_roles):
            out.append(message("onboarding.warn_no_seats", body=body.name,
                               roles=sep.join(policies.role_name(r) for r in body.seat_roles)))
        elif not held & {body.chair_role, *body.acting_chair_roles}:
            out.append(message("onboarding.warn_no_chair", body=body.name, role=policies.role_name(body.chair_role)))
    return out


def _apply_posts(s: Session, env: Env, actor_id: int | None, plan: _Plan, units: dict[str, Unit],
                 people: dict[str, Person], counts: dict[str, int], check_only: bool) -> None:
    existing = {(p.person_id, p.unit_id, p.role): p for p in s.execute(select(Post)).scalars()}
    for v in plan.posts:
        person, unit = people.get(v["username"]), units.get(v["unit"])
        post = None if person is None or unit is None else existing.get((person.id, unit.id, v["role"]))
        if post is None or not post.active:
            counts["posts_created"] += 1
            if check_only:
                continue
            resumed = post is not None
            if post is None:
                post = Post(person_id=person.id, unit_id=unit.id, role=v["role"], title=v["title"], active=True,
                            since=env.now)
                s.add(post)
            else:
                post.title, post.active, post.since = v["title"], True, env.now
            s.flush()
            audit.append(s, env, actor_id, "org.post_added", "post", post.id,
                         {"username": v["username"], "role": v["role"], "unit": v["unit"], "title": v["title"],
                          "resumed": resumed})
        elif post.title != v["title"]:
            counts["posts_updated"] += 1
            if not check_only:
                before, post.title = post.title, v["title"]
                audit.append(s, env, actor_id, "org.post_updated", "post", post.id,
                             {"username": v["username"], "role": v["role"], "unit": v["unit"],
                              "changes": {"title": [before, v["title"]]}})


def _administrator_after(s: Session, plan: _Plan) -> bool:
    """Someone can manage the system once the import is done (the first import must name him)."""
    if any(p["role"] == admin.ADMINISTRATOR for p in plan.posts):
        return True
    held = s.execute(select(Post.id).join(Person, Person.id == Post.person_id)
                     .where(Post.role == admin.ADMINISTRATOR, Post.active.is_(True), Person.active.is_(True))
                     .limit(1)).first()
    return held is not None


def _changes(row: Any, new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [getattr(row, k), value] for k, value in new.items() if getattr(row, k) != value}


def _set(row: Any, changes: dict[str, list[Any]]) -> None:
    for key, (_old, value) in changes.items():
        setattr(row, key, value)


def _new_password(rules: SecuritySettings, username: str, name: str) -> str:
    """A random password that keeps the deployment's [security] rules (length, classes, no name in it)."""
    length = max(rules.password_min_length, INITIAL_LENGTH)
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length - 2)) + "-" + \
            secrets.choice(string.digits)
        if rules.password_problem(password, username, name) is None:
            return password


# --------------------------------------------------------------------------------------------
# writing


def export_data(s: Session) -> OrgData:
    """The organisation in force: every unit, active people and their active posts, in id order."""
    out = OrgData()
    units = list(s.execute(select(Unit).order_by(Unit.id)).scalars())
    for u in units:
        out.units.append(Row("", {"key": u.key, "name": u.name, "short_name": u.short_name, "kind": u.kind,
                                  "doc_prefix": u.doc_prefix or ""}))
    keys = {u.id: u.key for u in units}
    people = list(s.execute(select(Person).where(Person.active.is_(True)).order_by(Person.id)).scalars())
    for p in people:
        out.people.append(Row("", {"username": p.username, "name": p.name, "phone": p.phone or "",
                                   "email": p.email or ""}))
    posts = s.execute(select(Post, Person.username).join(Person, Person.id == Post.person_id)
                      .where(Post.active.is_(True), Person.active.is_(True)).order_by(Person.id, Post.id))
    for post, username in posts:
        out.posts.append(Row("", {"username": username, "unit": keys[post.unit_id], "role": post.role,
                                  "title": post.title}))
    return out


def write_workbook(data: OrgData, env_policies: Any) -> bytes:
    """The workbook: instructions, units, people, posts and the roles reference; kinds and roles by Chinese name."""
    policies = env_policies.policy_set
    book = Workbook()
    readme = book.active
    readme.title = message("onboarding.sheet_readme")
    _readme(readme)
    kinds = {k: message(f"onboarding.kind_{k}") for k in UNIT_KINDS}
    for what in (UNITS, PEOPLE, POSTS):
        sheet = book.create_sheet(_sheet(what))
        names = [name for name, *_ in COLUMNS[what]]
        sheet.append([message(header) for _, header, *_ in COLUMNS[what]])
        for row in getattr(data, what):
            values = dict(row.values)
            if what == UNITS:
                values["kind"] = kinds.get(values["kind"], values["kind"])
            if what == POSTS:
                values["role"] = policies.roles.get(values["role"], values["role"])
            sheet.append([values.get(name, "") for name in names])
        _format(sheet, WIDTHS[what])
    roles = book.create_sheet(message("onboarding.sheet_roles"))
    roles.append([message(k) for k in ("onboarding.col_role_name", "onboarding.col_role_key",
                                       "onboarding.col_role_seats", "onboarding.col_role_chairs")])
    sep = message("cli.list_separator")
    for key, name in policies.roles.items():
        seats = [b.name for b in policies.bodies.values() if key in b.seat_roles]
        chairs = [b.name for b in policies.bodies.values() if key in (b.chair_role, *b.acting_chair_roles)]
        roles.append([name, key, sep.join(seats), sep.join(chairs)])
    _format(roles, (26, 30, 50, 40))
    book.properties.created = book.properties.modified = FIXED_TIME
    book.properties.creator = "Quorum"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _readme(sheet: Any) -> None:
    sheet.append([message("onboarding.readme_title")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([message("onboarding.readme_rules")])
    sheet.merge_cells("A2:D2")
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 90
    sheet.append([])
    sheet.append([message(k) for k in ("onboarding.readme_head_sheet", "onboarding.readme_head_column",
                                       "onboarding.readme_head_required", "onboarding.readme_head_text")])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for what in (UNITS, PEOPLE, POSTS):
        for _name, header, needed, readme in COLUMNS[what]:
            sheet.append([_sheet(what), message(header),
                          message("onboarding.readme_yes" if needed else "onboarding.readme_no"), message(readme)])
    sheet.append([message("onboarding.sheet_roles"), "", message("onboarding.readme_no"),
                  message("onboarding.readme_roles")])
    for row in sheet.iter_rows(min_row=5):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCD", (10, 14, 8, 80), strict=True):
        sheet.column_dimensions[column].width = width


def _format(sheet: Any, widths: Iterable[int]) -> None:
    """Bold shaded header, frozen below it, column widths, A4 landscape with the header repeated."""
    fill = PatternFill("solid", fgColor="DDE7F0")
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), fill
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"


def template(env_policies: Any) -> bytes:
    """The empty workbook a county fills in (headers, instructions and the roles reference)."""
    return write_workbook(OrgData(), env_policies)


def export(s: Session, env: Env, actor: Person | None) -> bytes:
    """The organisation as a workbook (administrators; None = the server's operator at the command line)."""
    if actor is not None:
        permissions.require(s, env, actor, "admin.manage", subject="unit")
    return write_workbook(export_data(s), env.policies)
