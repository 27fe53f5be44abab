"""`python -m flows.serve` never migrates: on a schema behind the code it refuses with one line naming
`quorum migrate` and exits non-zero, before it registers anything with Prefect."""

import os
import subprocess
import sys

from alembic import command

from quorum.database import alembic_config
from quorum.db.session import make_engine
from tests.conftest import ROOT


def serve(data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUORUM_", "PREFECT_API_URL"))}
    env.update(QUORUM_CONFIG=str(ROOT / "config.toml"), QUORUM_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8",
               PREFECT_API_URL="http://127.0.0.1:9/api")      # nothing listens: it must not get that far
    return subprocess.run([sys.executable, "-m", "flows.serve"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_scheduler_refuses_a_schema_behind_the_code(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(f"sqlite:///{data / 'quorum.sqlite3'}")
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    engine.dispose()
    result = serve(data)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("定时任务未启动：数据库结构版本 0007 落后于程序") and line.endswith("请先运行 quorum migrate")


def test_the_scheduler_refuses_an_empty_database(tmp_path):
    result = serve(tmp_path / "data")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("定时任务未启动：数据库尚未初始化") and "quorum migrate" in line
