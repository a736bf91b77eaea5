"""Plain data passed between the safe fetcher and its callers (crawl, verification, contacts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and rules every outbound request obeys; built from app settings."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_deadline: float = 20.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = "OutreachBot/0.1 (+https://github.com/outreach-crm/outreach)"
    proxy: str | None = None
    allowed_networks: tuple[str, ...] = ()
    obey_robots: bool = True
    per_host_concurrency: int = 2
    per_host_delay: float = 0.0
    verify_tls: bool = True


@dataclass(frozen=True)
class Redirect:
    """One hop of a redirect chain."""

    url: str
    status: int


@dataclass
class FetchResult:
    """What one fetch produced: a response, or a readable reason why there is none.

    ``error_kind`` is ``None`` on success; otherwise one of ``blocked_address``,
    ``robots_disallowed``, ``invalid_url``, ``dns``, ``connect``, ``timeout``,
    ``too_large``, ``too_many_redirects``, ``not_html``, ``protocol``.
    """

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: list[Redirect] = field(default_factory=list)
    error_kind: str | None = None
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True when a response arrived (whatever its status)."""
        return self.error_kind is None and self.status is not None

    @property
    def blocked(self) -> bool:
        """True when the fetcher's own rules refused the request."""
        return self.error_kind in ("blocked_address", "robots_disallowed")

    def header(self, name: str) -> str | None:
        """A response header, case-insensitively; header names are stored lower-case."""
        return self.headers.get(name.lower())

    def text(self) -> str:
        """The body decoded with the charset of the Content-Type or the document, else UTF-8."""
        from outreach.net.charset import decode_body

        return decode_body(self.body, self.header("content-type"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary without the body."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "redirects": [{"url": r.url, "status": r.status} for r in self.redirects],
            "error_kind": self.error_kind,
            "error": self.error,
        }
