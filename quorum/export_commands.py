"""`quorum export decisions|supervision|documents [--year YEAR] FILE`: the registers as .xlsx workbooks.

Each runs as the --as person (who may export which register is policy: permissions.toml register.*) and
writes the workbook quorum.services.registers lays out for printing.
"""

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quorum.cli_support import emit
from quorum.core.errors import InvalidInput
from quorum.core.messages import message


def cmd_export(args) -> None:
    from quorum.services import registers
    register = args.runtime.act(registers.build, args.register, getattr(args, "year", None))
    data = register.xlsx()
    target = Path(args.file)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InvalidInput.because("register.cli_not_writable", path=args.file, error=exc.strerror or exc) from None
    if args.json:
        emit(args, {"register": register.kind, "title": register.title, "rows": len(register.rows),
                    "file": str(target), "bytes": len(data)})
    else:
        print(message("register.written", title=register.title, count=len(register.rows), path=target))


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the `export` commands."""
    export = sub.add_parser("export", help=message("register.cli_help")).add_subparsers(dest="sub", required=True)
    for kind in ("decisions", "supervision", "documents"):
        p = add(export, kind, cmd_export, message(f"register.cli_{kind}_help"))
        p.set_defaults(register=kind)
        if kind != "supervision":
            p.add_argument("--year", help=message("register.cli_year_help"))
        p.add_argument("file", metavar=message("register.cli_file_metavar"), help=message("register.cli_file_help"))
