"""[web] in config.toml → Settings.web, and how `quorum serve` turns it (and its options) into an address."""

import argparse
from pathlib import Path

import pytest

from quorum.core.errors import InvalidInput
from quorum.database import code_head
from quorum.settings import load_settings
from quorum.web_settings import WebSettings, split_bind
from webui.commands import bind_address

CONFIG = """
[paths]
data_dir = "data"

[web]
secret_key = "s3cret"
{web}
"""


def settings_with(tmp_path: Path, web: str):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(web=web), encoding="utf-8")
    return load_settings(path, env={})


def refusal(tmp_path: Path, web: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        settings_with(tmp_path, web)
    return str(caught.value)


def test_the_defaults_serve_two_workers_on_localhost(tmp_path):
    settings = settings_with(tmp_path, "")
    assert settings.web == WebSettings(bind="127.0.0.1:8080", workers=2, threads=4, timeout=60, proxies=0)
    assert settings.secret_key == "s3cret"


def test_every_key_is_read(tmp_path):
    web = settings_with(tmp_path, 'bind = "0.0.0.0:9000"\nworkers = 4\nthreads = 8\ntimeout = 120\nproxies = 1').web
    assert web == WebSettings(bind="0.0.0.0:9000", workers=4, threads=8, timeout=120, proxies=1)
    assert settings_with(tmp_path, 'bind = "unix:/run/quorum.sock"').web.bind == "unix:/run/quorum.sock"
    assert settings_with(tmp_path, 'bind = "[::1]:8080"').web.bind == "[::1]:8080"


def test_mistakes_name_the_file_the_section_and_the_key(tmp_path):
    unknown = refusal(tmp_path, "worker = 4")
    assert str(tmp_path / "config.toml") in unknown and "[web] worker：未知的设置项" in unknown
    assert "workers" in unknown and "secret_key" in unknown
    assert "[web] workers：应为 1 至 64 的整数，实为「0」" in refusal(tmp_path, "workers = 0")
    assert "[web] threads：应为 1 至 64 的整数，实为「many」" in refusal(tmp_path, 'threads = "many"')
    assert "[web] timeout" in refusal(tmp_path, "timeout = 1")
    assert "[web] proxies" in refusal(tmp_path, "proxies = -1")
    assert "[web] bind：「8080」应写作 主机:端口" in refusal(tmp_path, 'bind = "8080"')
    assert "[web] bind" in refusal(tmp_path, 'bind = "localhost:70000"')


def test_split_bind_reads_host_and_port():
    assert split_bind("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert split_bind("[::1]:8443") == ("::1", 8443)
    assert split_bind("unix:/run/quorum.sock") is None


def options(**given) -> argparse.Namespace:
    return argparse.Namespace(**{"bind": None, "host": None, "port": None, **given})


def test_the_command_line_overrides_the_configured_address(tmp_path):
    settings = settings_with(tmp_path, 'bind = "0.0.0.0:9000"')
    assert bind_address(options(), settings) == "0.0.0.0:9000"
    assert bind_address(options(port=8123), settings) == "0.0.0.0:8123"           # --port keeps the host
    assert bind_address(options(host="127.0.0.1", port=8123), settings) == "127.0.0.1:8123"
    assert bind_address(options(host="::1"), settings) == "[::1]:9000"
    assert bind_address(options(bind="unix:/tmp/q.sock", port=1), settings) == "unix:/tmp/q.sock"
    with pytest.raises(InvalidInput, match="监听地址「nowhere」"):
        bind_address(options(bind="nowhere"), settings)
    with pytest.raises(InvalidInput, match="端口 1 至 65535"):
        bind_address(options(port=0), settings)


def test_gunicorn_runs_the_configured_workers_each_building_its_own_app(tmp_path):
    from webui.commands import _options
    from webui.server import QuorumServer
    settings = settings_with(tmp_path, "workers = 3\nthreads = 2\ntimeout = 90")
    server = QuorumServer(settings, _options(options(workers=None), settings, "127.0.0.1:9001"))
    cfg = server.cfg
    assert (cfg.workers, cfg.threads, cfg.timeout, cfg.bind) == (3, 2, 90, ["127.0.0.1:9001"])
    assert cfg.worker_class_str == "gthread" and cfg.preload_app is False     # no pool crosses a fork
    assert cfg.control_socket_disable is True and cfg.errorlog == "-"
    assert cfg.forwarded_allow_ips == []                  # forwarded headers: ProxyFix after [web] proxies, alone
    assert QuorumServer(settings, _options(options(workers=5), settings, "127.0.0.1:9001")).cfg.workers == 5
    with pytest.raises(InvalidInput, match="工作进程数应为 1 至 64，实为 0"):
        _options(options(workers=0), settings, "127.0.0.1:9001")


def test_a_worker_that_finds_the_schema_behind_says_so_in_one_line_and_stops_the_server(tmp_path, capsys):
    from webui.commands import _options
    from webui.server import WORKER_BOOT_ERROR, QuorumServer
    settings = settings_with(tmp_path, "")               # an empty database: never migrated
    server = QuorumServer(settings, _options(options(workers=None), settings, settings.web.bind))
    with pytest.raises(SystemExit) as stopped:
        server.load()
    assert stopped.value.code == WORKER_BOOT_ERROR       # gunicorn halts instead of forking it again
    assert capsys.readouterr().err.strip() == ("错误：输入有误：数据库尚未初始化（应为版本 " + code_head()
                                               + "）：请先运行 quorum migrate（或 quorum init）")


def test_an_unreachable_database_is_one_line_too(tmp_path, capsys):
    from dataclasses import replace

    from webui.commands import _options
    from webui.server import WORKER_BOOT_ERROR, QuorumServer
    settings = settings_with(tmp_path, "")
    settings = replace(settings, database_url=f"sqlite:///{tmp_path / 'no-such-dir' / 'quorum.sqlite3'}")
    with pytest.raises(SystemExit) as stopped:
        QuorumServer(settings, _options(options(workers=None), settings, settings.web.bind)).load()
    assert stopped.value.code == WORKER_BOOT_ERROR
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and line.startswith(f"错误：输入有误：无法连接数据库 sqlite:///{tmp_path}")
    assert "unable to open database file" in line
