"""Sign-in and sign-out with Flask-Login; CSRF protection on every form."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.db import Person
from quorum.services import access, org
from webui.runtime import transaction

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class User(UserMixin):
    """The signed-in person as the web layer sees them: id, name and current roles."""

    def __init__(self, person: Person | org.Identity, roles: set[str] | frozenset[str]) -> None:
        person_id = person.person_id if isinstance(person, org.Identity) else person.id
        self.id = str(person_id)
        self.person_id = person_id
        self.username = person.username
        self.name = person.name
        self.roles = frozenset(roles)

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def load_user_by_id(person_id: str) -> User | None:
    """The signed-in person of this request, with their roles, in one statement."""
    if not person_id.isdigit():
        return None
    with transaction() as s:
        found = org.identity(s, int(person_id))
    return User(found, found.roles) if found is not None else None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = message("web.login_required")
    login_manager.user_loader(load_user_by_id)
    csrf.init_app(app)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("tasks.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.inbox"))
    if request.method == "POST":
        try:
            with transaction() as s:
                person = access.authenticate(s, request.form.get("username", ""), request.form.get("password", ""))
                user = User(person, org.roles_of(s, person.id))
        except QuorumError as exc:
            flash(str(exc), "error")
            return render_template("auth/login.html", username=request.form.get("username", "")), 401
        login_user(user, remember=bool(request.form.get("remember")))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(message("web.logged_out"), "info")
    return redirect(url_for("auth.login"))


def people_choices() -> list[tuple[str, str]]:
    with transaction() as s:
        return org.active_people(s)
