"""Audit key rotation: `quorum audit rotate-key` keeps the old key in the keyring, the chain records the rotation
(signed with the old key), later events are signed with the new one, and `quorum audit verify` checks the whole
chain across rotations — a chain re-signed by someone holding only the new key is still caught.

Each deployment has its own key file (QUORUM_AUDIT_KEY_FILE in a temporary directory), never the checkout's.
"""

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from quorum.audit_settings import load_key, promote_key, stage_key
from quorum.core import audit as chain
from quorum.db import AuditEvent, AuditHead
from quorum.services import audit
from tests.cli.support import Cli, cli_backends, make_cli
from tests.security.test_audit_chain import EXIT_AUDIT_BROKEN, body, events, execute


@dataclass
class KeyedCli(Cli):
    """A deployment whose audit key file lies in its own directory, outside the data directory."""

    key_file: Path = Path()

    def environ(self) -> dict[str, str]:
        return {**super().environ(), "QUORUM_AUDIT_KEY_FILE": str(self.key_file)}


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path) -> Iterator[KeyedCli]:
    for plain in make_cli(request.param, tmp_path / "data"):
        yield KeyedCli(plain.data_dir, plain.database_url, plain.schema, key_file=tmp_path / "keys" / "audit.key")


def file_a_matter(cli: KeyedCli, title: str) -> None:
    cli.json("matter", "submit", "--workflow", "expenditure", "--title", title, "--field", "unit=wulan_chc",
             "--field", "purpose=打印机", "--field", "amount=8000", "--field", "summary=购置打印机一台。",
             "--as", "zhanghua")


def signed_with(e: dict[str, Any], key: bytes) -> bool:
    return chain.chain_hash(e["prev_hash"], body(e), key) == e["hash"]


def rotated(cli: KeyedCli) -> dict[str, Any]:
    """Rotate the key; return the command's answer with the old and the new key."""
    old = load_key(cli.key_file)
    out = cli.json("audit", "rotate-key")
    return {**out, "old": old, "new": load_key(cli.key_file)}


def test_rotation_keeps_the_old_key_records_itself_and_signs_on_with_the_new_key(cli, tmp_path):
    anchors = tmp_path / "outside" / "anchors.log"
    cli.ok("init", "--demo-org")
    file_a_matter(cli, "乌兰社区中心购置打印机")
    cli.ok("audit", "anchor", "--file", anchors)
    first = rotated(cli)
    assert first["kept"] == str(cli.key_file.with_name("audit.key.1"))
    assert load_key(Path(first["kept"])) == first["old"] != first["new"]
    assert (first["previous"], first["fingerprint"]) == (chain.fingerprint(first["old"]),
                                                         chain.fingerprint(first["new"]))
    for key_file in cli.key_file.parent.iterdir():
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600, key_file
    rotation = events(cli)[-1]
    assert rotation["seq"] == first["seq"] and rotation["kind"] == "audit.key_rotated"
    assert rotation["payload"] == {"fingerprint": first["fingerprint"], "previous": first["previous"]}
    assert signed_with(rotation, first["old"]) and not signed_with(rotation, first["new"])

    file_a_matter(cli, "赛汉社区中心购置复印机")
    later = [e for e in events(cli) if e["seq"] > rotation["seq"]]
    assert later and all(signed_with(e, first["new"]) for e in later)
    cli.ok("audit", "anchor", "--file", anchors)
    second = rotated(cli)
    assert second["kept"] == str(cli.key_file.with_name("audit.key.2")) and second["old"] == first["new"]
    file_a_matter(cli, "格日勒图雅社区中心购置投影仪")
    total = events(cli)[-1]["seq"]
    assert cli.ok("audit", "verify", "--anchors", anchors) == \
        f"审计链完整：共 {total} 条事件，逐条哈希校验通过，与 2 条锚定记录一致。\n"


