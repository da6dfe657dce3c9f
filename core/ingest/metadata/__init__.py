"""Find a paper's title, authors, year and DOI.

Three sources disagree in quality: the PDF Info dictionary (often filled by
the authoring tool with junk such as "Microsoft Word - draft3.docx"), the XMP
packet (structured, present in publisher PDFs), and the first page's text
(always there, but has to be read heuristically). Each has its own reader in
this package, and `from_pdf` combines them field by field:

- record: the Metadata record and `merge`;
- embedded (with names): the Info dictionary and XMP;
- page (with titles, authors, page_lines, doi_year, venue): page 1;
- pdf: a whole PDF, page 1 checked against the other two;
- cited_years: a year for a paper that states none, from its references.
"""

from papergym.core.ingest.metadata.embedded import from_info, from_xmp
from papergym.core.ingest.metadata.page import from_first_page, from_layout
from papergym.core.ingest.metadata.pdf import from_pdf, is_cover_page, read_first_page
from papergym.core.ingest.metadata.record import Metadata, merge

__all__ = ["Metadata", "from_first_page", "from_info", "from_layout", "from_pdf", "from_xmp", "is_cover_page", "merge", "read_first_page"]
