"""The template form's labels name their fields (the body's too, which has its own id)."""

from __future__ import annotations

import lxml.html
from flask.testing import FlaskClient

from tests.factories import SignIn


def test_every_label_of_the_template_form_points_at_its_field(
    client: FlaskClient, auth: SignIn
) -> None:
    auth()
    page = client.get("/pitches/templates/new")
    assert page.status_code == 200
    tree = lxml.html.document_fromstring(page.get_data(as_text=True))
    labels = tree.xpath("//form//label[@for]")
    assert labels, "the form has labelled fields"
    for label in labels:
        target = label.get("for")
        assert tree.xpath(f'//*[@id="{target}"]'), f"label {label.text_content()!r} -> #{target}"
    assert tree.xpath('//label[@for="pitch-body"]/textarea[@id="pitch-body"]'), "Body is named"
