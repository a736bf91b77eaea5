"""What each simulated user of the load benchmark does (``bench_load`` runs locust on it).

A user signs in through the real sign-in form (its own account of the seeded team), then, with
a pause of one to two seconds between pages, opens the pages a team lives in: the board, the
table (a page of the first ten), the intersect, a prospect, the reports dashboard and the
outbox. The seed's facts come in the environment (``LOAD_*``, set by ``bench_load``).
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

EMAILS = os.environ.get("LOAD_EMAILS", "").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
CAMPAIGN = os.environ.get("LOAD_CAMPAIGN", "1")
LOW, HIGH = (int(n) for n in os.environ.get("LOAD_PROSPECTS", "1,1").split(","))
AGENT = "outreach-load-bench"
_accounts = itertools.count()
_token = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class TeamMember(HttpUser):
    """A signed-in member of the big workspace's team."""

    wait_time = between(1, 2)

    def on_start(self) -> None:
        """Sign in with the next account of the team, as a browser does."""
        self.client.headers["User-Agent"] = AGENT
        email = EMAILS[next(_accounts) % len(EMAILS)]
        form = self.client.get("/login", name="sign-in")
        found = _token.search(form.text)
        data = {"email": email, "password": PASSWORD, "csrf_token": found.group(1) if found else ""}
        with self.client.post(
            "/login", data=data, name="sign-in", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused ({response.status_code})")

    def _open(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:  # a redirect here means signed out
                response.failure(f"HTTP {response.status_code}")

    @task
    def board(self) -> None:
        """The campaign's board."""
        self._open(f"/campaigns/{CAMPAIGN}/board", "board")

    @task
    def table(self) -> None:
        """One of the first ten pages of the campaign's table."""
        page = random.randint(1, 10)
        self._open(f"/campaigns/{CAMPAIGN}/prospects?page={page}", "table")

    @task
    def intersect(self) -> None:
        """The first page of the link intersect, best score first."""
        self._open(f"/campaigns/{CAMPAIGN}/intersect", "intersect")

    @task
    def prospect(self) -> None:
        """Any prospect of the pipeline."""
        self._open(f"/prospects/{random.randint(LOW, HIGH)}", "prospect")

    @task
    def dashboard(self) -> None:
        """The reports dashboard of the workspace (the last twelve months)."""
        self._open("/reports/", "dashboard")

    @task
    def outbox(self) -> None:
        """The outbox."""
        self._open("/pitches/outbox", "outbox")
