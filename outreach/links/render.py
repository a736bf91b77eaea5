"""Rendering pages whose links are inserted by JavaScript, in headless Chromium (optional).

Chromium has no network of its own: it is launched with a host-resolver rule that resolves
nothing and a proxy that does not exist, so any request it would make itself (WebSockets,
DNS prefetch, a request Playwright does not intercept) goes nowhere. Every request the page
makes is intercepted instead:

* the page itself is answered with the document the safe fetcher already fetched (whose URL,
  addresses and robots.txt were checked by :func:`outreach.links.checker.check_page`);
* other GET requests for scripts, styles, frames and XHR are fetched by Outreach's own
  :class:`~outreach.net.SafeFetcher`, which resolves each host once, checks every address
  and connects to that checked address (or goes through ``OUTREACH_HTTP_PROXY``), and
  follows redirects by hand, checking each hop; the browser receives only its answer. Nothing
  resolves a name twice, so DNS rebinding between the check and the request has no way in;
* images, media, fonts, non-http(s) URLs and other methods than GET are aborted. Service
  workers are blocked.

Enabled by ``OUTREACH_RENDER_JS`` (default off); needs the ``playwright`` package and Debian's
``/usr/bin/chromium`` (``CHROMIUM_PATH`` to override).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from outreach.net import FetchPolicy, FetchResult, Resolver, SafeFetcher

NOWHERE = "outreach-no-network.invalid"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The renderer's Chromium resolves nothing itself (IP literals included): each request is
# answered by the route handler. (CHROMIUM_ARGS alone serve the app's own browser tests.)
NO_NETWORK_ARGS = ["--dns-prefetch-disable", "--host-resolver-rules=MAP * ~NOTFOUND"]
# ...and what escapes interception (WebSockets, IP literals) goes to a proxy that is not there.
DEAD_PROXY = {"server": f"http://{NOWHERE}:9", "bypass": "<-loopback>"}
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
PASSED_HEADERS = ("content-type", "access-control-allow-origin", "access-control-allow-headers")
SETTLE_MS = 500


def chromium_available(executable: str) -> bool:
    """True when playwright is installed and the Chromium binary ``executable`` exists."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(executable)


class ChromiumRenderer:
    """One headless Chromium, started on first use, rendering a few pages at a time."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        executable: str,
        pages_at_once: int = 2,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self.executable = executable
        self._resolver = resolver
        self._slots = asyncio.Semaphore(pages_at_once)
        self._start_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._fetcher: SafeFetcher | None = None

    async def _ensure_browser(self) -> Any:
        async with self._start_lock:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable,
                    headless=True,
                    args=[*CHROMIUM_ARGS, *NO_NETWORK_ARGS],
                    proxy=DEAD_PROXY,
                )
        return self._browser

    def _subresource_fetcher(self) -> SafeFetcher:
        """The safe fetcher for what a page loads: no robots.txt, no politeness delay."""
        if self._fetcher is None:
            policy = replace(self.policy, obey_robots=False, per_host_delay=0.0)
            self._fetcher = SafeFetcher(policy, resolver=self._resolver, shards=1)
        return self._fetcher

    async def _route(self, route: Any, document: FetchResult) -> None:
        request = route.request
        if request.is_navigation_request() and request.url == document.final_url:
            await route.fulfill(
                status=document.status or 200,
                headers={"content-type": document.header("content-type") or "text/html"},
                body=document.body,
            )
            return
        scheme = urlsplit(request.url).scheme
        if scheme in ("data", "blob", "about"):
            await route.continue_()
            return
        if (
            request.resource_type in SKIPPED_RESOURCES
            or request.method != "GET"
            or scheme not in ("http", "https")
        ):
            await route.abort()
            return
        fetched = await self._subresource_fetcher().fetch(
            request.url, expect_html=False, check_robots=False
        )
        if not fetched.ok:
            await route.abort("blockedbyclient" if fetched.blocked else "failed")
            return
        headers = {k: v for k in PASSED_HEADERS if (v := fetched.header(k)) is not None}
        await route.fulfill(status=fetched.status or 200, headers=headers, body=fetched.body)

    async def render(self, fetch: FetchResult) -> str | None:
        """The fetched page's HTML after its scripts ran, or None on any browser failure."""
        from playwright.async_api import Error as PlaywrightError

        url = fetch.final_url
        if not fetch.ok or urlsplit(url).scheme not in ("http", "https"):
            return None
        async with self._slots:
            browser = await self._ensure_browser()
            context = await browser.new_context(
                user_agent=self.policy.user_agent, service_workers="block"
            )
            try:
                await context.route("**/*", lambda route: self._route(route, fetch))
                page = await context.new_page()
                timeout_ms = self.policy.total_deadline * 1000
                await page.goto(url, wait_until="load", timeout=timeout_ms)
                await page.wait_for_timeout(SETTLE_MS)
                return str(await page.content())
            except (PlaywrightError, TimeoutError):
                return None
            finally:
                await context.close()

    async def aclose(self) -> None:
        """Close the browser, Playwright's driver and the subresource fetcher."""
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
