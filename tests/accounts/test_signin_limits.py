"""Signing in: guessing is limited per account and per address, and timing tells nothing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outreach.accounts import services
from outreach.extensions import db
from tests.factories import Factory

WRONG = {"email": "owner@example.com", "password": "not the password"}
RIGHT = {"email": "owner@example.com", "password": Factory.PASSWORD}


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the scrypt computations (the real work of checking a password) as they run."""
    calls: list[int] = []
    real: Callable[..., bytes] = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_200_wrong_passwords_are_not_all_answered_and_the_right_one_waits(
    client: FlaskClient, factory: Factory, scrypt_calls: list[int]
) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    scrypt_calls.clear()
    statuses = [client.post("/login", data=WRONG).status_code for _ in range(200)]
    assert statuses.count(200) == 10 and statuses.count(429) == 190
    assert len(scrypt_calls) == 10, "refused attempts check no password"
    locked = client.post("/login", data=RIGHT)
    assert (
        locked.status_code == 429 and b"Too many sign-in attempts for this account" in locked.data
    )
    assert int(locked.headers["Retry-After"]) > 800
    assert b"Try again in 15 minute(s)" in locked.data
    assert client.get("/").status_code == 302, "the right password does not sign in meanwhile"


def test_the_lockout_ends_when_the_window_has_passed(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    app.config["OUTREACH_LOGIN_LIMIT_ACCOUNT"] = "3 per 2 seconds"
    factory.user_with_workspace("owner@example.com", "Acme")
    for _ in range(3):
        assert client.post("/login", data=WRONG).status_code == 200
    assert client.post("/login", data=RIGHT).status_code == 429
    time.sleep(2.2)
    assert client.post("/login", data=RIGHT).status_code == 302
    assert client.get("/").status_code == 200


def test_one_address_spraying_many_accounts_is_limited(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    app.config["OUTREACH_LOGIN_LIMIT_ADDRESS"] = "5 per 15 minutes"
    factory.user_with_workspace("owner@example.com", "Acme")
    for number in range(5):
        guess = {"email": f"person{number}@example.com", "password": "guess guess"}
        assert client.post("/login", data=guess).status_code == 200
    refused = client.post("/login", data=RIGHT)
    assert refused.status_code == 429 and b"from your network address" in refused.data
    elsewhere = client.post("/login", data=RIGHT, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 302, "another address is not held back"


def test_signing_in_empties_the_accounts_window(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    for _ in range(9):
        client.post("/login", data=WRONG)
    assert client.post("/login", data=RIGHT).status_code == 302
    client.post("/logout")
    assert [client.post("/login", data=WRONG).status_code for _ in range(9)] == [200] * 9


def test_unknown_and_known_addresses_cost_the_same_password_work(
    app: Flask, factory: Factory, scrypt_calls: list[int]
) -> None:
    user, _ = factory.user_with_workspace("owner@example.com", "Acme")
    work = {}
    for name, email, password in (
        ("unknown", "nobody@example.com", "whatever it is"),
        ("known, wrong", "owner@example.com", "whatever it is"),
        ("known, right", "owner@example.com", Factory.PASSWORD),
    ):
        scrypt_calls.clear()
        services.authenticate(email, password)
        work[name] = len(scrypt_calls)
    user.is_active_account = False
    db.session.commit()
    scrypt_calls.clear()
    with pytest.raises(services.AccountError, match="disabled"):
        services.authenticate("owner@example.com", Factory.PASSWORD)
    work["disabled"] = len(scrypt_calls)
    assert work == {"unknown": 1, "known, wrong": 1, "known, right": 1, "disabled": 1}


def test_unknown_and_known_addresses_take_as_long(app: Flask, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")

    def timed(email: str) -> float:
        # CPU time of this thread (the hashing and the lookup), not the wall clock: parallel
        # test workers and other processes on the machine must not count as sign-in work.
        start = time.thread_time()
        services.authenticate(email, "not the password")
        return time.thread_time() - start

    known: list[float] = []
    unknown: list[float] = []
    for _ in range(7):  # interleaved, so load on the machine hits both alike
        known.append(timed("owner@example.com"))
        unknown.append(timed("nobody@example.com"))
    # The fastest of each: the work itself, with the least of other processes' noise in it.
    ratio = min(unknown) / min(known)
    assert 0.67 < ratio < 1.5, f"unknown/known sign-in time ratio {ratio:.2f}"
