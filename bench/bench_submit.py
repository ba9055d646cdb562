"""Inspection submit throughput against a bare Flask insert, both under the same gunicorn setup.

Run: .venv/bin/python bench/bench_submit.py [--requests 800] [--threads 8]
Prints requests/s, p50 and p99 latency for POST /api/v1/inspections (the demo property, SQLite)
and for a bare Flask endpoint doing one SQLite insert, and the ratio between them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN = [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--log-level", "warning"]


def _wait(port: int) -> None:
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def _serve(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", target], cwd=ROOT, env={**os.environ, **env}
    )
    _wait(port)
    return proc


def _fresh_pg_schema(url: str) -> str:
    """Give the run its own PostgreSQL schema and return a URL that uses it."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS patrol_bench CASCADE")
        conn.execute("CREATE SCHEMA patrol_bench")
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dpatrol_bench"


def _prepare_patrol(instance: str, database_url: str) -> tuple[dict[str, str], list[dict]]:
    env = {"PATROL_INSTANCE_DIR": instance, "FLASK_APP": "app", "DATABASE_URL": database_url}
    for args in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run(
            [str(BIN / "flask"), *args],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
    return env, []


def _login(port: int) -> tuple[str, list[dict]]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request(
        "POST",
        "/api/v1/auth/login",
        json.dumps({"username": "assistant", "password": "patrol-demo"}),
        {"Content-Type": "application/json"},
    )
    resp = conn.getresponse()
    resp.read()
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    conn.request(
        "GET", "/api/v1/checkpoints?per_page=200&kind=stairwell", headers={"Cookie": cookie}
    )
    spots = json.loads(conn.getresponse().read())["items"]
    scans = []
    for spot in spots[:20]:
        conn.request(
            "GET", f"/api/v1/checkpoints/by-code/{spot['code']}", headers={"Cookie": cookie}
        )
        scans.append(json.loads(conn.getresponse().read()))
    return cookie, scans


def _load(port: int, path: str, make_body, headers: dict, total: int, threads: int):
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = total // threads

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        for i in range(per_thread):
            body = make_body(n * per_thread + i)
            start = time.perf_counter()
            conn.request("POST", path, body, headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - start)
            assert resp.status == 201, resp.status
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def _submission(scans: list[dict]):
    def make(i: int) -> str:
        scan = scans[i % len(scans)]
        results = [{"item_id": it["id"], "outcome": "pass"} for it in scan["checklist"]["items"]]
        return json.dumps(
            {
                "client_uuid": str(uuid.uuid4()),
                "checkpoint_code": scan["code"],
                "scanned_at": datetime.now(UTC).isoformat(),
                "results": results,
            }
        )

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--database-url", default="", help="run Patrol on this PostgreSQL URL (default: SQLite)"
    )
    args = parser.parse_args()
    database_url = _fresh_pg_schema(args.database_url) if args.database_url else ""
    label = "PostgreSQL" if database_url else "SQLite"
    with tempfile.TemporaryDirectory() as tmp:
        env, _ = _prepare_patrol(tmp, database_url)
        patrol = _serve("app:create_app()", 5871, env)
        bare = _serve("bench.bare_app:app", 5872, {"BARE_DB": f"{tmp}/bare.db"})
        try:
            cookie, scans = _login(5871)
            json_headers = {"Content-Type": "application/json"}
            _load(5872, "/insert", lambda i: "{}", json_headers, 80, args.threads)  # warm-up
            base = _load(
                5872,
                "/insert",
                lambda i: json.dumps({"i": i}),
                json_headers,
                args.requests,
                args.threads,
            )
            headers = {**json_headers, "Cookie": cookie}
            _load(5871, "/api/v1/inspections", _submission(scans), headers, 80, args.threads)
            ours = _load(
                5871,
                "/api/v1/inspections",
                _submission(scans),
                headers,
                args.requests,
                args.threads,
            )
        finally:
            for proc in (patrol, bare):
                proc.terminate()
                proc.wait()
    print(
        f"submit  (POST /api/v1/inspections, {label}, gunicorn 2x4): {ours['rps']:.0f} req/s, "
        f"p50 {ours['p50_ms']:.1f} ms, p99 {ours['p99_ms']:.1f} ms"
    )
    print(
        f"baseline (bare Flask, one SQLite insert, same gunicorn): {base['rps']:.0f} req/s, "
        f"p50 {base['p50_ms']:.1f} ms, p99 {base['p99_ms']:.1f} ms"
    )
    print(
        f"ratio: {base['rps'] / ours['rps']:.1f}x slower than the bare insert "
        f"({args.requests} requests, {args.threads} client threads)"
    )


if __name__ == "__main__":
    main()
