
from quorum.services import reactions  # noqa: E402,F401 — installs the routes from the engine's events to their reactions
