"""Meetings: the meeting list, the schedule form with its agenda builder, and the meeting room.

Every POST is one use case of quorum.services.meetings in one transaction; a refusal is flashed
and the browser goes back to the room at the item concerned. What the room offers a person is
computed by quorum.services.agenda with the same checks the services make.
"""

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quorum.calendar import to_local
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.db import Person
from quorum.services import agenda, meetings, org
from webui.runtime import actor, call, env, transaction

bp = Blueprint("meetings", __name__)

ATTENDANCE = {key: message(f"attendance.{key}") for key in ("present", "left", "absent", "observer")}
DONE = {
    "scheduled": "web.meeting_scheduled", "opened": "web.meeting_opened", "closed": "web.meeting_closed",
    "attend": "web.attendance_recorded", "added": "web.item_added", "recuse": "web.recusal_recorded",
    "written": "web.written_recorded", "vote": "web.vote_recorded", "vote_for": "web.vote_entered",
    "item_closed": "web.item_closed", "deferred": "web.item_deferred", "no_person": "web.choose_person",
    "no_matter": "web.choose_matter", "bad_time": "web.bad_meeting_time", "acknowledged": "web.acknowledged",
}


@bp.route("/meetings")
@login_required
def index():
    with transaction() as s:
        overview = agenda.overview(s, env(), actor(s))
    return render_template("meetings/index.html", **overview)


# --------------------------------------------------------------------------------------------
# scheduling


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new():
    body_key, unit_key = request.values.get("body") or None, request.values.get("unit") or None
    if request.method == "GET":
        return _schedule_page(body_key, {}, unit_key=unit_key)
    form = {"title": request.form.get("title", ""), "at": request.form.get("at", ""),
            "place": request.form.get("place", ""), "urgent": bool(request.form.get("urgent")),
            "matters": request.form.getlist("matter", type=int), "secret": request.form.getlist("secret", type=int)}
    at = _parse_at(form["at"])
    if at is None:
        return _schedule_page(body_key, form, message(DONE["bad_time"]), unit_key), 422
    items = [(mid, mid in form["secret"]) for mid in form["matters"]]
    try:
        meeting = call(agenda.schedule, body_key or "", form["title"], at, form["place"], items,
                       urgent=form["urgent"], unit_key=unit_key)
    except QuorumError as exc:
        if exc.http_status == 403:
            raise
        return _schedule_page(body_key, form, str(exc), unit_key), 422
    flash(message(DONE["scheduled"], title=meeting.title), "success")
    return redirect(url_for("meetings.room", meeting_id=meeting.id))


def _schedule_page(body_key: str | None, form: dict, error: str = "", unit_key: str | None = None):
    with transaction() as s:
        context = agenda.schedule_form(s, env(), actor(s), body_key, unit_key)
    return render_template("meetings/new.html", form=form, error=error, **context)


def _parse_at(raw: str) -> datetime | None:
    try:
        return to_local(datetime.fromisoformat(raw.strip()))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# the room


@bp.route("/meetings/<int:meeting_id>")
@login_required
def room(meeting_id: int):
    with transaction() as s:
        record = agenda.room(s, env(), actor(s), meeting_id)
    return render_template("meetings/room.html", m=record, attendance_names=ATTENDANCE)


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/state")
def item_state(meeting_id: int, seq: int):
    """The live quorum box of one item, re-fetched by quorum.js every few seconds."""
    if not current_user.is_authenticated:
        if request.headers.get("X-Requested-With") == "fetch":
            abort(401)              # a fetch must not swap the login page into the box
        return current_app.login_manager.unauthorized()
    with transaction() as s:
        state = agenda.item_state(s, env(), actor(s), meeting_id, seq)
    return render_template("meetings/_item_state.html", i=state)


def _back(meeting_id: int, seq: int | None = None):
    anchor = f"item-{seq}" if seq else None
    return redirect(url_for("meetings.room", meeting_id=meeting_id, _anchor=anchor))


def _run(meeting_id: int, seq: int | None, done: str, fn, *args, **kw):
    """Run one meetings use case; flash its refusal or `done`, then go back to the room."""
    try:
        call(fn, *args, **kw)
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return _back(meeting_id, seq)


