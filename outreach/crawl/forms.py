"""Forms of the crawl pages: a new crawl, one contact, a contacts CSV."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CrawlForm(FlaskForm):
    """Seeds (sites, sitemaps, pasted pages) and limits of a new crawl."""

    sites = TextAreaField(
        "Sites to crawl (one URL or domain a line; internal links are followed)",
        validators=[Optional(), Length(max=500_000)],
    )
    sitemaps = TextAreaField(
        "Sitemaps (sitemap, sitemap index or .xml.gz URLs, one a line)",
        validators=[Optional(), Length(max=500_000)],
    )
    pages = TextAreaField(
        "Pages (paste anything with URLs in it, e.g. search results)",
        validators=[Optional(), Length(max=2_000_000)],
    )
    max_depth = IntegerField(
        "Link depth from each site's start page", default=2, validators=[NumberRange(0, 10)]
    )
    max_pages_per_site = IntegerField(
        "Pages per site at most", default=50, validators=[NumberRange(1, 10_000)]
    )
    check_broken_links = BooleanField("Check outbound links for broken ones", default=True)
    find_contacts = BooleanField(
        "Find contacts (home, contact, about and author pages)", default=True
    )


class ContactForm(FlaskForm):
    """One contact typed in by hand."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    first_name = StringField("First name", validators=[Optional(), Length(max=120)])
    last_name = StringField("Last name", validators=[Optional(), Length(max=120)])
    domain = StringField("Site (domain)", validators=[Optional(), Length(max=255)])


class ContactCsvForm(FlaskForm):
    """A CSV of contacts: email, first_name, last_name, domain."""

    file = FileField(
        "CSV file (columns: email, first_name, last_name, domain)",
        validators=[FileRequired("Choose a CSV file.")],
    )
