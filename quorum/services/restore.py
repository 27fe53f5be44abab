"""Restore a backup archive into an empty database and an empty files directory.

Order matters: every sha256 is checked before anything is written; then the targets are checked
empty (the SQLite file must not exist; the PostgreSQL schema must hold no table or sequence; the
files directory must hold no file) and refused whole otherwise; the members are extracted into a
private staging directory beside the files directory with their hashes checked again; the database
is loaded (pg_restore in one transaction), the files directory renamed into place, and the restored
database's revision, audit head and row counts compared with the manifest.
"""

import shutil
import tempfile
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory

from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.database import MIGRATIONS, code_head
from quorum.services import backup, backup_archive, backup_database
from quorum.services.backup_database import TargetNotEmpty

WHAT = {fact: message(f"backup.fact_{fact}") for fact in ("schema_revision", "tables", "audit_head")}


def restore(archive: Path, database_url: str, files_dir: Path, pg_dump: str = "pg_dump") -> dict[str, Any]:
    """Restore archive into database_url and files_dir, both empty; return what was restored."""
    archive = Path(archive)
    manifest = backup_archive.verify(archive)
    _check_revision(manifest["database"]["schema_revision"])
    schema_exists = backup_database.check_target(database_url, manifest)
    _check_files_dir(files_dir)
    files_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".quorum-restore-", dir=files_dir.parent))
    try:
        backup_archive.extract(archive, manifest, staging)
        backup_database.load(database_url, staging / manifest["database"]["member"], schema_exists, pg_dump)
        if files_dir.is_dir():
            files_dir.rmdir()                     # checked empty above
        (staging / "files").mkdir(exist_ok=True)
        (staging / "files").rename(files_dir)
    except OSError as exc:
        raise InvalidInput.because("backup.restore_failed", reason=exc.strerror or exc,
                                   path=exc.filename or staging) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    found = backup_database.restored_facts(database_url)
    _compare(manifest, found)
    return {**backup.summary(archive, manifest), "code_head": code_head(),
            "needs_migrate": found["schema_revision"] != code_head()}


def _check_revision(revision: str | None) -> None:
    if revision is None:
        raise InvalidInput.because("backup.restore_schema_uninitialised")
    try:
        known = ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except Exception:          # alembic raises its own errors for unknown revisions
        known = False
    if not known:
        raise InvalidInput.because("backup.restore_schema_newer", revision=revision, code_head=code_head())


def _check_files_dir(files_dir: Path) -> None:
    if files_dir.exists() and not files_dir.is_dir():
        raise TargetNotEmpty.because("backup.restore_files_not_directory", files_dir=files_dir)
    if files_dir.is_dir() and any(files_dir.iterdir()):
        raise TargetNotEmpty.because("backup.restore_files_not_empty", files_dir=files_dir)


def _compare(manifest: dict[str, Any], found: dict[str, Any]) -> None:
    archived = manifest["database"]
    expected = {"schema_revision": archived["schema_revision"], "tables": archived["tables"],
                "audit_head": manifest["audit_head"]}
    if found != expected:
        differing = [WHAT[k] for k in expected if found[k] != expected[k]]
        separator = message("settings.list_separator")
        raise InvalidInput.because("backup.restore_mismatch", differing=separator.join(differing))
