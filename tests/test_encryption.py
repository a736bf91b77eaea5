"""Stored secrets have keys of their own, separate from SECRET_KEY, and the keys rotate."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from outreach import encryption
from outreach.extensions import db
from outreach.pitches.mailboxes import MailboxError, decrypt_password
from outreach.pitches.models import Mailbox
from tests.factories import Factory
from tests.pitches import builders


def _stored(box: Mailbox) -> str:
    db.session.expire_all()
    token = db.session.scalar(select(Mailbox.smtp_password_encrypted).where(Mailbox.id == box.id))
    assert token
    return token


def _mailbox(factory: Factory) -> Mailbox:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(workspace, password="mailbox secret")
    db.session.commit()
    return box


def test_the_encryption_key_is_not_secret_key(app: Flask, factory: Factory) -> None:
    key = Fernet.generate_key().decode()
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (key,)
    box = _mailbox(factory)
    assert Fernet(key).decrypt(_stored(box).encode()) == b"mailbox secret"
    app.config["SECRET_KEY"] = "an entirely different secret key, rotated"
    assert decrypt_password(box) == "mailbox secret", "rotating SECRET_KEY loses no password"


def test_rotate_keys_re_encrypts_every_secret_with_the_first_key(
    app: Flask, factory: Factory, runner: Any
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (old,)
    box = _mailbox(factory)
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (new, old)
    assert decrypt_password(box) == "mailbox secret", "every listed key decrypts"
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 stored secret" in result.output
    assert Fernet(new).decrypt(_stored(box).encode()) == b"mailbox secret"
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (new,)
    assert decrypt_password(box) == "mailbox secret", "the old key can now be dropped"


def test_passwords_stored_before_the_upgrade_stay_readable_and_move_to_the_new_key(
    app: Flask, factory: Factory, runner: Any
) -> None:
    app.config["OUTREACH_ENCRYPTION_KEYS"] = ()
    box = _mailbox(factory)  # stored the old way: a key derived from SECRET_KEY
    legacy = encryption.legacy_key(app.config)
    assert legacy.decrypt(_stored(box).encode()) == b"mailbox secret"
    new = Fernet.generate_key().decode()
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (new,)
    assert decrypt_password(box) == "mailbox secret", "readable right after the upgrade"
    assert runner.invoke(args=["rotate-keys"]).exit_code == 0
    app.config["SECRET_KEY"] = "changed after the migration"
    assert decrypt_password(box) == "mailbox secret"
    assert Fernet(new).decrypt(_stored(box).encode()) == b"mailbox secret"


def test_a_password_under_an_unknown_key_is_reported_not_leaked(
    app: Flask, factory: Factory, runner: Any
) -> None:
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (Fernet.generate_key().decode(),)
    box = _mailbox(factory)
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (Fernet.generate_key().decode(),)
    with pytest.raises(MailboxError, match="OUTREACH_ENCRYPTION_KEYS"):
        decrypt_password(box)
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code != 0 and f"mailbox {box.id}" in result.output


def test_rotate_keys_needs_a_configured_key(app: Flask, runner: Any) -> None:
    app.config["OUTREACH_ENCRYPTION_KEYS"] = ()
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code != 0 and "OUTREACH_ENCRYPTION_KEYS is not set" in result.output
    generated = runner.invoke(args=["rotate-keys", "--generate"]).output.strip()
    Fernet(generated)


def test_a_malformed_key_is_named(app: Flask) -> None:
    app.config["OUTREACH_ENCRYPTION_KEYS"] = (Fernet.generate_key().decode(), "not-a-key")
    with app.app_context(), pytest.raises(ValueError, match="key 2 is not a Fernet key"):
        encryption.encrypt("x")
