"""Engine set-up shared by the app and the tests."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


@event.listens_for(Session, "after_commit")
def _note_commit(_session: Session) -> None:
    if has_request_context():
        g.db_committed = True


def configure_engine_events(engine: Engine) -> None:
    """Turn on SQLite's foreign keys and WAL journal on every new connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below open transactions, not the driver.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A deferred transaction that later writes fails at once with "database is locked"
        # when another writer got there first; IMMEDIATE makes writers queue (busy_timeout).
        # Reads stay deferred so that, under WAL, they never wait for a writer.
        # So does whatever a write request reads after its commit (dumping the response).
        reading = has_request_context() and (
            request.method in ("GET", "HEAD", "OPTIONS") or g.get("db_committed", False)
        )
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def end_read_transaction() -> None:
    """End a transaction that has only read, before slow work that needs no database."""
    from app.extensions import db

    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("end_read_transaction called with pending changes")
    db.session.rollback()
