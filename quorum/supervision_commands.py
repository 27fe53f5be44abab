"""CLI command: import a 重点任务清单 (CSV / XLSX) as 督办 items.

register(sub, add) adds the top-level command `supervision-import`; cmd_import(args) is the handler,
ready to be mounted as `quorum supervision import` too (args need .file, .year, .skip_unknown and may
have .default_unit, .json).
"""

from collections.abc import Callable
from typing import Any


def cmd_import(args) -> None:
    from quorum.services import supervision_import as imp
    path = imp.resolve_path(args.file)
    rows = imp.read_file(path)
    year = getattr(args, "year", None) or imp.year_from_name(path)
    result = args.runtime.act(imp.import_rows, rows, year, skip_unknown=bool(getattr(args, "skip_unknown", False)),
                              default_unit=getattr(args, "default_unit", None), source=path.name)
    if getattr(args, "json", False):
        from quorum.cli import emit
        emit(args, result)
        return
    print(summary(path.name, result))


def summary(name: str, result: dict[str, list[dict[str, Any]]]) -> str:
    created, skipped = result["created"], result["skipped"]
    lines = [f"已从「{name}」导入 {len(created)} 项督办事项，跳过 {len(skipped)} 项。"]
    for item in created:
        co = f"，配合 {'、'.join(item['co_units'])}" if item["co_units"] else ""
        flag = "（暂定）" if item["provisional"] else ""
        recurring = ""
        if item["continuing"]:
            recurring = "｜完成后每季度检查" if item.get("milestone", True) else "｜持续实施，每季度检查"
        lines.append(f"  [{item['id']}] {item['row']} 牵头 {item['lead_unit']}{co}｜时限 {item['due_date']}{flag}{recurring}")
    for item in skipped:
        lines.append(f"  跳过 {item['row']}：{item['reason']}")
    return "\n".join(lines)


def register(sub, add: Callable) -> None:
    p = add(sub, "supervision-import", cmd_import, "导入重点任务清单（CSV/XLSX）为督办事项")
    configure(p)


def configure(p) -> None:
    """Add the arguments of the import command to a parser (also for `supervision import`)."""
    p.add_argument("file", help="任务清单文件（列：序号,任务,责任单位,完成时限），或随附清单的文件名")
    p.add_argument("--year", type=int, help="「12月底」等未写年份的时限所属年份（默认取文件名中的年份）")
    p.add_argument("--skip-unknown", action="store_true", help="跳过责任单位无法对应到已登记单位的行")
    p.add_argument("--default-unit", help="清单未写责任单位时的牵头单位（单位代码或名称）")
