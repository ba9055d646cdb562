"""The fuzz run is collected only when asked for (make fuzz: `-m fuzz`).

Its module builds the app and reads the OpenAPI document at import, which the default run
(`-m 'not fuzz'`, pyproject.toml) would otherwise pay for only to deselect it.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name.startswith("test_") and config.option.markexpr != "fuzz":
        return True
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Sum up what the fuzzed operations answered: requests, and how many of them succeeded."""
    module = sys.modules.get("tests.fuzz.test_openapi")
    answers: dict[str, Counter[int]] = getattr(module, "ANSWERS", {})
    if not answers:
        return
    total: Counter[int] = sum(answers.values(), Counter())
    succeeded = [label for label, counts in answers.items() if any(c < 400 for c in counts)]
    write = terminalreporter.write_line
    write(f"fuzz: {len(answers)} operations, {sum(total.values())} requests")
    write("fuzz: answers by status " + ", ".join(f"{c}×{n}" for c, n in sorted(total.items())))
    write(f"fuzz: {len(succeeded)} operations answered at least once with success")
    for label in sorted(set(answers) - set(succeeded)):
        codes = ", ".join(f"{c}×{n}" for c, n in sorted(answers[label].items()))
        write(f"fuzz: never a success: {label} ({codes})")
