"""The API blueprint with every route on it: importing this module registers the routes of each area.

The app factory imports `api` from here; nothing else does, so no route module is ever imported by a
module it imports (the package `webui.api` itself imports nothing).
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

__all__ = ["api", "audit", "documents", "matters", "meetings", "objections", "openapi", "payments", "supervision",
           "task_ops", "tasks", "tokens", "workflows"]