def test_a_chain_re_signed_with_only_the_new_key_is_caught(cli):
    """A forger who obtained the new key rewrites an event from before the rotation and re-signs all that follows."""
    cli.ok("init", "--demo-org")
    file_a_matter(cli, "乌兰社区中心购置打印机")
    keys = rotated(cli)
    file_a_matter(cli, "赛汉社区中心购置复印机")
    rows, target = events(cli), 3
    prev, statements = rows[target - 2]["hash"], []
    for e in rows[target - 1:]:
        payload = {**e["payload"], "tampered": "改动"} if e["seq"] == target else e["payload"]
        digest = chain.chain_hash(prev, body(e, payload=payload), keys["new"])
        statements.append(update(AuditEvent.__table__).where(AuditEvent.seq == e["seq"])
                          .values(payload=payload, prev_hash=prev, hash=digest))
        prev = digest
    statements.append(update(AuditHead.__table__).values(hash=prev))
    execute(cli, *statements)
    result = cli.run("audit", "verify", "--json")
    assert result.returncode == EXIT_AUDIT_BROKEN, (result.stdout, result.stderr)
    found = json.loads(result.stdout)
    assert (found["ok"], found["first_bad_seq"], found["reason"]) == (False, target, "事件内容与哈希不符，记录被篡改")


def test_events_after_a_rotation_signed_with_the_old_key_are_caught(cli):
    """Someone holding only the old key appends after the rotation: the chain says the new key signs from there."""
    cli.ok("init", "--demo-org")
    keys = rotated(cli)
    file_a_matter(cli, "乌兰社区中心购置打印机")
    rows = events(cli)
    after = rows[keys["seq"]]                     # the first event after the rotation
    forged = chain.chain_hash(after["prev_hash"], body(after, payload={**after["payload"], "amount": "800"}),
                              keys["old"])
    execute(cli, update(AuditEvent.__table__).where(AuditEvent.seq == after["seq"])
            .values(payload={**after["payload"], "amount": "800"}, hash=forged))
    found = json.loads(cli.run("audit", "verify", "--json").stdout)
    assert (found["ok"], found["first_bad_seq"]) == (False, after["seq"])


def test_a_key_missing_from_the_keyring_is_named(cli):
    cli.ok("init", "--demo-org")
    keys = rotated(cli)
    file_a_matter(cli, "乌兰社区中心购置打印机")
    cli.key_file.write_text(os.urandom(32).hex() + "\n", encoding="ascii")      # the new key lost, another put back
    result = cli.run("audit", "verify", "--json")
    assert result.returncode == EXIT_AUDIT_BROKEN
    found = json.loads(result.stdout)
    assert found["first_bad_seq"] == keys["seq"] + 1
    assert found["reason"] == (f"第{keys['seq']}条事件把审计密钥轮换为指纹 {keys['fingerprint']} 的密钥，"
                               f"但密钥环中没有这把密钥")


def test_a_running_process_signs_with_the_new_key_once_the_file_is_replaced(tmp_path):
    key_file = tmp_path / "audit.key"
    audit.use_key_file(key_file)
    old = audit.key()
    new = os.urandom(32)
    promote_key(key_file, stage_key(key_file, new))         # what `quorum audit rotate-key` does in another process
    assert audit.key() == new and audit.keyring() == (old, new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.key", "audit.key.1"]


def test_verify_in_process_follows_the_keyring(sc, tmp_path, checkout_audit_key):
    """The nightly verify and GET /api/v1/audit/verify run in-process with the deployment's keyring."""
    from quorum.services import audit_keys
    key_file = tmp_path / "keys" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text(checkout_audit_key.hex() + "\n", encoding="ascii")     # the key the community was signed with
    audit.use_key_file(key_file)
    with sc.sessions.begin() as s:
        rotation = audit_keys.rotate(s, sc.env, key_file)
    with sc.sessions.begin() as s:
        audit.append(s, sc.env, None, "org.loaded", "community", None, {"people": 1})
    with sc.sessions.begin() as s:
        result = audit.verify(s)
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert result.ok, result.reason
    assert [e.kind for e in last] == ["org.loaded", "audit.key_rotated"] and rotation.seq == last[1].seq
    assert audit.keyring() == (checkout_audit_key, load_key(key_file))
