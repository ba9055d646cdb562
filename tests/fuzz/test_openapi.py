"""Every operation of the OpenAPI document, fuzzed by schemathesis as an admin (make fuzz).

The admin of the demo property calls each operation with generated input, valid and invalid:
no answer may be a server error, and every answer must match what the document says of it
(status code, content type, body schema). A second company's properties (factories.World) give
ids that exist but are not the caller's. Each operation starts from the same seeded database.
FUZZ_PATHS=<regular expression> fuzzes the matching paths only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.auth.models import User
from app.auth.service import create_token
from app.cli import _seed_plans
from app.config import TestConfig
from app.extensions import db
from seed.loader import load_demo
from tests import factories
from tests.fuzz.steer import Pools, pools, steer
from tests.fuzz.story import play

pytestmark = pytest.mark.fuzz

EXAMPLES = 20  # per operation
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]

# Status codes answered, by operation: what tests/fuzz/conftest.py sums up after the run.
ANSWERS: dict[str, Counter[int]] = {}

FOLDER = Path(tempfile.mkdtemp(prefix="patrol-fuzz-"))
DATABASE, PRISTINE = FOLDER / "fuzz.db", FOLDER / "pristine.db"
APP = create_app(
    TestConfig,
    SQLALCHEMY_DATABASE_URI=f"sqlite:///{DATABASE}",
    INSTANCE_DIR=str(FOLDER),
    PUBLIC_BASE_URL="https://patrol.example.com",
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
if os.environ.get("FUZZ_PATHS"):
    schema = schema.include(path_regex=os.environ["FUZZ_PATHS"])


class Seeded:
    """The admin's token, its property's ids, and which operation the database was put back for."""

    def __init__(self, token: str, ids: Pools) -> None:
        self.token = token
        self.ids = ids
        self.operation = ""

    def start(self, operation: str) -> None:
        """Put the seeded database back when a new operation starts (the last may have deleted)."""
        if operation == self.operation:
            return
        with APP.app_context():
            db.engine.dispose()
        copy_database(PRISTINE, DATABASE)
        self.operation = operation


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database whole: a file copy would miss what is still in its WAL file."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="module")
def seeded(_clock: None) -> Iterator[Seeded]:
    """Load the demo property with two days of patrols, and a second company's two properties."""
    with APP.app_context():
        upgrade()
        load_demo(factories.PASSWORD)
        _seed_plans(history=2)
        factories.build_world()
        admin = db.session.query(User).filter_by(username="admin").one()
        _, token = create_token(admin, "fuzz")
        db.session.commit()
        play(APP)
        ids = pools(admin.properties[0].id, admin.company_id)
        db.engine.dispose()
    copy_database(DATABASE, PRISTINE)
    yield Seeded(token, ids)
    with APP.app_context():
        db.engine.dispose()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation(case: schemathesis.Case, seeded: Seeded) -> None:
    seeded.start(case.operation.label)
    steer(case, seeded.ids)
    response = case.call(headers={"Authorization": f"Bearer {seeded.token}"})
    ANSWERS.setdefault(case.operation.label, Counter())[response.status_code] += 1
    case.validate_response(response, checks=CHECKS)
