"""The backup archive: a gzip-compressed tar of the database and the files, with a sha256 manifest.

Members are hashed while they are copied in, and MANIFEST.json comes last, so an archive is written
in one pass. It is written under a hidden partial name with mode 0600 and renamed when complete:
a crash never leaves something that looks like a backup. Reading trusts nothing before every member
has been checked against the manifest — nothing missing, nothing extra, nothing changed, and only
regular files under database/ and files/ (never an absolute path or "..").
"""

import hashlib
import io
import json
import os
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from quorum.core.errors import InvalidInput, QuorumError

MANIFEST = "MANIFEST.json"
FORMAT = "quorum-backup/1"
ROOTS = ("database", "files")
CHUNK = 1 << 20
READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError, ValueError)


class BackupDamaged(QuorumError):
    """The archive does not match its manifest: refuse it whole."""

    key = "backup.damaged"


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    bytes: int


class _Hashing:
    """A read-only stream that hashes what passes through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Add files to a private partial archive; finish() appends the manifest and renames it into place."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target.with_name(f".{target.name}.partial")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)                 # whatever the umask: only the owner reads a backup
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w:gz", compresslevel=6)
        self.members: list[Member] = []

    def __enter__(self) -> "ArchiveWriter":
        return self

    def __exit__(self, kind: Any, *_exc: Any) -> None:
        if kind is not None:
            self._tar.close()
            self._file.close()
            self.partial.unlink(missing_ok=True)

    def add(self, source: Path, name: str) -> Member:
        with source.open("rb") as raw:
            stat = os.fstat(raw.fileno())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            stream = _Hashing(raw)
            self._tar.addfile(info, stream)
        member = Member(name, stream.digest.hexdigest(), stream.size)
        self.members.append(member)
        return member

    def finish(self, manifest: dict[str, Any], mtime: float) -> str:
        """Write the manifest, close and rename; return the manifest's own sha256."""
        data = json.dumps({"format": FORMAT, **manifest, "members": [asdict(m) for m in self.members]},
                          ensure_ascii=False, indent=2, default=str).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(mtime)
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.target)
        return hashlib.sha256(data).hexdigest()


def _check_name(info: tarfile.TarInfo) -> None:
    path = PurePosixPath(info.name)
    if (not info.isreg() or path.is_absolute() or any(p in ("", ".", "..") for p in path.parts)
            or path.parts[0] not in ROOTS or len(path.parts) < 2):
        raise BackupDamaged.because("backup.archive_unexpected_member", name=info.name)


def _members(archive: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    if not archive.is_file():
        raise InvalidInput.because("backup.archive_missing", archive=archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info in tar:
                if info.name != MANIFEST:
                    _check_name(info)
                stream = tar.extractfile(info)
                if stream is None:
                    raise BackupDamaged.because("backup.archive_unexpected_member", name=info.name)
                yield info, stream
    except READ_ERRORS as exc:
        raise BackupDamaged.because("backup.archive_unreadable", name=archive.name, exc=exc) from None


def _read(stream: IO[bytes], archive: Path, size: int = -1) -> bytes:
    """Read from a member: a member damaged inside the compressed stream fails here, not when it is opened."""
    try:
        return stream.read(size)
    except READ_ERRORS as exc:
        raise BackupDamaged.because("backup.archive_unreadable", name=archive.name, exc=exc) from None


def _copy(stream: IO[bytes], out: IO[bytes] | None, archive: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := _read(stream, archive, CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return digest.hexdigest(), size


MANIFEST_KEYS = {"format", "created_at", "quorum_version", "database", "audit_head", "files_included", "files",
                 "members"}
DATABASE_KEYS = {"kind", "member", "schema", "schema_revision", "tables"}


def _parse_manifest(data: bytes) -> dict[str, Any]:
    """The manifest, if it has the shape this program writes (it is read before anything is trusted)."""
    try:
        manifest = json.loads(data.decode())
        shaped = (isinstance(manifest, dict) and manifest.get("format") == FORMAT and MANIFEST_KEYS <= set(manifest)
                  and isinstance(manifest["database"], dict) and DATABASE_KEYS <= set(manifest["database"])
                  and manifest["database"]["kind"] in ("sqlite", "postgresql")
                  and isinstance(manifest["database"]["tables"], dict)
                  and all(isinstance(n, int) for n in manifest["database"]["tables"].values())
                  and manifest["database"]["member"] in {m.get("name") for m in manifest["members"]}
                  and all(isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("sha256"), str)
                          and isinstance(m.get("bytes"), int) for m in manifest["members"]))
    except (ValueError, TypeError, UnicodeDecodeError):
        shaped = False
    if not shaped:
        raise BackupDamaged.because("backup.manifest_foreign")
    return manifest


def verify(archive: Path) -> dict[str, Any]:
    """Check every member's sha256 and size against the manifest; return the manifest."""
    seen: dict[str, tuple[str, int]] = {}
    manifest = None
    for info, stream in _members(archive):
        if info.name == MANIFEST:
            manifest = _parse_manifest(_read(stream, archive))
        elif info.name in seen:
            raise BackupDamaged.because("backup.archive_member_twice", name=info.name)
        else:
            seen[info.name] = _copy(stream, None, archive)
    if manifest is None:
        raise BackupDamaged.because("backup.manifest_missing")
    listed = {m["name"]: (m["sha256"], m["bytes"]) for m in manifest["members"]}
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupDamaged.because("backup.archive_member_missing", name=name)
        if name not in listed:
            raise BackupDamaged.because("backup.archive_member_unlisted", name=name)
        if seen[name] != listed[name]:
            raise BackupDamaged.because("backup.archive_member_tampered", name=name)
    return manifest


def extract(archive: Path, manifest: dict[str, Any], destination: Path) -> None:
    """Write every member under destination, checking each sha256 again as it is written."""
    listed = {m["name"]: m["sha256"] for m in manifest["members"]}
    for info, stream in _members(archive):
        if info.name == MANIFEST:
            continue
        if info.name not in listed:
            raise BackupDamaged.because("backup.archive_member_unlisted", name=info.name)
        target = destination / info.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            digest, _size = _copy(stream, out, archive)
        if digest != listed[info.name]:
            raise BackupDamaged.because("backup.archive_member_tampered", name=info.name)
