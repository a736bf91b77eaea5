"""Settings read from the environment (and a ``.env`` file), with test overrides."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import find_dotenv, load_dotenv

from outreach.resources import default_instance_path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def database_url(raw: str | None, instance_path: Path) -> str:
    """The SQLAlchemy URL for ``DATABASE_URL``; a SQLite file in the instance folder by default."""
    if not raw:
        return f"sqlite:///{instance_path / 'outreach.db'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def instance_path_from_env() -> Path:
    """``OUTREACH_INSTANCE_PATH``, else the checkout's ``instance/`` or the installed default."""
    return Path(os.environ.get("OUTREACH_INSTANCE_PATH") or default_instance_path()).resolve()


def _secret_key(instance_path: Path) -> str:
    """``SECRET_KEY``, or a random key kept in the instance folder so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    """Every setting Outreach reads; the README lists them with their defaults."""

    values: dict[str, Any]

    @classmethod
    def from_env(cls, instance_path: Path | None = None) -> Settings:
        """Read the settings from the process environment and ``.env``."""
        load_dotenv(find_dotenv(usecwd=True), override=False)
        instance = instance_path or instance_path_from_env()
        upload_mb = _number("OUTREACH_MAX_UPLOAD_MB", 512)
        values: dict[str, Any] = {
            "SECRET_KEY": _secret_key(instance),
            "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance),
            "REDIS_URL": os.environ.get("REDIS_URL") or None,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "MAX_CONTENT_LENGTH": int(upload_mb * 1024 * 1024),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": _flag("OUTREACH_SECURE_COOKIES", False),
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "WTF_CSRF_TIME_LIMIT": None,
            "OUTREACH_BASE_URL": os.environ.get("OUTREACH_BASE_URL", "http://127.0.0.1:5000"),
            "OUTREACH_QUEUE": os.environ.get("OUTREACH_QUEUE", "outreach"),
            "OUTREACH_HTTP_PROXY": os.environ.get("OUTREACH_HTTP_PROXY") or None,
            "OUTREACH_ALLOWED_NETWORKS": tuple(
                n.strip()
                for n in os.environ.get("OUTREACH_ALLOWED_NETWORKS", "").split(",")
                if n.strip()
            ),
            "OUTREACH_CONTACT_URL": os.environ.get(
                "OUTREACH_CONTACT_URL", "https://github.com/outreach-crm/outreach"
            ),
            "OUTREACH_PER_HOST_DELAY": _number("OUTREACH_PER_HOST_DELAY", 1.0),
            "OUTREACH_FETCH_TIMEOUT": _number("OUTREACH_FETCH_TIMEOUT", 20.0),
            "OUTREACH_MAX_PAGE_MB": _number("OUTREACH_MAX_PAGE_MB", 5.0),
            "OUTREACH_RECHECK_DAYS": _number("OUTREACH_RECHECK_DAYS", 7),
            "OUTREACH_SECRET_BOX_KEY": os.environ.get("OUTREACH_SECRET_BOX_KEY") or None,
            "OUTREACH_CHECK_MX": _flag("OUTREACH_CHECK_MX", False),
            "OUTREACH_REPITCH_DAYS": _number("OUTREACH_REPITCH_DAYS", 90),
            "OUTREACH_SEND_STALE_SECONDS": _number("OUTREACH_SEND_STALE_SECONDS", 300),
            "OUTREACH_SMTP_CAFILE": os.environ.get("OUTREACH_SMTP_CAFILE") or None,
            "OUTREACH_RENDER_JS": _flag("OUTREACH_RENDER_JS", False),
            "OUTREACH_ALERT_SMTP_URL": os.environ.get("OUTREACH_ALERT_SMTP_URL") or None,
            "OUTREACH_ALERT_FROM": os.environ.get(
                "OUTREACH_ALERT_FROM", "Outreach <outreach@localhost>"
            ),
        }
        return cls(values)
