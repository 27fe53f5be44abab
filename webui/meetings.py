"""PLACEHOLDER — replaced by the meetings blueprint (issue 3)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("meetings", __name__)


@bp.route("/meetings")
@login_required
def index():
    return "会议"


@bp.route("/meetings/<int:meeting_id>")
@login_required
def room(meeting_id: int):
    return f"会议 {meeting_id}"
