"""The [web] section of config.toml, validated: where and how `quorum serve` serves the UI and the API.

Read only through quorum.settings.load_settings; each error names the file, the section and the key.
`secret_key` belongs to [web] too but stays on Settings (QUORUM_SECRET_KEY overrides it).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quorum.core.messages import message
from quorum.scheduler_settings import _bad, _int, _str, _table

_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):([0-9]{1,5})$")


@dataclass(frozen=True)
class WebSettings:
    """How the production server (gunicorn) runs: one master, `workers` processes of `threads` threads."""

    bind: str = "127.0.0.1:8080"     # host:port, [ipv6]:port or unix:/path/to.sock
    workers: int = 2
    threads: int = 4
    timeout: int = 60                # seconds a request may take before its worker is restarted
    proxies: int = 0                 # trusted reverse-proxy hops: > 0 trusts X-Forwarded-* and marks cookies Secure


def split_bind(bind: str) -> tuple[str, int] | None:
    """(host, port) of a host:port address, None for a unix socket or anything else."""
    match = _HOST_PORT.match(bind)
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        return None
    return match.group(1).strip("[]"), int(match.group(2))


def valid_bind(bind: str) -> bool:
    return split_bind(bind) is not None or (bind.startswith("unix:") and len(bind) > len("unix:"))


def parse_web(raw: Mapping[str, Any], path: Path, env: Mapping[str, str]) -> WebSettings:
    """Validate [web]; env is accepted for symmetry with the other sections (no overrides yet).

    base_url is read with the notification settings (quorum.scheduler_settings.parse_base_url)."""
    t = _table(raw, "web", path, {"secret_key", "bind", "workers", "threads", "timeout", "proxies",
                                  "base_url"})
    _str(t, "secret_key", "", path, "web")
    bind = _str(t, "bind", WebSettings.bind, path, "web")
    if not valid_bind(bind):
        raise _bad(path, "web", "bind", message("settings.web_bind_invalid", bind=bind))
    return WebSettings(bind=bind, workers=_int(t, "workers", 2, path, "web", 1, 64),
                       threads=_int(t, "threads", 4, path, "web", 1, 64),
                       timeout=_int(t, "timeout", 60, path, "web", 5, 3600),
                       proxies=_int(t, "proxies", 0, path, "web", 0, 5))
