"""An upload's image work must not hold the database: other writers go on meanwhile."""

from __future__ import annotations

import threading
import time

from app.extensions import db
from app.photos import service
from tests.photos.helpers import photo_count, post_photo, twelve_mp_jpeg


def test_other_writers_are_not_blocked_while_a_photo_is_processed(app, world, login, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = service.process_upload

    def slow_process(*args, **kwargs):
        started.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "process_upload", slow_process)
    uploader, admin = login(world.a.users["assistant"]), login(world.a.users["admin"])
    db.session.commit()  # the test's own transaction must not hold the lock either
    answers: list[int] = []

    def upload():
        with app.app_context():
            answers.append(post_photo(uploader, twelve_mp_jpeg()).status_code)

    worker = threading.Thread(target=upload)
    worker.start()
    try:
        assert started.wait(20)
        began = time.monotonic()
        resp = admin.post(
            "/api/v1/zones",
            json={"property_id": world.a.prop.id, "kind": "grounds", "name_zh": "新园区"},
        )
        waited = time.monotonic() - began
    finally:
        release.set()
        worker.join()
    assert resp.status_code == 201
    assert waited < 2, f"the zone write waited {waited:.1f}s behind the photo upload"
    assert answers == [201]
    assert photo_count() == 1
