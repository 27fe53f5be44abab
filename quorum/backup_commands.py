"""`quorum backup`, `quorum backup verify ARCHIVE` and `quorum restore ARCHIVE`.

Wired into the cli with register(sub, add), the signature of the "quorum.commands" entry points.
None of them opens the database through the schema check: a backup copies whatever is there, and a
restore writes into an empty target.
"""

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def cmd_backup(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.services import backup
    if args.action == "verify":
        cmd_verify(args)
        return
    if args.archive:
        from quorum.core.errors import InvalidInput
        raise InvalidInput(reason="quorum backup 不带参数即备份；校验备份请用 quorum backup verify 备份文件")
    settings = args.runtime.settings
    result = backup.backup(settings.database_url, settings.delivery.backup, _now(args),
                           files_dir=settings.data_dir / "files")
    if args.json:
        emit(args, result)
        return
    print(f"已备份到 {result['file']}（{_size(result['bytes'])}）：数据库与 {result['files']} 个文件，"
          f"{_head(result['audit_head'])}")
    print(f"清单 sha256：{result['manifest_sha256']}")
    if result["removed"]:
        print(f"按保留份数删除 {len(result['removed'])} 份旧备份")


def _now(args: argparse.Namespace):
    """--now or the clock, without opening the database (a backup copies whatever schema is there)."""
    from quorum import calendar
    from quorum.cli import parse_time
    return parse_time(args.now) if args.now else calendar.now()


def cmd_verify(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.core.errors import InvalidInput
    from quorum.services import backup
    if not args.archive:
        raise InvalidInput(reason="请指明要校验的备份文件：quorum backup verify 备份文件")
    result = backup.verify(Path(args.archive))
    if args.json:
        emit(args, {**result, "ok": True})
        return
    print(f"备份完整：{Path(result['archive']).name}（{_when(result['created_at'])}）的 {result['members']} 个条目"
          f"逐一与清单的 sha256 校验值一致")
    _describe(result)


def cmd_restore(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.services import restore
    settings = args.runtime.settings
    result = restore.restore(Path(args.archive), settings.database_url, settings.data_dir / "files",
                             settings.delivery.backup.pg_dump)
    if args.json:
        emit(args, result)
        return
    print(f"已从 {Path(result['archive']).name}（{_when(result['created_at'])}）恢复，校验值逐一核对一致：")
    _describe(result)
    print("下一步：运行 quorum audit verify 核验审计链。")
    if result["needs_migrate"]:
        print(f"备份的数据库结构版本 {result['schema_revision']} 早于本程序（{result['code_head']}）："
              "启动网页和定时任务前请先运行 quorum migrate。")


def _describe(result: dict[str, Any]) -> None:
    schema = f"，模式 {result['schema']}" if result["schema"] else ""
    print(f"  数据库：{KINDS[result['kind']]}{schema}，结构版本 {result['schema_revision']}，"
          f"{result['tables']} 张表共 {result['rows']} 行")
    if result["files_included"]:
        print(f"  文件：{result['files']} 个（{_size(result['files_bytes'])}）")
    else:
        print("  文件：此备份只含数据库，不含附件和公文文件")
    print(f"  {_head(result['audit_head'])}")


def _when(moment: str) -> str:
    return moment[:19].replace("T", " ")


def _head(head: dict[str, Any] | None) -> str:
    if not head:
        return "审计链为空"
    return f"审计链头：第 {head['seq']} 条事件，哈希 {head['hash'][:16]}…"


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} 字节"


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add backup (with its verify action) and restore."""
    p = add(sub, "backup", cmd_backup, "备份数据库和全部附件、公文文件（含 sha256 清单），按保留份数清理旧备份；"
                                       "backup verify 备份文件：逐一核对校验值")
    p.add_argument("action", nargs="?", choices=["verify"], help="verify：校验一个备份文件")
    p.add_argument("archive", nargs="?", help="备份文件（quorum-….tar.gz）")
    p = add(sub, "restore", cmd_restore, "把备份恢复到空的数据库和空的数据目录（先逐一核对校验值）")
    p.add_argument("archive", help="备份文件（quorum-….tar.gz）")
