"""Database backups with retention: SQLite's online backup API, or pg_dump for PostgreSQL.

A backup is written under a temporary name and renamed when complete, so a crash never leaves a
half-written file that looks like a backup; then all but the newest `keep` backups are removed.
"""

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from quorum.core.errors import InvalidInput
from quorum.scheduler_settings import BackupSettings

PREFIX = "quorum-"
SUFFIXES = (".sqlite3", ".dump")


def backup(database_url: str, settings: BackupSettings, now: datetime) -> dict[str, Any]:
    """Back the database up into settings.directory; return the file, its size and what was pruned."""
    directory = Path(settings.directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(reason=f"无法创建备份目录 {directory}：{exc.strerror}") from None
    url = make_url(database_url)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        target = directory / f"{PREFIX}{stamp}.sqlite3"
        _sqlite(Path(url.database or ""), target)
    elif url.get_backend_name() == "postgresql":
        target = directory / f"{PREFIX}{stamp}.dump"
        _pg_dump(database_url, target, settings.pg_dump)
    else:
        raise InvalidInput(reason=f"不支持备份此类数据库：{url.get_backend_name()}")
    return {"file": str(target), "bytes": target.stat().st_size, "removed": prune(directory, settings.keep)}


def _sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise InvalidInput(reason=f"数据库文件 {source} 不存在")
    partial = target.with_suffix(".partial")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)        # the online backup API: consistent even while others write
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(reason=f"SQLite 备份失败：{exc}") from None


def libpq_url(database_url: str) -> tuple[str, str | None]:
    """A URL pg_dump understands, and the schema named by a search_path option (tests use one)."""
    url = make_url(database_url)
    options = url.query.get("options", "")
    schema = None
    if isinstance(options, str) and options.startswith("-csearch_path="):
        schema = options.split("=", 1)[1].split(",")[0]
    plain = url.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), schema


def _pg_dump(database_url: str, target: Path, pg_dump: str) -> None:
    program = shutil.which(pg_dump)
    if program is None:
        raise InvalidInput(reason=f"找不到 pg_dump（config.toml [backup] pg_dump = \"{pg_dump}\"）")
    url, schema = libpq_url(database_url)
    partial = target.with_suffix(".partial")
    command = [program, "--format=custom", f"--file={partial}", f"--dbname={url}"]
    if schema:
        command.append(f"--schema={schema}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise InvalidInput(reason=f"pg_dump 失败：{result.stderr.strip()[:500]}")
    os.replace(partial, target)


def prune(directory: Path, keep: int) -> list[str]:
    """Remove all but the newest `keep` backups (names sort by time); return what was removed."""
    backups = sorted(p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.suffix in SUFFIXES)
    removed = backups[:-keep] if keep > 0 else backups
    for path in removed:
        path.unlink()
    return [p.name for p in removed]
