"""Open the configured database: create the data directory, migrate to head, hand out sessions."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from quorum.db.session import make_engine, make_session_factory
from quorum.settings import ROOT, Settings


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


def alembic_config(engine: Engine) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(settings: Settings, upgrade: bool = True) -> Database:
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    if upgrade:
        migrate(engine)
    return Database(engine, make_session_factory(engine))
