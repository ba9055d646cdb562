"""The Node the phone app needs: engines admit Node 20.19+, and the lock says who wants more."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[1] / "web"
OLDEST = (20, 19, 0)  # vite 8 and rolldown: ^20.19.0 || >=22.12.0
# Pulled in by vue-router 5 for its build-time file routing plugin, which the app does not use:
# npm ci on Node 20 warns of them (EBADENGINE), and the build and the app work without it.
WANT_NODE_22 = {
    "ast-walker-scope",
    "ast-walker-scope/node_modules/ast-kit",
    "ast-walker-scope/node_modules/@babel/helper-string-parser",
    "ast-walker-scope/node_modules/@babel/helper-validator-identifier",
    "ast-walker-scope/node_modules/@babel/parser",
    "ast-walker-scope/node_modules/@babel/types",
    "chokidar",
}


def _version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def admits(spec: str, version: tuple[int, ...]) -> bool:
    """Tell whether an engines range (the forms npm packages use) admits a Node version."""
    for clause in spec.split("||"):
        clause = clause.strip().replace(">= ", ">=")
        if clause.startswith(">="):
            if version >= _version(clause[2:]):
                return True
        elif clause.startswith("^"):
            low = _version(clause[1:])
            if version[0] == low[0] and version >= low:
                return True
        elif re.fullmatch(r"\d+(\.[\dx]+)*", clause):
            fixed = [int(p) for p in re.findall(r"\d+", clause)]
            if list(version[: len(fixed)]) == fixed:
                return True
    return False


def test_package_json_names_the_node_it_needs():
    engines = json.loads((WEB / "package.json").read_text())["engines"]["node"]
    assert admits(engines, OLDEST) and admits(engines, (22, 12, 0))
    assert not admits(engines, (20, 18, 0)) and not admits(engines, (18, 20, 0))
    lock = json.loads((WEB / "package-lock.json").read_text())
    assert lock["packages"][""]["engines"]["node"] == engines


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_this_machines_node_is_admitted():
    engines = json.loads((WEB / "package.json").read_text())["engines"]["node"]
    found = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    assert admits(engines, _version(found.stdout)), found.stdout


def test_only_the_known_packages_want_a_newer_node():
    packages = json.loads((WEB / "package-lock.json").read_text())["packages"]
    refusing = {
        path.removeprefix("node_modules/")
        for path, package in packages.items()
        if path
        and not package.get("optional")  # other platforms' binaries: never installed here
        and "node" in (package.get("engines") or {})
        and not admits(package["engines"]["node"], OLDEST)
    }
    assert refusing == WANT_NODE_22
