"""PLACEHOLDER — replaced by the admin blueprint (issue 3)."""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__)


@bp.route("/admin")
@login_required
def index():
    return "管理"
