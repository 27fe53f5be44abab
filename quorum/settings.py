"""config.toml → a frozen Settings object. The only reader of config.toml and QUORUM_* variables."""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from quorum import resources
from quorum.audit_settings import AuditSettings, parse_audit
from quorum.calendar import WorkCalendar, YearArrangement, parse_overrides
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.limits_settings import LimitsSettings, parse_limits
from quorum.preview_settings import PreviewLimits, parse_previews
from quorum.scheduler_settings import DeliverySettings, _table, listed, parse_delivery
from quorum.security_settings import SecuritySettings, parse_security
from quorum.web_settings import WebSettings, parse_web

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    organisation: str
    data_dir: Path
    database_url: str
    policies_dir: Path
    templates_dir: Path
    calendar_overrides: Mapping[date, bool] = field(default_factory=dict)
    calendar_complete_years: frozenset[int] = frozenset()   # years whose holidays/workdays are the whole notice
    secret_key: str = "change-me"
    raw: Mapping[str, Any] = field(default_factory=dict)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)   # [mail] [webhooks] [scheduler] [backup]
    web: WebSettings = field(default_factory=WebSettings)   # [web]: bind, workers, threads, timeout, proxies
    database_synchronous: str = "normal"    # [database] synchronous: SQLite's durability, "normal" or "full"
    security: SecuritySettings = field(default_factory=SecuritySettings)   # [security]: passwords, lockout, sessions
    audit: AuditSettings | None = None      # [audit]: key_file, anchor_file
    limits: LimitsSettings = field(default_factory=LimitsSettings)   # [limits]: dates, money, text lengths
    previews: PreviewLimits = field(default_factory=PreviewLimits)   # [previews]: attachment conversions

    def calendar(self) -> WorkCalendar:
        """The config.toml calendar; a complete year's listed days are its whole arrangement (exact)."""
        return WorkCalendar(self.calendar_overrides, {year: YearArrangement.of_overrides(year, self.calendar_overrides)
                                                      for year in self.calendar_complete_years})


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


# Every section config.toml may have; a misspelt section or key anywhere is refused with file and key named.
SECTIONS = ("organisation", "paths", "database", "calendar", "web", "mail", "webhooks", "scheduler", "backup",
            "audit", "security", "limits", "previews")


def _check_schema(raw: Mapping[str, Any], path: Path) -> None:
    """Refuse unknown sections, and unknown keys in the sections parsed here (the others check their own)."""
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise InvalidInput.because("settings.unknown_section", path=path, unknown=listed(unknown),
                                   sections=listed(SECTIONS))
    _table(raw, "organisation", path, {"name"})
    _table(raw, "paths", path, {"data_dir", "policies", "templates"})
    _table(raw, "database", path, {"url", "synchronous"})


def _no_config() -> NoReturn:
    raise InvalidInput.because("settings.config_not_found")


def _complete_years(value: Any, overrides: Mapping[date, bool], path: Path) -> frozenset[int]:
    """[calendar] complete_years: each year must have its days off listed in holidays."""
    if not isinstance(value, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in value):
        raise InvalidInput.because("settings.complete_years_not_list", path=path)
    for year in value:
        if not any(d.year == year and not w for d, w in overrides.items()):
            raise InvalidInput.because("settings.complete_year_without_holidays", path=path, year=year)
    return frozenset(value)


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read config.toml, then apply QUORUM_DATA_DIR and QUORUM_DATABASE_URL.

    The file is the one named (--config), else QUORUM_CONFIG, else ./config.toml, else the checkout's.
    """
    env = os.environ if env is None else env
    path = Path(path or env.get("QUORUM_CONFIG") or resources.default_config() or _no_config())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput.because("settings.config_file_missing", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput.because("settings.config_file_malformed", path=path, exc=exc) from None
    _check_schema(raw, path)
    base = path.parent
    paths = raw.get("paths", {})
    data_dir = _resolve(base, env.get("QUORUM_DATA_DIR") or paths.get("data_dir", "data"))
    db = raw.get("database", {})
    url = env.get("QUORUM_DATABASE_URL") or db.get("url") or ""
    if not url:
        url = f"sqlite:///{data_dir / 'quorum.sqlite3'}"
    cal = raw.get("calendar", {})
    try:
        overrides = parse_overrides(cal.get("holidays", []), cal.get("workdays", []))
    except ValueError as exc:
        raise InvalidInput.because("settings.calendar_date_malformed", path=path, exc=exc) from None
    complete_years = _complete_years(cal.get("complete_years", []), overrides, path)
    synchronous = db.get("synchronous", "normal")
    if synchronous not in ("normal", "full"):
        raise InvalidInput.because("settings.database_synchronous_invalid", path=path, synchronous=synchronous)
    return Settings(
        organisation=raw.get("organisation", {}).get("name", message("settings.organisation_default_name")),
        data_dir=data_dir,
        database_url=url,
        policies_dir=_resolve(base, paths.get("policies", "policies")),
        templates_dir=_resolve(base, paths.get("templates", "templates")),
        calendar_overrides=overrides,
        calendar_complete_years=complete_years,
        secret_key=env.get("QUORUM_SECRET_KEY") or raw.get("web", {}).get("secret_key", "change-me"),
        raw=raw,
        delivery=parse_delivery(raw, path, data_dir, env),
        web=parse_web(raw, path, env),
        database_synchronous=synchronous,
        security=parse_security(raw, path),
        audit=parse_audit(raw, path, data_dir, env),
        limits=parse_limits(raw, path),
        previews=parse_previews(raw, path),
    )
