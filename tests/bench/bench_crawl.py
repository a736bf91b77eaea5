"""Crawl benchmark: 5,000 real corpus pages over 500 simulated hosts, 100 ms per response.

Runs the crawl job's own code (``outreach.crawl.jobs.run_crawl``) against a simulated web
served from a separate process (so the server does not share the crawler's GIL), through the
proxy setting. Run with ``make bench`` or ``python -m tests.bench.bench_crawl [--hosts N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.shared import shared_dir

ROOT = Path(__file__).resolve().parents[2]
CORPUS = shared_dir("corpus", "web-pages")
RESULTS = ROOT / "bench-results"


def _pages() -> list[bytes]:
    if CORPUS is None:
        raise SystemExit("the crawl benchmark needs ../shared/corpus/web-pages beside the checkout")
    files = sorted(p for p in CORPUS.glob("*.html") if p.stat().st_size < 400_000)
    return [p.read_bytes() for p in files]


def _with_nav(page: bytes, nav: bytes) -> bytes:
    body = page.find(b"<body")
    at = page.find(b">", body) + 1 if body >= 0 else 0
    return page[:at] + b"<p>" + nav + b"</p>" + page[at:]


def serve(pages_per_host: int, latency: float) -> None:
    """Child process: run the simulated web until stdin closes, then print its stats."""
    from tests.support.simweb import run_simweb

    # A <base href> or a robots nofollow meta tag would send the crawler to the real site
    # or stop it following links: neutralise them so every host has its full set of pages.
    nav = "".join(f'<a href="/p{n}">p{n}</a> ' for n in range(1, pages_per_host)).encode()
    corpus = [
        _with_nav(p.replace(b"<base", b"<xbase").replace(b"nofollow", b"follow"), nav)
        for p in _pages()
    ]

    def handler(host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 404, {"Content-Type": "text/plain"}, b""
        index = hash((host, path)) % len(corpus)
        return 200, {"Content-Type": "text/html"}, corpus[index]

    with run_simweb(handler, latency=latency) as web:
        print(json.dumps({"proxy": web.proxy_url}), flush=True)
        sys.stdin.read()
        stats = {
            "requests": web.requests,
            "max_in_flight_per_host": max(web.max_in_flight_per_host.values(), default=0),
            "max_in_flight_total": web.max_in_flight_total,
        }
        print(json.dumps(stats), flush=True)


def run(hosts: int, pages_per_host: int, latency: float) -> dict[str, Any]:
    """Crawl ``hosts`` x ``pages_per_host`` pages with the job's code; returns the figures."""
    import logging

    logging.disable(logging.WARNING)
    from flask_migrate import upgrade

    from outreach import create_app
    from outreach.accounts import services as accounts
    from outreach.campaigns.services import create_campaign
    from outreach.crawl import services
    from outreach.crawl.jobs import run_crawl
    from outreach.crawl.models import CrawlRun
    from outreach.extensions import db
    from outreach.jobs.process import set_worker_app

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_crawl",
            "--serve",
            "--pages",
            str(pages_per_host),
            "--latency",
            str(latency),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    proxy = json.loads(server.stdout.readline())["proxy"]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "INSTANCE_PATH": folder,
                "SECRET_KEY": "bench-secret-key-long-enough-for-production",
                "OUTREACH_HTTP_PROXY": proxy,
                "OUTREACH_PER_HOST_DELAY": 0.0,
            }
        )
        set_worker_app(app)
        with app.app_context():
            upgrade()
            user = accounts.create_user("b@example.com", "bench-password", "Bench")
            space = accounts.create_workspace(user, "Bench", "ours.example")
            campaign = create_campaign(space.id, "Bench", competitors=["rival.example"])
            run_row = services.create_run(
                campaign,
                sites="\n".join(f"site-{n}.example" for n in range(hosts)),
                max_depth=3,
                max_pages_per_site=pages_per_host,
                check_broken_links=False,
                find_contacts=False,
            )
            db.session.commit()
            run_id = run_row.id
        started = time.perf_counter()
        run_crawl(run_id)
        elapsed = time.perf_counter() - started
        with app.app_context():
            done = db.session.get(CrawlRun, run_id)
            assert done is not None
            fetched, failed = done.pages_fetched, done.pages_failed
    server.stdin.close()
    stats = json.loads(server.stdout.readline())
    server.wait(10)
    assert stats["max_in_flight_per_host"] <= 2, stats
    return {
        "hosts": hosts,
        "pages": fetched,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "pages_per_second": round(fetched / elapsed, 1),
        "latency_s": latency,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        **stats,
    }


def main() -> None:
    """Run the benchmark and print (and save) its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    if args.serve:
        serve(args.pages, args.latency)
        return
    figures = run(args.hosts, args.pages, args.latency)
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crawl.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
