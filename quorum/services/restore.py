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
from quorum.database import MIGRATIONS, code_head
from quorum.services import backup, backup_archive, backup_database
from quorum.services.backup_database import TargetNotEmpty

WHAT = {"schema_revision": "结构版本", "tables": "各表行数", "audit_head": "审计链头"}


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
        raise InvalidInput(reason=f"恢复失败：{exc.strerror or exc}（{exc.filename or staging}）") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    found = backup_database.restored_facts(database_url)
    _compare(manifest, found)
    return {**backup.summary(archive, manifest), "code_head": code_head(),
            "needs_migrate": found["schema_revision"] != code_head()}


def _check_revision(revision: str | None) -> None:
    if revision is None:
        raise InvalidInput(reason="备份中的数据库尚未初始化（没有结构版本），无需恢复")
    try:
        known = ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except Exception:          # alembic raises its own errors for unknown revisions
        known = False
    if not known:
        raise InvalidInput(reason=f"备份的数据库结构版本 {revision} 比本程序新（{code_head()}）：请用不低于备份时的程序版本恢复")


def _check_files_dir(files_dir: Path) -> None:
    if files_dir.exists() and not files_dir.is_dir():
        raise TargetNotEmpty(reason=f"{files_dir} 不是目录")
    if files_dir.is_dir() and any(files_dir.iterdir()):
        raise TargetNotEmpty(reason=f"文件目录 {files_dir} 不是空的")


def _compare(manifest: dict[str, Any], found: dict[str, Any]) -> None:
    archived = manifest["database"]
    expected = {"schema_revision": archived["schema_revision"], "tables": archived["tables"],
                "audit_head": manifest["audit_head"]}
    if found != expected:
        differing = [WHAT[k] for k in expected if found[k] != expected[k]]
        raise InvalidInput(reason=f"恢复后的数据库与备份清单不符（{'、'.join(differing)}），请勿使用，重新恢复到空库")
