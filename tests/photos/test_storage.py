"""The local photo store: atomic writes, safe keys, chosen from config."""

from __future__ import annotations

import os

import pytest

from app.photos import storage as st
from app.photos.storage import LocalStorage, new_keys, storage_from_config


def test_put_get_open_delete(tmp_path):
    store = LocalStorage(tmp_path)
    key = "ab/abcdef-display.jpg"
    store.put(key, b"first", "image/jpeg")
    store.put(key, b"second", "image/jpeg")
    assert store.get(key) == b"second"
    with store.open(key) as fh:
        assert fh.read() == b"second"
    assert [p.name for p in (tmp_path / "ab").iterdir()] == ["abcdef-display.jpg"]
    store.delete(key)
    store.delete(key)  # already gone: fine
    with pytest.raises(FileNotFoundError):
        store.get(key)


def test_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path)
    store.put("ab/x.jpg", b"old", "image/jpeg")

    def broken_replace(src, dst):
        raise OSError("no space left on device")

    monkeypatch.setattr(st.os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.put("ab/x.jpg", b"new", "image/jpeg")
    assert store.get("ab/x.jpg") == b"old"
    assert os.listdir(tmp_path / "ab") == ["x.jpg"]


@pytest.mark.parametrize(
    "key", ["../escape.jpg", "/etc/passwd", "ab/../../x", "AB/x.jpg", "ab//x.jpg", "", "ab/.x"]
)
def test_keys_it_would_not_make_are_refused(tmp_path, key):
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).put(key, b"x", "image/jpeg")


def test_new_keys_are_random_and_valid(tmp_path):
    display, thumb = new_keys()
    assert display.endswith("-display.jpg") and thumb.endswith("-thumb.jpg")
    assert new_keys() != (display, thumb)
    store = LocalStorage(tmp_path)
    store.put(display, b"d", "image/jpeg")
    store.put(thumb, b"t", "image/jpeg")


def test_storage_comes_from_config(tmp_path):
    store = storage_from_config({"PHOTO_STORAGE": "local", "PHOTO_STORAGE_DIR": str(tmp_path)})
    assert isinstance(store, LocalStorage) and store.root == tmp_path
    default = storage_from_config({"PHOTO_STORAGE_DIR": "", "INSTANCE_DIR": str(tmp_path)})
    assert isinstance(default, LocalStorage) and default.root == tmp_path / "photos"
    with pytest.raises(RuntimeError, match="PHOTO_STORAGE"):
        storage_from_config({"PHOTO_STORAGE": "ftp"})
