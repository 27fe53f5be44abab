"""config.toml and the QUORUM_* variables → Settings. Every test passes env= explicitly."""

from datetime import date
from pathlib import Path

import pytest

from quorum.core.errors import InvalidInput
from quorum.settings import ROOT, load_settings

BASE = """
[organisation]
name = "测试医共体"

[paths]
data_dir = "var/data"
policies = "rules"
templates = "tpl"

[database]
url = ""

[calendar]
holidays = []
workdays = []

[web]
secret_key = "from-config"
"""


def write_config(tmp_path: Path, text: str = BASE) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_are_relative_to_the_config_file(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config, env={})
    base = config.parent
    assert settings.organisation == "测试医共体"
    assert settings.data_dir == base / "var" / "data"
    assert settings.policies_dir == base / "rules"
    assert settings.templates_dir == base / "tpl"
    assert settings.secret_key == "from-config"
    assert settings.calendar_overrides == {}


def test_default_sqlite_url_lives_under_the_data_dir(tmp_path):
    settings = load_settings(write_config(tmp_path), env={})
    assert settings.database_url == f"sqlite:///{tmp_path / 'conf' / 'var' / 'data' / 'quorum.sqlite3'}"


def test_quorum_data_dir_overrides_the_data_dir_and_moves_the_default_database(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    settings = load_settings(write_config(tmp_path), env={"QUORUM_DATA_DIR": str(elsewhere)})
    assert settings.data_dir == elsewhere
    assert settings.database_url == f"sqlite:///{elsewhere / 'quorum.sqlite3'}"
    assert settings.policies_dir == tmp_path / "conf" / "rules"


def test_quorum_database_url_overrides_only_the_url(tmp_path):
    url = "postgresql+psycopg://quorum@db-host:5432/quorum"
    config = write_config(tmp_path)
    plain = load_settings(config, env={})
    settings = load_settings(config, env={"QUORUM_DATABASE_URL": url})
    assert settings.database_url == url
    assert settings.data_dir == plain.data_dir
    assert settings.policies_dir == plain.policies_dir
    assert settings.templates_dir == plain.templates_dir


def test_configured_url_is_used_and_the_variable_beats_it(tmp_path):
    config = write_config(tmp_path, BASE.replace('url = ""', 'url = "postgresql://quorum@config-host/quorum"'))
    assert load_settings(config, env={}).database_url == "postgresql://quorum@config-host/quorum"
    both = load_settings(config, env={"QUORUM_DATABASE_URL": "sqlite:////srv/quorum.sqlite3",
                                      "QUORUM_DATA_DIR": str(tmp_path / "d")})
    assert both.database_url == "sqlite:////srv/quorum.sqlite3"
    assert both.data_dir == tmp_path / "d"


def test_quorum_config_names_the_file_when_no_path_is_given(tmp_path):
    config = write_config(tmp_path)
    assert load_settings(None, env={"QUORUM_CONFIG": str(config)}).organisation == "测试医共体"


def test_explicit_path_beats_quorum_config(tmp_path):
    config = write_config(tmp_path)
    other = tmp_path / "missing.toml"
    assert load_settings(config, env={"QUORUM_CONFIG": str(other)}).organisation == "测试医共体"


def test_secret_key_variable_overrides_the_config(tmp_path):
    settings = load_settings(write_config(tmp_path), env={"QUORUM_SECRET_KEY": "from-env"})
    assert settings.secret_key == "from-env"


def test_calendar_overrides_are_parsed(tmp_path):
    text = BASE.replace("holidays = []", 'holidays = ["2027-01-01", 2027-02-11]').replace(
        "workdays = []", 'workdays = ["2027-02-07"]')
    settings = load_settings(write_config(tmp_path, text), env={})
    assert settings.calendar_overrides == {date(2027, 1, 1): False, date(2027, 2, 11): False,
                                           date(2027, 2, 7): True}
    calendar = settings.calendar()
    assert date(2027, 2, 7).weekday() == 6 and calendar.is_workday(date(2027, 2, 7))
    assert date(2027, 1, 1).weekday() == 4 and not calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2027, 2, 11))


