"""Registers (major_matter decisions, supervision, issued documents) downloaded as Excel workbooks.

A plain GET returns the workbook; who may export which register is checked by quorum.services.registers
(permissions.toml register.*), and a refused download is recorded for discipline inspection like every refusal.
"""

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user, login_required

from quorum.services import registers
from webui.downloads import content_disposition
from webui.runtime import actor, env, transaction

bp = Blueprint("registers", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_SHOWN = 6           # this year and the five before it


@bp.app_context_processor
def registers_link() -> dict[str, bool]:
    """Whether the navigation shows the registers: the person may export at least one register."""
    if not current_user.is_authenticated:
        return {"may_registers": False}
    policy = env().policies.permissions
    roles = set().union(*(policy.roles_for(f"register.{kind}") for kind in registers.KINDS))
    return {"may_registers": current_user.has(*roles)}


@bp.route("/registers")
@login_required
def index():
    with transaction() as s:
        allowed = registers.may_export(s, env(), actor(s))
        if not any(allowed.values()):
            registers.build(s, env(), actor(s), registers.KINDS[0])      # refused, and recorded, in words
    year = env().now.year
    return render_template("registers/index.html", allowed=allowed, years=range(year, year - YEARS_SHOWN, -1))


@bp.route("/registers/<kind>.xlsx")
@login_required
def download(kind: str):
    if kind not in registers.KINDS:
        abort(404)
    with transaction() as s:
        register = registers.build(s, env(), actor(s), kind, request.args.get("year") or None)
    response = send_file(BytesIO(register.xlsx()), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(register.file_name, f"{kind}.xlsx")
    return response
