"""Supervision: the board of decided work by lead unit and due date, and progress reports against it."""

from datetime import date
from itertools import groupby
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.services import records, supervision
from webui.runtime import actor, call, env, transaction

bp = Blueprint("supervision", __name__)

STATUSES = ("open", "overdue", "done")
DONE = {"reported": "web.progress_reported", "finished": "web.supervision_done"}


@bp.route("/supervision")
@login_required
def board():
    unit, status = request.args.get("unit", ""), request.args.get("status", "")
    with transaction() as s:
        rows = records.supervision_records(s)
        allowed = supervision.allowed(s, env(), actor(s), [r["id"] for r in rows])
    today = env().now.date()
    units = sorted({r["lead_unit"] for r in rows} | {u for r in rows for u in r["co_units"]})
    shown = [r | {"overdue": _overdue(r, today), "may_report": allowed[r["id"]][0],
                  "may_complete": allowed[r["id"]][1]} for r in rows if _matches(r, unit, status, today)]
    return render_template("supervision/board.html", groups=_by_lead_unit(shown), units=units, unit=unit,
                           status=status if status in STATUSES else "", total=len(rows))


def _overdue(row: dict[str, Any], today: date) -> bool:
    return row["status"] != "done" and row["due_date"] < today


def _matches(row: dict[str, Any], unit: str, status: str, today: date) -> bool:
    if unit and unit != row["lead_unit"] and unit not in row["co_units"]:
        return False
    if status == "overdue":
        return _overdue(row, today)
    return status not in ("open", "done") or row["status"] == status


def _by_lead_unit(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Group by lead unit (the unit with the most pressing item first), each by due date."""
    rows = sorted(rows, key=lambda r: (r["lead_unit"], r["due_date"], r["id"]))
    groups = [(lead, list(items)) for lead, items in groupby(rows, key=lambda r: r["lead_unit"])]
    return sorted(groups, key=lambda g: (not any(r["overdue"] for r in g[1]), g[1][0]["due_date"], g[0]))


@bp.route("/supervision/<int:item_id>/report", methods=["POST"])
@login_required
def report(item_id: int):
    done = bool(request.form.get("done"))
    try:
        item = call(supervision.report, item_id, request.form.get("text", ""), done=done)
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(message(DONE["finished" if done else "reported"], title=item.title), "success")
    target = request.form.get("next", "")
    if not target.startswith("/supervision"):
        target = url_for("supervision.board")
    return redirect(f"{target}#sup-{item_id}")
