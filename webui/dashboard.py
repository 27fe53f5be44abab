"""Statistics: four charts drawn as inline SVG (county intranets are offline: no chart library, no CDN)."""

from flask import Blueprint, render_template, request
from flask_login import login_required

from quorum.services import dashboard
from webui.runtime import env, transaction

bp = Blueprint("dashboard", __name__)


def _year(today_year: int) -> int:
    """The meetings chart's year from ?year=, or this year when missing or implausible."""
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= today_year + 1:
        return int(raw)
    return today_year


@bp.route("/dashboard")
@login_required
def index():
    current = env()
    today = current.now.date()
    with transaction() as s:
        data = dashboard.overview(s, current.policies.policy_set, today, _year(today.year))
    return render_template("dashboard/index.html", d=data)
