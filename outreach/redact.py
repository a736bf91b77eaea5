"""Secrets kept out of logs: tokens in the URLs of invitations and unsubscribes, passwords in URLs.

A request line such as ``GET /invitations/<token>`` is a credential: whoever reads the access
log could join the workspace. :class:`RedactTokens` rewrites such records, whichever server
writes them (gunicorn's access and error logs, Werkzeug's development server, the app's own
logger), before any handler formats them.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

from flask import Flask

REDACTED = "[redacted]"
# /invitations/<token> and /u/<token> (one-click unsubscribe), also URL-encoded in ?next=...
TOKEN_IN_PATH = re.compile(r"((?:/|%2F)(?:invitations|u)(?:/|%2F))[A-Za-z0-9_\-]{8,}", re.I)
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact_tokens(text: str) -> str:
    """``text`` with every invitation and unsubscribe token replaced."""
    return TOKEN_IN_PATH.sub(rf"\1{REDACTED}", text)


def redact_url(url: str) -> str:
    """A connection URL fit to print: its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))


class RedactTokens(logging.Filter):
    """Rewrites a log record whose message holds a token (the record itself, before handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only its text changes."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to break further
            return True
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(app: Flask) -> None:
    """Attach the filter to the web servers' loggers and the app's own (once each)."""
    for name in (*LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())
