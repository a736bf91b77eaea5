"""Backlink verdicts from fetches of real saved pages with links planted into them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from outreach.links.verification import analyse, x_robots_directives
from outreach.net.types import FetchResult, Redirect

PAGES = Path(__file__).parent / "pages"
CC = "de.creativecommons.org.endlich.html"
CC_URL = (
    "https://de.creativecommons.org/index.php/2014/03/20/"
    "endlich-wird-es-spannend-die-nc-einschraenkung-nach-deutschem-recht/"
)
WEVOLVER_URL = "https://www.wevolver.com/article/3dprinting.gets.a.turbo.boost.from.um.technology"
TARGET = "https://target.example/guide"


def load(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def plant(html: bytes, link: bytes, after: bytes = b'<div class="entry-content">') -> bytes:
    position = html.index(after) + len(after)
    return html[:position] + link + html[position:]


def fetched(
    body: bytes,
    url: str = CC_URL,
    *,
    final_url: str | None = None,
    status: int | None = 200,
    headers: dict[str, str] | None = None,
    redirects: list[Redirect] | None = None,
    error_kind: str | None = None,
) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=final_url or url,
        status=status,
        headers={"content-type": "text/html; charset=UTF-8", **(headers or {})},
        body=body,
        redirects=redirects or [],
        error_kind=error_kind,
        error=f"{error_kind} happened" if error_kind else None,
    )


def cc_with(link: bytes, **kwargs: Any) -> FetchResult:
    return fetched(plant(load(CC), link), **kwargs)


GOOD = b'<a href="https://target.example/guide">the guide</a>'


# --- matching the target -----------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "http://target.example/guide",  # scheme
        "https://TARGET.Example/guide",  # host case
        "https://www.target.example/guide",  # www.
        "https://target.example/guide/",  # trailing slash
        "https://target.example/guide#pricing",  # fragment
        "https://target.example/guide?utm_source=blog&utm_medium=guest",  # utm_*
        "//target.example/guide",  # protocol-relative
        " https://target.example/gu\nide ",  # whitespace browsers ignore
    ],
)
def test_link_matches_target_after_normalisation(href: str) -> None:
    link = f'<a href="{href}">the guide</a>'.encode()
    result = analyse(cc_with(link), TARGET)
    assert result.verdict == "live"
    assert [x.anchor for x in result.links] == ["the guide"]


@pytest.mark.parametrize(
    "href",
    [
        "https://target.example/pricing",  # another page of our site
        "https://target.example/guide?page=2",  # a real query parameter
        "https://target.example/guide/chapter-1",
        "https://blog.target.example/guide",
        "https://target.example.evil.example/guide",
        "/guide",  # relative: resolves on the linking site, not ours
    ],
)
def test_links_to_other_pages_are_not_the_target(href: str) -> None:
    result = analyse(cc_with(f'<a href="{href}">x</a>'.encode()), TARGET)
    assert result.verdict == "missing" and result.links == []


def test_relative_link_on_a_page_of_the_target_site_matches() -> None:
    page_url = "https://www.target.example/blog/our-launch/"
    link = b'<a href="/guide">guide</a><a href="../../guide/">again</a>'
    result = analyse(cc_with(link, url=page_url), TARGET)
    assert [x.href for x in result.links] == [
        "https://www.target.example/guide",
        "https://www.target.example/guide/",
    ]


def test_relative_link_resolves_against_base_href() -> None:
    # the real page declares <base href="http://www.rs-ingenieure.de/">
    html = plant(
        load("rs-ingenieure.de.tragwerksplanung.html"),
        b'<a href="de/partner-tool">Partner</a>',
        after=b'safari5">',
    )
    page_url = "https://www.rs-ingenieure.de/de/hochbau/leistungen/tragwerksplanung"
    result = analyse(fetched(html, page_url), "https://rs-ingenieure.de/de/partner-tool")
    assert result.verdict == "live"
    assert [x.href for x in result.links] == ["http://www.rs-ingenieure.de/de/partner-tool"]


def test_percent_encoded_and_unicode_paths_match() -> None:
    link = b'<a href="https://target.example/caf%C3%A9-guide">cafe</a>'
    assert analyse(cc_with(link), "https://target.example/café-guide").verdict == "live"


def test_internationalised_host_matches_in_unicode_and_punycode() -> None:
    links = (
        '<a href="https://www.BÜCHER.example/katalog/">unicode</a>'
        '<a href="https://xn--bcher-kva.example/katalog">punycode</a>'
    ).encode()
    result = analyse(cc_with(links), "https://bücher.example/katalog")
    assert [x.anchor for x in result.links] == ["unicode", "punycode"]


def test_every_link_to_the_target_is_reported_with_its_placement() -> None:
    html = plant(load(CC), GOOD)
    html = plant(html, b'<a href="https://target.example/guide/">footer</a>', b'"site-info">')
    result = analyse(fetched(html), TARGET)
    assert [(x.anchor, x.placement) for x in result.links] == [
        ("the guide", "content"),
        ("footer", "footer"),
    ]


def test_image_link_reports_the_alt_as_anchor() -> None:
    link = b'<a href="https://target.example/guide"><img src="/b.png" alt="Target badge"></a>'
    assert [x.anchor for x in analyse(cc_with(link), TARGET).links] == ["Target badge"]


# --- passing authority -------------------------------------------------------------------


@pytest.mark.parametrize("rel", ["nofollow", "sponsored", "ugc", "noopener NOFOLLOW"])
def test_nofollow_link_is_reported_as_not_passing_authority(rel: str) -> None:
    link = f'<a href="{TARGET}" rel="{rel}">x</a>'.encode()
    result = analyse(cc_with(link), TARGET)
    assert result.verdict == "nofollow"
    assert [x.follows for x in result.links] == [False]
    assert result.indexable is True


def test_one_followed_link_among_nofollowed_ones_is_live() -> None:
    links = f'<a href="{TARGET}" rel="ugc">a</a><a href="{TARGET}" rel="noopener">b</a>'
    result = analyse(cc_with(links.encode()), TARGET)
    assert result.verdict == "live"
    assert [(x.follows, x.rel) for x in result.links] == [(False, ["ugc"]), (True, ["noopener"])]


@pytest.mark.parametrize("meta_name", ["robots", "googlebot", "GoogleBot"])
def test_page_level_meta_nofollow_makes_links_not_pass_authority(meta_name: str) -> None:
    meta = f'<meta name="{meta_name}" content="index, nofollow">'.encode()
    html = plant(plant(load(CC), GOOD), meta, after=b"<head>")
    result = analyse(fetched(html), TARGET)
    assert result.verdict == "nofollow" and result.index_blockers == []


def test_x_robots_tag_nofollow_makes_links_not_pass_authority() -> None:
    result = analyse(cc_with(GOOD, headers={"x-robots-tag": "nofollow"}), TARGET)
    assert result.verdict == "nofollow"


# --- index blockers ----------------------------------------------------------------------


def test_real_meta_robots_noindex_page_is_not_indexable() -> None:
    html = plant(load("wevolver.com.3dprinting.html"), GOOD, after=b"<body>")
    result = analyse(fetched(html, WEVOLVER_URL), TARGET)
    assert result.verdict == "not_indexable"
    assert result.index_blockers == ["meta_robots_noindex"]
    assert result.indexable is False


def test_googlebot_meta_none_is_a_noindex() -> None:
    html = plant(load(CC), b'<meta name="googlebot" content="none">', after=b"<head>")
    result = analyse(fetched(plant(html, GOOD)), TARGET)
    assert result.index_blockers == ["meta_robots_noindex"]
    assert [x.follows for x in result.links] == [False]


@pytest.mark.parametrize(
    ("header", "blocked"),
    [
        ("noindex", True),
        ("NOINDEX, nofollow", True),
        ("none", True),
        ("googlebot: noindex", True),
        ("otherbot: nofollow, googlebot: noindex", True),  # two headers joined by a comma
        ("noarchive, googlebot: noindex, nosnippet", True),
        ("otherbot: noindex", False),
        ("googlebot-news: noindex", False),
        ("unavailable_after: 25 Jun 2010 15:00:00 PST", False),
        ("max-snippet: -1, noarchive", False),
    ],
)
def test_x_robots_tag_noindex_is_a_blocker(header: str, blocked: bool) -> None:
    result = analyse(cc_with(GOOD, headers={"x-robots-tag": header}), TARGET)
    assert ("x_robots_tag_noindex" in result.index_blockers) is blocked
    assert result.verdict == ("not_indexable" if blocked else "live")


def test_x_robots_directives_scope_follows_the_user_agent_prefix() -> None:
    assert x_robots_directives("otherbot: noindex, googlebot: nofollow") == {"nofollow"}
    assert x_robots_directives(None) == set()


def test_canonical_pointing_elsewhere_is_a_blocker() -> None:
    # the real page's <link rel=canonical> names the clean URL; we fetched a variant
    result = analyse(cc_with(GOOD, url=CC_URL + "?replytocom=826"), TARGET)
    assert result.verdict == "not_indexable"
    assert result.index_blockers == ["canonical_elsewhere"]


def test_canonical_equal_after_normalisation_is_not_a_blocker() -> None:
    variant = CC_URL.replace("https://", "http://www.").rstrip("/") + "?utm_source=feed#top"
    result = analyse(cc_with(GOOD, url=variant), TARGET)
    assert result.index_blockers == [] and result.verdict == "live"


def test_canonical_is_compared_with_the_final_url_after_redirects() -> None:
    hop = Redirect(url="https://de.creativecommons.org/?p=1185", status=301)
    fetch = cc_with(GOOD, url="https://de.creativecommons.org/?p=1185", redirects=[hop])
    fetch.final_url = CC_URL
    result = analyse(fetch, TARGET)
    assert result.verdict == "live"
    assert result.redirects == [{"url": "https://de.creativecommons.org/?p=1185", "status": 301}]


@pytest.mark.parametrize(
    ("link_header", "blocked"),
    [
        ('<https://elsewhere.example/page>; rel="canonical"', True),
        ("</other-page>; rel=canonical", True),
        (f'<{CC_URL}>; rel="canonical"', False),
        ('<https://cdn.example/app.js>; rel="preload"; as="script"', False),
        ('<https://cdn.example/a.css>; rel=preload, <https://x.example/>; rel="canonical"', True),
    ],
)
def test_link_header_canonical_elsewhere_is_a_blocker(link_header: str, blocked: bool) -> None:
    html = load(CC).replace(b'rel="canonical"', b'rel="shortlink"')
    result = analyse(fetched(plant(html, GOOD), headers={"link": link_header}), TARGET)
    assert (result.index_blockers == ["canonical_elsewhere"]) is blocked


@pytest.mark.parametrize(("allows", "blockers"), [(False, ["robots_txt_disallow"]), (None, [])])
def test_robots_txt_disallowing_googlebot_is_a_blocker(
    allows: bool | None, blockers: list[str]
) -> None:
    result = analyse(cc_with(GOOD), TARGET, robots_allows_googlebot=allows)
    assert result.index_blockers == blockers
    assert result.indexable is (not blockers)


def test_all_blockers_are_reported_in_a_fixed_order() -> None:
    html = plant(load(CC), b'<meta name="robots" content="noindex">', after=b"<head>")
    fetch = fetched(plant(html, GOOD), CC_URL + "?amp=1", headers={"x-robots-tag": "noindex"})
    result = analyse(fetch, TARGET, robots_allows_googlebot=False)
    assert result.index_blockers == [
        "meta_robots_noindex",
        "x_robots_tag_noindex",
        "canonical_elsewhere",
        "robots_txt_disallow",
    ]


# --- verdict order -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["blocked_address", "robots_disallowed"])
def test_fetcher_refusal_is_blocked_not_page_error(kind: str) -> None:
    result = analyse(fetched(b"", status=None, error_kind=kind), TARGET)
    assert result.verdict == "blocked"
    assert result.error == f"{kind} happened"
    assert result.indexable is None


@pytest.mark.parametrize("kind", ["dns", "connect", "timeout", "too_large", "not_html"])
def test_network_failure_is_page_error(kind: str) -> None:
    result = analyse(fetched(b"", status=None, error_kind=kind), TARGET)
    assert result.verdict == "page_error" and result.error == f"{kind} happened"


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_http_error_after_redirects_is_page_error_even_with_the_link(status: int) -> None:
    hops = [Redirect(url=CC_URL.replace("https", "http"), status=301)]
    result = analyse(cc_with(GOOD, status=status, redirects=hops), TARGET)
    assert result.verdict == "page_error"
    assert result.error == f"HTTP {status}"
    assert result.http_status == status and result.links == []


def test_missing_wins_over_not_indexable() -> None:
    result = analyse(fetched(load("wevolver.com.3dprinting.html"), WEVOLVER_URL), TARGET)
    assert result.verdict == "missing"
    assert result.index_blockers == ["meta_robots_noindex"]


def test_not_indexable_wins_over_nofollow() -> None:
    link = f'<a href="{TARGET}" rel="sponsored">x</a>'.encode()
    result = analyse(cc_with(link, headers={"x-robots-tag": "noindex"}), TARGET)
    assert result.verdict == "not_indexable"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"), (b"", "text/html")],
)
def test_non_html_or_empty_body_is_missing_without_raising(body: bytes, content_type: str) -> None:
    result = analyse(fetched(body, headers={"content-type": content_type}), TARGET)
    assert result.verdict == "missing" and result.error is None


def test_invalid_target_never_raises_and_matches_nothing() -> None:
    assert analyse(cc_with(GOOD), "javascript:alert(1)").verdict == "missing"


# --- output ------------------------------------------------------------------------------


def test_as_json_has_exactly_the_documented_keys_and_is_deterministic() -> None:
    fetch = cc_with(GOOD, redirects=[Redirect(url="http://de.creativecommons.org/x", status=301)])
    first, second = analyse(fetch, TARGET).as_json(), analyse(fetch, TARGET).as_json()
    assert first == second
    assert list(first) == [
        "page_url",
        "final_url",
        "http_status",
        "redirects",
        "verdict",
        "indexable",
        "index_blockers",
        "links",
        "error",
    ]
    assert first["links"] == [
        {
            "href": TARGET,
            "anchor": "the guide",
            "rel": [],
            "follows": True,
            "placement": "content",
        }
    ]
    assert first["redirects"] == [{"url": "http://de.creativecommons.org/x", "status": 301}]
    assert json.loads(json.dumps(first)) == first
