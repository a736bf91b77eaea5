"""Realistic, deterministic Ahrefs export files for tests and benchmarks.

``write_ahrefs_export`` streams rows to disk (a 1,000,000-row file never sits in
memory) in Ahrefs' own shapes: UTF-16LE with a byte-order mark and tabs (what
Ahrefs calls "UTF-16 for Microsoft Excel", its default) or UTF-8 CSV, every field
quoted as Ahrefs writes them.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

AHREFS_BACKLINK_COLUMNS = (
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains",
    "Linked domains", "External links", "Page traffic", "Keywords", "Target URL",
    "Left context", "Anchor", "Right context", "Type", "Content", "Nofollow", "UGC",
    "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status",
    "Author", "Page type", "Page category", "Is spam", "First seen", "Last seen", "Lost",
)  # fmt: skip
AHREFS_REFDOMAIN_COLUMNS = (
    "#", "Domain", "Is spam", "DR", "Dofollow ref. domains", "Dofollow linked domains",
    "Traffic", "Keywords", "Links to target", "New links", "Lost links", "Dofollow links",
    "First seen", "Lost",
)  # fmt: skip

_WORDS = (
    "green", "kitchen", "tech", "daily", "media", "garden", "travel", "money", "pixel",
    "north", "urban", "health", "smart", "home", "review", "studio", "craft", "hub", "nomad",
    "alpine", "river", "coffee", "bike", "photo", "market", "finance", "wander", "maker",
)  # fmt: skip
# Suffix, weight. Private suffixes (blogspot.com, github.io) make each blog its own site.
_SUFFIXES = (
    ("com", 40), ("co.uk", 8), ("de", 8), ("net", 6), ("org", 6), ("io", 4), ("com.au", 4),
    ("fr", 3), ("blogspot.com", 3), ("github.io", 2), ("es", 3), ("it", 3), ("nl", 3),
    ("co.jp", 2), ("org.uk", 2), ("ca", 3),
)  # fmt: skip
_SUBDOMAINS = ("", "www.", "www.", "blog.", "news.", "forum.", "de.", "shop.")
_LANGUAGES = ("en", "en", "en", "de", "fr", "es", "ja", "it", "nl", "ru")
_PLATFORMS = ("cms", "blogs", "forums", "wiki", "ecommerce", "")
_TITLES = (
    '10 best "budget" laptops, tested in {year}',
    "Les meilleurs outils SEO \u2013 guide complet ({n})",
    "Günstige Küchengeräte: Test & Vergleich, Teil {n}",
    "東京のおすすめカフェ{n}選",
    "Why link building still matters, in {year}",
    "Café culture, explained: part {n}",
    "Обзор лучших VPN-сервисов #{n}",
    'Review: the "pro" plan, pros, cons & pricing',
    "How to grow tomatoes on a balcony (step {n})",
    "Resources & tools we love; updated {year}",
)  # fmt: skip
_ANCHORS = (
    "click here", "this guide", "{target}", "https://{target}/", "best tools", "", "source",
    "read more", 'the "ultimate" checklist', "Übersicht", "here", "pricing, plans & more",
)  # fmt: skip
_SECTIONS = ("blog", "news", "guides", "reviews", "forum/topic", "resources", "2023/05")
_TARGET_PATHS = ("", "blog/seo-guide", "pricing", "tools/checker", "blog/case-study-2", "about")
_LOST_STATUS = ("Link removed", "Page not found", "Redirected", "Noindex")
_EPOCH = datetime(2019, 1, 1)


def _source_domain(index: int, rng: random.Random) -> str:
    name = _WORDS[index % len(_WORDS)] + _WORDS[(index // len(_WORDS)) % len(_WORDS)]
    suffix = rng.choices([s for s, _ in _SUFFIXES], [w for _, w in _SUFFIXES])[0]
    return f"{name}{'-' if index % 3 == 0 else ''}{index}.{suffix}"


def _stamp(day: float) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")


def _backlink_rows(
    rows: int, targets: Sequence[str], domain_count: int, rng: random.Random
) -> Iterator[list[str]]:
    domains = [_source_domain(i, rng) for i in range(domain_count)]
    hosts = [[rng.choice(_SUBDOMAINS) + d for _ in range(rng.randint(1, 3))] for d in domains]
    drs = [str(min(100, int(rng.expovariate(1 / 25)))) for _ in domains]
    traffic = [str(int(rng.paretovariate(1.2) * 40) - 40) for _ in domains]
    target_urls = [
        f"https://{'www.' if i % 2 else ''}{t}/{p}"
        for i, t in enumerate(targets)
        for p in _TARGET_PATHS
    ]
    rand = rng.random
    for _ in range(rows):
        d = int(domain_count * rand() ** 2.2)  # a few big sites, a long tail
        page = int(200 * rand() ** 2)
        h = (d * 1_000_003 + page) * 2_654_435_761 & 0xFFFFFFFF
        host = hosts[d][h % len(hosts[d])]
        if h % 17 == 0:
            path = f"/forum/viewtopic.php?t={page}&utm_source=feed"
        elif h % 5 == 0:
            path = f"/{_SECTIONS[h % 7]}/{_WORDS[h % 28]}-{page}/"
        else:
            path = f"/{_SECTIONS[h % 7]}/{_WORDS[h % 28]}-{_WORDS[h % 23]}-{page}"
        url = f"{'http' if h % 11 == 0 else 'https'}://{host}{path}"
        target = target_urls[int(rand() * len(target_urls))]
        title = _TITLES[h % len(_TITLES)].format(year=2018 + h % 7, n=page)
        anchor = _ANCHORS[int(rand() * len(_ANCHORS))].format(target=target.split("/")[2])
        flags = rand()
        first = (h % 1800) + rand()
        last = first + rand() * (2190 - first)
        lost = flags > 0.97
        yield [
            title, url, _LANGUAGES[h % 10], _PLATFORMS[h % 6], "200", drs[d], str(h % 60),
            traffic[d], str(h % 5000), str(h % 300), str(h % 120), str(h % 900), str(h % 400),
            target, f"We tried {h % 40} options, and", anchor, "is the one we keep, truly.",
            "image" if not anchor else "text", "true" if h % 4 else "false",
            "true" if flags < 0.2 else "false", "true" if 0.2 <= flags < 0.25 else "false",
            "true" if 0.25 <= flags < 0.28 else "false", "true", "true",
            _LOST_STATUS[h % 4] if lost else "", "", "", "", "article", "", "false",
            _stamp(first), _stamp(last), _stamp(last + 3) if lost else "",
        ]  # fmt: skip


def _refdomain_rows(rows: int, rng: random.Random) -> Iterator[list[str]]:
    rand = rng.random
    for i in range(rows):
        first = rand() * 1800
        lost = rand() > 0.97
        yield [
            str(i + 1), _source_domain(i, rng), "false", str(min(100, int(rng.expovariate(0.04)))),
            str(int(rand() * 5000)), str(int(rand() * 300)), str(int(rand() * 90000)),
            str(int(rand() * 4000)), str(1 + int(rand() * 30)), "0", "1" if lost else "0",
            str(int(rand() * 10)), _stamp(first), _stamp(first + 400) if lost else "",
        ]  # fmt: skip


def write_ahrefs_export(
    path: str | Path,
    rows: int,
    *,
    target_domains: Sequence[str],
    source_domain_count: int = 5000,
    seed: int = 0,
    encoding: str = "utf-16",
    kind: str = "backlinks",
) -> None:
    """Write an Ahrefs "backlinks" or "refdomains" export of ``rows`` data rows to ``path``.

    ``encoding`` is ``"utf-16"`` (little endian with BOM, tab-separated, Ahrefs' default),
    ``"utf-8"`` or ``"utf-8-sig"`` (comma-separated). Same arguments, same bytes.
    """
    if encoding not in ("utf-16", "utf-8", "utf-8-sig"):
        raise ValueError(f"unsupported encoding {encoding!r}")
    if kind not in ("backlinks", "refdomains"):
        raise ValueError(f"unknown kind {kind!r}")
    if not target_domains:
        raise ValueError("at least one target domain is needed")
    rng = random.Random(seed)
    if kind == "backlinks":
        header: Sequence[str] = AHREFS_BACKLINK_COLUMNS
        body = _backlink_rows(rows, target_domains, max(1, source_domain_count), rng)
    else:
        header, body = AHREFS_REFDOMAIN_COLUMNS, _refdomain_rows(rows, rng)
    with open(path, "wb") as raw:
        if encoding == "utf-16":
            raw.write(b"\xff\xfe")  # explicit little endian, whatever the machine
        text = io.TextIOWrapper(
            raw,
            encoding="utf-16-le" if encoding == "utf-16" else encoding,
            newline="",
            write_through=False,
        )
        writer = csv.writer(
            text,
            delimiter="\t" if encoding == "utf-16" else ",",
            quoting=csv.QUOTE_ALL,
            lineterminator="\n",
        )
        writer.writerow(header)
        writer.writerows(body)
        text.flush()
        text.detach()


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m tests.support.exportgen OUT --rows N --target a.com``."""
    parser = argparse.ArgumentParser(description="Write a synthetic Ahrefs export.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--target", action="append", required=True, dest="targets")
    parser.add_argument("--domains", type=int, default=5000, help="distinct source domains")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--utf8", action="store_true", help="UTF-8 CSV instead of UTF-16 TSV")
    parser.add_argument("--refdomains", action="store_true", help="a referring-domains export")
    args = parser.parse_args(argv)
    write_ahrefs_export(
        args.out,
        args.rows,
        target_domains=args.targets,
        source_domain_count=args.domains,
        seed=args.seed,
        encoding="utf-8" if args.utf8 else "utf-16",
        kind="refdomains" if args.refdomains else "backlinks",
    )


if __name__ == "__main__":
    main()
