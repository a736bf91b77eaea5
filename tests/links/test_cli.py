"""``flask verify-link``: every verdict, blocker, normalisation and placement end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from outreach.links.verification import INDEX_BLOCKERS, VERDICTS
from tests.links.conftest import LINK, TARGET, Web, cc_page, load
from tests.support.simweb import Response, redirect, run_site

KEYS = {
    "page_url",
    "final_url",
    "http_status",
    "redirects",
    "verdict",
    "indexable",
    "index_blockers",
    "links",
    "error",
}
CANONICAL = re.compile(rb'<link rel="canonical"[^>]*>')
WEVOLVER = "http://www.wevolver.com/article/3dprinting.gets.a.turbo.boost.from.um.technology"


def page(
    link: bytes = LINK, after: bytes = b'<div class="entry-content">', head: bytes = b""
) -> bytes:
    """The real CC post, served anywhere (its canonical removed), with a link and head tags."""
    html = CANONICAL.sub(b"", cc_page(link, after))
    return html.replace(b"<head>", b"<head>" + head, 1)


def a(href: str, rel: str = "") -> bytes:
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a href="{href}"{rel_attr}>the guide</a>'.encode()


NORMALISED = [
    "http://ours.example/guide",
    "https://OURS.Example/guide",
    "https://www.ours.example/guide",
    "https://ours.example/guide/",
    "https://ours.example/guide#pricing",
    "https://ours.example/guide?utm_source=blog&utm_medium=guest",
    "//ours.example/guide",
    " https://ours.example/gu\nide ",
]
PLACEMENTS = {
    "content": b'<div class="entry-content">',
    "header": b'<div class="site-branding">',
    "navigation": b'<ul id="menu-seiten-navigation" class="primary-menu">',
    "sidebar": b'<section id="categories-2" class="widget widget_categories">',
    "comments": b'<div class="comment-content">',
    "footer": b'<div class="site-info">',
}


def serve_matrix(web: Web) -> dict[str, str]:
    """Serve one page per case; returns case -> page URL."""
    cases: dict[str, str] = {}

    def add(case: str, reply: Any, host: str | None = None) -> None:
        url = f"http://{host or case.replace('_', '-') + '.example'}/post"
        cases[case] = web.serve(url, reply)

    add("live", page())
    for rel in ("nofollow", "sponsored", "ugc"):
        add(f"rel_{rel}", page(a(TARGET, rel)))
    add("missing", page(b""))
    add("page_404", Response(404, {}, page()))
    add("page_500", Response(500, {}, page()))
    add("robots_blocked", page())
    web.serve("http://robots-blocked.example/robots.txt", (200, {}, b"User-agent: *\nDisallow: /"))
    cases["blocked_address"] = "http://10.1.2.3/post"
    add("meta_noindex", page(head=b'<meta name="robots" content="noindex">'))
    add(
        "real_noindex",
        load("wevolver.com.3dprinting.html").replace(b"</article>", LINK + b"</article>", 1),
    )
    cases["real_noindex"] = web.serve(WEVOLVER, web.pages.pop(("real-noindex.example", "/post")))
    add("header_noindex", Response(200, {"X-Robots-Tag": "googlebot: noindex"}, page()))
    add("canonical", page(head=b'<link rel="canonical" href="https://elsewhere.example/x">'))
    add("googlebot_disallowed", page())
    web.serve(
        "http://googlebot-disallowed.example/robots.txt",
        (200, {}, b"User-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nAllow: /"),
    )
    add("redirected", redirect("http://redirected.example/new", 301))
    web.serve("http://redirected.example/new", page())
    for number, href in enumerate(NORMALISED):
        add(f"norm_{number}", page(a(href)))
    for name, after in PLACEMENTS.items():
        add(f"place_{name}", page(after=after))
    return cases


def run_batch(
    runner: FlaskCliRunner, tmp_path: Path, rows: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    csv_file = tmp_path / "links.csv"
    csv_file.write_text("page_url,target_url\n" + "".join(f'"{p}",{t}\n' for p, t in rows))
    result = runner.invoke(args=["verify-link", "--batch", str(csv_file)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_batch_covers_every_verdict_blocker_normalisation_and_placement(
    web_app: Flask, web: Web, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    cases = serve_matrix(web)
    results = run_batch(runner, tmp_path, [(url, TARGET) for url in cases.values()])
    by_url = {r["page_url"]: r for r in results}
    assert len(results) == len(cases) and all(set(r) == KEYS for r in results)
    got = {case: by_url[url] for case, url in cases.items()}
    verdicts = {case: r["verdict"] for case, r in got.items()}
    assert verdicts["live"] == "live" and got["live"]["indexable"] is True
    assert {verdicts[f"rel_{rel}"] for rel in ("nofollow", "sponsored", "ugc")} == {"nofollow"}
    assert [got[f"rel_{r}"]["links"][0]["rel"] for r in ("nofollow", "sponsored", "ugc")] == [
        ["nofollow"],
        ["sponsored"],
        ["ugc"],
    ]
    assert verdicts["missing"] == "missing"
    assert (verdicts["page_404"], got["page_404"]["http_status"]) == ("page_error", 404)
    assert (verdicts["page_500"], got["page_500"]["http_status"]) == ("page_error", 500)
    assert (
        verdicts["robots_blocked"] == "blocked" and "robots.txt" in got["robots_blocked"]["error"]
    )
    assert verdicts["blocked_address"] == "blocked"
    blockers = {
        case: got[case]["index_blockers"]
        for case in (
            "meta_noindex",
            "real_noindex",
            "header_noindex",
            "canonical",
            "googlebot_disallowed",
        )
    }
    assert blockers == {
        "meta_noindex": ["meta_robots_noindex"],
        "real_noindex": ["meta_robots_noindex"],
        "header_noindex": ["x_robots_tag_noindex"],
        "canonical": ["canonical_elsewhere"],
        "googlebot_disallowed": ["robots_txt_disallow"],
    }
    assert {verdicts[case] for case in blockers} == {"not_indexable"}
    assert set(INDEX_BLOCKERS) == {b for found in blockers.values() for b in found}
    assert verdicts["redirected"] == "live"
    assert got["redirected"]["redirects"] == [{"url": cases["redirected"], "status": 301}]
    assert got["redirected"]["final_url"] == "http://redirected.example/new"
    assert {verdicts[f"norm_{n}"] for n in range(len(NORMALISED))} == {"live"}
    placements = {name: got[f"place_{name}"]["links"][0]["placement"] for name in PLACEMENTS}
    assert placements == {name: name for name in PLACEMENTS}
    assert set(VERDICTS) == set(verdicts.values())
    assert max(web.server.max_in_flight_per_host.values()) <= 2


def test_batch_prints_each_check_as_soon_as_it_finishes(
    web_app: Flask, web: Web, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    slow = web.serve("http://slow.example/post", Response(200, {}, page(), delay=1.0))
    fast = web.serve("http://fast.example/post", page())
    results = run_batch(runner, tmp_path, [(slow, TARGET), (fast, TARGET)])
    assert [r["page_url"] for r in results] == [fast, slow]


def test_single_check_prints_the_documented_json(
    web_app: Flask, web: Web, runner: FlaskCliRunner
) -> None:
    url = web.serve("http://one.example/post", page(a(TARGET, "sponsored")))
    result = runner.invoke(args=["verify-link", url, TARGET])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == KEYS and data["verdict"] == "nofollow"
    assert data["links"] == [
        {
            "href": TARGET,
            "anchor": "the guide",
            "rel": ["sponsored"],
            "follows": False,
            "placement": "content",
        }
    ]


def test_allowed_networks_setting_lets_a_local_site_be_checked(
    app: Flask, runner: FlaskCliRunner
) -> None:
    app.config.update(OUTREACH_HTTP_PROXY=None, OUTREACH_PER_HOST_DELAY=0.0)
    with run_site({"/post": (200, {}, page())}) as base:
        app.config["OUTREACH_ALLOWED_NETWORKS"] = ()
        refused = json.loads(runner.invoke(args=["verify-link", f"{base}/post", TARGET]).output)
        app.config["OUTREACH_ALLOWED_NETWORKS"] = ("127.0.0.0/8",)
        allowed = json.loads(runner.invoke(args=["verify-link", f"{base}/post", TARGET]).output)
    assert refused["verdict"] == "blocked" and "127.0.0.1" in refused["error"]
    assert allowed["verdict"] == "live"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"url,target\nhttps://a.example/,https://b.example/\n", "missing page_url, target_url"),
        (b"page_url,target_url\n", "no rows to check"),
        (b"page_url,target_url\nhttps://a.example/,\n", "line 2: page_url and target_url"),
        (b"page_url,target_url\n\xff\xfe\xfa,x\n", "not UTF-8"),
        (b"", "missing page_url, target_url (found: nothing)"),
    ],
)
def test_bad_csv_gets_a_clear_message(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_bytes(content)
    result = runner.invoke(args=["verify-link", "--batch", str(csv_file)])
    assert result.exit_code != 0 and message in result.output


def test_arguments_or_batch_are_required(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["verify-link"])
    assert result.exit_code == 2 and "PAGE_URL and TARGET_URL" in result.output
