from quorum.services import reactions  # noqa: E402,F401 — the engine's routes, as every entry point installs them
