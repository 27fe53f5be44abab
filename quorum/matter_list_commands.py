"""`quorum matter list`: search and filter the matters the --as person may see, as the matters page and the API do.

The same filters as GET /api/v1/matters (quorum.services.search): --q words (all must occur: title, field values,
opinions), --status, --workflow (the workflow key), --category (the category field's value, or a workflow key),
--unit (a unit key: `quorum unit list`), --from/--to (filing dates, inclusive), --mine (filed or acted on),
--waiting (an open task of mine), --page / --per-page. The text shows names only; --json gives the page with
usernames and unit keys beside the names, and the totals.

Wire into the cli with register(sub, add) (the signature of the "quorum.commands" entry points); `list` joins the
`matter` command's subcommands.
"""

import argparse
from collections.abc import Callable
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message


def register(sub, add: Callable) -> None:
    """Add `matter list` beside `matter submit`, `matter show` …"""
    p = add(_group(sub, "matter"), "list", cmd_matter_list, message("search.cli_help"))
    p.add_argument("--q", metavar=message("search.cli_q_metavar"), help=message("search.cli_q_help"))
    p.add_argument("--status", help=message("search.cli_status_help"))
    p.add_argument("--workflow", metavar=message("search.cli_workflow_metavar"),
                   help=message("search.cli_workflow_help"))
    p.add_argument("--category", help=message("search.cli_category_help"))
    p.add_argument("--unit", help=message("search.cli_unit_help"))
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help=message("search.cli_from_help"))
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help=message("search.cli_to_help"))
    p.add_argument("--mine", action="store_true", help=message("search.cli_mine_help"))
    p.add_argument("--waiting", action="store_true", help=message("search.cli_waiting_help"))
    p.add_argument("--page", help=message("search.cli_page_help"))
    p.add_argument("--per-page", dest="per_page", help=message("search.cli_per_page_help"))


def _group(sub, name: str):
    parser = sub.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _search(s, env, person, args: argparse.Namespace) -> dict[str, Any]:
    from quorum.services import search
    workflow, category = args.workflow, args.category
    if category in env.policies.policy_set.workflows and not workflow:     # --category major_matter: a 流程
        workflow, category = category, None
    chosen = search.filters(s, env, q=args.q, status=args.status, workflow=workflow, category=category, unit=args.unit,
                            start=args.start, end=args.end, mine=args.mine, waiting=args.waiting, page=args.page,
                            per_page=args.per_page)
    found = search.matters(s, env, person, chosen)
    return {**found.as_json(), "matters": found.rows}


def cmd_matter_list(args: argparse.Namespace) -> None:
    page = args.runtime.act(_search, args)
    if args.json:
        emit(args, page)
        return
    print(format_page(page), end="")


def format_page(page: dict[str, Any]) -> str:
    """The page as Chinese lines: the total, one line per matter (names only), the next page's option."""
    if not page["matters"]:
        return message("search.cli_none") + "\n"
    lines = [message("search.cli_total", total=page["total"], page=page["page"], pages=page["pages"])]
    for r in page["matters"]:
        step = message("search.cli_step", step=r["current_step_name"]) if r["current_step_name"] else ""
        category = message("search.cli_category", category=r["category_name"]) if r["category_name"] else ""
        lines.append(message("search.cli_row", id=r["id"], title=r["title"], status=r["status_name"],
                             workflow=r["workflow_name"], category=category, unit=r["unit"] or "",
                             initiator=r["initiator"] or "", created=r["created_at"].strftime("%Y-%m-%d"),
                             step=step).rstrip())
    if page["page"] < page["pages"]:
        lines.append(message("search.cli_next", page=page["page"] + 1))
    return "\n".join(lines) + "\n"
