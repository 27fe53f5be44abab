"""The write path of an approval costs a fixed, small number of statements (issue 11, target 3).

Counted with a `before_cursor_execute` listener around one transaction, as the web does it: load
the signed-in person, act on the task, commit. The audit chain's head is taken once and written
once per transaction however many events the approval appends.
"""


from sqlalchemy import select

from quorum.core.audit import GENESIS
from quorum.db import AuditEvent, AuditHead
from quorum.services import audit, matters, org
from tests.helpers import counting, give_gate_opinions, submit

LIMIT = 17     # 15, plus the next assignee's notice on arrival: its matter's unit read, the notice inserted


def _leader_review(sc) -> tuple[int, str]:
    """A 三重一大 matter past its 前置程序: the 分管领导审核 task (a 或签 of two) of one vice president."""
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    give_gate_opinions(sc, mid)
    vp = sc.holder("vice_president", 0)
    return mid, vp


def _approve(sc, username: str, task_id: int) -> list[str]:
    with counting(sc.sessions.kw["bind"]) as seen, sc.sessions.begin() as s:
        matters.act(s, sc.env, org.person(s, username), task_id, "approve", "同意。")
    return seen


def test_approving_a_review_task_costs_at_most_17_statements(sc):
    mid, vp = _leader_review(sc)
    seen = _approve(sc, vp, sc.task_of(vp, mid))
    assert len(seen) <= LIMIT, "\n".join(seen)
    with sc.sessions.begin() as s:
        m = matters.get(s, mid)
        assert m.current_step == "principal_review"
        assert audit.verify(s).ok


def test_the_audit_head_is_written_once_per_transaction(sc):
    mid, vp = _leader_review(sc)
    seen = _approve(sc, vp, sc.task_of(vp, mid))
    head_updates = [q for q in seen if q.upper().startswith("UPDATE AUDIT_HEAD")]
    head_reads = [q for q in seen if q.upper().startswith("SELECT") and "FROM audit_head" in q]
    events = [q for q in seen if q.upper().startswith("INSERT INTO AUDIT_EVENT")]
    assert len(head_updates) == 1 and len(head_reads) == 1, "\n".join(seen)
    assert events, "the approval appends its events"


def test_the_chain_stays_verifiable_across_transactions_and_savepoints(sc):
    mid, vp = _leader_review(sc)
    sc.do(vp, matters.act, sc.task_of(vp, mid), "approve", "同意。")
    with sc.sessions.begin() as s:
        before = s.get(AuditHead, 1).seq
        with s.begin_nested() as savepoint:          # an event appended in a rolled-back savepoint leaves no gap
            audit.append(s, sc.env, None, "test.discarded", "matter", mid, {})
            savepoint.rollback()
        audit.append(s, sc.env, None, "test.kept", "matter", mid, {})
    with sc.sessions.begin() as s:
        head = s.get(AuditHead, 1)
        last = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        assert (head.seq, head.hash) == (before + 1, last.hash) and last.kind == "test.kept"
        assert audit.verify(s).ok


def test_an_empty_database_starts_the_chain_at_genesis(db, env):
    with db.sessions.begin() as s:
        first = audit.append(s, env, None, "test.first", "matter", None, {})
        audit.append(s, env, None, "test.second", "matter", None, {})
    with db.sessions.begin() as s:
        assert first.prev_hash == GENESIS and s.get(AuditHead, 1).seq == 2
        assert audit.verify(s).ok


def test_reads_begin_deferred_and_writes_immediate_on_sqlite(db):
    with counting(db.engine) as seen:
        with db.reads.begin() as s:
            s.execute(select(AuditHead.id)).all()
        with db.sessions.begin() as s:
            s.execute(select(AuditHead.id)).all()
    begins = [q for q in seen if q.upper().startswith("BEGIN")]
    assert begins == (["BEGIN", "BEGIN IMMEDIATE"] if db.engine.dialect.name == "sqlite" else [])


def test_sqlite_synchronous_is_normal_unless_config_asks_for_full(tmp_path):
    from quorum.db.session import make_engine
    for setting, expected in (("normal", 1), ("full", 2)):
        engine = make_engine(f"sqlite:///{tmp_path / setting}.sqlite3", synchronous=setting, pool_size=4)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
        assert engine.pool.size() == 4
        engine.dispose()
