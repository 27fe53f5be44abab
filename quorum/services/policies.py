"""Store every policy version used and give back the spec a matter started under."""

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.audit import canonical_json
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


@lru_cache(maxsize=32)
def _parse(digest: str, content_json: str) -> PolicySet:
    import json
    return parse_policy_set(json.loads(content_json))


def policy_set_for(s: Session, version_id: int) -> PolicySet:
    """Return the parsed rules of a stored version (cached by digest: versions never change)."""
    row = s.get(PolicyVersion, version_id)
    return _parse(row.digest, canonical_json(row.content))
