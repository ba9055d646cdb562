"""Time the photo pipeline on a 12 MP JPEG against Pillow merely decoding the same file.

Run from the repository root:  .venv/bin/python bench/bench_photos.py

Prints the median wall time of each, their ratio, and peak memory two ways: tracemalloc
(Python allocations only; Pillow keeps pixels in C memory that tracemalloc never sees) and
the growth of the peak resident set size (VmHWM) of a fresh interpreter running each once
(Linux).
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import ExifTags, Image, ImageFilter, ImageOps

from app.photos.pipeline import process_upload

SIZE = (4000, 3000)
RUNS = 9
MB = 1024 * 1024


def make_photo() -> bytes:
    """Make a photo-like 12 MP JPEG: soft shapes and gradients, sensor noise, real EXIF."""
    w, h = SIZE
    coarse = Image.effect_noise((w // 40, h // 40), 90).resize(SIZE, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(SIZE, 40).filter(ImageFilter.GaussianBlur(0.5))
    gradient = Image.linear_gradient("L").resize(SIZE)
    red = Image.blend(coarse, gradient, 0.5)
    green = Image.blend(gradient.transpose(Image.Transpose.ROTATE_90).resize(SIZE), grain, 0.35)
    blue = Image.blend(coarse.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grain, 0.35)
    img = Image.merge("RGB", (red, green, blue))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchPhone"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:06 08:30:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def pipeline(data: bytes) -> None:
    """Run the whole upload pipeline: validate, orient, display, thumbnail, SHA-256."""
    process_upload(
        io.BytesIO(data),
        max_bytes=15 * MB,
        max_pixels=40_000_000,
        tz=ZoneInfo("Asia/Shanghai"),
    )


def full_decode(data: bytes) -> None:
    """Decode the file fully with Pillow and nothing else (the baseline)."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()


def phone_copy(data: bytes) -> bytes:
    """The phone's upload: 1600 px upright, canvas JPEG at 0.8, no EXIF (web/src/photos.js)."""
    with Image.open(io.BytesIO(data)) as img:
        upright = ImageOps.exif_transpose(img).convert("RGB")
    upright.thumbnail((1600, 1600))
    buf = io.BytesIO()
    upright.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def draft_baseline(data: bytes) -> None:
    """A bare server's work on a photo: draft, transpose, thumbnail(1600) and a 320 px thumb."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (1600, 1600))
        upright = ImageOps.exif_transpose(img)
        upright.thumbnail((1600, 1600))
        upright.save(io.BytesIO(), "JPEG", quality=82)
        upright.thumbnail((320, 320))
        upright.save(io.BytesIO(), "JPEG", quality=78)


def median_seconds(fn: Callable[[bytes], None], data: bytes) -> float:
    """Return the median wall time of fn over RUNS runs, after one warm-up."""
    fn(data)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def tracemalloc_peak(fn: Callable[[bytes], None], data: bytes) -> int:
    """Return the peak of Python allocations during one run."""
    tracemalloc.start()
    try:
        fn(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def rss_growth(name: str, path: str) -> int | None:
    """Return how far one run lifts the peak RSS of a fresh interpreter (None off Linux)."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    # A fresh process: this one holds freed heap from making the photo that a run would reuse.
    done = subprocess.run(
        [sys.executable, __file__, "--rss", name, path], capture_output=True, text=True
    )
    return int(done.stdout) if done.returncode == 0 and done.stdout.strip() else None


def _measure_rss(name: str, path: str) -> None:
    """Run one job once in this process and print its peak RSS growth in bytes."""
    data = Path(path).read_bytes()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak-RSS watermark (VmHWM) to the current RSS
    before = _status_kb("VmRSS")
    JOBS[name](data)
    print((_status_kb("VmHWM") - before) * 1024)


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:.1f} MB"


JOBS: dict[str, Callable[[bytes], None]] = {"pipeline": pipeline, "full decode": full_decode}


def main() -> None:
    """Run the benchmark and print the figures and a line for bench/README.md."""
    data = make_photo()
    print(f"input: {SIZE[0]}x{SIZE[1]} JPEG q90, {len(data) / MB:.2f} MB, EXIF orientation 6")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "photo.jpg")
        Path(path).write_bytes(data)
        for name, fn in JOBS.items():
            rss = rss_growth(name, path)
            results[name] = (rss, median_seconds(fn, data), tracemalloc_peak(fn, data))
    for name, (rss, seconds, traced) in results.items():
        print(
            f"{name:>12}: median {seconds * 1000:7.1f} ms over {RUNS} runs, "
            f"tracemalloc peak {_mb(traced)}, peak RSS growth {_mb(rss)}"
        )
    ratio = results["pipeline"][1] / results["full decode"][1]
    print(f"ratio pipeline / full decode: {ratio:.2f}")
    small = phone_copy(data)
    rounds = [
        (median_seconds(pipeline, small), median_seconds(draft_baseline, small)) for _ in "abc"
    ]
    ours, bare = (statistics.median(r[i] for r in rounds) for i in (0, 1))
    print(
        f"the phone's 1600 px copy ({len(small) / 1024:.0f} KB): pipeline {ours * 1000:.1f} ms, "
        f"draft baseline {bare * 1000:.1f} ms, ratio {ours / bare:.2f} (goal <= 1.3; "
        "3 interleaved rounds)"
    )
    p_rss, p_s, p_tm = results["pipeline"]
    d_rss, d_s, d_tm = results["full decode"]
    print("\nline for bench/README.md:")
    print(
        f"| {date.today()} | photos: 12 MP JPEG ({len(data) / MB:.1f} MB) → display + thumb "
        f"| pipeline {p_s * 1000:.0f} ms vs Pillow full decode {d_s * 1000:.0f} ms "
        f"(×{ratio:.2f}) | peak RSS +{_mb(p_rss)} vs +{_mb(d_rss)}; "
        f"tracemalloc {_mb(p_tm)} vs {_mb(d_tm)} "
        f"| Python {platform.python_version()}, {platform.machine()} |"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--rss":
        _measure_rss(sys.argv[2], sys.argv[3])
    else:
        main()
