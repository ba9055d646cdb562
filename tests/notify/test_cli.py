"""flask notify run: once for cron, or looping until interrupted."""

from __future__ import annotations

import time

from app.extensions import db
from app.notify.service import enqueue
from tests.notify.conftest import channel


def test_run_once_delivers_and_prints_counts(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    enqueue(world.a.prop.id, "supervisor", "主题", "正文", {})
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["notify", "run", "--once"])

    assert result.exit_code == 0, result.output
    assert "claimed=1, sent=1" in result.output
    assert len(receiver.requests) == 1
    again = app.test_cli_runner().invoke(args=["notify", "run", "--once"])
    assert again.exit_code == 0 and "claimed=0" in again.output
    assert len(receiver.requests) == 1


def test_run_loops_and_sleeps_until_interrupted(app, world, receiver, monkeypatch):
    channel(world.a.prop, "webhook", receiver.url)
    enqueue(world.a.prop.id, "supervisor", "主题", "正文", {})
    db.session.commit()
    monkeypatch.setitem(app.config, "NOTIFY_POLL_SECONDS", 7)
    naps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", fake_sleep)

    result = app.test_cli_runner().invoke(args=["notify", "run"])

    assert result.exit_code == 0, result.output
    assert naps == [7, 7]
    assert "sent=1" in result.output and result.output.rstrip().endswith("stopped")
    assert len(receiver.requests) == 1
