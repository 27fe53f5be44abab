"""Anchor the audit chain outside the database: its head, signed, appended to a file and sent to discipline inspection.

Whoever can write the database alone can neither move the anchors (they are in a file outside the
data directory, and each line carries an HMAC with the audit key) nor hide a truncated or rewritten
chain from `quorum audit verify --anchors FILE`.
"""

import os
from pathlib import Path

from sqlalchemy.orm import Session

from quorum.core import audit as chain
from quorum.core.audit import Anchor
from quorum.core.messages import message
from quorum.services import audit, org
from quorum.services.env import Env
from quorum.services.outbox import Event, notify

INSPECTORS = ("discipline_inspector",)


def anchor(s: Session, env: Env, anchor_file: Path) -> Anchor:
    """Append the chain's current head to anchor_file and tell the discipline inspection office; return the anchor."""
    head = audit.head_anchor(s, env.now.replace(microsecond=0).isoformat())
    line = chain.anchor_line(head, audit.key())
    anchor_file.parent.mkdir(parents=True, exist_ok=True)
    with open(anchor_file, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    title = message("audit.anchored_title", seq=head.seq)
    body = message("audit.anchored_body", at=head.at, seq=head.seq, hash=head.hash, anchor_file=anchor_file, line=line)
    event = Event(f"audit_anchor:{head.seq}:{head.at}", "audit_anchor", title, body, "audit", head.seq)
    notify(s, env, event, [p.id for role in INSPECTORS for p in org.holders(s, role)])
    return head


def read_anchor_lines(anchor_file: Path) -> list[str]:
    """The lines of an anchor file (a missing file is an error the caller reports)."""
    return anchor_file.read_text(encoding="utf-8").splitlines()
