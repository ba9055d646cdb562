"""The `patrol` console script: the app's CLI from the venv, saying which database it uses."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from app.cli import main

PATROL = Path(sys.executable).parent / "patrol"
# What the caller's shell might set that would change the answers below.
CLEARED = {
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "PUBLIC_BASE_URL",
    "HOST",
    "PORT",
    "SECRET_KEY",
    "LABEL_SECRET",
}
# A fixed instant, so the sweep below does not read the wall clock.
NOW = "2027-03-10T08:31:00+08:00"


def test_the_console_script_is_declared_and_installed():
    (script,) = entry_points(group="console_scripts", name="patrol")
    assert script.load() is main
    assert PATROL.is_file(), "make install (pip install -e .) writes .venv/bin/patrol"


def _patrol(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if k not in CLEARED and not k.startswith("FLASK_")
    }
    environ.update(PATROL_INSTANCE_DIR=str(tmp_path / "instance"), PATROL_ENV="development")
    environ.update(env)
    return subprocess.run(
        [str(PATROL), *args],
        cwd=tmp_path,  # not the repository: nothing found by accident in the working folder
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'other.db'}"


def test_patrol_runs_commands_on_the_database_it_names(tmp_path, database):
    upgrade = _patrol(tmp_path, "db", "upgrade", DATABASE_URL=database, SECRET_KEY="s" * 32)
    assert upgrade.returncode == 0, upgrade.stderr
    assert f"patrol: database {database}" in upgrade.stderr.splitlines()
    assert (tmp_path / "other.db").is_file()

    sweep = _patrol(tmp_path, "plans", "sweep", "--now", NOW, DATABASE_URL=database)
    assert sweep.returncode == 0, sweep.stderr
    assert "materialized=0" in sweep.stdout  # the sweep ran, on an empty database
    assert "patrol: database" not in sweep.stdout  # stdout stays the command's own


def test_patrol_help_lists_the_commands_and_masks_the_password(tmp_path):
    url = "postgresql+psycopg://patrol:hunter2@db.example.com:5432/patrol"
    result = _patrol(tmp_path, "--help", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    for command in ("seed", "labels", "plans", "tickets", "notify", "users", "db"):
        assert f"  {command} " in result.stdout
    assert "patrol: database postgresql+psycopg://patrol:***@db.example.com:5432/patrol" in (
        result.stderr
    )
    assert "hunter2" not in result.stderr + result.stdout


def test_without_database_url_it_is_the_instance_folders_sqlite_and_secret(tmp_path):
    result = _patrol(tmp_path, "labels", "--help")
    assert result.returncode == 0, result.stderr
    instance = (tmp_path / "instance").resolve()
    # No SECRET_KEY: the instance folder's secret signs the labels, and the line says which.
    assert (
        f"patrol: database sqlite:///{instance / 'patrol.db'}; "
        f"labels signed with {instance / 'secret_key'}"
    ) in result.stderr.splitlines()
