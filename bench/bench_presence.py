"""Added cost per photo of proof of presence (hash + QR decoding) against the photo pipeline.

Run from the repository root:  .venv/bin/python bench/bench_presence.py

In one run, on the same 12 MP JPEGs (one plain, one with a printed QR label in view):
- pipeline: app.photos.pipeline.process_upload with the presence steps switched off (the bare
  baseline: validate, orient, display 1600 px, thumbnail, SHA-256);
- pipeline + presence: the same call as the server makes it (plus dHash and zxing-cpp);
- the two steps alone on the display image: dHash, QR decode.
Also the submit-time lookup of near copies: the banded index against N earlier photos of a
property (SQLite in memory), against comparing with every hash in Python.
Goal: presence adds under 20 % per photo.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode
from PIL import Image

from app.photos import pipeline
from app.presence import hashing
from bench.bench_photos import MB, make_photo

RUNS = 15


def with_label(data: bytes) -> bytes:
    """Paste a printed label (its QR at about 6 cm seen from 40 cm) into the photo."""
    img = Image.open(io.BytesIO(data))
    img.load()
    qr = qrcode.make("https://patrol.example.com/c/AB12CD?v=1&s=abcdefghijkl", border=4)
    img.paste(qr.convert("RGB").resize((700, 700)), (1600, 1100))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=img.getexif())
    return buf.getvalue()


def run(data: bytes) -> pipeline.ProcessedPhoto:
    return pipeline.process_upload(
        io.BytesIO(data), max_bytes=30 * MB, max_pixels=40_000_000, tz=ZoneInfo("Asia/Shanghai")
    )


def bare(data: bytes) -> pipeline.ProcessedPhoto:
    """The pipeline with the presence steps replaced by no-ops."""
    with mock.patch.object(pipeline, "fingerprint", lambda _img: (0, [])):
        return run(data)


def timed(fns: dict[str, Callable[[], object]], best: bool = False) -> dict[str, float]:
    """Return the median (or best) ms of each, runs interleaved after a warm-up."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for n in range(RUNS + 1):
        for name, fn in fns.items():
            begun = time.perf_counter()
            fn()
            if n:
                runs[name].append((time.perf_counter() - begun) * 1000)
    pick = min if best else statistics.median
    return {name: pick(times) for name, times in runs.items()}


def lookup(count: int) -> tuple[float, float, int]:
    """Time finding the near copies of one hash among count stored ones: banded SQL vs a scan."""
    import sqlite3

    rng = random.Random(5)
    hashes = [rng.getrandbits(64) for _ in range(count)]
    probe = hashes[count // 2] ^ 0b101  # a re-compressed copy: two bits flipped
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE band (photo_id INT, band INT, value INT, property_id INT)")
    db.execute("CREATE INDEX ix ON band (property_id, band, value)")
    db.execute("CREATE TABLE print (photo_id INTEGER PRIMARY KEY, dhash INT)")
    db.executemany(
        "INSERT INTO band VALUES (?, ?, ?, 1)",
        [(i, n, v) for i, h in enumerate(hashes) for n, v in enumerate(hashing.bands(h))],
    )
    db.executemany(
        "INSERT INTO print VALUES (?, ?)", [(i, hashing.to_signed(h)) for i, h in enumerate(hashes)]
    )
    # As app/presence/photos.py asks it: one indexed equality lookup per band, united, and only
    # photos sharing two bands (within six bits, at least two of the eight bands are equal).
    per_band = " UNION ALL ".join(
        "SELECT photo_id FROM band WHERE property_id = 1 AND band = ? AND value = ?"
        for _ in range(hashing.BANDS)
    )
    shared = f"SELECT photo_id FROM ({per_band}) GROUP BY photo_id HAVING count(*) >= 2"
    sql = f"SELECT photo_id, dhash FROM print WHERE photo_id IN ({shared})"
    params = [x for pair in enumerate(hashing.bands(probe)) for x in pair]

    def banded() -> list[int]:
        rows = db.execute(sql, params).fetchall()
        return [i for i, h in rows if hashing.distance(probe, hashing.to_unsigned(h)) <= 6]

    def scan() -> list[int]:
        rows = db.execute("SELECT photo_id, dhash FROM print").fetchall()
        return [i for i, h in rows if hashing.distance(probe, hashing.to_unsigned(h)) <= 6]

    assert banded() == scan() == [count // 2]
    got = timed({"banded": banded, "scan": scan})
    candidates = len(db.execute(sql, params).fetchall())
    return got["banded"], got["scan"], candidates


def main() -> None:
    """Print the figures."""
    plain = make_photo()
    labelled = with_label(plain)
    assert run(labelled).qr_texts, "the label in the photo was not decoded"
    print(f"input: 4000x3000 JPEGs q90 ({len(plain) / MB:.2f} MB plain, with a QR label)")
    for name, data in (("plain photo", plain), ("photo with a label", labelled)):
        display = Image.open(io.BytesIO(run(data).display.data))
        display.load()
        # The best of 15 runs: other processes on a shared machine only ever add time.
        got = timed(
            {
                "bare": lambda d=data: bare(d),
                "full": lambda d=data: run(d),
                "both": lambda i=display: hashing.fingerprint(i),
                "dhash": lambda i=display: hashing.dhash(i),
                "qr": lambda i=display: hashing.qr_texts(i),
            },
            best=True,
        )
        added = got["full"] - got["bare"]
        print(
            f"  {name:19} pipeline {got['bare']:.1f} ms, with presence {got['full']:.1f} ms:"
            f" {added:+.1f} ms ({100 * added / got['bare']:+.1f} %), steps alone"
            f" {100 * got['both'] / got['bare']:.1f} % of the pipeline;"
            f" alone on the display image: {got['both']:.1f} ms"
            f" (dHash {got['dhash']:.1f} ms, QR decode {got['qr']:.1f} ms, each with its grey copy)"
        )
    for count in (1_000, 10_000, 50_000, 100_000):
        banded, scan, candidates = lookup(count)
        print(
            f"  near-copy lookup among {count:>6,} photos: banded index {banded:.2f} ms"
            f" ({candidates} candidates), full scan {scan:.2f} ms"
        )


if __name__ == "__main__":
    main()
