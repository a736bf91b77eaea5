"""Settings: the only module that reads the environment (and a ``.env`` file).

Each setting is one typed field of :class:`Settings`, with its environment variable, its
key in ``app.config`` and its default on the same line. The app factory puts them in
``app.config`` (where tests override them); code reads them back, typed, with
:meth:`Settings.from_config`.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import find_dotenv, load_dotenv

from outreach.resources import default_instance_path

MB = 1024 * 1024


def flag(raw: str) -> bool:
    """A yes/no setting: 1, true, yes and on (any case) are yes."""
    return raw.strip().lower() in ("1", "true", "yes", "on")


def optional(raw: str) -> str | None:
    """A text setting where empty means unset."""
    return raw or None


def networks(raw: str) -> tuple[str, ...]:
    """A comma-separated list (of CIDRs, of keys)."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def port_ranges(raw: str) -> tuple[tuple[int, int], ...]:
    """A comma-separated list of ports and ranges (``2526, 10025-10030``)."""
    ranges = []
    for part in (p.strip() for p in raw.split(",")):
        if part:
            low, _, high = part.partition("-")
            ranges.append((int(low), int(high or low)))
    return tuple(ranges)


def _setting(env: str, default: Any, parse: Callable[[str], Any], key: str = "") -> Any:
    """A field read from ``env``, kept in ``app.config[key]`` (``env`` when no key is given)."""
    return field(default=default, metadata={"env": env, "key": key or env, "parse": parse})


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


MIN_SECRET_KEY_BYTES = 32


def _secret_key(instance_path: Path) -> str:
    """``SECRET_KEY``, or a random key kept in the instance folder so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    return instance_secret(instance_path / "secret_key")


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:  # written by an older version, briefly world-readable
        path.chmod(0o600)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to have a new key made")
    return key


def instance_secret(path: Path) -> str:
    """The key kept in ``path``, made once: every process started at once reads the same one.

    The key is written to a private temporary file (``mkstemp``: mode 0600 from the start),
    then published with ``link``, which fails if another process published first; the loser
    reads the winner's key. Nobody ever reads a half-written file.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return _read_secret(path)
    finally:
        os.unlink(temporary)
    return key


