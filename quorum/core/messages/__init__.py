"""The single table of user-facing wording: every text a person reads that is not a template.

The table is split by area into the modules of this package, each a `MESSAGES` dict; they are merged
here into one `MESSAGES`, and a key defined twice is an error at import. Document wording lives in
templates/documents/, notification bodies in templates/messages/, page text in templates/web/.
A test (tests/test_wording.py) keeps Chinese literals out of every other .py file but the demo data.
"""

from quorum.core.messages import admin as admin_wording
from quorum.core.messages import api as api_wording
from quorum.core.messages import (
    arrivals,
    audit,
    audit_page,
    cli,
    configuration,
    documents,
    duties,
    engine,
    inbox_card,
    meeting_room,
    notify,
    onboarding,
    operations,
    previews,
    registers,
    search,
    supervision,
    typesetting,
    values,
    web,
)
from quorum.core.messages import document_service as document_service_wording
from quorum.core.messages import matters as matter_wording
from quorum.core.messages import meetings as meeting_wording
from quorum.core.messages import permissions as access
from quorum.core.messages import policy as policy_wording
from quorum.core.messages import rendering as rendering_wording
from quorum.core.messages import security as safeguards
from quorum.core.messages import states as state_names
from quorum.core.messages import steps as step_wording

_AREAS = (engine, cli, operations, notify, web, values, state_names, documents, duties, supervision, audit, access,
          safeguards, policy_wording, step_wording, meeting_wording,
          matter_wording, document_service_wording, admin_wording, rendering_wording, api_wording, configuration,
          typesetting, arrivals, meeting_room, inbox_card, onboarding, previews, registers,
          search, audit_page)


def _merge(*tables: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for table in tables:
        twice = merged.keys() & table.keys()
        if twice:
            raise KeyError(f"message keys defined twice: {sorted(twice)}")
        merged.update(table)
    return merged


MESSAGES: dict[str, str] = _merge(*(area.MESSAGES for area in _AREAS))


def message(key: str, /, **params: object) -> str:
    """Return the wording for key, filled with params (the key itself when it is unknown)."""
    template = MESSAGES.get(key)
    if template is None:
        return key
    return template.format(**params)
