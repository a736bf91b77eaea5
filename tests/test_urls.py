"""Registrable domains: each blog on a hosting platform is its own site."""

from __future__ import annotations

import pytest

from outreach import urls
from outreach.urls import HOSTED_BLOG_PLATFORMS, InvalidURL, clean_domain, registrable_domain


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("x.blogspot.com", "x.blogspot.com"),
        ("x.blogspot.in", "x.blogspot.com"),
        ("x.blogspot.co.uk", "x.blogspot.com"),
        ("x.blogspot.com.br", "x.blogspot.com"),
        ("x.blogspot.de", "x.blogspot.com"),
        ("www.x.blogspot.fr", "x.blogspot.com"),
        ("alice.wordpress.com", "alice.wordpress.com"),
        ("alice.tumblr.com", "alice.tumblr.com"),
        ("alice.medium.com", "alice.medium.com"),
        ("alice.substack.com", "alice.substack.com"),
        ("alice.wixsite.com", "alice.wixsite.com"),
        ("www.alice.wixsite.com", "alice.wixsite.com"),
        ("alice.weebly.com", "alice.weebly.com"),
        ("alice.livejournal.com", "alice.livejournal.com"),
        ("alice.github.io", "alice.github.io"),
        ("alice.netlify.app", "alice.netlify.app"),
    ],
)
def test_each_hosted_blog_is_its_own_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain
    assert registrable_domain(f"https://{host}/2024/05/a-post.html") == domain


def test_two_blogs_on_one_platform_stay_apart() -> None:
    assert registrable_domain("x.blogspot.in") != registrable_domain("y.blogspot.in")
    assert registrable_domain("a.wordpress.com") != registrable_domain("b.wordpress.com")


@pytest.mark.parametrize("platform", sorted(HOSTED_BLOG_PLATFORMS))
def test_the_platform_itself_and_its_www_stay_the_platform(platform: str) -> None:
    assert registrable_domain(platform) == platform
    assert registrable_domain(f"www.{platform}") == platform


def test_ordinary_sites_are_unchanged() -> None:
    assert registrable_domain("blog.example.co.uk") == "example.co.uk"
    assert registrable_domain("shop.blogspotter.com") == "blogspotter.com"
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Example.COM", "example.com"),
        (" blog.example.org. ", "blog.example.org"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("x.blogspot.in", "x.blogspot.in"),
    ],
)
def test_clean_domain_reads_domain_names(raw: str, clean: str) -> None:
    assert clean_domain(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "localhost",
        "127.0.0.1",
        "https://example.com/page",
        "exa mple.com",
        "-bad.com",
        "a" * 64 + ".com",
        ("a" * 60 + ".") * 5 + "com",
        "x" * 1_000_000,
        "<script>.com",
        "example..com",
    ],
)
def test_clean_domain_refuses_what_is_not_a_domain_name(raw: str) -> None:
    with pytest.raises(InvalidURL):
        clean_domain(raw)


def _slow_registrable(host: str) -> str:
    """registrable_domain through its general path (IP check, IDNA, tldextract), never the
    plain-host shortcut."""
    return urls.registrable_domain(host + ".")  # a trailing dot is not a plain host


def test_plain_host_shortcut_matches_tldextract_on_every_rule() -> None:
    """Every suffix rule of the bundled list, as a suffix, under one label and under two,
    including wildcards (``*.ck``), their exceptions (``!www.ck``) and hosted blogs."""
    import random

    trie_owner = urls._extract._get_tld_extractor()
    hosts = {"a.b.blogspot.co.uk", "x.blogspot.com", "www.wordpress.com", "me.wordpress.com",
             "a.b.tumblr.com", "a.ck", "www.ck", "b.www.ck", "x.y.ck", "localhost.localdomain",
             "a.b.c.d.e.co.jp", "1.2.3.a4", "example.com", "com", "shop.example.co.uk"}  # fmt: skip
    for rule in trie_owner.tlds_incl_private:
        rule = rule.lstrip("!").replace("*", "wild")
        if not rule.isascii() or "xn--" in rule:
            continue
        hosts.update((rule, f"site.{rule}", f"www.site.{rule}"))
    rng = random.Random(7)
    for i in range(500):
        sub, suffix = rng.choice(["", "www.", "blog."]), rng.choice(["com", "co.uk", "github.io"])
        hosts.add(f"{sub}n{i}.{suffix}")
    plain = [h for h in hosts if urls._PLAIN_HOST(h)]
    assert len(plain) > 20_000
    mismatches = [h for h in plain if urls.registrable_domain(h) != _slow_registrable(h)]
    assert mismatches == []
