"""The [audit] section of config.toml, validated, and the audit key file it names.

key_file: the HMAC key of the audit chain, kept outside the database and the backups
(QUORUM_AUDIT_KEY_FILE overrides it; default audit.key beside config.toml), generated on first use.
Its keyring: `quorum audit rotate-key` keeps each earlier key beside it as audit.key.1, audit.key.2, …
(oldest first, 0600), so the whole chain keeps verifying across rotations.
anchor_file: where `quorum audit anchor` appends the chain's head; it must lie outside the data
directory, so whoever can replace the data directory cannot rewrite the anchors with it.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quorum.core.errors import InvalidInput
from quorum.scheduler_settings import _str, _table

KEY_BYTES = 32


@dataclass(frozen=True)
class AuditSettings:
    key_file: Path
    anchor_file: Path
    data_dir: Path

    def checked_anchor_file(self, chosen: Path | None = None) -> Path:
        """The anchor file to write, refused when it lies inside the data directory."""
        target = (chosen or self.anchor_file).expanduser().resolve()
        if target.is_relative_to(self.data_dir):
            raise InvalidInput.because("config.anchor_file_in_data_dir", target=target, data_dir=self.data_dir)
        return target


def parse_audit(raw: Mapping[str, Any], path: Path, data_dir: Path, env: Mapping[str, str]) -> AuditSettings:
    """Validate [audit]; relative paths are relative to config.toml's directory."""
    t = _table(raw, "audit", path, {"key_file", "anchor_file"})
    key = env.get("QUORUM_AUDIT_KEY_FILE") or _str(t, "key_file", "", path, "audit")
    anchors = env.get("QUORUM_AUDIT_ANCHOR_FILE") or _str(t, "anchor_file", "audit-anchors.log", path, "audit")
    return AuditSettings(key_file=_resolve(path.parent, key or "audit.key"),
                         anchor_file=_resolve(path.parent, anchors), data_dir=data_dir.resolve())


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return (p if p.is_absolute() else base / p).resolve()


def load_key(key_file: Path) -> bytes:
    """Read the audit key (hex), generating it (mode 0600) when the file does not exist yet."""
    if not key_file.exists():
        generate_key(key_file)
    text = key_file.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < KEY_BYTES:
        raise InvalidInput.because("config.audit_key_invalid", key_file=key_file, digits=KEY_BYTES * 2)
    return key


def generate_key(key_file: Path) -> bool:
    """Write a new random key to key_file (mode 0600) unless one is there; True when written.

    Written to a temporary file and linked into place, so two processes starting at once agree on one key.
    """
    key_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(KEY_BYTES) + "\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, key_file)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def keyring_files(key_file: Path) -> list[Path]:
    """The key files of the keyring: the earlier keys (audit.key.1, audit.key.2, …) oldest first, then the current."""
    earlier = [p for p in key_file.parent.glob(f"{key_file.name}.*") if p.suffix[1:].isdigit()]
    return sorted(earlier, key=lambda p: int(p.suffix[1:])) + [key_file]


def load_keyring(key_file: Path) -> tuple[bytes, ...]:
    """Every key the chain was ever signed with, oldest first; the last is the current key."""
    return tuple(load_key(p) for p in keyring_files(key_file))


def stage_key(key_file: Path, key: bytes) -> Path:
    """Write a new key beside key_file under a temporary name (mode 0600, synced); return that file."""
    staged = key_file.with_name(f".{key_file.name}.new.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return staged


def promote_key(key_file: Path, staged: Path) -> Path:
    """Keep the current key as the keyring's next earlier key and put the staged one in its place; return the kept file."""
    files = keyring_files(key_file)
    kept = key_file.with_name(f"{key_file.name}.{len(files)}")
    os.link(key_file, kept)              # the same file under a new name: its mode (0600) and content unchanged
    os.replace(staged, key_file)
    return kept


def demote_key(key_file: Path, kept: Path) -> None:
    """Undo promote_key: the kept key becomes the current one again (the rotation was not recorded)."""
    os.replace(kept, key_file)
