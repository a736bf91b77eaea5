"""The pitches blueprint, shared by the compose and sending page modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pitches", __name__)
