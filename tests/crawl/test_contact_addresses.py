"""Contact addresses are stored with the domain in ASCII and the local part as written."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.crawl.contact_import import add_contact
from outreach.extensions import db
from tests.factories import Factory


def test_international_address_is_stored_in_ascii_and_found_again_in_any_form(
    app: Flask, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    contact, new = add_contact(workspace.id, "Zoë@Bücher.example", first_name="Zoë")
    db.session.commit()
    assert new and contact.email == "Zoë@xn--bcher-kva.example"
    again, new = add_contact(workspace.id, "zoë@xn--bcher-kva.example")
    assert not new and again.id == contact.id
    same, new = add_contact(workspace.id, "ZOË@bücher.EXAMPLE")
    assert not new and same.id == contact.id and same.email == "Zoë@xn--bcher-kva.example"


def test_contacts_page_shows_the_domain_in_unicode(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace)
    add_contact(workspace.id, "Zoë@Bücher.example", campaign_id=campaign.id)
    db.session.commit()
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/campaigns/{campaign.id}/contacts").get_data(as_text=True)
    assert "Zoë@bücher.example" in page and "xn--" not in page
