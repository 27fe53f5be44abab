"""PLACEHOLDER — replaced by the supervision blueprint (issue 3)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("supervision", __name__)


@bp.route("/supervision")
@login_required
def board():
    return "督办"
