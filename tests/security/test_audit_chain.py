"""An audit chain an outsider can trust (issue 12, item 6): keyed, anchored outside the database, re-derived.

Each test runs `quorum demo` into a fresh deployment (SQLite and PostgreSQL), anchors the chain with
`quorum audit anchor --file` into a file outside the data directory, then plays a writer of the
database: truncates, rewrites or extends the chain, or changes a ballot, and expects
`quorum audit verify --anchors FILE` to exit 3 naming what it found.
"""

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from quorum.audit_settings import generate_key, load_key
from quorum.core import audit as chain
from quorum.database import migrate
from quorum.db import AuditEvent, AuditHead, Ballot, Notification, Person, Task
from quorum.db.meetings import AgendaItem
from tests.cli.support import ROOT, Cli, cli_backends, make_cli, with_snapshot

EXIT_AUDIT_BROKEN = 3


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path, snapshots) -> Iterator[Cli]:
    for made in make_cli(request.param, tmp_path / "data"):
        made.snapshots = snapshots          # the demo is run once per session and backend, then copied
        yield made


@pytest.fixture
def anchors(tmp_path) -> Path:
    return tmp_path / "outside" / "audit-anchors.log"


def demo_anchored(cli: Cli, anchors: Path) -> int:
    """Run the demo (the session's first test runs `quorum demo`, the others start from a copy, as in
    tests/cli/test_audit_tamper.py) and anchor its chain; return the anchored seq."""
    if cli.backend == "postgresql":         # the test's own schema, migrated to take the copy
        engine = cli.engine()
        migrate(engine)
        engine.dispose()
    with_snapshot(cli, "cli_demo", lambda: cli.ok("demo"))
    out = cli.json("audit", "anchor", "--file", anchors)
    assert out["file"] == str(anchors.resolve())
    return out["seq"]


def execute(cli: Cli, *statements: Any) -> None:
    engine = cli.engine()
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)
    engine.dispose()


def fetch(cli: Cli, query: Any) -> list[dict[str, Any]]:
    engine = cli.engine()
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    engine.dispose()
    return rows


def events(cli: Cli) -> list[dict[str, Any]]:
    return fetch(cli, select(AuditEvent.__table__).order_by(AuditEvent.seq))


def body(e: dict[str, Any], **changes: Any) -> dict[str, Any]:
    e = {**e, **changes}
    return {"seq": e["seq"], "at": e["at"].replace(microsecond=0).isoformat(), "actor_id": e["actor_id"],
            "kind": e["kind"], "subject": e["subject"], "subject_id": e["subject_id"], "matter_id": e["matter_id"],
            "payload": e["payload"]}


KEY_FILE = ROOT / "audit.key"        # beside the checkout's config.toml, which the command-line tests use


def audit_key(cli: Cli) -> bytes:
    return load_key(KEY_FILE)


def broken(cli: Cli, anchors: Path, seq: int | None, reason: str) -> None:
    result = cli.run("audit", "verify", "--anchors", anchors)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_AUDIT_BROKEN, (result.returncode, result.stdout, result.stderr)
    prefix = f"审计链在第{seq}条事件处断裂：" if seq is not None else "审计链与锚定记录不符："
    assert result.stderr == f"{prefix}{reason}\n"
    as_json = cli.run("audit", "verify", "--anchors", anchors, "--json")
    assert as_json.returncode == EXIT_AUDIT_BROKEN
    found = json.loads(as_json.stdout)
    assert (found["ok"], found["first_bad_seq"], found["reason"]) == (False, seq, reason)


