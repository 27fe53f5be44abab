"""The [security] section of config.toml, validated: password rules, lockout, sessions and API tokens.

Read only through quorum.settings.load_settings; each error names the file, the section and the key.
The password rule check lives here too: it is pure and its wording names the rule that failed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quorum.core.messages import message
from quorum.scheduler_settings import _int, _table

KEYS = {"password_min_length", "password_classes", "max_failures", "lockout_minutes", "source_max_failures",
        "idle_minutes", "remember_days", "token_days"}


@dataclass(frozen=True)
class SecuritySettings:
    """MLPS 2.0 level 3 identification and authentication, and sessions: the defaults are what its checklists expect."""

    password_min_length: int = 10
    password_classes: int = 3        # of 4: lower case, upper case, digits, other characters
    max_failures: int = 5            # consecutive wrong passwords before the account is locked
    lockout_minutes: int = 15        # how long a locked account (and a throttled source) waits
    source_max_failures: int = 20    # failures from one address within lockout_minutes before it is throttled
    idle_minutes: int = 30           # 超时退出: a session unused this long must sign in again
    remember_days: int = 0           # 0: no "remember me"; otherwise its cookie lasts this long (revocable)
    token_days: int = 30             # API tokens expire after this many days

    def password_problem(self, password: str, username: str = "", name: str = "") -> str | None:
        """The rule a new password breaks, in Chinese, or None if it is acceptable."""
        if len(password) < self.password_min_length:
            return message("config.password_too_short", length=self.password_min_length)
        classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                       any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
        if classes < self.password_classes:
            return message("config.password_classes", classes=self.password_classes)
        lowered = password.lower()
        if any(part and part.lower() in lowered for part in (username, name)):
            return message("config.password_names_person")
        return None


def parse_security(raw: Mapping[str, Any], path: Path) -> SecuritySettings:
    """Validate [security]: every key optional, each an integer within its range."""
    t = _table(raw, "security", path, KEYS)
    d = SecuritySettings()
    return SecuritySettings(
        password_min_length=_int(t, "password_min_length", d.password_min_length, path, "security", 8, 128),
        password_classes=_int(t, "password_classes", d.password_classes, path, "security", 1, 4),
        max_failures=_int(t, "max_failures", d.max_failures, path, "security", 1, 100),
        lockout_minutes=_int(t, "lockout_minutes", d.lockout_minutes, path, "security", 1, 1440),
        source_max_failures=_int(t, "source_max_failures", d.source_max_failures, path, "security", 1, 10000),
        idle_minutes=_int(t, "idle_minutes", d.idle_minutes, path, "security", 1, 1440),
        remember_days=_int(t, "remember_days", d.remember_days, path, "security", 0, 365),
        token_days=_int(t, "token_days", d.token_days, path, "security", 1, 365))
