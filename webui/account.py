"""The signed-in person's own account: change the password (also the forced change after a reset)."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.services import access
from webui.runtime import env, runtime, transaction

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's password; this session stays signed in, every other one ends."""
    rules = runtime().settings.security
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("confirm_password", ""):
            flash(message("web.passwords_differ"), "error")
            return render_template("account/password.html", rules=rules), 422
        try:
            with transaction() as s:
                version = access.change_password(s, env(), rules, current_user.person_id,
                                                 request.form.get("current_password", ""), new)
        except QuorumError as exc:
            flash(str(exc), "error")
            return render_template("account/password.html", rules=rules), exc.http_status
        current_user.session_version, current_user.must_change_password = version, False
        login_user(current_user._get_current_object(), fresh=True)
        session.modified = True
        flash(message("web.password_changed"), "info")
        return redirect(url_for("tasks.inbox"))
    return render_template("account/password.html", rules=rules)
