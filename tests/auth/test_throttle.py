"""Login throttling: failures per username and per address lock logins, even the right password."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from flask import Flask

from app import trust_proxies
from app.audit.models import AuditEntry
from app.auth import throttle
from app.auth.models import LoginThrottle
from app.common.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD

WRONG = "wrong-password-1"
LOCK_ZH = "登录失败次数过多，请 15 分钟后再试"
LOCK_EN = "Too many failed logins; try again in 15 minutes."


def _login(client, username: str, password: str, address: str = "10.0.0.1", **kw):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kw,
    )


def _fail(client, username: str, times: int, address: str = "10.0.0.1") -> list[int]:
    return [_login(client, username, WRONG, address).status_code for _ in range(times)]


def _later(minutes: float):
    return time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=True)


def _row(kind: str, key: str) -> LoginThrottle | None:
    db.session.expire_all()
    return db.session.get(LoginThrottle, (kind, key))


def _audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id).all()


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(client, world):
    assert _fail(client, "assistant_a", 4) == [401] * 4
    fifth = _login(client, "assistant_a", WRONG)
    assert fifth.status_code == 429
    resp = _login(client, "assistant_a", PASSWORD, headers={"Accept-Language": "en"})
    assert resp.status_code == 429
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == "login_locked"
    assert body["detail_zh"] == LOCK_ZH and body["detail_en"] == LOCK_EN
    assert body["detail"] == LOCK_EN
    assert 14 * 60 < int(resp.headers["Retry-After"]) <= 15 * 60
    assert body["retry_after"] == int(resp.headers["Retry-After"])
    chinese = _login(client, "assistant_a", PASSWORD).get_json()
    assert chinese["detail"] == LOCK_ZH


def test_the_lock_ends_after_its_time_and_the_right_password_works_again(client, world):
    _fail(client, "assistant_a", 5)
    with _later(14):
        resp = _login(client, "assistant_a", PASSWORD)
        assert resp.status_code == 429
        assert resp.get_json()["detail_en"] == "Too many failed logins; try again in 1 minute."
    with _later(15.1):
        assert _login(client, "assistant_a", PASSWORD).status_code == 200
    assert _row("username", "assistant_a") is None


def test_each_further_lock_lasts_twice_as_long(client, world):
    _fail(client, "assistant_a", 5)
    with _later(16):
        assert _fail(client, "assistant_a", 5) == [401] * 4 + [429]
        resp = _login(client, "assistant_a", PASSWORD)
        assert resp.get_json()["detail_en"] == "Too many failed logins; try again in 30 minutes."
        assert 29 * 60 < int(resp.headers["Retry-After"]) <= 30 * 60
    assert _row("username", "assistant_a").locks == 2


def test_a_day_without_failures_forgets_the_earlier_locks(client, world):
    _fail(client, "assistant_a", 5)
    with _later(25 * 60):
        _fail(client, "assistant_a", 5)
        resp = _login(client, "assistant_a", PASSWORD)
        assert resp.get_json()["detail_zh"] == LOCK_ZH
    assert _row("username", "assistant_a").locks == 1


def test_failures_older_than_the_window_do_not_count(client, world):
    assert _fail(client, "assistant_a", 4) == [401] * 4
    with _later(16):
        assert _fail(client, "assistant_a", 4) == [401] * 4
        assert _login(client, "assistant_a", PASSWORD).status_code == 200


def test_a_successful_login_resets_the_username_count(client, world):
    assert _fail(client, "assistant_a", 4) == [401] * 4
    assert _login(client, "assistant_a", PASSWORD).status_code == 200
    assert _fail(client, "assistant_a", 4) == [401] * 4
    assert _login(client, "assistant_a", PASSWORD).status_code == 200
    # The address keeps counting: a login of one's own does not wipe an address's record.
    assert _row("address", "10.0.0.1").failures == 8


def test_the_username_is_counted_as_login_reads_it(client, world):
    _fail(client, "  assistant_a ", 3)
    _fail(client, "assistant_a", 2)
    assert _login(client, "assistant_a", PASSWORD).status_code == 429


def test_an_unknown_username_gets_the_same_answers(client, world):
    def answers(username: str, address: str) -> list:
        out = []
        for password in [WRONG] * 5 + [PASSWORD]:
            resp = _login(client, username, password, address)
            body = resp.get_json()
            body.pop("retry_after", None)
            out.append((resp.status_code, body, "Retry-After" in resp.headers))
        return out

    known = answers("assistant_a", "10.0.0.1")
    unknown = answers("nobody_here", "10.0.0.2")
    assert known == unknown
    assert [code for code, _, _ in known] == [401] * 4 + [429, 429]
    assert _row("username", "nobody_here").locked_until is not None


def test_many_usernames_from_one_address_lock_the_address(client, world):
    codes = []
    for n in range(30):
        codes += _fail(client, f"guess{n}", 1, address="10.9.9.9")
    assert codes == [401] * 29 + [429]
    resp = _login(client, "assistant_a", PASSWORD, address="10.9.9.9")
    assert resp.status_code == 429 and resp.get_json()["code"] == "login_locked"
    # The same person from elsewhere, and everybody else, are not locked out.
    assert _login(client, "assistant_a", PASSWORD, address="10.0.0.7").status_code == 200


def test_an_office_behind_one_address_survives_one_persons_typos(client, world):
    assert _fail(client, "guard1", 5, address="10.5.5.5")[-1] == 429
    for role in ("admin", "supervisor", "frontdesk"):
        username = world.a.users[role].username
        assert _login(client, username, PASSWORD, address="10.5.5.5").status_code == 200


def test_a_refused_attempt_is_committed_though_the_request_fails(client, world):
    _fail(client, "assistant_a", 1)
    db.session.rollback()  # as the end of a real request would, had the route not committed
    assert _row("username", "assistant_a").failures == 1
    assert _row("address", "10.0.0.1").failures == 1
    assert len(_audit("login_failed")) == 1


def test_failures_locks_and_refusals_are_audited_without_passwords(client, world):
    user = world.a.users["assistant"]
    _fail(client, user.username, 5)
    _login(client, user.username, "the-right-one?", "10.0.0.1")
    _login(client, "nobody_here", "typed-secret-9", "10.0.0.1")
    failed = _audit("login_failed")
    assert len(failed) == 6
    assert {(e.entity, e.entity_id, e.summary, e.company_id) for e in failed[:5]} == {
        ("user", user.id, user.username, user.company_id)
    }
    assert failed[0].changes == {"address": [None, "10.0.0.1"]}
    assert failed[-1].entity_id is None and failed[-1].summary == throttle.UNKNOWN_USER
    [locked] = _audit("login_locked")
    assert locked.entity_id == user.id and locked.changes["locked"] == [None, "username"]
    assert locked.changes["locked_until"][1] > utcnow().isoformat()
    [refused] = _audit("login_refused")
    assert refused.entity_id == user.id and refused.user_id is None
    dumped = json.dumps([[e.summary, e.changes] for e in db.session.query(AuditEntry)])
    for secret in (WRONG, "the-right-one?", "typed-secret-9", "nobody_here"):
        assert secret not in dumped


def test_an_admin_sees_the_failed_logins_of_their_users(client, world, login):
    _fail(client, "assistant_a", 2)
    admin = login(world.a.users["admin"])
    items = admin.get("/api/v1/audit?action=login_failed").get_json()["items"]
    assert [e["entity_id"] for e in items] == [world.a.users["assistant"].id] * 2


def test_the_token_endpoint_is_throttled_the_same_way(client, world):
    def token(password: str):
        return client.post(
            "/api/v1/auth/tokens", json={"username": "assistant_a", "password": password}
        )

    assert [token(WRONG).status_code for _ in range(5)] == [401] * 4 + [429]
    resp = token(PASSWORD)
    assert resp.status_code == 429 and resp.get_json()["code"] == "login_locked"
    assert _login(client, "assistant_a", PASSWORD, address="127.0.0.1").status_code == 429


def test_forgotten_keys_are_pruned_and_locked_ones_kept(client, world):
    long_ago = utcnow() - timedelta(days=2)
    db.session.add_all(
        [
            LoginThrottle(
                kind="username",
                key="old",
                failures=2,
                window_started_at=long_ago,
                last_failure_at=long_ago,
            ),
            LoginThrottle(
                kind="address",
                key="10.1.1.1",
                failures=0,
                window_started_at=long_ago,
                last_failure_at=long_ago,
                locked_until=utcnow() + timedelta(hours=1),
            ),
        ]
    )
    db.session.commit()
    _fail(client, "assistant_a", 1)
    assert _row("username", "old") is None
    assert _row("address", "10.1.1.1") is not None
    assert _row("username", "assistant_a").failures == 1


def test_the_limits_come_from_the_config(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_USER_LIMIT", 2)
    monkeypatch.setitem(app.config, "LOGIN_LOCK_MINUTES", 3)
    assert _fail(client, "assistant_a", 2) == [401, 429]
    body = _login(client, "assistant_a", PASSWORD).get_json()
    assert body["detail_en"] == "Too many failed logins; try again in 3 minutes."


def _address_app(hops: int) -> Flask:
    probe = Flask("probe")
    probe.config["TRUSTED_PROXY_HOPS"] = hops
    trust_proxies(probe)
    probe.add_url_rule("/", "where", lambda: throttle.client_address())
    return probe


@pytest.mark.parametrize(("hops", "seen"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(hops, seen):
    probe = _address_app(hops).test_client()
    resp = probe.get(
        "/",
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert resp.get_data(as_text=True) == seen


def _concurrent_failures(app, n: int) -> list[int]:
    clients = [app.test_client() for _ in range(n)]
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def send(c):
        with app.app_context():
            barrier.wait()
            codes.append(_login(c, "assistant_a", WRONG).status_code)

    db.session.commit()  # the test's own transaction must not hold a lock
    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def _postgres_only() -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one writer at a time: the race needs PostgreSQL")


def test_concurrent_failures_all_count(app, world, monkeypatch):
    _postgres_only()
    monkeypatch.setitem(app.config, "LOGIN_USER_LIMIT", 100)
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", 100)
    assert _concurrent_failures(app, 12) == [401] * 12
    assert _row("username", "assistant_a").failures == 12
    assert _row("address", "10.0.0.1").failures == 12
    assert len(_audit("login_failed")) == 12


def test_a_burst_of_concurrent_failures_locks_once(app, world):
    _postgres_only()
    codes = _concurrent_failures(app, 10)
    assert sorted(codes) == [401] * 4 + [429] * 6
    row = _row("username", "assistant_a")
    assert row.locks == 1 and row.locked_until is not None
    assert len(_audit("login_locked")) == 1
