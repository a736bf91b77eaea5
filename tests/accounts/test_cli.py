"""Operators: ``flask user disable|enable|reset-password``."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from outreach.accounts import services
from tests.factories import Factory, SignIn


def _login(client: FlaskClient, password: str = Factory.PASSWORD) -> int:
    data = {"email": "owner@example.com", "password": password}
    return client.post("/login", data=data).status_code


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(
    app: Flask, client: FlaskClient, auth: SignIn, runner: Any
) -> None:
    auth()
    result = runner.invoke(args=["user", "disable", "owner@example.com"])
    assert result.exit_code == 0 and "1 session(s) ended" in result.output
    assert client.get("/").status_code == 302, "the open session is over"
    refused = app.test_client().post(
        "/login", data={"email": "owner@example.com", "password": Factory.PASSWORD}
    )
    assert refused.status_code == 200 and b"This account is disabled" in refused.data
    assert runner.invoke(args=["user", "enable", "owner@example.com"]).exit_code == 0
    assert _login(app.test_client()) == 302


def test_reset_password_prints_a_one_time_password_and_ends_sessions(
    app: Flask, client: FlaskClient, auth: SignIn, runner: Any
) -> None:
    auth()
    result = runner.invoke(args=["user", "reset-password", "owner@example.com"])
    assert result.exit_code == 0, result.output
    printed = re.search(r"One-time password .*: (\S+)", result.output)
    assert printed is not None
    assert client.get("/").status_code == 302
    browser = app.test_client()
    assert _login(browser) == 200, "the old password no longer works"
    assert _login(browser, printed.group(1)) == 302


def test_reset_password_reads_the_new_one_from_stdin(
    app: Flask, factory: Factory, runner: Any
) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    result = runner.invoke(
        args=["user", "reset-password", "owner@example.com", "--password-stdin"],
        input="chosen by the operator\n",
    )
    assert result.exit_code == 0 and "One-time" not in result.output
    assert services.authenticate("owner@example.com", "chosen by the operator") is not None
    short = runner.invoke(
        args=["user", "reset-password", "owner@example.com", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def test_an_unknown_address_is_an_error(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["user", "disable", "nobody@example.com"])
    assert result.exit_code != 0 and "No account for nobody@example.com" in result.output
