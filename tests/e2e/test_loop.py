"""The whole loop in a real browser, against ``flask serve`` with its worker and scheduler.

Sign up, import competitors' backlinks, pitch a prospect over SMTP, read its reply from
IMAP, move a card, verify a placed link (then lose it), and download a report. Each step
is a test; they run in order on one stack and one tab (``make e2e``).
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import COMPETITORS, OUR_SITE, Journey
from tests.support.exportgen import write_ahrefs_export
from tests.support.imap import Dovecot

pytestmark = pytest.mark.e2e

PASSWORD = "a long enough password, truly"
CAMPAIGN = "Spring guest posts"
SUBJECT = "A guest post idea for {{ prospect.domain }}"
BODY = (
    "Hi {{ contact.first_name | default('there') }},\n\n"
    "I run {{ campaign.site_domain }} and would love to write for {{ prospect.domain }}.\n\n"
    "{{ sender.name }}"
)


def _until(page: Any, ready: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Reload ``page`` until ``ready()`` holds (background work shows up on reload)."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"{what}: not seen in {seconds:.0f} s"
        time.sleep(0.5)
        page.reload()


def _flash(page: Any, text: str | re.Pattern[str]) -> None:
    expect(page.locator(".flash", has_text=text).first).to_be_visible()


def test_1_sign_up_create_a_workspace_and_a_campaign(journey: Journey) -> None:
    page = journey.page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login|/signup"))
    page.goto("/signup")
    page.get_by_label("Your name").fill("Dana Owner")
    page.get_by_label("E-mail").fill("dana@our-site.example")
    page.get_by_label("Workspace (your brand or client)").fill("Dana's agency")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    _flash(page, "Welcome to Outreach.")
    page.goto("/workspaces/new")
    page.get_by_label("Name").fill("Our Site")
    page.get_by_label("Site domain").fill(OUR_SITE)
    page.get_by_role("button", name="Create workspace").click()
    _flash(page, "Workspace Our Site created.")
    page.goto("/campaigns/new")
    page.get_by_label("Name").fill(CAMPAIGN)
    page.get_by_label("Kind").select_option("guest_post")
    expect(page.get_by_label("Our site (domain)")).to_have_value(OUR_SITE)
    page.get_by_label("Competitor domains (one per line)").fill("\n".join(COMPETITORS))
    page.get_by_role("button", name="Create campaign").click()
    _flash(page, f"Campaign {CAMPAIGN} created.")
    match = re.search(r"/campaigns/(\d+)$", page.url)
    assert match, page.url
    journey.facts["campaign"] = int(match.group(1))
    page.goto(f"/campaigns/{journey.facts['campaign']}/edit")
    competitors = page.get_by_label("Competitor domains (one per line)").input_value()
    assert sorted(competitors.split()) == sorted(COMPETITORS)


def test_2_import_an_ahrefs_export_and_see_scored_prospects(journey: Journey) -> None:
    page, campaign = journey.page, journey.facts["campaign"]
    export = journey.folder / "rivals-backlinks.csv"
    write_ahrefs_export(export, 300, target_domains=COMPETITORS, source_domain_count=25, seed=15)
    assert export.read_bytes()[:2] == b"\xff\xfe", "Ahrefs' default: UTF-16 with a BOM"
    page.goto(f"/campaigns/{campaign}/imports")
    page.get_by_label(re.compile("^Export file")).set_input_files(str(export))
    page.get_by_role("button", name="Upload and import").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    box = page.locator("#import-progress")
    expect(box.locator("[data-field=status]")).to_have_text(
        re.compile("done", re.I), timeout=60_000
    )
    expect(box.locator("progress")).to_have_attribute("value", "1")
    assert box.locator("[data-field=imported]").inner_text() == "300"
    page.goto(f"/campaigns/{campaign}/intersect?k=2")
    scores = page.locator("table.intersect > tbody > tr > td.score-cell > details > summary strong")
    _until(page, lambda: scores.count() > 0, "scores on the intersect")
    values = [float(s) for s in scores.all_inner_texts()]
    assert values == sorted(values, reverse=True), "sorted by score, best first"
    rows = page.locator("table.intersect > tbody > tr")
    top = rows.all()[:3]
    domains = [row.locator(":scope > td > strong").inner_text() for row in top]
    for row in top:
        rivals = int(row.locator(":scope > td").nth(3).inner_text().split()[0])
        assert rivals >= 2, "it links to two competitors or more"
    for domain in domains:
        page.get_by_label(f"Select {domain}").check()
    page.get_by_label("Action").select_option("add")
    page.get_by_label("Which domains").select_option("selected")
    page.locator("fieldset.bulk-actions").get_by_role("button", name="Apply").click()
    _flash(page, re.compile("3 .*added"))
    journey.facts["domains"] = domains


def test_3_write_a_template_preview_it_and_send_the_first_message(journey: Journey) -> None:
    page, campaign = journey.page, journey.facts["campaign"]
    domain = journey.facts["domains"][0]
    contact = f"editor@{domain}"
    page.goto("/pitches/mailboxes/new")
    for label, value in {
        "From name": "Dana Owner",
        "From address": Dovecot.USER,
        "SMTP host": "127.0.0.1",
        "SMTP port": str(journey.smtp.port),
        "IMAP host (for replies)": "127.0.0.1",
        "IMAP port": str(journey.dovecot.port),
        "Daily cap (0: none)": "0",
        "Minimum gap (s)": "0",
        "Jitter (s)": "0",
        "Sending from (hour)": "0",
        "Sending until (hour)": "24",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Security").select_option("none")
    page.get_by_label(re.compile("^Password")).fill(Dovecot.PASSWORD)
    page.get_by_label("IMAP over TLS").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-error")).to_have_count(0)
    page.goto(f"/campaigns/{campaign}/contacts")
    page.get_by_label("E-mail").fill(contact)
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Site (domain)").fill(domain)
    page.get_by_role("button", name="Add contact").click()
    _flash(page, f"{contact} added.")
    for name, subject, body in (
        ("Hiking guest post", SUBJECT, BODY),
        (
            "Gentle follow-up",
            "ignored: follow-ups reply in the thread",
            "Hi again, {{ contact.first_name }}.",
        ),
    ):
        page.goto("/pitches/templates/new")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Kind").select_option("guest_post")
        page.get_by_label("Subject").fill(subject)
        page.get_by_label("Body").fill(body)
        page.get_by_role("button", name="Save").click()
        _flash(page, "Template saved.")
    page.goto("/pitches/templates")
    page.get_by_role("link", name="Hiking guest post").click()
    page.wait_for_load_state("load")  # the editor's script listens before the prospect changes
    page.locator("#preview-prospect").select_option(label=domain)  # the preview follows
    expect(page.locator("#preview-subject")).to_have_text(f"A guest post idea for {domain}")
    expect(page.locator("#preview-body")).to_contain_text(
        f"Hi Robin,\n\nI run {OUR_SITE} and would love to write"
    )
    page.goto(f"/campaigns/{campaign}/sequence")
    for template, delay in (("Hiking guest post", "0"), ("Gentle follow-up", "3")):
        page.get_by_label("Template").select_option(label=template)
        page.get_by_label("Business days after the previous message").fill(delay)
        page.get_by_role("button", name="Add step").click()
        _flash(page, "Step added.")
    page.goto(f"/campaigns/{campaign}/board")  # tick the prospect, start the sequence for it
    page.get_by_label(f"Tick {domain}").check()
    page.get_by_label("or start the sequence from").select_option(label=Dovecot.USER)
    page.get_by_role("button", name="Start sequence for ticked").click()
    _flash(page, "Sequence started for 1 prospect(s).")
    expect(page.locator("table.enrolled")).to_contain_text(contact)
    deadline = time.monotonic() + 60  # the scheduler's outbox tick sends it
    while not journey.smtp.recorder.received:
        assert time.monotonic() < deadline, f"nothing reached SMTP:\n{journey.server.tail()}"
        time.sleep(0.3)
    sent = journey.smtp.recorder.received[0]
    assert sent.rcpt_tos == [contact]
    mail = sent.message
    assert mail["Subject"] == f"A guest post idea for {domain}"
    assert mail["From"].addresses[0].addr_spec == Dovecot.USER
    text = mail.get_body(("plain",))
    assert text is not None and "Hi Robin," in text.get_content()
    assert str(mail["List-Unsubscribe"]).startswith("<https://localhost/u/")
    journey.facts.update(contact=contact, sent=mail)
    page.goto("/pitches/outbox")
    row = page.locator("tr").filter(
        has=page.get_by_role("cell", name=f"A guest post idea for {domain}", exact=True)
    )
    expect(row.locator(".badge")).to_have_text("sent")


def test_4_a_reply_over_imap_stops_the_sequence_and_shows_in_the_inbox(journey: Journey) -> None:
    page, sent = journey.page, journey.facts["sent"]
    domain = journey.facts["domains"][0]
    reply = EmailMessage()
    reply["From"] = f"Robin <{journey.facts['contact']}>"
    reply["To"] = Dovecot.USER
    reply["Subject"] = f"Re: {sent['Subject']}"
    reply["Date"] = formatdate(localtime=False)
    reply["Message-ID"] = make_msgid(domain=domain)
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = sent["Message-ID"]
    reply.set_content("Sounds good: send me a draft next week.\n\n> Hi Robin,\n> I run ...\n")
    journey.dovecot.append(bytes(reply))
    page.goto("/pitches/inbox")
    matched = page.locator("table.inbox-recent tr", has_text=f"Re: {sent['Subject']}")
    _until(page, lambda: matched.count() > 0, "the reply in the inbox")
    expect(matched.get_by_role("link", name=domain, exact=True)).to_be_visible()
    page.goto("/pitches/outbox")
    follow_up = page.locator("tr").filter(
        has=page.get_by_role("cell", name=f"Re: {sent['Subject']}", exact=True)
    )
    expect(follow_up.locator(".badge")).to_have_text("cancelled")
    expect(follow_up).to_contain_text("replied")
    page.goto("/pitches/inbox")
    page.locator("table.inbox-recent").get_by_role("link", name=domain, exact=True).click()
    expect(page.locator(".page-head p.muted strong").first).to_have_text("Replied")
    journey.facts["prospect_page"] = page.url
    assert len(journey.smtp.recorder.received) == 1, "the follow-up never went out"


def _column(page: Any, stage: str) -> Any:
    return page.locator(f'section.board-column[data-stage="{stage}"]')


def test_5_a_card_dragged_across_the_board_stays_after_a_reload(journey: Journey) -> None:
    page, campaign = journey.page, journey.facts["campaign"]
    domain = journey.facts["domains"][1]
    page.goto(f"/campaigns/{campaign}/board")
    card = _column(page, "prospect").locator(".card", has_text=domain)
    card.locator(".card-meta").drag_to(_column(page, "qualified"))
    expect(page.locator("#board-message")).to_contain_text(f"{domain} moved to Qualified.")
    page.reload()
    expect(_column(page, "qualified").locator(".card", has_text=domain)).to_be_visible()
    expect(_column(page, "prospect").locator(".card", has_text=domain)).to_have_count(0)


def test_6_a_placed_link_goes_live_then_lost_with_an_alert_and_a_task(journey: Journey) -> None:
    page, domain = journey.page, journey.facts["domains"][0]
    article = f"{journey.site}/ten-link-building-tips"
    page.goto("/links/")
    page.get_by_label("Page with the link").fill(article)
    page.get_by_label("Our page it links to").fill(journey.linking_page.target)
    page.get_by_label("Expected anchor text").fill("the best guide to link building")
    page.get_by_label("Prospect").select_option(label=domain)
    page.get_by_role("button", name="Add and verify").click()
    _flash(page, "Link added; its first check is queued.")
    status = page.locator("h2 .badge")
    _until(page, lambda: status.inner_text() != "pending", "the first check")
    expect(status).to_have_text("live")
    journey.linking_page.with_link = False
    page.get_by_role("button", name="Check now").click()
    _flash(page, "Check queued.")
    _until(page, lambda: status.inner_text() != "live", "the second check")
    expect(status).to_have_text("missing")
    page.goto("/links/alerts")
    alert = page.locator("tr.unread", has_text=f"The link on {article} is gone.")
    expect(alert).to_contain_text("link removed")
    page.goto(journey.facts["prospect_page"])
    expect(page.locator(".page-head p.muted strong").first).to_have_text("Lost")
    expect(page.locator("p.reminder")).to_have_text(f"Reminder: Reclaim the lost link on {article}")


def test_7_the_reports_dashboard_downloads_a_csv(journey: Journey, tmp_path: Path) -> None:
    page = journey.page
    page.goto("/reports/")
    expect(page.locator("figure, svg, img").first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “Funnel by campaign” as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("funnel-campaigns-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text())))
    assert rows[0][:4] == ["Campaign", "Prospects", "Contacted", "Replied"]
    ours = [row for row in rows[1:] if row[0] == CAMPAIGN]
    assert ours, rows
    assert ours[0][1:4] == ["3", "1", "1"], "3 prospects added, 1 pitched, 1 replied"
