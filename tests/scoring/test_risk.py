"""Every risk flag, on real pages where the web has them (the scam page among them)."""

from __future__ import annotations

import pytest

from outreach.scoring.page_facts import PageFacts, analyse_page
from outreach.scoring.risk import Blocklist, flags_of, page_flags, vendor_flags
from tests.support.shared import require_shared

WORDS = " ".join(["The garden needs water and light in spring."] * 30)


def _page(body: str) -> str:
    return f"<html><head><title>t</title></head><body><main>{body}</main></body></html>"


def _codes(html: str, topic: tuple[str, ...] = ()) -> set[str]:
    return {flag.code for flag in page_flags(html, "https://example.org/post", topic)}


def test_the_real_scam_page_is_flagged() -> None:
    html = require_shared("corpus", "misc", "scam.html").read_text(errors="replace")
    flags = {flag.code: flag.message for flag in page_flags(html, "http://scamlist.example/")}
    assert {"link_farm", "fraud"} <= flags.keys()
    assert "other sites" in flags["link_farm"]


@pytest.mark.parametrize(
    "name",
    ["blog.python.org.html", "caktusgroup.com.django.html", "finanztip.de.altersvorsorge.html"],
)
def test_ordinary_real_pages_raise_no_flag(name: str) -> None:
    html = require_shared("corpus", "web-pages", name).read_text(errors="replace")
    assert _codes(html) == set()


def test_a_real_page_with_injected_casino_spam_is_flagged_gambling() -> None:
    html = require_shared("corpus", "web-pages", "silvias.net.wahlzensur.html").read_bytes()
    assert "gambling" in _codes(html.decode("utf-8", "replace"))


def test_a_page_linking_to_hundreds_of_sites_is_a_link_farm() -> None:
    links = "".join(f'<a href="https://site{n}.com/">site {n}</a> ' for n in range(120))
    assert "link_farm" in _codes(_page(WORDS + links))
    few = "".join(f'<a href="https://site{n}.com/">site {n}</a> ' for n in range(20))
    assert "link_farm" not in _codes(_page(WORDS + few))


def test_link_selling_pages_are_flagged_in_several_languages() -> None:
    assert "link_selling" in _codes(_page(WORDS + "<p>Buy high quality backlinks today!</p>"))
    assert "link_selling" in _codes(_page(WORDS + "<p>Guest post price: $50 per article.</p>"))
    assert "link_selling" in _codes(_page(WORDS + "<p>Our PBN links rank you fast.</p>"))
    assert "link_selling" in _codes(_page(WORDS + "<p>Hier Backlinks kaufen.</p>"))
    assert "link_selling" not in _codes(_page(WORDS + "<p>We earned links by writing well.</p>"))


def test_a_thin_page_is_flagged() -> None:
    assert "thin_page" in _codes(_page("<p>Just a few words here.</p>"))
    assert "thin_page" not in _codes(_page(WORDS))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("gambling", "online casino poker roulette jackpot"),
        ("pharma", "viagra cialis without prescription online pharmacy"),
        ("adult", "porn xxx escorts sex cams"),
    ],
)
def test_vice_vocabulary_is_flagged_unless_the_topic_is_about_it(code: str, words: str) -> None:
    html = _page(WORDS + f"<p>{words}</p>")
    assert code in _codes(html)
    assert code not in _codes(html, topic=(words.split()[1],))


def test_one_passing_word_is_no_vice() -> None:
    assert _codes(_page(WORDS + "<p>A poker face at the garden show.</p>")) == set()


def test_page_facts_survive_a_round_trip_through_json() -> None:
    facts = analyse_page(
        _page(WORDS + '<a href="https://rival.com/x">r</a>'), "https://e.org/", ["rival.com"]
    )
    assert facts.placements == ["content"] and facts.outbound_links == 1
    again = PageFacts.from_json(facts.as_json())
    assert again == facts and again is not None and flags_of(again) == []
    assert PageFacts.from_json({}) is None


def test_vendor_flags_follow_ahrefs_and_moz() -> None:
    assert [f.code for f in vendor_flags(True, None)] == ["ahrefs_spam"]
    assert [f.code for f in vendor_flags(None, 61.0)] == ["moz_spam"]
    assert vendor_flags(False, 31.0) == []


def test_the_blocklist_matches_domains_their_subdomains_and_tlds() -> None:
    blocklist = Blocklist(domains=["spammy.com"], tlds=["xyz", ".co.zz"])
    assert blocklist.flag("spammy.com") is not None
    assert blocklist.flag("blog.spammy.com") is not None
    assert blocklist.flag("notspammy.com") is None
    flag = blocklist.flag("cheap.xyz")
    assert flag is not None and flag.code == "blocked" and ".xyz" in flag.message
    assert blocklist.flag("shop.co.zz") is not None
    assert blocklist.flag("xyz.com") is None
