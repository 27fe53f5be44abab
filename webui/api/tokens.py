"""POST /token: exchange a username and password for a bearer token."""

from datetime import timedelta

from flask import Response

from quorum.core.errors import NotPermitted
from quorum.services import access, org
from webui.api.blueprint import api, refusal, reply
from webui.api.inputs import KEY_LENGTH, Body
from webui.runtime import env, transaction


@api.post("/token")
def token() -> Response:
    """Issue a token (JSON or form body); wrong credentials are a 401 with one vague message."""
    body = Body.read(form=True)
    username = body.text("username", required=True, limit=KEY_LENGTH)
    password = body.text("password", required=True, limit=1024)
    current = env()
    try:
        with transaction() as s:
            person = access.authenticate(s, username, password)
            issued = access.issue_token(s, current, person)
            who = {"username": person.username, "name": person.name, "roles": sorted(org.roles_of(s, person.id))}
    except NotPermitted:
        return refusal(401, "invalid_credentials", "用户名或密码错误")
    # access.issue_token does not return the expiry; it is always TOKEN_DAYS after issue.
    return reply({"token": issued, "token_type": "Bearer",
                  "expires_at": current.now + timedelta(days=access.TOKEN_DAYS), "person": who})
