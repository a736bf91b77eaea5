"""The shared corpus beside the checkout (``../shared``): found, skipped, or failed under CI.

A fresh clone has no ``../shared``. Tests that truly need it skip with the reason outside
CI, and fail under ``CI=true``, where its absence would silently drop coverage.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def shared_dir(*parts: str) -> Path | None:
    """``../shared/<parts>`` when it exists (for scripts such as the benchmarks), else None."""
    path = SHARED.joinpath(*parts)
    return path if path.exists() else None


def require_shared(*parts: str) -> Path:
    """``../shared/<parts>`` for a test: skips without it, or fails under ``CI=true``."""
    path = shared_dir(*parts)
    if path is not None:
        return path
    reason = f"{SHARED.joinpath(*parts)} is missing (the shared corpus beside the checkout)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must have it", pytrace=False)
    pytest.skip(reason)
