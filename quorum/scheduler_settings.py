"""The [mail], [webhooks], [scheduler] and [backup] sections of config.toml, and [web] base_url, validated.

Read only through quorum.settings.load_settings; each error names the file, the section and the key.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quorum.core.errors import InvalidInput
from quorum.core.messages import message

SECURITY = ("none", "starttls", "ssl")
ROBOT_FORMATS = ("wecom", "dingtalk")
_CRON_FIELD = re.compile(r"^[0-9*/,\-]+$")


@dataclass(frozen=True)
class MailSettings:
    host: str = ""                       # empty: no e-mail is sent
    port: int = 25
    security: str = "none"               # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = "quorum@localhost"
    timeout_seconds: float = 10.0
    kinds: tuple[str, ...] = ()          # notification kinds to e-mail; empty: all

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class Robot:
    """A group robot (WeCom / DingTalk) that receives the notification kinds it lists."""

    name: str
    format: str
    url: str
    secret: str = ""
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchedulerSettings:
    sweep_cron: str = "*/15 * * * *"
    digest_cron: str = "30 7 * * *"
    nightly_cron: str = "30 2 * * *"
    deliver_cron: str = "* * * * *"
    max_attempts: int = 6
    backoff_seconds: int = 60
    lease_seconds: int = 300
    webhook_timeout_seconds: float = 10.0
    prefect_port: int = 4200
    start_with_run: bool = True


@dataclass(frozen=True)
class BackupSettings:
    directory: Path = Path("backups")
    keep: int = 14
    pg_dump: str = "pg_dump"


@dataclass(frozen=True)
class DeliverySettings:
    mail: MailSettings = field(default_factory=MailSettings)
    robots: tuple[Robot, ...] = ()
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    base_url: str = ""     # [web] base_url: the site's address, for the links of e-mail and robot messages


def prefect_environment(data_dir: Path) -> dict[str, str]:
    """The variables every Prefect process of this deployment runs with: home under the data directory,
    no telemetry. (Only names and paths: the engine never imports prefect.)"""
    return {"PREFECT_HOME": str(Path(data_dir) / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1"}


def listed(names: Any) -> str:
    """Join names with the Chinese enumeration comma."""
    return message("settings.list_separator").join(names)


def _bad(path: Path, section: str, key: str, reason: str) -> InvalidInput:
    return InvalidInput.because("settings.bad_value", path=path, section=section, setting=key, reason=reason)


def _table(raw: Mapping[str, Any], section: str, path: Path, known: set[str]) -> Mapping[str, Any]:
    table = raw.get(section, {})
    if not isinstance(table, Mapping):
        raise _bad(path, section, "", message("settings.not_a_table"))
    unknown = sorted(set(table) - known)
    if unknown:
        raise _bad(path, section, listed(unknown), message("settings.unknown_keys", known=listed(sorted(known))))
    return table


def _str(t: Mapping[str, Any], key: str, default: str, path: Path, section: str) -> str:
    value = t.get(key, default)
    if not isinstance(value, str):
        raise _bad(path, section, key, message("settings.not_a_string", value=value))
    return value.strip()


def _int(t: Mapping[str, Any], key: str, default: int, path: Path, section: str, low: int, high: int) -> int:
    value = t.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(path, section, key, message("settings.not_an_integer", low=low, high=high, value=value))
    return value


def _kinds(t: Mapping[str, Any], path: Path, section: str) -> tuple[str, ...]:
    value = t.get("kinds", [])
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise _bad(path, section, "kinds", message("settings.not_a_kind_list", value=value))
    return tuple(value)


def _cron(t: Mapping[str, Any], key: str, default: str, path: Path) -> str:
    value = _str(t, key, default, path, "scheduler")
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise _bad(path, "scheduler", key, message("settings.not_a_cron_expression", value=value))
    return value


def parse_mail(raw: Mapping[str, Any], path: Path, env: Mapping[str, str]) -> MailSettings:
    t = _table(raw, "mail", path, {"host", "port", "security", "username", "password", "sender",
                                   "timeout_seconds", "kinds"})
    security = _str(t, "security", "none", path, "mail")
    if security not in SECURITY:
        raise _bad(path, "mail", "security", message("settings.mail_security_invalid", choices=listed(SECURITY),
                                                     security=security))
    sender = _str(t, "sender", "quorum@localhost", path, "mail")
    host = _str(t, "host", "", path, "mail")
    if host and "@" not in sender:
        raise _bad(path, "mail", "sender", message("settings.mail_sender_not_address", sender=sender))
    return MailSettings(host=host, port=_int(t, "port", 25, path, "mail", 1, 65535), security=security,
                        username=_str(t, "username", "", path, "mail"),
                        password=env.get("QUORUM_MAIL_PASSWORD") or _str(t, "password", "", path, "mail"),
                        sender=sender, timeout_seconds=float(_int(t, "timeout_seconds", 10, path, "mail", 1, 300)),
                        kinds=_kinds(t, path, "mail"))


def parse_robots(raw: Mapping[str, Any], path: Path) -> tuple[Robot, ...]:
    t = _table(raw, "webhooks", path, {"robots"})
    robots = t.get("robots", [])
    if not isinstance(robots, list):
        raise _bad(path, "webhooks", "robots", message("settings.robots_not_an_array"))
    out, names = [], set()
    for i, r in enumerate(robots, 1):
        section = message("settings.robot_section", i=i)
        if not isinstance(r, Mapping):
            raise _bad(path, section, "", message("settings.not_a_table"))
        unknown = sorted(set(r) - {"name", "format", "url", "secret", "kinds"})
        if unknown:
            raise _bad(path, section, listed(unknown), message("settings.robot_unknown_keys"))
        name = _str(r, "name", "", path, section) or f"robot{i}"
        fmt = _str(r, "format", "", path, section)
        if fmt not in ROBOT_FORMATS:
            raise _bad(path, section, "format", message("settings.robot_format_invalid",
                                                        choices=listed(ROBOT_FORMATS), fmt=fmt))
        url = _str(r, "url", "", path, section)
        if not re.match(r"^https?://[^\s/]+", url):
            raise _bad(path, section, "url", message("settings.robot_url_invalid", url=url))
        if name in names:
            raise _bad(path, section, "name", message("settings.robot_name_twice", name=name))
        names.add(name)
        out.append(Robot(name, fmt, url, _str(r, "secret", "", path, section), _kinds(r, path, section)))
    return tuple(out)


def parse_scheduler(raw: Mapping[str, Any], path: Path) -> SchedulerSettings:
    t = _table(raw, "scheduler", path, {"sweep_cron", "digest_cron", "nightly_cron", "deliver_cron", "max_attempts",
                                        "backoff_seconds", "lease_seconds", "webhook_timeout_seconds",
                                        "prefect_port", "start_with_run"})
    start = t.get("start_with_run", True)
    if not isinstance(start, bool):
        raise _bad(path, "scheduler", "start_with_run", message("settings.not_a_boolean", start=start))
    return SchedulerSettings(
        sweep_cron=_cron(t, "sweep_cron", "*/15 * * * *", path),
        digest_cron=_cron(t, "digest_cron", "30 7 * * *", path),
        nightly_cron=_cron(t, "nightly_cron", "30 2 * * *", path),
        deliver_cron=_cron(t, "deliver_cron", "* * * * *", path),
        max_attempts=_int(t, "max_attempts", 6, path, "scheduler", 1, 50),
        backoff_seconds=_int(t, "backoff_seconds", 60, path, "scheduler", 1, 86400),
        lease_seconds=_int(t, "lease_seconds", 300, path, "scheduler", 1, 86400),
        webhook_timeout_seconds=float(_int(t, "webhook_timeout_seconds", 10, path, "scheduler", 1, 300)),
        prefect_port=_int(t, "prefect_port", 4200, path, "scheduler", 1, 65535),
        start_with_run=start)


def parse_backup(raw: Mapping[str, Any], path: Path, data_dir: Path) -> BackupSettings:
    t = _table(raw, "backup", path, {"dir", "keep", "pg_dump"})
    directory = Path(_str(t, "dir", "backups", path, "backup") or "backups").expanduser()
    if not directory.is_absolute():
        directory = data_dir / directory
    return BackupSettings(directory=directory, keep=_int(t, "keep", 14, path, "backup", 1, 3650),
                          pg_dump=_str(t, "pg_dump", "pg_dump", path, "backup") or "pg_dump")


def parse_base_url(raw: Mapping[str, Any], path: Path) -> str:
    """[web] base_url: empty (links stay paths, robots get plain text) or an http(s) address."""
    web = raw.get("web", {})
    url = _str(web, "base_url", "", path, "web") if isinstance(web, Mapping) else ""
    if url and not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
        raise _bad(path, "web", "base_url", message("arrivals.base_url_invalid", url=url))
    return url.rstrip("/")


def parse_delivery(raw: Mapping[str, Any], path: Path, data_dir: Path, env: Mapping[str, str]) -> DeliverySettings:
    return DeliverySettings(mail=parse_mail(raw, path, env), robots=parse_robots(raw, path),
                            scheduler=parse_scheduler(raw, path), backup=parse_backup(raw, path, data_dir),
                            base_url=parse_base_url(raw, path))
