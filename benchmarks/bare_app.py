"""The load benchmark's baseline: bare Flask, one raw INSERT per POST, one COUNT per GET.

Served by gunicorn exactly as the app is; reads ``LETTERTRAIL_DATABASE_URL`` (a SQLite
file) and uses the app's pragmas (WAL, busy timeout, synchronous=NORMAL).
"""

import os
import sqlite3
import threading

from flask import Flask
from flask import jsonify

_local = threading.local()


def _connection(path: str) -> sqlite3.Connection:
    if getattr(_local, "connection", None) is None:
        connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, town TEXT, sent_on TEXT)"
        )
        _local.connection = connection
    return _local.connection


def create_app() -> Flask:
    path = os.environ["LETTERTRAIL_DATABASE_URL"].removeprefix("sqlite:///")
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.post("/insert")
    def insert():
        connection = _connection(path)
        connection.execute(
            "INSERT INTO bare (town, sent_on) VALUES (?, ?)", ("Columbus", "2026-11-01")
        )
        return jsonify(ok=True), 201

    @app.get("/count")
    def count():
        (n,) = _connection(path).execute("SELECT count(*) FROM bare").fetchone()
        return jsonify(total=n)

    return app
