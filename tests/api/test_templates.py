"""``/api/v1/templates``: the library and the editor's preview."""

from __future__ import annotations

from typing import Any

from outreach.pitches import library
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pitches import builders


def _walk(api: Api, who: Caller, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = api.get(f"{url}?limit=2&cursor={cursor}", who).json
        assert body is not None
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_list_pages_through_the_workspaces_templates_only(
    api: Api, owner: Caller, stranger: Caller
) -> None:
    made = [builders.template(owner.workspace, f"S{i}", "B", name=f"T{i}").id for i in range(5)]
    theirs = builders.template(stranger.workspace, "Theirs", "B", name="Theirs").id

    items = _walk(api, owner, "/api/v1/templates")

    ids = [t["id"] for t in items]
    assert ids == sorted(t.id for t in library.templates_of(owner.workspace.id))
    assert set(made) <= set(ids) and theirs not in ids
    one = api.get(f"/api/v1/templates/{made[0]}", owner).json
    assert one is not None and one["subject"] == "S0" and one["kind"] == "guest_post"


def test_preview_renders_for_a_prospect(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = factory.campaign(owner.workspace)
    prospect, _ = builders.prospect(owner.workspace, campaign, "trail.example", first_name="Ada")
    template = builders.template(
        owner.workspace, "About {{ prospect.domain }}", "Hi {{ contact.first_name }}"
    )

    response = api.post(
        f"/api/v1/templates/{template.id}/preview", owner, json={"prospect_id": prospect.id}
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    assert body["subject"] == "About trail.example"
    assert body["body"] == "Hi Ada"
    assert body["missing"] == [] and body["prospect"] == "trail.example"


def test_preview_for_another_workspaces_prospect_is_404(
    api: Api, owner: Caller, stranger: Caller, factory: Factory
) -> None:
    theirs, _ = builders.prospect(stranger.workspace, factory.campaign(stranger.workspace))
    template = builders.template(owner.workspace, "S", "B")
    url = f"/api/v1/templates/{template.id}/preview"
    assert api.post(url, owner, json={"prospect_id": theirs.id}).status_code == 404
