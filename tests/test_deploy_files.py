"""deploy/: the systemd units verify and run real commands, nginx accepts its sample, the container file holds.

The units name /opt/quorum/venv; the checks point them at this test's virtual environment instead, so
`systemd-analyze verify` can find every program and each `quorum …` / `prefect …` command line is
checked against that program's own --help. nginx checks the sample with a throw-away certificate.
"""

import configparser
import importlib.util
import itertools
import json
import math
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quorum.web_settings import WebSettings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
VENV_BIN = "/opt/quorum/venv/bin"
HERE_BIN = str(Path(sys.executable).parent)


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str                       # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def test_the_five_units_are_there_and_hardened():
    assert [u.name for u in UNITS] == ["quorum-migrate.service", "quorum-prefect-server.service",
                                       "quorum-prefect-worker.service", "quorum-scheduler.service",
                                       "quorum-web.service"]
    for path in UNITS:
        service = unit(path)["Service"]
        assert service["User"] == "quorum" and service["EnvironmentFile"] == "/etc/quorum/quorum.env", path.name
        assert (service["NoNewPrivileges"], service["ProtectSystem"], service["PrivateTmp"]) == ("yes", "strict", "yes")
        assert "/var/lib/quorum" in service["ReadWritePaths"].split()
        assert service["ExecStart"].startswith(VENV_BIN + "/")
    assert unit(DEPLOY / "systemd" / "quorum-migrate.service")["Service"]["Type"] == "oneshot"
    for name in ("quorum-web.service", "quorum-scheduler.service"):       # migrate first, and only then serve
        section = unit(DEPLOY / "systemd" / name)["Unit"]
        assert "quorum-migrate.service" in section["Requires"].split()
        assert "quorum-migrate.service" in section["After"].split()


def test_systemd_analyze_verifies_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: install the systemd package (scripts/test.sh)")
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8").replace(VENV_BIN, HERE_BIN))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(p.name for p in tmp_path.iterdir())],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


def _help(argv: list[str]) -> str:
    program = argv[0]
    subcommand = list(itertools.takewhile(lambda a: not a.startswith("-"), argv[1:]))
    if program == "quorum":
        command = [sys.executable, "-m", "quorum.cli", *subcommand, "--help"]
    else:
        command = [str(Path(HERE_BIN) / program), *subcommand, "--help"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, (command, result.stderr)
    return result.stdout


def _check_command(argv: list[str]) -> None:
    """A command line names a real program, subcommand and options."""
    if argv[:2] == ["python", "-m"]:
        assert importlib.util.find_spec(argv[2]) is not None, argv
        return
    text = _help(argv)
    for option in (a for a in argv if a.startswith("--")):
        assert re.search(rf"{re.escape(option)}(?![\w-])", text), (argv, option)


def _exec_lines() -> list[list[str]]:
    lines = []
    for path in UNITS:
        argv = shlex.split(unit(path)["Service"]["ExecStart"])
        lines.append([Path(argv[0]).name, *argv[1:]])
    return lines


def test_every_command_the_units_and_the_container_run_exists():
    lines = _exec_lines()
    assert ["quorum", "migrate"] in lines and ["quorum", "serve"] in lines and ["python", "-m", "flows.serve"] in lines
    cmd = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Containerfile").read_text(encoding="utf-8"), re.MULTILINE)
    lines.append(json.loads(cmd.group(1)))
    lines.append(["quorum", "init", "--data-dir", "/var/lib/quorum"])          # the install step (README)
    for argv in lines:
        _check_command(argv)


def test_nginx_sample_matches_the_application_and_passes_nginx_t(tmp_path):
    conf = (DEPLOY / "nginx" / "quorum.conf").read_text(encoding="utf-8")
    limit = re.search(r"MAX_CONTENT_LENGTH=([0-9 *]+)", (ROOT / "webui" / "__init__.py").read_text(encoding="utf-8"))
    megabytes = math.prod(int(f) for f in limit.group(1).split("*")) // (1024 * 1024)     # "50 * 1024 * 1024"
    assert re.search(rf"^\s*client_max_body_size {megabytes}m;", conf, re.MULTILINE)
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", conf).group(1))
    assert WebSettings.timeout < read_timeout <= WebSettings.timeout + 30
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID"):
        assert re.search(rf"proxy_set_header {header} \$", conf), header
    assert "return 301 https://$host$request_uri;" in conf and "location = /healthz" in conf
    assert "listen 443 ssl" in conf and "ssl_certificate " in conf and "ssl_certificate_key " in conf

    for program in ("nginx", "openssl"):
        if shutil.which(program) is None:
            pytest.fail(f"{program} missing: scripts/test.sh installs it (apt-get install nginx openssl)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=quorum.example.org",
                    "-days", "1", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
                   check=True, capture_output=True, timeout=60)
    (tmp_path / "logs").mkdir()
    (tmp_path / "quorum.conf").write_text(conf.replace("/etc/ssl/quorum/fullchain.pem", str(tmp_path / "cert.pem"))
                                          .replace("/etc/ssl/quorum/privkey.pem", str(tmp_path / "key.pem")))
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                                         f"http {{\n  include {tmp_path}/quorum.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-c", tmp_path / "nginx.conf", "-p", f"{tmp_path}/"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_the_container_file_runs_unprivileged_with_a_health_check():
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert bases and all(b.startswith("python:3.11-slim") for b in bases)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.MULTILINE)
    assert 'VOLUME ["/var/lib/quorum"]' in text and "requirements/constraints.txt" in text
    assert "quorum migrate" in text                       # documented as its own step


def test_the_environment_file_names_only_variables_quorum_reads():
    settings_source = (ROOT / "quorum" / "settings.py").read_text(encoding="utf-8") + \
        (ROOT / "quorum" / "scheduler_settings.py").read_text(encoding="utf-8")
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "quorum.env.example").read_text(encoding="utf-8"),
                       re.MULTILINE)
    assert "QUORUM_CONFIG" in names and "PREFECT_API_URL" in names
    for name in (n for n in names if n.startswith("QUORUM_")):
        assert f'"{name}"' in settings_source, name
