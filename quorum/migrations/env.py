"""Alembic environment: uses a connection handed over by quorum.database, or the configured URL."""

from alembic import context

from quorum.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from quorum.db.session import make_engine
        from quorum.settings import load_settings

        url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
        with make_engine(url).connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
