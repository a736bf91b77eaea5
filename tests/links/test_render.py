"""The Chromium renderer cannot be used to reach inside: no rebinding, no network of its own.

The page's host names are answered by a scripted resolver (names no real DNS knows), so a
script can only load if the renderer fetched it through the checked, pinned address.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from outreach.config import Settings
from outreach.links.render import ChromiumRenderer, chromium_available
from outreach.net import FetchPolicy, FetchResult
from tests.net.fakes import FakeDNS
from tests.support.scripted import ScriptedServer
from tests.support.simweb import routes_handler, run_server

PUBLIC = "93.184.216.34"
PAGE_URL = "http://blog.rebind.test/post"
SCRIPT = b"""
var a = document.createElement('a');
a.href = 'https://ours.example/guide'; a.textContent = 'inserted by script';
document.body.appendChild(a);
"""
INSERTED = 'href="https://ours.example/guide"'

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not chromium_available(Settings().chromium_path):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but playwright or /usr/bin/chromium is missing")
        pytest.skip("playwright or /usr/bin/chromium not installed")


def _document(body: str) -> FetchResult:
    """The page as the safe fetcher returned it (already checked)."""
    html = f"<html><head><title>post</title></head><body><p>post</p>{body}</body></html>"
    return FetchResult(
        url=PAGE_URL,
        final_url=PAGE_URL,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=html.encode(),
    )


def _render(document: FetchResult, policy: FetchPolicy, dns: FakeDNS) -> str | None:
    async def run() -> str | None:
        renderer = ChromiumRenderer(
            policy, executable=Settings().chromium_path, pages_at_once=1, resolver=dns
        )
        try:
            return await renderer.render(document)
        finally:
            await renderer.aclose()

    return asyncio.run(run())


def _policy(**overrides: object) -> FetchPolicy:
    values: dict[str, object] = {"connect_timeout": 2.0, "read_timeout": 2.0, "total_deadline": 10}
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


def test_a_script_is_loaded_only_through_the_checked_pinned_address() -> None:
    routes = {"/add.js": (200, {"Content-Type": "text/javascript"}, SCRIPT)}
    with run_server(routes_handler(routes)) as cdn:
        script = f"http://cdn.rebind.test:{cdn.port}/add.js"
        dns = FakeDNS({"blog.rebind.test": [PUBLIC], "cdn.rebind.test": ["127.0.0.1"]})
        document = _document(f'<script src="{script}"></script>')

        refused = _render(document, _policy(), dns)  # the production default: no loopback
        assert refused is not None and INSERTED not in refused
        assert cdn.requests == 0

        allowed = _render(document, _policy(allowed_networks=("127.0.0.0/8",)), dns)
        assert allowed is not None and INSERTED in allowed  # only our resolver knows the name
        assert cdn.requests == 1


def test_dns_rebinding_after_the_check_does_not_reach_loopback() -> None:
    routes = {"/add.js": (200, {"Content-Type": "text/javascript"}, SCRIPT)}
    with run_server(routes_handler(routes)) as cdn:
        script = f"http://cdn.rebind.test:{cdn.port}/add.js"
        # First answer public (passes the check), every later one loopback (the rebinding).
        dns = FakeDNS({"blog.rebind.test": [PUBLIC], "cdn.rebind.test": [[PUBLIC], ["127.0.0.1"]]})
        html = _render(_document(f'<script src="{script}"></script>'), _policy(), dns)
    assert html is not None and INSERTED not in html
    assert cdn.requests == 0


def test_the_page_cannot_open_its_own_connections_to_internal_services() -> None:
    with ScriptedServer(b"") as internal:
        port = internal.port
        body = f"""
        <iframe src="http://127.0.0.1:{port}/frame"></iframe>
        <script>
        try {{ new WebSocket('ws://127.0.0.1:{port}/'); }} catch (e) {{}}
        try {{ new WebSocket('ws://localhost:{port}/'); }} catch (e) {{}}
        fetch('http://127.0.0.1:{port}/xhr').catch(function () {{}});
        fetch('http://[::1]:{port}/xhr', {{method: 'POST', body: 'x'}}).catch(function () {{}});
        var link = document.createElement('link');
        link.rel = 'preconnect'; link.href = 'http://127.0.0.1:{port}/';
        document.head.appendChild(link);
        </script>
        """
        dns = FakeDNS({"blog.rebind.test": [PUBLIC]})
        html = _render(_document(body), _policy(), dns)
    assert html is not None and "<p>post</p>" in html
    assert internal.connections == 0
