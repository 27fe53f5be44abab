"""Store every policy version used and give back the spec a matter started under."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.spec import PolicySet, parse_policy_set
from quorum.db import PolicyVersion
from quorum.services import audit
from quorum.services.env import Env


def current_version(s: Session, env: Env) -> PolicyVersion:
    """Return the stored row for the policies now on disk, storing it on first use."""
    loaded = env.policies
    row = s.execute(select(PolicyVersion).where(PolicyVersion.digest == loaded.digest)).scalar_one_or_none()
    if row is None:
        row = PolicyVersion(label=loaded.policy_set.label, digest=loaded.digest, content=loaded.raw,
                            loaded_at=env.now)
        s.add(row)
        s.flush()
        audit.append(s, env, None, "policy.version_stored", "policy_version", row.id,
                     {"label": row.label, "digest": row.digest})
    return row


_PARSED: dict[str, PolicySet] = {}


def policy_set_for(s: Session, version_id: int) -> PolicySet:
    """Return the parsed rules of a stored version (cached by digest: versions never change).

    The stored content keeps the files' key order, so choices list in the order the policy gives.
    """
    row = s.get(PolicyVersion, version_id)
    parsed = _PARSED.get(row.digest)
    if parsed is None:
        parsed = _PARSED[row.digest] = parse_policy_set(row.content)
    return parsed
