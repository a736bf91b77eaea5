"""The starter templates every new workspace gets: one per kind of pitch, plus a follow-up.

They are ordinary templates (editable, versioned, deletable). Merge fields that may be empty
carry a default; the ones a pitch cannot do without (the broken link, our page) do not, so a
message missing them is held instead of sent half-written.
"""

from __future__ import annotations

from typing import Any

from outreach.accounts.models import Workspace
from outreach.accounts.services import workspace_created
from outreach.campaigns.models import CampaignKind
from outreach.pitches import library

HELLO = 'Hi {{ contact.first_name | default("there") }},'
SIGN_OFF = "{{ sender.name }}"

STARTERS: tuple[tuple[CampaignKind, str, str, str], ...] = (
    (
        CampaignKind.GUEST_POST,
        "Guest post pitch",
        "An article idea for {{ prospect.domain }}",
        f"{HELLO}\n\n"
        'I read {{ prospect.page_title | default("your latest articles") }} and think your '
        "readers would enjoy a practical piece from us, written for your site alone.\n\n"
        "Here is what we published recently, so you can judge the writing: {{ our.page_url }}\n\n"
        "If you're open to it, I'll send three title ideas and you pick the one that fits.\n\n"
        f"Thanks,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.RESOURCE_PAGE,
        "Resource page suggestion",
        'A resource for {{ prospect.page_title | default("your resources page") }}',
        f"{HELLO}\n\n"
        "Your list at {{ prospect.page_url | default('your site') }} is one of the most "
        "useful I've found. We recently published {{ our.page_url }}, which covers the topic "
        "in depth and is kept up to date.\n\n"
        "Would it be a good fit for the list?\n\n"
        f"Best,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.BROKEN_LINK,
        "Broken link replacement",
        "A broken link on {{ prospect.domain }}",
        f"{HELLO}\n\n"
        "While reading {{ prospect.page_url | default('your site') }} I noticed that this "
        "link no longer works: {{ broken_link.url }}\n\n"
        "If you're looking for a replacement, {{ our.page_url }} covers the same ground.\n\n"
        f"Cheers,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.UNLINKED_MENTION,
        "Unlinked mention",
        "Thanks for mentioning {{ campaign.site_domain }}",
        f"{HELLO}\n\n"
        "Thank you for mentioning us on {{ prospect.page_url | default('your site') }}. "
        "Would you consider linking the mention to {{ our.page_url }}, so your readers can "
        "find us in one click?\n\n"
        f"Thanks again,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.DIGITAL_PR,
        "Digital PR: new data",
        "New data for your next story on {{ prospect.domain }}",
        f"{HELLO}\n\n"
        "We have just published original research that may be useful for your coverage: "
        "{{ our.page_url }}\n\n"
        "The charts are free to use with a credit link, and I'm happy to share the raw data or "
        "set up a quick comment from our team.\n\n"
        f"Best regards,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.LINK_RECLAMATION,
        "Link reclamation",
        "Your link to {{ campaign.site_domain }}",
        f"{HELLO}\n\n"
        "Your page {{ prospect.page_url | default('your site') }} used to link to us, but "
        "the link seems to have gone. The page now lives at {{ our.page_url }}; would you "
        "update the link?\n\n"
        f"Thank you,\n{SIGN_OFF}",
    ),
    (
        CampaignKind.GUEST_POST,
        "Follow-up",
        "Following up",
        f"{HELLO}\n\n"
        "Just a quick nudge in case my note got buried. Happy to adapt the idea if it's not "
        "quite right for {{ prospect.domain }}.\n\n"
        f"{SIGN_OFF}",
    ),
)


def add_starters(workspace_id: int) -> int:
    """Add the starter templates to a workspace; returns how many. Callers commit."""
    for kind, name, subject, body in STARTERS:
        library.create_template(workspace_id, name, kind, subject, body)
    return len(STARTERS)


@workspace_created.connect
def _on_workspace_created(workspace: Workspace, **_: Any) -> None:
    add_starters(workspace.id)
