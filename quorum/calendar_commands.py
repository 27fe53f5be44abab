"""`quorum calendar load FILE` and `quorum calendar show [YEAR]`: next year's holiday arrangement.

Each year, once the State Council's notice (国务院办公厅关于某年部分节假日安排的通知) is out, an
administrator or the 党政办 writes it into a small file (format: quorum.calendar_arrangement) and
loads it; the year's deadlines become exact at once, in every running process, and whoever has a
deadline that moved is told. Wired into the cli with register(sub, add), the signature of the
"quorum.commands" entry points.
"""

import argparse
from collections.abc import Callable
from typing import Any


def cmd_load(args: argparse.Namespace) -> None:
    from quorum.calendar_arrangement import read_arrangement
    from quorum.cli import emit
    from quorum.services import calendar_years
    from quorum.services.outbox import Outlets
    rt = args.runtime
    arrangement = read_arrangement(args.file)
    result = rt.act(calendar_years.load_year, arrangement, Outlets.from_settings(rt.settings))
    if args.json:
        emit(args, result)
        return
    print(format_load(result), end="")


def format_load(result: dict[str, Any]) -> str:
    """What a load did, in Chinese."""
    year = result["year"]
    lines = [f"{year}年放假安排（{result['label']}）：放假 {result['holidays']} 天，调休上班 {result['workdays']} 天。"]
    lines += [f"提示：法定节日 {w} 未列为放假日，请核对文件。" for w in result["warnings"]]
    if result["unchanged"]:
        lines.append("与已导入的安排相同，未作改动。")
        return "\n".join(lines) + "\n"
    lines.append(f"已导入。{year}年的期限自此按此安排计算，不再标注“暂定”；运行中的网页和调度器无需重启。")
    moved = [n for n in result["moved"] if n.get("kind") == "deadline_moved"]
    for n in moved:
        lines.append(f"  已通知 {n['name']}：{n['title']}")
    lines.append(f"截止日期调整的待办：{len(moved)} 条。" if moved else "没有待办的截止日期因此调整。")
    return "\n".join(lines) + "\n"


def cmd_show(args: argparse.Namespace) -> None:
    from quorum.cli import emit
    from quorum.services import calendar_years
    rt = args.runtime
    env = rt.env()
    report = calendar_years.year_report(env.calendar, args.year or env.now.year)
    if args.json:
        emit(args, report)
        return
    print(format_show(report), end="")


def format_show(report: dict[str, Any]) -> str:
    """The year's notable days, one a line, with where each comes from."""
    year = report["year"]
    head = f"{year}年节假日（{report['source_name']}" + (f"：{report['label']}" if report["label"] else "") + "）"
    lines = [head, "所列以外的日子：周一至周五上班，周六、周日休息。", ""]
    for d in report["days"]:
        kind = "上班" if d["working"] else "休息"
        flag = "（暂定）" if d["provisional"] else ""
        lines.append(f"{d['text']}  {kind}  {d['name']}{flag}  〔{d['source_name']}〕")
    lines.append("")
    if report["exact"]:
        lines.append(f"{year}年的放假安排已完整，期限为准确日期。")
    else:
        lines.append(f"{year}年的放假安排尚未公布或尚未导入：只计入法定节日，不含调休，期限标注“暂定”。"
                     f"国务院办公厅公布后请运行 quorum calendar load 文件 --as 用户名。")
    return "\n".join(lines) + "\n"


def register(sub: Any, add: Callable) -> None:
    calendar = sub.add_parser("calendar", help="节假日安排").add_subparsers(dest="sub", required=True)
    p = add(calendar, "load", cmd_load, "导入某年的国务院办公厅放假安排（TOML 或文本文件），该年期限随即按此计算")
    p.add_argument("file", help="放假安排文件，格式见 docs/calendar/2026.toml")
    p = add(calendar, "show", cmd_show, "列出某年的放假日和调休上班日及其来源")
    p.add_argument("year", type=int, nargs="?", help="年份（默认今年）")
