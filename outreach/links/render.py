"""Rendering pages whose links are inserted by JavaScript, in headless Chromium (optional).

Chromium does NOT go through the safe fetcher. It is therefore only asked to render a page
whose plain fetch already passed the fetcher's URL, address and robots.txt checks
(:func:`outreach.links.checker.check_page`); the browser is handed that fetched document
(it does not fetch the page itself), and:

* with ``OUTREACH_HTTP_PROXY`` set, every browser request goes through that proxy, whose job
  the address checks then are (as for the fetcher);
* without a proxy, every request the page makes (scripts, frames, XHR, redirects) is
  intercepted and its host resolved and checked against the same SSRF rules; refused,
  non-http(s) and heavy (image, media, font) requests are aborted. Allowed requests are
  made by Playwright without following redirects; a redirect goes back to the browser,
  whose next request is intercepted and checked again. Service workers are blocked.
  WebSockets are not intercepted by Playwright: a residual risk without a proxy.

Enabled by ``OUTREACH_RENDER_JS`` (default off); needs the ``playwright`` package and Debian's
``/usr/bin/chromium`` (``CHROMIUM_PATH`` to override).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import urlsplit

from outreach.net import FetchPolicy, FetchResult
from outreach.net.backend import BlockedAddressError, ResolutionError, resolve_checked
from outreach.net.backend import system_resolver as _system_resolver

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
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

    def __init__(self, policy: FetchPolicy, *, executable: str, pages_at_once: int = 2) -> None:
        self.policy = policy
        self.executable = executable
        self._slots = asyncio.Semaphore(pages_at_once)
        self._start_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None

    async def _ensure_browser(self) -> Any:
        async with self._start_lock:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                launch: dict[str, Any] = {
                    "executable_path": self.executable,
                    "headless": True,
                    "args": CHROMIUM_ARGS,
                }
                if self.policy.proxy:
                    launch["proxy"] = {"server": self.policy.proxy, "bypass": "<-loopback>"}
                self._browser = await self._playwright.chromium.launch(**launch)
        return self._browser

    async def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        if self.policy.proxy:
            return True  # the proxy resolves and checks names
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            await resolve_checked(
                parts.hostname, port, _system_resolver, self.policy.allowed_networks
            )
        except (BlockedAddressError, ResolutionError):
            return False
        return True

    async def _route(self, route: Any, document: FetchResult) -> None:
        request = route.request
        if request.is_navigation_request() and request.url == document.final_url:
            await route.fulfill(
                status=document.status or 200,
                headers={"content-type": document.header("content-type") or "text/html"},
                body=document.body,
            )
        elif request.resource_type in SKIPPED_RESOURCES or not await self._allowed(request.url):
            await route.abort()
        elif self.policy.proxy:
            await route.continue_()
        else:
            response = await route.fetch(max_redirects=0)
            await route.fulfill(response=response)

    async def render(self, fetch: FetchResult) -> str | None:
        """The fetched page's HTML after its scripts ran, or None on any browser failure."""
        from playwright.async_api import Error as PlaywrightError

        url = fetch.final_url
        if not fetch.ok or not await self._allowed(url):
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
        """Close the browser and Playwright's driver."""
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
