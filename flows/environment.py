"""Prefect's environment, set before prefect is imported: home, telemetry, logging.

Explicit settings in the process environment win (setdefault), so an operator or a test can point
PREFECT_HOME or PREFECT_API_URL elsewhere.
"""

import logging
import os
from pathlib import Path


def prefect_environment(data_dir: Path) -> dict[str, str]:
    """The variables a Prefect process of this deployment runs with (also used for the subprocesses)."""
    return {
        "PREFECT_HOME": str(Path(data_dir) / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
    }


def prepare() -> None:
    """Set Prefect's variables (unless already set) and configure logging, before prefect is imported."""
    from quorum.settings import load_settings
    try:
        data_dir = load_settings().data_dir
    except Exception:          # a broken config.toml is reported by the first command that reads it
        data_dir = Path(os.environ.get("QUORUM_DATA_DIR", "data")).resolve()
    for key, value in prefect_environment(data_dir).items():
        os.environ.setdefault(key, value)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
