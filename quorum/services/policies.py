"""Store every policy version used and give back the spec a matter started under."""

from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

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
        _parsed_of(s).pop(row.id, None)      # an id used again (a database emptied by tests) names new rules
        audit.append(s, env, None, "policy.version_stored", "policy_version", row.id,
                     {"label": row.label, "digest": row.digest})
    return row


# Parsed rules per database and version id. A stored version never changes, so after the first
# read of a version a process never fetches its 40 KB of content or decodes it again. A database is
# known by its engine's connection pool, which the engine's read-only variant shares.
_PARSED: WeakKeyDictionary[Pool, dict[int, PolicySet]] = WeakKeyDictionary()
_BY_DIGEST: dict[str, PolicySet] = {}


def _parsed_of(s: Session) -> dict[int, PolicySet]:
    return _PARSED.setdefault(s.get_bind().engine.pool, {})


def policy_set_for(s: Session, version_id: int) -> PolicySet:
    """Return the parsed rules of a stored version (cached per process: versions never change).

    The stored content keeps the files' key order, so choices list in the order the policy gives.
    """
    parsed = _parsed_of(s)
    found = parsed.get(version_id)
    if found is None:
        digest, content = s.execute(select(PolicyVersion.digest, PolicyVersion.content)
                                    .where(PolicyVersion.id == version_id)).one()
        found = _BY_DIGEST.get(digest)
        if found is None:
            found = _BY_DIGEST[digest] = parse_policy_set(content)
        parsed[version_id] = found
    return found


def forget_parsed() -> None:
    """Drop the cache, for code that rewrites policy_version rows behind the ORM (a restore, bulk loads)."""
    _PARSED.clear()
