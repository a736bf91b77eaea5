"""Telling lists of links *to* a target from reports that only look like them, and reading
the headers and cells the tools write."""

from __future__ import annotations

import io

import pytest

from outreach.backlinks.formats import (
    ExportFormat,
    ImportFileError,
    LinkRow,
    RowError,
    sniff,
    suggest_mapping,
)
from tests.support.reading import read_links


def refusal(header: str, row: str = "") -> str:
    with pytest.raises(ImportFileError) as info:
        sniff(f"{header}\n{row}\n".encode())
    return str(info.value)


@pytest.mark.parametrize(
    ("header", "row", "recognised"),
    [
        # Semrush Backlink Analytics > Outbound domains: the sites the target links to.
        ("Domain ascore,Domain,Backlinks", "100,facebook.com,12", "Outbound domains"),
        ("Domain,Domain ascore,Outbound links,Anchors", "nytimes.com,100,3,2", "Outbound"),
        ("Domain,Linked domains,Outgoing links", "facebook.com,1,2", "Outbound"),
        # Semrush Indexed pages: the target's own pages.
        ("Title,URL,Domains,Backlinks,Last seen", "Home,https://rival.com/,40,300,2024-01-01",
         "Indexed pages"),
        # Top pages (Ahrefs and Semrush): the target's pages by search traffic.
        ("URL,Traffic,Traffic value,Keywords,Top keyword,Position",
         "https://rival.com/,1200,300,80,rival,1", "Top pages"),
        ("URL,Traffic,Traffic %,Number of keywords", "https://rival.com/,1200,3,80", "Top pages"),
        # Backlink gap comparisons: several sites side by side.
        ("Domain,Authority Score,Matches,rival-one.com,rival-two.com,ours.com",
         "blog.example,40,2,1,1,0", "backlink gap"),
        ("Referring domain,Domain rating,Domain traffic,Intersect,rival-one.com,rival-two.com",
         "blog.example,40,100,2,3,1", "backlink gap"),
    ],
)  # fmt: skip
def test_reports_that_do_not_list_links_to_the_target_are_refused_with_what_to_use(
    header: str, row: str, recognised: str
) -> None:
    message = refusal(header, row)
    assert recognised in message
    assert "Export the" in message and "Backlinks" in message


@pytest.mark.parametrize(
    "header",
    [
        "Domain ascore,Domain,Backlinks,IP,Country,First seen,Last seen",  # referring domains
        "Page ascore,Source title,Source url,Target url,Anchor,External links,Internal links",
        "Domain,Is spam,DR,Dofollow ref. domains,Dofollow linked domains,Traffic ,Keywords ,"
        "Links to target,Dofollow links,First seen,Lost",  # Ahrefs referring domains
        "Site,Linking pages,Target pages",  # Search Console top linking sites
    ],
)
def test_real_lists_of_links_to_the_target_are_not_refused(header: str) -> None:
    assert sniff(f"{header}\n".encode()).format is not ExportFormat.GENERIC


def test_a_header_less_file_says_so_and_offers_the_mapping() -> None:
    data = b"https://blog.example.org/a,https://rival.com/,great guide\n"
    sniffed = sniff(data)
    assert (sniffed.format, sniffed.has_header) == (ExportFormat.GENERIC, False)
    assert sniffed.mapping == {"source_url": "Column 1", "target_url": "Column 2"}


def test_snake_case_api_headers_get_a_mapping_suggestion() -> None:
    headers = [
        "src_url",
        "src_title",
        "src_domain_dr",
        "src_page_ur",
        "is_spam_domain",
        "link_type",
        "is_dofollow",
        "is_nofollow",
        "is_ugc",
        "is_sponsored",
        "is_content",
        "anchor",
        "first_seen",
        "last_seen",
        "http_code",
        "lost_reason",
        "target_url",
    ]
    assert suggest_mapping(headers) == {
        "source_url": "src_url", "title": "src_title", "authority": "src_domain_dr",
        "page_authority": "src_page_ur", "is_spam": "is_spam_domain", "link_type": "link_type",
        "dofollow": "is_dofollow", "nofollow": "is_nofollow", "ugc": "is_ugc",
        "sponsored": "is_sponsored", "in_content": "is_content", "anchor": "anchor",
        "first_seen": "first_seen", "last_seen": "last_seen", "lost": "lost_reason",
        "target_url": "target_url",
    }  # fmt: skip
    other = suggest_mapping(["url_from", "url_to", "domain_rating", "source_url", "first_seen"])
    assert other["source_url"] == "source_url" and other["target_url"] == "url_to"
    assert other["authority"] == "domain_rating"


def test_a_dofollow_flag_alone_gives_nofollow_its_opposite() -> None:
    data = b"src_url,target_url,is_dofollow\nhttps://a.example/p,https://rival.com/,false\n"
    mapping = {"source_url": "src_url", "target_url": "target_url", "dofollow": "is_dofollow"}
    (row,) = read_links(io.BytesIO(data), mapping)[1]
    assert isinstance(row, LinkRow) and row.nofollow


def test_a_date_cell_holding_a_word_is_a_row_error_naming_row_and_column() -> None:
    data = (
        b"src_url,target_url,first_seen,lost_date\n"
        b"https://a.example/p,https://rival.com/,2024-01-02,\n"
        b"https://b.example/p,https://rival.com/,false,\n"
        b"https://c.example/p,https://rival.com/,2024-01-02,n/a\n"
        b"https://d.example/p,https://rival.com/,-,true\n"
    )
    mapping = {"source_url": "src_url", "target_url": "target_url", "first_seen": "first_seen",
               "lost_at": "lost_date"}  # fmt: skip
    found = list(read_links(io.BytesIO(data), mapping)[1])
    assert isinstance(found[0], LinkRow) and isinstance(found[2], LinkRow)
    assert found[1] == RowError(2, "first_seen", "not a date: 'false' in column 'first_seen'")
    assert found[3] == RowError(4, "lost_date", "not a date: 'true' in column 'lost_date'")
