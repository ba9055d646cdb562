"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect

from app import create_app
from app.config import TestConfig
from app.extensions import db


def _diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    # The test database was built by `upgrade()` alone (see conftest), on SQLite or PostgreSQL.
    with db.engine.connect() as conn:
        assert _diff(conn) == []


def _fresh_app(tmp_path, name: str):
    """Return the app on a new, empty SQLite file (no migration run yet)."""
    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/{name}",
        INSTANCE_DIR=str(tmp_path),
    )


def test_upgrade_builds_an_empty_database_and_downgrade_removes_it(tmp_path):
    fresh = _fresh_app(tmp_path, "fresh.db")
    with fresh.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "property",
            "zone",
            "checkpoint",
            "unit",
            "department",
            "routing_rule",
            "checklist_template",
            "checklist_version",
            "checklist_item",
            "user",
            "property_grant",
            "api_token",
            "alembic_version",
        } <= tables
        with db.engine.connect() as conn:
            assert _diff(conn) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path):
    fresh = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/wal.db",
        INSTANCE_DIR=str(tmp_path),
    )
    with fresh.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.engine.dispose()


def test_one_open_ticket_migration_merges_the_duplicates_the_race_left(tmp_path):
    from datetime import UTC, datetime, timedelta

    from app.tickets.models import Ticket, TicketEvent
    from tests import factories

    fresh = _fresh_app(tmp_path, "dups.db")
    with fresh.app_context():
        upgrade(revision="0008")
        prop = factories.property_()
        spot = factories.checkpoint(factories.zone(prop))
        now = datetime.now(UTC)
        # The ticket table as it was at 0008: later columns of the model must not be written.
        then = Table("ticket", MetaData(), autoload_with=db.session.connection())
        defaults = {
            c.name: c.default.arg
            for c in Ticket.__table__.columns
            if c.name in then.c and c.default is not None and c.default.is_scalar
        }
        for n in range(3):
            db.session.execute(
                then.insert().values(
                    **defaults,
                    property_id=prop.id,
                    number=f"X-{n}",
                    category="equipment",
                    checkpoint_id=spot.id,
                    item_key="light",
                    title="照明",
                    accept_due_at=now,
                    close_due_at=now,
                    created_at=now + timedelta(seconds=n),
                    updated_at=now + timedelta(seconds=n),
                )
            )
        db.session.commit()
        upgrade()
        db.session.expire_all()
        tickets = db.session.query(Ticket).order_by(Ticket.id).all()
        assert [t.status for t in tickets] == ["new", "closed", "closed"]
        assert tickets[0].repeat_count == 2
        merged = db.session.query(TicketEvent).filter_by(ticket_id=tickets[1].id).one()
        assert merged.details == {"merged_into": tickets[0].id} and "X-0" in merged.note
        db.session.remove()
        db.engine.dispose()


def test_login_throttle_migration_adds_and_removes_its_table(tmp_path):
    fresh = _fresh_app(tmp_path, "throttle.db")
    with fresh.app_context():
        upgrade(revision="0011_login_throttle")
        inspector = inspect(db.engine)
        assert "login_throttle" in inspector.get_table_names()
        assert inspector.get_pk_constraint("login_throttle")["constrained_columns"] == [
            "kind",
            "key",
        ]
        downgrade(revision="0010_one_open_ticket")
        assert "login_throttle" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
