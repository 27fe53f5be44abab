"""Backup → restore drill on SQLite and PostgreSQL: every table row for row, every file hash, the audit head.

The record is small but real: the demo 二连浩特 医共体, a 三重一大 matter with two attachments and a signed
请示 (a frozen .docx under files/documents), and the audit events they wrote. PostgreSQL restores into a
database created for the test (same schema name: pg_restore cannot rename one) and dropped after.
"""

import hashlib
import io
import os
import stat
import tarfile
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from quorum.cli import main
from quorum.db import AuditHead, Base, Document
from quorum.db.session import make_engine
from quorum.scheduler_settings import BackupSettings
from quorum.services import attachments, audit, backup, demo, documents, org, restore
from quorum.services.backup_archive import BackupDamaged
from quorum.services.backup_database import TargetNotEmpty
from tests.cli.support import Cli, user_error
from tests.helpers import submit


def _url_of(db) -> str:
    """The database URL with the test's schema named, as a deployment would configure it."""
    url = db.engine.url
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def recorded(community, env, tmp_path):
    """A matter with two attachments and a signed 请示 on disk under tmp_path/data/files."""
    files_env = replace(env, files_dir=tmp_path / "data" / "files")
    sc = demo.Scenario(community.sessions, files_env)
    matter_id = submit(sc, "二连浩特市人民医院CT设备购置")
    secretary = sc.holder("secretariat", 0)
    for name, data in (("可行性论证.pdf", b"%PDF-1.4 feasibility " * 500), ("报价单.xlsx", b"PK\x03\x04 quote")):
        sc.do(secretary, attachments.add, matter_id, name, "application/octet-stream", data)
    with community.sessions.begin() as s:
        documents.draft(s, files_env, org.person(s, "gaowenjing"), "request", [matter_id])
        documents.sign_off_drafts(s, files_env)
        assert set(s.execute(select(Document.status)).scalars()) == {"frozen"}
    return files_env.files_dir


@pytest.fixture
def target(db, tmp_path):
    """An empty database URL of the same kind (PostgreSQL: a new database, dropped after)."""
    if db.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'quorum.sqlite3'}"
        return
    name = f"quorum_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(_url_of(db)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows(engine) -> dict[str, list[tuple]]:
    tables = [*Base.metadata.sorted_tables]
    with engine.connect() as conn:
        out = {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))] for t in tables}
        out["alembic_version"] = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def test_backup_restores_every_row_file_and_the_audit_head(db, recorded, target, env, tmp_path):
    os.umask(0o000)                       # even so, nobody else may read a backup
    try:
        made = backup.backup(_url_of(db), BackupSettings(directory=tmp_path / "backups"), env.now, recorded)
    finally:
        os.umask(0o022)
    archive = Path(made["file"])
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in archive.parent.iterdir()) == [archive.name]      # no partial or work left
    with db.sessions.begin() as s:
        head = s.get(AuditHead, 1)
        assert made["audit_head"] == {"seq": head.seq, "hash": head.hash} and head.seq > 5
    assert made["files"] == len(_hashes(recorded)) and {p.split("/")[0] for p in _hashes(recorded)} == {
        "attachments", "documents"}

    files_dir = tmp_path / "restored" / "files"
    result = restore.restore(archive, target, files_dir)
    assert (result["files"], result["needs_migrate"], result["audit_head"]) == (made["files"], False, made["audit_head"])
    assert _hashes(files_dir) == _hashes(recorded)
    restored = make_engine(target)
    try:
        assert _rows(restored) == _rows(db.engine)
        with Session(restored) as s:
            assert audit.verify(s).ok
    finally:
        restored.dispose()


def test_a_tampered_archive_is_refused_whole(db, recorded, env, tmp_path, capsys):
    made = backup.backup(_url_of(db), BackupSettings(directory=tmp_path / "backups"), env.now, recorded)
    archive = Path(made["file"])
    changed = tmp_path / "changed.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(changed, "w:gz") as out:
        for info in src:
            data = src.extractfile(info).read()
            if info.name.startswith("files/attachments/"):
                data = bytes([data[0] ^ 1]) + data[1:]          # one byte of one attachment
            out.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupDamaged, match="sha256"):
        backup.verify(changed)
    files_dir = tmp_path / "restored" / "files"
    with pytest.raises(BackupDamaged):
        restore.restore(changed, f"sqlite:///{tmp_path / 'restored' / 'q.sqlite3'}", files_dir)
    assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").iterdir())
    flipped = tmp_path / "flipped.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF                                   # damage inside the compressed stream
    flipped.write_bytes(bytes(raw))
    assert main(["backup", "verify", str(flipped)]) == 2
    assert main(["backup", "verify", str(changed)]) == 2
    err = capsys.readouterr().err
    assert "备份文件已损坏或被改动" in err and "Traceback" not in err
    assert main(["backup", "verify", str(archive)]) == 0
    assert "逐一与清单的 sha256 校验值一致" in capsys.readouterr().out


def test_restore_refuses_a_target_that_is_not_empty(db, recorded, target, env, tmp_path):
    made = backup.backup(_url_of(db), BackupSettings(directory=tmp_path / "backups"), env.now, recorded)
    archive = Path(made["file"])
    before = _rows(db.engine)
    with pytest.raises(TargetNotEmpty, match="已存在" if db.engine.dialect.name == "sqlite" else "已有"):
        restore.restore(archive, _url_of(db), tmp_path / "elsewhere" / "files")     # the live database
    assert _rows(db.engine) == before and not (tmp_path / "elsewhere").exists()
    with pytest.raises(TargetNotEmpty, match="不是空的"):
        restore.restore(archive, target, recorded)                                   # the live files
    if target.startswith("sqlite"):
        assert not Path(make_url(target).database).exists()
        return
    restored = make_engine(target)
    try:
        with restored.begin() as conn:
            assert inspect(conn).get_table_names() == []
            schema = make_url(target).query["options"].split("=", 1)[1]
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))      # existing and empty, as public always is
        result = restore.restore(archive, target, tmp_path / "restored" / "files")
        assert result["audit_head"] == made["audit_head"] and _rows(restored) == before
    finally:
        restored.dispose()


def test_the_restore_drill_on_the_command_line(tmp_path):
    live, fresh = Cli(tmp_path / "data"), Cli(tmp_path / "restored")
    live.ok("init", "--demo-org")
    (tmp_path / "data" / "files" / "attachments").mkdir(parents=True)
    (tmp_path / "data" / "files" / "attachments" / ("0" * 64)).write_bytes(b"stored attachment")
    made = live.json("backup")
    assert made["files"] == 1 and Path(made["file"]).parent == tmp_path / "data" / "backups"
    out = fresh.ok("restore", made["file"])
    assert "SQLite" in out and "文件：1 个" in out and "quorum audit verify" in out
    assert "审计链完整" in fresh.ok("audit", "verify")
    reason = user_error(fresh.run("restore", made["file"]), "backup.target_not_empty")
    assert "已存在" in reason


@pytest.mark.parametrize("name", ["files/../../outside", "/etc/passwd", "elsewhere/x", "files/link"])
def test_an_archive_naming_anything_outside_its_two_folders_is_refused(tmp_path, name):
    archive = tmp_path / "quorum-20261102-090000.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        info = tarfile.TarInfo(name)
        if name == "files/link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            out.addfile(info)
        else:
            info.size = 1
            out.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(BackupDamaged, match="不应出现"):
        backup.verify(archive)
