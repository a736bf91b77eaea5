"""Relevance fetch benchmark: linking pages of 1,000 intersect domains, 100 ms per response.

Runs ``fetch_pages_for_campaign`` (the job's own code: safe fetcher through the proxy setting,
per-host politeness, trafilatura, stems, then the relevance refresh) against a simulated web
of real corpus pages served from a separate process, then reads relevance back as rescoring
does. Run with ``make bench`` or ``python -m tests.bench.bench_fetch [--domains N]``.
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
PAGES_PER_DOMAIN = 3


def serve(latency: float) -> None:
    """Child process: run the simulated web until stdin closes, then print its stats."""
    from tests.support.simweb import run_simweb

    if CORPUS is None:
        raise SystemExit("the fetch benchmark needs ../shared/corpus/web-pages beside the checkout")
    corpus = [p.read_bytes() for p in sorted(CORPUS.glob("*.html")) if p.stat().st_size < 400_000]

    def handler(host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 404, {"Content-Type": "text/plain"}, b""
        return 200, {"Content-Type": "text/html"}, corpus[hash((host, path)) % len(corpus)]

    with run_simweb(handler, latency=latency) as web:
        print(json.dumps({"proxy": web.proxy_url}), flush=True)
        sys.stdin.read()
        stats = {
            "requests": web.requests,
            "max_in_flight_per_host": max(web.max_in_flight_per_host.values(), default=0),
            "max_in_flight_total": web.max_in_flight_total,
        }
        print(json.dumps(stats), flush=True)


def run(domains: int, latency: float, delay: float) -> dict[str, Any]:
    """Fetch ``domains`` x 3 linking pages with the job's code; returns the figures."""
    import logging

    logging.disable(logging.WARNING)
    from flask_migrate import upgrade

    from outreach import create_app
    from outreach.accounts import services as accounts
    from outreach.campaigns.services import create_campaign
    from outreach.extensions import db
    from outreach.scoring.jobs_fetch import fetch_pages_for_campaign
    from outreach.scoring.relevance import relevance_by_domain
    from tests.scoring.seed import link

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_fetch", "--serve", "--latency", str(latency)],
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
                "SECRET_KEY": "bench",
                "OUTREACH_HTTP_PROXY": proxy,
                "OUTREACH_PER_HOST_DELAY": delay,
            }
        )
        with app.app_context():
            upgrade()
            user = accounts.create_user("b@example.com", "bench-password", "Bench")
            space = accounts.create_workspace(user, "Bench", "ours.example")
            campaign = create_campaign(
                space.id, "Bench", competitors=["rival.example"],
                topic_keywords=["climate", "renewable energy", "Klimaschutz", "Energiewende"],
            )  # fmt: skip
            names = [f"site-{n}.example" for n in range(domains)]
            for name in names:
                for page in range(PAGES_PER_DOMAIN):
                    link(campaign, f"http://{name}/post-{page}", "https://rival.example/")
            db.session.commit()
            started = time.perf_counter()
            counts = fetch_pages_for_campaign(campaign.id)
            elapsed = time.perf_counter() - started
            db.session.commit()
            read_started = time.perf_counter()
            found = relevance_by_domain(campaign.id, names)
            read_seconds = time.perf_counter() - read_started
            known = sum(signal.value is not None for signal in found.values())
    server.stdin.close()
    stats = json.loads(server.stdout.readline())
    server.wait(10)
    assert stats["max_in_flight_per_host"] <= 2, stats
    return {
        "domains": domains,
        "pages": counts.fetched,
        "failed": counts.failed,
        "seconds": round(elapsed, 2),
        "pages_per_second": round(counts.fetched / elapsed, 1),
        "relevance_read_seconds": round(read_seconds, 3),
        "domains_with_relevance": known,
        "latency_s": latency,
        "per_host_delay_s": delay,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        **stats,
    }


def main() -> None:
    """Run the benchmark and print (and save) its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--delay", type=float, default=1.0, help="OUTREACH_PER_HOST_DELAY")
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    if args.serve:
        serve(args.latency)
        return
    figures = run(args.domains, args.latency, args.delay)
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fetch.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
