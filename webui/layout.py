"""What every page shows: the signed-in person, navigation with live counts, formatting filters."""

from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user

from quorum.core.messages import message
from quorum.core.routing import format_money
from webui.form_bounds import Lengths
from webui.runtime import env, runtime, transaction


def _when(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def init_app(app) -> None:
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["money"] = lambda v: format_money(Decimal(str(v))) if v not in (None, "") else ""
    app.jinja_env.globals["msg"] = message

    app.jinja_env.globals["lengths"] = Lengths()      # the forms' maxlength from [limits]; a global reaches macros

    @app.context_processor
    def password_rules():
        """The deployment's password rules, for the hints and minlength of the password forms."""
        return {"password_rules": runtime().settings.security}

    @app.context_processor
    def navigation():
        if not current_user.is_authenticated:
            return {"nav_counts": {}}
        from quorum.services import inbox
        with transaction() as s:
            counts = inbox.counts(s, current_user.person_id, env().now)
        inspectors = env().policies.permissions.roles_for("audit.inspect")
        return {"nav_counts": counts, "today": env().now.date(), "may_inspect": current_user.has(*inspectors)}
