"""CLI command: import a key-task list (XLSX, or CSV in UTF-8 or GB18030) as supervision items.

The text summary names the units by their short names; --json carries the unit keys beside them.

register(sub, add) adds the top-level command `supervision-import`; cmd_import(args) is the handler,
ready to be mounted as `quorum supervision import` too (args need .file, .year, .skip_unknown and may
have .default_unit, .json).
"""

from collections.abc import Callable
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message


def cmd_import(args) -> None:
    from quorum.services import supervision_import as imp
    path = imp.resolve_path(args.file)
    rows = imp.read_file(path)
    year = getattr(args, "year", None) or imp.year_from_name(path)
    result = args.runtime.act(imp.import_rows, rows, year, skip_unknown=bool(getattr(args, "skip_unknown", False)),
                              default_unit=getattr(args, "default_unit", None), source=path.name)
    if getattr(args, "json", False):
        emit(args, result)
        return
    print(summary(path.name, result))


def summary(name: str, result: dict[str, list[dict[str, Any]]]) -> str:
    created, skipped = result["created"], result["skipped"]
    lines = [message("cli.supervision_import_summary", name=name, created=len(created), skipped=len(skipped))]
    for item in created:
        co_units = message("cli.list_separator").join(item["co_unit_names"])
        co = message("cli.supervision_import_co_units", co_units=co_units) if item["co_units"] else ""
        flag = message("cli.supervision_due_provisional") if item["provisional"] else ""
        recurring = ""
        if item["continuing"]:
            recurring = message("cli.supervision_import_check_after" if item.get("milestone", True)
                                else "cli.supervision_import_check_ongoing")
        lines.append(message("cli.supervision_import_line", id=item["id"], row=item["row"],
                             lead_unit=item["lead_unit_name"],
                             co=co, due_date=item["due_date"], flag=flag, recurring=recurring))
    for item in skipped:
        lines.append(message("cli.supervision_import_skipped", row=item["row"], reason=item["reason"]))
    return "\n".join(lines)


def register(sub, add: Callable) -> None:
    p = add(sub, "supervision-import", cmd_import, message("cli.supervision_import_command_help"))
    configure(p)


def configure(p) -> None:
    """Add the arguments of the import command to a parser (also for `supervision import`)."""
    p.add_argument("file", help=message("cli.supervision_import_file_help"))
    p.add_argument("--year", type=int, help=message("cli.supervision_import_year_help"))
    p.add_argument("--skip-unknown", action="store_true", help=message("cli.supervision_import_skip_unknown_help"))
    p.add_argument("--default-unit", help=message("cli.supervision_import_default_unit_help"))
