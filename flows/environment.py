"""Prefect's environment, set before prefect is imported: home, telemetry, logging.

Explicit settings in the process environment win (setdefault), so an operator or a test can point
PREFECT_HOME or PREFECT_API_URL elsewhere.
"""

import logging
import os
from pathlib import Path

from quorum.scheduler_settings import prefect_environment


def prepare() -> None:
    """Set Prefect's variables (unless already set) and configure logging, before prefect is imported."""
    from quorum.settings import load_settings
    try:
        data_dir = load_settings().data_dir
    except Exception:          # a broken config.toml is reported by the first command that reads it
        data_dir = Path(os.environ.get("QUORUM_DATA_DIR", "data")).resolve()
    for key, value in prefect_environment(data_dir).items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)     # one line per API poll otherwise
    logging.getLogger("alembic").setLevel(logging.WARNING)   # the schema check's plugin chatter otherwise
