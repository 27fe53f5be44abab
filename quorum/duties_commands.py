"""`quorum duties --year Y`: the recurring duties of a year — what is done, due and missing.

Wire into the cli with register(sub, add) (the same signature as the "quorum.commands" entry points).
"""

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from quorum.cli_support import emit, parse_time
from quorum.core.messages import message


def _today(args: argparse.Namespace) -> date:
    from quorum import calendar
    now = getattr(args, "now", None)
    return (parse_time(now) if now else calendar.now()).date()


def _count_text(row: dict[str, Any]) -> str:
    if row["count"] is None:
        return message("cli.duty_count_manual")
    return f"{row['count']}/{row['required']}"


def format_table(rows: list[dict[str, Any]], year: int, today: date) -> str:
    """The report as a plain-text Chinese table."""
    lines = [message("cli.duties_heading", year=year, today=today.isoformat()), ""]
    columns = ("duty", "period", "due", "status", "count", "owner")
    header = tuple(message(f"cli.duties_column_{column}") for column in columns)
    table = [header]
    for r in rows:
        status = r["status_name"] + (message("cli.duty_escalated",
                                             escalate_on=r["escalate_on"]) if r["escalated"] else "")
        table.append((r["name"], r["period_name"], r["due"].isoformat(), status, _count_text(r), r["owner_name"]))
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    summary: dict[str, int] = {}
    for r in rows:
        summary[r["status_name"]] = summary.get(r["status_name"], 0) + 1
    lines.append("")
    items = (message("cli.duties_total_item", name=name, n=n) for name, n in summary.items())
    lines.append(message("cli.duties_total") + message("cli.duties_total_separator").join(items))
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def cmd_duties(args: argparse.Namespace) -> None:
    from quorum.services import duties
    rt = args.runtime
    loaded = duties.load(getattr(args, "policies_dir", None) or rt.settings.policies_dir)
    today = _today(args)
    year = args.year or today.year
    with rt.db.sessions.begin() as s:
        rows = duties.report(s, loaded, year, today, rt.settings.calendar())
    if args.json:
        emit(args, {"year": year, "today": today, "rows": rows})
        return
    print(format_table(rows, year, today), end="")


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `duties --year Y [--json]` (as of --now, or today)."""
    p = add(sub, "duties", cmd_duties, message("cli.duties_help"))
    p.add_argument("--year", type=int, help=message("cli.year_help"))
