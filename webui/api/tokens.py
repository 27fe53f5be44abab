"""POST /token: exchange a username and password for a bearer token; list, revoke; change one's password."""

from datetime import timedelta

from flask import Response, request

from quorum.core.errors import QuorumError
from quorum.services import access, org
from webui.api.blueprint import ID, acting, api, refusal, reply
from webui.api.inputs import KEY_LENGTH, Body
from webui.runtime import env, runtime, transaction


@api.post("/token")
def token() -> Response:
    """Issue a token (JSON or form body); wrong credentials are a 401, too many failures a 429."""
    body = Body.read(form=True)
    username = body.text("username", required=True, limit=KEY_LENGTH)
    password = body.text("password", required=True, limit=1024)
    current, rules = env(), runtime().settings.security
    with transaction() as s:
        result = access.sign_in(s, current, rules, username, password, request.remote_addr or "unknown")
        if result.person is not None:
            issued = access.issue_token(s, current, result.person, days=rules.token_days)
            who = {"username": result.person.username, "name": result.person.name,
                   "roles": sorted(org.roles_of(s, result.person.id))}
    if result.person is None and result.retry_after:
        return reply({"error": "too_many_attempts", "message": result.refusal}, 429,
                     {"Retry-After": str(result.retry_after)})
    if result.person is None:
        return refusal(401, "invalid_credentials", result.refusal)
    return reply({"token": issued, "token_type": "Bearer",
                  "expires_at": current.now + timedelta(days=rules.token_days), "person": who})


@api.get("/tokens")
def token_list() -> Response:
    """My unexpired tokens (an administrator sees everyone's); never the token itself."""
    with acting() as (s, current, me):
        admin = "administrator" in org.roles_of(s, me.id)
        rows = access.tokens(s, current, me, everyone=admin)
        return reply([{"id": r.id, "person_id": r.person_id, "created_at": r.created_at, "expires_at": r.expires_at}
                      for r in rows])


@api.delete(f"/tokens/<{ID}:token_id>")
def revoke_token(token_id: int) -> Response:
    """Revoke one of my tokens (an administrator: anyone's); it stops working at once."""
    try:
        with acting() as (s, current, me):
            access.revoke_token(s, current, me, token_id, admin="administrator" in org.roles_of(s, me.id))
    except QuorumError as exc:
        return refusal(exc.http_status, exc.key, str(exc))
    return Response(status=204)


@api.post("/me/password")
def change_password() -> Response:
    """Change my password (the current one required); my web sessions end and my tokens are revoked."""
    body = Body.read()
    current_password = body.text("current_password", required=True, limit=1024)
    new_password = body.text("new_password", required=True, limit=1024)
    try:
        with acting() as (s, current, me):
            access.change_password(s, current, runtime().settings.security, me.id, current_password, new_password)
    except QuorumError as exc:
        return refusal(exc.http_status, exc.key, str(exc))
    return Response(status=204)
