"""Time the QR label sheet: seconds per 1,000 labels, against building 1,000 bare QR matrices.

Run: .venv/bin/python bench/bench_labels.py   (about 20 s on 2 cores; no database needed)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

from app import create_app
from app.config import TestConfig
from app.labels import service, sheet
from app.places.models import Checkpoint, Zone

LABELS = 1000
BASE_URL = "https://patrol.example.com"


def checkpoints(count: int) -> list[Checkpoint]:
    """Build unsaved checkpoints with realistic names and distinct codes."""
    zone = Zone(name_zh="3幢", name_en="Building 3")
    return [
        Checkpoint(
            code=f"B{n:05d}",
            name_zh=f"3幢{n % 33 + 1}楼楼梯间消防栓",
            name_en=f"Building 3, {n % 33 + 1}F stairwell fire hydrant",
            zone=zone,
            label_version=1,
        )
        for n in range(count)
    ]


def bare_matrices(count: int) -> None:
    """Build QR matrices for the same URLs with the qrcode library and nothing else."""
    for n in range(count):
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
        qr.add_data(f"{BASE_URL}/c/B{n:05d}")
        qr.make(fit=True)
        qr.get_matrix()


def timed(run: Callable[[], object]) -> float:
    """Return the wall-clock seconds one run takes."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line: --help explains and exits before anything is timed."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Prints the figures and one row to paste into bench/README.md.",
    )
    return parser.parse_args(argv)


def main() -> None:
    """Print the figures and one line to paste into bench/README.md."""
    parse_args()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_BASE_URL=BASE_URL)
    with app.app_context():
        items = checkpoints(LABELS)
        service.render_labels(items[:9])  # register the font outside the timing
        sizes: list[int] = []
        sheet_s = timed(lambda: sizes.append(len(service.render_labels(items))))
    matrix_s = timed(lambda: bare_matrices(LABELS))
    pages = -(-LABELS // sheet.LABELS_PER_PAGE)
    ratio = sheet_s / matrix_s
    print(f"labels: {LABELS} labels, {pages} A4 pages, {sizes[-1] / 1e6:.1f} MB PDF")
    print(f"label sheet:        {sheet_s:.2f} s per 1,000 labels ({sheet_s:.2f} ms/label)")
    print(f"qrcode matrix only: {matrix_s:.2f} s per 1,000 QR matrices (baseline)")
    print(f"ratio sheet/matrix: {ratio:.2f}x")
    print(
        f"| labels PDF (bench_labels.py) | {sheet_s:.2f} s / 1,000 labels ({pages} pages) "
        f"| bare qrcode matrices {matrix_s:.2f} s / 1,000 | {ratio:.2f}x |"
    )


if __name__ == "__main__":
    main()
