"""PLACEHOLDER — replaced by the dashboard blueprint (issue 3)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index():
    return "统计"
