"""Who an API call is: ``Authorization: Bearer <token>``, never the session cookie.

Runs before every API view. The pages' session (and their current workspace) is replaced
by the token's user and workspace for the request, so the views and services read the same
``g.workspace`` / ``g.membership`` the pages do. Each token has its own rate limit: a
moving window in the app's Redis (the `limits` library, as sign-in uses), answered with 429
and ``Retry-After``; so has each client address for the bad tokens it sends (beyond it,
its bad tokens answer 429 instead of 401; its good ones are served).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time

from flask import Flask, current_app, g, request
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from outreach.accounts.models import Role
from outreach.api.problems import RATE_LIMITED, UNAUTHENTICATED, Problem
from outreach.api.tokens import Caller, authenticate
from outreach.config import Settings
from outreach.extensions import db
from outreach.jobs.connection import get_redis

log = logging.getLogger(__name__)

CHALLENGE = 'Bearer realm="outreach"'


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _limiter(app: Flask) -> MovingWindowRateLimiter:
    limiter = app.extensions.get("outreach_api_limiter")
    if limiter is None:
        storage = RedisStorage(
            "redis://", connection_pool=get_redis(app).connection_pool, key_prefix="outreach-api"
        )
        limiter = MovingWindowRateLimiter(storage)
        app.extensions["outreach_api_limiter"] = limiter
    return limiter


def _take_slot(setting: str, kind: str, key: str, whose: str) -> None:
    """Take a slot of the ``kind`` window of ``key``: 429 with Retry-After when it is full.
    Nothing is refused while Redis is down (it is logged)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    limit = parse(getattr(Settings.from_config(app.config), setting))
    limiter = _limiter(app)
    try:
        if limiter.hit(limit, kind, key):
            return
        reset = limiter.get_window_stats(limit, kind, key).reset_time
    except RedisError:  # the API stays up while Redis is down; say so loudly
        log.warning("API rate limits unavailable: Redis is unreachable", exc_info=True)
        return
    wait = max(1, math.ceil(reset - time.time()))
    raise Problem(
        429,
        f"Too many requests {whose} ({limit}); try again in {wait} s.",
        type=RATE_LIMITED,
        headers={"Retry-After": str(wait)},
    )


def check_rate(token_id: int) -> None:
    """Take a slot of the token's window; 429 with Retry-After when it is full."""
    _take_slot("api_rate_limit", "token", str(token_id), "for this token")


def _sender(address: str) -> str:
    """Who sends bad tokens: the address, or for IPv6 its /64 (one host's usual share)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _count_bad_token(address: str) -> None:
    """Count a bad token against its sender: 429 instead of 401 once its window is full."""
    whose = "with invalid tokens from this address"
    _take_slot("api_bad_token_limit", "bad-token", _sender(address), whose)


def authenticate_request() -> None:
    """Before each API view: the bearer token's caller, or 401; then its rate limit."""
    g.workspace = None
    g.membership = None
    g.api_caller = None
    raw = _bearer()
    if raw is None:
        raise Problem(
            401,
            "Send a personal API token as 'Authorization: Bearer <token>'.",
            type=UNAUTHENTICATED,
            headers={"WWW-Authenticate": CHALLENGE},
        )
    caller = authenticate(raw)
    if caller is None:
        db.session.rollback()
        _count_bad_token(request.remote_addr or "")  # a good token is never held back by it
        raise Problem(
            401,
            "This token is not valid: unknown, revoked, or its user no longer has access.",
            type=UNAUTHENTICATED,
            headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
        )
    if db.session.dirty:
        db.session.commit()  # last_used_at, in its own short transaction
    check_rate(caller.token.id)
    g.api_caller = caller
    g.membership = caller.membership
    g.workspace = caller.workspace


def caller() -> Caller:
    """The authenticated caller of this API request."""
    found: Caller | None = g.get("api_caller")
    if found is None:
        raise Problem(401, type=UNAUTHENTICATED)
    return found


def require_owner() -> None:
    """403 unless the token's user owns its workspace."""
    if caller().membership.role is not Role.OWNER:
        raise Problem(403, "Only an owner of the workspace may do this.")
