"""What every use case needs besides the Session: the current rules, the calendar and the time."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from quorum.calendar import WorkCalendar
from quorum.core.values import DEFAULT_BOUNDS, Bounds
from quorum.policies import LoadedPolicies


@dataclass(frozen=True)
class Env:
    policies: LoadedPolicies
    calendar: WorkCalendar
    now: datetime          # aware, Asia/Shanghai; passed in, never read from a clock here
    files_dir: Path | None = None    # where uploaded attachments and generated documents are kept
    templates_dir: Path | None = None    # templates/ (document wording); None: the package's own
    bounds: Bounds = DEFAULT_BOUNDS      # [limits]: the dates and amounts a field may carry

    def at(self, moment: datetime) -> "Env":
        return replace(self, now=moment)

    def later(self, **delta: float) -> "Env":
        return replace(self, now=self.now + timedelta(**delta))
