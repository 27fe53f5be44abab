"""`quorum org import FILE`, `quorum org export FILE`, `quorum org template FILE [--example]` (issue 15, item 1).

A county loads its own units, people and posts from the units / people / posts workbook (or the demo's TOML). The
first import runs on the server without --as (the database has nobody yet who could be --as); once people
exist, --as must name an administrator. Bad rows are all listed on stderr (sheet and row), nothing is
imported, the exit code is 2. New people's generated passwords are printed once; they must change them at
their first sign-in (the web leads to the password page, the API refuses their tokens until then).
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quorum.cli_support import EXIT_USER_ERROR, emit
from quorum.core.errors import InvalidInput
from quorum.core.messages import message


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        raise InvalidInput.because("onboarding.file_unreadable", name=path) from None


def _actor(s, rt):
    from quorum.services import org
    return org.person(s, rt.args.actor) if rt.args.actor else None


def cmd_import(args: argparse.Namespace) -> None:
    from quorum.services import org_workbook
    rt = args.runtime
    try:
        data = org_workbook.read_file(args.file, _read(args.file))
        with rt.db.sessions.begin() as s:
            result = org_workbook.import_org(s, rt.env(), _actor(s, rt), data, rules=rt.settings.security,
                                             check_only=args.check, source=Path(args.file).name)
    except org_workbook.OrgFileInvalid as exc:
        _print_errors(args, exc)
        raise SystemExit(EXIT_USER_ERROR) from None
    if args.json:
        emit(args, result)
        return
    counts = {k: v for k, v in result.items() if k.endswith(("_created", "_updated"))}
    if not result["changed"]:
        print(message("cli.org_unchanged"))
    else:
        print(message("cli.org_import_done" if result["applied"] else "cli.org_check_done", **counts))
    for text in result["warnings"]:
        print(message("cli.org_warning_line", text=text))
    if result["passwords"]:
        print(message("cli.org_passwords_heading"))
        for p in result["passwords"]:
            print(message("cli.org_password_line", **p))


def _print_errors(args: argparse.Namespace, exc: Any) -> None:
    """Every bad row on stderr: one line each, or with --json {"error", "message", "errors": […]}."""
    if args.json:
        print(json.dumps({"error": exc.key, "message": str(exc), "errors": exc.errors}, ensure_ascii=False),
              file=sys.stderr)
        return
    print(message("cli.error_line", exc=exc), file=sys.stderr)
    for line in exc.errors:
        print("  " + line, file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> None:
    from quorum.services import org_workbook
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        data = org_workbook.export(s, rt.env(), _actor(s, rt))
        counts = org_workbook.export_data(s)
    _write(args, data, counts)


def cmd_template(args: argparse.Namespace) -> None:
    from quorum.services import demo, org_workbook
    rt = args.runtime
    content = org_workbook.from_toml(demo.demo_data()) if args.example else org_workbook.OrgData()
    _write(args, org_workbook.write_workbook(content, rt.policies), content)


def _write(args: argparse.Namespace, data: bytes, content: Any) -> None:
    out = Path(args.out)
    out.write_bytes(data)
    done = {"path": str(out), "units": len(content.units), "people": len(content.people), "posts": len(content.posts)}
    emit(args, done) if args.json else print(message("cli.org_written", **done))


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `org import|export|template`."""
    org = sub.add_parser("org", help=message("cli.org_help")).add_subparsers(dest="sub", required=True)
    p = add(org, "import", cmd_import, message("cli.org_import_help"))
    p.add_argument("file", help=message("cli.org_import_file_help"))
    p.add_argument("--check", action="store_true", help=message("cli.org_import_check_help"))
    p = add(org, "export", cmd_export, message("cli.org_export_help"))
    p.add_argument("out", metavar="FILE", help=message("cli.org_out_help"))
    p = add(org, "template", cmd_template, message("cli.org_template_help"))
    p.add_argument("out", metavar="FILE", help=message("cli.org_out_help"))
    p.add_argument("--example", action="store_true", help=message("cli.org_template_example_help"))
