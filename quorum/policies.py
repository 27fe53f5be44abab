"""Read policies/ from disk into raw data, a digest and a validated PolicySet."""

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from quorum.core.audit import canonical_json
from quorum.core.documents import document_policy_of
from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message
from quorum.core.permissions import Permissions, parse_permissions
from quorum.core.spec import PolicySet, parse_policy_set


@dataclass(frozen=True)
class LoadedPolicies:
    policy_set: PolicySet
    raw: dict[str, Any]
    digest: str

    @cached_property
    def permissions(self) -> Permissions:
        """Who may do what (policies/permissions.toml), checked against the declared roles."""
        source = self.raw.get("sources", {}).get("permissions", "policies/permissions.toml")
        return parse_permissions(self.raw.get("permissions"), self.policy_set.roles, source)


def _read(path: Path, root: Path) -> dict[str, Any]:
    name = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPolicy(source=name, reason=message("policy_files.missing")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidPolicy(source=name, reason=message("policy_files.toml_syntax", exc=exc)) from None


def read_raw(directory: Path) -> dict[str, Any]:
    """Read every policy file into the raw structure parse_policy_set expects."""
    directory = Path(directory)
    prefix = directory.name
    raw: dict[str, Any] = {"sources": {}, "workflows": {}}
    for part in ("policy", "roles", "bodies"):
        raw[part] = _read(directory / f"{part}.toml", directory)
        raw["sources"][part] = f"{prefix}/{part}.toml"
    for path in sorted((directory / "workflows").glob("*.toml")):
        raw["workflows"][path.stem] = _read(path, directory)
        raw["sources"][f"workflows/{path.stem}"] = f"{prefix}/workflows/{path.name}"
    raw["permissions"] = _read(directory / "permissions.toml", directory)   # 权限, see quorum.core.permissions
    raw["sources"]["permissions"] = f"{prefix}/permissions.toml"
    if (directory / "documents.toml").exists():          # 公文种类, see quorum.core.documents
        raw["documents"] = _read(directory / "documents.toml", directory)
        raw["sources"]["documents"] = f"{prefix}/documents.toml"
    return raw


def digest_of(raw: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(raw).encode("utf-8")).hexdigest()


def load(directory: Path) -> LoadedPolicies:
    """Load and validate policies/; raise InvalidPolicy naming the file and step at fault."""
    raw = read_raw(directory)
    policy_set = parse_policy_set(raw)
    document_policy_of(raw, policy_set)                 # documents.toml and the kinds steps name
    loaded = LoadedPolicies(policy_set, raw, digest_of(raw))
    loaded.permissions                                  # noqa: B018 — validated at load, not at first use
    return loaded
