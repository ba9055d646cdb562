"""Weigh the phone app: gzipped JS + CSS the patrol path loads on a first visit, against its budget.

The patrol path is login → home → scan → checklist → outbox: the entry chunk with everything it
imports statically, their CSS, and the QR decoder (qr-scanner and its worker, which a phone without
a native BarcodeDetector loads when the scanner opens). Everything else is lazy-loaded.

Run: .venv/bin/python bench/bench_web.py   (after `make web`; reads web/dist/.vite/manifest.json)
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
BUDGET_KB = 200
# Loaded on the patrol path only when the scanner opens (dynamic imports of the entry).
SCANNER_MODULES = ("qr-scanner",)


def gz_size(path: Path) -> int:
    """Return the size of a file gzipped at level 9 (what a server's gzip would send, or less)."""
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def closure(manifest: dict, keys: list[str]) -> list[str]:
    """Return every chunk key reached from `keys` through static imports."""
    seen: list[str] = []
    todo = list(keys)
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.append(key)
        chunk = manifest[key]
        todo.extend(chunk.get("imports", []))
    return seen


def files_of(manifest: dict, keys: list[str]) -> list[str]:
    """Return the JS and CSS files of these chunks."""
    out: list[str] = []
    for key in keys:
        chunk = manifest[key]
        for name in [chunk["file"], *chunk.get("css", [])]:
            if name.endswith((".js", ".css")) and name not in out:
                out.append(name)
    return out


def patrol_path(manifest: dict) -> list[str]:
    """Return the files the patrol path loads."""
    entry = [k for k, c in manifest.items() if c.get("isEntry")]
    static = closure(manifest, entry)
    scanner = [k for k in manifest if any(m in k for m in SCANNER_MODULES)]
    extra = [k for k in closure(manifest, scanner) if k not in static]
    return files_of(manifest, static + extra)


def main() -> int:
    """Print the patrol path's files and totals, then the rest of the app."""
    manifest_path = DIST / ".vite" / "manifest.json"
    if not manifest_path.exists():
        print("web/dist/.vite/manifest.json not found: run `make web` first", file=sys.stderr)
        return 1
    manifest = json.loads(manifest_path.read_text())
    patrol = patrol_path(manifest)
    every = files_of(manifest, list(manifest))
    rest = [f for f in every if f not in patrol]

    def table(title: str, names: list[str]) -> tuple[int, int]:
        print(f"\n{title}")
        raw_total = gz_total = 0
        for name in sorted(names, key=lambda n: -gz_size(DIST / n)):
            raw, gz = (DIST / name).stat().st_size, gz_size(DIST / name)
            raw_total, gz_total = raw_total + raw, gz_total + gz
            print(f"  {name:<52} {raw / 1024:8.1f} KB  {gz / 1024:7.1f} KB gz")
        print(f"  {'total':<52} {raw_total / 1024:8.1f} KB  {gz_total / 1024:7.1f} KB gz")
        return raw_total, gz_total

    _, patrol_gz = table("Patrol path (login, home, scan, checklist, outbox)", patrol)
    js = sum(gz_size(DIST / n) for n in patrol if n.endswith(".js"))
    css = patrol_gz - js
    _, rest_gz = table("Lazy-loaded (ticket screens, boards, settings)", rest)
    html = gz_size(DIST / "index.html")
    sw = sum(gz_size(p) for p in DIST.glob("*.js"))
    print(
        f"\nPatrol path: {patrol_gz / 1024:.1f} KB gzipped "
        f"(JS {js / 1024:.1f} KB + CSS {css / 1024:.1f} KB) of a {BUDGET_KB} KB budget "
        f"({100 * patrol_gz / 1024 / BUDGET_KB:.0f}%); index.html {html / 1024:.1f} KB gz, "
        f"service worker {sw / 1024:.1f} KB gz; lazy screens {rest_gz / 1024:.1f} KB gz."
    )
    return 0 if patrol_gz / 1024 <= BUDGET_KB else 2


if __name__ == "__main__":
    sys.exit(main())
