"""What a flow run needs: settings, the database, the rules and the outlets — opened once per process."""

from dataclasses import dataclass
from datetime import datetime

from quorum import calendar, policies
from quorum.database import Database, open_database
from quorum.services import audit, reactions  # noqa: F401 — reactions: the engine's routes
from quorum.services.env import Env
from quorum.services.outbox import Outlets
from quorum.services.sweeps import SweepRules
from quorum.settings import Settings, load_settings


@dataclass
class FlowRuntime:
    settings: Settings
    db: Database
    policies: policies.LoadedPolicies
    rules: SweepRules
    outlets: Outlets

    @classmethod
    def open(cls, settings: Settings | None = None, database: Database | None = None) -> "FlowRuntime":
        settings = settings or load_settings()
        audit.use_settings(settings)        # sign audit events with this deployment's key
        return cls(settings, database or open_database(settings), policies.load(settings.policies_dir),
                   SweepRules.load(settings.policies_dir), Outlets.from_settings(settings))

    def env(self, now: str | None = None) -> Env:
        """The environment at `now` (ISO time, for tests and catch-up runs) or at the current time."""
        from quorum.services.calendar_years import current_calendar
        moment = calendar.to_local(datetime.fromisoformat(now)) if now else calendar.now()
        return Env(self.policies, current_calendar(self.db.engine, self.settings), moment,
                   files_dir=self.settings.data_dir / "files", bounds=self.settings.limits.bounds)


_current: FlowRuntime | None = None


def current() -> FlowRuntime:
    global _current
    if _current is None:
        _current = FlowRuntime.open()
    return _current


def use(runtime: FlowRuntime | None) -> None:
    """Run the flows of this process against another runtime (tests), or reopen from config (None)."""
    global _current
    _current = runtime
