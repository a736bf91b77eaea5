"""Where the app's files live: the checkout's top-level folders, or their copies in the wheel.

The repository keeps ``templates/``, ``static/`` and ``migrations/`` beside the package; the
wheel carries them inside it (``outreach/templates``, ...; see pyproject.toml). Everything that
needs one of them asks here, so the app runs the same from a checkout and from an install.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_ROOT = PACKAGE_DIR.parent

Resource = Literal["templates", "static", "migrations"]


def installed() -> bool:
    """True when running from a built wheel (the folders sit inside the package)."""
    return (PACKAGE_DIR / "templates").is_dir()


def resource_dir(name: Resource) -> Path:
    """The ``templates``, ``static`` or ``migrations`` folder this copy of Outreach runs with."""
    return PACKAGE_DIR / name if installed() else CHECKOUT_ROOT / name


def default_instance_path() -> Path:
    """``instance/`` in a checkout; ``<virtualenv>/var/outreach-instance`` once installed.

    The installed default is Flask's own rule for installed packages: one place per
    environment, whatever folder a command runs from, and never inside site-packages.
    """
    if installed():
        return Path(sys.prefix) / "var" / "outreach-instance"
    return CHECKOUT_ROOT / "instance"
