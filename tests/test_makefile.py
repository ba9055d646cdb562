"""The Makefile: `make run` installs only what running needs; web builds only when changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make")


def _make(folder: Path, *args: str, path: str | None = None) -> str:
    env = {**os.environ, "PATH": path or os.environ["PATH"]}
    done = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("target", "wanted", "unwanted"),
    [
        ("run", {"fonts-wqy-microhei"}, {"chromium", "faketime", "fonts-noto-cjk", "caddy"}),
        ("install-test", {"fonts-wqy-microhei", "chromium", "faketime"}, set()),
    ],
)
def test_run_installs_no_test_packages(target, wanted, unwanted):
    # -n prints what would run; -B as if nothing were installed yet.
    planned = _make(ROOT, "-n", "-B", target)
    for package in wanted:
        assert package in planned, package
    for package in unwanted:
        assert package not in planned, package


@pytest.fixture
def web_copy(tmp_path: Path) -> Path:
    """A copy of the Makefile and a stand-in web/ whose `npm` only logs and builds dist/."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    web = tmp_path / "web"
    for name in (
        "src/main.js",
        "public/icon.svg",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.js",
        "node_modules/.installed",
    ):
        (web / name).parent.mkdir(parents=True, exist_ok=True)
        (web / name).write_text("x")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "npm").write_text(
        '#!/bin/sh\necho "npm $*" >> ../npm.log\nmkdir -p dist && echo built > dist/index.html\n'
    )
    (fake / "npm").chmod(0o755)
    return tmp_path


def _builds(folder: Path) -> int:
    log = folder / "npm.log"
    return log.read_text().count("npm run build") if log.exists() else 0


def _age_everything(folder: Path, past: float) -> None:
    """Date every file `past`, and the last build's stamp 10 s later."""
    for file in folder.rglob("*"):
        os.utime(file, (past, past))
    os.utime(folder / "web" / "dist" / ".built", (past + 10, past + 10))


def test_web_is_built_again_only_when_a_source_changed(web_copy):
    path = f"{web_copy / 'bin'}:{os.environ['PATH']}"
    _make(web_copy, "web", path=path)
    assert _builds(web_copy) == 1
    _make(web_copy, "web", path=path)
    assert _builds(web_copy) == 1  # nothing changed: no build
    past = time.time() - 3600
    sources = (
        "src/main.js",
        "public/icon.svg",
        "index.html",
        "package-lock.json",
        "vite.config.js",
    )
    for built, changed in enumerate(sources, start=1):
        _age_everything(web_copy, past)
        _make(web_copy, "web", path=path)
        assert _builds(web_copy) == built, "built again with nothing changed"
        os.utime(web_copy / "web" / changed, (past + 20, past + 20))
        _make(web_copy, "web", path=path)
        assert _builds(web_copy) == built + 1, changed
