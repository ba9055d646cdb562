"""The README's command lines, taken from the README itself, run against a real server.

The server is set up by the Makefile's own `run` recipe (its lines before gunicorn: migrations,
the demo) on a fresh SQLite database, then served by gunicorn as the browser journeys' server is
(tests/e2e/conftest.py). The README's host (127.0.0.1:5000) is replaced by the server's address;
nothing else in a command is changed. Commands run at the session's clock (libfaketime).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.e2e.conftest import LABEL_SECRET, Server, _serve
from tests.readme import README_ORIGIN, ROOT, Block, blocks

FAKETIME = shutil.which("faketime") or "faketime"  # libfaketime: make system-deps-test
# Sections whose ```sh blocks a newcomer runs after `make run`, in this order.
RUN_SECTIONS = ("Try it first", "Set up your own property")
# Lines that are not run here, each with the reason.
NOT_RUN = {
    "make run": "the server fixture is make run's: migrations and the demo on a fresh SQLite",
    "make test": "this is the test suite",
    "make lan": "needs Caddy and the LAN address (tests/e2e/test_https.py runs it through Caddy)",
}


def _make_run_steps() -> list[str]:
    """Return the commands of the Makefile's run target before it starts serving, expanded."""
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_]+) *[:?]?= *(.*)$", makefile, re.M))
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    steps = []
    for line in recipe:
        line = line.strip()
        if "gunicorn" in line:
            break
        if line and not line.startswith("@"):  # @echo: the banner
            while match := re.search(r"\$\(([A-Z_]+)\)", line):
                line = line.replace(match[0], variables[match[1]])
            steps.append(line)
    assert any("db upgrade" in s for s in steps) and any("seed demo" in s for s in steps), steps
    return steps


def _session_clock() -> list[str]:
    # An offset from the real clock: an absolute "@date" would be read in each process's own
    # TZ (the README's `TZ=Asia/Shanghai date` would be moved by eight hours).
    offset = datetime.now(UTC).timestamp() - time_machine.escape_hatch.time.time()
    return [FAKETIME, "-f", f"{round(offset):+d}"]


def _as_make_run(url: str, instance_dir: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PATROL_INSTANCE_DIR": instance_dir,
        "FLASK_APP": "app",
    }
    env.update(TZ="UTC", FAKETIME_DONT_FAKE_MONOTONIC="1")
    env.pop("TEST_DATABASE_URL", None)
    for step in _make_run_steps():
        proc = subprocess.run(
            [*_session_clock(), "bash", "-c", step],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"{step}: {proc.stdout}{proc.stderr}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Serve a database that make run's own steps set up (the demo with its plans)."""
    if shutil.which("faketime") is None:
        pytest.skip("needs faketime (make system-deps-test) to run commands at the session's clock")
    yield from _serve(_as_make_run)


def _runnable() -> list[Block]:
    found = [b for b in blocks() if b.info == "sh" and b.section in RUN_SECTIONS]
    assert {b.section for b in found} == set(RUN_SECTIONS), "a section lost its commands"
    return found


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder like the repository's root for the commands' files (cookie jars, PDFs)."""
    folder = Path(tempfile.mkdtemp(prefix="patrol-readme-"))
    for name in ("tests", ".venv"):  # the README's paths: its sample photo, the CLI
        (folder / name).symlink_to(ROOT / name)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _run(block: Block, server: Server, cwd: Path) -> subprocess.CompletedProcess:
    script = block.text.replace(README_ORIGIN, server.base_url)
    assert README_ORIGIN not in script
    env = {
        **os.environ,
        # The command line on the server's own database and secrets, as the README asks.
        "DATABASE_URL": f"sqlite:///{server.instance_dir}/e2e.db",
        "PATROL_INSTANCE_DIR": server.instance_dir,
        "SECRET_KEY": "e2e-secret",
        "LABEL_SECRET": LABEL_SECRET,
    }
    env.pop("TEST_DATABASE_URL", None)
    # A failed HTTP answer fails the line (curl alone would exit 0 on a 4xx).
    prelude = 'curl() { command curl -sS --fail-with-body "$@"; }\nset -euo pipefail\n'
    # The commands' own clock (date, jq's now) is the session's too, not the wall clock.
    env.update(TZ="UTC", FAKETIME_DONT_FAKE_MONOTONIC="1")
    proc = subprocess.run(
        [*_session_clock(), "bash", "-c", prelude + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, (
        f"README block of {block.section!r} failed ({proc.returncode}):\n{block.text}\n"
        f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    )
    return proc


def _skip_reason(block: Block) -> str | None:
    for start, why in NOT_RUN.items():
        if any(line.strip().startswith(start) for line in block.text.splitlines()):
            return why
    return None


def _needs_tools() -> None:
    for tool in ("curl", "jq", "python3", "faketime"):
        if shutil.which(tool) is None:
            pytest.skip(f"the README's commands need {tool}")


def _run_sections(server: Server, cwd: Path, cli: bool) -> dict[str, str]:
    out: dict[str, str] = {}  # stdout, then stderr, of each section's blocks
    for block in _runnable():
        if (".venv/bin/patrol" in block.text) != cli:
            continue
        why = _skip_reason(block)
        if why:
            pytest.skip(f"{block.section}: {why}")
        proc = _run(block, server, cwd)
        out[block.section] = out.get(block.section, "") + proc.stdout + proc.stderr
    return out


def test_the_readmes_api_commands_run_as_written(server, workdir):
    _needs_tools()
    out = _run_sections(server, workdir, cli=False)
    # Try it first: the failed lights raised a ticket for 工程部, in the engineer's queue.
    tried = out["Try it first"]
    assert '"department": "工程部"' in tried, tried
    assert "走廊灯" in tried, tried  # the engineer's queue lists the ticket
    assert json.loads((workdir / "checkpoint.json").read_text())["code"] == "XGHTYM"
    coverage = json.loads(tried.strip().splitlines()[-1])
    assert coverage["total"]["expected"] > 0, coverage  # today's demo plans, in today's coverage
    # Set up your own property: a template, the import's preview and commit, a label sheet.
    assert (workdir / "checkpoints-template.xlsx").read_bytes().startswith(b"PK")
    assert (workdir / "labels-1.pdf").read_bytes().startswith(b"%PDF")


def test_the_readmes_command_lines_run_as_written(server, workdir):
    _needs_tools()
    out = _run_sections(server, workdir, cli=True)
    assert out, "the README shows no command line in " + ", ".join(RUN_SECTIONS)
    said = "\n".join(out.values())
    # patrol says which database it works on: the server's.
    assert f"patrol: database sqlite:///{server.instance_dir}/e2e.db" in said, said
    assert (
        "labels for A幢 written to" in said and "(they open https://patrol.example.com/c/" in said
    )
    sheets = list(Path(server.instance_dir).glob("labels-*.pdf"))
    assert sheets and sheets[0].read_bytes().startswith(b"%PDF")
    assert "Created assistant wang" in said


def test_a_failing_readme_command_fails_the_test(server, workdir):
    # The harness itself: an HTTP error answer or a failed pipe is a failure, not a pass.
    for text in (f"curl {README_ORIGIN}/api/v1/no-such-route\n", "false | jq .\n"):
        with pytest.raises(AssertionError, match="failed"):
            _run(Block("Try it first", "sh", text), server, workdir)
