"""The JSON API under /api/v1: token authentication, the UI's use cases, described by /api/v1/openapi.json.

Each view parses its input (webui.api.inputs), calls one quorum.services use case in one
transaction as the token's holder (webui.api.blueprint.acting) and returns a read model from
quorum.services.records. Refusals are JSON {error, message} with the engine's status.
"""

from webui.api import (
    audit,
    documents,
    matters,
    meetings,
    objections,
    openapi,
    payments,
    supervision,
    task_ops,
    tasks,
    tokens,
    workflows,
)
from webui.api.blueprint import api

__all__ = ["api", "audit", "documents", "matters", "meetings", "objections", "openapi", "payments", "supervision", "task_ops",
           "tasks", "tokens", "workflows"]
