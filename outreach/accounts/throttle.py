"""Sign-in attempts, limited per account and per client address.

The `limits` package keeps moving windows in the app's Redis, so every web process shares
them. Each attempt takes a slot from both windows *before* any password is checked: once
either is full, attempts are refused unchecked (the right password too) until the oldest
attempt leaves the window, and the refusal says how long that is. A successful sign-in
empties the account's window; the address's window only empties with time, so one valid
account cannot reset it for guesses at others. Accounts are keyed by a hash of the address
typed, known or not, so the limit itself reveals nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis
from redis.exceptions import RedisError

from outreach.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    """Sign-in refused: which window is full, and the seconds until it lets one through."""

    scope: str  # "account" or "address"
    seconds: int

    @property
    def message(self) -> str:
        """What the person is told."""
        wait = f"{math.ceil(self.seconds / 60)} minute(s)" if self.seconds > 90 else "a minute"
        where = "for this account" if self.scope == "account" else "from your network address"
        return f"Too many sign-in attempts {where}. Try again in {wait}."


def init_throttle(app: Flask, redis: Callable[[Flask], Redis]) -> None:
    """Keep the windows in the Redis that ``redis`` returns (the job queue's, from ``jobs``)."""
    app.extensions["outreach_login_redis"] = redis


def _limiter(app: Flask) -> MovingWindowRateLimiter:
    limiter = app.extensions.get("outreach_login_limiter")
    if limiter is None:
        redis: Callable[[Flask], Redis] = app.extensions["outreach_login_redis"]
        storage = RedisStorage(
            "redis://",
            connection_pool=redis(app).connection_pool,
            key_prefix="outreach-login",
        )
        limiter = MovingWindowRateLimiter(storage)
        app.extensions["outreach_login_limiter"] = limiter
    return limiter


def _limits(app: Flask) -> tuple[RateLimitItem, RateLimitItem]:
    settings = Settings.from_config(app.config)
    return parse(settings.login_limit_account), parse(settings.login_limit_address)


def _account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def attempt(app: Flask, email: str, address: str) -> Lockout | None:
    """Take a slot for one sign-in attempt; a :class:`Lockout` when either window is full."""
    limiter = _limiter(app)
    account_limit, address_limit = _limits(app)
    windows = (
        ("account", account_limit, _account_key(email)),
        ("address", address_limit, address or "unknown"),
    )
    try:
        for scope, limit, key in windows:
            if not limiter.hit(limit, scope, key):
                reset = limiter.get_window_stats(limit, scope, key).reset_time
                return Lockout(scope, max(1, math.ceil(reset - time.time())))
    except RedisError:  # sign-in stays possible while Redis is down; say so loudly
        log.warning("sign-in limits unavailable: Redis is unreachable", exc_info=True)
    return None


def succeeded(app: Flask, email: str) -> None:
    """Empty the account's window after the right password."""
    account_limit, _ = _limits(app)
    try:
        _limiter(app).clear(account_limit, "account", _account_key(email))
    except RedisError:
        log.warning("sign-in limits unavailable: Redis is unreachable", exc_info=True)
