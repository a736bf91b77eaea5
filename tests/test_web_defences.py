"""Web defences: every response carries the security headers, no page runs inline script or
style, cookies are Secure over HTTPS (directly or through a declared proxy), nothing frames us.

The GET routes are walked from the URL map with a signed-in client, each id argument filled
by the isolation test's builders, so a new page is checked without being listed here.
"""

from __future__ import annotations

import io
import os
from typing import Any

import lxml.html
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from outreach import create_app
from outreach.extensions import db
from outreach.web import CONTENT_SECURITY_POLICY, FLASH_CHARS, FLASH_COUNT
from tests.factories import Factory, SignIn
from tests.support.heartbeats import live_scheduler, live_worker
from tests.test_isolation import BUILDERS

PLACEHOLDERS = {"token": "not-a-token", "filename": "css/app.css"}


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def _assert_defended(response: TestResponse, url: str) -> None:
    headers = response.headers
    policy = _directives(headers.get("Content-Security-Policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], url
    assert policy.get("script-src") == ["'self'"], url
    assert policy.get("style-src") == ["'self'"], url
    assert policy.get("object-src") == ["'none'"], url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") == "same-origin", url
    assert "Strict-Transport-Security" not in headers, f"{url}: HSTS over plain HTTP"


def _inline_code(html: str) -> list[str]:
    """Inline scripts, event-handler and style attributes, and javascript: URLs in a page."""
    tree = lxml.html.document_fromstring(html)
    found = [
        f"<script> with code: {(script.text or '')[:60]!r}"
        for script in tree.iter("script")
        if (script.text or "").strip() or not script.get("src")
    ]
    found += ["<style> element" for _ in tree.iter("style")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
            if value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
    return found


def _get_routes(app: Flask, factory: Factory, workspace: Any) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        values: dict[str, Any] = {}
        for arg in rule.arguments:
            values[arg] = PLACEHOLDERS.get(arg) or BUILDERS[arg](factory, workspace)
        urls.append(url_for(rule.endpoint, **values))
    return sorted(urls)


def test_every_page_carries_the_security_headers_and_no_inline_code(
    app: Flask, client: FlaskClient, factory: Factory, auth: SignIn, redis_url: str
) -> None:
    _, workspace = auth()
    live_worker(app)  # else /healthz rightly answers 503
    live_scheduler(redis_url)
    pages = 0
    for url in _get_routes(app, factory, workspace):
        response = client.get(url)
        _assert_defended(response, url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.mimetype == "text/html" and response.status_code == 200:
            assert _inline_code(response.get_data(as_text=True)) == [], url
            pages += 1
    assert pages >= 30, f"only {pages} pages rendered: the walk no longer reaches the app"


def test_error_and_anonymous_pages_carry_the_headers_too(client: FlaskClient) -> None:
    for url in ("/login", "/signup", "/no-such-page", "/u/not-a-token", "/livez"):
        _assert_defended(client.get(url), url)


def test_the_checker_finds_inline_code() -> None:
    page = (
        "<html><body><script>alert(1)</script><a href='javascript:x()'>a</a>"
        "<form onsubmit='go()'><p style='color:red'></p></form></body></html>"
    )
    assert len(_inline_code(page)) == 4


def test_the_one_click_unsubscribe_page_cannot_be_framed(client: FlaskClient) -> None:
    for method in ("GET", "POST"):
        response = client.open("/u/some-token", method=method, data={})
        assert _directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == [
            "'none'"
        ]
        assert response.headers["X-Frame-Options"] == "DENY"


def _sign_in(client: FlaskClient, factory: Factory, **environ: Any) -> TestResponse:
    factory.user_with_workspace("owner@example.com", "Acme")
    return client.post(
        "/login",
        data={"email": "owner@example.com", "password": Factory.PASSWORD},
        environ_base=environ,
    )


def _cookies(response: TestResponse) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_cookies_are_not_secure_on_plain_http_by_default(
    client: FlaskClient, factory: Factory
) -> None:
    response = _sign_in(client, factory)
    assert response.status_code == 302
    assert _cookies(response), "signing in sets a session cookie"
    assert all("Secure" not in cookie for cookie in _cookies(response))


def test_outreach_https_makes_every_cookie_secure_and_sends_hsts(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    app.config["OUTREACH_HTTPS"] = True
    response = _sign_in(client, factory)
    names = [cookie.split("=", 1)[0] for cookie in _cookies(response)]
    assert "session" in names
    assert all("; Secure" in cookie for cookie in _cookies(response)), _cookies(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_declared_proxy_saying_https_makes_cookies_secure(app: Flask, factory: Factory) -> None:
    proxied = create_app({**app.config, "OUTREACH_PROXIES": 1})
    client = proxied.test_client()
    factory.user_with_workspace("owner@example.com", "Acme")
    response = client.post(
        "/login",
        data={"email": "owner@example.com", "password": Factory.PASSWORD},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 302
    assert all("; Secure" in cookie for cookie in _cookies(response)), _cookies(response)
    assert "Strict-Transport-Security" in response.headers
    with proxied.app_context():
        db.engine.dispose()


def test_an_undeclared_proxy_header_is_not_trusted(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    assert app.config["OUTREACH_PROXIES"] == 0
    factory.user_with_workspace("owner@example.com", "Acme")
    response = client.post(
        "/login",
        data={"email": "owner@example.com", "password": Factory.PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert all("Secure" not in cookie for cookie in _cookies(response))
    assert "Strict-Transport-Security" not in response.headers


def test_the_policy_is_the_documented_one() -> None:
    policy = _directives(CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else ""


def test_flashed_user_text_is_cut_and_the_session_cookie_stays_small(
    client: FlaskClient, factory: Factory, auth: SignIn
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    for n in range(20):  # messages pile up while no page shows them
        huge = ("z" * 60_000 if n == 19 else os.urandom(30_000).hex()) + ".csv"
        response = client.post(
            f"/campaigns/{campaign.id}/imports",
            data={"file": (io.BytesIO(os.urandom(4096)), huge)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    assert len(_session_cookie(client)) < 4096, "the session cookie grew past 4 KB"
    page = client.get(f"/campaigns/{campaign.id}/imports").get_data(as_text=True)
    assert page.count('class="flash flash-error"') == FLASH_COUNT
    assert "z" * (FLASH_CHARS - 1) + "…" in page and "z" * FLASH_CHARS not in page
