"""A simulated web for tests and benchmarks: one asyncio HTTP server in a background thread.

* As a forward proxy (``run_simweb``) it answers absolute-form requests
  (``GET http://any-host.test/page HTTP/1.1``) for ANY host name from a Python
  callable ``handler(host, path) -> (status, headers, body)`` (or a :class:`Response`),
  so a crawl of hundreds of "sites" needs no DNS and never leaves 127.0.0.1.
* As a plain site (``run_site`` / ``run_server``) it is hit directly.

Latency is simulated with ``asyncio.sleep``, so hundreds of slow responses are in
flight at once. The server records requests and the highest number of concurrent
requests per host.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    """A reply. ``chunks`` (possibly endless) are streamed ``interval`` s apart, then close."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: Iterable[bytes] | None = None
    interval: float = 0.0
    delay: float = 0.0


Reply = tuple[int, Mapping[str, str], bytes] | Response
Handler = Callable[[str, str], Reply]
Route = Reply | Callable[[], Reply]


def redirect(location: str, status: int = 302) -> Response:
    """A redirect reply."""
    return Response(status, {"Location": location, "Content-Type": "text/html"}, b"moved")


@dataclass
class RequestRecord:
    """One request as the server saw it."""

    method: str
    host: str
    path: str
    headers: dict[str, str]
    started: float
    absolute_form: bool


_REASONS = {200: "OK", 301: "Moved", 302: "Found", 404: "Not Found", 500: "Server Error"}


class SimWeb:
    """The running server; use :func:`run_simweb`, :func:`run_site` or :func:`run_server`."""

    def __init__(
        self,
        handler: Handler,
        *,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.latency = latency
        self.host = host
        self.port = 0
        self.log: list[RequestRecord] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight_per_host: dict[str, int] = {}
        self.max_in_flight_total = 0
        self._total = 0
        self.sni_names: list[str | None] = []
        self._ssl = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="simweb", daemon=True)
        if ssl_context is not None:
            ssl_context.sni_callback = self._record_sni

    @property
    def requests(self) -> int:
        """Number of requests answered or in progress."""
        return len(self.log)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https``/``[::1]`` as appropriate)."""
        scheme = "https" if self._ssl else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def proxy_url(self) -> str:
        """The URL to give a client as its HTTP proxy."""
        return self.base_url

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path

    def paths(self, host: str | None = None) -> list[str]:
        """Paths requested so far, optionally only for one host."""
        return [r.path for r in self.log if host is None or r.host == host]

    def start(self) -> SimWeb:
        """Start serving in the background thread."""
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("simweb did not start")
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _record_sni(self, sock: object, name: str | None, context: object) -> None:
        self.sni_names.append(name)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, self.host, 0, backlog=2048, ssl=self._ssl
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down; ending normally keeps asyncio from logging the cancellation
        finally:
            self._tasks.discard(task)
            writer.close()
            with suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Serve one request; True to keep the connection open."""
        line = await reader.readline()
        while line in (b"\r\n", b"\n"):
            line = await reader.readline()
        if not line:
            return False
        method, target, version = line.decode("latin-1").split()
        headers: dict[str, str] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if int(headers.get("content-length", "0") or 0):
            await reader.readexactly(int(headers["content-length"]))
        absolute = "://" in target
        if absolute:
            parts = urlsplit(target)
            host, path = parts.hostname or "", (parts.path or "/")
            path += f"?{parts.query}" if parts.query else ""
        else:
            host_header = headers.get("host", "")
            host = urlsplit(f"//{host_header}").hostname or host_header
            path = target
        host = host.lower()
        self.log.append(RequestRecord(method, host, path, headers, time.monotonic(), absolute))
        count = self.in_flight.get(host, 0) + 1
        self.in_flight[host] = count
        self.max_in_flight_per_host[host] = max(count, self.max_in_flight_per_host.get(host, 0))
        self._total += 1
        self.max_in_flight_total = max(self.max_in_flight_total, self._total)
        try:
            if method == "CONNECT":
                reply: Reply = Response(405, {}, b"CONNECT not supported")
            else:
                try:
                    reply = self.handler(host, path)
                except Exception as exc:  # a broken test handler answers 500, visibly
                    reply = Response(500, {"Content-Type": "text/plain"}, repr(exc).encode())
            response = reply if isinstance(reply, Response) else Response(*reply)
            if self.latency or response.delay:
                await asyncio.sleep(self.latency + response.delay)
            keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            keep = keep and response.chunks is None and method != "CONNECT"
            await self._write(writer, method, response, keep)
            return keep
        finally:
            self.in_flight[host] -= 1
            self._total -= 1

    async def _write(
        self, writer: asyncio.StreamWriter, method: str, response: Response, keep: bool
    ) -> None:
        names = {k.lower() for k in response.headers}
        lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in response.headers.items()]
        if "content-type" not in names:
            lines.append("Content-Type: text/html; charset=utf-8")
        if response.chunks is None and "content-length" not in names:
            lines.append(f"Content-Length: {len(response.body)}")
        lines.append("Connection: keep-alive" if keep else "Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(response.body)
        await writer.drain()
        if response.chunks is not None and method != "HEAD":
            for chunk in response.chunks:
                if response.interval:
                    await asyncio.sleep(response.interval)
                writer.write(chunk)
                await writer.drain()


@contextmanager
def run_server(
    handler: Handler, *, latency: float = 0.0, host: str = "127.0.0.1", tls: bool = False
) -> Iterator[SimWeb]:
    """Run a :class:`SimWeb` for the block (plain site, proxy, or TLS site with ``tls``)."""
    web = SimWeb(
        handler, latency=latency, host=host, ssl_context=self_signed_context() if tls else None
    )
    web.start()
    try:
        yield web
    finally:
        web.stop()


@contextmanager
def run_simweb(handler: Handler, latency: float = 0.0) -> Iterator[SimWeb]:
    """A forward HTTP proxy answering for any host; give clients ``web.proxy_url``."""
    with run_server(handler, latency=latency) as web:
        yield web


@contextmanager
def app_behind_simweb(
    app: Any, handler: Handler, latency: float = 0.0, **settings: Any
) -> Iterator[SimWeb]:
    """The simulated web as the app's only way out: its fetch proxy, no per-host delay, and
    any other ``settings`` (timeouts, page sizes) for the test."""
    with run_simweb(handler, latency=latency) as web:
        app.config.update(
            OUTREACH_HTTP_PROXY=web.proxy_url, OUTREACH_PER_HOST_DELAY=0.0, **settings
        )
        yield web


def routes_handler(routes: Mapping[str, Route]) -> Handler:
    """A handler serving ``routes`` (path, or path without query) and 404 otherwise."""

    def handle(host: str, path: str) -> Reply:
        route = routes.get(path, routes.get(path.split("?", 1)[0]))
        if route is None:
            return 404, {"Content-Type": "text/html"}, b"<h1>not found</h1>"
        return route() if callable(route) else route

    return handle


@contextmanager
def run_site(routes: Mapping[str, Route], *, host: str = "127.0.0.1") -> Iterator[str]:
    """A plain local site serving ``routes``; yields its base URL (``http://127.0.0.1:PORT``)."""
    with run_server(routes_handler(routes), host=host) as web:
        yield web.base_url


def self_signed_context(names: tuple[str, ...] = ("site.test",)) -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate for ``names``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context.load_cert_chain(cert_file, key_file)
    return context
