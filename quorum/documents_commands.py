"""`quorum document list|show|new|edit|regenerate|sign|void|pdf|preview` and `quorum dossier MATTER_ID`.

Wire into the cli with register(sub, add) (the same signature as the "quorum.commands" entry points).
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _emit(args: argparse.Namespace, data: Any, lines: list[str]) -> None:
    from quorum.cli import emit
    if args.json:
        emit(args, data)
        return
    print("\n".join(lines))


def _row_line(r: dict[str, Any]) -> str:
    number = f" {r['doc_number']}" if r["doc_number"] else ""
    return f"[{r['id']}] {r['kind_name']}｜{r['title']}{number}｜{r['status_name']}"


def cmd_list(args: argparse.Namespace) -> None:
    from quorum.services import document_records
    with args.runtime.db.sessions.begin() as s:
        rows = document_records.listing(s, matter_id=args.matter, meeting_id=args.meeting, status=args.status)
    _emit(args, rows, [_row_line(r) for r in rows] or ["（没有公文）"])


def _show(args: argparse.Namespace, document_id: int) -> None:
    from quorum.services import document_records
    with args.runtime.db.sessions.begin() as s:
        record = document_records.record(s, args.runtime.env(), document_id)
    lines = [_row_line(record), f"主送：{'、'.join(record['addressees']) or '（无）'}",
             f"抄送：{'、'.join(record['cc']) or '（无）'}", f"附件：{'、'.join(record['attachments']) or '（无）'}",
             "—— 正文（依据记录，签发时重新生成，不可修改）——", record["record_text"] or "（无）",
             "—— 正文（可修改）——", record["body"] or "（无）"]
    if record["notes"]:
        lines.append(f"附注：（{record['notes']}）")
    if record["sha256"]:
        lines.append(f"文件：{record['file_path']}（sha256 {record['sha256']}）")
    lines += [f"提示：{w}" for w in record["warnings"]]
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
            raise InvalidInput(reason="请指定公文编号，或使用 --pending 转换全部待转换的公文")
        with rt.db.sessions.begin() as s:
            doc = documents.convert_pdf(s, rt.env(), document_id)
            done.append({"id": doc.id, "pdf_path": doc.pdf_path, "pdf_sha256": doc.pdf_sha256})
    _emit(args, done, [f"[{d['id']}] PDF：{d['pdf_path']}（sha256 {d['pdf_sha256']}）" for d in done]
          or ["没有待转换的公文"])


def cmd_preview(args: argparse.Namespace) -> None:
    from quorum.services import document_preview
    pages = document_preview.render(args.runtime.settings, Path(args.out), dpi=args.dpi)
    _emit(args, {k: [str(p) for p in v] for k, v in pages.items()},
          [f"{kind}：{'、'.join(str(p) for p in paths)}" for kind, paths in pages.items()])


def cmd_dossier(args: argparse.Namespace) -> None:
    from quorum.services import dossier
    rt = args.runtime
    with rt.db.sessions.begin() as s:
        data, name = dossier.export(s, rt.env(), args.matter)
    out = Path(args.out or name)
    out.write_bytes(data)
    _emit(args, {"path": str(out), "bytes": len(data)}, [f"已导出档案：{out}（{len(data)} 字节）"])


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `document …` and `dossier MATTER_ID`."""
    doc = sub.add_parser("document", help="公文").add_subparsers(dest="sub", required=True)
    p = add(doc, "list", cmd_list, "公文一览")
    p.add_argument("--matter", type=int)
    p.add_argument("--meeting", type=int)
    p.add_argument("--status", choices=["draft", "frozen", "void"])
    add(doc, "show", cmd_show, "显示公文").add_argument("document", type=int)
    p = add(doc, "new", cmd_new, "依据事项或会议起草公文（一文一事）")
    p.add_argument("--kind", required=True, help="公文种类，如 request、notice、reply（见 policies/documents.toml）")
    p.add_argument("--matter", type=int, action="append")
    p.add_argument("--meeting", type=int)
    p.add_argument("--request", type=int, help="批复所答复的请示（公文编号）")
    p = add(doc, "edit", cmd_edit, "修改公文草稿")
    p.add_argument("document", type=int)
    p.add_argument("--title")
    p.add_argument("--addressee", action="append", help="主送机关（可多次）")
    p.add_argument("--cc", action="append", help="抄送机关（可多次）")
    p.add_argument("--attachment", action="append", help="附件名称（可多次）")
    p.add_argument("--body")
    p.add_argument("--body-file", help="从文件读取正文（- 为标准输入）")
    p.add_argument("--notes", help="附注")
    add(doc, "regenerate", cmd_regenerate, "依据记录重新起草（仅限草稿）").add_argument("document", type=int)
    add(doc, "sign", cmd_sign, "签发：编号、定稿、生成 .docx").add_argument("document", type=int)
    p = add(doc, "void", cmd_void, "作废（文号不再使用）")
    p.add_argument("document", type=int)
    p.add_argument("--reason", required=True)
    p = add(doc, "pdf", cmd_pdf, "用 LibreOffice 将已签发的公文转换为 PDF")
    p.add_argument("document", type=int, nargs="?")
    p.add_argument("--pending", action="store_true", help="转换全部尚无 PDF 的已签发公文")
    p = add(doc, "preview", cmd_preview, "生成纪要、通知、请示的 PNG 预览页（在临时数据库中运行演示）")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--dpi", type=int, default=80)
    p = add(sub, "dossier", cmd_dossier, "导出事项档案（记录 JSON、全部公文、审计事件及哈希），供巡察审计")
    p.add_argument("matter", type=int)
    p.add_argument("--out", help="输出 zip 路径（默认 dossier-<事项编号>.zip）")