def test_malformed_calendar_date_names_the_value(tmp_path):
    config = write_config(tmp_path, BASE.replace("holidays = []", 'holidays = ["2027-01-01", "2027-13-01"]'))
    with pytest.raises(InvalidInput) as caught:
        load_settings(config, env={})
    text = str(caught.value)
    assert text.startswith(f"输入有误：配置文件 {config} [calendar] 中的日期有误：")
    assert "'2027-13-01'" in text


def test_a_date_both_holiday_and_workday_is_refused(tmp_path):
    text = BASE.replace("holidays = []", 'holidays = ["2027-02-07"]').replace(
        "workdays = []", 'workdays = ["2027-02-07"]')
    with pytest.raises(InvalidInput) as caught:
        load_settings(write_config(tmp_path, text), env={})
    assert "'2027-02-07'" in str(caught.value)


def test_missing_config_file(tmp_path):
    missing = tmp_path / "nowhere" / "config.toml"
    with pytest.raises(InvalidInput) as caught:
        load_settings(missing, env={})
    assert str(caught.value) == f"输入有误：找不到配置文件 {missing}"


def test_missing_config_named_by_quorum_config(tmp_path):
    missing = tmp_path / "gone.toml"
    with pytest.raises(InvalidInput) as caught:
        load_settings(None, env={"QUORUM_CONFIG": str(missing)})
    assert str(caught.value) == f"输入有误：找不到配置文件 {missing}"


def test_malformed_toml_is_invalid_input(tmp_path):
    config = write_config(tmp_path, BASE.replace('name = "测试医共体"', 'name = "测试医共体'))
    with pytest.raises(InvalidInput) as caught:
        load_settings(config, env={})
    assert str(caught.value).startswith(f"输入有误：配置文件 {config} 格式错误：")


def test_project_config_defaults(tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path)})
    assert settings.organisation == "二连浩特市紧密型医共体"
    assert settings.policies_dir == ROOT / "policies"
    assert settings.templates_dir == ROOT / "templates"
    assert settings.database_url == f"sqlite:///{tmp_path / 'quorum.sqlite3'}"



@pytest.mark.parametrize("text, named", [
    ("[databse]\nurl = \"\"\n", "[databse]"),
    ("[paths]\ndata_dri = \"d\"\n", "[paths] data_dri"),
    ("[organisation]\nname = \"x\"\nshort = \"y\"\n", "[organisation] short"),
    ("[database]\nurl = \"\"\npool = 5\n", "[database] pool"),
    ("[scheduler]\nsweep_crn = \"* * * * *\"\n", "[scheduler] sweep_crn"),
    ("[backup]\nkeeep = 3\n", "[backup] keeep"),
])
def test_a_misspelt_section_or_key_anywhere_is_refused_with_file_and_key(tmp_path, text, named):
    config = write_config(tmp_path, text)
    with pytest.raises(InvalidInput) as exc:
        load_settings(config, env={})
    assert str(config) in str(exc.value) and named in str(exc.value)


def test_config_check_validates_the_shipped_config_and_names_a_bad_key(tmp_path, capsys):
    from quorum.cli import main
    assert main(["config", "check", "--config", str(ROOT / "config.toml")]) == 0
    assert "配置文件校验通过" in capsys.readouterr().out
    bad = write_config(tmp_path, BASE.replace("[database]", "[database]\nuri = \"x\""))
    assert main(["config", "check", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "[database] uri" in err and "Traceback" not in err


def test_the_previews_section_reaches_the_settings(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[previews]\nmax_pages = 8\ntimeout_seconds = 30\n", encoding="utf-8")
    loaded = load_settings(config, env={})
    assert (loaded.previews.max_pages, loaded.previews.timeout_seconds) == (8, 30)
    assert load_settings(ROOT / "config.toml", env={}).previews.max_pages == 30     # the shipped file: defaults
