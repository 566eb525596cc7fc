"""Files that hold the plant's data or secrets are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from orderforge.adapters.db.engine import create_db_engine
from orderforge.config import ConfigError, load_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_0600(tmp_path: Path) -> None:
    db = tmp_path / "var" / "orderforge.db"
    engine = create_db_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert mode(db) == 0o600
        assert mode(db.with_name("orderforge.db-wal")) == 0o600
    engine.dispose()


def test_the_generated_secret_key_file_is_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFORGE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ORDERFORGE_SECRET_KEY", raising=False)
    settings = load_settings()
    key = settings.resolved_secret_key()
    assert mode(tmp_path / "secret_key") == 0o600
    assert settings.resolved_secret_key() == key


def test_an_https_base_url_makes_cookies_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFORGE_BASE_URL", "https://mto.example.com/")
    settings = load_settings()
    assert settings.public_url == "https://mto.example.com"
    assert settings.cookies_secure
    monkeypatch.setenv("ORDERFORGE_BASE_URL", "ftp://x")
    with pytest.raises(ConfigError):
        load_settings()