def check_secret_key(config: Mapping[str, Any]) -> None:
    """Refuse to run a real instance (not debug, not testing) with a short ``SECRET_KEY``."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY") or ""
    length = len(key.encode() if isinstance(key, str) else key)
    if length < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY has {length} bytes; at least {MIN_SECRET_KEY_BYTES} are needed "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))' makes one)"
        )


@dataclass(frozen=True)
class Settings:
    """Every setting Outreach reads; the README lists them with their defaults."""

    secret_key: str = _setting("SECRET_KEY", "", str)
    database_url: str = _setting("DATABASE_URL", "", str, "SQLALCHEMY_DATABASE_URI")
    redis_url: str | None = _setting("REDIS_URL", None, optional)
    # RQ queues (README "Queues and workers"): the default one, and the mail and fetch lanes,
    # named after it unless set.
    queue: str = _setting("OUTREACH_QUEUE", "outreach", str)
    mail_queue: str = _setting("OUTREACH_MAIL_QUEUE", "", str)
    fetch_queue: str = _setting("OUTREACH_FETCH_QUEUE", "", str)
    slice_seconds: float = _setting("OUTREACH_SLICE_SECONDS", 5.0, float)
    base_url: str = _setting("OUTREACH_BASE_URL", "http://127.0.0.1:5000", str)
    # Web defences (README "Security"): HTTPS (Secure cookies, HSTS), trusted proxy hops.
    https: bool = _setting("OUTREACH_HTTPS", False, flag)
    proxies: int = _setting("OUTREACH_PROXIES", 0, int)
    max_upload_mb: float = _setting("OUTREACH_MAX_UPLOAD_MB", 512.0, float)
    http_proxy: str | None = _setting("OUTREACH_HTTP_PROXY", None, optional)
    allowed_networks: tuple[str, ...] = _setting("OUTREACH_ALLOWED_NETWORKS", (), networks)
    contact_url: str = _setting(
        "OUTREACH_CONTACT_URL", "https://github.com/outreach-crm/outreach", str
    )
    per_host_delay: float = _setting("OUTREACH_PER_HOST_DELAY", 1.0, float)
    fetch_timeout: float = _setting("OUTREACH_FETCH_TIMEOUT", 20.0, float)
    max_page_mb: float = _setting("OUTREACH_MAX_PAGE_MB", 5.0, float)
    recheck_days: float = _setting("OUTREACH_RECHECK_DAYS", 7.0, float)
    secret_box_key: str | None = _setting("OUTREACH_SECRET_BOX_KEY", None, optional)
    check_mx: bool = _setting("OUTREACH_CHECK_MX", False, flag)
    repitch_days: float = _setting("OUTREACH_REPITCH_DAYS", 90.0, float)
    # The intersect's and the reports' cache in Redis (``jobs/cache.py``); 0 turns it off.
    page_cache_seconds: int = _setting("OUTREACH_PAGE_CACHE_SECONDS", 300, int)
    send_stale_seconds: float = _setting("OUTREACH_SEND_STALE_SECONDS", 300.0, float)
    smtp_cafile: str | None = _setting("OUTREACH_SMTP_CAFILE", None, optional)
    # Mail connections (SMTP, IMAP): the address policy of outreach/net/mail.py.
    mail_allowed_networks: tuple[str, ...] = _setting(
        "OUTREACH_MAIL_ALLOWED_NETWORKS", (), networks
    )
    mail_allowed_ports: tuple[tuple[int, int], ...] = _setting(
        "OUTREACH_MAIL_ALLOWED_PORTS", (), port_ranges
    )
    mail_allow_plaintext: bool = _setting("OUTREACH_MAIL_ALLOW_PLAINTEXT", False, flag)
    mail_timeout: float = _setting("OUTREACH_MAIL_TIMEOUT", 10.0, float)
    render_js: bool = _setting("OUTREACH_RENDER_JS", False, flag)
    chromium_path: str = _setting(
        "CHROMIUM_PATH", "/usr/bin/chromium", str, "OUTREACH_CHROMIUM_PATH"
    )
    alert_smtp_url: str | None = _setting("OUTREACH_ALERT_SMTP_URL", None, optional)
    alert_from: str = _setting("OUTREACH_ALERT_FROM", "Outreach <outreach@localhost>", str)
    # Cron expressions of the recurring jobs (a sixth field counts seconds).
    outbox_schedule: str = _setting("OUTREACH_OUTBOX_SCHEDULE", "* * * * *", str)
    mailbox_poll_schedule: str = _setting("OUTREACH_MAILBOX_POLL_SCHEDULE", "* * * * *", str)
    link_sweep_schedule: str = _setting("OUTREACH_LINK_SWEEP_SCHEDULE", "0 * * * *", str)
    upload_sweep_schedule: str = _setting("OUTREACH_UPLOAD_SWEEP_SCHEDULE", "30 * * * *", str)
    webhook_sweep_schedule: str = _setting("OUTREACH_WEBHOOK_SWEEP_SCHEDULE", "* * * * *", str)
    # Accounts and sessions (README "Security"): the keys of stored secrets, session and
    # invitation lifetimes, sign-in limits (`limits` notation: "10 per 15 minutes").
    encryption_keys: tuple[str, ...] = _setting("OUTREACH_ENCRYPTION_KEYS", (), networks)
    session_days: float = _setting("OUTREACH_SESSION_DAYS", 14.0, float)
    invitation_days: float = _setting("OUTREACH_INVITATION_DAYS", 7.0, float)
    login_limit_account: str = _setting("OUTREACH_LOGIN_LIMIT_ACCOUNT", "10 per 15 minutes", str)
    login_limit_address: str = _setting("OUTREACH_LOGIN_LIMIT_ADDRESS", "50 per 15 minutes", str)
    # Background processes (README "Production"): heartbeats, staleness, recovery, restarts.
    worker_heartbeat: float = _setting("OUTREACH_WORKER_HEARTBEAT", 20.0, float)
    worker_stale_after: float = _setting("OUTREACH_WORKER_STALE_AFTER", 60.0, float)
    scheduler_stale_after: float = _setting("OUTREACH_SCHEDULER_STALE_AFTER", 90.0, float)
    recovery_schedule: str = _setting("OUTREACH_RECOVERY_SCHEDULE", "* * * * *", str)
    restart_backoff: float = _setting("OUTREACH_RESTART_BACKOFF", 1.0, float)
    restart_backoff_max: float = _setting("OUTREACH_RESTART_BACKOFF_MAX", 60.0, float)
    # The JSON API (README "API"): requests per token, in `limits` notation.
    api_rate_limit: str = _setting("OUTREACH_API_RATE_LIMIT", "600 per minute", str)
    api_bad_token_limit: str = _setting("OUTREACH_API_BAD_TOKEN_LIMIT", "30 per minute", str)

    def queue_names(self) -> dict[str, str]:
        """The RQ queue of each lane, in the order a worker on all of them takes jobs."""
        return {
            "default": self.queue,
            "mail": self.mail_queue or f"{self.queue}-mail",
            "fetch": self.fetch_queue or f"{self.queue}-fetch",
        }

    @classmethod
    def from_env(cls, instance_path: Path | None = None) -> Settings:
        """Read the settings from the process environment and ``.env``."""
        load_dotenv(find_dotenv(usecwd=True), override=False)
        instance = instance_path or instance_path_from_env()
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = os.environ.get(item.metadata["env"])
            if raw:
                values[item.name] = item.metadata["parse"](raw)
        values["secret_key"] = _secret_key(instance)
        values["database_url"] = database_url(os.environ.get("DATABASE_URL"), instance)
        return cls(**values)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings an app runs with, typed, from its ``app.config`` (defaults for gaps)."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            value = config.get(item.metadata["key"])
            if value is None:
                continue
            if isinstance(value, str) and item.metadata["parse"] is not str:
                value = item.metadata["parse"](value)
            values[item.name] = value
        return cls(**values)

    def flask_config(self) -> dict[str, Any]:
        """The settings as ``app.config`` keys, with Flask's own cookie and upload settings."""
        config = {item.metadata["key"]: getattr(self, item.name) for item in fields(self)}
        config.update(
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
            MAX_CONTENT_LENGTH=int(self.max_upload_mb * MB),
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SECURE=self.https,
            REMEMBER_COOKIE_SECURE=self.https,
            PREFERRED_URL_SCHEME="https" if self.https else "http",
            SESSION_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_HTTPONLY=True,
            REMEMBER_COOKIE_SAMESITE="Lax",
            WTF_CSRF_TIME_LIMIT=None,
        )
        return config
