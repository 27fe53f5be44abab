"""审计: the refused attempts, for 纪检监察 and the administrator (permissions.toml audit.inspect)."""

from flask import Blueprint, render_template
from flask_login import login_required

from webui.runtime import actor, env, transaction

bp = Blueprint("audit", __name__)


@bp.route("/audit/refusals")
@login_required
def refusals():
    from quorum.services import refusals as refused
    with transaction() as s:
        found = refused.listing(s, env(), actor(s))
    return render_template("audit/refusals.html", refusals=found)
