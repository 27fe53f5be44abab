"""`quorum calendar load FILE` and `quorum calendar show [YEAR]`: next year's holiday arrangement.

Each year, once the State Council's notice (its General Office's notice on that year's holidays) is out, an
administrator or the secretariat writes it into a small file (format: quorum.calendar_arrangement) and
loads it; the year's deadlines become exact at once, in every running process, and whoever has a
deadline that moved is told. Wired into the cli with register(sub, add), the signature of the
"quorum.commands" entry points.
"""

import argparse
from collections.abc import Callable
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message


def cmd_load(args: argparse.Namespace) -> None:
    from quorum.calendar_arrangement import read_arrangement
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
    lines = [message("cli.calendar_load_summary", year=year, label=result["label"], holidays=result["holidays"],
                     workdays=result['workdays'])]
    lines += [message("cli.calendar_load_holiday_missing", w=w) for w in result["warnings"]]
    if result["unchanged"]:
        lines.append(message("cli.calendar_load_unchanged"))
        return "\n".join(lines) + "\n"
    lines.append(message("cli.calendar_load_done", year=year))
    moved = [n for n in result["moved"] if n.get("kind") == "deadline_moved"]
    for n in moved:
        lines.append(message("cli.calendar_load_notified", name=n["name"], title=n["title"]))
    lines.append(message("cli.calendar_load_moved", moved=len(moved)) if moved
                 else message("cli.calendar_load_none_moved"))
    return "\n".join(lines) + "\n"


def cmd_show(args: argparse.Namespace) -> None:
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
    label = message("cli.calendar_show_heading_label", label=report["label"]) if report["label"] else ""
    head = message("cli.calendar_show_heading", year=year, source_name=report["source_name"], label=label)
    lines = [head, message("cli.calendar_show_default_week"), ""]
    for d in report["days"]:
        kind = message("cli.calendar_day_working") if d["working"] else message("cli.calendar_day_rest")
        flag = message("cli.calendar_day_provisional") if d["provisional"] else ""
        lines.append(message("cli.calendar_show_day", text=d["text"], kind=kind, name=d["name"], flag=flag,
                             source_name=d["source_name"]))
    lines.append("")
    if report["exact"]:
        lines.append(message("cli.calendar_show_exact", year=year))
    else:
        lines.append(message("cli.calendar_show_provisional", year=year))
    return "\n".join(lines) + "\n"


def register(sub: Any, add: Callable) -> None:
    calendar = sub.add_parser("calendar", help=message("cli.calendar_help")).add_subparsers(dest="sub", required=True)
    p = add(calendar, "load", cmd_load, message("cli.calendar_load_help"))
    p.add_argument("file", help=message("cli.calendar_load_file_help"))
    p = add(calendar, "show", cmd_show, message("cli.calendar_show_help"))
    p.add_argument("year", type=int, nargs="?", help=message("cli.year_help"))
