"""The app factory and settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from outreach import create_app
from outreach.config import Settings, database_url


def test_config_argument_overrides_environment(tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "given", "TESTING": True})
    assert app.config["SECRET_KEY"] == "given"
    assert app.testing
    assert app.instance_path == str(tmp_path)


def test_settings_come_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-env-a-key-long-enough-for-production")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal/outreach")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    app = create_app()
    assert app.instance_path == str(tmp_path)
    assert app.config["SECRET_KEY"] == "from-env-a-key-long-enough-for-production"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/outreach"
    assert app.config["REDIS_URL"] == "redis://cache.internal:6379/2"


def test_defaults_are_a_sqlite_file_and_embedded_redis_in_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = Settings.from_env(tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'outreach.db'}"
    assert settings.redis_url is None
    assert len(settings.secret_key) > 40
    assert Settings.from_env(tmp_path).secret_key == settings.secret_key


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OUTREACH_HTTP_PROXY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("OUTREACH_HTTP_PROXY=http://proxy.internal:4750\n")
    assert Settings.from_env(tmp_path).http_proxy == "http://proxy.internal:4750"
    monkeypatch.delenv("OUTREACH_HTTP_PROXY", raising=False)


def test_postgresql_urls_use_psycopg_3() -> None:
    assert database_url("postgresql://p@h/d", Path("/x")) == "postgresql+psycopg://p@h/d"


def test_session_cookies_are_httponly_and_samesite_lax(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_embedded_redis_socket_lives_in_the_instance_folder(tmp_path: Path) -> None:
    from redis import Redis

    from outreach.jobs.connection import embedded_redis_url

    url = embedded_redis_url(tmp_path)
    assert url == f"unix://{tmp_path / 'redis.sock'}"
    client = Redis.from_url(url)
    assert client.ping()
    assert embedded_redis_url(tmp_path) == url  # a second caller joins the same server
    client.close()
