"""Stored secrets (mailbox passwords) encrypted with keys of their own, which rotate.

``OUTREACH_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys: the first encrypts,
every one decrypts (``MultiFernet``), and ``flask rotate-keys`` re-encrypts every stored
secret with the first. Features name their encrypted columns with :func:`encrypted_column`
so the command finds them all.

Before this setting existed the key was ``OUTREACH_SECRET_BOX_KEY``, or was derived from
``SECRET_KEY``. That *legacy key* still decrypts (last in the list), so an instance keeps
reading its stored passwords after an upgrade; with the setting unset it also encrypts, as
before. Set the setting and run ``flask rotate-keys`` once: from then on nothing is stored
under the legacy key, and ``SECRET_KEY`` can change without losing a password.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import click
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute

from outreach.extensions import db

__all__ = [
    "InvalidToken",
    "box",
    "decrypt",
    "encrypt",
    "encrypted_column",
    "rotate_all",
    "rotate_keys",
]

# Every column that holds a Fernet token, registered by the feature that owns it.
ENCRYPTED_COLUMNS: list[InstrumentedAttribute[str]] = []


def encrypted_column(column: InstrumentedAttribute[str]) -> InstrumentedAttribute[str]:
    """Register a model's column of Fernet tokens, so ``flask rotate-keys`` re-encrypts it."""
    if column not in ENCRYPTED_COLUMNS:
        ENCRYPTED_COLUMNS.append(column)
    return column


def generate_key() -> str:
    """A fresh Fernet key, for ``OUTREACH_ENCRYPTION_KEYS``."""
    return Fernet.generate_key().decode()


def legacy_key(config: Mapping[str, Any]) -> Fernet:
    """The key of the scheme before ``OUTREACH_ENCRYPTION_KEYS`` (decrypts what it stored)."""
    configured = config.get("OUTREACH_SECRET_BOX_KEY")
    if configured:
        try:
            return Fernet(configured)
        except (ValueError, TypeError):
            material = f"box:{configured}"
    else:
        material = f"derived-from-secret-key:{config['SECRET_KEY']}"
    digest = hashlib.sha256(material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def configured_keys(config: Mapping[str, Any]) -> list[Fernet]:
    """The keys of ``OUTREACH_ENCRYPTION_KEYS``, in order; ValueError names a malformed one."""
    raw = config.get("OUTREACH_ENCRYPTION_KEYS") or ()
    if isinstance(raw, str):
        raw = tuple(part.strip() for part in raw.split(",") if part.strip())
    keys = []
    for position, key in enumerate(raw, start=1):
        try:
            keys.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"OUTREACH_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; `flask rotate-keys --generate` makes one)"
            ) from exc
    return keys


def box(config: Mapping[str, Any] | None = None) -> MultiFernet:
    """The configured keys (the first encrypts), then the legacy key (decrypts only, if any)."""
    config = current_app.config if config is None else config
    return MultiFernet([*configured_keys(config), legacy_key(config)])


def encrypt(text: str) -> str:
    """``text`` as a Fernet token under the current key (empty stays empty)."""
    return box().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """The clear text of a token; :class:`InvalidToken` when no key opens it."""
    return box().decrypt(token.encode()).decode() if token else ""


@dataclass
class Rotation:
    """What ``rotate_all`` did: tokens re-encrypted, and the rows none of the keys opened."""

    rotated: int = 0
    unreadable: list[str] = field(default_factory=list)


def rotate_all(config: Mapping[str, Any]) -> Rotation:
    """Re-encrypt every registered column's tokens with the first key (the caller commits)."""
    keys = box(config)
    result = Rotation()
    for column in ENCRYPTED_COLUMNS:
        model = column.class_
        primary = model.__mapper__.primary_key[0]
        rows = db.session.execute(select(primary, column).where(column != "")).all()
        for row_id, token in rows:
            try:
                fresh = keys.rotate(token.encode()).decode()
            except InvalidToken:
                result.unreadable.append(f"{model.__tablename__} {row_id}")
                continue
            db.session.execute(
                update(model)
                .where(primary == row_id)
                .values({column: fresh})
                .execution_options(synchronize_session=False)
            )
            result.rotated += 1
    return result


@click.command("rotate-keys")
@click.option("--generate", is_flag=True, help="Only print a new key to put first in the list.")
@with_appcontext
def rotate_keys(generate: bool) -> None:
    """Re-encrypt every stored secret with the first key of OUTREACH_ENCRYPTION_KEYS."""
    if generate:
        click.echo(generate_key())
        return
    config = current_app.config
    try:
        if not configured_keys(config):
            raise click.ClickException(
                "OUTREACH_ENCRYPTION_KEYS is not set: put a new key in it first "
                "(`flask rotate-keys --generate` prints one), keep the old ones after it."
            )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    result = rotate_all(config)
    db.session.commit()
    click.echo(f"Re-encrypted {result.rotated} stored secret(s) with the first key.")
    if result.unreadable:
        raise click.ClickException(
            f"{len(result.unreadable)} secret(s) open with none of the keys and were left as "
            f"they are: {', '.join(result.unreadable)}"
        )
