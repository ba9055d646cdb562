"""Fixtures for the photo tests: a storage folder per test and logged-in assistants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture(autouse=True)
def photo_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Keep each test's photo files in its own folder."""
    root = tmp_path / "photos"
    before = app.config.get("PHOTO_STORAGE_DIR")
    app.config["PHOTO_STORAGE_DIR"] = str(root)
    yield root
    app.config["PHOTO_STORAGE_DIR"] = before


@pytest.fixture
def assistant_a(world, login) -> FlaskClient:
    """Return the client of property A's assistant."""
    return login(world.a.users["assistant"])


@pytest.fixture
def assistant_b(world, login) -> FlaskClient:
    """Return the client of property B's assistant."""
    return login(world.b.users["assistant"])
