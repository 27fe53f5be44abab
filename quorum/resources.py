"""The shipped files — policies/, templates/ and the starter config.toml — and laying them out for a community.

A source checkout keeps them at the repository root, where developers and the README use them; a
built wheel or sdist carries copies as package data under quorum/defaults/ (setup.py copies them at
build time, so git holds one copy). `shipped(name)` finds whichever is there; `lay_out(directory)`
is `quorum init --data-dir`: a config.toml with its own secret key, and policies/ and templates/
the county may edit. Laying out never overwrites a file, so running it again keeps the county's edits.
"""

import errno
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from quorum.core.errors import InvalidInput
from quorum.core.messages import message

PACKAGE = Path(__file__).resolve().parent
DEFAULTS = PACKAGE / "defaults"
SHIPPED = ("policies", "templates", "config.toml")
CONFIG = "config.toml"
_WHY = {errno.EEXIST: message("layout.why_is_a_file"), errno.ENOTDIR: message("layout.why_parent_not_directory"),
        errno.EACCES: message("layout.why_not_writable"), errno.EPERM: message("layout.why_not_writable"),
        errno.EROFS: message("layout.why_read_only"), errno.ENOSPC: message("layout.why_disk_full"),
        errno.ENOENT: message("layout.why_cannot_create")}


def checkout() -> Path | None:
    """The source checkout this package runs from, or None when it is installed from a wheel."""
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / CONFIG).is_file() else None


def shipped(name: str) -> Path:
    """The shipped copy of policies/, templates/ or config.toml: the checkout's, else the package's."""
    if name not in SHIPPED:
        raise ValueError(f"not a shipped file: {name}")
    root = checkout()
    return root / name if root is not None else DEFAULTS / name


def default_config(cwd: Path | None = None) -> Path | None:
    """The config.toml to read when none is named: ./config.toml, else the checkout's (development)."""
    here = Path.cwd() if cwd is None else cwd
    if (here / CONFIG).is_file():
        return here / CONFIG
    root = checkout()
    return root / CONFIG if root is not None else None


@dataclass
class Layout:
    """What lay_out did in a directory (paths relative to it)."""

    directory: Path
    config_written: bool = False
    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)


def lay_out(directory: Path) -> Layout:
    """Write directory/config.toml (0600, a new secret key) and copy policies/ and templates/, never overwriting."""
    directory = Path(directory).expanduser().resolve()
    try:
        return _lay_out(directory)
    except OSError as exc:
        why = _WHY.get(exc.errno, message("layout.why_cannot_write"))
        raise InvalidInput.because("layout.directory_failed", directory=directory, path=exc.filename or directory,
                                   why=why) from None


def _lay_out(directory: Path) -> Layout:
    directory.mkdir(parents=True, exist_ok=True)
    layout = Layout(directory)
    config = directory / CONFIG
    if not config.exists():
        _write_private(config, starter_config(shipped(CONFIG).read_text(encoding="utf-8")))
        layout.config_written = True
    for name in ("policies", "templates"):
        source = shipped(name)
        for path in _files(source):
            _copy_one(path, directory / name / path.relative_to(source), layout)
    return layout


def starter_config(text: str) -> str:
    """The shipped config.toml with a fresh secret key and paths beside the file (comments kept)."""
    text = _set(text, "secret_key", secrets.token_urlsafe(48))
    for key in ("data_dir", "policies", "templates"):
        text = _set(text, key, "data" if key == "data_dir" else key)
    return text


def _set(text: str, key: str, value: str) -> str:
    text, count = re.subn(rf'^({key}\s*=\s*)"[^"\n]*"', lambda m: f'{m.group(1)}"{value}"', text, count=1,
                          flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"the shipped config.toml has no {key} line")
    return text


def _files(source: Path) -> list[Path]:
    return sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def _write_private(path: Path, text: str) -> None:
    """Create path readable by its owner only: it holds the session signing key."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)


def _copy_one(source: Path, target: Path, layout: Layout) -> None:
    relative = str(target.relative_to(layout.directory))
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        layout.copied.append(relative)
    elif target.read_bytes() == source.read_bytes():
        layout.unchanged.append(relative)
    else:
        layout.kept_edited.append(relative)
