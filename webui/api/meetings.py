"""Meetings: schedule, agenda, attendance, recusal, written opinions, ballots, item results, close.

Every route under /meetings/<id> first checks that the caller may see the meeting at all (member,
observer, or organising role): an outsider gets 403 and learns nothing, not even who has yet to
vote. What a member or organiser may then do is the engine's decision (meetings.can_organise, the
body's rules of procedure on ballots), so the API and the pages refuse the same things with the same words.
"""

from typing import Any

from flask import Response, url_for
from sqlalchemy.orm import Session

from quorum.core.states import MeetingStatus
from quorum.services import agenda, meetings, org, records
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import KEY_LENGTH, TEXT, TITLE, Body, query_choice

MEETING = f"/meetings/<{ID}:meeting_id>"
ITEM = f"{MEETING}/items/<{ID}:seq>"


def meeting_view(s: Session, meeting_id: int) -> dict[str, Any]:
    """The meeting record; each member carries the username that attendance, recusal and votes address."""
    return records.meeting_record(s, meeting_id)


def item_view(s: Session, meeting_id: int, seq: int) -> dict[str, Any]:
    return records.item_record(s, meetings.item(s, meetings.get(s, meeting_id), seq))


@api.post("/meetings")
def schedule() -> Response:
    body = Body.read()
    body_key = body.text("body", required=True, limit=KEY_LENGTH)
    title = body.text("title", limit=TITLE)
    at = body.moment("at")
    place = body.text("place", required=True, limit=TITLE)
    matter_ids = body.identifiers("matters")
    urgent = body.flag("urgent")
    unit_key = body.optional_text("unit", limit=KEY_LENGTH)
    with acting() as (s, env, me):
        meeting = meetings.schedule(s, env, me, body_key, title, at, place, matter_ids, urgent=urgent,
                                    unit_key=unit_key)
        record = meeting_view(s, meeting.id)
    return reply(record, 201, {"Location": url_for("api.meeting", meeting_id=record["id"])})


@api.get("/meetings")
def meeting_list() -> Response:
    status = query_choice("status", [str(v) for v in MeetingStatus])
    with acting() as (s, _env, me):
        found = visibility.meeting_list(s, me, status)
    return reply(found)


@api.get(MEETING)
def meeting(meeting_id: int) -> Response:
    with acting() as (s, _env, me):
        visibility.require_meeting(s, me, meeting_id)
        record = meeting_view(s, meeting_id)
    return reply(record)


@api.post(f"{MEETING}/open")
def open_session(meeting_id: int) -> Response:
    Body.read()
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        meetings.open_session(s, env, me, meeting_id)
        record = meeting_view(s, meeting_id)
    return reply(record)


@api.post(f"{MEETING}/items")
def add_item(meeting_id: int) -> Response:
    body = Body.read()
    matter_id, secret = body.identifier("matter"), body.flag("secret")
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        item = meetings.add_item(s, env, me, meeting_id, matter_id, secret=secret)
        record = records.item_record(s, item)
    return reply(record, 201)


@api.post(f"{MEETING}/attendance")
def attend(meeting_id: int) -> Response:
    body = Body.read()
    username = body.text("person", required=True, limit=KEY_LENGTH)
    status, reason = body.text("status", required=True, limit=KEY_LENGTH), body.text("reason", limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        person = org.person(s, username)
        row = meetings.attend(s, env, me, meeting_id, person, status, reason)
        result = {"person": person.username, "name": person.name, "status": row.status, "reason": row.reason,
                  "changed_at": row.changed_at}
    return reply(result)


@api.post(f"{ITEM}/recusals")
def recuse(meeting_id: int, seq: int) -> Response:
    body = Body.read()
    username = body.text("person", required=True, limit=KEY_LENGTH)
    reason = body.text("reason", required=True, limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        meetings.recuse(s, env, me, meeting_id, seq, org.person(s, username), reason)
        record = item_view(s, meeting_id, seq)
    return reply(record, 201)


@api.post(f"{ITEM}/written-opinions")
def written_opinion(meeting_id: int, seq: int) -> Response:
    body = Body.read()
    username, text = body.text("person", required=True, limit=KEY_LENGTH), body.text("text", required=True)
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        meetings.written_opinion(s, env, me, meeting_id, seq, org.person(s, username), text)
        record = item_view(s, meeting_id, seq)
    return reply(record, 201)


@api.post(f"{MEETING}/absence")
def hand_in(meeting_id: int) -> Response:
    """A member who cannot attend, before the meeting opens: his leave of absence (reason) and his own written
    opinion per item (`opinions`: {"1": "…"} by item number) in one go — the same command as the meeting room's
    form."""
    body = Body.read()
    reason = body.text("reason", limit=TEXT)
    opinions = body.opinions("opinions")
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        agenda.hand_in(s, env, me, meeting_id, reason, opinions)
        record = meeting_view(s, meeting_id)
    return reply(record, 201)


@api.post(f"{ITEM}/votes")
def vote(meeting_id: int, seq: int) -> Response:
    """Cast my ballot, or — as the secretariat — enter a member's show-of-hands vote (`voter`)."""
    body = Body.read()
    choice, reason = body.text("choice", required=True, limit=KEY_LENGTH), body.text("reason")
    voter_name = body.optional_text("voter")
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        voter = org.person(s, voter_name) if voter_name else None
        meetings.vote(s, env, me, meeting_id, seq, choice, reason, voter=voter)
        record = item_view(s, meeting_id, seq)
    return reply(record, 201)


@api.post(f"{ITEM}/close")
def close_item(meeting_id: int, seq: int) -> Response:
    Body.read()
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        item = meetings.close_item(s, env, me, meeting_id, seq)
        record = records.item_record(s, item)
    return reply(record)


@api.post(f"{ITEM}/defer")
def defer_item(meeting_id: int, seq: int) -> Response:
    reason = Body.read().text("reason", required=True, limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        item = meetings.defer_item(s, env, me, meeting_id, seq, reason)
        record = records.item_record(s, item)
    return reply(record)


@api.post(f"{MEETING}/close")
def close(meeting_id: int) -> Response:
    Body.read()
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        meetings.close(s, env, me, meeting_id)
        record = meeting_view(s, meeting_id)
    return reply(record)


@api.post(f"{ITEM}/acknowledgement")
def acknowledge(meeting_id: int, seq: int) -> Response:
    """The presiding member or the secretariat records that the meeting heard the dissenting consultation opinions."""
    text = Body.read().text("text", required=True)
    with acting() as (s, env, me):
        visibility.require_meeting(s, me, meeting_id)
        meetings.acknowledge(s, env, me, meeting_id, seq, text)
        record = item_view(s, meeting_id, seq)
    return reply(record)
