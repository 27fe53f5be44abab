"""An installable Quorum: a wheel and an sdist built from the tree, installed into an empty virtual environment.

From an empty directory, with nothing pointing at the checkout: `quorum init --data-dir`, `quorum demo`
and `quorum serve` work, and the package carries policies/, templates/, the starter config.toml, the
migrations, the demo files and the static files. scripts/bootstrap.sh leaves a venv that already holds
the pinned set alone — no pip, no apt-get — so scripts/run.sh starts with the registries unreachable.
The dependencies come from requirements/constraints.txt (pip's cache makes a second install quick).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
NOT_COPIED = {".git", ".venv", "build", "dist", "data", "screenshots"}
pytestmark = pytest.mark.slow


def _copy_tree(target: Path) -> Path:
    """The working tree without virtual environments, build output or local data."""
    def ignore(directory: str, names: list[str]) -> set[str]:
        top = NOT_COPIED if Path(directory) == ROOT else set()
        return {n for n in names if n in top or n == "__pycache__" or n.endswith((".egg-info", "_cache"))}
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def _run(args: list, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env(venv: Path) -> dict[str, str]:
    """No QUORUM_* variable, no PYTHONPATH: nothing leads the installed quorum back to the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """A wheel and an sdist built from the tree, and a wheel built from that sdist."""
    base = tmp_path_factory.mktemp("dists")
    source = _copy_tree(base / "src")
    _run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", base / "dist", source])
    sdist = next((base / "dist").glob("quorum-*.tar.gz"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "from-sdist", sdist])
    return {"wheel": next((base / "dist").glob("quorum-*.whl")), "sdist": sdist,
            "sdist_wheel": next((base / "from-sdist").glob("quorum-*.whl"))}


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> Path:
    """An empty virtual environment with the wheel and the pinned dependencies installed into it."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    listed = _run([python, "-m", "pip", "list", "--format=freeze"]).stdout
    assert {line.split("==")[0].lower() for line in listed.split()} <= {"pip", "setuptools"}      # empty
    started = time.monotonic()
    _run([python, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, dists["wheel"]])
    print(f"wheel and dependencies installed in {time.monotonic() - started:.0f} s")
    return venv


def test_wheel_and_sdist_carry_the_shipped_files(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    for name in ("policies", "templates"):
        shipped = {f"quorum/defaults/{name}/{f}" for f in _files_under(ROOT / name)}
        assert shipped and shipped <= names, sorted(shipped - names)[:5]
    migrations = {f"quorum/migrations/{f}" for f in _files_under(ROOT / "quorum" / "migrations")}
    demo = {f"quorum/demo/{f}" for f in _files_under(ROOT / "quorum" / "demo")}
    static = {f"webui/static/{f}" for f in _files_under(ROOT / "webui" / "static")}
    fonts = {"quorum/documents/fontconfig/60-quorum-cjk.conf"}      # the CJK font aliases the PDF conversion uses
    assert migrations | demo | static | fonts | {"quorum/defaults/config.toml", "quorum/migrations/script.py.mako"} <= names

    with tarfile.open(dists["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile()}
    assert {"config.toml", "setup.py", "MANIFEST.in", "requirements/constraints.txt", "policies/bodies.toml",
            "templates/web/base.html", "quorum/migrations/env.py"} <= members
    assert {f"policies/{f}" for f in _files_under(ROOT / "policies")} <= members
    assert set(zipfile.ZipFile(dists["sdist_wheel"]).namelist()) == names     # the sdist builds the same wheel


def test_installed_quorum_inits_runs_the_demo_and_serves_from_an_empty_directory(installed, tmp_path):
    env, quorum = _clean_env(installed), installed / "bin" / "quorum"
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([installed / "bin" / "python", "-c", "import quorum, webui; print(quorum.__file__, webui.__file__)"],
                 cwd=empty, env=env).stdout
    assert str(installed) in where and str(ROOT) not in where
    package = Path(where.split()[0]).parent
    assert {"config.toml", "policies", "templates"} <= {p.name for p in (package / "defaults").iterdir()}
    assert (package / "migrations" / "env.py").is_file() and (package / "defaults" / "templates" / "web").is_dir()

    assert "init" in _run([quorum, "--help"], cwd=empty, env=env).stdout
    lost = subprocess.run([quorum, "policy", "list"], cwd=empty, env=env, capture_output=True, text=True)
    assert lost.returncode == 2 and "quorum init --data-dir" in lost.stderr and "Traceback" not in lost.stderr

    county = empty / "county"
    out = _run([quorum, "init", "--data-dir", "county"], cwd=empty, env=env).stdout
    assert "已写入配置文件" in out and "quorum demo" in out
    assert (county / "config.toml").stat().st_mode & 0o777 == 0o600
    assert _files_under(county / "policies") == _files_under(ROOT / "policies")

    demo = _run([quorum, "demo"], cwd=county, env=env).stdout
    assert "审计链校验：完整" in demo
    by_variable = {**env, "QUORUM_CONFIG": str(county / "config.toml")}
    assert "事项 #1" in _run([quorum, "matter", "show", "1"], cwd=empty, env=by_variable).stdout
    _serves(quorum, county, env)


def _serves(quorum: Path, county: Path, env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([quorum, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=county, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(f"{base}/login", server) == 200
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"{base}/", timeout=10)
        redirect.value.close()
        assert redirect.value.code == 302 and "/login" in redirect.value.headers["Location"]
        with urllib.request.urlopen(f"{base}/static/quorum.css", timeout=10) as css:
            assert css.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[0]
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_bootstrap_leaves_a_satisfied_venv_alone_with_the_registries_unreachable(tmp_path):
    """First run installs; the second, with pip's index on a closed port and apt-get failing, installs nothing."""
    tree = _copy_tree(tmp_path / "src")
    venv = tmp_path / "venv"
    _run(["bash", tree / "scripts" / "bootstrap.sh", venv, "run", "dpkg"])
    assert (venv / ".quorum-installed").is_file()

    offline = _offline_env(tmp_path)
    _run(["bash", tree / "scripts" / "bootstrap.sh", venv, "run", "dpkg"], env=offline)
    assert not (tmp_path / "apt-get-called").exists()

    (venv / ".quorum-installed").unlink()           # the control: without the stamp it must reach for pip
    again = subprocess.run(["bash", tree / "scripts" / "bootstrap.sh", venv, "run", "dpkg"], env=offline,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode != 0, again.stdout + again.stderr


def _offline_env(tmp_path: Path) -> dict[str, str]:
    """pip's index on a closed port, no pip configuration or local wheels, apt-get a script that fails."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    apt = shadow / "apt-get"
    apt.write_text(f"#!/bin/sh\ntouch {tmp_path / 'apt-get-called'}\nexit 100\n", encoding="utf-8")
    apt.chmod(0o755)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "QUORUM_"))}
    env.update(PATH=f"{shadow}{os.pathsep}{env.get('PATH', '')}", PIP_CONFIG_FILE=os.devnull,
               PIP_INDEX_URL=f"http://127.0.0.1:{closed}/simple", PIP_RETRIES="0", PIP_TIMEOUT="2",
               PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env
