"""The README leads a newcomer in the order they need it, and names what the code really has.

Its command lines themselves are run by tests/e2e/test_readme.py against a real server.
"""

from __future__ import annotations

import re

import click

from app import cli
from tests.readme import README, README_ORIGIN, ROOT, blocks, section_text

ORDER = [
    "Two commands",
    "Try it first",
    "Set up your own property",
    "Phones (HTTPS): `make lan`",
    "How it fits together",
    "Running it for real",
    "Configuration",
    "Troubleshooting",
    "Development",
]


def _text() -> str:
    return README.read_text(encoding="utf-8")


def test_the_sections_come_in_a_newcomers_order():
    headings = re.findall(r"^## (.+?)\s*$", _text(), re.M)
    assert headings == ORDER


def test_a_newcomer_sets_up_with_exactly_two_commands():
    first = [b for b in blocks() if b.section == "Two commands"]
    assert len(first) == 1
    commands = [line.split("#")[0].strip() for line in first[0].text.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_one_host_name_throughout_the_one_make_run_serves():
    makefile = (ROOT / "Makefile").read_text()
    host = re.search(r"^HOST \?= (\S+)$", makefile, re.M)
    port = re.search(r"^PORT \?= (\S+)$", makefile, re.M)
    assert host and port and f"http://{host[1]}:{port[1]}" == README_ORIGIN
    text = _text()
    assert "localhost:" not in text and "//localhost" not in text
    # Every address the README gives for the local server is the banner's.
    for origin in re.findall(r"http://(?:127\.0\.0\.1|localhost)(?::\d+)?", text):
        assert origin in (README_ORIGIN, f"http://{host[1]}:5001"), origin


def _config_variables() -> set[str]:
    """Return every environment variable app/ reads (config.py and any module)."""
    pattern = re.compile(r"(?:environ(?:\.get)?\(|environ\[|getenv\()\s*\"([A-Z][A-Z0-9_]+)\"")
    return {
        name
        for path in (ROOT / "app").rglob("*.py")
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def test_the_configuration_table_lists_every_variable_the_app_reads():
    table = section_text("Configuration")
    listed = set(re.findall(r"^\| ([^|]+) \|", table, re.M))
    names = {name for cell in listed for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}
    read = _config_variables()
    assert len(read) > 50 and {"HOST", "PORT"} <= read  # the pattern still finds them
    # NOTIFY_HTTP_TIMEOUT is a former name, explained beside NOTIFY_READ_TIMEOUT.
    missing = sorted(read - names - {"NOTIFY_HTTP_TIMEOUT"})
    assert not missing, f"not in the README's configuration table: {missing}"
    assert "NOTIFY_HTTP_TIMEOUT" in table
    for name in ("TOKEN_LIFETIME_DAYS", "SESSION_LIFETIME_SECONDS", "DEFAULT_TIMEZONE"):
        assert name in names


def _commands() -> list[str]:
    found = []
    for group in vars(cli).values():
        if isinstance(group, click.Group):
            found += [f"{group.name} {name}" for name in group.commands]
    return sorted(found)


def test_every_command_of_the_command_line_is_in_the_readme():
    text = _text()
    commands = _commands()
    assert "plans sweep" in commands and "tickets sweep" in commands
    for command in commands:
        assert f"patrol {command}" in text, f"the README never shows `patrol {command}`"


def test_running_it_for_real_schedules_every_sweep_and_the_outbox():
    real = section_text("Running it for real")
    scheduled = [c for c in _commands() if c.endswith(" sweep")] + ["notify run --once"]
    for command in scheduled:
        assert re.search(rf"^\s*\* \* \* \* \*.*patrol {command}\s*$", real, re.M), command


def test_the_moved_references_are_there_and_linked():
    text = _text()
    for doc in ("docs/presence.md", "docs/screenshots.md", "docs/backoffice-api.md"):
        assert f"]({doc})" in text and (ROOT / doc).exists(), doc
    gallery = (ROOT / "docs" / "screenshots.md").read_text()
    for name in re.findall(r'src="screenshots/([\w-]+\.png)"', gallery):
        assert (ROOT / "docs" / "screenshots" / name).exists(), name
    shots = sorted(p.name for p in (ROOT / "docs" / "screenshots").glob("*.png"))
    assert all(f"screenshots/{name}" in gallery for name in shots)  # the whole gallery moved
    for name in re.findall(r'src="(docs/screenshots/[\w-]+\.png)"', text):
        assert (ROOT / name).exists(), name
