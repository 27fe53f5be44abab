"""`quorum backup`, `quorum backup verify ARCHIVE` and `quorum restore ARCHIVE`.

Wired into the cli with register(sub, add), the signature of the "quorum.commands" entry points.
None of them opens the database through the schema check: a backup copies whatever is there, and a
restore writes into an empty target.
"""

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quorum.cli_support import emit, parse_time
from quorum.core.messages import message

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def cmd_backup(args: argparse.Namespace) -> None:
    from quorum.services import backup
    if args.action == "verify":
        cmd_verify(args)
        return
    if args.archive:
        from quorum.core.errors import InvalidInput
        raise InvalidInput.because("cli.backup_unexpected_argument")
    settings = args.runtime.settings
    result = backup.backup(settings.database_url, settings.delivery.backup, _now(args),
                           files_dir=settings.data_dir / "files")
    if args.json:
        emit(args, result)
        return
    print(message("cli.backup_done", file=result["file"], size=_size(result["bytes"]), files=result["files"],
                  head=_head(result["audit_head"])))
    print(message("cli.backup_manifest_digest", manifest_sha256=result['manifest_sha256']))
    if result["removed"]:
        print(message("cli.backup_pruned", removed=len(result["removed"])))


def _now(args: argparse.Namespace):
    """--now or the clock, without opening the database (a backup copies whatever schema is there)."""
    from quorum import calendar
    return parse_time(args.now) if args.now else calendar.now()


def cmd_verify(args: argparse.Namespace) -> None:
    from quorum.core.errors import InvalidInput
    from quorum.services import backup
    if not args.archive:
        raise InvalidInput.because("cli.backup_verify_needs_file")
    result = backup.verify(Path(args.archive))
    if args.json:
        emit(args, {**result, "ok": True})
        return
    print(message("cli.backup_verified", name=Path(result["archive"]).name, when=_when(result["created_at"]),
                  members=result["members"]))
    _describe(result)


def cmd_restore(args: argparse.Namespace) -> None:
    from quorum.services import restore
    settings = args.runtime.settings
    result = restore.restore(Path(args.archive), settings.database_url, settings.data_dir / "files",
                             settings.delivery.backup.pg_dump)
    if args.json:
        emit(args, result)
        return
    print(message("cli.restore_done", name=Path(result["archive"]).name, when=_when(result["created_at"])))
    _describe(result)
    print(message("cli.restore_next_step"))
    if result["needs_migrate"]:
        print(message("cli.restore_needs_migrate", schema_revision=result["schema_revision"],
                      code_head=result["code_head"]))


def _describe(result: dict[str, Any]) -> None:
    schema = message("cli.backup_schema", schema=result["schema"]) if result["schema"] else ""
    print(message("cli.backup_database_line", kind=KINDS[result["kind"]], schema=schema,
                  schema_revision=result["schema_revision"], tables=result["tables"], rows=result["rows"]))
    if result["files_included"]:
        print(message("cli.backup_files_line", files=result["files"], size=_size(result["files_bytes"])))
    else:
        print(message("cli.backup_files_none"))
    print(f"  {_head(result['audit_head'])}")


def _when(moment: str) -> str:
    return moment[:19].replace("T", " ")


def _head(head: dict[str, Any] | None) -> str:
    if not head:
        return message("cli.backup_audit_empty")
    return message("cli.backup_audit_head", seq=head["seq"], hash=head["hash"][:16])


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return message("cli.size_bytes", count=count)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add backup (with its verify action) and restore."""
    p = add(sub, "backup", cmd_backup, message("cli.backup_help"))
    p.add_argument("action", nargs="?", choices=["verify"], help=message("cli.backup_action_help"))
    p.add_argument("archive", nargs="?", help=message("cli.backup_archive_help"))
    p = add(sub, "restore", cmd_restore, message("cli.restore_help"))
    p.add_argument("archive", help=message("cli.backup_archive_help"))
