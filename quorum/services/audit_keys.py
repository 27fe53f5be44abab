"""Rotate the audit key: the rotation is an event of the chain, signed with the old key, naming the new one.

`quorum audit verify` starts with the keyring's oldest key and, at each `audit.key_rotated` event it
has verified, goes on with the key whose fingerprint that event names. Whoever holds only the new key
can therefore neither rewrite an event signed before the rotation nor re-sign the chain from its start.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from quorum.audit_settings import KEY_BYTES, demote_key, promote_key, stage_key
from quorum.core import audit as chain
from quorum.services import audit
from quorum.services.env import Env


@dataclass(frozen=True)
class Rotation:
    seq: int              # the audit.key_rotated event
    fingerprint: str      # of the new key
    previous: str         # of the key it replaced
    kept: Path            # where the replaced key is kept (the keyring)


def rotate(s: Session, env: Env, key_file: Path) -> Rotation:
    """Record a new audit key (signed with the current one) and make it current; the caller commits.

    The event is chained — the head row locked — before the new key file replaces the old one, so no
    other process can sign an event between the rotation and the new key: it waits for the head, and
    looks at the key file again when it has it. If the commit fails, call `undo`.
    """
    audit.use_key_file(key_file)
    new = secrets.token_bytes(KEY_BYTES)
    staged = stage_key(key_file, new)
    try:
        previous = chain.fingerprint(audit.key())
        event = audit.append(s, env, None, chain.ROTATED, "audit_key", None,
                             {"fingerprint": chain.fingerprint(new), "previous": previous})
        audit.chain_pending(s)
        s.flush()
        kept = promote_key(key_file, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return Rotation(event.seq, chain.fingerprint(new), previous, kept)


def undo(key_file: Path, rotation: Rotation) -> None:
    """The rotation's transaction did not commit: the replaced key becomes current again."""
    demote_key(key_file, rotation.kept)
    audit.use_key_file(key_file)
