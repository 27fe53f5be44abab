"""Refuse an over-long value in a posted web form by the deployment's [limits], before any use case runs.

Every text input and textarea of templates/web carries `maxlength="{{ lengths.<kind> }}"`; a browser
can be bypassed, so `webui.runtime.call` checks the posted form here with the same bounds
(webui.api.inputs.max_length). The refusal is an InvalidInput raised inside the view's own
`try`, so the page comes back (422) with the Chinese message and what the person typed.
"""

from flask import request

from quorum.core.errors import InvalidInput
from quorum.core.messages import MESSAGES, message
from webui.api.inputs import FIXED_LENGTHS, LIMIT_KEYS, LONG_TEXT, SECRET, TEXT, TITLE, max_length

TITLES = {"title", "place", "complainant", "contact"}
TEXTS = {"reason", "note"}
LONGER = {("meetings.vote", "reason")}     # a vote's reason goes to the minutes (2000 characters)


class Lengths:
    """`lengths.title` and the like in every template, macros included: each text kind's bound under the
    running app's [limits], read when the page renders."""

    def __getattr__(self, kind: str) -> int:
        if kind not in FIXED_LENGTHS and kind not in LIMIT_KEYS:
            raise AttributeError(kind)
        return max_length(kind)


def kind_of(endpoint: str | None, name: str) -> str:
    """The text kind a posted field's value belongs to (a long text unless named otherwise)."""
    if "password" in name:
        return SECRET
    if name in TITLES or name.endswith("-title"):
        return TITLE
    if name in TEXTS and (endpoint, name) not in LONGER:
        return TEXT
    return LONG_TEXT


def label(name: str) -> str:
    key = f"security.form_field.{name.rsplit('-', 1)[-1]}"
    return message(key) if key in MESSAGES else message("security.form_field_other")


def check_posted_form() -> None:
    """Refuse the first posted value longer than its kind allows, naming the field and the bound."""
    if request.method != "POST" or request.blueprint == "api":
        return
    for name, value in request.form.items(multi=True):
        limit = max_length(kind_of(request.endpoint, name))
        if len(value) > limit:
            raise InvalidInput(reason=message("security.form_too_long", field=label(name), limit=limit))
