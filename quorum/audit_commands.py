"""`quorum audit verify [--anchors FILE]`, `quorum audit anchor [--file FILE]` and `quorum audit rotate-key`."""

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from quorum.cli_support import EXIT_AUDIT_BROKEN, emit
from quorum.core.errors import InvalidInput
from quorum.core.messages import message


def cmd_audit_verify(args) -> None:
    """Recompute the chain (and check it against the anchors); exit 3 when broken or a row disagrees."""
    from quorum.services import audit, audit_anchor
    lines = None
    if args.anchors:
        try:
            lines = audit_anchor.read_anchor_lines(Path(args.anchors))
        except OSError as exc:
            raise InvalidInput.because("audit.anchors_unreadable", path=args.anchors,
                                       error=exc.strerror or exc) from None
    with args.runtime.db.sessions.begin() as s:
        result = audit.verify(s, lines)
    if args.json:
        found = {"ok": result.ok, "events": result.count, "first_bad_seq": result.first_bad_seq, "reason": result.reason}
        found |= {"mismatches": list(result.mismatches)} if result.mismatches else {}
        emit(args, found | ({"anchors": result.anchors} if lines is not None else {}))
    elif result.ok:
        anchored = message("audit.verified_anchors", anchors=result.anchors) if lines is not None else ""
        print(message("audit.verified", count=result.count, anchored=anchored))
    elif result.mismatches:
        for line in result.mismatches:
            print(message("audit_mismatch", detail=line), file=sys.stderr)
    else:
        broken = (message("audit_broken", seq=result.first_bad_seq, reason=result.reason) if result.first_bad_seq
                  else message("audit_broken_anchors", reason=result.reason))       # the anchors themselves are off
        print(broken, file=sys.stderr)
    if not result.ok:
        raise SystemExit(EXIT_AUDIT_BROKEN)


def cmd_audit_anchor(args) -> None:
    """Append the chain's head to the anchor file and notify the discipline inspection office."""
    from quorum.services import audit_anchor
    rt = args.runtime
    target = rt.settings.audit.checked_anchor_file(Path(args.file) if args.file else None)
    with rt.db.sessions.begin() as s:
        head = audit_anchor.anchor(s, rt.env(), target)
    if args.json:
        emit(args, {"seq": head.seq, "hash": head.hash, "at": head.at, "file": str(target)})
    else:
        print(message("audit.anchored", seq=head.seq, hash=head.hash, file=target))


def cmd_audit_rotate_key(args) -> None:
    """Replace the audit key; the old one stays in the keyring and the chain records the rotation."""
    from quorum.services import audit_keys
    rt, rotation = args.runtime, None
    key_file = rt.settings.audit.key_file
    try:
        with rt.db.sessions.begin() as s:
            rotation = audit_keys.rotate(s, rt.env(), key_file)
    except BaseException:
        if rotation is not None:
            audit_keys.undo(key_file, rotation)
        raise
    if args.json:
        emit(args, {"seq": rotation.seq, "fingerprint": rotation.fingerprint, "previous": rotation.previous,
                    "key_file": str(key_file), "kept": str(rotation.kept)})
    else:
        print(message("security.audit_key_rotated", fingerprint=rotation.fingerprint, seq=rotation.seq,
                      kept=rotation.kept))


def cmd_audit_refusals(args) -> None:
    """List the refused attempts for discipline inspection (--as a person granted audit.inspect)."""
    from datetime import datetime, time

    from quorum.calendar import TZ
    from quorum.services import refusals
    since = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), time(), TZ)
        except ValueError:
            raise InvalidInput.because("refusal.since_not_a_date", value=args.since) from None
    found = args.runtime.act(refusals.listing, since, args.limit)
    emit(args, [vars(r) for r in found], "refusals.txt", refusals=found)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the `audit` commands."""
    audit = sub.add_parser("audit", help=message("audit.help")).add_subparsers(dest="sub", required=True)
    p = add(audit, "verify", cmd_audit_verify, message("audit.help_verify"))
    p.add_argument("--anchors", metavar=message("audit.file_metavar"), help=message("audit.help_anchors"))
    p = add(audit, "anchor", cmd_audit_anchor, message("audit.help_anchor"))
    p.add_argument("--file", metavar=message("audit.file_metavar"), help=message("audit.help_anchor_file"))
    add(audit, "rotate-key", cmd_audit_rotate_key, message("security.help_rotate_key"))
    p = add(audit, "refusals", cmd_audit_refusals, message("refusal.help"))
    p.add_argument("--since", metavar=message("refusal.since_metavar"), help=message("refusal.since_help"))
    p.add_argument("--limit", type=int, default=200, choices=range(1, 1001), metavar="1-1000",
                   help=message("refusal.limit_help"))
