"""The disk file store: content-addressed, written whole or not at all, private to the
server's user, and never serving bytes that no longer match their name."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from orderforge.adapters.files.disk import DiskFileStore
from orderforge.bootstrap import build
from orderforge.config import ConfigError, load_settings
from orderforge.services.ports import DamagedBlob, FileStore, StoredBlob
from tests.conftest import make_settings

_port: type[FileStore] = DiskFileStore  # mypy proves the adapter implements the port

DRAWING = b"%PDF-1.4\n" + bytes(range(256)) * 400


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_put_names_the_bytes_by_their_digest_and_get_returns_them(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path / "blobs")
    blob = store.put(DRAWING)
    digest = hashlib.sha256(DRAWING).hexdigest()
    assert blob == StoredBlob(sha256=digest, size=len(DRAWING))
    assert (tmp_path / "blobs" / digest[:2] / digest[2:4] / digest).is_file()
    assert store.get(digest) == DRAWING
    assert store.exists(digest)


def test_put_is_idempotent_and_does_not_rewrite(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path)
    first = store.put(DRAWING)
    path = store.path_of(first.sha256)
    before = path.stat()
    assert store.put(DRAWING) == first
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in path.parent.iterdir()] == [first.sha256]  # no temporary left


def test_the_same_bytes_from_eight_threads_at_once(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path / "blobs")
    data = os.urandom(3 * 1024 * 1024)
    barrier = threading.Barrier(8)
    results: list[StoredBlob] = []
    errors: list[BaseException] = []

    def put() -> None:
        barrier.wait()
        try:
            results.append(store.put(data))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert store.get(results[0].sha256) == data
    assert [p.name for p in store.path_of(results[0].sha256).parent.iterdir()] == [
        results[0].sha256
    ]


def test_two_processes_putting_the_same_bytes_both_succeed(tmp_path: Path) -> None:
    """Separate processes (several servers on one shared folder) race on one file."""
    data_file = tmp_path / "data.bin"
    data_file.write_bytes(os.urandom(4 * 1024 * 1024))
    go = tmp_path / "go"
    script = textwrap.dedent(
        f"""
        import pathlib, time
        from orderforge.adapters.files.disk import DiskFileStore
        data = pathlib.Path({str(data_file)!r}).read_bytes()
        while not pathlib.Path({str(go)!r}).exists():
            time.sleep(0.001)
        for _ in range(5):
            print(DiskFileStore(pathlib.Path({str(tmp_path / "blobs")!r})).put(data).sha256)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
        for _ in range(2)
    ]
    go.touch()
    outputs = [child.communicate(timeout=60)[0].decode().split() for child in children]
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    assert [child.returncode for child in children] == [0, 0]
    assert outputs == [[digest] * 5, [digest] * 5]
    assert DiskFileStore(tmp_path / "blobs").get(digest) == data_file.read_bytes()


def test_files_are_0600_and_folders_0700(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        store = DiskFileStore(tmp_path / "var" / "blobs")
        blob = store.put(DRAWING)
    finally:
        os.umask(old_umask)
    path = store.path_of(blob.sha256)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path.parent.parent) == 0o700
    assert mode(tmp_path / "var" / "blobs") == 0o700


def test_a_missing_or_malformed_digest_is_a_key_error(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path)
    missing = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(KeyError):
        store.get(missing)
    assert not store.exists(missing)
    for bad in ("../../etc/passwd", "ab" * 31, missing.upper(), missing + "0", ""):
        with pytest.raises(KeyError):
            store.get(bad)
        assert not store.exists(bad)


def test_a_tampered_blob_is_refused_on_read(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path)
    blob = store.put(DRAWING)
    path = store.path_of(blob.sha256)
    tampered = bytearray(DRAWING)
    tampered[100] ^= 0xFF  # same size, one byte changed
    path.write_bytes(bytes(tampered))
    with pytest.raises(DamagedBlob, match=blob.sha256):
        store.get(blob.sha256)


def test_putting_the_right_bytes_again_repairs_a_damaged_copy(tmp_path: Path) -> None:
    store = DiskFileStore(tmp_path)
    blob = store.put(DRAWING)
    store.path_of(blob.sha256).write_bytes(b"truncated")
    assert store.put(DRAWING) == blob
    assert store.get(blob.sha256) == DRAWING
    assert mode(store.path_of(blob.sha256)) == 0o600


def test_a_failed_write_leaves_no_file_under_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskFileStore(tmp_path)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.put(DRAWING)
    monkeypatch.undo()
    digest = hashlib.sha256(DRAWING).hexdigest()
    assert not store.exists(digest)
    assert list(store.path_of(digest).parent.iterdir()) == []


# --- settings and wiring ---------------------------------------------------------------


def test_settings_default_to_var_blobs_and_20_mb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFORGE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ORDERFORGE_BLOB_DIR", raising=False)
    monkeypatch.delenv("ORDERFORGE_MAX_UPLOAD_MB", raising=False)
    settings = load_settings()
    assert settings.resolved_blob_dir() == (tmp_path / "var" / "blobs").resolve()
    assert settings.max_upload_bytes == 20 * 1024 * 1024


def test_settings_read_the_blob_dir_and_the_upload_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFORGE_BLOB_DIR", str(tmp_path / "shared" / "blobs"))
    monkeypatch.setenv("ORDERFORGE_MAX_UPLOAD_MB", "5")
    settings = load_settings()
    assert settings.resolved_blob_dir() == tmp_path / "shared" / "blobs"
    assert settings.max_upload_bytes == 5 * 1024 * 1024


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "2.5", "100000"])
def test_a_bad_upload_limit_is_refused_naming_the_setting(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFORGE_MAX_UPLOAD_MB", raw)
    with pytest.raises(ConfigError, match="ORDERFORGE_MAX_UPLOAD_MB"):
        load_settings()


def test_the_built_application_keeps_files_in_the_configured_folder(tmp_path: Path) -> None:
    settings = replace(
        make_settings(f"sqlite:///{tmp_path / 'of.db'}", tmp_path),
        blob_dir=tmp_path / "blobs",
        max_upload_bytes=3 * 1024 * 1024,
    )
    app = build(settings)
    try:
        assert app.ctx.max_upload_bytes == 3 * 1024 * 1024
        assert app.ctx.files is not None
        assert not (tmp_path / "blobs").exists()  # nothing made until a file comes
        blob = app.ctx.files.put(DRAWING)
        assert app.ctx.files.get(blob.sha256) == DRAWING
        assert (tmp_path / "blobs" / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256).exists()
    finally:
        app.close()
