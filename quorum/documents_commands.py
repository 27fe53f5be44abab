"""`quorum document list|show|new|edit|regenerate|sign|return|send|awaiting|void|pdf|preview`, `quorum unit set-code`
and `quorum dossier MATTER_ID`.

Wire into the cli with register(sub, add) (the same signature as the "quorum.commands" entry points).
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message


def _emit(args: argparse.Namespace, data: Any, lines: list[str]) -> None:
    if args.json:
        emit(args, data)
        return
    print("\n".join(lines))


def _row_line(r: dict[str, Any]) -> str:
    number = f" {r['doc_number']}" if r["doc_number"] else ""
    return message("cli.document_line", id=r["id"], kind_name=r["kind_name"], title=r["title"], number=number,
                   status_name=r["status_name"])


def cmd_list(args: argparse.Namespace) -> None:
    from quorum.services import document_records
    with args.runtime.db.sessions.begin() as s:
        rows = document_records.listing(s, matter_id=args.matter, meeting_id=args.meeting, status=args.status)
    _emit(args, rows, [_row_line(r) for r in rows] or [message("cli.documents_none")])


def _show(args: argparse.Namespace, document_id: int) -> None:
    from quorum.services import document_records
    with args.runtime.db.sessions.begin() as s:
        record = document_records.record(s, args.runtime.env(), document_id)
    empty = message("cli.document_empty")

    def names(key: str) -> str:
        return message("cli.list_separator").join(record[key]) or empty

    lines = [_row_line(record), message("cli.document_addressees", names=names("addressees")),
             message("cli.document_cc", names=names("cc")),
             message("cli.document_attachments", names=names("attachments")),
             message("cli.document_record_text_heading"), record["record_text"] or empty,
             message("cli.document_body_heading"), record["body"] or empty]
    if record["notes"]:
        lines.append(message("cli.document_notes", notes=record["notes"]))
    if record["signoff"]["open"]:
        lines.append(message("cli.document_signoff_open", roles=message("cli.list_separator").join(
            record["signer_roles"])))
    if record["signoff"]["returned"]:
        lines.append(message("cli.document_returned", text=record["signoff"]["returned"]["text"]))
    if record["sha256"]:
        lines.append(message("cli.document_file", file_path=record["file_path"], sha256=record['sha256']))
    lines += [message("cli.document_warning", warning=w) for w in record["warnings"]]
    _emit(args, record, lines)


def cmd_show(args: argparse.Namespace) -> None:
    _show(args, args.document)


def cmd_new(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.draft, args.kind, args.matter or [], meeting_id=args.meeting,
                           request_id=args.request)
    _show(args, doc.id)


def _read_body(args: argparse.Namespace) -> str | None:
    if args.body_file == "-":
        return sys.stdin.read()
    if args.body_file:
        return Path(args.body_file).read_text(encoding="utf-8")
    return args.body


def cmd_edit(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.edit, args.document, title=args.title, addressees=args.addressee,
                           body=_read_body(args), attachments=args.attachment, cc=args.cc, notes=args.notes)
    _show(args, doc.id)


def cmd_regenerate(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.regenerate, args.document)
    _show(args, doc.id)


def cmd_sign(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.sign, args.document)
    _show(args, doc.id)


def cmd_return(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.return_draft, args.document, args.reason)
    _show(args, doc.id)


def cmd_send(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.send_for_signature, args.document)
    _show(args, doc.id)


def cmd_awaiting(args: argparse.Namespace) -> None:
    """The drafts sent for sign_off that the --as person may sign off."""
    from quorum.services import document_records
    rows = args.runtime.act(lambda s, env, me: document_records.awaiting_signature(s, me))
    _emit(args, rows, [_row_line(r) for r in rows] or [message("cli.document_awaiting_none")])


def cmd_unit_set_code(args: argparse.Namespace) -> None:
    """`quorum unit set-code UNIT CODE`: register the issuing organ's code a unit's own documents are numbered under."""
    from quorum.services import documents
    done = args.runtime.act(documents.set_unit_code, args.unit, args.code)
    _emit(args, done, [message("cli.unit_code_set", unit=done["unit"], code=done["code"])])


def cmd_void(args: argparse.Namespace) -> None:
    from quorum.services import documents
    doc = args.runtime.act(documents.void, args.document, args.reason)
    _show(args, doc.id)


def cmd_pdf(args: argparse.Namespace) -> None:
    """Convert one document, or with --pending every frozen document still without a PDF."""
    from quorum.services import documents
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        ids = documents.pending_pdf(s) if args.pending else [args.document]
    done = []
    for document_id in ids:
        if document_id is None:
            from quorum.core.errors import InvalidInput
            raise InvalidInput.because("cli.document_pdf_needs_target")
        with rt.db.sessions.begin() as s:
            doc = documents.convert_pdf(s, rt.env(), document_id)
            done.append({"id": doc.id, "pdf_path": doc.pdf_path, "pdf_sha256": doc.pdf_sha256})
    _emit(args, done, [message("cli.document_pdf_done", id=d["id"], pdf_path=d["pdf_path"],
                               pdf_sha256=d['pdf_sha256']) for d in done]
          or [message("cli.document_pdf_none_pending")])


def cmd_preview(args: argparse.Namespace) -> None:
    from quorum.services import document_preview
    pages = document_preview.render(args.runtime.settings, Path(args.out), dpi=args.dpi)
    _emit(args, {k: [str(p) for p in v] for k, v in pages.items()},
          [message("cli.document_preview_pages", kind=kind,
                   items=message("cli.list_separator").join(str(p) for p in paths)) for kind, paths in pages.items()])


def cmd_dossier(args: argparse.Namespace) -> None:
    from quorum.services import dossier
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        data, name = dossier.export(s, rt.env(), args.matter)
    out = Path(args.out or name)
    out.write_bytes(data)
    _emit(args, {"path": str(out), "bytes": len(data)}, [message("cli.document_dossier_done", out=out, size=len(data))])


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `document …` and `dossier MATTER_ID`."""
    doc = sub.add_parser("document", help=message("cli.document_help")).add_subparsers(dest="sub", required=True)
    p = add(doc, "list", cmd_list, message("cli.document_list_help"))
    p.add_argument("--matter", type=int)
    p.add_argument("--meeting", type=int)
    p.add_argument("--status", choices=["draft", "frozen", "void"])
    add(doc, "show", cmd_show, message("cli.document_show_help")).add_argument("document", type=int)
    p = add(doc, "new", cmd_new, message("cli.document_new_help"))
    p.add_argument("--kind", required=True, help=message("cli.document_new_kind_help"))
    p.add_argument("--matter", type=int, action="append")
    p.add_argument("--meeting", type=int)
    p.add_argument("--request", type=int, help=message("cli.document_new_request_help"))
    p = add(doc, "edit", cmd_edit, message("cli.document_edit_help"))
    p.add_argument("document", type=int)
    p.add_argument("--title")
    p.add_argument("--addressee", action="append", help=message("cli.document_edit_addressee_help"))
    p.add_argument("--cc", action="append", help=message("cli.document_edit_cc_help"))
    p.add_argument("--attachment", action="append", help=message("cli.document_edit_attachment_help"))
    p.add_argument("--body")
    p.add_argument("--body-file", help=message("cli.document_edit_body_file_help"))
    p.add_argument("--notes", help=message("cli.document_edit_notes_help"))
    add(doc, "regenerate", cmd_regenerate, message("cli.document_regenerate_help")).add_argument("document", type=int)
    add(doc, "sign", cmd_sign, message("cli.document_sign_help")).add_argument("document", type=int)
    p = add(doc, "return", cmd_return, message("cli.document_return_help"))
    p.add_argument("document", type=int)
    p.add_argument("--reason", required=True)
    add(doc, "send", cmd_send, message("cli.document_send_help")).add_argument("document", type=int)
    add(doc, "awaiting", cmd_awaiting, message("cli.document_awaiting_help"))
    p = add(doc, "void", cmd_void, message("cli.document_void_help"))
    p.add_argument("document", type=int)
    p.add_argument("--reason", required=True)
    p = add(doc, "pdf", cmd_pdf, message("cli.document_pdf_help"))
    p.add_argument("document", type=int, nargs="?")
    p.add_argument("--pending", action="store_true", help=message("cli.document_pdf_pending_help"))
    p = add(doc, "preview", cmd_preview, message("cli.document_preview_help"))
    p.add_argument("--out", required=True, help=message("cli.document_preview_out_help"))
    p.add_argument("--dpi", type=int, default=80)
    unit = sub.add_parser("unit", help=message("cli.unit_help")).add_subparsers(dest="sub", required=True)
    p = add(unit, "set-code", cmd_unit_set_code, message("cli.unit_set_code_help"))
    p.add_argument("unit", help=message("cli.unit_ref_help"))
    p.add_argument("code", help=message("cli.unit_code_help"))
    p = add(sub, "dossier", cmd_dossier, message("cli.document_dossier_help"))
    p.add_argument("matter", type=int)
    p.add_argument("--out", help=message("cli.document_dossier_out_help"))
