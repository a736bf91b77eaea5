"""Outbound HTTP for the whole app: one SSRF-safe, bounded, polite fetcher."""

from outreach.net.addresses import is_forbidden_address
from outreach.net.backend import Resolver, system_resolver
from outreach.net.fetcher import SafeFetcher, fetch_one, post_one
from outreach.net.types import FetchPolicy, FetchResult, Redirect

__all__ = [
    "FetchPolicy",
    "FetchResult",
    "Redirect",
    "Resolver",
    "SafeFetcher",
    "fetch_one",
    "is_forbidden_address",
    "post_one",
    "system_resolver",
]
