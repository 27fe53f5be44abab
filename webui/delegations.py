"""Delegation: a person going away names a delegate who acts on their tasks meanwhile, recorded as acting for X.

The routes hang on the matters blueprint (the app factory imports this module before registering it). Whether a
delegation counts right now is decided by quorum.services.delegations.principals_of, the same
function the inbox and matters.act use.
"""

from datetime import datetime, timedelta
from typing import Any

from flask import flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import login_required

from quorum.calendar import TZ
from quorum.core.errors import InvalidInput, NotFound
from quorum.services import delegations, org
from webui.auth import people_choices
from webui.matters import bp
from webui.runtime import actor, env, transaction

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"     # what <input type="datetime-local"> sends


def say(macro: str, /, **params: Any) -> str:
    """Return a message worded in templates/web/delegations/messages.html."""
    return get_template_attribute("delegations/messages.html", macro)(**params).unescape().strip()


@bp.route("/delegations", endpoint="delegations")
@login_required
def index():
    return _render(200, None, {})


def _render(status: int, error: str | None, values: dict[str, str]):
    now = env().now
    with transaction() as s:
        me = actor(s)
        rows = delegations.rows_for(s, me, now)
        me_username = me.username
    defaults = {"starts": now.strftime(LOCAL_FORMAT), "ends": (now + timedelta(days=7)).strftime(LOCAL_FORMAT)}
    return render_template("delegations/index.html", rows=rows, people=people_choices(), me=me_username,
                           values={**defaults, **values}, error=error,
                           in_force=[r for r in rows if r["in_force"]]), status


@bp.route("/delegations", methods=["POST"], endpoint="delegate")
@login_required
def create():
    values = {k: request.form.get(k, "") for k in ("delegate", "starts", "ends", "reason")}
    try:
        starts, ends = _moment(values["starts"], "starts"), _moment(values["ends"], "ends")
        if not values["delegate"]:
            raise InvalidInput(reason=say("delegate_required"))
        with transaction() as s:
            me = actor(s)
            row = delegations.create(s, env(), me, me, org.person(s, values["delegate"]), starts, ends,
                                     values["reason"])
            name = next(r["delegate"] for r in delegations.rows_for(s, me, env().now) if r["id"] == row.id)
    except (InvalidInput, NotFound) as exc:
        return _render(422, str(exc), values)
    flash(say("created", name=name), "success")
    return redirect(url_for("matters.delegations"))


def _moment(text: str, which: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), LOCAL_FORMAT).replace(tzinfo=TZ)
    except ValueError:
        raise InvalidInput(reason=say("bad_moment", which=which, text=text)) from None


@bp.route("/delegations/<int:delegation_id>/cancel", methods=["POST"], endpoint="cancel_delegation")
@login_required
def cancel(delegation_id: int):
    try:
        with transaction() as s:
            delegations.cancel(s, env(), actor(s), delegation_id)
    except InvalidInput as exc:
        flash(str(exc), "error")
        return redirect(url_for("matters.delegations"))
    flash(say("cancelled"), "success")
    return redirect(url_for("matters.delegations"))
