"""Baseline for bench_submit: a bare Flask endpoint doing one SQLite insert per request."""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, jsonify, request

DB_PATH = os.environ["BARE_DB"]
_local = threading.local()


def _conn() -> sqlite3.Connection:
    if not hasattr(_local, "conn"):
        conn = sqlite3.connect(DB_PATH, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, body TEXT)")
        _local.conn = conn
    return _local.conn


app = Flask(__name__)


@app.post("/insert")
def insert():
    """Store the raw body and answer its id."""
    cur = _conn().execute("INSERT INTO bare (body) VALUES (?)", (request.get_data(as_text=True),))
    return jsonify(id=cur.lastrowid), 201
