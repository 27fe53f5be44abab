"""Sign-in and sign-out with Flask-Login; CSRF protection on every form; sessions that end on the server.

A session (and a remember-me cookie) names the person *and their session version*, `"19:3"`: logout,
a password change, an administrator's reset and a lockout bump the version, so every cookie issued
before is refused on its next request. A session unused for `[security] idle_minutes` is refused too.
"""

import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from quorum.core.messages import message
from quorum.db import Person
from quorum.services import access, org
from webui.runtime import env, runtime, transaction

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
SEEN = "seen"               # the session's last request, epoch seconds: the idle timeout


class User(UserMixin):
    """The signed-in person as the web layer sees them: id, name, current roles and session version."""

    def __init__(self, person: Person | org.Identity, roles: set[str] | frozenset[str]) -> None:
        person_id = person.person_id if isinstance(person, org.Identity) else person.id
        self.id = str(person_id)
        self.person_id = person_id
        self.username = person.username
        self.name = person.name
        self.roles = frozenset(roles)
        self.session_version = person.session_version or 0
        self.must_change_password = bool(person.must_change_password)

    def get_id(self) -> str:
        return f"{self.person_id}:{self.session_version}"

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def load_user_by_id(user_id: str) -> User | None:
    """The signed-in person of this request, if their session is current and not idle (one statement)."""
    person_id, _, version = user_id.partition(":")
    if not person_id.isdigit() or not version.isdigit() or _idle():
        return None
    with transaction() as s:
        found = org.identity(s, int(person_id))
    if found is None or found.session_version != int(version):
        return None
    _seen()
    return User(found, found.roles)


def _idle() -> bool:
    seen = session.get(SEEN)
    idle = runtime().settings.security.idle_minutes * 60
    return isinstance(seen, int) and time.time() - seen > idle


def _seen() -> None:
    """Stamp the session's last use (at most once a minute, so most responses set no cookie)."""
    now = int(time.time())
    if now - session.get(SEEN, 0) >= 60:
        session[SEEN] = now


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = message("web.login_required")
    login_manager.user_loader(load_user_by_id)
    days = app.extensions["quorum"].settings.security.remember_days
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=max(days, 1)))
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.before_request(_forced_change)
    csrf.init_app(app)


def _forced_change():
    """After an administrator's reset, every page leads to the password change until it is done."""
    if request.endpoint in ("account.password", "auth.logout", "static") or request.blueprint == "api":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash(message(_change_reason(current_user.person_id)), "info")
        return redirect(url_for("account.password"))
    return None


def _change_reason(person_id: int) -> str:
    """Why the change is asked: a first sign-in with the password an import or the administrator gave (never
    changed yet), or a reset. Read only on this redirect, never on an ordinary page."""
    with transaction() as s:
        changed = s.execute(select(Person.password_changed_at).where(Person.id == person_id)).scalar_one_or_none()
    return "web.must_change_password" if changed is not None else "onboarding.first_login"


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("tasks.inbox")


def source() -> str:
    """The client's address (behind `[web] proxies`, the one the proxies saw)."""
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.inbox"))
    if request.method == "POST":
        rules = runtime().settings.security
        with transaction() as s:
            result = access.sign_in(s, env(), rules, request.form.get("username", ""),
                                    request.form.get("password", ""), source())
            user = User(result.person, org.roles_of(s, result.person.id)) if result.person is not None else None
        if user is None:
            flash(result.refusal, "error")
            page = render_template("auth/login.html", username=request.form.get("username", ""),
                                   remember=rules.remember_days > 0)
            if result.retry_after:
                return page, 429, {"Retry-After": str(result.retry_after)}
            return page, 401
        session.clear()                  # a fresh session at sign-in (no fixation)
        login_user(user, remember=rules.remember_days > 0 and bool(request.form.get("remember")))
        _seen()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", username="", remember=runtime().settings.security.remember_days > 0)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with transaction() as s:
        access.sign_out(s, env(), current_user.person_id)
    logout_user()
    session.clear()
    flash(message("web.logged_out"), "info")
    return redirect(url_for("auth.login"))


def people_choices() -> list[tuple[str, str]]:
    with transaction() as s:
        return org.active_people(s)
