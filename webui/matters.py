"""PLACEHOLDER — replaced by the matters blueprint (issue 3)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("matters", __name__)


@bp.route("/matters")
@login_required
def index():
    return "事项"


@bp.route("/matters/<int:matter_id>")
@login_required
def show(matter_id: int):
    return f"事项 {matter_id}"
