"""Pipeline pages: a campaign's overview, board and table, a prospect's page, the today page.

Importing this package imports each page module, which adds its routes to :data:`bp`.
"""

from __future__ import annotations

from outreach.pipeline.views import board, campaign, deletion, prospect
from outreach.pipeline.views.blueprint import bp

__all__ = ["board", "bp", "campaign", "deletion", "prospect"]
