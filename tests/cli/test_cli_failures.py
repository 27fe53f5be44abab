"""The command line reads a database failure as the web and the API do (issue 13, item 6): a lost lock is a
conflict to retry, a value too large is bad input, a busy database says so — one Chinese line, exit 2, never a
traceback; with --json the same key the API answers. A fault that is none of these is still raised."""

import json

import pytest
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

import quorum.explain
from quorum.cli import EXIT_USER_ERROR, main

EXPLAIN = ["policy", "explain", "major_matter"]


def failing(monkeypatch, exc: Exception) -> None:
    def fail(*_args, **_kwargs):
        raise exc
    monkeypatch.setattr(quorum.explain, "workflow_context", fail)


@pytest.mark.parametrize(("exc", "line", "key"), [
    (StaleDataError("UPDATE statement on table 'task' expected to update 1 row(s); 0 were matched."),
     "错误：操作冲突：数据已被他人同时修改，请刷新后重试", "conflict"),
    (DataError("INSERT", {}, Exception("value too long for type character varying(200)")),
     "错误：输入有误：数据超出允许的长度或范围", "invalid_input"),
    (OperationalError("UPDATE", {}, Exception("database is locked")),
     "错误：系统繁忙，请稍后重试（数据库正忙）", "service_busy"),
])
def test_a_database_failure_is_one_line_as_on_the_web(monkeypatch, capsys, exc, line, key):
    failing(monkeypatch, exc)
    assert main(EXPLAIN) == EXIT_USER_ERROR
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", line + "\n")

    assert main([*EXPLAIN, "--json"]) == EXIT_USER_ERROR
    assert json.loads(capsys.readouterr().err) == {"error": key, "message": line.removeprefix("错误：")}


def test_another_fault_is_not_hidden(monkeypatch):
    failing(monkeypatch, OperationalError("SELECT", {}, Exception("no such column: matter.urgent")))
    with pytest.raises(OperationalError):
        main(EXPLAIN)
