"""The pipeline blueprint, shared by the board, campaign and prospect page modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pipeline", __name__)
