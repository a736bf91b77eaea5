"""The README's three-line API example runs as written (ids swapped for this test's own)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from tests.api.conftest import Api
from tests.factories import Factory
from tests.pipeline.helpers import prospect

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> list[str]:
    section = README.read_text().split("\n## API\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _curl(line: str) -> tuple[str, dict[str, str], str | None, str]:
    words = shlex.split(line)
    assert words[0] == "curl"
    headers: dict[str, str] = {}
    data = None
    rest = iter(words[1:])
    url = ""
    for word in rest:
        if word == "-H":
            name, _, value = next(rest).partition(": ")
            headers[name] = value
        elif word == "-d":
            data = next(rest)
        else:
            url = word
    return ("POST" if data else "GET"), headers, data, url


def test_the_readme_example_works(api: Api, factory: Factory, runner: Any) -> None:
    _, workspace = factory.user_with_workspace("you@example.com", "Your brand")
    campaign = factory.campaign(workspace, site_domain="yours.example")
    item = prospect(campaign, "blog.example")
    create, intersect, link = _example()
    command = shlex.split(create.split("$(", 1)[1].rsplit(")", 1)[0])
    assert command[0] == "flask"
    result = runner.invoke(args=command[1:])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    answers = []
    for line in (intersect, link):
        line = line.replace("$TOKEN", token).replace("$OUTREACH_BASE_URL", "")
        line = re.sub(r"/campaigns/\d+/", f"/campaigns/{campaign.id}/", line)
        line = re.sub(r'"prospect_id": \d+', f'"prospect_id": {item.id}', line)
        method, headers, data, url = _curl(line)
        response = api.call(method, url, None, headers=headers, data=data)
        assert response.status_code in (200, 201), response.json
        answers.append(response.json)
    assert answers[0] == {"items": [], "next_cursor": None}
    assert answers[1]["prospect_id"] == item.id and answers[1]["job_id"]
    assert json.loads(shlex.split(link)[shlex.split(link).index("-d") + 1])["page_url"]
