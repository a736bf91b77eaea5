"""Upload and column-mapping forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice


class UploadForm(FlaskForm):
    """An export file and, for files without target URLs, the site it is about."""

    file = FileField(
        "Export file (CSV or TSV, any encoding Ahrefs, Semrush, Moz, Majestic or "
        "Search Console write)",
        validators=[FileRequired("Choose a file to import.")],
    )
    target = SelectField("Whose links are these?", choices=[], default="")

    def set_targets(self, competitors: list[str], site: str) -> None:
        """Offer 'detect from the file', each competitor, and our site."""
        choices = [SelectChoice("", "Detect from the file's target URLs")]
        choices += [SelectChoice(d, f"Competitor: {d}") for d in competitors]
        if site:
            choices.append(SelectChoice(site, f"Our site: {site}"))
        self.target.choices = choices


class MappingForm(FlaskForm):
    """Which column holds which field; built per file from its header."""

    source_url = SelectField("Linking page URL (required)", choices=[], default="")
    target_url = SelectField("Target URL", choices=[], default="")
    anchor = SelectField("Anchor text", choices=[], default="")
    title = SelectField("Linking page title", choices=[], default="")
    rel = SelectField("Rel (nofollow, ugc, sponsored)", choices=[], default="")
    nofollow = SelectField("Nofollow flag", choices=[], default="")
    dofollow = SelectField("Dofollow flag (true means followed)", choices=[], default="")
    authority = SelectField("Domain authority (DR, DA, TF...)", choices=[], default="")
    page_authority = SelectField("Page authority (UR, PA...)", choices=[], default="")
    first_seen = SelectField("First seen", choices=[], default="")
    last_seen = SelectField("Last seen", choices=[], default="")
    lost_at = SelectField("Date lost", choices=[], default="")

    FIELDS = (
        "source_url", "target_url", "anchor", "title", "rel", "nofollow", "dofollow",
        "authority", "page_authority", "first_seen", "last_seen", "lost_at",
    )  # fmt: skip

    def set_headers(self, headers: list[str]) -> None:
        """Offer each header of the file, or nothing, for every field."""
        for name in self.FIELDS:
            field = getattr(self, name)
            field.choices = [SelectChoice("", "— not in this file —")] + [
                SelectChoice(h, h) for h in headers
            ]

    def mapping(self) -> dict[str, str]:
        """The chosen field -> header pairs."""
        return {name: getattr(self, name).data for name in self.FIELDS if getattr(self, name).data}
