"""Pitch pages: templates and mailboxes, sequences, the outbox, the inbox, suppression,
unsubscribe.

Importing this package imports each page module, which adds its routes to :data:`bp`.
"""

from __future__ import annotations

from outreach.pitches.views import compose, editor, inbox, sending, sequence
from outreach.pitches.views.blueprint import bp

__all__ = ["bp", "compose", "editor", "inbox", "sending", "sequence"]
