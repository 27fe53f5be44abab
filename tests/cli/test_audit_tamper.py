"""`quorum audit verify` after someone edits the audit table behind the engine's back.

Each test runs `quorum demo` into a fresh database (SQLite and PostgreSQL) — the session's first one
runs it, the others start from a copy of that database — changes or deletes audit_event rows directly
with SQLAlchemy, and expects exit code 3 with a message naming the first broken event. The intact chain
is checked end to end: `quorum demo` and `quorum audit verify` as real processes.
"""

import json
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from quorum.core import audit as chain
from quorum.db import AuditEvent, AuditHead
from tests.cli.support import ROOT, Cli, with_snapshot

EXIT_AUDIT_BROKEN = 3


def run_demo(cli: Cli) -> int:
    """Run the demo (the session's first test runs it, the others start from a copy); return its event count."""
    def demo() -> None:
        out = cli.ok("demo")
        assert "审计链校验：完整" in out

    with_snapshot(cli, "cli_demo", demo)
    engine = cli.engine()
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        head = conn.execute(select(AuditHead.seq)).scalar_one()
    engine.dispose()
    assert count == head and count > 40
    return count


def row(cli: Cli, seq: int) -> dict[str, Any]:
    engine = cli.engine()
    with engine.connect() as conn:
        found = conn.execute(select(AuditEvent.__table__).where(AuditEvent.seq == seq)).mappings().one()
    engine.dispose()
    return dict(found)


def change(cli: Cli, seq: int, **values: Any) -> None:
    engine = cli.engine()
    with engine.begin() as conn:
        changed = conn.execute(update(AuditEvent.__table__).where(AuditEvent.seq == seq).values(**values))
        assert changed.rowcount == 1
    engine.dispose()


def remove(cli: Cli, seq: int) -> None:
    engine = cli.engine()
    with engine.begin() as conn:
        deleted = conn.execute(delete(AuditEvent.__table__).where(AuditEvent.seq == seq))
        assert deleted.rowcount == 1
    engine.dispose()


def broken(cli: Cli, seq: int, reason: str) -> None:
    """Assert `audit verify` (text and --json) reports the chain broken at seq for reason."""
    result = cli.run("audit", "verify")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_AUDIT_BROKEN, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr == f"审计链在第{seq}条事件处断裂：{reason}\n"      # its exit code says broken, not a key
    as_json = cli.run("audit", "verify", "--json")
    assert as_json.returncode == EXIT_AUDIT_BROKEN
    body = json.loads(as_json.stdout)
    assert (body["ok"], body["first_bad_seq"], body["reason"]) == (False, seq, reason)


@pytest.mark.cli_process
def test_intact_chain_verifies(cli):
    count = run_demo(cli)
    result = cli.run("audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"审计链完整：共 {count} 条事件，逐条哈希校验通过。\n"


def test_changed_payload_is_named(cli):
    run_demo(cli)
    original = row(cli, 20)
    assert original["payload"], original
    forged = {**original["payload"], "tampered": "改动"}
    change(cli, 20, payload=forged)
    assert row(cli, 20)["payload"] == forged
    broken(cli, 20, "事件内容与哈希不符，记录被篡改")


def test_changed_actor_is_named(cli):
    run_demo(cli)
    original = row(cli, 20)
    change(cli, 20, actor_id=(original["actor_id"] or 0) + 1)
    broken(cli, 20, "事件内容与哈希不符，记录被篡改")


def rehashed(original: dict[str, Any], key: bytes | None) -> tuple[dict[str, Any], str]:
    """A changed payload of an event and its hash recomputed as a forger would, with or without the key."""
    payload = {**original["payload"], "tampered": "改动"}
    body = {"seq": original["seq"], "at": original["at"].replace(microsecond=0).isoformat(),
            "actor_id": original["actor_id"], "kind": original["kind"], "subject": original["subject"],
            "subject_id": original["subject_id"], "matter_id": original["matter_id"], "payload": payload}
    return payload, chain.chain_hash(original["prev_hash"], body, key)


def audit_key(cli: Cli) -> bytes:
    return bytes.fromhex((ROOT / "audit.key").read_text().strip())      # beside the checkout's config.toml


def test_changed_row_rehashed_without_the_key_is_named(cli):
    """A forger who can write the database but has no audit key cannot make a valid hash."""
    run_demo(cli)
    assert row(cli, 20)["scheme"] == chain.KEYED
    payload, digest = rehashed(row(cli, 20), None)
    change(cli, 20, payload=payload, hash=digest)
    broken(cli, 20, "事件内容与哈希不符，记录被篡改")
    change(cli, 20, scheme=chain.PLAIN)      # and calling it an old unkeyed event does not help
    broken(cli, 20, "事件未用审计密钥签名，疑似伪造追加")


def test_changed_row_with_recomputed_hash_breaks_the_next_link(cli):
    """Even a forger holding the key who rehashes the changed event is caught by the next event's prev_hash."""
    run_demo(cli)
    payload, digest = rehashed(row(cli, 20), audit_key(cli))
    change(cli, 20, payload=payload, hash=digest)
    broken(cli, 21, "前一事件哈希不符，链条被改动")


def test_deleted_last_event_is_named(cli):
    count = run_demo(cli)
    remove(cli, count)
    broken(cli, count, "末尾事件缺失或被改动（与链头记录不符）")


def test_deleted_middle_event_is_named(cli):
    run_demo(cli)
    remove(cli, 30)
    broken(cli, 30, "缺少第30条事件（下一条为第31条），疑似被删除")


def test_a_later_command_does_not_hide_a_deleted_tail(cli):
    """Deleting the tail and then working on must still show the gap where the event was."""
    count = run_demo(cli)
    remove(cli, count)
    cli.ok("supervision", "report", "1", "--text", "设备采购窗口期临近，正加快推进。", "--as", "gaowenjing")
    broken(cli, count, f"缺少第{count}条事件（下一条为第{count + 1}条），疑似被删除")
