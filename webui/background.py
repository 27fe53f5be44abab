"""The background processes of `quorum run`: a local Prefect server and the scheduler serving the flows.

Both are child processes in their own sessions, so Ctrl-C reaches only `quorum run`, which then
stops the scheduler and the server in that order (SIGINT, then SIGTERM, then SIGKILL, each after a
bounded wait). The web UI starts at once; the scheduler is started when the server answers. The
web layer never imports `flows`: the scheduler is `python -m flows.serve`. The children run in the
checkout (Prefect loads the flows from there), so they are told which config.toml this process read
(QUORUM_CONFIG, absolute): `./config.toml` of the caller's directory is not theirs.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from quorum import resources
from quorum.scheduler_settings import prefect_environment
from quorum.settings import ROOT, Settings

STARTUP_SECONDS = 180
STOP_SECONDS = 5


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Background:
    """Start, watch and stop the Prefect server and the scheduler."""

    def __init__(self, settings: Settings, config: str | Path | None = None) -> None:
        self.settings = settings
        found = config or os.environ.get("QUORUM_CONFIG") or resources.default_config()
        self.config = Path(found).resolve() if found else None
        wanted = settings.delivery.scheduler.prefect_port
        self.port = wanted if _port_free(wanted) else _free_port()
        self.logs = Path(settings.data_dir) / "logs"
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def environ(self) -> dict[str, str]:
        env = {**os.environ, **prefect_environment(self.settings.data_dir)}
        env.update(PREFECT_API_URL=self.api_url, PREFECT_SERVER_API_HOST="127.0.0.1",
                   PREFECT_SERVER_API_PORT=str(self.port), QUORUM_DATA_DIR=str(self.settings.data_dir),
                   PYTHONIOENCODING="utf-8")
        if self.config is not None:
            env["QUORUM_CONFIG"] = str(self.config)
        if self.settings.database_url:
            env["QUORUM_DATABASE_URL"] = self.settings.database_url
        return env

    def _spawn(self, name: str, *args: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")      # noqa: SIM115  (owned by the child for its lifetime)
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.environ(), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.processes.append((name, proc))

    def start(self) -> None:
        """Start the server now and the scheduler once the server is healthy (in a watcher thread)."""
        self._spawn("prefect-server", "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                    "--port", str(self.port))
        self._watcher = threading.Thread(target=self._start_scheduler, name="quorum-scheduler-start", daemon=True)
        self._watcher.start()

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=timeout) as response:
                return response.status == 200
        except OSError:
            return False

    def _start_scheduler(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._stop.is_set() and time.monotonic() < deadline:
            if self.healthy():
                if not self._stop.is_set():
                    self._spawn("scheduler", "-m", "flows.serve")
                return
            self._stop.wait(1.0)

    def stop(self) -> None:
        """Stop the scheduler first, then the server; never leave a child behind."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=STOP_SECONDS)
        for _name, proc in reversed(self.processes):
            _end(proc)
        self.processes.clear()


def _end(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=STOP_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
