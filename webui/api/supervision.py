"""Supervision: the board of decided work and progress reports on it."""

from flask import Response

from quorum.core.states import SupervisionStatus
from quorum.services import records, supervision
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import Body, query_choice


@api.get("/supervision")
def board() -> Response:
    """Every supervision item, except those of personnel matters the caller may not see."""
    status = query_choice("status", [str(v) for v in SupervisionStatus])
    with acting() as (s, _env, me):
        items = [i for i in records.supervision_records(s) if status is None or i["status"] == status]
        visible = visibility.visible_matter_ids(s, me, {i["matter_id"] for i in items if i["matter_id"]})
        items = [i for i in items if i["matter_id"] is None or i["matter_id"] in visible]
    return reply(items)


@api.post(f"/supervision/<{ID}:item_id>/reports")
def report(item_id: int) -> Response:
    body = Body.read()
    text, done = body.text("text", required=True), body.flag("done")
    with acting() as (s, env, me):
        item = supervision.report(s, env, me, item_id, text, done)
        record = next(i for i in records.supervision_records(s, item.matter_id) if i["id"] == item.id)
    return reply(record, 201)