def test_anchor_writes_a_signed_line_and_tells_the_discipline_inspector(cli, anchors):
    seq = demo_anchored(cli, anchors)
    line = json.loads(anchors.read_text(encoding="utf-8").splitlines()[-1])
    head = fetch(cli, select(AuditHead.seq, AuditHead.hash))[0]
    assert (line["seq"], line["hash"]) == (seq, head["hash"]) and seq == head["seq"]
    assert chain.anchor_line(chain.Anchor(line["seq"], line["hash"], line["at"]), audit_key(cli)) == \
        anchors.read_text(encoding="utf-8").splitlines()[-1]
    told = fetch(cli, select(Person.username).join(Notification, Notification.person_id == Person.id)
                 .where(Notification.kind == "audit_anchor"))
    assert told and all(r["username"] for r in told)
    out = cli.ok("audit", "verify", "--anchors", anchors)
    assert out == f"审计链完整：共 {seq} 条事件，逐条哈希校验通过，与 1 条锚定记录一致。\n"


def test_new_events_are_keyed_and_the_key_file_is_private(cli, anchors):
    demo_anchored(cli, anchors)
    assert {e["scheme"] for e in events(cli)} == {chain.KEYED}
    assert stat.S_IMODE(os.stat(KEY_FILE).st_mode) == 0o600


def test_truncated_tail_with_the_head_moved_back_is_caught_by_the_anchor(cli, anchors):
    seq = demo_anchored(cli, anchors)
    kept = events(cli)[seq - 6]
    execute(cli, delete(AuditEvent.__table__).where(AuditEvent.seq > kept["seq"]),
            update(AuditHead.__table__).values(seq=kept["seq"], hash=kept["hash"]))
    assert cli.run("audit", "verify").returncode == 0       # the database alone looks intact
    at = json.loads(anchors.read_text(encoding="utf-8"))["at"]
    broken(cli, anchors, kept["seq"] + 1, f"链条止于第{kept['seq']}条，而第{seq}条已于{at}锚定，疑似尾部被删除")


def test_rewritten_chain_even_with_the_key_is_caught_by_the_anchor(cli, anchors):
    """A forger holding the key rewrites event 20 and rehashes everything after it: only the anchor tells."""
    seq = demo_anchored(cli, anchors)
    key, rows = audit_key(cli), events(cli)
    prev, statements = rows[18]["hash"], []
    for e in rows[19:]:
        payload = {**e["payload"], "tampered": "改动"} if e["seq"] == 20 else e["payload"]
        digest = chain.chain_hash(prev, body(e, payload=payload), key)
        statements.append(update(AuditEvent.__table__).where(AuditEvent.seq == e["seq"])
                          .values(payload=payload, prev_hash=prev, hash=digest))
        prev = digest
    statements.append(update(AuditHead.__table__).values(hash=prev))
    execute(cli, *statements)
    assert cli.run("audit", "verify").returncode == 0
    at = json.loads(anchors.read_text(encoding="utf-8"))["at"]
    broken(cli, anchors, seq, f"与{at}的锚定哈希不符，链条被改写")


@pytest.mark.parametrize("scheme", [chain.KEYED, chain.PLAIN])
def test_forged_append_after_the_anchor_fails_without_the_key(cli, anchors, scheme):
    seq = demo_anchored(cli, anchors)
    last = events(cli)[-1]
    forged = {**last, "id": None, "seq": seq + 1, "kind": "matter.commented", "payload": {"text": "已核实，无问题"},
              "prev_hash": last["hash"], "scheme": scheme}
    forged["hash"] = chain.chain_hash(last["hash"], body(forged), b"\x01" * 32 if scheme == chain.KEYED else None)
    forged.pop("id")
    execute(cli, insert(AuditEvent.__table__).values(**forged),
            update(AuditHead.__table__).values(seq=seq + 1, hash=forged["hash"]))
    reason = "事件内容与哈希不符，记录被篡改" if scheme == chain.KEYED else "事件未用审计密钥签名，疑似伪造追加"
    broken(cli, anchors, seq + 1, reason)


def test_a_changed_anchor_file_is_named(cli, anchors):
    demo_anchored(cli, anchors)
    line = json.loads(anchors.read_text(encoding="utf-8"))
    anchors.write_text(chain.canonical_json({**line, "seq": line["seq"] - 5}) + "\n", encoding="utf-8")
    broken(cli, anchors, None, "锚定文件第1行无效或签名不符，锚定记录被改动")


