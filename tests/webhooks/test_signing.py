"""The signature scheme: what a receiver computes, and what it must refuse."""

from __future__ import annotations

import hashlib
import hmac

from outreach.webhooks.signing import new_secret, signature_header, verify

BODY = b'{"id":"evt_1","type":"link.live"}'


def test_the_header_is_an_hmac_sha256_of_the_timestamp_dot_body() -> None:
    secret = new_secret()
    header = signature_header(secret, 1_700_000_000, BODY)
    expected = hmac.new(secret.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify(secret, header, BODY, now=1_700_000_010)


def test_a_changed_body_another_secret_or_an_old_timestamp_is_refused() -> None:
    secret = new_secret()
    header = signature_header(secret, 1_700_000_000, BODY)
    assert not verify(secret, header, BODY + b" ", now=1_700_000_000)
    assert not verify(new_secret(), header, BODY, now=1_700_000_000)
    assert not verify(secret, header, BODY, now=1_700_000_000 + 301)
    assert not verify(secret, "t=abc,v1=00", BODY, now=1_700_000_000)


def test_secrets_are_long_and_never_repeat() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50 and all(len(s) > 40 for s in secrets)
