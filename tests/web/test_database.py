"""The database: SQLite pragmas, immediate write transactions, migrations on both backends."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import Session

import models
from app import create_app
from app import db as app_db
from app.services.database import begin_write
from app.services.database import make_engine
from tests.conftest import TEST_DATABASE_URL


def test_every_sqlite_connection_has_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}", busy_timeout_ms=7000)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000


def test_writes_begin_immediate_and_reads_do_not(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    begun = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda *args: begun.append(args[2]) if args[2].startswith("BEGIN") else None,
    )
    with Session(engine) as session:
        session.exec(text("SELECT 1"))
        begin_write(session)
        session.exec(text("SELECT 1"))
        session.commit()
    assert begun == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_foreign_key_is_enforced(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always enforces foreign keys")
    with engine.connect() as conn, pytest.raises(Exception, match="FOREIGN KEY"):
        conn.execute(
            text(
                "INSERT INTO recipient (campaign_id, key, role, name, salutation,"
                " address_lines, city, postcode, country, fax, email, position)"
                " VALUES (999, 'k', 'appeal', 'n', '', '', '', '', 'KG', '', '', 0)"
            )
        )
        conn.commit()


@pytest.fixture
def empty_database(tmp_path, _postgres_ready):
    """A database with no tables: a new SQLite file, or PostgreSQL emptied for this test."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    engine = make_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    yield TEST_DATABASE_URL
    with engine.begin() as conn:  # leave the tables the other tests expect
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    models.metadata.create_all(engine)
    engine.dispose()


def test_migrations_go_up_down_and_up_and_match_the_models(empty_database, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERTRAIL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": empty_database, "TESTING": True})
    alembic = app.extensions["alembic"]
    engine = app_db.get_engine(app)
    with app.app_context():
        alembic.upgrade()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), models.metadata)
        assert diff == []
        alembic.downgrade("base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        alembic.upgrade()
        assert set(inspect(engine).get_table_names()) >= set(models.metadata.tables)
    engine.dispose()
