"""`quorum init --data-dir`: a county's own directory — private config, editable rules — and finding config.toml."""

import stat
import tomllib

import pytest

from quorum import resources
from quorum.cli import main
from quorum.core.errors import InvalidInput
from quorum.settings import load_settings

SHIPPED_SECRET = tomllib.loads(resources.shipped("config.toml").read_text(encoding="utf-8"))["web"]["secret_key"]


@pytest.fixture(autouse=True)
def no_quorum_environment(monkeypatch, tmp_path):
    for name in ("QUORUM_CONFIG", "QUORUM_DATA_DIR", "QUORUM_DATABASE_URL", "QUORUM_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def shipped_files(name: str) -> set[str]:
    root = resources.shipped(name)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_init_lays_out_a_county_directory_and_migrates_its_database(tmp_path, capsys):
    county = tmp_path / "erlianhaote"
    assert main(["init", "--data-dir", str(county)]) == 0
    out = capsys.readouterr().out
    assert "已写入配置文件" in out and f"cd {county} && quorum demo" in out and "quorum serve" in out

    config = county / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    assert raw["web"]["secret_key"] != SHIPPED_SECRET and len(raw["web"]["secret_key"]) >= 60
    assert raw["paths"] == {"data_dir": "data", "policies": "policies", "templates": "templates"}
    assert "# Relative paths are relative to this file." in config.read_text(encoding="utf-8")   # comments kept
    for name in ("policies", "templates"):
        copied = {str(p.relative_to(county / name)) for p in (county / name).rglob("*") if p.is_file()}
        assert copied == shipped_files(name)

    settings = load_settings(config)
    assert settings.policies_dir == county / "policies" and settings.templates_dir == county / "templates"
    assert settings.database_url == f"sqlite:///{county / 'data' / 'quorum.sqlite3'}"
    assert (county / "data" / "quorum.sqlite3").is_file()


def test_init_again_keeps_the_countys_edits_and_its_secret_key(tmp_path, capsys):
    county = tmp_path / "county"
    assert main(["init", "--data-dir", str(county)]) == 0
    secret = tomllib.loads((county / "config.toml").read_text(encoding="utf-8"))["web"]["secret_key"]
    bodies = county / "policies" / "bodies.toml"
    edited = bodies.read_text(encoding="utf-8") + "\n# 二连浩特：党委会议事规则 2027 年修订\n"
    bodies.write_text(edited, encoding="utf-8")
    (county / "templates" / "messages" / "urge.txt").unlink()
    capsys.readouterr()

    assert main(["init", "--data-dir", str(county)]) == 0
    out = capsys.readouterr().out
    assert "已存在，未改动" in out and "保留本地修改：policies/bodies.toml" in out
    assert bodies.read_text(encoding="utf-8") == edited
    assert (county / "templates" / "messages" / "urge.txt").is_file()          # a missing file comes back
    assert tomllib.loads((county / "config.toml").read_text(encoding="utf-8"))["web"]["secret_key"] == secret


def test_init_with_data_dir_and_another_config_is_refused(tmp_path, capsys):
    (tmp_path / "other.toml").write_text(resources.shipped("config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["init", "--data-dir", str(tmp_path / "d"), "--config", str(tmp_path / "other.toml")]) == 2
    err = capsys.readouterr().err
    assert "--data-dir 与 --config 不能同时使用" in err and "Traceback" not in err
    assert not (tmp_path / "d").exists()


def test_init_into_a_file_is_one_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "county").write_text("不是目录", encoding="utf-8")
    assert main(["init", "--data-dir", str(tmp_path / "county")]) == 2
    err = capsys.readouterr().err
    assert "无法在" in err and "建立运行目录" in err and "Traceback" not in err


def test_config_is_found_in_the_current_directory_first(tmp_path):
    (tmp_path / "config.toml").write_text('[organisation]\nname = "锡林郭勒盟某旗医共体"\n', encoding="utf-8")
    assert load_settings().organisation == "锡林郭勒盟某旗医共体"


def test_no_config_anywhere_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "checkout", lambda: None)         # as when installed from a wheel
    with pytest.raises(InvalidInput, match="quorum init --data-dir"):
        load_settings()
