"""Benchmark: 10,000 placed links over 1,000 hosts, checked the way ``verify-link --batch`` does.

The simulated web (a forward proxy answering for any host, 100 ms per response, real corpus
pages with our link planted) runs in its own process so it does not share the checker's GIL.
Reports checks per second, the checker's peak memory and the most requests in flight per host.

    .venv/bin/python -m tests.bench.run bench_verify
    .venv/bin/python -m tests.bench.bench_verify [LINKS] [HOSTS] [PER_HOST_DELAY]
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import resource
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from outreach.links.checker import CheckRequest, check_stream
from outreach.net.settings import policy_from_config
from tests.support.shared import shared_dir

CORPUS = shared_dir("corpus", "web-pages")
FALLBACK = Path(__file__).resolve().parents[1] / "links" / "pages"
TARGET = "https://ours.example/guide"
LINK = b'<p><a href="https://ours.example/guide">our guide</a></p>'
LATENCY = 0.1


def corpus_pages() -> list[bytes]:
    """Every corpus page with our link planted after its <body> tag."""
    folder = CORPUS or FALLBACK
    pages = []
    for path in sorted(folder.glob("*.html")):
        html = path.read_bytes()
        at = html.find(b"<body")
        end = html.find(b">", at) + 1 if at >= 0 else 0
        pages.append(html[:end] + LINK + html[end:])
    return pages


def serve(conn: Connection) -> None:
    """Child process: run the simulated web until told to stop, then report its counters."""
    from tests.support.simweb import run_simweb

    pages = corpus_pages()
    html = {"Content-Type": "text/html; charset=utf-8"}

    def handle(host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 404, html, b"not found"
        return 200, html, pages[hash((host, path)) % len(pages)]

    with run_simweb(handle, latency=LATENCY) as web:
        conn.send(web.proxy_url)
        conn.recv()
        conn.send({"requests": web.requests, "max_in_flight": web.max_in_flight_per_host})


async def check(proxy: str, links: int, hosts: int, delay: float) -> dict[str, Any]:
    """Check ``links`` pages spread over ``hosts`` hosts through ``proxy``; time it."""
    config = {"OUTREACH_HTTP_PROXY": proxy, "OUTREACH_PER_HOST_DELAY": delay}
    policy = policy_from_config(config)
    requests = [
        CheckRequest(i, f"http://host{i % hosts}.example/post/{i}", TARGET) for i in range(links)
    ]
    verdicts: dict[str, int] = {}
    started = time.perf_counter()
    async for checked in check_stream(requests, policy):
        verdicts[checked.result.verdict] = verdicts.get(checked.result.verdict, 0) + 1
    elapsed = time.perf_counter() - started
    return {
        "elapsed_s": round(elapsed, 2),
        "checks_per_s": round(links / elapsed, 1),
        "verdicts": verdicts,
    }


def run(links: int = 10_000, hosts: int = 1_000, delay: float = 0.0) -> dict[str, Any]:
    """One benchmark run; returns its numbers."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(child,))
    server.start()
    try:
        proxy = parent.recv()
        result = asyncio.run(check(proxy, links, hosts, delay))
        parent.send("stop")
        web = parent.recv()
    finally:
        server.join(30)
    per_host = max(web["max_in_flight"].values())
    assert per_host <= 2, f"{per_host} requests in flight to one host"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "links": links,
        "hosts": hosts,
        "latency_s": LATENCY,
        "per_host_delay_s": delay,
        **result,
        "requests": web["requests"],
        "max_in_flight_per_host": per_host,
        "peak_rss_mb": round(peak_mb, 1),
    }


def main() -> None:
    """Run the benchmark, print and save its numbers (bench-results/verify.json)."""
    args = [float(a) for a in sys.argv[1:4]]
    links, hosts = int(args[0]) if args else 10_000, int(args[1]) if len(args) > 1 else 1_000
    results = run(links, hosts, args[2] if len(args) > 2 else 0.0)
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "verify.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
