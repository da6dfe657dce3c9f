import pytest
from papergym.core.ingest.metadata import from_pdf
from papergym.core.ingest.metadata.running_head import running_head_authors

from tests.pdfs import text_pdf


@pytest.mark.parametrize(
    ("page", "first_page", "authors"),
    [
        # Elsevier's head: initials and surnames, a slash, the journal; the page number before it or after.
        (
            "6 M.A. Bender, M. Farach-Colton/Theoretical Computer Science 321 (2004) 5\u201312\nThe body of the page.",
            "",
            ["M.A. Bender", "M. Farach-Colton"],
        ),
        ("The body of the page.\nmore of it.\n118 F. Livolant / Ordered phases of DNA in vivo and in vitro", "", ["F. Livolant"]),
        # The AER's head gives surnames in capitals; page 1 prints the given names before them.
        (
            "773 VOL. 84 NO. 4 CARD AND KRUEGER: MINIMUM WAGE AND EMPLOYMENT\nthe New Jersey law",
            "Minimum Wages and Employment\nBy DAVID CARD AND ALAN B. KRUEGER*\nOn April 1, 1992",
            ["David Card", "Alan B. Krueger"],
        ),
        # IEEE's head names the first author: the surname alone when page 1 cites it only in prose.
        ("SMITH et al.: LEARNING TO RANK WITH TREES\nThe body.", "as the work of Smith (2001) shows", ["Smith"]),
    ],
)
def test_a_running_head_names_the_authors(page, first_page, authors):
    assert running_head_authors(page, first_page) == authors


@pytest.mark.parametrize(
    "page",
    [
        "THE AMERICAN ECONOMIC REVIEW: VOL. 84\nThe body.",
        "Journal of Physics / Vol 3 / 2004\nThe body.",
        "Ordered phases/Biology of DNA\nThe body.",
        "The body of the page opens here.\nIt goes on.\nJ. Smith, A. Jones / cited in prose in the middle\nand goes on.\nto its end.\nlast line",
        "RESEARCH ARTICLE: A STUDY OF TREES\nThe body.",
        # A structured abstract's heading run over onto page 2, a report's number.
        "2 BACKGROUND: Smoking is a cause of disease.\nThe body.",
        "The body.\nmore of it.\nstill more.\nMETHODS: We recruited 200 people.",
        "U.S. EPA/600/R-09/052F\nThe body.",
    ],
)
def test_a_journal_a_title_or_the_body_gives_no_running_head_authors(page):
    assert running_head_authors(page) == []


def test_given_names_come_from_page_ones_line_of_names_not_from_its_title():
    first_page = "Massive Young Stars Around Brown Dwarfs\nAnn Brown, Bob White and Cy Young\nAbstract"
    assert running_head_authors("BROWN, WHITE & YOUNG: STARS\nThe body.", first_page) == ["Ann Brown", "Bob White", "Cy Young"]
    # A single word before a colon is a name only where page 1 prints it as one.
    assert running_head_authors("YOUNG: STAR FORMATION\nThe body.", "Star Formation in Massive Young Clusters\nRichard Young") == [
        "Richard Young"
    ]
    assert running_head_authors("YOUNG: STAR FORMATION\nThe body.", "Star Formation in Massive Young Clusters\nAbstract") == []


def test_a_first_page_without_names_takes_them_from_page_twos_running_head():
    from io import BytesIO

    from pypdf import PdfReader

    pdf = text_pdf(
        [
            ["Minimum Wages and Employment in New Jersey", "On April 1, 1992, the minimum wage rose.", "We surveyed 410 stores."],
            ["774 THE AMERICAN ECONOMIC REVIEW SEPTEMBER 1994", "CARD AND KRUEGER: MINIMUM WAGE AND EMPLOYMENT", "More of the body."],
        ]
    )
    metadata = from_pdf(PdfReader(BytesIO(pdf)))
    assert metadata.authors == ["Card", "Krueger"]
    assert metadata.sources["authors"] == "running-head"
