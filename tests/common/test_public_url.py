"""Which address labels and links point at: PUBLIC_BASE_URL, the request's, or HOST/PORT's."""

from __future__ import annotations

import pytest

from app.common import public_url
from app.common.public_url import environment_base_url, is_local, localhost_warning


@pytest.fixture
def unset(app, monkeypatch):
    """Leave PUBLIC_BASE_URL empty, as a fresh `make run` does."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    for name in ("HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return app


def test_an_explicit_public_base_url_wins_in_a_request_and_on_the_cli(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://patrol.example.com/")
    monkeypatch.setenv("HOST", "10.0.0.5")
    assert public_url.resolve_base_url() == ("https://patrol.example.com", "config")
    with app.test_request_context("/", base_url="http://192.168.1.20:5000"):
        assert public_url.resolve_base_url() == ("https://patrol.example.com", "config")


def test_in_a_request_the_address_it_came_in_on(unset):
    with unset.test_request_context("/", base_url="http://192.168.1.20:5000"):
        assert public_url.resolve_base_url() == ("http://192.168.1.20:5000", "request")
    with unset.test_request_context("/", base_url="https://patrol.lan:8443"):
        assert public_url.public_base_url() == "https://patrol.lan:8443"


def test_on_the_cli_the_servers_host_and_port(unset, monkeypatch):
    assert public_url.resolve_base_url() == ("http://127.0.0.1:5000", "environment")
    monkeypatch.setenv("HOST", "192.168.1.20")
    monkeypatch.setenv("PORT", "8000")
    assert public_url.public_base_url() == "http://192.168.1.20:8000"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"HOST": "patrol.lan", "PORT": "80"}, "http://patrol.lan"),
        ({"HOST": "fd00::20", "PORT": "5000"}, "http://[fd00::20]:5000"),
        ({"HOST": "0.0.0.0", "PORT": "5000"}, "http://192.168.1.20:5000"),  # the LAN's address
        ({"HOST": "::", "PORT": "5001"}, "http://192.168.1.20:5001"),
    ],
)
def test_host_and_port_give_an_address_phones_can_open(monkeypatch, environ, expected):
    monkeypatch.setattr(public_url, "lan_address", lambda: "192.168.1.20")
    assert environment_base_url(environ) == expected


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:5000", True),
        ("http://127.0.0.1:5000", True),
        ("http://127.0.1.1", True),
        ("http://[::1]:5000", True),
        ("http://0.0.0.0:5000", True),
        ("http://patrol.localhost", True),
        ("http://192.168.1.20:5000", False),
        ("https://patrol.example.com", False),
        ("https://[fd00::20]:8443", False),
    ],
)
def test_local_addresses_are_recognised(url, local):
    assert is_local(url) is local
    assert (localhost_warning(url) is not None) is local


def test_the_warning_says_in_both_languages_that_labels_must_be_printed_again():
    warning = localhost_warning("http://127.0.0.1:5000")
    assert warning is not None and warning["code"] == "label_url_localhost"
    assert "http://127.0.0.1:5000" in warning["message_zh"]
    assert "须重新打印" in warning["message_zh"]
    assert "must be printed again" in warning["message_en"]
    assert "PUBLIC_BASE_URL" in warning["message_en"]