def test_a_ballot_changed_outside_the_log_is_named(cli, anchors):
    demo_anchored(cli, anchors)
    ballot = fetch(cli, select(Ballot.id, Ballot.choice, AgendaItem.meeting_id, AgendaItem.seq, Person.username)
                   .join(AgendaItem, AgendaItem.id == Ballot.item_id).join(Person, Person.id == Ballot.person_id)
                   .order_by(Ballot.id))[0]
    choice = "disagree" if ballot["choice"] != "disagree" else "agree"
    execute(cli, update(Ballot.__table__).where(Ballot.id == ballot["id"]).values(choice=choice))
    result = cli.run("audit", "verify", "--anchors", anchors)
    assert result.returncode == EXIT_AUDIT_BROKEN, (result.stdout, result.stderr)
    name = fetch(cli, select(Person.name).where(Person.username == ballot["username"]))[0]["name"]
    where = f"会议 #{ballot['meeting_id']} 第{ballot['seq']}项议题，{name}"
    said = {"agree": "同意", "disagree": "不同意", "abstain": "弃权", "postpone": "缓议"}
    assert f"表决记录 #{ballot['id']}（{where}：{said[choice]}）在审计日志中没有对应的投票事件" in result.stderr
    assert f"投票事件（{where}：{said[ballot['choice']]}）没有对应的表决记录" in result.stderr
    assert ballot["username"] not in result.stderr
    found = json.loads(cli.run("audit", "verify", "--json").stdout)
    assert not found["ok"] and len(found["mismatches"]) == 2


def test_a_task_marked_done_outside_the_log_is_named(cli, anchors):
    demo_anchored(cli, anchors)
    task = fetch(cli, select(Task.id).where(Task.status == "open").order_by(Task.id))[0]
    execute(cli, update(Task.__table__).where(Task.id == task["id"]).values(status="done", outcome="approve"))
    result = cli.run("audit", "verify")
    assert result.returncode == EXIT_AUDIT_BROKEN, (result.stdout, result.stderr)
    assert f"待办 #{task['id']} 的状态为「已完成」，而最后的状态事件为第" in result.stderr
    assert "条（分派待办）" in result.stderr and "audit_mismatch" not in result.stderr


def test_anchor_file_inside_the_data_directory_is_refused(cli):
    cli.ok("demo")
    result = cli.run("audit", "anchor", "--file", cli.data_dir / "anchors.log")
    assert result.returncode == 2 and "锚定文件须放在数据目录之外" not in result.stdout
    assert "数据目录之外" in result.stderr


def test_key_generation_keeps_the_first_key(tmp_path):
    key_file = tmp_path / "keys" / "audit.key"
    assert generate_key(key_file) and not generate_key(key_file)
    assert load_key(key_file) == load_key(key_file) and len(load_key(key_file)) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert list(key_file.parent.iterdir()) == [key_file]


def test_an_unkeyed_chain_from_before_0013_keeps_verifying_and_goes_on_keyed(db, env):
    """Old events (plain SHA-256) verify as they are; the next events are keyed and verify after them."""
    from quorum.services import audit

    prev, rows = chain.GENESIS, []
    for seq in (1, 2):
        e = {"seq": seq, "at": env.now.replace(microsecond=0), "actor_id": None, "kind": "matter.commented",
             "subject": "matter", "subject_id": 1, "matter_id": 1, "payload": {"text": f"升级前第{seq}条"}}
        digest = chain.chain_hash(prev, body(e))
        rows.append({**e, "prev_hash": prev, "hash": digest, "scheme": chain.PLAIN})
        prev = digest
    with db.sessions.begin() as s:
        s.execute(insert(AuditEvent.__table__), rows)
        s.add(AuditHead(id=1, seq=2, hash=prev))
    with db.sessions.begin() as s:
        audit.append(s, env, None, "matter.commented", "matter", 1, {"text": "升级后第3条"}, matter_id=1)
    with db.sessions.begin() as s:
        assert [e.scheme for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()] == \
            [chain.PLAIN, chain.PLAIN, chain.KEYED]
        assert audit.verify(s).ok
