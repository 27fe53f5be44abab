"""Matters: file one, list those I may see, read one with its route, timeline and tasks, mark urgent."""

from typing import Any

from flask import Response, request, url_for
from sqlalchemy.orm import Session

from quorum.core.states import MatterStatus
from quorum.services import attachments, matters, records, search
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import KEY_LENGTH, TEXT, TITLE, Body, query_choice, query_int, query_text
from webui.api.paging import LIST_DEFAULT, LIST_LIMIT, paging_headers, query_flag


def matter_view(s: Session, matter_id: int) -> dict[str, Any]:
    """The full record (records.matter_record) plus its attachments, and its documents, of which there are none yet."""
    return {**records.matter_record(s, matter_id), "attachments": attachment_views(s, matter_id), "documents": []}


def attachment_views(s: Session, matter_id: int) -> list[dict[str, Any]]:
    """A matter's attachments with where to download each and where its preview page is (issue 15, item 6)."""
    return [{"id": a.id, "filename": a.filename, "size": a.size, "sha256": a.sha256, "uploaded_at": a.uploaded_at,
             "opinion_id": a.opinion_id,
             "download_url": url_for("matters.download", matter_id=matter_id, attachment_id=a.id),
             "preview_url": url_for("matters.attachment_preview_page", matter_id=matter_id, attachment_id=a.id)}
            for a in attachments.listing(s, matter_id)]


@api.post("/matters")
def create_matter() -> Response:
    body = Body.read()
    workflow = body.text("workflow", required=True, limit=KEY_LENGTH)
    title = body.text("title", required=True, limit=TITLE)
    fields = body.fields("fields")
    with acting() as (s, env, me):
        matter = matters.submit(s, env, me, workflow, title, fields)
        record = matter_view(s, matter.id)
    return reply(record, 201, {"Location": url_for("api.matter", matter_id=record["id"])})


@api.get("/matters")
def matter_list() -> Response:
    """Search and filter the matters I may read (quorum.services.search); the page's rows, its totals in headers."""
    status = query_choice("status", [str(v) for v in MatterStatus])
    legacy = request.args.get("page") is None and ("limit" in request.args or "offset" in request.args)
    limit = query_int("limit", LIST_DEFAULT, LIST_LIMIT)
    offset = query_int("offset", 0, 10**9) if legacy else None
    with acting() as (s, env, me):
        chosen = search.filters(s, env, q=request.args.get("q"), status=status, workflow=query_text("workflow"),
                                category=query_text("category"), unit=query_text("unit"),
                                start=request.args.get("from"), end=request.args.get("to"),
                                mine=query_flag("mine"), waiting=query_flag("waiting"),
                                page=request.args.get("page"), per_page=limit if legacy else request.args.get("per_page"),
                                per_page_default=LIST_DEFAULT, per_page_limit=LIST_LIMIT, offset=offset)
        found = search.matters(s, env, me, chosen)
    return reply(found.rows, headers=paging_headers(found, "api.matter_list", chosen.as_params()))


@api.get(f"/matters/<{ID}:matter_id>")
def matter(matter_id: int) -> Response:
    with acting() as (s, _env, me):
        matter = visibility.require_matter(s, me, matter_id)   # noqa: F841 -- held, so the record reads it once
        record = matter_view(s, matter_id)
    return reply(record)


@api.post(f"/matters/<{ID}:matter_id>/urgent")
def mark_urgent(matter_id: int) -> Response:
    reason = Body.read().text("reason", required=True, limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_matter(s, me, matter_id)
        matters.mark_urgent(s, env, me, matter_id, reason)
        record = matter_view(s, matter_id)
    return reply(record)
