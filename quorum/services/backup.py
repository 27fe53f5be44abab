"""Backups you can restore: one archive with the database, every stored file and a sha256 manifest.

`quorum-YYYYmmdd-HHMMSS.tar.gz` holds `database/quorum.sqlite3` (SQLite online backup) or
`database/quorum.dump` (pg_dump custom format), everything under `<data_dir>/files` (attachments,
frozen documents and their PDFs) as `files/…`, and `MANIFEST.json`: each member's sha256 and size,
the schema revision, the audit chain's head, every table's row count, the database kind, the time
and the program version. The backup directory is kept at mode 0700 and each archive at 0600 whatever
the umask; an archive appears under its name only when complete. Then all but the newest `keep`
backups are removed. Restoring is quorum.services.restore.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from quorum.core.errors import InvalidInput
from quorum.database import code_head
from quorum.scheduler_settings import BackupSettings
from quorum.services import backup_archive, backup_database
from quorum.services.backup_database import libpq_url

__all__ = ["backup", "verify", "prune", "libpq_url"]

PREFIX = "quorum-"
ARCHIVE = ".tar.gz"
SUFFIXES = (ARCHIVE, ".sqlite3", ".dump")     # .sqlite3 / .dump: database-only backups of earlier versions


def backup(database_url: str, settings: BackupSettings, now: datetime,
           files_dir: Path | None = None) -> dict[str, Any]:
    """Write one archive of the database and of files_dir into settings.directory; prune old ones.

    Without files_dir the archive holds the database only (the manifest says so).
    """
    directory = private_directory(Path(settings.directory))
    target = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}{ARCHIVE}"
    work = Path(tempfile.mkdtemp(prefix=".quorum-backup-", dir=directory))    # mode 0700
    try:
        snap = backup_database.snapshot(database_url, work, settings.pg_dump)
        with backup_archive.ArchiveWriter(target) as archive:
            archive.add(snap.path, snap.member)
            stored = [archive.add(path, name) for path, name in stored_files(files_dir)]
            manifest = {"created_at": now.isoformat(), "quorum_version": _version(), "code_head": code_head(),
                        "database": {"kind": snap.kind, "member": snap.member, "schema": snap.schema,
                                     "schema_revision": snap.facts["schema_revision"],
                                     "tables": snap.facts["tables"]},
                        "audit_head": snap.facts["audit_head"], "files_included": files_dir is not None,
                        "files": {"count": len(stored), "bytes": sum(m.bytes for m in stored)}}
            digest = archive.finish(manifest, now.timestamp())
    except OSError as exc:           # disk full, a file unreadable: one line, and no partial archive left
        raise InvalidInput.because("backup.failed", reason=exc.strerror or exc,
                                   path=exc.filename or directory) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"file": str(target), "bytes": target.stat().st_size, "files": len(stored),
            "audit_head": manifest["audit_head"], "schema_revision": snap.facts["schema_revision"],
            "manifest_sha256": digest, "removed": prune(directory, settings.keep)}


def private_directory(directory: Path) -> Path:
    """Create the backup directory, or tighten it, to mode 0700: backups hold every record."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
    except OSError as exc:
        raise InvalidInput.because("backup.directory_failed", directory=directory, strerror=exc.strerror) from None
    return directory


def stored_files(files_dir: Path | None) -> Iterator[tuple[Path, str]]:
    """Every stored file under files_dir as (path, archive name), skipping writes still in progress."""
    if files_dir is None or not files_dir.is_dir():
        return
    for path in sorted(files_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".part"):
            yield path, "files/" + path.relative_to(files_dir).as_posix()


def verify(archive: Path) -> dict[str, Any]:
    """Check every sha256 in the archive against its manifest; return a summary of what it holds."""
    manifest = backup_archive.verify(Path(archive))
    return summary(Path(archive), manifest)


def summary(archive: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    database = manifest["database"]
    return {"archive": str(archive), "created_at": manifest["created_at"], "kind": database["kind"],
            "schema": database["schema"], "schema_revision": database["schema_revision"],
            "tables": len(database["tables"]), "rows": sum(database["tables"].values()),
            "files": manifest["files"]["count"], "files_bytes": manifest["files"]["bytes"],
            "files_included": manifest["files_included"], "audit_head": manifest["audit_head"],
            "members": len(manifest["members"]), "quorum_version": manifest["quorum_version"]}


def _version() -> str:
    try:
        return version("quorum")
    except PackageNotFoundError:
        return "unknown"


def prune(directory: Path, keep: int) -> list[str]:
    """Remove all but the newest `keep` backups (names sort by time); return what was removed."""
    backups = sorted(p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIXES))
    removed = backups[:-keep] if keep > 0 else backups
    for path in removed:
        path.unlink()
    return [p.name for p in removed]
