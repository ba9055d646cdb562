"""What `make install` installs is what the lock files say, and they cover pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?: ; ([^\\\n]+))?", re.MULTILINE)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: str, here_only: bool = False) -> dict[str, str]:
    """Return the lock's pins; with here_only, only those whose marker holds on this machine."""
    return {
        _norm(name): version
        for name, version, marker in PIN.findall((ROOT / lock).read_text())
        if not (here_only and marker and not Marker(marker.strip()).evaluate())
    }


def _wanted(extra: str | None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return {_norm(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0]) for spec in specs}


@pytest.mark.parametrize(
    "lock,extra", [("requirements.txt", None), ("requirements-dev.txt", "test")]
)
def test_every_dependency_is_locked_with_hashes(lock, extra):
    text = (ROOT / lock).read_text()
    missing = _wanted(extra) - set(_pins(lock))
    assert not missing, f"{lock} lacks {sorted(missing)}: run make lock"
    for block in re.split(r"\n(?=\S)", text):
        if PIN.match(block):
            assert "--hash=sha256:" in block, f"{block.splitlines()[0]} has no hash"


def test_runtime_and_test_locks_agree():
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    differ = {n: (v, dev[n]) for n, v in runtime.items() if dev.get(n, v) != v}
    assert not differ, f"the two locks pin different versions: {differ}"


def test_the_installed_packages_are_the_locked_ones():
    installed = {_norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {
        name: (version, installed.get(name))
        for name, version in _pins("requirements-dev.txt", here_only=True).items()
        if installed.get(name) != version
    }
    assert not wrong, f"installed versions differ from the lock (locked, installed): {wrong}"
