"""Job functions for the fault tests (importable by a separate worker process)."""

from __future__ import annotations

import time
from pathlib import Path


def hold(flag: str, seconds: float = 60.0) -> bool:
    """Keep the worker busy until the file ``flag`` exists (at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    while not Path(flag).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
