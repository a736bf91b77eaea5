"""Reading fetch results: reasons for failures, and one broken page never stops a fetch."""

from __future__ import annotations

import pytest
import trafilatura

from outreach.net import FetchResult
from outreach.scoring.fetching import _read_safely, failure_reason, interleaved, read_page
from outreach.scoring.linking import PageToFetch

PAGE = PageToFetch("https://blog.example/post", "blog.example")


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (FetchResult(PAGE.url, PAGE.url, status=404), "404"),
        (FetchResult(PAGE.url, PAGE.url, status=503), "503"),
        (FetchResult(PAGE.url, PAGE.url, error_kind="not_html"), "not HTML"),
        (FetchResult(PAGE.url, PAGE.url, error_kind="robots_disallowed"), "blocked by robots.txt"),
        (FetchResult(PAGE.url, PAGE.url, error_kind="timeout"), "timeout"),
        (FetchResult(PAGE.url, PAGE.url, error_kind="something_new"), "something new"),
        (FetchResult(PAGE.url, PAGE.url, status=200), None),
    ],
)
def test_failures_get_a_short_reason(result: FetchResult, reason: str | None) -> None:
    assert failure_reason(result) == reason


def test_a_page_without_main_text_is_not_read() -> None:
    result = FetchResult(PAGE.url, PAGE.url, status=200, body=b"<html><body></body></html>")
    assert read_page(PAGE, result).reason == "no text"


def test_a_page_that_breaks_the_reader_is_recorded_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object, **__: object) -> str:
        raise ValueError("extractor bug")

    monkeypatch.setattr(trafilatura, "extract", broken)
    body = b"<html><body><p>" + b"Some words. " * 50 + b"</p></body></html>"
    result = FetchResult(PAGE.url, PAGE.url, status=200, body=body)
    assert _read_safely(PAGE, result, frozenset()).reason == "unreadable: ValueError"


def test_hosts_take_turns() -> None:
    pages = [
        PageToFetch(f"https://{host}/{n}", host) for host in ("a.test", "b.test") for n in range(2)
    ]
    assert [p.url for p in interleaved(pages)] == [
        "https://a.test/0", "https://b.test/0", "https://a.test/1", "https://b.test/1",
    ]  # fmt: skip
