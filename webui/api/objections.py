"""Pre-appointment publicity objections (quorum.services.publicity): list, lodge, resolve.

The complainant's name, contact and the feedback given are returned only to those who record or
investigate objections (DOMAIN §6.5 #39); everyone else who may read the matter sees the text.
"""

from flask import Response

from quorum.services import publicity, records
from quorum.services import visibility as matter_visibility
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import NAME_LENGTH, Body


def objections_view(s, env, me, matter_id: int) -> list[dict]:
    reveal = publicity.may_record(s, env, me) or publicity.may_investigate(s, env, me)
    return records.objection_records(s, matter_id, reveal)


@api.get(f"/matters/<{ID}:matter_id>/objections")
def objections(matter_id: int) -> Response:
    with acting() as (s, env, me):
        visibility.require_matter(s, me, matter_id)
        found = objections_view(s, env, me, matter_id)
    return reply(found)


@api.post(f"/matters/<{ID}:matter_id>/objections")
def lodge(matter_id: int) -> Response:
    body = Body.read()
    text, anonymous = body.text("text", required=True), body.flag("anonymous")
    complainant, contact = body.text("complainant", limit=NAME_LENGTH), body.text("contact", limit=NAME_LENGTH)
    specific = body.flag("specific") if "specific" in body.data else True
    with acting() as (s, env, me):
        visibility.require_matter(s, me, matter_id)
        row = publicity.lodge(s, env, me, matter_id, text, anonymous, complainant, contact, specific)
        view = next(o for o in objections_view(s, env, me, matter_id) if o["id"] == row.id)
    return reply(view, 201)


@api.post(f"/matters/<{ID}:matter_id>/objections/<{ID}:objection_id>/resolution")
def resolve(matter_id: int, objection_id: int) -> Response:
    body = Body.read()
    result = body.choice("result", publicity.RESOLUTIONS)
    finding, feedback = body.text("finding", required=True), body.text("feedback")
    with acting() as (s, env, me):
        matter_visibility.require_objection(s, env, me, matter_id, objection_id)
        publicity.resolve(s, env, me, objection_id, result, finding, feedback)
        view = next(o for o in objections_view(s, env, me, matter_id) if o["id"] == objection_id)
    return reply(view)
