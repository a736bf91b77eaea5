"""A real IMAP server for tests: Dovecot from Debian's packages, run as our own process.

It listens on 127.0.0.1 on a free port, with a temporary configuration, a passwd-file
user and maildirs under a temporary folder. When ``dovecot`` is not installed the tests
that need it are skipped, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.smtp import free_port

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
instance_name = outreach-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
log_path = {root}/dovecot.log
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def find_dovecot() -> str | None:
    """The dovecot binary, if installed."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None
    )


class Dovecot:
    """A running Dovecot with one user."""

    USER, PASSWORD = "sender@ours.example", "imap-pass"

    def __init__(self, binary: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="outreach-dovecot-"))
        self.root.chmod(0o755)  # login processes run as another user when we are root
        self.port = free_port()
        (self.root / "mail").mkdir()
        (self.root / "passwd").write_text(f"{self.USER}:{{PLAIN}}{self.PASSWORD}\n")
        if os.getuid() == 0:
            owner = pwd.getpwnam("dovecot")
            uid, gid, users = owner.pw_uid, owner.pw_gid, ""
            os.chown(self.root / "mail", uid, gid)
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            uid, gid = os.getuid(), os.getgid()
            users = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
        conf = self.root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(root=self.root, port=self.port, uid=uid, gid=gid, users=users)
        )
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening")

    def append(self, raw: bytes) -> None:
        """Deliver a message to the user's INBOX (IMAP APPEND)."""
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10) as client:
            client.login(self.USER, self.PASSWORD)
            client.append("INBOX", raw)

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A fresh Dovecot for one test; skipped when not installed (a failure in CI)."""
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed")
    server = Dovecot(binary)
    yield server
    server.stop()
