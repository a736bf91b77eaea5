"""The whole product as production runs it, on 127.0.0.1, for the browser journey.

``flask serve`` (gunicorn, a job worker and RQ's cron scheduler, with the embedded Redis)
on a temporary SQLite file; an SMTP server (aiosmtpd) and Dovecot (IMAP) for the mailbox;
and a plain HTTP site for the page that carries our placed link. The app reaches them
through its own operator settings (allowed networks, plaintext mail), never by patching.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.smtp import LOCAL_MAIL, SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "e2e-secret-key-long-enough-for-a-production-instance"
FAST = "* * * * * */2"  # the outbox tick and the mailbox poll run every 2 s here
YEARLY = "0 0 1 1 *"  # the link and upload sweeps stay out of the way (checks are queued by hand)


def server_env(folder: Path) -> dict[str, str]:
    """The production environment of the server processes, pointed at local services.

    ``OUTREACH_BASE_URL`` is https, as sending requires outside testing (the unsubscribe link
    of RFC 8058); the browser talks to the plain-HTTP port directly.
    """
    inherited = ("OUTREACH_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLASK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env.update(
        FLASK_APP="outreach",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{folder / 'e2e.db'}",
        OUTREACH_INSTANCE_PATH=str(folder / "instance"),
        SECRET_KEY=SECRET_KEY,
        OUTREACH_QUEUE="outreach-e2e",
        OUTREACH_BASE_URL="https://localhost",
        OUTREACH_ALLOWED_NETWORKS="127.0.0.0/8",  # the operator's override of the address policy
        OUTREACH_PER_HOST_DELAY="0",
        OUTREACH_FETCH_TIMEOUT="10",
        OUTREACH_MAIL_TIMEOUT="10",
        OUTREACH_OUTBOX_SCHEDULE=FAST,
        OUTREACH_MAILBOX_POLL_SCHEDULE=FAST,
        OUTREACH_LINK_SWEEP_SCHEDULE=YEARLY,
        OUTREACH_UPLOAD_SWEEP_SCHEDULE=YEARLY,
        **LOCAL_MAIL,
    )
    return env


@dataclass
class Server:
    """``flask serve`` in its own process group, its output in ``log``."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """Everything the server, its worker and its scheduler printed."""
        return self.folder / "server.log"

    @property
    def url(self) -> str:
        """Where the browser finds the app."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        """Migrate the empty database, then serve; returns once the app answers."""
        env = server_env(self.folder)
        flask = [sys.executable, "-m", "flask", "--app", "outreach"]
        with self.log.open("ab") as out:
            subprocess.run(
                [*flask, "db", "upgrade"], env=env, cwd=ROOT, stdout=out, stderr=out, check=True
            )
            serve = [*flask, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
            self.process = subprocess.Popen(
                [*serve, "--workers", "1", "--threads", "4"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its gunicorn, worker and scheduler stop with it
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"flask serve exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/livez", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"flask serve did not answer in 60 s:\n{self.tail()}")

    def tail(self, chars: int = 6000) -> str:
        """The end of the server log."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM the whole group (``flask serve`` stops its children), then SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # anything its stop left behind
        self.process.wait()


@dataclass
class LinkingPage:
    """The prospect's article that carries (or no longer carries) our placed link."""

    target: str
    with_link: bool = True

    def html(self) -> bytes:
        """The page as served now."""
        link = (
            f'<a href="{self.target}">the best guide to link building</a>' if self.with_link else ""
        )
        return (
            "<!doctype html><html><head><title>Ten link building tips</title></head><body>"
            "<article><h1>Ten link building tips</h1><p>We tried many approaches; "
            f"{link} is the one we keep.</p></article></body></html>"
        ).encode()

    def reply(self) -> tuple[int, dict[str, str], bytes]:
        """The simweb route."""
        return 200, {"Content-Type": "text/html; charset=utf-8"}, self.html()


def smtp_server() -> SmtpServer:
    """A plain SMTP server on 127.0.0.1 that keeps every message."""
    return SmtpServer().start()