def _named(field: str = "person") -> Person | None:
    """Load the person a form names, detached so the use case can take it into its own transaction."""
    username = request.form.get(field, "").strip()
    if not username:
        flash(message(DONE["no_person"]), "error")
        return None
    try:
        with transaction() as s:
            person = org.person(s, username)
            s.expunge(person)
            return person
    except QuorumError as exc:
        flash(str(exc), "error")
        return None


@bp.route("/meetings/<int:meeting_id>/open", methods=["POST"])
@login_required
def open_session(meeting_id: int):
    return _run(meeting_id, None, message(DONE["opened"]), meetings.open_session, meeting_id)


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@login_required
def close(meeting_id: int):
    return _run(meeting_id, None, message(DONE["closed"]), meetings.close, meeting_id)


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attend(meeting_id: int):
    person = _named()
    if person is None:
        return _back(meeting_id)
    status = request.form.get("status", "")
    return _run(meeting_id, None, message(DONE["attend"], name=person.name, status=ATTENDANCE.get(status, status)),
                meetings.attend, meeting_id, person, status, request.form.get("reason", ""))


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_item(meeting_id: int):
    matter_id = request.form.get("matter", type=int)
    if matter_id is None:
        flash(message(DONE["no_matter"]), "error")
        return _back(meeting_id)
    return _run(meeting_id, None, message(DONE["added"]), meetings.add_item, meeting_id, matter_id,
                secret=bool(request.form.get("secret")))


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/recusals", methods=["POST"])
@login_required
def recuse(meeting_id: int, seq: int):
    person = _named()
    if person is None:
        return _back(meeting_id, seq)
    return _run(meeting_id, seq, message(DONE["recuse"], name=person.name), meetings.recuse, meeting_id, seq, person,
                request.form.get("reason", ""))


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/written", methods=["POST"])
@login_required
def written_opinion(meeting_id: int, seq: int):
    person = _named()
    if person is None:
        return _back(meeting_id, seq)
    return _run(meeting_id, seq, message(DONE["written"], name=person.name), meetings.written_opinion, meeting_id, seq,
                person, request.form.get("text", ""))


@bp.route("/meetings/<int:meeting_id>/hand-in", methods=["POST"])
@login_required
def hand_in(meeting_id: int):
    """A member who cannot attend: his leave of absence and his own written opinions on the items, before it opens."""
    opinions = {int(key.removeprefix("text-")): value for key, value in request.form.items()
                if key.startswith("text-") and key.removeprefix("text-").isdigit()}
    try:
        done = call(agenda.hand_in, meeting_id, request.form.get("reason", ""), opinions)
    except QuorumError as exc:
        if exc.http_status == 403:
            raise
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("meetings.room", meeting_id=meeting_id, _anchor="absence"))


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/vote", methods=["POST"])
@login_required
def vote(meeting_id: int, seq: int):
    choice, reason = request.form.get("choice", ""), request.form.get("reason", "")
    if not request.form.get("voter"):       # one's own ballot: the room shows the choice to her, the flash does not
        _run(meeting_id, seq, message(DONE["vote"]), meetings.vote, meeting_id, seq, choice, reason)
        return redirect(url_for("meetings.room", meeting_id=meeting_id, _anchor=f"ballot-{seq}"))
    voter = _named("voter")
    if voter is None:
        return _back(meeting_id, seq)
    return _run(meeting_id, seq, message(DONE["vote_for"], name=voter.name, choice=message(f"choice.{choice}")), meetings.vote,
                meeting_id, seq, choice, reason, voter=voter)


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/acknowledge", methods=["POST"])
@login_required
def acknowledge(meeting_id: int, seq: int):
    """The presiding member or the secretariat records that the meeting heard the dissenting opinions."""
    return _run(meeting_id, seq, message(DONE["acknowledged"]), meetings.acknowledge, meeting_id, seq,
                request.form.get("text", ""))


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/close", methods=["POST"])
@login_required
def close_item(meeting_id: int, seq: int):
    return _run(meeting_id, seq, message(DONE["item_closed"]), meetings.close_item, meeting_id, seq)


@bp.route("/meetings/<int:meeting_id>/items/<int:seq>/defer", methods=["POST"])
@login_required
def defer_item(meeting_id: int, seq: int):
    return _run(meeting_id, seq, message(DONE["deferred"]), meetings.defer_item, meeting_id, seq,
                request.form.get("reason", ""))
