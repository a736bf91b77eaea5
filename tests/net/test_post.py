"""POSTing a body through the safe fetcher (webhook deliveries): same policy, no redirects."""

from __future__ import annotations

from outreach.net import post_one
from tests.net.fakes import local_policy
from tests.support.receiver import run_receiver

BODY = b'{"hello":"world"}'
HEADERS = {"Content-Type": "application/json", "X-Sig": "abc"}


def test_a_post_delivers_the_exact_body_and_headers() -> None:
    with run_receiver() as receiver:
        result = post_one(receiver.url("/in"), BODY, HEADERS, local_policy())
    assert result.ok and result.status == 200 and result.body == b'{"ok": true}'
    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/in" and request.body == BODY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-sig"] == "abc"


def test_a_redirect_is_the_answer_and_is_not_followed() -> None:
    with run_receiver([307]) as receiver:
        result = post_one(receiver.url(), BODY, HEADERS, local_policy())
    assert result.status == 307 and result.redirects == []
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_loopback_address_is_refused_unless_allowed() -> None:
    with run_receiver() as receiver:
        result = post_one(receiver.url(), BODY, HEADERS, local_policy(allowed_networks=()))
    assert result.error_kind == "blocked_address" and receiver.requests == []
