"""Documents through the API: search and filter the documents I may read (quorum.services.search)."""

from flask import Response, request

from quorum.core.documents import DocumentStatus
from quorum.services import search
from webui.api.blueprint import acting, api, reply
from webui.api.inputs import query_choice, query_text
from webui.api.paging import LIST_DEFAULT, LIST_LIMIT, paging_headers, query_flag


@api.get("/documents")
def document_list() -> Response:
    """The page's rows; the total and the page in headers (webui.api.paging)."""
    status = query_choice("status", [str(v) for v in DocumentStatus])
    with acting() as (s, env, me):
        chosen = search.filters(s, env, documents_list=True, q=request.args.get("q"), status=status,
                                workflow=query_text("kind"), unit=query_text("unit"),
                                start=request.args.get("from"), end=request.args.get("to"),
                                mine=query_flag("mine"), waiting=query_flag("waiting"),
                                page=request.args.get("page"), per_page=request.args.get("per_page"),
                                per_page_default=LIST_DEFAULT, per_page_limit=LIST_LIMIT)
        found = search.documents_page(s, env, me, chosen)
    params = chosen.as_params()
    if "workflow" in params:
        params["kind"] = params.pop("workflow")
    return reply(found.rows, headers=paging_headers(found, "api.document_list", params))
