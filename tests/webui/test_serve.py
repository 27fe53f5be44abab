"""`quorum run` initialises the embedded default, prints the URL and demo logins, and serves the UI (gunicorn)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_quorum_run_prints_the_url_and_serves_the_login_page(tmp_path):
    port = free_port()
    env = {**os.environ, "QUORUM_DATA_DIR": str(tmp_path / "data")}
    env.pop("QUORUM_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "quorum.cli", "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "全部演示账号" in line:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in output
        assert "演示账号密码均为 quorum-demo" in output
        assert "审计链校验：完整" in output
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200
                    assert "登录" in response.read().decode("utf-8")
                    assert response.headers["Server"] == "gunicorn"       # the production server, not Werkzeug
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server never answered")
        assert (tmp_path / "data" / "quorum.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        rest = proc.stdout.read()
        proc.stdout.close()
    assert proc.returncode == 0
    # gunicorn's workers leave through `quorum run` too: only the master stops the scheduler, once
    assert rest.count("已停止网页界面、定时任务和 Prefect 服务") == 1 and "Traceback" not in rest


def test_demo_users_lists_accounts_with_their_password():
    result = subprocess.run([sys.executable, "-m", "quorum.cli", "demo", "users", "--json"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    import json
    users = json.loads(result.stdout)
    bater = next(u for u in users if u["username"] == "bater")
    assert bater["name"] == "巴特尔" and bater["password"] == "quorum-demo"
    assert {p["role"] for p in bater["posts"]} == {"party_secretary", "management_committee_member"}


def test_the_development_server_only_with_dev(tmp_path):
    env = {**os.environ, "QUORUM_DATA_DIR": str(tmp_path / "data"), "QUORUM_SECRET_KEY": "test-" + "x" * 40}
    env.pop("QUORUM_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "quorum.cli", "init"], cwd=ROOT, env=env, capture_output=True, check=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "quorum.cli", "serve", "--dev", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.headers["Server"].startswith("Werkzeug/")
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the development server never answered")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
