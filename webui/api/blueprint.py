"""The API blueprint: bearer-token authentication for every route but two, and JSON for every refusal.

The browser UI signs in with a session cookie and a CSRF token; the API does neither. Each request
carries `Authorization: Bearer <token>` (issued by POST /api/v1/token); the token is resolved before
the view runs, so no route can forget the check. Only the token endpoint and the OpenAPI document are
public.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from quorum.core.messages import message
from quorum.db import Person
from quorum.services import access, failures, org
from quorum.services.env import Env
from webui.auth import csrf
from webui.runtime import env, transaction

api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)

ID = "int(max=2147483647)"      # path ids: larger numbers cannot name a row (and would overflow PostgreSQL)
PUBLIC_ENDPOINTS = frozenset({"api.token", "api.openapi"})
# After an administrator set the password, a token serves only to choose a new one (or to list and revoke tokens).
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api.change_password", "api.token_list", "api.revoke_token"})


def plain(value: Any) -> Any:
    """Turn a read model into JSON-ready data: instants and dates as ISO text, money as a string."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (UTF-8, Chinese left readable)."""
    return current_app.response_class(json.dumps(plain(data), ensure_ascii=False), status=status,
                                      mimetype="application/json", headers=headers)


def refusal(status: int, error: str, message: str) -> Response:
    return reply({"error": error, "message": message}, status)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


@api.before_request
def require_token() -> Response | None:
    """Resolve the bearer token to a person, or answer 401 before the view runs."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = bearer_token()
    username = None
    if token:
        with transaction() as s:
            person = access.person_for_token(s, env(), token)
            username = person.username if person is not None else None
            must_change = person is not None and person.must_change_password
            g.quorum_person_id = person.id if person is not None else None
    if username is None:
        return reply({"error": "unauthorized", "message": message("api.token_required")}, 401, {"WWW-Authenticate": 'Bearer realm="quorum"'})
    if must_change and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return refusal(403, "password_change_required", message("security.api_must_change_password"))
    g.api_username = username
    return None


@contextmanager
def acting() -> Iterator[tuple[Session, Env, Person]]:
    """One unit of work as the token's holder: (session, env, person); commit on success."""
    with transaction() as s:
        yield s, env(), org.person(s, g.api_username)


@api.errorhandler(StaleDataError)
@api.errorhandler(IntegrityError)
@api.errorhandler(DataError)
def database_refusal(exc: Exception) -> Response:
    """Two people changed the same row at once (409: reload), or a value too large (422) — as on a page and the CLI."""
    refused = failures.refusal_for(exc)
    return refusal(refused.http_status, refused.key, str(refused))
