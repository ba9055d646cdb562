"""The flask commands a newcomer or an admin runs."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db


def test_users_create(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lily",
            "--role",
            "staff",
            "--name",
            "莉莉",
            "--property",
            "a",
            "--department",
            "eng",
            "--password",
            "long-enough-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="lily").one()
    assert user.role == "staff" and user.department.code == "ENG"
    assert user.property_ids == [world.a.prop.id]
    client = app.test_client()
    resp = client.post("/api/v1/auth/login", json={"username": "lily", "password": "long-enough-1"})
    assert resp.status_code == 200


def test_users_create_refuses_bad_input(app, world):
    runner = app.test_cli_runner()
    cases = [
        [
            "users",
            "create",
            "x1",
            "--role",
            "staff",
            "--property",
            "A",
            "--password",
            "long-pass-1",
        ],
        [
            "users",
            "create",
            "x2",
            "--role",
            "admin",
            "--property",
            "ZZ",
            "--password",
            "long-pass-1",
        ],
        ["users", "create", "x3", "--role", "admin", "--property", "A", "--password", "short"],
        [
            "users",
            "create",
            "admin_a",
            "--role",
            "admin",
            "--property",
            "A",
            "--password",
            "long-pass-1",
        ],
    ]
    for args in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
    assert db.session.query(User).filter(User.username.in_(["x1", "x2", "x3"])).count() == 0


def test_commands_have_help(app):
    runner = app.test_cli_runner()
    for args in (["seed", "demo", "--help"], ["users", "create", "--help"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "Usage" in result.output


def test_seed_demo_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--password", "123"])
    assert result.exit_code != 0
    assert db.session.query(User).count() == 0


def test_users_create_refuses_a_code_shared_by_two_companies(app, world):
    from tests import factories

    factories.property_(code="A")  # another company's property with the same code
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "amb",
            "--role",
            "admin",
            "--property",
            "A",
            "--password",
            "long-enough-1",
        ]
    )
    assert result.exit_code != 0
    assert db.session.query(User).filter_by(username="amb").count() == 0
