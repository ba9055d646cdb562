"""The benchmarks explain themselves: --help prints usage and times nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_labels_help_prints_help_and_runs_nothing():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_labels.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: bench_labels.py")
    assert "seconds per 1,000 labels" in done.stdout
    assert "ratio" not in done.stdout  # no figures: the benchmark did not run


def test_bench_labels_refuses_unknown_options():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_labels.py"), "--fast"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "unrecognized arguments: --fast" in done.stderr
