"""Signing a delivery, and checking a signature the way a receiver should.

The header is ``Outreach-Signature: t=<unix time>,v1=<hex>``, where the hex digest is
HMAC-SHA256 with the endpoint's secret over ``"<unix time>.<raw body>"``. Signing the time
lets a receiver refuse old replays; ``Outreach-Event-Id`` lets it drop duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Outreach-Signature"
EVENT_ID_HEADER = "Outreach-Event-Id"
EVENT_TYPE_HEADER = "Outreach-Event-Type"
TOLERANCE = 300  # seconds a receiver should accept between the signed time and its clock


def new_secret() -> str:
    """A fresh signing secret (``whsec_`` and 43 URL-safe characters)."""
    return f"whsec_{secrets.token_urlsafe(32)}"


def digest(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the ``Outreach-Signature`` header."""
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` of now."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), digest(secret, timestamp, body))
