"""A year for a paper that prints none, estimated from its references and the day its file was made."""

from __future__ import annotations

from papergym.core.ingest.extract import extract_pdf
from papergym.core.ingest.metadata.cited_years import estimated_year, latest_cited_year

from tests.pdfs import text_pdf

FIRST_PAGE = "A Study of Heat in Thin Copper Wires\nJane Roe and Rick Poe\nAbstract. We measure heat in wires."
BODY = "1 Introduction\nHeat flows in wires, as 2000 earlier studies found (Smith 1990; Doe 1995).\nAxis\n2016\n2017"
REFERENCES = (
    "References\n"
    "[1] A. Smith. Heat in wires. Phys. Rev. 12, 1-9 (1990).\n"
    "[2] B. Doe, Copper, J. Appl. Phys. 40 (1995) 3-4.\n"
    "[3] C. Low (2001a). Wires again. Nature 3:1-2.\n"
    "[4] D. Poe, Thin wires, in: Proc. Heat, 2008, pp. 5-9.\n"
)


def test_the_latest_year_the_reference_list_cites():
    pages = [FIRST_PAGE, BODY, REFERENCES]
    assert latest_cited_year(pages, ceiling=2026) == 2008
    # Years above the ceiling (the day the file was made) are no reference's; too few years make no reference list.
    assert latest_cited_year(pages, ceiling=2005) is None
    assert latest_cited_year([FIRST_PAGE, BODY, REFERENCES.replace("2008", "1990")], ceiling=2026) is None
    # Page 1 (its banners and stamps) is never read, nor a download stamp, nor an arXiv number.
    stamped = REFERENCES + "[5] E. Roe, arXiv:1912.01703.\nDownloaded from example.org on 3 May 2019.\n"
    assert latest_cited_year(["Received 2020.", BODY, stamped], ceiling=2026) == 2008


def test_without_a_heading_the_later_pages_cited_years_are_read():
    notes = "Heat flows (Smith 1990) as Doe found, Phys. Rev. 12, 1-9, 1995. Copper (Low 2001) and wires (Poe, 2008).\n"
    assert latest_cited_year([FIRST_PAGE, notes], ceiling=2026) == 2008
    # Not a plot's axis ("2016" alone on its line); a sentence's year of its topic only up to the ceiling.
    assert latest_cited_year([FIRST_PAGE, BODY + "\n" + notes], ceiling=2026) == 2008
    assert latest_cited_year([FIRST_PAGE, notes + "By 2025, demand doubles."], ceiling=2021) == 2008
    # After a heading, only the list is read: a later year in the body before it is the topic, not a reference.
    assert latest_cited_year([FIRST_PAGE, "The crisis of 2012, as we show.\n" + REFERENCES], ceiling=2026) == 2008


def test_the_file_year_wins_within_a_year_of_the_latest_reference():
    pages = [FIRST_PAGE, BODY, REFERENCES]
    assert estimated_year(pages, 2009, this_year=2026) == (2009, "file-date")
    assert estimated_year(pages, 2008, this_year=2026) == (2008, "file-date")
    # A file made years later is a scan or a copy: the latest reference is the estimate, never the scan's day.
    assert estimated_year(pages, 2019, this_year=2026) == (2008, "references")
    assert estimated_year(pages, None, this_year=2026) == (2008, "references")
    # A date before PDF files existed, or in the future, is no date.
    assert estimated_year(pages, 1980, this_year=2026) == (2008, "references")
    assert estimated_year(pages, 2030, this_year=2026) == (2008, "references")
    assert estimated_year([FIRST_PAGE, BODY], 2009, this_year=2026) is None


def test_an_imported_paper_that_prints_no_year_gets_the_estimate(tmp_path):
    path = tmp_path / "paper.pdf"
    pages = [FIRST_PAGE.split("\n"), BODY.split("\n"), REFERENCES.split("\n")]
    path.write_bytes(text_pdf(pages, info={"CreationDate": "D:20210102"}))
    paper = extract_pdf(str(path))
    assert (paper.year, paper.sources["year"]) == (2008, "references")
    path.write_bytes(text_pdf(pages, info={"CreationDate": "D:20090102"}))
    paper = extract_pdf(str(path))
    assert (paper.year, paper.sources["year"]) == (2009, "file-date")
    # A year page 1 prints is never replaced by the estimate.
    pages[0] = [*pages[0], "Published 12 March 2011"]
    path.write_bytes(text_pdf(pages, info={"CreationDate": "D:20210102"}))
    assert extract_pdf(str(path)).year == 2011


def test_show_and_the_app_say_an_estimated_year_is_an_estimate(library):
    from click.testing import CliRunner
    from papergym.core.library import PaperRecord
    from papergym.tui.app.screens.paper import describe_paper
    from papergym.tui.cli.main import cli

    for prefix, origin in (("c", "references"), ("d", "file-date")):
        record = PaperRecord(
            id=prefix * 64, status="ok", filename="wires.pdf", source_path="/wires.pdf", size_bytes=1, title="Heat in wires", year=2008
        )
        record.sources = {"title": "layout", "year": origin}
        library.add_paper(record, None)
    shown = CliRunner().invoke(cli, ["show", "cccc", "--library", str(library.folder)]).output
    assert "2008  [estimated: the latest year its references cite]" in shown
    assert "Heat in wires  [layout]" in shown
    shown = CliRunner().invoke(cli, ["show", "dddd", "--library", str(library.folder)]).output
    assert "2008  [estimated: the year its file was made, within a year of its latest reference]" in shown
    assert "year estimated: the latest year its references cite" in describe_paper(library.paper("cccc"))
