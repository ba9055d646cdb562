"""The fuzz run is collected only when asked for (make fuzz: `-m fuzz`).

Its module builds the app and reads the OpenAPI document at import, which the default run
(`-m 'not fuzz'`, pyproject.toml) would otherwise pay for only to deselect it.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name.startswith("test_") and config.option.markexpr != "fuzz":
        return True
    return None
