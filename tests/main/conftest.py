"""The browser fixtures of the pipeline tests, shared with the home page's browser test."""

from tests.pipeline.conftest import browser, live_url, page

__all__ = ["browser", "live_url", "page"]
