"""The Caddy configurations in deploy/ are ones the real Caddy accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
CADDY = shutil.which("caddy")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.mark.skipif(CADDY is None and not IN_CI, reason="no caddy (make system-deps-test)")
@pytest.mark.parametrize("name", ["Caddyfile", "Caddyfile.lan"])
def test_caddy_accepts_the_configuration(name, tmp_path):
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "PATROL_DOMAIN": "patrol.example.com",
        "PATROL_ACME_EMAIL": "ops@example.com",
        "PATROL_LAN_HOST": "192.168.1.20",
    }
    done = subprocess.run(
        [CADDY or "caddy", "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Valid configuration" in done.stdout + done.stderr
