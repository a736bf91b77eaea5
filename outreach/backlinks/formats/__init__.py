"""Reading backlink exports from Ahrefs, Semrush, Moz, Majestic and Search Console.

The format is told from the header row and the bytes (byte-order mark, encoding,
delimiter), never from the file name. Files are streamed: memory stays flat whatever
their size. ``read_link_blocks`` is the entry point (records come in column blocks whose
fields are :class:`LinkRow`'s);
``sniff`` and ``suggest_mapping`` serve the upload screen, ``header_signature``
remembers a user's column mapping.
"""

from outreach.backlinks.formats.columns import header_signature, suggest_mapping
from outreach.backlinks.formats.decoding import sniff
from outreach.backlinks.formats.model import (
    FIELDS,
    ExportFormat,
    ImportFileError,
    LinkRow,
    RowBlock,
    RowError,
    Sniffed,
)
from outreach.backlinks.formats.reader import read_link_blocks

__all__ = [
    "FIELDS",
    "ExportFormat",
    "ImportFileError",
    "LinkRow",
    "RowBlock",
    "RowError",
    "Sniffed",
    "header_signature",
    "read_link_blocks",
    "sniff",
    "suggest_mapping",
]
