"""Paging of the API's searched lists: the flags they accept and the totals they answer in headers.

The body of a list stays a JSON array (as before search came); the total and the page are headers —
X-Total-Count, X-Page, X-Per-Page, X-Total-Pages — and Link names the first, previous, next and last pages
with the same filters.
"""

from typing import Any

from flask import request, url_for

from quorum.core.messages import message
from quorum.services.search import Page
from webui.api.inputs import refuse

LIST_DEFAULT, LIST_LIMIT = 100, 500          # rows per page of the API's lists (the pages show 20)
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no", "")


def query_flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise refuse(message("search.api_flag_invalid", name=name, value=value))


def paging_headers(found: Page, endpoint: str, params: dict[str, Any]) -> dict[str, str]:
    params = {k: v for k, v in params.items() if k != "per_page"}
    if found.per_page != LIST_DEFAULT:
        params["per_page"] = found.per_page
    links = {"first": 1, "last": found.pages}
    if found.page > 1:
        links["prev"] = found.page - 1
    if found.page < found.pages:
        links["next"] = found.page + 1
    link = ", ".join(f'<{url_for(endpoint, **params, page=n)}>; rel="{rel}"' for rel, n in links.items())
    return {"X-Total-Count": str(found.total), "X-Page": str(found.page), "X-Per-Page": str(found.per_page),
            "X-Total-Pages": str(found.pages), "Link": link}
