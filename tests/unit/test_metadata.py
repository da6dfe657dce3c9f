"""Reading title, authors, year and DOI from Info, XMP and first-page text."""

import json
import time
from io import BytesIO
from pathlib import Path

import pytest
from papergym.core.ingest.clean import decode_glyph_codes, decode_named_glyphs
from papergym.core.ingest.layout import LayoutLine, PageLayout, page_text, read_page, words_glued, words_set_apart
from papergym.core.ingest.metadata import Metadata, from_first_page, from_info, from_layout, from_pdf, from_xmp, merge
from papergym.core.ingest.metadata.authors import looks_like_author_line, scribe_byline
from papergym.core.ingest.metadata.labelled import labelled_front_matter
from papergym.core.ingest.metadata.page_lines import is_affiliation
from papergym.core.ingest.metadata.titles import _reads_as_title
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

DEMO_PAPERS = Path(__file__).resolve().parents[2] / "assets" / "demo_papers"
EXPECTED_PATH = DEMO_PAPERS / "expected.json"
DEMO_FILES = sorted(json.loads(EXPECTED_PATH.read_text())) if EXPECTED_PATH.exists() else []

# The first page of a two-column pdfLaTeX journal paper, as pypdf gives it.
LATEX_FIRST_PAGE = """\
Journal of Demonstrative Physics 12 (2024) 41\u201344 DOI: 10.5555/pgdemo.2024.0031
Cross-plane thermal conductivity of sputtered amorphous aluminium oxide films
from 10 to 200 nm
Mira Castellanos1, Tobias Lindqvist2 and Hana Okafor1
1Department of Physics, University of Eastvale, Eastvale, Republic of Corvania
2Norrhaven Institute of Technology, Laboratory for Thin-Film Metrology, Norrhaven
Received 14 September 2023; accepted 22 January 2024; published 2024
Abstract
Amorphous aluminium oxide (a-Al2O3) is widely used as a gate dielectric (2019)."""

# An Elsevier-style first page: letter markers glued to the names by pypdf.
LETTER_MARKER_FIRST_PAGE = """\
Catalysis Demonstration Communications 9 (2024) 58\u201361
RESEARCH ARTICLE DOI: 10.5555/pgdemo.2024.0058.
Kinetics of 4-nitrophenol reduction by sodium borohydride over
silver nanoparticles supported on mesoporous ceria
Jonas Everett-Kimuraa, Ana Lu\u00edsa Pradoa,b and Fergus McAllisterb,*
aSchool of Chemistry, Kestrel Bay University, Kestrel Bay, Ostria
bCentre for Catalysis Research, Marwick Polytechnic, Marwick, Ostria
*Corresponding author: f.mcallister@marwick-poly.example
Abstract. Silver nanoparticles were deposited on ceria."""

# A report-style first page with a running head above the title.
RUNNING_HEAD_FIRST_PAGE = """\
SOLBERG, IBARRA & NWOSU BEDLOAD IN SAND\u2013GRAVEL MIXTURES
Bedload transport and hiding effects in a bimodal sand and
gravel mixture: laboratory flume experiments
Ingrid Solberg1 Rafael Ibarra2 Chidi Nwosu1
1Department of Earth Sciences, University of Greymoor, Greymoor, Estmere
Greymoor Earth Surface Processes Working Papers, No. 17, 2023
Abstract
Gravel-bed rivers carry sand."""

XMP_PACKET = """\
<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"
      xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2021-03-04T10:00:00Z">
   <dc:title><rdf:Alt><rdf:li xml:lang="de">Titel</rdf:li>
     <rdf:li xml:lang="x-default">Heat  in Confined Fluids</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Smith, John</rdf:li><rdf:li>Ana Demo</rdf:li></rdf:Seq></dc:creator>
   <prism:doi>10.1234/demo.2022.7</prism:doi>
   <prism:publicationDate>2022-06-01</prism:publicationDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


class TestMetadata:
    def test_as_dict_gives_plain_fields(self):
        metadata = Metadata(title="T", authors=["A B"], year=2020, doi="10.1/x")
        assert metadata.as_dict() == {"title": "T", "authors": ["A B"], "year": 2020, "doi": "10.1/x"}

    def test_empty_metadata_has_no_fields(self):
        assert Metadata().as_dict() == {"title": None, "authors": [], "year": None, "doi": None}

    def test_merge_takes_each_field_from_the_first_candidate_that_has_it(self):
        first = Metadata(title="From XMP", doi=None)
        second = Metadata(title="From Info", authors=["A B"], year=2020, doi="10.1/a")
        third = Metadata(year=1999, doi="10.1/b")
        assert merge(first, second, third) == Metadata("From XMP", ["A B"], 2020, "10.1/a")
        assert merge() == Metadata()


class TestFromInfo:
    def test_reads_title_authors_year_and_doi(self):
        info = {
            "/Title": "Heat in Confined Fluids",
            "/Author": "John Smith and Ana Demo",
            "/CreationDate": "D:20240601120000Z",
            "/Subject": "J. Demo Sci. 12 (2024), doi:10.1234/jds.2024.001.",
            "/Keywords": None,
        }
        assert from_info(info) == Metadata("Heat in Confined Fluids", ["John Smith", "Ana Demo"], 2024, "10.1234/jds.2024.001")

    @pytest.mark.parametrize(
        "title",
        [
            "",
            "   ",
            "untitled",
            "Untitled-1",
            "Microsoft Word - paper_final_v3.docx",
            "main.tex",
            "draft.pdf",
            "manuscript.doc",
            "...",
            "--- ---",
            "paper_final_v3",
            "Document1",
            "10.1234/xyz",
        ],
    )
    def test_junk_titles_are_rejected(self, title):
        assert from_info({"/Title": title}).title is None

    def test_real_title_with_digits_and_punctuation_is_kept(self):
        assert from_info({"/Title": "4-bit HyperLogLog: a study."}).title == "4-bit HyperLogLog: a study"

    @pytest.mark.parametrize(
        "authors, expected",
        [
            ("Smith, J.; Demo, A.", ["J. Smith", "A. Demo"]),
            ("Smith, John; Demo, Ana", ["John Smith", "Ana Demo"]),
            ("John Smith; Ana Demo", ["John Smith", "Ana Demo"]),
            ("Smith, J., Demo, A.", ["J. Smith", "A. Demo"]),
            ("Smith, John", ["John Smith"]),
            ("John Smith, Ana Demo, and Bo Li", ["John Smith", "Ana Demo", "Bo Li"]),
            ("J. Smith & A. Demo", ["J. Smith", "A. Demo"]),
            ("van der Berg, Jan; Demo, A.", ["Jan van der Berg", "A. Demo"]),
            ("John Smith et al.", ["John Smith"]),
            ("Administrator", []),
            ("Anonymous Authors", []),
            ("Anonymous Author(s)", []),
            ("", []),
        ],
    )
    def test_authors_are_split_sensibly(self, authors, expected):
        assert from_info({"/Author": authors}).authors == expected

    def test_missing_or_odd_values_give_empty_metadata(self):
        assert from_info({}) == Metadata()
        assert from_info(None) == Metadata()
        assert from_info({"/Title": None, "/Author": None, "/CreationDate": "garbage"}) == Metadata()

    def test_bytes_values_are_decoded_and_implausible_years_dropped(self):
        assert from_info({"/Title": b"Heat Flow in Rocks", "/CreationDate": "D:18500101"}) == Metadata("Heat Flow in Rocks")

    def test_doi_can_come_from_a_custom_key(self):
        assert from_info({"/doi": "10.1016/j.demo.2020.01.002"}).doi == "10.1016/j.demo.2020.01.002"


class TestFromXmp:
    def test_reads_dublin_core_and_prism(self):
        assert from_xmp(XMP_PACKET.encode()) == Metadata("Heat in Confined Fluids", ["John Smith", "Ana Demo"], 2022, "10.1234/demo.2022.7")

    def test_create_date_and_identifier_are_fallbacks(self):
        packet = XMP_PACKET.replace("<prism:doi>10.1234/demo.2022.7</prism:doi>", "<dc:identifier>doi:10.99999/abc</dc:identifier>")
        packet = packet.replace("<prism:publicationDate>2022-06-01</prism:publicationDate>", "")
        metadata = from_xmp(packet)
        assert (metadata.year, metadata.doi) == (2021, "10.99999/abc")

    def test_all_authors_in_one_creator_are_split(self):
        packet = XMP_PACKET.replace("<rdf:li>Smith, John</rdf:li><rdf:li>Ana Demo</rdf:li>", "<rdf:li>John Smith, Ana Demo</rdf:li>")
        assert from_xmp(packet).authors == ["John Smith", "Ana Demo"]

    @pytest.mark.parametrize(
        "packet",
        [
            None,
            b"",
            "",
            "<x:xmpmeta",
            b"\x00\xff garbage",
            "<a><b></a>",
            "just text",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        ],
    )
    def test_malformed_packets_give_empty_metadata(self, packet):
        assert from_xmp(packet) == Metadata()


class TestFromFirstPage:
    def test_latex_journal_first_page(self):
        assert from_first_page(LATEX_FIRST_PAGE) == Metadata(
            "Cross-plane thermal conductivity of sputtered amorphous aluminium oxide films from 10 to 200 nm",
            ["Mira Castellanos", "Tobias Lindqvist", "Hana Okafor"],
            2024,
            "10.5555/pgdemo.2024.0031",
        )

    def test_letter_markers_glued_to_names_are_removed(self):
        metadata = from_first_page(LETTER_MARKER_FIRST_PAGE)
        assert metadata.authors == ["Jonas Everett-Kimura", "Ana Lu\u00edsa Prado", "Fergus McAllister"]
        assert metadata.title == (
            "Kinetics of 4-nitrophenol reduction by sodium borohydride over silver nanoparticles supported on mesoporous ceria"
        )
        assert metadata.doi == "10.5555/pgdemo.2024.0058"
        assert metadata.year == 2024

    def test_running_head_above_the_title_is_skipped(self):
        metadata = from_first_page(RUNNING_HEAD_FIRST_PAGE)
        assert metadata.title == ("Bedload transport and hiding effects in a bimodal sand and gravel mixture: laboratory flume experiments")
        assert metadata.authors == ["Ingrid Solberg", "Rafael Ibarra", "Chidi Nwosu"]
        assert metadata.year == 2023

    def test_title_case_second_line_before_marked_authors_is_part_of_the_title(self):
        text = "A Study of Anomalous\nHeat Diffusion\nJohn Smith1, Ana Demo2\n1Demo University, Demo City"
        metadata = from_first_page(text)
        assert metadata.title == "A Study of Anomalous Heat Diffusion"
        assert metadata.authors == ["John Smith", "Ana Demo"]

    def test_a_byline_after_the_title_takes_the_name_like_lines_above_it_into_the_title(self):
        text = (
            "December 1982\nLIDS-P-1264\nTRACKING CONTROL OF NON-LINEAR SYSTEMS\nUSING SLIDING SURFACES\n"
            "WITH APPLICATION TO ROBOT MANIPULATORS\nby\nJ.J. Slotine and S.S. Sastry\n"
            "Laboratory for Information and Decision Systems\nMassachusetts Institute of Technology\n"
        )
        metadata = from_first_page(text + "We develop a methodology of feedback control for tracking.\n" * 10)
        assert metadata.title == "TRACKING CONTROL OF NON-LINEAR SYSTEMS USING SLIDING SURFACES WITH APPLICATION TO ROBOT MANIPULATORS"
        assert metadata.authors == ["J.J. Slotine", "S.S. Sastry"]

    def test_a_magazines_byline_sets_a_bullet_between_the_person_and_the_place(self):
        body = "A distributed computation consists of a set of processes that cooperate to achieve a common goal.\n" * 10
        text = (
            "February 2002\nFundamentals of Distributed Computing:\nA Practical Tour of Vector Clock Systems\n"
            "Roberto Baldoni \u2022 Universita di Roma, Italy\nMichel Raynal \u2022 IRISA, France\n"
        )
        assert from_first_page(text + body).authors == ["Roberto Baldoni", "Michel Raynal"]
        # Springer's middle dot stands between names.
        text = "Vector clocks in practice\nJane Roe \u00b7 John Smith \u00b7 Ana Lee\nDepartment of Physics, Demo University\n"
        assert from_first_page(text + body).authors == ["Jane Roe", "John Smith", "Ana Lee"]

    def test_authors_separated_only_by_markers_or_symbols(self):
        text = "Nibble-width HyperLogLog: cardinality estimation\nAurelio Fenwick* Sung-min Baek\u2020 Marguerite Olande*\nAbstract"
        assert from_first_page(text).authors == ["Aurelio Fenwick", "Sung-min Baek", "Marguerite Olande"]

    @pytest.mark.parametrize(
        "line, doi",
        [
            ("https://doi.org/10.1021/acs.jpcc.5b01234.", "10.1021/acs.jpcc.5b01234"),
            ("DOI: 10.1016/S0009-2614(02)01234-5,", "10.1016/S0009-2614(02)01234-5"),
            ("(doi:10.1103/PhysRevB.99.045123)", "10.1103/PhysRevB.99.045123"),
            # HAL's cover sets the DOI in angle brackets.
            (
                "IEEE Transactions on Information Theory, 1982, 28 (2), pp.129-137. \u27e810.1109/TIT.1982.1056489\u27e9",
                "10.1109/TIT.1982.1056489",
            ),
            ("doi.org/10.5555/\ndemo.2024.1 more", "10.5555/demo.2024.1"),
            # ASCE's brackets in the fonts it used until about 2005.
            ("DOI: 10.1061/~ASCE!1076-0342~2003!9:3~117!", "10.1061/(ASCE)1076-0342(2003)9:3(117)"),
        ],
    )
    def test_doi_forms(self, line, doi):
        assert from_first_page(f"Some Title Here\n{line}").doi == doi

    @pytest.mark.parametrize(
        "text, year",
        [
            ("Received 3 March 2022; accepted 1 May 2023; published 5 June 2024", 2024),
            ("Received 3 March 2022; accepted 1 May 2023", 2023),
            # A revised form comes after the manuscript was received, and the paper after both.
            ("(Manuscript received 18 November 1962, in revised form 7 January 1963)", 1963),
            ("Received 3 March 2022; revised 9 January 2023; accepted 1 May 2023", 2023),
            # The revision's date, with no acceptance after it; a revised thing in prose is no date.
            ("Received 3 March 2019; revised 9 January 2020", 2020),
            ("Revised manuscript received 3rd March 1990", 1990),
            ("Received 3 March 2019. We used the revised 2021 census", 2019),
            ("\u00a9 2021 Demo Press. All rights reserved.", 2021),
            ("Demo Letters in Biochemistry (2019) 5:107", 2019),
            ("J. Demo. 12, vol. 3, 2018", 2018),
            ("Lakemont Computing Technical Reports, 2017", 2017),
            ("Published 5 June 1850", None),
            ("Physics. - On the attraction of two plates.\n(Communicated at the meeting of May 29. 1948.)", 1948),
            ("Intro\n" + "\n".join(f"body line {n}" for n in range(12)) + "\nas Smith (2015) showed\nend\nof page\nx", None),
        ],
    )
    def test_year_rules(self, text, year):
        assert from_first_page(text).year == year

    def test_page_without_metadata_gives_empty_metadata(self):
        assert from_first_page("") == Metadata()
        assert from_first_page("1\n\n").as_dict() == Metadata().as_dict()

    def test_known_title_locates_the_authors(self):
        text = "Banner line\nShort Title\nJohn Smith and Ana Demo\nDemo University, Demo City"
        metadata = from_first_page(text, title="Short Title")
        assert (metadata.title, metadata.authors) == ("Short Title", ["John Smith", "Ana Demo"])


def make_pdf(lines, info=None, xmp=None, scaled_text_matrix=False, more_pages=()):
    """A PDF whose first page has each (font size, text) line in Helvetica, and a page for each of ``more_pages``."""
    writer = PdfWriter()
    for page_lines in (lines, *more_pages):
        _add_page(writer, page_lines, scaled_text_matrix)
    if info:
        writer.add_metadata(info)
    if xmp is not None:
        writer.xmp_metadata = xmp
    buffer = BytesIO()
    writer.write(buffer)
    return PdfReader(buffer)


def _read_layout(lines):
    """Metadata of a first page given as layout lines (text, size, font, baseline)."""
    return from_layout(PageLayout(lines), "\n".join(line.text for line in lines))


def _helvetica_page(writer):
    """A blank letter page whose resources name Helvetica as /F1."""
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    return page


def _add_page(writer, lines, scaled_text_matrix):
    page = _helvetica_page(writer)
    operations = []
    # Lines follow at one and a half times their type's size, as a title's or a paragraph's lines do.
    y = 740.0
    for line_number, (size, text) in enumerate(lines):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        if line_number:
            y -= 1.5 * max(size, lines[line_number - 1][0])
        if scaled_text_matrix:
            operations.append(f"BT /F1 1 Tf {size} 0 0 {size} 72 {y} Tm ({escaped}) Tj ET")
        else:
            operations.append(f"BT /F1 {size} Tf 1 0 0 1 72 {y} Tm ({escaped}) Tj ET")
    content = DecodedStreamObject()
    content.set_data("\n".join(operations).encode("cp1252"))
    page.replace_contents(content)


FIRST_PAGE_LINES = [
    (8, "Journal of Demo Science 3 (2019) 11-19"),
    (20, "Largest Font Title on"),
    (20, "Two Lines"),
    (11, "Jane Roe1 and Rick Poe2"),
    (11, "1Demo University, Demo City"),
    (10, "Abstract. The body text of the paper is set in the body font size here."),
    (10, "More body text follows in the normal size, doi: 10.4321/page.doi"),
]


class TestFromPdf:
    def test_junk_info_falls_back_to_the_largest_font_title(self):
        reader = make_pdf(FIRST_PAGE_LINES, info={"/Title": "Microsoft Word - paper.docx", "/CreationDate": "D:20230102"})
        assert from_pdf(reader) == Metadata("Largest Font Title on Two Lines", ["Jane Roe", "Rick Poe"], 2019, "10.4321/page.doi")

    def test_font_size_from_a_scaled_text_matrix_counts(self):
        reader = make_pdf(FIRST_PAGE_LINES, scaled_text_matrix=True)
        assert from_pdf(reader).title == "Largest Font Title on Two Lines"

    def test_xmp_and_info_that_page_one_does_not_print_are_not_taken(self):
        info = {"/Title": "Info Title Text", "/Author": "Info Author", "/Subject": "doi:10.1111/info"}
        metadata = from_pdf(make_pdf(FIRST_PAGE_LINES, info=info, xmp=XMP_PACKET.encode()))
        assert metadata == Metadata("Largest Font Title on Two Lines", ["Jane Roe", "Rick Poe"], 2019, "10.4321/page.doi")
        assert metadata.sources == {"title": "layout", "authors": "layout", "year": "layout", "doi": "doi-pattern", "journal": "layout"}

    def test_xmp_fields_that_page_one_confirms_are_taken(self):
        packet = XMP_PACKET.replace("Heat  in Confined Fluids", "Largest Font Title on Two Lines")
        packet = packet.replace(
            "<rdf:li>Smith, John</rdf:li><rdf:li>Ana Demo</rdf:li>", "<rdf:li>Roe, Jane</rdf:li><rdf:li>Rick Poe</rdf:li>"
        )
        packet = packet.replace("10.1234/demo.2022.7", "10.4321/page.doi")
        metadata = from_pdf(make_pdf(FIRST_PAGE_LINES, xmp=packet.encode()))
        assert metadata == Metadata("Largest Font Title on Two Lines", ["Jane Roe", "Rick Poe"], 2019, "10.4321/page.doi")
        assert (metadata.sources["title"], metadata.sources["authors"], metadata.sources["doi"]) == ("xmp", "xmp", "xmp")

    def test_the_pages_capitals_beat_infos_for_the_same_words(self):
        lines = [(18, "How to Read a Paper"), (12, "S. Keshav"), *BODY_LINES]
        metadata = from_pdf(make_pdf(lines, info={"/Title": "How to read a paper"}))
        assert (metadata.title, metadata.sources["title"]) == ("How to Read a Paper", "layout")
        # A title in capitals on the page reads better as Info writes it.
        lines = [(18, "HOW TO READ A PAPER"), (12, "S. Keshav"), *BODY_LINES]
        assert from_pdf(make_pdf(lines, info={"/Title": "How to Read a Paper"})).title == "How to Read a Paper"

    def test_info_beats_the_page_and_creation_year_is_the_last_resort(self):
        lines = [(10, "Largest Font Title"), (10, "Report 2023-17 of the heat group, plain body text.")]
        info = {"/Title": "Info Title Text", "/Author": "Info Author", "/CreationDate": "D:20230102"}
        # A page with almost no text, all in one type (a scan's), takes Info's title, but not its author: a scan's
        # Info names whoever scanned it, and the page cannot confirm the name.
        assert from_pdf(make_pdf(lines, info=info)) == Metadata("Info Title Text", [], 2023, None)
        # A cover in large type has as few letters, but its type gives the title: Info's ("Coza store") is not printed.
        cover = [(16, "Nitte Mahalinga Adyanthaya Memorial Institute"), (16, "of Technology"), (16, "Nitte 574110, Karkala, Udupi")]
        cover += [(24, "SEMINAR REPORT"), (24, "on"), (24, "Blockchain Technology for Food Supply"), (24, "Chains"), (22, "By")]
        cover += [(22, "OLWIN DSOUZA"), (16, "2021-22")]
        metadata = from_pdf(make_pdf(cover, info={"/Title": "Coza store", "/Author": "Annapoorna bhatk"}))
        assert (metadata.title, metadata.authors) == ("Blockchain Technology for Food Supply Chains", ["Olwin Dsouza"])

    def test_the_day_a_file_was_made_is_no_year_unless_page_one_prints_it(self):
        # A 1948 paper scanned in 1998: the scanner's date is not the paper's year.
        lines = [(20, "A Mathematical Theory of Heat"), (10, "Plain body text without any dates.")]
        assert from_pdf(make_pdf(lines, info={"/CreationDate": "D:19980102"})).year is None
        packet = XMP_PACKET.replace("<prism:publicationDate>2022-06-01</prism:publicationDate>", "")
        assert from_xmp(packet).year_is_file_date
        assert from_pdf(make_pdf(lines, xmp=packet.encode())).year is None
        assert from_pdf(make_pdf(lines, xmp=XMP_PACKET.encode())).year == 2022

    def test_a_bigger_section_heading_is_not_taken_for_the_title(self):
        lines = [
            (10, "Plain Title In Body Size"),
            (10, "Jane Roe1 and Rick Poe2"),
            (14, "1 Introduction"),
            (10, "The body text of the paper is set in the body font size here."),
            (10, "More body text follows in the normal size and goes on."),
        ]
        metadata = from_pdf(make_pdf(lines))
        assert (metadata.title, metadata.authors) == ("Plain Title In Body Size", ["Jane Roe", "Rick Poe"])

    def test_broken_metadata_xmp_and_page_never_raise(self):
        reader = make_pdf(FIRST_PAGE_LINES, xmp=b"<x:xmpmeta broken")
        assert from_pdf(reader).title == "Largest Font Title on Two Lines"

        class BrokenReader:
            @property
            def metadata(self):
                raise ValueError("broken Info")

            @property
            def root_object(self):
                raise KeyError("/Root")

            @property
            def pages(self):
                raise IndexError("no pages")

        assert from_pdf(BrokenReader()) == Metadata()

    @pytest.mark.parametrize("file_name", DEMO_FILES)
    def test_demo_papers_match_expected_metadata(self, file_name):
        if not (DEMO_PAPERS / file_name).exists():
            pytest.skip(f"{file_name} not built")
        expected = json.loads(EXPECTED_PATH.read_text())[file_name]
        fields = {key: expected[key] for key in ("title", "authors", "year", "doi")}
        reader = PdfReader(DEMO_PAPERS / file_name)
        assert from_pdf(reader).as_dict() == fields
        assert from_first_page(reader.pages[0].extract_text()).as_dict() == fields


# Layouts of real first pages, each line (font size, text), in Helvetica.
STACKED_AUTHOR_BLOCKS = [
    (18, "Bi-criteria Scheduling of Moldable Jobs on Clusters"),
    (12, "Pierre Dutot"),
    (10, "ID-IMAG, 51 avenue Jean Kuntzmann"),
    (10, "38330 Montbonnot, France"),
    (12, "Lionel Eyraud"),
    (10, "ID-IMAG, 51 avenue Jean Kuntzmann"),
    (12, "Denis Trystram"),
    (10, "Computer Science Division"),
    (12, "ABSTRACT"),
    (9, "We describe in this paper a new method for building an efficient algorithm for scheduling jobs in a cluster."),
    (9, "Jobs are considered as parallel tasks which can be scheduled on any number of processors and the method works."),
]
BANNER_ABOVE_TITLE = [
    (16, "R E S E A R C H A R T I C L E Open Access"),
    (14, "Understanding the barriers to quality improvement"),
    (14, "in resource-limited hospitals"),
    (10, "Josephine Agyeman-Duah1*, Antje Theurer2,3 and Florian Neuhann5"),
    (9, "1Department of Medicine, Kamuzu Central Hospital, Lilongwe, Malawi"),
    (9, "Abstract"),
    (9, "Background: Knowledge regarding the best approaches to improving the quality of healthcare is lacking."),
]


class TestRealPaperPatterns:
    @pytest.mark.parametrize(
        "info_title",
        ["OP-GENE210101 1..14", "JMF-2019-4604-ver9", "Anonymous Submission", "Proceedings Template - WORD", "28 e.xps"],
    )
    def test_typesetter_job_names_and_placeholders_are_junk(self, info_title):
        assert from_info({"/Title": info_title}).title is None

    @pytest.mark.parametrize(
        "info_title",
        [
            "Proceedings of the 45th Annual Meeting of the Association for Computational Linguistics",
            "Elsevier",
            "Stress and dementia in older adults",  # another paper's title
        ],
    )
    def test_info_titles_that_page_one_does_not_print_lose_to_the_layout(self, info_title):
        metadata = from_pdf(make_pdf(FIRST_PAGE_LINES, info={"/Title": info_title, "/Author": "Uploader Name"}))
        assert (metadata.title, metadata.authors) == ("Largest Font Title on Two Lines", ["Jane Roe", "Rick Poe"])
        assert metadata.sources["title"] == "layout"

    def test_a_truncated_info_title_loses_to_the_full_one_on_the_page(self):
        metadata = from_pdf(make_pdf(FIRST_PAGE_LINES, info={"/Title": "Largest Font Title on"}))
        assert metadata.title == "Largest Font Title on Two Lines"

    def test_info_title_printed_on_page_one_is_taken_with_its_source(self):
        metadata = from_pdf(make_pdf(FIRST_PAGE_LINES, info={"/Title": "Largest Font Title on Two Lines"}))
        assert (metadata.title, metadata.sources["title"]) == ("Largest Font Title on Two Lines", "info")

    def test_utf16_bytes_in_the_info_title_are_decoded(self):
        raw = "\u00fe\u00ff" + "".join("\x00" + char for char in "Heat Flow in Rocks")
        assert from_info({"/Title": raw}).title == "Heat Flow in Rocks"
        assert from_info({"/Title": b"\xfe\xff" + "Heat Flow in Rocks".encode("utf-16-be")}).title == "Heat Flow in Rocks"

    def test_stacked_author_blocks_give_every_author_and_no_address(self):
        metadata = from_pdf(make_pdf(STACKED_AUTHOR_BLOCKS))
        assert metadata.title == "Bi-criteria Scheduling of Moldable Jobs on Clusters"
        assert metadata.authors == ["Pierre Dutot", "Lionel Eyraud", "Denis Trystram"]

    def test_letter_spaced_article_type_banner_is_not_the_title(self):
        metadata = from_pdf(make_pdf(BANNER_ABOVE_TITLE))
        assert metadata.title == "Understanding the barriers to quality improvement in resource-limited hospitals"
        assert metadata.authors == ["Josephine Agyeman-Duah", "Antje Theurer", "Florian Neuhann"]

    @pytest.mark.parametrize("big_text", ["Fig. 2", "Temperature (K)", "Nature Communications", "future internet"])
    def test_figure_labels_axis_titles_and_journal_logos_in_the_largest_type_are_passed_over(self, big_text):
        metadata = from_pdf(make_pdf([(30, big_text), *FIRST_PAGE_LINES[1:]]))
        assert metadata.title == "Largest Font Title on Two Lines"

    @pytest.mark.parametrize(
        "stamp", ["This content downloaded from", "106.122.167.86 on Mon, 29 Nov 2021 02:31:12 UTC", "Printed at 10:48:02 on a Monday"]
    )
    def test_a_download_stamps_lines_are_no_title(self, stamp):
        lines = [(14, stamp), (12, "The Tragedy of the Commons"), (10, "Garrett Hardin"), (9, "Plain body text.")]
        assert from_pdf(make_pdf(lines)).title == "The Tragedy of the Commons"

    def test_a_crystal_face_in_brackets_is_no_year_and_leaves_the_title_a_title(self):
        lines = [
            (17, "Stable Phosphorus-Enriched (0001) Surfaces of Nickel Phosphides"),
            (13, "Robert B. Wexler, John Mark P. Martirez,\u2020 and Andrew M. Rappe*"),
            (10, "Department of Chemistry, University of Pennsylvania, Philadelphia, Pennsylvania"),
            (10, "19104-6323, United States"),
            (10, "ABSTRACT: In heterogeneous catalysis, catalyst synthesis precedes operation."),
        ]
        assert from_pdf(make_pdf(lines)).title == "Stable Phosphorus-Enriched (0001) Surfaces of Nickel Phosphides"
        # A journal's section label in the title's size, set apart above it (BioEssays).
        labelled = [(24, "Insights & Perspectives"), (10, " "), *lines]
        assert from_pdf(make_pdf(labelled)).title == "Stable Phosphorus-Enriched (0001) Surfaces of Nickel Phosphides"
        lines[0] = (17, "Climate Change Economics (2019) Review Issue")
        assert from_pdf(make_pdf(lines)).title != "Climate Change Economics (2019) Review Issue"

    def test_preprint_header_above_the_title_is_skipped(self):
        text = (
            "Draft version July 14, 2017\nTypeset using LATEX twocolumn style in AASTeX61\n"
            "PHOTOMETRIC REDSHIFTS OF FAINT GALAXIES\nMira Castellanos,1 Tobias Lindqvist,2 and Hana Okafor1\n"
            "1Observatory of Eastvale, Eastvale\nABSTRACT\nWe estimate redshifts."
        )
        metadata = from_first_page(text)
        assert metadata.title == "PHOTOMETRIC REDSHIFTS OF FAINT GALAXIES"
        assert metadata.authors == ["Mira Castellanos", "Tobias Lindqvist", "Hana Okafor"]
        assert metadata.year == 2017

    def test_title_does_not_run_into_an_unmarked_author_line(self):
        text = "Noisy Matrix Decomposition via Convex Relaxation\nAlekh Agarwal, Sahand Negahban\nDepartment of EECS, University of California, Berkeley"
        metadata = from_first_page(text)
        assert metadata.title == "Noisy Matrix Decomposition via Convex Relaxation"
        assert metadata.authors == ["Alekh Agarwal", "Sahand Negahban"]

    @pytest.mark.parametrize(
        "author_lines, expected",
        [
            ("Xiaolu Huang,1,2 Xinhua Qu,1,2 Weili Yan,2,3 Ping Xiong1", ["Xiaolu Huang", "Xinhua Qu", "Weili Yan", "Ping Xiong"]),
            (
                "Zheren Wang1,2,a, Kevin Cruse1,2,a, Olga Kononova1,*,b, and Gerbrand Ceder1,2,*",
                ["Zheren Wang", "Kevin Cruse", "Olga Kononova", "Gerbrand Ceder"],
            ),
            ("Kyle Lo\u2020\u2217 Lucy Lu Wang\u2020 Daniel S. Weld\u2020\u2021", ["Kyle Lo", "Lucy Lu Wang", "Daniel S. Weld"]),
            ("Kalpesh Krishna\u2660 \u2217 Erin Bransom\u2662 Mohit Iyyer\u2660", ["Kalpesh Krishna", "Erin Bransom", "Mohit Iyyer"]),
            ("Ed Chang and Avideh Zakhor, Member, IEEE", ["Ed Chang", "Avideh Zakhor"]),
            (
                "Zolt\u00b4an Gy\u00a8ongyi Hector Garcia-Molina Jan Pedersen",
                ["Zolt\u00e1n Gy\u00f6ngyi", "Hector Garcia-Molina", "Jan Pedersen"],
            ),
            (
                "Pamela Forner1, Anselmo Pe\u00f1as2, Paulo Ro-\ncha9, Corina\nFor\u0103scu5, and Erik Sang12",
                ["Pamela Forner", "Anselmo Pe\u00f1as", "Paulo Rocha", "Corina For\u0103scu", "Erik Sang"],
            ),
            ("LEANA GOLUBCHIK\nand\nSANJEEV KHANNA", ["Leana Golubchik", "Sanjeev Khanna"]),
            # The OCR behind an old scan's text reads a footnote's dagger after a surname in capitals as a letter.
            ("By ROBERT TIBSHIRANIt", ["Robert Tibshirani"]),
            # OCR misreads an address's word; it is still no name.
            ("Karen STEPHENSON * *\nMarvin ZELEN ***\nHarvard Uniuersiry", ["Karen Stephenson", "Marvin Zelen"]),
            # A nickname in quotes is part of the name.
            ("Yuancheng \u201cMike\u201d Luo and Ramani Duraiswami", ["Yuancheng \u201cMike\u201d Luo", "Ramani Duraiswami"]),
            ("Joseph Futoma, Sanjay Hariharan JDF38,SH360@DUKE.EDU", ["Joseph Futoma", "Sanjay Hariharan"]),
        ],
    )
    def test_author_lines_of_real_journals(self, author_lines, expected):
        text = f"Sparse Recovery of Gene Regulatory Networks\n{author_lines}\n1Department of Biology, Lakemont University, Lakemont\nAbstract\nWe study."
        assert from_first_page(text).authors == expected

    def test_a_preprint_label_is_not_an_author(self):
        text = "EDUCATIONAL TIMETABLING: PROBLEMS AND RESULTS\nA PREPRINT\nSara Ceschia, Luca Di Gaspero, Andrea Schaerf\u2217\nABSTRACT\nWe survey."
        assert from_first_page(text).authors == ["Sara Ceschia", "Luca Di Gaspero", "Andrea Schaerf"]

    @pytest.mark.parametrize(
        "line, doi",
        [
            ("bioRxiv preprint doi: https://doi.org/10.1101/2020.03.01.484946doi", "10.1101/2020.03.01.484946"),
            (
                "J. Biomed. Mater. Res. 35, 1 (1997) DOI: 10.1002/(SICI)1097-4636(199704)35:1<1::AID-JBM1>3.0.CO;2-M",
                "10.1002/(SICI)1097-4636(199704)35:1<1::AID-JBM1>3.0.CO;2-M",
            ),
            ("Published online: doi:10.1234/demo.2020.\n5", "10.1234/demo.2020"),
        ],
    )
    def test_doi_glued_words_sici_brackets_and_page_numbers(self, line, doi):
        assert from_first_page(f"Some Title Here\n{line}").doi == doi

    @pytest.mark.parametrize(
        "text, year",
        [
            ("Downloaded from https://academic.example.org/ on 12 March 2024\n\u00a9 2019 Demo Press", 2019),
            ("This PDF was generated on 2 May 2025 for personal use\nReceived 3 March 2018; accepted 1 May 2018", 2018),
            ("International Psychogeriatrics (2014), 26:1, 147\u2013154 \u00a9 International Psychogeriatric Association 2013", 2014),
            ("Some Title\narXiv:2201.09329v1 [cs.LG] 23 Jan 2022", 2022),
        ],
    )
    def test_download_stamps_never_give_the_year(self, text, year):
        assert from_first_page(text).year == year

    def test_journal_banner_gives_the_venue(self):
        assert from_first_page(LATEX_FIRST_PAGE).journal == "Journal of Demonstrative Physics"
        text = "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics, pages 4969\u20134983\nA Title"
        assert from_first_page(text).journal == "Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics"


def test_extract_pdf_carries_layout_metadata_sources_venue_and_an_unlabelled_abstract(tmp_path):
    from papergym.core.ingest.extract import extract_pdf

    prose = [
        (9, "Excitons in monolayer semiconductors are bound so tightly that they dominate the optical"),
        (9, "response even at room temperature, and their energies shift with strain in ways that"),
        (9, "earlier models did not capture. Here we bend flakes of tungsten diselenide on a flexible"),
        (9, "substrate and follow the exciton energy and linewidth as the strain rises to two per cent."),
        (12, "Introduction"),
        (9, "Body text of the paper follows here and says what was done before and why it matters."),
    ]
    lines = [
        (8, "Journal of Demo Science 3 (2019) 11-19"),
        (20, "Strain-tunable excitons in monolayer WSe2"),
        (11, "Jane Roe1 and Rick Poe2"),
        *prose,
    ]
    reader = make_pdf(lines, info={"/Title": "JMF-2019-4604-ver9"})
    path = tmp_path / "paper.pdf"
    writer = PdfWriter(clone_from=reader)
    with path.open("wb") as handle:
        writer.write(handle)
    paper = extract_pdf(str(path))
    assert (paper.title, paper.authors, paper.year, paper.journal) == (
        "Strain-tunable excitons in monolayer WSe2",
        ["Jane Roe", "Rick Poe"],
        2019,
        "Journal of Demo Science",
    )
    assert paper.sources == {"title": "layout", "authors": "layout", "year": "layout", "journal": "layout"}
    assert paper.abstract.startswith("Excitons in monolayer semiconductors")


def test_nature_style_title_block_after_the_first_column_is_found():
    column = [
        (9, f"Neurons communicate via specialized molecular machines, line {number} of the first column text.") for number in range(32)
    ]
    lines = [*column, (20, "Ephaptic coupling of cortical neurons"), (11, "Costas Anastassiou1,2, Rodrigo Perin3 & Christof Koch1")]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.title, metadata.authors) == (
        "Ephaptic coupling of cortical neurons",
        ["Costas Anastassiou", "Rodrigo Perin", "Christof Koch"],
    )


@pytest.mark.parametrize(
    "banner, year",
    [
        ("Proceedings of the 28th International Conference on Machine Learning, Bellevue, WA, USA, 2011.", 2011),
        ("In Proceedings of the 45th Annual Meeting of the Association for Computational Linguistics (ACL-2007). pp. 576-583", 2007),
        ("SIGMOD'07, June 12-14, 2007, Beijing, China.", 2007),
        ("Proceedings of the 50th Annual Meeting of the ACL, pages 11-21,\nJeju, Republic of Korea, 8-14 July 2012.", 2012),
        # TeX's double hyphen between the days.
        ("INTERSPEECH 2010 workshop, September 22--24, 2010, Tokyo", 2010),
    ],
)
def test_conference_banners_give_the_year(banner, year):
    assert from_first_page(f"{banner}\nA Title About Heat Flow\nJohn Smith and Ana Demo").year == year


@pytest.mark.parametrize(
    "dated_line, year",
    [
        ("SMLI TR-94-29 November 1994", 1994),
        ("(Draft of October 7, 2013)", 2013),
        ("April 1960", 1960),
        ("To appear in OSDI 2006", 2006),
        ("ACM, December 1993, Asheville, North Carolina.", 1993),
        ("ACM OOPS Messenger 4,4 (Oct. 1993), 2-27.", 1993),
        ("Journal of Computer and System Sciences 75 (2009) 178-189\nAvailable online 1 November 2008", 2009),
        ("as shown by Smith et al. in June 2015", None),
    ],
)
def test_a_short_dated_header_line_gives_the_year(dated_line, year):
    assert from_first_page(f"{dated_line}\nA Title About Heat Flow\nJohn Smith and Ana Demo\nBody text.").year == year


@pytest.mark.parametrize(
    "page, year",
    [
        ("A Title About Heat\nVol. 27, pp. 379-423, 623-656, July, October, 1948.\nBody text.", 1948),
        (
            "A Title About Heat\nJohn Smith\nBody.\nPVLDB Reference Format:\nJohn Smith. A Title About Heat.\nPVLDB, 14(3): 268 - 280, 2021.",
            2021,
        ),
        (
            "A Title About Heat\nJohn Smith\n"
            + "body line\n" * 20
            + "This paper appeared in Proceedings, STOC 1996, Philadelphia\n"
            + "x\n" * 9,
            1996,
        ),
    ],
)
def test_a_paper_saying_where_it_appeared_gives_the_year(page, year):
    assert from_first_page(page).year == year


def test_a_dated_sentence_at_the_foot_of_a_page_is_not_a_year():
    page = "A Title About Heat\nJohn Smith\n" + "body line\n" * 12 + "the sampling campaign\nthat ended in March 2001."
    assert from_first_page(page).year is None


def test_a_title_ending_in_a_colon_does_not_take_the_names_under_it():
    lines = [(16, "Deep Learning for Heat Flow:"), (14, "John Smith"), (10, "Demo University, Demo City"), *BODY_LINES]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.title, metadata.authors) == ("Deep Learning for Heat Flow:", ["John Smith"])


def test_a_subtitle_opening_with_an_article_is_no_author():
    lines = [(16, "Deep Learning for Heat Flow"), (14, "A Survey"), (11, "John Smith"), (9, "Demo University, Demo City"), *BODY_LINES]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.title, metadata.authors) == ("Deep Learning for Heat Flow A Survey", ["John Smith"])


def test_a_doi_before_a_year_on_the_next_line_stays_whole():
    assert from_first_page("A Title Here\ndoi:10.1145/123.456.\n2019. Next line").doi == "10.1145/123.456"


def test_letters_spaced_as_single_glyphs_are_no_title():
    from papergym.core.ingest.metadata.titles import clean_title

    assert clean_title("A B C D E F G D H I J K L M N O P") is None
    assert clean_title("A Theory of X and Y") == "A Theory of X and Y"


def test_a_very_long_line_is_read_quickly():
    import time

    started = time.perf_counter()
    from_first_page("A Title About Heat\n" + "x" * 30000 + "\n" + "/1" * 20000)
    assert time.perf_counter() - started < 2


def test_a_date_in_running_text_is_not_a_year():
    assert from_first_page("A Title About Stuff\nJohn Smith\nWe met in June 2015 to discuss.").year is None


BODY_LINES = [
    (10, "Abstract. The body text of the paper is set in the body font size here."),
    (10, "More body text follows in the normal size and goes on for a while."),
    (10, "Even more body text, so that the body size is the most common one."),
]


@pytest.mark.parametrize(
    "title_lines, title",
    [
        ([(16, "Composable and Compilable Macros"), (12.5, "You Want it When?")], "Composable and Compilable Macros You Want it When?"),
        (
            [(15, "The Dining Cryptographers Problem:"), (14.5, "Unconditional Sender and Recipient Untraceability")],
            "The Dining Cryptographers Problem: Unconditional Sender and Recipient Untraceability",
        ),
        ([(16, "Life beyond Distributed Transactions"), (12.5, "Position Paper")], "Life beyond Distributed Transactions"),
    ],
)
def test_a_subtitle_in_large_type_joins_its_title_but_not_an_article_type(title_lines, title):
    metadata = from_pdf(make_pdf([*title_lines, (11, "Matthew Flatt"), (9, "University of Utah, Salt Lake City"), *BODY_LINES]))
    assert (metadata.title, metadata.authors) == (title, ["Matthew Flatt"])


@pytest.mark.parametrize("short_title", ["Tidy Data", "Tilings*", "Affective Computing"])
def test_a_short_title_counts_when_names_follow_it(short_title):
    metadata = from_pdf(make_pdf([(9, "Technical Report No. 321"), (17, short_title), (12, "R. W. Picard"), *BODY_LINES]))
    assert (metadata.title, metadata.authors) == (short_title.rstrip("*"), ["R. W. Picard"])


def test_a_series_name_in_large_type_is_passed_over_for_the_title():
    lines = [(28, "Contemporary Mathematics"), (10, "Volume 495, 2009"), (14, "Introduction to Tropical Geometry"), (11, "Diane Maclagan")]
    metadata = from_pdf(make_pdf([*lines, *BODY_LINES]))
    assert (metadata.title, metadata.authors) == ("Introduction to Tropical Geometry", ["Diane Maclagan"])


@pytest.mark.parametrize(
    "author_line, authors",
    [
        (
            "Dingwen Tao,\u2217 Sheng Di,\u2020 Zizhong Chen,\u2217 and Franck Cappello\u2020\u2021",
            ["Dingwen Tao", "Sheng Di", "Zizhong Chen", "Franck Cappello"],
        ),
        ("CYNTHIA DWORK AND NANCY LYNCH", ["Cynthia Dwork", "Nancy Lynch"]),
        ("Patrick M. Rondon Ming Kawaguchi Ranjit Jhala", ["Patrick M. Rondon", "Ming Kawaguchi", "Ranjit Jhala"]),
        ("Ruifang Ge Raymond J. Mooney", ["Ruifang Ge", "Raymond J. Mooney"]),
        ("Kexin Rong, Peter Bailis\nStanford InfoLab", ["Kexin Rong", "Peter Bailis"]),
        ("K. V. Rashmi\nUC Berkeley", ["K. V. Rashmi"]),
        ("Kyle Kingsbury, Peter Alvaro\nUC Santa Cruz", ["Kyle Kingsbury", "Peter Alvaro"]),
        ("Roger Dingledine\nThe Free Haven Project", ["Roger Dingledine"]),
        ("Pat Helland\nPosition Paper", ["Pat Helland"]),
        ("Jane Roe\nACM Classification Keywords", ["Jane Roe"]),
        ("ZHANG Wei and LI Ming", ["Zhang Wei", "LI Ming"]),
        ("By Hal R. Varian", ["Hal R. Varian"]),
        ("William H. Press, Saul A. Teukolsky", ["William H. Press", "Saul A. Teukolsky"]),
        ("ZHANG Xiao Ming, LI Wei Dong", ["Zhang Xiao Ming", "LI Wei Dong"]),
        ("Jan Willem van der Berg", ["Jan Willem van der Berg"]),
        ("Jeff Dean, Google; Sanjay Ghemawat, Google; Ana Demo, Stanford University", ["Jeff Dean", "Sanjay Ghemawat", "Ana Demo"]),
        (
            "Chien-Chin Huang, New York University; Qi Chen, Peking University; Zhaoguo Wang\n"
            "and Russell Power, New York University; Jorge Ortiz, IBM T.J. Watson Research Center;",
            ["Chien-Chin Huang", "Qi Chen", "Zhaoguo Wang", "Russell Power", "Jorge Ortiz"],
        ),
    ],
)
def test_author_lines_keep_people_and_drop_organisations(author_line, authors):
    assert from_first_page(f"A Title About Heat Flow in Rocks\n{author_line}\nAbstract\nBody.").authors == authors


def test_an_affiliation_that_starts_with_its_marker_is_no_author():
    text = "A Title About Heat Flow in Rocks\nJane Roe\u00a7 and Rick Poe\n\u00a7Lead Molecular Design, Pompeu Fabra University, Barcelona\nAbstract\nBody."
    assert from_first_page(text).authors == ["Jane Roe", "Rick Poe"]


def test_a_doi_at_a_sentence_end_does_not_take_the_next_lines_word():
    assert from_first_page("A Title Here\nhttp://dx.doi.org/10.1145/2505515.2505671.\nand more text").doi == "10.1145/2505515.2505671"
    assert from_first_page("A Title Here\ndoi:10.1016/j.\njcss.2008.10.002").doi == "10.1016/j.jcss.2008.10.002"


def test_tex_ligature_codes_in_a_title_are_read_and_noise_is_no_title():
    from papergym.core.ingest.metadata.titles import clean_title

    assert clean_title("Kelips\x03: Building an E\x0ecient and Stable P2P DHT") == "Kelips: Building an Efficient and Stable P2P DHT"
    assert clean_title("\x05\x0f\x0e\x10 \x11 \x12\x13\x11 \x17 \x19\x18\x19\x03\x06\x11") is None


def test_an_author_box_after_the_abstract_is_found_when_an_address_follows_its_names():
    box = [
        (8.5, "Jan-Niklas Antons"),
        (8.5, "Quality and Usability Lab, TU Berlin"),
        (8.5, "Sebastian Arndt"),
        (8.5, "Quality and Usability Lab, TU Berlin"),
    ]
    lines = [(24, "Did You Notice? Neuronal Processing of Phone Feedback"), (9.5, "Abstract"), *BODY_LINES, *box]
    assert from_pdf(make_pdf(lines)).authors == ["Jan-Niklas Antons", "Sebastian Arndt"]
    without_address = [
        (24, "Did You Notice? Neuronal Processing of Phone Feedback"),
        (9.5, "Abstract"),
        *BODY_LINES,
        (8.5, "Sebastian Arndt"),
    ]
    assert from_pdf(make_pdf(without_address)).authors == []


@pytest.mark.parametrize(
    "author_line, authors",
    [
        # Springer: middle dots between the names.
        ("Sheila Ruswandi · Keiji Kitani · Kazuya Akimitsu", ["Sheila Ruswandi", "Keiji Kitani", "Kazuya Akimitsu"]),
        # Markers closed by a parenthesis, initials glued to the surname.
        ("D. Noreland1),J.Kergomard2),F.Laloë3)", ["D. Noreland", "J. Kergomard", "F. Laloë"]),
        # pdfTeX's detached breve and ogonek.
        ("Barlas O\u02d8guz\u2217, Je\u02dbdrzej Kowalczuk", ["Barlas Oğuz", "Jędrzej Kowalczuk"]),
    ],
)
def test_more_author_line_conventions(author_line, authors):
    assert from_first_page(f"A Title About Heat Flow in Rocks\n{author_line}\nAbstract\nBody.").authors == authors


def test_authors_set_above_the_title_are_found():
    lines = [
        (9.5, "FUNGAL DISEASES"),
        (8, "J Gen Plant Pathol (2005) 71:107-116"),
        (9.5, "Sheila Ruswandi · Keiji Kitani"),
        (9.5, "Takashi Tsuge · Tomonori Shiraishi"),
        (16, "Structural analysis of a cosmid clone carrying a toxin gene"),
        (9.5, "Abstract The strawberry pathotype of Alternaria alternata produces a toxin."),
        *BODY_LINES,
    ]
    metadata = from_pdf(make_pdf(lines))
    assert metadata.title == "Structural analysis of a cosmid clone carrying a toxin gene"
    assert metadata.authors == ["Sheila Ruswandi", "Keiji Kitani", "Takashi Tsuge", "Tomonori Shiraishi"]


def test_a_capitals_banner_above_the_title_is_no_author():
    lines = [(9.5, "FUNGAL DISEASES"), (16, "Structural analysis of a cosmid clone carrying a toxin gene"), (9.5, "Abstract"), *BODY_LINES]
    assert from_pdf(make_pdf(lines)).authors == []


def test_info_fields_with_html_entities_are_read_and_an_acronym_is_no_author():
    info = from_info({"/Author": "D. Noreland ; F. Lalo&euml;", "/Title": "Woodwinds &amp; Reeds"})
    assert (info.title, info.authors) == ("Woodwinds & Reeds", ["D. Noreland", "F. Laloë"])
    lines = [
        (8, "MCSER Publishing, Rome-Italy"),
        (16, "Employee Perception of Fairness of Advancement"),
        (10, "Kola O. Odeku"),
        (9, "Abstract"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines, info={"/Author": "MCSER"})).authors == ["Kola O. Odeku"]


@pytest.mark.parametrize(
    "page, year",
    [
        # The journal's reference of the article outranks its online-first date, wherever the line is read.
        ("Received 4 June 2003\nPublished online 27 November 2003\nA Title\nBody text.\nProc. R. Soc. Lond. B (2004) 271, 147–152", 2004),
        ("A Title\nBody text here.\nLancet 2004;363(9):147-52\nMore body text.", 2004),
        # A permission notice that names the venue.
        (
            "A Title\nBody text here that runs on.\nPermission to make digital or hard copies of this work is granted,\n"
            "provided that copies attribute the work to the author and CIDR 2007.\nMore body text.",
            2007,
        ),
    ],
)
def test_the_articles_own_reference_line_gives_the_year(page, year):
    assert from_first_page(page).year == year


@pytest.mark.parametrize(
    "author_line, authors",
    [
        # Old dvips fonts split words at kerning pairs; a lower-case piece in a name is the rest of a word.
        ("Michael Ernst, Craig Kaplan, and Craig Chamb ers", ["Michael Ernst", "Craig Kaplan", "Craig Chambers"]),
        ("Debra A. Lelew er and Daniel S. Hirsc h b erg", ["Debra A. Lelewer", "Daniel S. Hirschberg"]),
        # Initials without full stops in a run of names.
        ("S E Robertson S Walker S Jones M M Hancock-Beaulieu", ["S E Robertson", "S Walker", "S Jones", "M M Hancock-Beaulieu"]),
        # The Spanish "y" joins a double surname; lone letters after names are still markers.
        ("Rafael Pérez y Pérez and Mike Sharples", ["Rafael Pérez y Pérez", "Mike Sharples"]),
        ("Michael A. Bender a, Martin Farach b", ["Michael A. Bender", "Martin Farach"]),
    ],
)
def test_split_surnames_bare_initials_and_particles(author_line, authors):
    assert from_first_page(f"A Title About Heat Flow in Rocks\n{author_line}\nAbstract\nBody.").authors == authors


def test_a_page_set_in_one_size_is_read_as_text():
    lines = [(10, "Okapi at TREC-3"), (10, "S E Robertson S Walker"), (10, "Centre for Interactive Systems Research"), *BODY_LINES]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.title, metadata.authors) == ("Okapi at TREC-3", ["S E Robertson", "S Walker"])


def test_a_long_name_alone_on_its_line_stays_whole_among_one_name_lines():
    text = "Systematic Review in Software Engineering\nJorge Biolchini\nPaula Gomes Mian\nAna Candida Cruz Natali\nGuilherme Horta Travassos\nAbstract\nBody."
    assert from_first_page(text).authors == ["Jorge Biolchini", "Paula Gomes Mian", "Ana Candida Cruz Natali", "Guilherme Horta Travassos"]
    assert from_first_page("A Title About Heat Flow\nPatrick Rondon Ming Kawaguchi\nAbstract\nBody.").authors == [
        "Patrick Rondon",
        "Ming Kawaguchi",
    ]


@pytest.mark.parametrize(
    "author_lines, authors",
    [
        # A symbol marker followed by the affiliation letter that the other names carry glued.
        (
            "Davide Farnocchia\u2217a, Steven R. Chesleya, Michael S. P.\nKelleyc\naJet Propulsion Laboratory, Pasadena, CA, USA\n"
            "cDepartment of Astronomy, University of Maryland, USA",
            ["Davide Farnocchia", "Steven R. Chesley", "Michael S. P. Kelley"],
        ),
        # AIP's parenthesis glyphs close a letter marker.
        ("Patrick C. Chaumeta/H20850\nInstitut Fresnel, Université Paul Cézanne", ["Patrick C. Chaumet"]),
    ],
)
def test_more_author_blocks(author_lines, authors):
    from papergym.core.ingest.clean import decode_glyph_codes

    page = decode_glyph_codes(f"A Title About Heat Flow in Rocks\n{author_lines}\nAbstract\nBody.")
    assert from_first_page(page).authors == authors


def test_a_name_broken_after_its_initials_and_a_double_surname_spaced_at_the_break():
    lines = [
        (16, "The conductivity and the magnetization around Tc revisited"),
        (11, "R I Rey, C Carballeira, J M Doval, M V"),
        (11, "Ramallo, A Ramos- Alvarez, J C Verde"),
        (9, "Particle Physics Department, University of Santiago de Compostela, Spain"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines)).authors == ["R I Rey", "C Carballeira", "J M Doval", "M V Ramallo", "A Ramos-Alvarez", "J C Verde"]


def test_a_journal_logo_above_the_title_is_no_title_and_footnote_stars_are_dropped():
    lines = [
        (10, "A&A 466, 1179-1183 (2007)"),
        (17, "Astronomy&"),
        (17, "Astrophysics"),
        (16.5, "No evidence of a hot Jupiter around HD 188753 A*,**"),
        (11, "A. Eggenberger, S. Udry, and M. Mayor"),
        (9, "Received 28 November 2006 / Accepted 25 January 2007"),
        *BODY_LINES,
    ]
    metadata = from_pdf(make_pdf(lines))
    assert metadata.title == "No evidence of a hot Jupiter around HD 188753 A"
    assert metadata.authors == ["A. Eggenberger", "S. Udry", "M. Mayor"]


def test_an_author_list_cut_at_the_line_end_does_not_join_the_title():
    lines = [
        (17, "Discriminant analyses of peanut allergy severity scores"),
        (14.5, "Olivier Collignon, Jean-Marie Monnez, Pierre Vallois, F. Codreanu, J.-M."),
        (14.5, "Renaudin, Gisèle Kanny"),
        (12, "To cite this version:"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines)).title == "Discriminant analyses of peanut allergy severity scores"


@pytest.mark.parametrize(
    "page, year",
    [
        # A preprint typeset years after its arXiv stamp keeps the stamp's year.
        ("arXiv:astro-ph/0408471v2 10 Sep 2004\nAstronomy & Astrophysics manuscript no. santos, February 2, 2008\nA Title\nBody.", 2004),
        # HAL's cover page: the citation after "To cite this version".
        ("A Title\nTo cite this version:\nA. Author. A Title. Journal of Applied Statistics, 2011, 38 (9), pp.1783-1799.\nBody.", 2011),
    ],
)
def test_preprint_and_cover_page_years(page, year):
    assert from_first_page(page).year == year


# An archive's cover sheet (HAL's), set before the paper's own first page.
HAL_COVER_LINES = [
    (17, "Correlation between heart rate and performance during windsurfing"),
    (12, "Karim Chamari, Olivier Galy, Olivier Hue"),
    (10, "To cite this version:"),
    (10, "Karim Chamari, Olivier Galy, Olivier Hue. Correlation between heart rate and performance during"),
    (10, "windsurfing. European Journal of Applied Physiology, 2003, pp.387-392. <hal-00720564>"),
    (10, "HAL Id: hal-00720564"),
    (10, "Submitted on 24 Jul 2012"),
    (10, "HAL is a multi-disciplinary open access archive for the deposit and dissemination of research."),
]
PAPER_PAGE_LINES = [(10, "ORIGINAL ARTICLE"), (14, "Correlation between heart rate and performance"), (9, "DOI 10.1007/s00421-003-0808-4")]


def test_a_cover_sheet_gives_the_citations_year_not_the_day_it_was_deposited():
    assert from_pdf(make_pdf(HAL_COVER_LINES)).year == 2003


def test_a_doi_missing_from_a_cover_sheet_is_read_off_the_papers_page_after_it():
    metadata = from_pdf(make_pdf(HAL_COVER_LINES, more_pages=[PAPER_PAGE_LINES]))
    assert metadata.doi == "10.1007/s00421-003-0808-4"
    assert metadata.sources["doi"] == "page-2"
    # A caller that read page 2 already passes its text.
    assert from_pdf(make_pdf(HAL_COVER_LINES), second_page_text="Body.\ndoi:10.1007/given").doi == "10.1007/given"


def test_a_researchgate_cover_that_names_some_of_the_authors_gives_way_to_page_two():
    cover = [
        (6, "See discussions, stats, and author profiles for this publication at: https://www.researchgate.net/publication/1"),
        (13, "Numerical modeling of mode-locked fiber lasers with a saturable absorber"),
        (6, "Article in Optics Communications, January 2017"),
        (6, "3 authors, including:"),
        (6, "Some of the authors of this publication are also working on these related projects:"),
        (6, "Intracavity Supercontinuum Self-similar laser View project"),
        (6, "Andy Chong"),
        (6, "University of Dayton"),
        (6, "Joseph W Haus"),
        (6, "University of Dayton"),
    ]
    paper_page = [
        (15, "Numerical modeling of mode-locked fiber lasers with a saturable absorber"),
        (10, "Long Wang, Andy Chong, Joseph W. Haus"),
    ]
    metadata = from_pdf(make_pdf(cover, more_pages=[paper_page + BODY_LINES]))
    assert (metadata.authors, metadata.sources["authors"]) == (["Long Wang", "Andy Chong", "Joseph W. Haus"], "page-2")


JSTOR_COVER_LINES = [
    (12, "Terminating spiral waves with a single designed stimulus"),
    (12, "Author(s): Noah DeTal, Abouzar Kaboudian and Flavio H. Fenton"),
    (12, "Source: Proceedings of the National Academy of Sciences, Vol. 119, No. 24 (June 14, 2022), pp. 1-8"),
    (12, "Published by: National Academy of Sciences"),
    (12, "Stable URL: https://www.jstor.org/stable/27152112"),
    (9, "JSTOR is a not-for-profit service that helps scholars, researchers, and students discover content."),
]


def test_a_jstor_cover_is_read_as_a_form_and_the_papers_page_completes_its_title():
    metadata = from_pdf(make_pdf(JSTOR_COVER_LINES))
    assert (metadata.title, metadata.authors) == (
        "Terminating spiral waves with a single designed stimulus",
        ["Noah DeTal", "Abouzar Kaboudian", "Flavio H. Fenton"],
    )
    paper_page = [(15, "Terminating spiral waves with a single designed stimulus:"), (15, "Teleportation as the mechanism"), *BODY_LINES]
    metadata = from_pdf(make_pdf(JSTOR_COVER_LINES, more_pages=[paper_page]))
    assert metadata.title == "Terminating spiral waves with a single designed stimulus: Teleportation as the mechanism"
    assert metadata.sources["title"] == "page-2"


def test_a_jstor_covers_doi_gives_way_to_the_publishers_doi_on_the_papers_page():
    jstor_cover = [*JSTOR_COVER_LINES, (10, "DOI: 10.2307/27152112")]
    paper_page = [(15, "Terminating spiral waves with a single designed stimulus"), (8, "Noah DeTal and Flavio H. Fenton"), *BODY_LINES]
    assert from_pdf(make_pdf(jstor_cover, more_pages=[paper_page])).doi == "10.2307/27152112"
    paper_page.append((8, "https://doi.org/10.1073/pnas.2117568119"))
    assert from_pdf(make_pdf(jstor_cover, more_pages=[paper_page])).doi == "10.1073/pnas.2117568119"


def test_a_cover_sheet_is_no_part_of_the_papers_sections_or_abstract(tmp_path):
    from papergym.core.ingest.extract import extract_pdf

    paper_page = [
        (15, "Terminating spiral waves with a single designed stimulus"),
        (8, "Noah DeTal, Abouzar Kaboudian, and Flavio H. Fenton"),
        (10, "Abstract"),
        (9, "We identify a universal mechanism for terminating spiral waves in excitable media."),
        (12, "Introduction"),
        (9, "Body text of the paper follows here and says what was done before and why it matters."),
    ]
    path = tmp_path / "paper.pdf"
    with path.open("wb") as handle:
        PdfWriter(clone_from=make_pdf(JSTOR_COVER_LINES, more_pages=[paper_page])).write(handle)
    paper = extract_pdf(str(path))
    assert paper.abstract.startswith("We identify a universal mechanism")
    assert not any("JSTOR" in text for _, _, text in paper.sections)


def test_page_two_is_not_read_when_page_one_is_the_papers_own():
    metadata = from_pdf(make_pdf(FIRST_PAGE_LINES[:3] + BODY_LINES, more_pages=[PAPER_PAGE_LINES]))
    assert metadata.doi is None


@pytest.mark.parametrize(
    "page, year",
    [
        ('A Title\nJohn Smith\nBody.\nReference: Chuttur M.Y. (2009). "A Title," Working Papers, 9(37).', 2009),
        ("A Title\nJohn Smith\nCitation: Smith J, Roe K (2019) A Title. PLoS ONE 14(3): e0213. Received 2018.", 2019),
        ("A Title\nPlease cite this article in press as: J. Smith, A Title, Fuel (2011), doi:10.1/x\nReceived 3 May 2010", 2011),
        # A plural heading opens a list of other papers.
        ("A Title\nJohn Smith\nBody text.\nReferences:\n[1] A. Other, Old Work, J. Phys. (1987).", None),
        # Emerald's margin puts the journal's volume line after the history dates.
        ("A Title\nJohn Smith\nReceived 4 October 2005\nAccepted 8 March 2006\nEmployee Relations\nVol. 29 No. 2, 2007\npp. 162-177", 2007),
    ],
)
def test_the_citation_a_page_gives_for_itself_gives_the_year(page, year):
    assert from_first_page(page).year == year


def test_star_and_envelope_marks_between_names_are_markers():
    # MNRAS marks corresponding authors with a star after the affiliation number; a title before them stays alone.
    text = (
        "Characterization of interstellar carbon dust analogues\n"
        "Ioana Cristina Gerber,1 Ilarion Mihaila,1 Valentin Pohoata,2\u2605 Andrei Sandu,2\n"
        "Claire Pirim,4\u2605 and Ionut Topala2\u2709\n"
        "1Integrated Center of Environmental Science Studies, Iasi, Romania\nABSTRACT"
    )
    metadata = from_first_page(text)
    assert metadata.title == "Characterization of interstellar carbon dust analogues"
    assert metadata.authors == [
        "Ioana Cristina Gerber",
        "Ilarion Mihaila",
        "Valentin Pohoata",
        "Andrei Sandu",
        "Claire Pirim",
        "Ionut Topala",
    ]
    assert looks_like_author_line("Ioana Cristina Gerber,1 Ilarion Mihaila,1 Valentin Pohoata,2\u2605 Andrei Sandu,2")


def test_markers_that_pypdf_set_on_lines_of_their_own_go_back_on_their_names():
    text = "A Multilingual Platform for Language Courses\nManny Rayner\n1\n, Pierrette Bouillon\n1,2\n, Yukie Nakao\n2\n1University of Geneva\nAbstract"
    assert from_first_page(text).authors == ["Manny Rayner", "Pierrette Bouillon", "Yukie Nakao"]


def test_a_bylines_date_is_no_part_of_the_name():
    text = "Black Hole Singularities in Collision\nBy Abraham Loeb on May 14, 2018\nThe singularities at the centers of black holes mark a breakdown."
    assert from_first_page(text).authors == ["Abraham Loeb"]


def test_a_keywords_line_or_a_chinese_section_heading_is_no_title():
    lines = [(9.5, "Keywords: digital humans, parasocial interaction"), (14, "1. Introduction"), *BODY_LINES]
    assert from_pdf(make_pdf(lines)).title is None
    text = "关键词：数字拟人品 数字技术 拟社会互动\n一、引言\n《纲要》提出文化强国和网络强国的目标，并把虚拟现实列为数字经济重点产业。"
    assert from_first_page(text).title is None


def test_a_latex_star_on_the_title_line_does_not_make_it_an_author_line():
    text = "Sparse Recovery of Turbulent\nFlow Fields\u22c6\nMaria Keller1, Jonas Brandt2\n1University of Demo\nAbstract"
    metadata = from_first_page(text)
    assert (metadata.title, metadata.authors) == ("Sparse Recovery of Turbulent Flow Fields", ["Maria Keller", "Jonas Brandt"])


def test_springers_old_name_separator_read_as_ae_splits_names():
    text = "Correlation between heart rate and performance\nKarim Chamari \u00c6 Olivier Galy \u00c6 Olivier Hue\nAbstract The aim"
    assert from_first_page(text).authors == ["Karim Chamari", "Olivier Galy", "Olivier Hue"]


@pytest.mark.parametrize(
    "page, year",
    [
        # The journal's own reference line, volume, issue, (month year), pages, over a copyright of several years.
        (
            "ACM OOPS Messenger 4,4 (Oct. 1993), 2-27.\nCopyright \u00a9 1990,1991,1992 by Nimble Corporation\nEqual Rights\nHenry Baker",
            1993,
        ),
        ("A Title\nHenry Baker\nCopyright \u00a9 1990, 1991, 1992 by Nimble Computer Corporation\nBody.", 1992),
        # A browser's print header names the day the page was printed.
        ("15/Jun/2009 10:48 AMDesign Principles Behind Smalltalk\nPage 1 of 7 http://web.archive.org/x\nDaniel Ingalls", None),
    ],
)
def test_copyright_runs_acm_reference_lines_and_print_headers(page, year):
    assert from_first_page(page).year == year


def test_pubmed_style_info_authors_are_turned_round():
    assert from_info({"/Author": "Datta I, Ball CG, van Dijk J"}).authors == ["I Datta", "CG Ball", "J van Dijk"]
    assert from_info({"/Author": "Indraneel Datta, Chad G Ball"}).authors == ["Indraneel Datta", "Chad G Ball"]


@pytest.mark.parametrize(
    "line, authors",
    [
        # PLOS's ORCID icons, read as "ID" glued to the surname.
        ("Elie AntounID1, Negusse T. KitabaID2, Joanna D. Holbrook3", ["Elie Antoun", "Negusse T. Kitaba", "Joanna D. Holbrook"]),
        # Symbols before numbers in the markers (Genetics).
        (
            "Yonghua Han,*,\u2020,1 Tao Zhang,*,1 Paradee Thammapichai,* and Jiming Jiang*,2",
            ["Yonghua Han", "Tao Zhang", "Paradee Thammapichai", "Jiming Jiang"],
        ),
        # Springer's middle dots after markers.
        ("Justus Bogner1 \u00b7 Sebastian Kotstein2 \u00b7 Timo Pfaff3", ["Justus Bogner", "Sebastian Kotstein", "Timo Pfaff"]),
        # APS puts accents after their letters.
        ("B. Hladky\u00b4,1,2 G. Drobny\u00b4,1 and V. Buz\u02c7ek1,3", ["B. Hladk\u00fd", "G. Drobn\u00fd", "V. Bu\u017eek"]),
        # Degrees after the names (medical journals); a name in capitals keeps its last word.
        (
            "Thomas P Spargo MSc, Neil Pearce PhD, Francesca Forzano MD, Wei Ma",
            ["Thomas P Spargo", "Neil Pearce", "Francesca Forzano", "Wei Ma"],
        ),
        # Springer's old separator read as "Æ" at the line's end; markers glued before names in capitals.
        ("Scott Tighe, Timothy Hunter \u00c6", ["Scott Tighe", "Timothy Hunter"]),
        ("1TEJAS BOBHATE, 2USHASI CHAUDHURI, 3SAI VINHERKAR", ["Tejas Bobhate", "Ushasi Chaudhuri", "Sai Vinherkar"]),
    ],
)
def test_author_lines_of_plos_genetics_springer_and_aps(line, authors):
    assert from_first_page(f"A Study of Something Measured Carefully\n{line}\nAbstract").authors == authors


def test_a_springer_list_continued_after_a_trailing_dot_and_organisation_lines_are_not_names():
    lines = [
        (16, "Granular contact dynamics with particle elasticity"),
        (10, "K. Krabbenhoft \u00b7 J. Huang \u00b7 M. Vicente da Silva \u00b7"),
        (10, "A. V. Lyamin"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines)).authors == ["K. Krabbenhoft", "J. Huang", "M. Vicente da Silva", "A. V. Lyamin"]
    text = "A Study of Something\nJing Liu1, Ying Cai2\nPsychological Application, South China Normal University, China\n1 Linden Dr.\nAbstract"
    assert from_first_page(text).authors == ["Jing Liu", "Ying Cai"]
    # A street abbreviated without its stop, a comma after it, in the names' type (Evolution's accepted article).
    layout = [
        LayoutLine("GLOBAL PATTERNS OF LEAF DEFENSES IN OAK SPECIES.", 12, "TimesNewRomanPS-Bold", 709),
        LayoutLine("Ian S. Pearse1,4", 12, "TimesNewRomanPSMT", 682, "Ian S. Pearse|"),
        LayoutLine("Andrew L. Hipp2,3", 12, "TimesNewRomanPSMT", 654, "Andrew L. Hipp|"),
        LayoutLine("1 UC Davis, Dept. Entomology,", 12, "TimesNewRomanPSMT", 632),
        LayoutLine("One Shields Ave,", 12, "TimesNewRomanPSMT", 599),
        LayoutLine("Davis, CA, 95616", 12, "TimesNewRomanPSMT", 571),
        *(
            LayoutLine("Plants produce defenses against herbivores in many different ways here.", 12, "TimesNewRomanPSMT", 500 - 14 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).authors == ["Ian S. Pearse", "Andrew L. Hipp"]
    # A credit to a group after the last names, the group's name running on to the next line.
    layout = [
        LayoutLine("Deep Brain Stimulation of Frontal Lobe Networks", 25, "Times-Roman", 870),
        LayoutLine("Douglas W. Scharrea,\u2217, Emily Weichartb, Dylan Nielsonc,", 11, "Times-Roman", 799),
        LayoutLine("Per B. Sederbergb and Ali R. Rezaic for the Alzheimer\u2019s Disease", 11, "Times-Roman", 786),
        LayoutLine("Neuroimaging Initiative1", 11, "Times-Roman", 773),
        LayoutLine("aDepartment of Neurology, The Ohio State University, Columbus, OH, USA", 10, "Times-Italic", 765),
        LayoutLine("bDepartment of Psychology, The Ohio State University, Columbus, OH, USA", 10, "Times-Italic", 741),
        LayoutLine("cDepartment of Neurosurgery, The Ohio State University, Columbus, OH, USA", 10, "Times-Italic", 729),
        *(
            LayoutLine("Deep brain stimulation has been tried for many disorders of the brain.", 10, "Times-Roman", 650 - 12 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).authors == ["Douglas W. Scharre", "Emily Weichart", "Dylan Nielson", "Per B. Sederberg", "Ali R. Rezai"]


@pytest.mark.parametrize(
    "page, year, doi",
    [
        (
            "A Title\nJournal of Peace Research\n2025, Vol. 62(6) 2070 \u20132087\nDOI: 10.1177/00223433241300862",
            2025,
            "10.1177/00223433241300862",
        ),
        (
            "A Title\nBody text published in PNAS since 1995.\ndoi:10.1073/pnas.1907370117/-/DCSupplemental.y\nFirst published November 16, 2020.",
            2020,
            "10.1073/pnas.1907370117",
        ),
        (
            "A Title\nposted May 27, 2026. https://doi.org/10.64898/2026.04.07.716930doi: bioRxiv preprint",
            None,
            "10.64898/2026.04.07.716930",
        ),
        # Nothing is published after next year: such a number is a page.
        ("A Title\nVol. 12, pp. 2070-2087", None, None),
    ],
)
def test_sage_banners_pnas_supplements_glued_doi_words_and_future_years(page, year, doi):
    metadata = from_first_page(page)
    if year is not None:
        assert metadata.year == year
    else:
        assert metadata.year is None or metadata.year <= 2027
    assert metadata.doi == doi


def test_the_journal_name_in_elseviers_masthead_is_no_title():
    lines = [
        (8, "Contents lists available at ScienceDirect"),
        (14, "Ecological Modelling"),
        (8, "journal homepage: www.elsevier.com/locate/ecolmodel"),
        (13.5, "Persistent problems in the construction of matrix population models"),
        (10.5, "Bruce E. Kendall, Masami Fujiwara"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines)).title == "Persistent problems in the construction of matrix population models"


def test_elseviers_double_arrow_mark_ends_the_title_before_the_names():
    text = (
        "Internal model of gravity influences configural body processing\n"
        "Julien Barra a,b,\u21d1, Patrice Senot a, Laurent Auclair c\n"
        "a Laboratoire de Psychologie, Grenoble, France\nAbstract"
    )
    metadata = from_first_page(text)
    assert metadata.title == "Internal model of gravity influences configural body processing"
    assert metadata.authors == ["Julien Barra", "Patrice Senot", "Laurent Auclair"]


def test_an_iop_cover_gives_the_papers_names_year_and_doi_not_its_related_articles():
    cover = [
        (14, "Complex network analysis of stock markets"),
        (10, "To cite this article: Longfeng Zhao et al 2018 J. Phys.: Conf. Ser. 1113 012009"),
        (10, "View the article online for updates and enhancements."),
        (10, "You may also like"),
        (10, "Didier Sornette, Li Zhou"),
        (10, "A Study Published in 2014"),
    ]
    paper_page = [(14, "Complex network analysis of stock markets"), (10, "doi:10.1088/1742-6596/1113/1/012009")]
    metadata = from_pdf(make_pdf(cover, more_pages=[paper_page]))
    assert (metadata.year, metadata.doi) == (2018, "10.1088/1742-6596/1113/1/012009")
    assert "Didier Sornette" not in metadata.authors


def test_a_working_paper_cover_and_a_title_ending_in_an_abbreviation():
    text = (
        "NBER WORKING PAPER SERIES\nCOAL-FIRED POWER PLANT RETIREMENTS IN THE U.S.\nRebecca J. Davis\nJ. Scott Holladay\n"
        "Charles Sims\nWorking Paper 28949\nNATIONAL BUREAU OF ECONOMIC RESEARCH"
    )
    metadata = from_first_page(text)
    assert metadata.title.startswith("COAL-FIRED POWER PLANT RETIREMENTS IN THE U.S")
    assert metadata.authors == ["Rebecca J. Davis", "J. Scott Holladay", "Charles Sims"]


def test_a_cover_laid_out_as_a_form_gives_its_title_and_authors():
    text = (
        "UC Merced\nProceedings of the Annual Meeting of the Cognitive Science Society\nTitle\n"
        "Information sampling for contingency planning\nPermalink\nhttps://escholarship.org/uc/item/7sz3n9hq\n"
        "Journal\nProceedings of the Annual Meeting, 43(43)\nAuthors\nMa, Ili\nMa, Wei Ji\nGureckis, Todd\nPublication Date\n2021"
    )
    metadata = from_first_page(text)
    assert (metadata.title, metadata.authors) == ("Information sampling for contingency planning", ["Ili Ma", "Wei Ji Ma", "Todd Gureckis"])


def test_a_spaced_affiliation_letter_does_not_cost_a_surname_its_last_letter():
    text = (
        "Implementing the Omega failure detector in the crash-recovery model\n"
        "Cristian Mart\u00edn a, Mikel Larrea a,\u2217, Ernesto Jim\u00e9nez b\n"
        "a Departamento de Arquitectura, Universidad del Pa\u00eds Vasco, Spain\nb Universidad Polit\u00e9cnica de Madrid, Spain\nAbstract"
    )
    assert from_first_page(text).authors == ["Cristian Mart\u00edn", "Mikel Larrea", "Ernesto Jim\u00e9nez"]
    glued = text.replace("Mart\u00edn a,", "Mart\u00edna,").replace("Larrea a,", "Larreaa,").replace("Jim\u00e9nez b", "Jim\u00e9nezb")
    assert from_first_page(glued).authors == ["Cristian Mart\u00edn", "Mikel Larrea", "Ernesto Jim\u00e9nez"]


def test_a_year_inside_the_cited_title_is_not_the_citations_year():
    text = "A Title\nTo cite this version: J. Doe. A study of 2010 floods and more. Journal of Hydrology, 2012, 3.\nBody."
    assert from_first_page(text).year == 2012


@pytest.mark.parametrize(
    "author_line, authors",
    [
        # Cell Press: a marker's digits with the next name glued on.
        ("Sydney A. Stringham,1,3Elisabeth E. Mulroy,1,3", ["Sydney A. Stringham", "Elisabeth E. Mulroy"]),
        # Given name and surname run together where the space was lost; a surname prefix is no given name.
        ("Tao Zhang2,WenliZhang2, and Jiming Jiang*", ["Tao Zhang", "Wenli Zhang", "Jiming Jiang"]),
        ("Longfeng Zhao1, Weiqi Bao2,WeiLi1", ["Longfeng Zhao", "Weiqi Bao", "Wei Li"]),
        ("Yann LeCun, David J. C. MacKay", ["Yann LeCun", "David J. C. MacKay"]),
        # A name hyphenated at the line end in a list set with semicolons.
        (
            "Sandy Vilchez-Navarro1; Leslie D. Ve-\nlarde-Apaza1; Max Ramirez-Rojas1",
            ["Sandy Vilchez-Navarro", "Leslie D. Velarde-Apaza", "Max Ramirez-Rojas"],
        ),
        # Names side by side in columns, one of them initial, given name, surname.
        ("St\u00e9phane Ross Geoffrey J. Gordon J. Andrew Bagnell", ["St\u00e9phane Ross", "Geoffrey J. Gordon", "J. Andrew Bagnell"]),
        # A given name of two words, and a middle initial that stays with the given name before it.
        (
            "Ryan Prescott Adams Hanna M. Wallach Zoubin Ghahramani",
            ["Ryan Prescott Adams", "Hanna M. Wallach", "Zoubin Ghahramani"],
        ),
        ("J. Andrew Bagnell Geoffrey J. Gordon", ["J. Andrew Bagnell", "Geoffrey J. Gordon"]),
        ("J. van Leeuwen Geoffrey J. Gordon", ["J. van Leeuwen", "Geoffrey J. Gordon"]),
        # Small capitals that pypdf splits after each word's first letter; initials without stops stay apart.
        ("C ORY S HAIN and J UDITH T ONHAUSER", ["Cory Shain", "Judith Tonhauser"]),
        # A fellowship spelled with stops after a name, and SciPy's lines of a name, its e-mail and its affiliation.
        ("David A. Story, M.D., F.A.N.Z.C.A., Alan R. Tait, Ph.D.", ["David A. Story", "Alan R. Tait"]),
        # Clinical bylines: MIT's "SM", nursing's and the colleges' degrees between commas.
        (
            "Marzyeh Ghassemi, PhD1, Tristan Naumann, PhD2, Irene Y. Chen, SM5, Rajesh Ranganath, PhD6",
            ["Marzyeh Ghassemi", "Tristan Naumann", "Irene Y. Chen", "Rajesh Ranganath"],
        ),
        ("Jane Roe, DNP, APRN, John Doe, MD, FACS, and Ann Lee, PsyD", ["Jane Roe", "John Doe", "Ann Lee"]),
        # A double given name with its second part shortened.
        ("Sarita V. Adve and Hans-J. Boehm", ["Sarita V. Adve", "Hans-J. Boehm"]),
        (
            "Ariel Rokem (arokem@berkeley.edu) \u2013 University of California, Berkeley, CA USA\n"
            "Fernando P\u00e9rez (Fernando.Perez@berkeley.edu) \u2013 University of California, Berkeley, CA USA",
            ["Ariel Rokem", "Fernando P\u00e9rez"],
        ),
        ("S E Robertson and K Sparck Jones", ["S E Robertson", "K Sparck Jones"]),
        # Groups that sign as authors, alone or among people; a research group is an affiliation.
        ("The Cancer Genome Atlas Network*", ["The Cancer Genome Atlas Network"]),
        ("Lucilla Poston1, Annette L. Briley1, UPBEAT Consortium", ["Lucilla Poston", "Annette L. Briley", "UPBEAT Consortium"]),
        ("Ana Cruz1, Wei Li2\nMachine Learning Research Network, Lakemont", ["Ana Cruz", "Wei Li"]),
        # Central European academic titles before and degrees after a name.
        ("dr.sc. Katarina Tokovi\u0107, dipl.oec.", ["Katarina Tokovi\u0107"]),
        ("Prof. Dr. rer. nat. Hans Meier, Dr. Ana Cruz", ["Hans Meier", "Ana Cruz"]),
        # An accent set after a word's last letter, before the next initial.
        ("Athol R. Whitten1, and Andre\u00b4 E. Punt1", ["Athol R. Whitten", "Andr\u00e9 E. Punt"]),
    ],
)
def test_names_glued_to_markers_or_to_their_surnames(author_line, authors):
    assert from_first_page(f"A Title About Heat Flow in Rocks\n{author_line}\nAbstract\nBody.").authors == authors


def test_names_in_the_titles_type_below_a_gap_are_authors_not_title():
    lines = [
        LayoutLine("Robots and Jobs: Evidence from US", 14, "A-Regular", 598),
        LayoutLine("Labor Markets", 14, "A-Regular", 582),
        LayoutLine("Daron Acemoglu", 14, "A-Bold", 502),
        LayoutLine("Massachusetts Institute of Technology", 8, "A-Regular", 484),
        LayoutLine("Pascual Restrepo", 14, "A-Bold", 452),
        LayoutLine("Boston University", 8, "A-Regular", 434),
        *[
            LayoutLine("We study the effects of industrial robots on US labor markets and wages.", 9, "A-Regular", 372 - 10 * n)
            for n in range(8)
        ],
    ]
    layout = PageLayout(lines)
    metadata = from_layout(layout, "\n".join(line.text for line in lines))
    assert metadata.title == "Robots and Jobs: Evidence from US Labor Markets"
    assert metadata.authors == ["Daron Acemoglu", "Pascual Restrepo"]


PAPER_FIRST_PAGE = [
    (17, "Root Effect Hemoglobin May Have Evolved to Enhance Tissue Oxygen Delivery"),
    (10, "Jodie L. Rummer,1 David J. McKenzie,2 Colin J. Brauner3"),
    (9, "1Department of Zoology, University of British Columbia, Vancouver, Canada."),
    *BODY_LINES,
]


def test_a_graphical_abstract_page_cuts_the_authors_short_and_the_papers_page_names_them_all():
    title = "Infectivity of Dengue Virus Serotypes Is Correlated with Protein Dynamics"
    summary_page = [
        (19, title),
        (12, "Graphical Abstract"),
        (12, "Highlights"),
        (10, "d Ions mediate the temperature-dependent change"),
        (12, "Authors"),
        (10, "Kamal Kant Sharma, Xin-Xiang Lim,"),
        (10, "Sarala Neomi Tantirimudalige, ...,"),
        (10, "Peter J. Bond, Thorsten Wohland"),
        (12, "Correspondence"),
        (10, "twohland@nus.edu.sg"),
        (12, "In Brief"),
        (10, "Sharma et al. show that ions alter the virus."),
    ]
    paper_page = [
        (11, "Structure"),
        (20, title),
        (9, "Kamal Kant Sharma,1 Xin-Xiang Lim,1 Sarala Neomi Tantirimudalige,1 Anjali Gupta,1 Peter J. Bond,1 and Thorsten Wohland1,*"),
        (8, "1Department of Biological Sciences, National University of Singapore, Singapore"),
        (9, "SUMMARY"),
        *BODY_LINES,
    ]
    metadata = from_pdf(make_pdf(summary_page, more_pages=[paper_page]))
    assert metadata.title == title
    assert metadata.authors == [
        "Kamal Kant Sharma",
        "Xin-Xiang Lim",
        "Sarala Neomi Tantirimudalige",
        "Anjali Gupta",
        "Peter J. Bond",
        "Thorsten Wohland",
    ]


def test_a_publishers_reprint_notice_gives_way_to_the_papers_own_first_page():
    cover = [
        (12, "Root Effect Hemoglobin May Have Evolved to Enhance Tissue Oxygen Delivery"),
        (12, "Jodie L. Rummer et al."),
        (12, "Science 340, 1327 (2013); DOI: 10.1126/science.1233692"),
        (10, "This copy is for your personal, non-commercial use only."),
        (10, "If you wish to distribute this article to others, you can order high-quality copies."),
    ]
    metadata = from_pdf(make_pdf(cover, more_pages=[PAPER_FIRST_PAGE]))
    assert metadata.title == "Root Effect Hemoglobin May Have Evolved to Enhance Tissue Oxygen Delivery"
    assert metadata.authors == ["Jodie L. Rummer", "David J. McKenzie", "Colin J. Brauner"]
    assert metadata.sources["authors"] == "page-2"
    assert metadata.doi == "10.1126/science.1233692"


def test_a_first_page_without_names_that_repeats_page_twos_title_is_a_cover():
    cover = [(20, "Root Effect Hemoglobin May Have Evolved to Enhance Tissue Oxygen Delivery"), (10, "Read online at the journal.")]
    assert from_pdf(make_pdf(cover, more_pages=[PAPER_FIRST_PAGE])).authors == ["Jodie L. Rummer", "David J. McKenzie", "Colin J. Brauner"]
    # Page 2 of a paper whose own page 1 names nobody is not taken for its first page.
    other = [(20, "A Different Paper on Oxygen Delivery in Fishes"), (10, "Read online at the journal.")]
    assert from_pdf(make_pdf(other, more_pages=[PAPER_FIRST_PAGE])).authors == []


@pytest.mark.parametrize(
    "page, year",
    [
        # Cell Press's "©" read as "ª", and old ACL scans' "©" read as "@".
        ("A Title\nCurrent Biology 22, 302-308, February 21, 2012\u00aa2012 Elsevier Ltd All rights reserved", 2012),
        ("A Title\nJohn Smith\nBody text.\n@ 1993 Association for Computational Linguistics", 1993),
        # Elsevier's footer line after the history dates of the year before.
        (
            "A Title\nReceived 12 February 2016\nAvailable online 21 October 2016\n"
            + "Body.\n" * 12
            + "Cognition 158 (2017) 33\u201343\nx\ny",
            2017,
        ),
        # A working paper's latest version, not its first.
        ("A Title\nFirst version: February 2017\nThis version: January 2019\nJohn Smith", 2019),
        # A download stamp glued to the address before it.
        (
            "A Title\nCopyright \u00a9 2015 American Society of Plant Biologists.\nwww.x.org on July 28, 2016 - Published by www.x.orgDownloaded from",
            2015,
        ),
        # A year glued to the journal's name before its volume, and CACM's issue line at a column's foot.
        ("Journal of Educational Psychology1974, Vol. 66, No. 5, 688-701\nA Title", 1974),
        ("A Title\nE. W. Dijkstra\n" + "Body.\n" * 12 + "Volume 8 / Number 9 / September, 1965\n" + "Body.\n" * 12, 1965),
        # A weekly's foot with the issue's day, mid-page in the reading order, under a download stamp's later year.
        (
            "A Title\nJane Roe\n"
            + "In 1960, Burnet and Medawar shared the prize.\n" * 3
            + "Body.\n" * 12
            + "www.sciencemag.org SCIENCE VOL 296 12 APRIL 2002 301\n"
            + "Body.\n" * 12
            + "Downloaded from https://www.science.org at Boston University on October 08, 2024\n",
            2002,
        ),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "12 APRIL 2002 VOL 296 SCIENCE www.sciencemag.org\n" + "Body.\n" * 12, 2002),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "NATURE | VOL 408 | 16 NOVEMBER 2000 | www.nature.com\n" + "Body.\n" * 12, 2000),
        # The AEA's header, above an abstract that cites a year in brackets before a full stop.
        (
            "81\nAmerican Economic Journal: Macroeconomics 2013, 5(1): 81\u2013101\nhttp://dx.doi.org/10.1257/mac.5.1.81\n"
            "A Title\nBy Jane Roe*\nI examine the effect using the setup of Richardson and\nTroost (2009). The experiment is\n",
            2013,
        ),
        # Elsevier's accepted manuscript: "Reference:" labels its journal's code and number, "Please cite" the year.
        (
            "Accepted Manuscript\nA Title\nJane Roe\nPII: S2095-0349(15)00110-5\nReference: TAML 62\n"
            "To appear in: Theoretical and Applied Mechanics Letters\nReceived date: 10 October 2015\n"
            "Accepted date: 26 November 2015\nPlease cite this article as: J. Roe, A Title, Theoretical and Applied\n"
            "Mechanics Letters (2016), http://dx.doi.org/10.1016/j.taml.2015.11.012\n",
            2016,
        ),
        # IOP's conference series: the conference's acronym and year, then the volume's year.
        (
            "The 2nd Annual Applied Science and Engineering Conference (AASEC 2017) IOP Publishing\n"
            "IOP Conf. Series: Materials Science and Engineering 288 (2018) 012058 doi:10.1088/1757-899X/288/1/012058\n"
            "A Title\nJane Roe\n",
            2018,
        ),
        # MNRAS's class prints a placeholder volume and the template's year; the preprint's date is the paper's.
        (
            "MNRAS 000, 1\u201321 (2023) Preprint 18 January 2024 Compiled using MNRAS LATEX style file v3.0\n"
            "A Title\nJane Roe\n" + "Body.\n" * 12,
            2024,
        ),
        ("MNRAS 412, 1\u201321 (2023) Advance Access publication 2023 January 5\nA Title\nJane Roe\n", 2023),
        # ASCE's footnote names the issue, and its fee line has the article's pages after the issue.
        (
            "A Title\nJane Roe\n" + "Body.\n" * 12 + "Note. Discussion open until June 1, 1993. This paper is part of\n"
            "the Journal of Transportation Engineering, Vol. 119, No.\n1, January/February, 1993. ISSN 0733-947X/93/0001-0043/$1.00\n"
            + "Body.\n"
            * 12,
            1993,
        ),
        (
            "A Title\nJane Roe\n" + "Body.\n" * 12 + "Paper No. 761. ISSN 0733-947X/93/0001-0043/$1.00 + $.15 per page.\n" + "Body.\n" * 12,
            1993,
        ),
        # USENIX's footer names the conference with the year's last two digits.
        (
            "A Title\nJane Roe\n"
            + "Body.\n" * 12
            + "OSDI \u201906: 7th USENIX Symposium on Operating Systems Design and ImplementationUSENIX Association 307\n",
            2006,
        ),
        # A footnote saying where the paper was published, its marker glued on, in Spanish; prose "published in" is not.
        (
            "A Title\nJane Roe\n"
            + "Body.\n" * 12
            + "1Publicado en: Inform\u00e1tica Educativa, Vol. 5, No 1, pp. 35-42, 1992.\n"
            + "Body.\n" * 12,
            1992,
        ),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "The method was first published in 1992 by others.\n" + "Body.\n" * 12, None),
        # A copyright line whose sign a scan's text layer lost, beside the publisher's name; not a sentence naming one.
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "1063-6919/99 $10.00 .oo 13 1999 IEEE\n", 1999),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "Springer-Verlag Berlin Heidelberg 1992\n", 1992),
        ("A Title\nJane Roe\nIn 1999 IEEE published a standard that many have since used in their own work.\n", None),
        # A reference or a sentence naming a publisher and a year is no copyright line; "in press" ends a banner.
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "[3] J. Doe. 2011 IEEE Intl. Conf. on Robotics, pp 1-5\n", None),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "The 1998 ACM SIGMOD record shows\n", None),
        ("IEEE Trans. Robotics 35 (2019) in press\nA Title\nJane Roe\n", 2019),
        # An issue's banner outranks the day the manuscript was received, years before.
        ("SIAM J. SCI. STAT. COMPUT.\nVol. 6, No. 1, January 1985\nA Title\nDaniel Asimov\nReceived by the editors June 1983.\n", 1985),
        # Running text about other work gives no year: "each published in 1939", a citation in a long first line.
        ("A Title\nJane Roe\nthe density was found in four works by Fisher, Hsu and Roy, each published in 1939.\n", None),
        (
            "A Title\nJane Roe\nKyle's model, introduced in Kyle (1985), is one of the most influential models in the market liter-\n"
            + "Body.\n" * 12
            + "arXiv:2204.11069v1 [q-fin.TR] 23 Apr 2022\n",
            2022,
        ),
    ],
)
def test_more_ways_pages_print_their_year(page, year):
    assert from_first_page(page).year == year


def _pdf_of_operations(operations, body_top=540, body_size=9):
    """A one-page Helvetica PDF drawn by these content-stream operations, with eight body lines below them."""
    writer = PdfWriter()
    page = _helvetica_page(writer)
    operations = operations + [
        f"BT /F1 {body_size} Tf 1 0 0 1 72 {body_top - 11 * n} Tm (Body text of the paper runs on in its own size here.) Tj ET"
        for n in range(8)
    ]
    content = DecodedStreamObject()
    content.set_data("\n".join(operations).encode())
    page.replace_contents(content)
    buffer = BytesIO()
    writer.write(buffer)
    return PdfReader(buffer)


def _ocr_layer_operations(lines):
    """A scan's hidden OCR layer: each word set by itself, in a stand-in font narrower than the scan's type."""
    operations = []
    for text, size, y in lines:
        x = 72.0
        for word in text.split():
            operations.append(f"BT /F1 {size} Tf 1 0 0 1 {x:.1f} {y} Tm ({word}) Tj ET")
            x += size * 0.45 * len(word)
    return operations


def test_words_of_an_ocr_layer_are_set_apart():
    body = "The reductionist hypothesis may still be a topic for controversy among philosophers but among the great majority"
    reader = _pdf_of_operations(
        _ocr_layer_operations(
            [("Broken symmetry and the nature of science", 18, 700), ("Philip Warren Anderson", 12, 670)]
            + [(body, 10, 640 - 12 * n) for n in range(12)]
        ),
        body_top=480,
    )
    assert "Brokensymmetryandthenature" in reader.pages[0].extract_text()  # what pypdf alone gives
    metadata = from_pdf(reader)
    assert (metadata.title, metadata.authors) == ("Broken symmetry and the nature of science", ["Philip Warren Anderson"])
    assert page_text(reader.pages[0]).splitlines()[2] == body


def test_long_words_of_a_typeset_page_stay_whole():
    # Chemistry's long words are no glue: the pieces pypdf hands over hold whole lines.
    pieces = ["Phosphatidylethanolamine and phosphatidylcholine in the membrane\n"] * 30
    assert not words_glued("".join(pieces), pieces)
    glued = ["Phosphatidylethanolamineand", "phosphatidylcholineinthe", "membrane\n"] * 30
    assert words_glued("".join(glued), glued)
    assert words_set_apart(["a", "", "b\n", "c", " d"]) == ["a", "", " b\n", "c", " d"]
    # A PDF that draws each glyph by itself is glued too, but setting its pieces apart would space out the letters.
    letters = [char for piece in glued for char in piece]
    assert not words_glued("".join(letters), letters)


def test_words_placed_one_by_one_on_a_baseline_are_one_line():
    # An OCR text layer sets every word with its own text matrix, so pypdf breaks the line after each.
    operations, x = [], 72.0
    for word in ["Secure", "Verifiable", "Secret", "Sharing"]:
        operations.append(f"BT /F1 1 Tf 16 0 0 16 0 0 Tm {x / 16:.3f} {600 / 16:.3f} TD ({word} ) Tj ET")
        x += 9 * len(word) + 6
    operations.append("BT /F1 11 Tf 1 0 0 1 72 570 Tm (Torben Pryds Pedersen) Tj ET")
    metadata = from_pdf(_pdf_of_operations(operations))
    assert (metadata.title, metadata.authors) == ("Secure Verifiable Secret Sharing", ["Torben Pryds Pedersen"])


def test_raised_markers_glued_to_names_are_not_their_letters():
    # pypdf glues a superscript affiliation letter to the surname ("Sixuan Lib"); its smaller, raised type sets it off.
    names_with_markers = (
        "BT /F1 14 Tf 72 660 Td (Lei Huang) Tj /F1 9 Tf 66 5 Td (a) Tj /F1 14 Tf 8 -5 Td ( Fangzhou Lu) Tj"
        " /F1 9 Tf 82 5 Td (a,b) Tj /F1 14 Tf 16 -5 Td ( Sixuan Li) Tj /F1 9 Tf 62 5 Td (b) Tj ET"
    )
    reader = _pdf_of_operations(
        [
            "BT /F1 20 Tf 1 0 0 1 72 700 Tm (Generative Models as Investment Advisers) Tj ET",
            names_with_markers,
            # A marker that opens an affiliation line stays its label.
            "BT /F1 7 Tf 1 0 0 1 72 634 Tm (a) Tj /F1 10 Tf 1 0 0 1 76 630 Tm (Demo University, Demo City) Tj ET",
        ],
        body_top=600,
        body_size=10,
    )
    assert from_pdf(reader).authors == ["Lei Huang", "Fangzhou Lu", "Sixuan Li"]
    _, layout = read_page(reader.pages[0])
    assert [line.marked for line in layout.lines[1:3]] == ["Lei Huang| Fangzhou Lu| Sixuan Li|", ""]


def test_glyphs_named_by_number_in_publisher_fonts_are_read():
    # Elsevier's fonts: an accent set before its letter, the copyright sign; base-36 glyph runs are another code.
    assert decode_named_glyphs("Mariano V/C19azquez b, c") == "Mariano Vázquez b, c"
    assert decode_named_glyphs("/two.pnum/zero.pnum/two.pnum/three.pnum") == "2023"
    assert decode_named_glyphs("and/or one.pnum") == "and/or one.pnum"
    assert decode_named_glyphs("0010-0277//C211 2016 Elsevier B.V.") == "0010-0277/© 2016 Elsevier B.V."
    assert decode_named_glyphs("Copyright: /C223 2014 Shaffer et al.") == "Copyright: © 2014 Shaffer et al."
    assert decode_named_glyphs("/C211 2012 Elsevier\n2e/C0 + /C15 x /C99") == "© 2012 Elsevier\n2e− + • x /C99"
    # Without the fonts' numbering shown unmistakably, "/C2" is chemistry or a label.
    assert decode_named_glyphs("C2H2/C2H4 separation on Pt/C20, Fig. S1/C0") == "C2H2/C2H4 separation on Pt/C20, Fig. S1/C0"
    assert decode_named_glyphs("/BV/C0/B9/BD") == "/BV/C0/B9/BD"
    assert decode_named_glyphs("/C79/C94 /C72/C0") == "/C79/C94 /C72/C0"
    # A page whose every glyph is named "C" and its character code.
    assert decode_glyph_codes("/C79/C110 /C116/C104/C101 /C110/C105/C99/C104/C101 /C79/C110") == "On the niche On"
    page = "A Title\nJane Roe\nReceived 3 May 2015\n" + "Body.\n" * 12 + "/C211 2016 Elsevier B.V. All rights reserved.\n"
    assert from_first_page(decode_named_glyphs(page)).year == 2016


@pytest.mark.parametrize(
    ("author_line", "authors"),
    [
        # An ogonek drawn with the cedilla's glyph before its vowel; an accent pypdf set apart from a capital.
        ("Marzieh Bayeh, Magdalena K\u00b8edziorek, and Emily Riehl", ["Marzieh Bayeh", "Magdalena Kędziorek", "Emily Riehl"]),
        ("PETER AUER and NICOL `O CESA-BIANCHI", ["Peter Auer", "Nicolò Cesa-Bianchi"]),
    ],
)
def test_accents_that_pypdf_sets_apart_from_their_letters(author_line, authors):
    assert from_first_page(f"A Title of Some Length Here\n{author_line}\n" + "Body.\n" * 12).authors == authors


def test_a_display_titles_much_smaller_subtitle_joins_it_past_a_drop_cap():
    lines = [
        LayoutLine("Industry Report", 20, "GillSans-BoldItalic", 746),
        LayoutLine("Amazon.com", 50, "GillSans-BoldCondensed", 672),
        LayoutLine("Recommendations", 50, "GillSans-BoldCondensed", 624),
        LayoutLine("Item-to-Item Collaborative Filtering", 31.5, "GillSans-Italic", 576),
        LayoutLine("R", 49.5, "GillSans-BoldCondensed", 480),
        *(LayoutLine("ecommendation algorithms are best known for their use on web sites", 10, "Rotis", 504 - 12 * n) for n in range(12)),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == ("Amazon.com Recommendations: Item-to-Item Collaborative Filtering", [])


def test_asce_title_in_the_body_size_above_a_bold_byline_with_numbered_names():
    lines = [
        LayoutLine("INFRASTRUCTURE MANAGEMENT UNDER", 9, "TimesNewRoman", 578),
        LayoutLine("UNCERTAINTY: LATENT PERFORMANCE APPROACH", 9, "TimesNewRoman", 565),
        LayoutLine("By Moshe Ben-Akiva, 1 Frannie Humplick, 2 Samer Madanat, 3", 8.5, "TimesNewRoman,Bold", 547),
        LayoutLine("and Rohit Ramaswamy 4", 8.5, "TimesNewRoman,Bold", 538),
        LayoutLine("ABSTRACT: This paper presents a new framework for the analysis of infrastructure", 7.5, "TimesNewRoman", 516),
        *(
            LayoutLine("performance and the planning of inspection, maintenance, and rehabilitation", 9, "TimesNewRoman", 508 - 8 * n)
            for n in range(20)
        ),
        # The scan's text layer reads the third footnote's raised "3" as "a".
        LayoutLine("aAsst. Prof., School of Civ. Engrg., Purdue Univ., West Lafayette, IN 47907.", 7, "TimesNewRoman", 90),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "INFRASTRUCTURE MANAGEMENT UNDER UNCERTAINTY: LATENT PERFORMANCE APPROACH"
    assert metadata.authors == ["Moshe Ben-Akiva", "Frannie Humplick", "Samer Madanat", "Rohit Ramaswamy"]


def test_revtex_blocks_of_a_name_and_a_french_address_each_and_a_cedilla_before_its_c():
    lines = [
        LayoutLine("Earthquake magnitude distribution and aftershocks: a statistical geometry", 12, "CMBX12", 780),
        LayoutLine("explanation", 12, "CMBX12", 766),
        LayoutLine("Fran\u00b8cois P\u00b4etr\u00b4elis", 10, "CMR10", 742),
        LayoutLine("Laboratoire de Physique de l\u2019Ecole normale sup\u00b4erieure, ENS, Universit\u00b4e PSL,", 9, "CMTI9", 731),
        LayoutLine("CNRS, Sorbonne Universit\u00b4e, Universit\u00b4e Paris-Diderot - Paris, France", 9, "CMTI9", 721),
        LayoutLine("Kristel Chanard", 10, "CMR10", 697),
        LayoutLine("Universit\u00b4e de Paris, Institut de physique du globe de Paris, CNRS, IGN, F-75005 Paris", 9, "CMTI9", 687),
        LayoutLine("Takahiro Hatano", 10, "CMR10", 628),
        LayoutLine("Department of Earth and Space Science, Osaka University, 560-0043 Osaka, Japan", 9, "CMTI9", 618),
        LayoutLine("(Dated: February 23, 2023)", 9, "CMR9", 607),
        *(
            LayoutLine("The emergence of a power-law distribution for the energy released during an earthquake", 9, "CMR9", 590 - 10 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(lines).authors == ["Fran\u00e7ois P\u00e9tr\u00e9lis", "Kristel Chanard", "Takahiro Hatano"]


def test_a_title_ending_in_a_colon_takes_its_much_smaller_subtitle():
    lines = [
        LayoutLine("Keys Under Doormats:", 25, "CMBX12", 675),
        LayoutLine("mandating insecurity by requiring government access to all", 14.5, "CMCSC10", 646),
        LayoutLine("data and communications", 14.5, "CMCSC10", 629),
        LayoutLine("Harold Abelson, Ross Anderson, Steven M. Bellovin, Josh Benaloh, Matt Blaze", 12, "CMR12", 589),
        LayoutLine("Abstract", 11, "CMBX10", 525),
        *(
            LayoutLine("Twenty years ago, law enforcement organizations lobbied to require data and", 11, "CMR10", 502 - 16 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "Keys Under Doormats: mandating insecurity by requiring government access to all data and communications"
    assert metadata.authors[:2] == ["Harold Abelson", "Ross Anderson"]
    # Without the colon, the smaller lines are no part of the title.
    lines[0] = LayoutLine("Keys Under Doormats", 25, "CMBX12", 675)
    assert _read_layout(lines).title == "Keys Under Doormats"


def test_affiliation_letters_in_order_and_aips_marker_after_a_comma_come_off_the_names():
    lines = [
        LayoutLine("Coupling of structure and wake oscillators in vortex-induced vibrations", 17, "AdvTimes", 590),
        LayoutLine("M.L. Facchinettia,b, E. de Langrea,*, F. Biolleyb", 13, "AdvTimes", 545),
        LayoutLine("a D!epartement de M!ecanique, LadHyX-CNRS, 91128 Palaiseau, France", 8, "AdvMacTim-I", 530),
        LayoutLine("b IFP-1,4 av. de Bois Pr!eau, 92852 Rueil-Malmaison, France", 8, "AdvMacTim-I", 520),
        *(
            LayoutLine("A class of low-order models for vortex-induced vibrations is analyzed here.", 9, "AdvTimes", 463 - 11 * n)
            for n in range(10)
        ),
    ]
    assert _read_layout(lines).authors == ["M.L. Facchinetti", "E. de Langre", "F. Biolley"]
    page = "A Title of Some Length Here\nJean Christophe Tremblay,a) Stefan Klinkusch, and Peter Saalfrank\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Jean Christophe Tremblay", "Stefan Klinkusch", "Peter Saalfrank"]


def test_names_the_type_misses_are_read_off_the_text_unless_they_are_the_titles_words():
    from papergym.core.ingest.metadata.pdf import _page_metadata

    body = [
        LayoutLine("The singularities at the centers of black holes mark the breakdown of a theory.", 12, "Cambria", 560 - 14 * n)
        for n in range(10)
    ]
    # The layout's lines lack the byline (set as a figure's text, say); the page's text has it.
    layout = PageLayout([LayoutLine("Lets Talk About Black Hole Singularities", 18, "Cambria-Bold", 704), *body])
    text = "Lets Talk About Black Hole Singularities\nBy Abraham Loeb on May 14, 2018\n" + "\n".join(line.text for line in body)
    metadata = _page_metadata(text, layout)
    assert (metadata.authors, metadata.sources["authors"]) == (["Abraham Loeb"], "text")
    # A "name" made of the title's words is a piece of a title the text reads apart.
    text = "23/05/2017, 13*00LISP History\nEarly Lisp History\n" + "\n".join(line.text for line in body)
    layout = PageLayout([LayoutLine("A Programming Language for Artificial Intelligence", 18, "Bold", 704), *body])
    assert _page_metadata(text, layout).authors == []


def test_several_names_before_their_shared_affiliation_are_all_read():
    page = (
        "Fuzzy Logic Control of Wind Energy Systems\nM. Azouz, A. Shaltout and M. A. L. Elshafei, Cairo University\n"
        "N. Abdel-Rahim, Benha University\nAbstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["M. Azouz", "A. Shaltout", "M. A. L. Elshafei", "N. Abdel-Rahim"]
    # A city and its state after the names is an address, not one more name.
    page = "The Design Principles Behind Smalltalk\nDaniel H. H. Ingalls\nPalo Alto, CA 94304\nAbstract\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Daniel H. H. Ingalls"]


def test_a_name_cut_by_the_line_s_end_after_marked_names_keeps_the_line_an_author_line():
    from papergym.core.ingest.metadata.authors import looks_like_author_line

    assert looks_like_author_line("Yipeng Cheng 1,2, Danni A Gadd 1, Christian Gieger 3,4,5, Karla Monterrubio-G\u00f3mez 6, Yufei")
    # Without markers before it, a last word alone is more likely an institution.
    assert not looks_like_author_line("Jane Roe, John Smith, Stanford")
    assert not looks_like_author_line("Jane Roe, John Smith, Ann Lee, Berkeley")


def test_a_service_under_the_names_in_their_type_is_no_author():
    lines = [
        LayoutLine("Predicting Grammaticality on an Ordinal Scale", 14.5, "NimbusRomNo9L-Medi", 769),
        LayoutLine("Michael Heilman Aoife Cahill Nitin Madnani Melissa Lopez Matthew Mulholland", 12, "NimbusRomNo9L-Medi", 748),
        LayoutLine("Educational Testing Service", 12, "NimbusRomNo9L-Regu", 735),
        LayoutLine("Princeton, NJ, USA", 12, "NimbusRomNo9L-Regu", 721),
        LayoutLine("Joel Tetreault", 12, "NimbusRomNo9L-Medi", 683),
        LayoutLine("Yahoo! Research", 12, "NimbusRomNo9L-Regu", 669),
        LayoutLine("Abstract", 12, "NimbusRomNo9L-Medi", 612),
        *(
            LayoutLine("Automated methods for identifying whether sentences are grammatical", 11, "NimbusRomNo9L-Regu", 593 - 12 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(lines).authors == [
        "Michael Heilman",
        "Aoife Cahill",
        "Nitin Madnani",
        "Melissa Lopez",
        "Matthew Mulholland",
        "Joel Tetreault",
    ]


def test_a_subtitle_of_nouns_is_no_author_line():
    lines = [
        LayoutLine("Functional Characteristics and Diversity of", 20, "Helvetica", 740),
        LayoutLine("Cat Retinal Ganglion Cells", 20, "Helvetica", 714),
        LayoutLine("Basic Characteristics and Quantitative Description", 14, "Helvetica-Oblique", 677),
        LayoutLine("Christina Enroth-Cugell and John G. Robson", 10, "Helvetica", 648),
        *(
            LayoutLine("The purpose of this article is to put forward the claim that this paper", 11, "Times-Roman", 600 - 12 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(lines).authors == ["Christina Enroth-Cugell", "John G. Robson"]


def test_a_capitals_title_line_with_function_words_is_no_name():
    lines = [
        LayoutLine("arXiv:1512.09229v2 [math-ph] 8 Jan 2016", 20, "Times-Roman", 247),
        LayoutLine("A. HURWITZ AND THE ORIGINS OF RANDOM MATRIX", 10, "CMBX10", 634),
        LayoutLine("THEORY IN MATHEMATICS", 10, "CMBX10", 620),
        LayoutLine("PERSI DIACONIS AND PETER J. FORRESTER", 8, "CMR8", 590),
        *(
            LayoutLine("The purpose of this article is to put forward the claim that this paper", 10, "CMR10", 560 - 12 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == (
        "A. HURWITZ AND THE ORIGINS OF RANDOM MATRIX THEORY IN MATHEMATICS",
        ["Persi Diaconis", "Peter J. Forrester"],
    )


def test_a_name_broken_at_the_line_end_in_a_list_set_apart_by_markers_alone():
    lines = [
        LayoutLine("Adopting microservices and DevOps in the cyber-physical systems domain", 18, "STIXTwoText-Bold", 660),
        LayoutLine("Jonas Fritzsch1 Justus Bogner1 Markus Haug1 Ana Cristina Franco da", 12, "STIXTwoText-Bold", 598),
        LayoutLine("Silva1 Carolin Rubner2 Horst Sauer2 Stefan Wagner1", 12, "STIXTwoText-Bold", 580),
        LayoutLine("1Institute of Software Engineering, University of Stuttgart, Germany", 8, "STIXTwoText", 538),
        *(
            LayoutLine("Microservices and DevOps are widely adopted in the web domain by now.", 10, "STIXTwoText", 500 - 12 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(lines).authors == [
        "Jonas Fritzsch",
        "Justus Bogner",
        "Markus Haug",
        "Ana Cristina Franco da Silva",
        "Carolin Rubner",
        "Horst Sauer",
        "Stefan Wagner",
    ]


def test_markers_typed_after_a_space_end_a_title_set_in_the_names_type():
    # A word processor's preprint: title and names in one size and face, the names' markers typed after a space.
    lines = [
        LayoutLine("DNA Methylation scores augment 10-year risk prediction of diabetes", 11.5, "Times-Roman", 714),
        LayoutLine(
            "Yipeng Cheng 1,2, Danni A Gadd 1, Christian Gieger 3,4,5, Karla Monterrubio-G\u00f3mez 6, Yufei", 11.5, "Times-Roman", 680
        ),
        LayoutLine("Zhang1, Imrich Berta 1, Michael J Stam 7", 11.5, "Times-Roman", 654),
        *(
            LayoutLine(f"{n} Institute of Genetics and Cancer, University of Edinburgh, Edinburgh, UK", 7.5, "Times-Roman", 620 - 10 * n)
            for n in range(1, 12)
        ),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "DNA Methylation scores augment 10-year risk prediction of diabetes"
    assert metadata.authors[:5] == ["Yipeng Cheng", "Danni A Gadd", "Christian Gieger", "Karla Monterrubio-G\u00f3mez", "Yufei Zhang"]


@pytest.mark.parametrize(
    "line",
    [
        "Type 2 Diabetes and Phase 3 Trials in Older Adults",
        "Volume 3, Issue 2, Pages 1-10",
        "Results from 3 Trials with 4 Arms, 2 Sites, 1 Year",
    ],
)
def test_numbers_in_a_title_or_a_journal_line_are_no_spaced_markers(line):
    from papergym.core.ingest.metadata.page_lines import has_markers

    assert not has_markers(line)


def test_names_repeated_with_initials_in_a_note_below_are_not_more_authors():
    page = (
        "Effect of Magnetic Impurities on Superconductivity in LaH10\nDmitrii V. Semenok, Di Zhou, and Artem R. Oganov\n"
        "D. V. Semenok, D. Zhou, A. R. Oganov\nAbstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Dmitrii V. Semenok", "Di Zhou", "Artem R. Oganov"]


def test_names_spelled_out_in_a_table_below_are_not_more_authors():
    from papergym.core.ingest.metadata.names import unique_names

    # The byline gives a middle initial; the ORCID table below spells it out.
    names = ["Leslie D. Velarde-Apaza", "Max Ramirez-Rojas", "Leslie Diana Velarde-Apaza", "Max Ramirez-Rojas"]
    assert unique_names(names) == ["Leslie D. Velarde-Apaza", "Max Ramirez-Rojas"]
    # Two people who share a family name stay two.
    assert unique_names(["Lei Wang", "Li Wang", "L. Wang"]) == ["Lei Wang", "Li Wang"]


def test_what_the_new_name_rules_leave_alone():
    # Names with "In" or a city after a name; a figure's panel captions; Latvian's cedilla; a surname "MA".
    page = "Robust Stereo Matching with Learned Costs\nJaesik Park, In So Kweon\nKAIST, Daejeon, Korea\nAbstract\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Jaesik Park", "In So Kweon"]
    page = "A Title of Some Length Here\nJane Roe, Hong Kong, Hong Kong Polytechnic University\nAbstract\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Jane Roe"]
    page = (
        "Deep learning for tabular data\nAna Costa, Bruno Silva, Maria Rocha\nUniversity of Lisbon\nFig. 1\n"
        "a Schematic of the device\nb Measured spectra\nAbstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Ana Costa", "Bruno Silva", "Maria Rocha"]
    page = "A Title of Some Length Here\nIlze Berzin\u00b8a and Zhi Qiang MA\nAbstract\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Ilze Berziņa", "Zhi Qiang MA"]


def test_a_jstor_review_cover_and_a_generational_suffix_in_its_names():
    cover = [
        "[Untitled]",
        "Reviewed Work(s): Games of Strategy by Avinash Dixit",
        "Review by: Robert E. DeOtte, Jr.",
        "Source: Econ",
        "Stable URL: x",
    ]
    assert labelled_front_matter(cover) == ("[Untitled]", ["Robert E. DeOtte Jr."])


def test_a_generational_suffix_after_a_comma_stays_with_its_name():
    page = "A Title of Some Length Here\nGerald L. Morrison, Robert E. DeOtte, Jr., Gregory H. Nail, and David L. Panak\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Gerald L. Morrison", "Robert E. DeOtte Jr.", "Gregory H. Nail", "David L. Panak"]


def test_affiliations_in_other_languages_and_an_editors_line_are_no_authors():
    lines = [
        LayoutLine("Terminating Spiral Waves With a Designed Stimulus", 15, "Bold", 776),
        LayoutLine("Noah DeTal, Abouzar Kaboudian, and Flavio H. Fenton", 7.5, "Light", 739),
        LayoutLine(
            "Edited by Alain Pumir, Ecole Normale Superieure de Lyon; accepted March 23, 2022, by Editorial Board", 7.5, "Light", 722
        ),
        LayoutLine("Member Herbert Levine", 7.5, "Light", 713),
        *(LayoutLine("Body text of the paper runs on in its own size here.", 10, "Garamond", 694 - 11 * n) for n in range(10)),
    ]
    assert _read_layout(lines).authors == ["Noah DeTal", "Abouzar Kaboudian", "Flavio H. Fenton"]
    assert not looks_like_author_line("Laboratoire de Psychologie Cognitive")
    assert not looks_like_author_line("Lehrstuhl Informatik II")


def test_an_archive_cover_that_names_more_authors_than_page_two_keeps_its_names():
    paper_page = [(14, "Correlation between heart rate and performance during windsurfing"), (10, "Olivier Hue"), *BODY_LINES]
    metadata = from_pdf(make_pdf(HAL_COVER_LINES, more_pages=[paper_page]))
    assert metadata.authors == ["Karim Chamari", "Olivier Galy", "Olivier Hue"]


def test_a_side_box_label_in_small_bold_type_is_no_title_when_the_title_comes_later():
    side_box = [LayoutLine("Peer Review History: PLOS recognizes the", 8, "Helvetica-Condensed-Bold", 268)]
    side_box += [
        LayoutLine("benefits of transparency in the peer review process", 8, "Helvetica-Condensed", 257 - 11 * n) for n in range(30)
    ]
    lines = [
        *side_box,
        LayoutLine("Seeing what you hear: Compression of rat", 18, "OpenSans-Regular", 667),
        LayoutLine("visual perceptual space", 18, "OpenSans-Regular", 644),
        LayoutLine("Mattia Zanzi, Francesco G. Rinaldi", 9, "Helvetica-Bold", 594),
        *[
            LayoutLine("Rats were trained to judge the size of visual objects while sounds played.", 9.5, "Arial", 560 - 12 * n)
            for n in range(20)
        ],
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "Seeing what you hear: Compression of rat visual perceptual space"
    assert metadata.authors == ["Mattia Zanzi", "Francesco G. Rinaldi"]


def test_names_in_the_titles_type_and_face_after_twice_its_line_spacing_are_no_title():
    lines = [
        LayoutLine("Physica A 175 (1991) 345-354", 10, "Times", 725),
        LayoutLine("TWO-DIMENSIONAL DILUTED ISING ANTIFERROMAGNETS", 12, "Times-Bold", 633),
        LayoutLine("AT ZERO TEMPERATURE IN A UNIFORM FIELD:", 12, "Times-Bold", 618),
        LayoutLine("A GROWTH SIMULATION MODEL", 12, "Times-Bold", 603),
        LayoutLine("P.M.C. DE OLIVEIRA and S.M. MOSS DE OLIVEIRA", 12, "Times-Bold", 573),
        LayoutLine("Departamento de Fisica, Universidade Federal Fluminense, Niteroi, Brazil", 10.5, "Times-Italic", 558),
        *[
            LayoutLine("We search for the ground state of the square lattice diluted Ising model.", 10, "Times", 421 - 11 * n)
            for n in range(12)
        ],
    ]
    metadata = _read_layout(lines)
    assert (
        metadata.title == "TWO-DIMENSIONAL DILUTED ISING ANTIFERROMAGNETS AT ZERO TEMPERATURE IN A UNIFORM FIELD: A GROWTH SIMULATION MODEL"
    )
    assert len(metadata.authors) == 2


# With 20 body lines first the title's first line is among the page's top lines and the rest is not; with 30 it is
# all further down.
@pytest.mark.parametrize("body_lines", [20, 30])
def test_a_title_in_much_larger_type_later_in_reading_order_beats_a_heading_at_the_top(body_lines):
    body = [
        LayoutLine("The U.S. Census Bureau has projected that minority groups will make up a majority.", 10, "Garamond", 277 - 12 * n)
        for n in range(body_lines)
    ]
    lines = [
        LayoutLine("Psychological Science", 7, "Garamond", 685),
        LayoutLine("2014, Vol. 25(6) 1189-1197", 7, "Garamond", 677),
        *body,
        LayoutLine("Perceived Threat and Political", 12, "Garamond-Bold", 127),
        LayoutLine("Ideology", 12, "Garamond-Bold", 113),
        *body[:5],
        LayoutLine("On the Precipice of a Majority-", 18, "Garamond-Bold", 668),
        LayoutLine("Minority America: Perceived Status", 18, "Garamond-Bold", 648),
        LayoutLine("Threat From the Racial Demographic", 18, "Garamond-Bold", 628),
        LayoutLine("Shift Affects White Americans", 18, "Garamond-Bold", 608),
        LayoutLine("Political Ideology", 18, "Garamond-Bold", 588),
        LayoutLine("Maureen A. Craig and Jennifer A. Richeson", 12, "Garamond-Bold", 538),
        LayoutLine("Northwestern University", 8, "Garamond", 520),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == (
        "On the Precipice of a Majority-Minority America: Perceived Status Threat From the Racial Demographic Shift Affects"
        " White Americans Political Ideology"
    )
    assert metadata.authors == ["Maureen A. Craig", "Jennifer A. Richeson"]


def test_a_journal_banner_above_the_title_names_no_author_and_an_istituto_is_an_affiliation():
    body = [
        LayoutLine("Results for the various unimodal location discriminations are shown in Figure 1.", 8.5, "Helvetica", 650 - 10 * n)
        for n in range(12)
    ]
    lines = [
        LayoutLine("Current Biology, Vol. 14, 257-262, February 3, 2004, Elsevier Science Ltd. All rights reserved.", 7, "Helvetica", 749),
        LayoutLine("The Ventriloquist Effect Results", 18, "Helvetica-Bold", 718),
        LayoutLine("from Near-Optimal Bimodal Integration", 18, "Helvetica-Bold", 699),
        *body,
        LayoutLine("David Alais1,2 and David Burr1,3,*", 8.5, "Helvetica-Bold", 650),
        LayoutLine("1Istituto di Neuroscienze del CNR", 5, "Helvetica", 643),
        LayoutLine("56127 Pisa", 8.5, "Helvetica", 629),
    ]
    metadata = _read_layout(lines)
    assert metadata.authors == ["David Alais", "David Burr"]


def test_an_apa_manuscripts_running_head_is_no_part_of_the_title():
    page = (
        "Running head: INTERNAL, INTERACTIVE, AND INSTITUTIONAL FACTORS 1\nInternal, Interactive, and Institutional Factors:\n"
        "A Unified Framework for Understanding International Organizations\nAndrew Heiss\nDuke University\nAbstract\nBody."
    )
    metadata = from_first_page(page)
    assert (
        metadata.title
        == "Internal, Interactive, and Institutional Factors: A Unified Framework for Understanding International Organizations"
    )
    assert metadata.authors == ["Andrew Heiss"]


def test_a_figures_big_label_later_on_the_page_is_no_title():
    lines = [
        LayoutLine("ASAP: Automatic Smoothing for Attention Prioritization in", 18, "Sans-Bold", 707),
        LayoutLine("Streaming Time Series Visualization", 18, "Sans-Bold", 687),
        LayoutLine("Kexin Rong, Peter Bailis", 12, "Sans", 647),
        LayoutLine("Stanford InfoLab", 12, "Sans", 633),
        *[
            LayoutLine("Time series visualization of streaming telemetry is a common task for analysts.", 10, "Times", 560 - 12 * n)
            for n in range(30)
        ],
        LayoutLine("Unsmoothed", 36, "Vera", 768),
        LayoutLine("NYC Taxi Passengers", 25, "Vera", 700),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "ASAP: Automatic Smoothing for Attention Prioritization in Streaming Time Series Visualization"
    assert metadata.authors == ["Kexin Rong", "Peter Bailis"]


def test_a_title_line_ending_in_a_dash_goes_on_in_the_next_line():
    page = (
        "PRILAGODBA PROMJENAMA NA TR\u017dI\u0160TU RADA \u2013\nOPTIMIZACIJA RADNOG U\u010cINKA U RADU OD KU\u0106E\n"
        "dr.sc. Katarina Tokovi\u0107, dipl.oec.\nUstanova: Oktal pharma d.o.o.\nSa\u017eetak\nTijekom 2020. godine postalo je jasno."
    )
    metadata = from_first_page(page)
    assert metadata.title == "PRILAGODBA PROMJENAMA NA TR\u017dI\u0160TU RADA \u2013 OPTIMIZACIJA RADNOG U\u010cINKA U RADU OD KU\u0106E"
    assert metadata.authors == ["Katarina Tokovi\u0107"]


@pytest.mark.parametrize(
    ("doi", "year"),
    [
        ("10.1016/j.cognition.2016.10.018", 2016),
        ("10.1111/j.1461-0248.2000.00143.x", 2000),
        ("10.1080/01621459.2017.1285773", 2017),
        ("10.3389/fcell.2020.616592", 2020),
        ("10.1007/s10994-019-05855-6", 2019),
        ("10.1038/s41586-021-03819-2", 2021),
        # DOIs that name no year, or a number that only looks like one.
        ("10.1073/pnas.1907370117", None),
        ("10.1145/3292500.3330919", None),
        ("10.1103/PhysRevLett.116.061102", None),
        ("10.1016/0022-0000(95)90010-1", None),
    ],
)
def test_a_doi_names_the_year_its_article_was_registered(doi, year):
    from papergym.core.ingest.metadata.doi_year import year_of_doi

    assert year_of_doi(doi) == year


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # The page's first year is a cited work's; the DOI's year picks the copyright line after it.
        (
            "A Title\nJane Roe\nas published in 1998 by the first survey\n© 2017 Elsevier Ltd. All rights reserved.\n"
            "https://doi.org/10.1016/j.cognition.2016.10.018\n",
            2017,
        ),
        # Registered in 2016, out in the next year's issue.
        ("Cognition 158 (2017) 33–43\nA Title\nJane Roe\nhttps://doi.org/10.1016/j.cognition.2016.10.018\n", 2017),
        # A page that states no year in the DOI's span gives the DOI's year.
        ("A Title\nJane Roe\nReceived 3 May 2009\ndoi:10.1016/j.jcss.2011.10.002\n", 2011),
        # A page that states no year leaves the DOI's year to the last resort (see the next test).
        ("A Title\nJane Roe\nBody text.\ndoi:10.1007/s10994-019-05855-6\n", None),
        # The page's own citation wins whatever the DOI says (a journal with a backlog).
        (
            "To cite this article: Jane Roe (2019) A Title, J 43:2, 201-230, DOI: 10.1080/01234567.2016.1234567\nPublished online: 12 Oct 2016\n",
            2019,
        ),
        # An APA citation in running text is no journal line.
        (
            "A Title\nJane Roe\nhas examined this question (Olshausen, 1996)\n"
            + "Body.\n" * 12
            + "arXiv:2001.01234v1 [cs.LG] 3 Jan 2020\n",
            2020,
        ),
        # Without a year in its DOI the page's own order stands.
        ("A Title\nJane Roe\nReceived 3 May 2009\ndoi:10.1145/3292500.3330919\n", 2009),
    ],
)
def test_the_dois_year_checks_the_years_a_page_states(page, year):
    assert from_first_page(page).year == year


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # Blackwell's Adv fonts read the page range's en dash as "±" and the copyright sign as "#".
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "Ecology Letters (2000) 3:349±361\n" + "Body.\n" * 3, 2000),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "#2000 Blackwell Science Ltd/CNRS\n" + "Body.\n" * 3, 2000),
        ("A Title\nJane Roe\nWe count the #2000 Blackwell entries in table 2 of the body.\n", None),
        # Springer's copyright line broken before its city.
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "© Springer-Verlag\nBerlin Heidelberg 1992\n", 1992),
    ],
)
def test_old_publisher_fonts_and_broken_copyright_lines_give_the_year(page, year):
    assert from_first_page(page).year == year


def test_a_files_date_printed_only_in_its_download_stamp_is_no_year():
    # A web page printed to PDF in 2009: the print header shows that day, which is also the file's creation date.
    lines = [(10, "15/Jun/2009 10:48 AM Design Principles"), (20, "Design Principles Behind Smalltalk"), (10, "Plain body text.")]
    assert from_pdf(make_pdf(lines, info={"/CreationDate": "D:20090615084839"})).year is None
    lines[0] = (10, "BYTE Magazine 2009 issue, reproduced")
    assert from_pdf(make_pdf(lines, info={"/CreationDate": "D:20090615084839"})).year == 2009


def test_the_articles_reference_in_the_info_subject_dates_a_page_that_prints_no_year():
    # HighWire's PDFs of Science scans: no year in the page's text layer, the reference in /Subject, a later file date.
    lines = [(20, "Virus Infection of Cultured Cells"), (10, "Jane Roe"), (10, "Plain body text without a date.")]
    info = {"/Subject": "Science 1962.137:1047-1048", "/CreationDate": "D:20050311120000"}
    metadata = from_pdf(make_pdf(lines, info=info))
    assert (metadata.year, metadata.sources["year"]) == (1962, "info")
    # A subject that is prose, or a conference's name, dates nothing: the file's date is still checked against the page.
    for subject in ("Malaria campaigns (circa 1920) and their effect", "Proceedings of the International Conference 2010"):
        assert from_pdf(make_pdf(lines, info={**info, "/Subject": subject})).year is None
    # The page's own year comes first.
    dated = [*lines, (8, "Copyright \u00a9 1963 by the AAAS")]
    assert from_pdf(make_pdf(dated, info=info)).year == 1963


def test_a_year_read_from_the_doi_says_so():
    lines = [(20, "Largest Font Title"), (10, "Jane Roe"), (10, "doi:10.1016/j.cell.2019.01.021 with no year printed.")]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.year, metadata.sources["year"]) == (2019, "doi")
    lines = [(20, "Largest Font Title"), (10, "Jane Roe"), (10, "Plain body text.")]
    metadata = from_pdf(make_pdf(lines, info={"/doi": "10.1016/j.cell.2019.01.021"}))
    assert (metadata.doi, metadata.year, metadata.sources["year"]) == ("10.1016/j.cell.2019.01.021", 2019, "doi")


@pytest.mark.parametrize(
    "piece",
    [
        "Google Brain",
        "Research Scientist",
        "United States Army",
        "Molecular Biology",
        "Sierra Leone",
        "Restless Development",
        "Gramma Tech",
        # ResearchGate's cover, read by OCR: the counts' heads beside the authors.
        "Citations Reads",
        "CITATIONS READS",
    ],
)
def test_teams_roles_fields_and_places_in_the_authors_type_are_no_names(piece):
    from papergym.core.ingest.metadata.authors import is_name

    assert not is_name(piece)


@pytest.mark.parametrize(
    "piece",
    [
        "Michael I. Jordan",
        "Chad G. Ball",
        "Sergio Leone",
        "Michael Springer",
        "Ana New",
        "Jeremy L. England",
        "Asghar Ali Engineer",
        "Kenya Moore",
    ],
)
def test_names_that_share_a_word_with_a_place_or_a_publisher_stay_names(piece):
    from papergym.core.ingest.metadata.authors import is_name

    assert is_name(piece)


def test_a_list_of_names_with_a_publishers_name_for_a_surname_is_read():
    lines = [
        LayoutLine("Assigning function to natural allelic variation", 23, "Adv-Title", 660),
        LayoutLine("Magali Richard1, Florent Chuffart1, Martin Spichty1,", 12, "Adv-Names", 604),
        LayoutLine("Etienne Fulcrand1, Michael Springer3, Daniel Jost2 &", 12, "Adv-Names", 587),
        LayoutLine("Gaël Yvert1", 12, "Adv-Names", 570),
        *(LayoutLine("More and more natural DNA variants are being linked to traits.", 8.5, "Adv-Body", 500 - 11 * n) for n in range(12)),
    ]
    assert _read_layout(lines).authors == [
        "Magali Richard",
        "Florent Chuffart",
        "Martin Spichty",
        "Etienne Fulcrand",
        "Michael Springer",
        "Daniel Jost",
        "Gaël Yvert",
    ]
    from papergym.core.ingest.metadata.authors import looks_like_author_line

    assert looks_like_author_line("Etienne Fulcrand1, Michael Springer3, Daniel Jost2 &")
    assert not looks_like_author_line("Springer Nature, Berlin")
    assert not looks_like_author_line("© Springer, Jane Roe")


def test_a_double_surname_broken_at_its_hyphen_and_an_affiliation_on_the_names_line():
    lines = [
        LayoutLine("Science through Wikipedia: A novel representation", 18, "OpenSans", 668),
        LayoutLine("Wenceslao Arroyo-Machado1,2, Daniel Torres-Salinas1,2,3*, Enrique Herrera-", 9, "Helvetica-Bold", 602),
        LayoutLine("Viedma4, Esteban Romero-Frı\u00b4as1,5", 9, "Helvetica-Bold", 587),
        *(
            LayoutLine("1 Medialab UGR, University of Granada, Granada, Spain, 2 Department", 8, "Helvetica", 569 - 10 * n)
            for n in range(3)
        ),
        *(LayoutLine("Body text of the article runs on in its own size and face here.", 10, "Times", 500 - 12 * n) for n in range(12)),
    ]
    assert _read_layout(lines).authors == [
        "Wenceslao Arroyo-Machado",
        "Daniel Torres-Salinas",
        "Enrique Herrera-Viedma",
        "Esteban Romero-Frías",
    ]
    page = (
        "BG-Flood: A GPU adaptive, open-source, general inundation hazard model\n"
        "Cyprien Bosserelle1, Emily M. Lane1, Alice Harang1 1 National Institute of Water and Atmospheric Research (NIWA), Christchurch\n"
        "Abstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Cyprien Bosserelle", "Emily M. Lane", "Alice Harang"]


@pytest.mark.parametrize(
    ("author_line", "authors"),
    [
        # pdfTeX's accents on capitals, set apart by a space from the capitals before them.
        ("JEAN-PIERRE DUB \u00b4E\u2217 and G \u00a8UNTER J. HITSCH", ["Jean-Pierre Dubé", "Günter J. Hitsch"]),
        ("VICTOR CHERNOZHUKOV\u2020 IV \u00b4AN FERN \u00b4ANDEZ-VAL\u00a7", ["Victor Chernozhukov", "Iván Fernández-Val"]),
        # The accent after its capital, and a space after the accent, splits the name up to its marker.
        (
            "JULIA K. PARRISH1,2,*, STEVEN V. VISCIDO2, AND DANIEL GRU\u00a8 NBAUM3",
            ["Julia K. Parrish", "Steven V. Viscido", "Daniel Gr\u00fcnbaum"],
        ),
    ],
)
def test_accents_on_capitals_set_apart_in_names(author_line, authors):
    page = "Recent Advances in Structural Econometric Modeling\n" + author_line + "\nAbstract\n" + "Body.\n" * 12
    assert from_first_page(page).authors == authors


def test_a_title_in_capitals_ends_where_names_in_mixed_case_begin():
    page = (
        "Draft version May 21, 2013\nBASIC PARAMETER ESTIMATION OF BINARY NEUTRON STAR SYSTEMS BY THE ADVANCED\n"
        "LIGO/VIRGO NETWORK\nCarl L. Rodriguez 1 ,Benjamin Farr 1 Vivien Raymond 1,2 Will M. Farr 1 Tyson Littenberg1 Diego Fazi1 Vicky\n"
        "Kalogera1\nABSTRACT\n" + "Body text.\n" * 12
    )
    metadata = from_first_page(page)
    assert metadata.title == "BASIC PARAMETER ESTIMATION OF BINARY NEUTRON STAR SYSTEMS BY THE ADVANCED LIGO/VIRGO NETWORK"
    assert metadata.authors[:2] == ["Carl L. Rodriguez", "Benjamin Farr"]


def test_a_taylor_and_francis_download_sheet_gives_way_to_the_papers_page():
    cover = [
        (9, "This article was downloaded by: [University of Texas Medical Branch]"),
        (9, "Publisher: Taylor & Francis"),
        (14, "Molecular Physics: An International Journal at the"),
        (14, "Interface Between Chemistry and Physics"),
        (11, "Computation of high-order virial coefficients in high-dimensional hard-sphere fluids by Mayer sampling"),
        (10, "Cheng Zhang & B. Montgomery Pettitt"),
        (9, "To cite this article: Cheng Zhang & B. Montgomery Pettitt (2014) Computation of high-order virial"),
        (9, "PLEASE SCROLL DOWN FOR ARTICLE"),
        *((9, "Taylor & Francis makes every effort to ensure the accuracy of all the information.") for _ in range(6)),
    ]
    paper = [
        (9, "Molecular Physics, 2014"),
        (12, "Computation of high-order virial coefficients in high-dimensional hard-sphere"),
        (12, "fluids by Mayer sampling"),
        (10, "Cheng Zhang and B. Montgomery Pettitt"),
        *((9, "The Mayer sampling method was used to compute the virial coefficients here.") for _ in range(8)),
    ]
    metadata = from_pdf(make_pdf(cover, more_pages=[paper]))
    assert metadata.title == "Computation of high-order virial coefficients in high-dimensional hard-sphere fluids by Mayer sampling"
    assert (metadata.authors, metadata.year) == (["Cheng Zhang", "B. Montgomery Pettitt"], 2014)


def test_repository_records_and_old_jstor_notices_are_covers():
    from papergym.core.ingest.metadata.pdf import is_cover_page

    assert is_cover_page(
        "A Title\nCitation Doe, J. A title.\nVersion Original manuscript\nCitable Link http://hdl.handle.net/1721.1/82629\n"
    )
    assert not is_cover_page("A Title\nJane Roe\nWe link citations to their sources in a citable way.\n")
    cover = [
        "The Econometric Society is collaborating with JSTOR to digitize, preserve and extend access to Econometrica.",
        "http://www.jstor.org",
        "Approximate Power Functions for Some Robust Tests of Regression Coefficients",
        "Author(s): Thomas J. Rothenberg",
        "Source: Econometrica, Vol. 56, No. 5 (Sep., 1988), pp. 997-1019",
        "Stable URL: http://www.jstor.org/stable/1911356",
    ]
    assert labelled_front_matter(cover) == (
        "Approximate Power Functions for Some Robust Tests of Regression Coefficients",
        ["Thomas J. Rothenberg"],
    )


@pytest.mark.parametrize(
    ("page", "year", "doi"),
    [
        ("A Title\nJane Roe\nSupplemental materials: https://doi.org/10.1037/xlm0001080.supp\n", None, "10.1037/xlm0001080"),
        ("Australasian Coasts & Ports 2021 Conference – Christchurch, 30 November – 3 December 2021\nA Title\nJane Roe\n", 2021, None),
    ],
)
def test_supplement_dois_and_venue_banners(page, year, doi):
    metadata = from_first_page(page)
    assert (metadata.year, metadata.doi) == (year, doi)


def test_degrees_between_commas_and_bullets_are_no_names():
    page = (
        "Resting-State Functional MRI of Healthy Adults\n"
        "Tiantian Liu, BS \u2022 Li Wang, MD, PhD \u2022 Dingjie Suo, PhD \u2022 Kexin Wang, BS \u2022\n"
        "Abstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Tiantian Liu", "Li Wang", "Dingjie Suo", "Kexin Wang"]


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # Blackwell's "&" for "©"; the received date a year before is not the year.
        ("A Title\nJane Roe\nReceived December 1998\n" + "Body.\n" * 12 + "& 1999 Royal Statistical Society 0039–0526/99/48495\n", 1999),
        # Nature Portfolio's footer outranks the received date.
        (
            "npj | digital medicine Article\nA Title\nJane Roe\nReceived: 25 June 2025\n"
            + "Body.\n" * 30
            + "npj Digital Medicine | (2026) 9:20\n1\n2\n3\n",
            2026,
        ),
    ],
)
def test_more_banners_and_copyright_signs(page, year):
    assert from_first_page(page).year == year


def test_a_person_known_by_one_name_in_a_list_of_full_names():
    page = (
        "Neural Network Based BER Prediction for 802.16e Channel\nGowrishankar, Ramesh Babu H.S., Satyanarayana P.S.\n"
        "Department of Computer Science and Engineering, B.M.S. College of Engineering\nAbstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Gowrishankar", "Ramesh Babu H.S.", "Satyanarayana P.S."]
    from papergym.core.ingest.metadata.authors import looks_like_author_line

    # One word after the names is an institution; one word beside a single name is not enough.
    assert not looks_like_author_line("Jane Roe, John Smith, Stanford")
    assert not looks_like_author_line("Gowrishankar, Ramesh Babu H.S.")
    assert not looks_like_author_line("Bangalore, INDIA, Jane Roe, John Smith")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Citation: Arroyo-Machado W, Torres-Salinas D, Herrera-Viedma E, Romero-Frías E (2020) Science through Wikipedia",
            ["W. Arroyo-Machado", "D. Torres-Salinas", "E. Herrera-Viedma", "E. Romero-Frías"],
        ),
        ("To cite this article: Cheng Zhang & B. Montgomery Pettitt (2014) Computation of", ["Cheng Zhang", "B. Montgomery Pettitt"]),
        (
            "Citation: Chaganti, R.; Rustam, F.; De La Torre Díez, I.; Ashraf, I. Thyroid Disease\nPrediction. Cancers 2022, 14, 3914.",
            ["R. Chaganti", "F. Rustam", "I. De La Torre Díez", "I. Ashraf"],
        ),
        ("How to cite this article: Park, S. et al. A title. Sci. Rep. 5, 1234 (2015).", ["S. Park"]),
        ("To cite this article: Xiaoying Wei et al 2023 ECS Adv. 2 040502", ["Xiaoying Wei"]),
        ("ACM Reference Format:\nJane Roe and John Smith. 2019. A Title. In Proc.", ["Jane Roe", "John Smith"]),
        ("Citation: Mitchell S (2020) Will it work? Front. Psychol.", ["S. Mitchell"]),
        # No names, or a sentence that is no citation.
        ("Citation: eLife 2014;3:e01234", []),
        ("The citation: a study of how papers cite (2019) shows", []),
    ],
)
def test_the_names_of_the_citation_a_page_prints_for_itself(text, names):
    from papergym.core.ingest.metadata.citation import citation_authors

    assert citation_authors(text) == names


def test_the_pages_own_citation_gives_names_the_layout_missed_or_misordered():
    from papergym.core.ingest.metadata.citation import with_citation_order

    cited = ["W. Arroyo-Machado", "D. Torres-Salinas", "E. Herrera-Viedma"]
    assert with_citation_order([], cited) == cited
    # The page read its names in another order: the citation's order, the page's spelling.
    page = ["Daniel Torres-Salinas", "Wenceslao Arroyo-Machado", "Enrique Herrera-Viedma"]
    assert with_citation_order(page, cited) == ["Wenceslao Arroyo-Machado", "Daniel Torres-Salinas", "Enrique Herrera-Viedma"]
    # Agreeing on the first author, or a citation of one name ("et al."), leaves the page's list.
    assert with_citation_order(["Wenceslao Arroyo-Machado", "Enrique Herrera-Viedma"], cited) is None
    assert with_citation_order(["Jane Roe"], ["S. Park"]) is None
    lines = [
        (20, "Science through Wikipedia"),
        (9, "Plain body text of the page that names nobody in the layout at all."),
        (8, "Citation: Arroyo-Machado W, Torres-Salinas D (2020) Science through Wikipedia. PLoS ONE 15(2): e0228713."),
    ]
    metadata = from_pdf(make_pdf(lines))
    assert (metadata.authors, metadata.sources["authors"]) == (["W. Arroyo-Machado", "D. Torres-Salinas"], "citation")


_BODY = "Body text line.\n" * 15


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # ACS's, RSC's and MDPI's journal lines outrank a published-online date in the year before.
        (
            "J. Phys. Chem. B 2020, 124, 4567−4578\nA Title\nJane Roe\nReceived: December 3, 2019\nPublished: December 20, 2019\n" + _BODY,
            2020,
        ),
        (
            "A Title\nJane Roe\nReceived: December 3, 2019\nPublished: December 20, 2019\n"
            + _BODY
            + "J. Phys. Chem. B 2020, 124, 4567−4578\n1\n",
            2020,
        ),
        (
            "Cite This: J. Am. Chem. Soc. 2020, 142, 1234−1240\nA Title\nJane Roe\nReceived: November 3, 2019\nPublished: December 20, 2019\n"
            + _BODY,
            2020,
        ),
        (
            "Phys. Chem. Chem. Phys., 2020, 22, 1234\nA Title\nJane Roe\nReceived 3rd October 2019, Accepted 5th December 2019\n" + _BODY,
            2020,
        ),
        # A history line ending in ", 2019" is no journal banner; a sentence with numbers is no journal line.
        ("A Title\nJane Roe\nReceived: November 3, 2019\n" + _BODY, 2019),
        ("A Title\nJane Roe\nWe found in 2019, 12, 15 cases\nReceived: 3 May 2021\n" + _BODY, 2021),
    ],
)
def test_journal_lines_of_chemistry_publishers_give_the_issue_year(page, year):
    assert from_first_page(page).year == year


def test_names_in_the_titles_size_after_a_title_in_capitals_are_not_its_words():
    lines = [
        LayoutLine("PSYCHOLOGICAL SCIENCE", 8, "Times-Roman", 767),
        LayoutLine("TRANSIENT SPATIAL ATTENTION DEGRADES", 14, "Times-Bold", 705),
        LayoutLine("TEMPORAL RESOLUTION", 14, "Times-Bold", 689),
        LayoutLine("Yaffa Yeshurun and Liat Levy", 14, "Times-Roman", 664),
        LayoutLine("University of Haifa, Haifa, Israel", 9, "Times-Italic", 650),
        *(LayoutLine("Body text of the article runs on in its own size and face here.", 9, "Times-Roman", 600 - 11 * n) for n in range(12)),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == (
        "TRANSIENT SPATIAL ATTENTION DEGRADES TEMPORAL RESOLUTION",
        ["Yaffa Yeshurun", "Liat Levy"],
    )


def test_a_manuscripts_running_head_with_its_page_number_is_no_title():
    page = (
        "Vicious cycle of cynicism and disrespect 1\nVictims, Perpetrators, or Both?\n"
        "The Vicious Cycle of Disrespect and Cynical Beliefs about Human Nature\nOlga Stavrova\nTilburg University\n"
        "Abstract\n" + "Body.\n" * 12
    )
    assert (
        from_first_page(page).title
        == "Victims, Perpetrators, or Both? The Vicious Cycle of Disrespect and Cynical Beliefs about Human Nature"
    )


def test_a_notice_before_the_paper_gives_way_to_the_papers_page_and_glued_names_are_split():
    notice = [
        (11, "Since January 2020 Elsevier has created a COVID-19 resource centre with"),
        (11, "free information in English and Mandarin on the novel coronavirus COVID-"),
        (11, "19. The COVID-19 resource centre is hosted on Elsevier Connect, the"),
        *((11, "company's public news and information website, and more prose follows.") for _ in range(6)),
    ]
    paper = [
        (8, "Contents lists available at ScienceDirect"),
        (14, "Clinical Biochemistry"),
        (8, "journal homepage: www.elsevier.com/locate/clinbiochem"),
        (13.5, "Staff rostering and social distancing in the pandemic: A simulation study"),
        (10.5, "ChunYeeLima,MaryKathrynBohnb,GiuseppeLippic"),
        (6.5, "aEngineering Cluster, Singapore Institute of Technology, Singapore"),
        *((7, "The body of the paper in its own small type runs on here and on.") for _ in range(10)),
    ]
    metadata = from_pdf(make_pdf(notice, more_pages=[paper]))
    assert metadata.title == "Staff rostering and social distancing in the pandemic: A simulation study"
    assert metadata.authors[0] == "Chun Yee Lim"
    from papergym.core.ingest.metadata.authors import _unglued_given_name

    assert [_unglued_given_name(word) for word in ("WenliZhang", "ChunYeeLim", "JohnMcDonald", "McDonald", "DeMarco")] == [
        "Wenli Zhang",
        "Chun Yee Lim",
        "John McDonald",
        "McDonald",
        "DeMarco",
    ]


def test_a_letter_spaced_section_head_and_a_statisticians_charter_are_no_names():
    from papergym.core.ingest.metadata.authors import is_name

    assert not is_name("R Eports") and not is_name("R EPORTS") and is_name("Rita Eports")
    page = (
        "Causation and Causal Inference in Epidemiology\nKenneth J. Rothman, DrPH, Sander Greenland, MA, MS, C Stat\nAbstract\n"
        + "Body.\n" * 12
    )
    assert from_first_page(page).authors == ["Kenneth J. Rothman", "Sander Greenland"]


def test_a_jstor_forms_names_and_source_year_stand_against_the_scanned_page():
    cover = [
        (12, 'The Market for "Lemons": Quality Uncertainty and the Market Mechanism'),
        (12, "Author(s): George A. Akerlof"),
        (12, "Source: The Quarterly Journal of Economics , Aug., 1970, Vol. 84, No. 3 (Aug., 1970), pp."),
        (12, "488-500"),
        (12, "Published by: Oxford University Press"),
        (12, "Stable URL: https://www.jstor.org/stable/1879431"),
        *((9, "JSTOR is a not-for-profit service that helps scholars, researchers, and students discover.") for _ in range(4)),
    ]
    scan = [
        (14, "THE MARKET FOR LEMONS: QUALITY UNCERTAINTY AND THE"),
        (12, "Market Mechanism, George A. Akerlof"),
        *((10, "This paper relates quality and uncertainty in the market for used cars.") for _ in range(10)),
    ]
    metadata = from_pdf(make_pdf(cover, more_pages=[scan]))
    assert (metadata.authors, metadata.year) == (["George A. Akerlof"], 1970)


def test_names_the_page_misspaces_take_the_spelling_of_the_pdfs_own_metadata():
    lines = [(20, "Accelerated spin dynamics using deep learning"), (10, "Sojeongpark, Wooseop Kwak, Hwee Kuan Lee"), *BODY_LINES]
    metadata = from_pdf(make_pdf(lines, info={"/Author": "Sojeong Park"}))
    assert metadata.authors == ["Sojeong Park", "Wooseop Kwak", "Hwee Kuan Lee"]
    # A particle in lower case is the page's right spelling, whatever Info runs together.
    lines = [(20, "Towards a cloud computing research agenda"), (10, "Ken Birman, Robbert van Renesse"), *BODY_LINES]
    assert from_pdf(make_pdf(lines, info={"/Author": "Robbert VanRenesse"})).authors == ["Ken Birman", "Robbert van Renesse"]


@pytest.mark.parametrize(
    "names",
    [
        # A name in a font that lost its letters ("Jörg" read as "JUCbR5rg") among names that read as names.
        LayoutLine("Carola Vogel, Frank W. Heinemann, JUCbR5rg Sutter, Christian Anthon, and Karsten Meyer*", 12, "AdvPS_TTI", 720),
        # Names run together by the reading, each with its raised marker set off.
        LayoutLine("Nicholas Erikssona,StephenE.Fienbergb,c,", 12, "Times-Roman", 720, "Nicholas Eriksson|,StephenE.Fienberg|,"),
    ],
)
def test_a_line_of_names_the_reading_broke_is_no_subtitle(names):
    layout = [
        LayoutLine("An Iron Nitride Complex of Unusual Stability", 16, "AdvPS_TTB", 740),
        names,
        *(LayoutLine("Coordination compounds of iron in high oxidation states are rare.", 9, "AdvPS_TTR", 690 - 12 * n) for n in range(12)),
    ]
    assert _read_layout(layout).title == "An Iron Nitride Complex of Unusual Stability"


def test_a_label_set_above_the_title_in_its_type_gives_way_to_the_title_info_gives():
    lines = [
        (16, "Classical Text in Translation"),
        (16, "An Example of Statistical Investigation of the Text Eugene"),
        (16, "Onegin Concerning the Connection of Samples in Chains"),
        (13, "A. A. Markov"),
        *BODY_LINES,
    ]
    title = "An Example of Statistical Investigation of the Text Eugene Onegin Concerning the Connection of Samples in Chains"
    assert from_pdf(make_pdf(lines, info={"/Title": title})).title == title
    # The part of a title before its colon is the title's own.
    lines = [(16, "olmOCR 2: Unit Test Rewards"), (16, "for Document OCR"), (12, "Jake Poznanski, Luca Soldaini"), *BODY_LINES]
    info = {"/Title": "Unit Test Rewards for Document OCR"}
    assert from_pdf(make_pdf(lines, info=info)).title == "olmOCR 2: Unit Test Rewards for Document OCR"


def test_a_theses_cover_gives_the_title_between_the_university_and_the_degree():
    text = (
        "UNIVERSITY OF CALIFORNIA SAN DIEGO\nMechanisms of Meditation:\n"
        "Investigating the Components and Covariates of a Single Session of Meditation\n"
        "A dissertation submitted in partial satisfaction of the requirements for the degree\nDoctor of Philosophy\nin\n"
        "Experimental Psychology\nby\nTaylor E Bondi\n"
    )
    title = "Mechanisms of Meditation: Investigating the Components and Covariates of a Single Session of Meditation"
    assert from_first_page(text + "Committee in charge of the dissertation.\n" * 5).title == title


@pytest.mark.parametrize(
    ("line", "banner"),
    [
        ("Carnegie Mellon University", True),
        ("The University of Texas at Austin", True),
        ("Università degli Studi di Milano", True),
        ("Building the Digital University", False),
        ("The Entrepreneurial University", False),
    ],
)
def test_a_universitys_name_alone_is_a_banner_a_title_that_ends_in_university_is_not(line, banner):
    from papergym.core.ingest.metadata.page_lines import is_banner

    assert is_banner(line) is banner


@pytest.mark.parametrize("label", ["Survey Paper", "Perspective", "Commentary", "Mini Review", "Tutorial"])
def test_an_article_types_label_above_the_title_is_no_part_of_it(label):
    text = f"{label}\nVariable Structure Systems with Sliding Modes\nVadim I. Utkin\nAbstract\n" + "The body of the paper.\n" * 10
    assert from_first_page(text).title == "Variable Structure Systems with Sliding Modes"


def test_a_journals_name_in_big_type_that_its_dated_header_repeats_is_no_title():
    layout = [
        LayoutLine("Evidence Based Library and Information Practice 2007, 2:1", 9, "PalatinoLinotype-Italic", 747),
        LayoutLine("Evidence Based Library and Information Practice", 14, "PalatinoLinotype-Bold", 690),
        LayoutLine("Feature Article", 12, "PalatinoLinotype-Italic", 630),
        LayoutLine("A Statistical Primer: Understanding Descriptive and Inferential Statistics", 11, "PalatinoLinotype-Bold", 603),
        LayoutLine("Gillian Byrne", 10, "PalatinoLinotype-Roman", 565),
        LayoutLine("Information Services Librarian", 10, "PalatinoLinotype-Roman", 551),
        LayoutLine("Queen Elizabeth II Library", 10, "PalatinoLinotype-Roman", 538),
        LayoutLine("Memorial University of Newfoundland", 10, "PalatinoLinotype-Roman", 524),
        *(
            LayoutLine("As libraries move towards evidence-based decision making, data matter.", 10, "PalatinoLinotype-Roman", 480 - 12 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(layout)
    assert metadata.title == "A Statistical Primer: Understanding Descriptive and Inferential Statistics"
    assert metadata.authors == ["Gillian Byrne"]


def test_a_short_title_over_its_subtitle_in_smaller_type_is_one_title():
    layout = [
        LayoutLine("Analog Sorting", 18, "NimbusSanL-Bold", 707),
        LayoutLine("Theory and evaluation", 14, "NimbusSanL-Regu", 673),
        LayoutLine("Lusa Zhan", 12, "NimbusSanL-Regu", 646),
        LayoutLine("Columbia University", 10, "NimbusSanL-Regu", 635),
        *(
            LayoutLine("This work analyzes the theory behind analog sorting using circuits.", 9, "NimbusSanL-Regu", 560 - 11 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == ("Analog Sorting: Theory and evaluation", ["Lusa Zhan"])


def test_the_people_an_acknowledgment_thanks_are_no_authors():
    layout = [
        LayoutLine("Potassium-Argon Ages from the Galapagos Islands", 12, "Times-Roman", 650),
        *(LayoutLine("The age of the islands is important to any biological study", 9.5, "Times-Roman", 540 - 11 * n) for n in range(6)),
        LayoutLine("ham predoctoral fellowship to D.T. and by NSF", 7.5, "Times-Roman", 758),
        LayoutLine("grant GB-41315 to P. Kilham, I thank P. Kilham,", 7.5, "Times-Roman", 751),
        LayoutLine("S. S. Kilham, J. Adams, J. Porter, D. Wethey,", 7.5, "Times-Roman", 744),
        LayoutLine("Department of Zoology, University of Michigan, Ann Arbor", 7.5, "Times-Roman", 737),
    ]
    assert _read_layout(layout).authors == []


def test_names_a_scans_ocr_misread_take_the_spelling_of_the_pdfs_own_metadata():
    # The scan's text names the author twice, each time with a letter misread; Info spells the name once, rightly.
    lines = [
        (16, "Exact stochastic simulation of coupled chemical reactions"),
        (11, "Daniel T. Gillesple"),
        (11, "Danlel T. Gillespie"),
        (9, "Naval Weapons Center, Research Department, China Lake, California 93555"),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines, info={"/Author": "Daniel T. Gillespie"})).authors == ["Daniel T. Gillespie"]
    # A name the page prints with accents that Info leaves off is the page's own spelling; a short name two letters
    # away from Info's is another person.
    lines = [(16, "Ecological niches and geographic distributions"), (11, "Jorge Soberón, Lu Wang"), *BODY_LINES]
    assert from_pdf(make_pdf(lines, info={"/Author": "Jorge Soberon, Li Wan"})).authors == ["Jorge Soberón", "Lu Wang"]
    # Nor is a letter that no accent makes ("ø", as "ı" in "Altınbüken").
    lines = [(16, "Commodifying replicated state machines"), (11, "Søren Brøndsted, Emin Gün Sirer"), *BODY_LINES]
    assert from_pdf(make_pdf(lines, info={"/Author": "Soren Brondsted, Emin Gun Sirer"})).authors == ["Søren Brøndsted", "Emin Gün Sirer"]


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # BMC's header after its first author's name; Oxford's and Annual Reviews' journal lines.
        ("Smith et al. BMC Medicine (2020) 18:45\nRESEARCH ARTICLE Open Access\nA Title\nJane Roe\nAbstract\n" + _BODY, 2020),
        ("A Title\nJane Roe\nReceived 3 May 2019; accepted 3 Dec 2019\n" + _BODY + "Bioinformatics, 36(2), 2020, 123–130\ndoi: x\n", 2020),
        ("A Title\nJane Roe\nPublished online 12 December 2019\n" + _BODY + "Annu. Rev. Psychol. 2020. 71:1–25\n", 2020),
        # An advance-access date in the header is no issue banner.
        (
            "Advance Access publication December 5, 2019\nA Title\nJane Roe\n"
            + _BODY
            + "Review of Financial Studies 33 (2020) 1234–1280\n",
            2020,
        ),
        ("A Title\nJane Roe\nas Smith et al. (2019) showed in their work\n" + _BODY, None),
        # Cell Press's footer with its Mac-encoded sign; APA's copyright and banner on one line.
        (
            "Cell Reports\nArticle\nA Title\nJane Roe\n" + _BODY + "Cell Reports 30, 1234–1245, January 28, 2020 ª 2020 The Author(s).\n",
            2020,
        ),
        (
            "Journal of Personality\n© 2019 American Psychological Association 2020, Vol. 118, No. 1, 1–25\nA Title\nJane Roe\n" + _BODY,
            2020,
        ),
        ("A Title\nJane Roe\nIn 2019, volcanoes erupted\n" + _BODY, None),
        # The Ecological Society's article numbers; a DOI after the British Ecological Society's line.
        ("Ecology, 101(2), 2020, e02934\n© 2019 by the Ecological Society of America\nA Title\nJane Roe\n" + _BODY, 2020),
        ("Journal of Ecology 2020, 108, 123–134 doi: 10.1111/1365-2745.13267\nA Title\nJane Roe\n" + _BODY, 2020),
        # A banner that says after its year how the article was published is still a banner.
        (
            "International Psychogeriatrics (2014), 26:1, 147–154 C© International Psychogeriatric Association 2013. The online"
            " version of this article is published within an Open Access environment\nA Title\nJane Roe\n" + _BODY,
            2014,
        ),
    ],
)
def test_more_journal_lines_give_the_issue_year(page, year):
    assert from_first_page(page).year == year


def test_names_in_the_titles_size_and_another_face_read_before_it_are_no_part_of_it():
    # Science's reprint cover, read bottom to top: the DOI, the citation, the names, then the title.
    lines = [
        LayoutLine("DOI: 10.1126/science.286.5439.509", 12, "Helvetica", 724),
        LayoutLine(", 509 (1999);286 Science", 12, "Helvetica", 736),
        LayoutLine("Albert-László Barabási and Réka Albert", 12, "Helvetica", 748),
        LayoutLine("Emergence of Scaling in Random Networks", 12, "Helvetica-Bold", 760),
        *(
            LayoutLine("This copy is for your personal, non-commercial use only, and more.", 10, "Helvetica", 600 - 11 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == ("Emergence of Scaling in Random Networks", ["Albert-László Barabási", "Réka Albert"])


def test_a_figures_labels_in_big_type_are_no_title():
    lines = [
        LayoutLine("THE FREE ENERGY PRINCIPLE FOR PERCEPTION AND ACTION:", 14, "Nimbus", 681),
        LayoutLine("A DEEP LEARNING PERSPECTIVE", 14, "Nimbus", 661),
        LayoutLine("Pietro Mazzaglia Tim Verbelen", 10, "Nimbus-Medi", 600),
        *(
            LayoutLine("The free energy principle, and its corollary active inference, constitute.", 10, "Nimbus", 500 - 11 * n)
            for n in range(10)
        ),
        *(
            LayoutLine(label, 16, "ArialMT", y)
            for label, y in [("Active", 221), ("Inference", 201), ("Variational", 178), ("inference", 159), ("free energy", 135)]
            + [("Prior", 105), ("model", 86), ("States", 105), ("distribution", 86)]
        ),
    ]
    assert _read_layout(lines).title == "THE FREE ENERGY PRINCIPLE FOR PERCEPTION AND ACTION: A DEEP LEARNING PERSPECTIVE"
    # A display title's short lines step down the page at one spacing.
    lines = [
        LayoutLine("Programming Glenn Manacher", 8.5, "Times", 709),
        *(
            LayoutLine(text, 24, "Times-Bold", 673 - 26 * n)
            for n, text in enumerate(["Efficient", "String Matching:", "An Aid to", "Bibliographic Search"])
        ),
        LayoutLine("Alfred V. Aho and Margaret J. Corasick", 11.5, "Times-Bold", 570),
        *(LayoutLine("This paper describes a simple, efficient algorithm to locate words.", 9, "Times", 515 - 11 * n) for n in range(10)),
    ]
    assert _read_layout(lines).title == "Efficient String Matching: An Aid to Bibliographic Search"


def test_a_group_that_signs_in_lower_case_stays_in_the_list():
    lines = [
        LayoutLine("Hospital admission risk for SARS-CoV-2 delta compared with alpha", 16, "Lancet-Bold", 660),
        LayoutLine("Katherine A Twohig, Tommy Nyberg, Ross J Harris,", 8.5, "Lancet-Italic", 600),
        LayoutLine("Russell Hope, Daniela De Angelis, the COVID-19 Genomics UK (COG-UK) consortium*,", 8.5, "Lancet-Italic", 589),
        LayoutLine("Anne M Presanis, Gavin Dabrera", 8.5, "Lancet-Italic", 578),
        *(LayoutLine("Background The delta variant of SARS-CoV-2 has become dominant.", 9, "Lancet", 540 - 11 * n) for n in range(12)),
    ]
    authors = _read_layout(lines).authors
    assert authors[3:5] == ["Russell Hope", "Daniela De Angelis"] and authors[-2:] == ["Anne M Presanis", "Gavin Dabrera"]


def test_a_line_of_control_codes_between_names_does_not_part_them():
    page = "Computing inverses over a shared secret modulus\n\x03\nDario Catalano\n\x03\nRosario Gennaro\nMarch 21, 2000\nAbstract\nWe discuss.\n"
    assert from_first_page(page).authors == ["Dario Catalano", "Rosario Gennaro"]


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ('BDC&E)FHGI8KJfflL9E)FNMO7"8QPRE6ST>AU B<VW8":<PR=H;":XMTU&GZY[89FHJffl><E)FfflP)MK;\'', False),
        ("ChqjFqndmdudkcHyAdksZfx OdsdVZkrgÜjrghsZAgZfhZQncmdxJhmmdxNxuhmcSZeinqc ÜmZmxZGZqrgIgZGZlhrg", False),
        ('The Market for "Lemons": Quality Uncertainty & the Market Mechanism', True),
        ("Similarities to uranium UGe2 and URhGe (Ni1−xCox)Al3: a study of ≤ ∞ bounds", True),
        ("Brokensymmetryandthenatureof thehierarchicalstructureofscience", True),
        ("TheLogicalClarinet:NumericalOptimizationof theGeometryofWoodwindInstruments", True),
    ],
)
def test_a_fonts_codes_are_no_title(title, kept):
    from papergym.core.ingest.metadata.titles import clean_title

    assert (clean_title(title) is not None) == kept


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("Building up DNA, bit by bit: a simple description of chain assembly", False),
        ("Program synthesis, a survey of methods", False),
        ("Building 5, Room 3, National Institutes of Health, Bethesda", True),
        ("Research Group on Complex Systems, Lyon", True),
        ("1Department of Physics, MIT", True),
    ],
)
def test_a_title_that_opens_with_a_word_addresses_use_is_no_address(line, address):
    from papergym.core.ingest.metadata.page_lines import is_affiliation

    assert is_affiliation(line) == address


def test_what_the_reviewed_rules_leave_alone():
    # A capitals title's mixed-case subtitle; a title ending in "1"; a line opening with "Unit of".
    page = (
        "CLIMATE CHANGE AND FOOD SECURITY:\nA Review of Recent Progress in the Tropics\nJane Roe1, John Smith2\nAbstract\n" + "Body.\n" * 12
    )
    assert from_first_page(page).title == "CLIMATE CHANGE AND FOOD SECURITY: A Review of Recent Progress in the Tropics"
    page = (
        "The Emerging Role of Sirtuin 1\nJane Roe1, John Smith2\n1 Department of Biology, University of Leeds\nAbstract\n" + "Body.\n" * 12
    )
    metadata = from_first_page(page)
    assert (metadata.title, metadata.authors) == ("The Emerging Role of Sirtuin 1", ["Jane Roe", "John Smith"])
    from papergym.core.ingest.metadata.page_lines import is_affiliation

    assert is_affiliation("Unit of Epidemiology, Karolinska Institutet, Stockholm, Sweden")
    # Short titles with quotes or a math sign are titles; Elsevier's "Please cite" line gives no names.
    from papergym.core.ingest.metadata.citation import citation_authors, with_citation_order
    from papergym.core.ingest.metadata.titles import clean_title

    assert clean_title("\u201cFake News\u201d on Twitter") and clean_title("Is P \u2260 NP?")
    assert citation_authors("Please cite this article as: Jane Roe, John Smith, Hidden Markov Models, Pattern Recognition (2020)") == []
    # Co-authors who share a surname keep their own names.
    cited = citation_authors("Citation: Zhang W, Wang L, Zhang Y, Li X (2020) A title")
    assert with_citation_order(["Lei Wang", "Wei Zhang", "Yu Zhang", "Xin Li"], cited) == ["Wei Zhang", "Lei Wang", "Yu Zhang", "Xin Li"]


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # A copyright sign read as a digit glued onto the year; IEEE's fee line alone gives it too.
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "0-7803-5800-7/00$10.00 02000 IEEE 153\n", 2000),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "0162-8828/97$10.00 x\nmore\nmore", 1997),
        # Kluwer's footer "volume:pages, year." outranks the day the manuscript was received.
        (
            "A Title\nJane Roe\n(Received in final form 26 October, 1994)\n"
            + "Body.\n" * 12
            + "Boundary-LayerMeteorology 74:113-130, 1995.\n9 1995 Kluwer Academic Publishers.",
            1995,
        ),
        # JSTOR's old cover: a month range and the pages after the year; its stamp of the day it was made is no year.
        (
            "Community Structure\nNelson G. Hairston; Frederick E. Smith\n"
            "The American Naturalist, Vol. 94, No. 879. (Nov. - Dec., 1960), pp. 421-425.\nStable URL:\nhttp://www.jstor.org\n"
            "Thu Feb 8 11:25:02 2007",
            1960,
        ),
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "http://www.jstor.org\nThu Feb 8 11:25:02 2007", None),
        # A note saying where the paper appeared, over three footnote lines in a font whose words pypdf splits.
        (
            "A Title\nJane Roe\n"
            + "Body.\n" * 12
            + "App ears in Pro ceedings of the F ourteen th Confer-\nence on Uncertain t y in Artificial In telligence, Madison, WI,\n"
            + "July ,1998. Morgan Kaufmann Publisher.\n1 In tro duction\n"
            + "Body.\n" * 12,
            1998,
        ),
    ],
)
def test_glued_signs_fee_lines_old_covers_and_broken_notes_give_the_year(page, year):
    assert from_first_page(page).year == year


def test_a_doi_drops_the_fee_line_glued_to_it_and_pnas_named_slashes_are_read():
    assert (
        from_first_page("A Title\nDigital Object Identifier no. 10.1109/TVCG.2012.295.1077-2626/13/$31.00").doi == "10.1109/TVCG.2012.295"
    )
    footer = "www.pnas.org/H20862cgi/H20862doi/H2086210.1073/H20862pnas.1635156100 PNAS /H20841 October 14, 2003"
    assert decode_named_glyphs(footer).startswith("www.pnas.org/cgi/doi/10.1073/pnas.1635156100 PNAS | October")


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Yan He, Graduate Student Member, IEEE, Dai Li, and Kaiyuan Yang, Member, IEEE", ["Yan He", "Dai Li", "Kaiyuan Yang"]),
        # Degrees with the last name's marker, a byline's full stop, a scan's quotes for raised digits.
        (
            "Janet M. Allen, R.N.,1 David B. Dunger, M.D.,2 and Roman Hovorka, Ph.D.1",
            ["Janet M. Allen", "David B. Dunger", "Roman Hovorka"],
        ),
        ("BY E. GORTER, M.D., AND F. GRENDEL.", ["E. Gorter", "F. Grendel"]),
        ("MARC LIPSITCH\",3 STEVEN SILLER,2 AND MARTIN A. NOWAK'", ["Marc Lipsitch", "Steven Siller", "Martin A. Nowak"]),
        ("DANIEL ASIMOV?", ["Daniel Asimov"]),
        # A person known by one name closes a long list of full names; an accented surname run onto its given name.
        (
            "Pema Chodon, Devi Maya Adhikari, Gopal Chandra Nepal, Rajen Biswa, Sangay Gyeltshen, Chencho",
            ["Pema Chodon", "Devi Maya Adhikari", "Gopal Chandra Nepal", "Rajen Biswa", "Sangay Gyeltshen", "Chencho"],
        ),
        ("Jane Roe, John Smith, Stanford", []),
        (
            "Stephen DiVerdi, Member, IEEE, Radom\u00edrM\u011bch, Member, IEEE, and Daichi Ito",
            ["Stephen DiVerdi", "Radom\u00edr M\u011bch", "Daichi Ito"],
        ),
    ],
)
def test_grades_degrees_scan_marks_and_mononyms_in_name_lines(line, names):
    assert from_first_page(f"A Study of Heat Flow in Rocks\n{line}\nAbstract\n" + "Body text here.\n" * 12).authors == names


def test_pnas_affiliations_run_on_one_line_give_every_letter_marker():
    page = (
        "Sequential megafaunal collapse in the North Pacific\n"
        "A. M. Springera,b, J. A. Estesc, G. B. van Vlietd, and B. Pfisterg\n"
        "aInstitute of Marine Science, University of Alaska, Fairbanks, AK 99775; cUnited States Geological Survey, Santa Cruz;\n"
        "dP.O. Box 210442, Auke Bay, AK 99821; and gNational Marine Fisheries Service, Seattle, WA\n" + "Body text here.\n" * 12
    )
    assert from_first_page(page).authors == ["A. M. Springer", "J. A. Estes", "G. B. van Vliet", "B. Pfister"]


def test_blocks_ending_in_an_email_name_only_their_first_lines():
    lines = [
        LayoutLine("Geo-social Clustering of Places from Check-in Data", 22, "T-R", 686),
        # A title's note mark set apart before the first block.
        LayoutLine("\u2217", 9, "CMSY9", 696),
        LayoutLine("Shivam Srivastava*", 9.5, "T-R", 656),
        LayoutLine("Samsung Research", 9.5, "T-R", 645),
        LayoutLine("Bagmane Constellation Business Park", 9.5, "T-R", 633),
        LayoutLine("shivam@example.com", 9.5, "T-R", 610),
        LayoutLine("Shiladitya Pande", 9.5, "T-R", 656),
        LayoutLine("Dept. of CSE", 9.5, "T-R", 645),
        LayoutLine("IIT Madras", 9.5, "T-R", 633),
        LayoutLine("spande@example.com", 9.5, "T-R", 610),
        LayoutLine("Abstract", 9, "T-B", 560),
        *[LayoutLine("Body text of the paper goes on here at length.", 9, "T-R", 550 - 10 * n) for n in range(10)],
    ]
    assert _read_layout(lines).authors == ["Shivam Srivastava", "Shiladitya Pande"]


def test_a_second_name_with_its_email_in_another_type_is_read():
    lines = [
        LayoutLine("Evolving Neural Networks through Augmenting Topologies", 17, "P-Bold", 660),
        LayoutLine("Kenneth O. Stanley kstanley@cs.example.edu", 10, "P-Roman", 588),
        LayoutLine("Department of Computer Sciences, The University of Texas at Austin", 10, "P-Roman", 576),
        LayoutLine("Risto Miikkulainen risto@cs.example.edu", 11, "P-Bold", 547),
        LayoutLine("Department of Computer Sciences, The University of Texas at Austin", 10, "P-Roman", 535),
        LayoutLine("Abstract", 9, "P-Bold", 475),
        *[LayoutLine("Body text of the paper goes on here at length.", 9, "P-Roman", 465 - 10 * n) for n in range(10)],
    ]
    assert _read_layout(lines).authors == ["Kenneth O. Stanley", "Risto Miikkulainen"]


def test_a_submission_draft_and_an_inline_title_label_are_read_as_forms():
    draft = [
        "Information Sciences",
        "Training Feedforward Neural Networks with Bayesian Hyper-Heuristics",
        "--Manuscript Draft--",
        "Manuscript Number:",
        "Article Type: Full length article",
        "Corresponding Author: Ana Demo, MSc. Computer Science",
        "Order of Authors: Ana Demo, MSc. Computer Science",
        "Anna Bosman, PhD. Computer Science",
        "Abstract: The process of training feedforward neural networks can benefit from an",
    ]
    assert labelled_front_matter(draft) == (
        "Training Feedforward Neural Networks with Bayesian Hyper-Heuristics",
        ["Ana Demo", "Anna Bosman"],
    )
    page = (
        "Title: Variation in leaf transcriptome responses to elevated ozone corresponds with physiological\n"
        "sensitivity to ozone across maize inbred lines\n"
        "Adalena V. Nanni1,4, Alison M. Morse1,4, Lauren M McIntyre*1,4\n"
        "1Department of Molecular Genetics and Microbiology, University of Florida\n" + "Body text here.\n" * 12
    )
    metadata = from_first_page(page)
    assert metadata.title.startswith("Variation in leaf") and metadata.title.endswith("maize inbred lines")
    assert metadata.authors == ["Adalena V. Nanni", "Alison M. Morse", "Lauren M McIntyre"]


def test_a_name_in_info_with_an_undotted_initial_is_turned_round():
    from papergym.core.ingest.metadata.names import split_author_string

    assert split_author_string("McIntyre, Lauren M") == ["Lauren M McIntyre"]
    assert split_author_string("Smith, John A, Doe, Jane B") == ["John A Smith", "Jane B Doe"]
    assert split_author_string("Ana Demo, Bo Kim") == ["Ana Demo", "Bo Kim"]


def test_a_capitals_title_broken_at_a_hyphen_goes_on_past_its_full_stop():
    page = (
        "ON BIMOLECULAR LAYERS OF LIPOIDS ON THE CHROMO-\nCYTES OF THE BLOOD.\nBY E. GORTER, M.D., AND F. GRENDEL.\n" + "Body text.\n" * 12
    )
    assert from_first_page(page).title == "ON BIMOLECULAR LAYERS OF LIPOIDS ON THE CHROMO-CYTES OF THE BLOOD"


def test_a_publishers_short_sheet_before_the_paper_gives_way_to_page_two():
    sheet = [
        (16, "The MIT Press Journals"),
        (10, "http://mitpress.mit.edu/journals"),
        (10, "This article is provided courtesy of The MIT Press."),
    ]
    metadata = from_pdf(make_pdf(sheet, more_pages=[PAPER_FIRST_PAGE]))
    assert metadata.authors == ["Jodie L. Rummer", "David J. McKenzie", "Colin J. Brauner"]
    assert metadata.sources["authors"] == "page-2"


@pytest.mark.parametrize(
    ("page", "year"),
    [
        # Words run together: "4August1972,Volume177,Number4047".
        ("4August1972,Volume177,Number4047\nMoreIsDifferent\n" + "Body text.\n" * 12, 1972),
        (
            "Design Principles\nDaniel Ingalls\n"
            + "x\n" * 5
            + "BYTE Magazine, August 1981. Reproduced with permission.\n"
            + "Body.\n" * 12,
            1981,
        ),
        # A venue's block at the foot, and a month and year alone on the last line; not a sentence that ends in one.
        (
            "A Title\nJane Roe\n"
            + "Body text.\n" * 12
            + "Second Language Studies\nTokyo, Japan\nSeptember 22--24, 2010\nISCA Archive\nhttp://www.isca.org",
            2010,
        ),
        ("A Title\nJane Roe\n" + "Body text.\n" * 12 + "more\nFebruary 2019", 2019),
        ("A Title\nJane Roe\n" + "Body text.\n" * 12 + "the sampling campaign\nthat ended in March 2001.", None),
        # A manuscript's history is the least year of its issue: a later issue line wins.
        ("A Title\nJane Roe\nReceived 12 May 2019\n" + "Body text.\n" * 12 + "Journal of Heat, Vol. 12, No. 3, pp. 1-9, 2020\nx\ny", 2020),
    ],
)
def test_glued_banners_venue_blocks_footer_dates_and_issue_lines_give_the_year(page, year):
    assert from_first_page(page).year == year


def test_a_year_only_in_the_running_head_of_page_two_is_read():
    page_two = [(8, "Journal of Demonstrative Physics 12 (2019) 101-110"), *BODY_LINES]
    metadata = from_pdf(make_pdf(PAPER_FIRST_PAGE, more_pages=[page_two]))
    assert (metadata.year, metadata.sources["year"]) == (2019, "page-2")
    # Page 2's body may cite other work: only its running head and foot are read.
    cited = [(10, "Body text that cites earlier work (Smith 2011) and goes on here."), *BODY_LINES]
    assert from_pdf(make_pdf(PAPER_FIRST_PAGE, more_pages=[cited])).year is None


def test_the_one_person_the_pdf_names_goes_first_when_the_page_missed_them():
    lines = [
        (20, "Accelerated spin dynamics using deep learning"),
        (10, "Wooseop Kwak, Hwee Kuan Lee"),
        (10, "Correspondence: Department of Physics, Seoul National University; contact S. Park."),
        *BODY_LINES,
    ]
    metadata = from_pdf(make_pdf(lines, info={"/Author": "Sojeong Park"}))
    assert metadata.authors == ["Sojeong Park", "Wooseop Kwak", "Hwee Kuan Lee"]
    # A person the page does not print, or one it lists already, changes nothing.
    assert from_pdf(make_pdf(lines, info={"/Author": "Ana Nowhere"})).authors == ["Wooseop Kwak", "Hwee Kuan Lee"]
    assert from_pdf(make_pdf(lines, info={"/Author": "Hwee Kuan Lee"})).authors == ["Wooseop Kwak", "Hwee Kuan Lee"]


def test_a_citation_listing_several_names_before_et_al_gives_them_all():
    from papergym.core.ingest.metadata.citation import citation_authors

    cited = citation_authors("Citation: Mugurungi O, Mbunge E, Birri-Makota R, Moyo B, et al. (2024) Predicting infections.")
    assert cited == ["O. Mugurungi", "E. Mbunge", "R. Birri-Makota", "B. Moyo"]
    assert citation_authors("How to cite this article: Park, S. et al. A title. Nature 1, 2 (2020).") == ["S. Park"]


def test_a_scans_title_over_two_wobbling_sizes_and_a_college_in_the_names():
    lines = [
        LayoutLine("SIAM J. SCI. STAT. COMPUT.", 6.5, "Courier", 671),
        LayoutLine("THE GRAND TOUR:", 12, "Courier", 633),
        LayoutLine("A TOOL FOR VIEWING MULTIDIMENSIONAL DATA*", 12.5, "Courier", 621),
        LayoutLine("DANIEL ASIMOV?", 9, "Courier", 603),
        *[LayoutLine("Body text of the paper goes on here at length.", 7, "Courier", 580 - 10 * n) for n in range(8)],
        LayoutLine("A simple answer to this question is to project the data orthogonally onto some", 12.5, "Courier", 336),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == ("THE GRAND TOUR: A TOOL FOR VIEWING MULTIDIMENSIONAL DATA", ["Daniel Asimov"])
    from papergym.core.ingest.metadata.authors import is_name

    assert not is_name("Royal Holloway")


@pytest.mark.parametrize(
    ("page", "year"),
    [
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "\u00a9 Springer Nature Switzerland AG 2019\nx\ny", 2019),
        # ACM's fee line with the month, a scan's text layer spacing the ISBN.
        ("A Title\nJane Roe\n" + "Body.\n" * 12 + "IQ 1996 ACM 0-89791 -794-4/96/0006 ...$3.50\nx\ny", 1996),
    ],
)
def test_a_copyright_holder_before_the_year_and_acms_fee_line_give_the_year(page, year):
    assert from_first_page(page).year == year


def test_a_spaced_out_masthead_and_a_title_line_ending_in_for_are_read():
    lines = [
        LayoutLine("Computerized Medical Imaging and Graphics 39 (2015) 35\u201345", 6.5, "G-R", 798),
        LayoutLine("Contents lists available at ScienceDirect", 8, "U", 771),
        LayoutLine("Computerized Medical Imaging and Graphics", 14, "G-A", 742),
        LayoutLine("j ourna l h om epa ge : www.elsevier.com/locate/compmedimag", 8, "U", 715),
        LayoutLine("Multimodal medical information retrieval with unsupervised", 13.5, "G-R", 663),
        LayoutLine("rank fusion", 13.5, "G-R", 646),
        LayoutLine("Andr\u00e9 Mour\u00e3o\u2217, Fl\u00e1vio Martins, Jo\u00e3o Magalh\u00e3es", 10.5, "G-R", 623),
        *[LayoutLine("Body text of the paper goes on here at length.", 9, "G-R", 600 - 10 * n) for n in range(8)],
    ]
    assert _read_layout(lines).title == "Multimodal medical information retrieval with unsupervised rank fusion"
    lines = [
        LayoutLine("An Introduction to Multilevel Monte Carlo for", 20.5, "CMR17", 653),
        LayoutLine("Option Valuation\u2217", 20.5, "CMR17", 628),
        LayoutLine("Desmond J. Higham\u2020", 14.5, "CMR12", 592),
        *[LayoutLine("Body text of the paper goes on here at length.", 11, "CMR10", 560 - 12 * n) for n in range(8)],
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == ("An Introduction to Multilevel Monte Carlo for Option Valuation", ["Desmond J. Higham"])


def test_a_long_name_heading_its_own_email_block_is_one_person():
    lines = [
        LayoutLine("A Mood-based Genre Classification of Television Content", 18, "S-Bold", 757),
        LayoutLine("Humberto Jes\u00fas Corona Pamp\u00edn", 12, "S-Regu", 715),
        LayoutLine("Insight Centre for Data Analytics", 10, "S-Regu", 705),
        LayoutLine("humberto.corona@example.org", 12, "S-Regu", 682),
        LayoutLine("Michael P. O\u2019Mahony", 12, "S-Regu", 715),
        LayoutLine("Insight Centre for Data Analytics", 10, "S-Regu", 705),
        LayoutLine("michael.omahony@example.org", 12, "S-Regu", 682),
        LayoutLine("ABSTRACT", 12, "R-Medi", 626),
        *[LayoutLine("Body text of the paper goes on here at length.", 10, "R-Regu", 600 - 12 * n) for n in range(8)],
    ]
    assert _read_layout(lines).authors == ["Humberto Jes\u00fas Corona Pamp\u00edn", "Michael P. O\u2019Mahony"]


def test_a_drop_cap_does_not_lift_the_body_to_the_titles_size():
    lines = [
        LayoutLine("Disk-Based Storage for Scalable Video", 24, "T-R", 700),
        LayoutLine("Ed Chang and Avideh Zakhor", 11, "T-R", 670),
        *[LayoutLine("Abstract text of the paper goes on here at some length.", 9, "T-B", 640 - 10 * n) for n in range(6)],
        # The drop cap comes after the paragraph's first line in reading order, inside the body's stretch.
        LayoutLine("N this paper, we consider storage", 10, "T-R", 400),
        LayoutLine("I", 30, "T-R", 390),
        LayoutLine("and retrieval of scalable video", 10, "T-R", 388),
    ]
    metadata = _read_layout(lines)
    assert (metadata.title, metadata.authors) == ("Disk-Based Storage for Scalable Video", ["Ed Chang", "Avideh Zakhor"])


def test_what_the_review_of_this_sessions_rules_leaves_alone():
    import time

    body = "Body text.\n" * 12
    # A line of many e-mail addresses before other words is read at once.
    emails = ",".join(f"a{n}@cs.example.edu" for n in range(16)) + " 1University"
    started = time.monotonic()
    assert from_first_page(f"A Title About Heat\nJane Roe\n{emails}\nAbstract\n{body}").authors == ["Jane Roe"]
    assert time.monotonic() - started < 1.0
    # A word after "; and" is no affiliation letter when no lettered address came before it.
    page = f"A Title About Heat\nJane Roe, Mike Moore\nSchool of Education, University of Leeds; and eLearning Unit\nAbstract\n{body}"
    assert from_first_page(page).authors == ["Jane Roe", "Mike Moore"]
    # No year from a footnote citing other work, prose saying "presented in", a postcode, or a word opening like a month.
    assert from_first_page("A Title\nJane\n" + body + "1 Gorter, J. Exp. Med. 41:439-443, 1925.\n" + body).year is None
    assert from_first_page("A Title\nJane\nThe method presented in this paper extends Smith and Jones\n(2015) here.\n" + body).year is None
    assert from_first_page("A Title\nJane\nReceived 3 May 2004\nUniversity of Sydney, NSW 2006\n" + body).year == 2004
    assert from_first_page("A Title\nJane\n" + body + "more\nNovel 2019").year is None
    # A scan's title over three lines, its size wobbling after the colon.
    lines = [
        LayoutLine("THE GRAND TOUR:", 12, "C", 633),
        LayoutLine("A TOOL FOR VIEWING", 12.5, "C", 621),
        LayoutLine("MULTIDIMENSIONAL DATA", 12.5, "C", 609),
        LayoutLine("DANIEL ASIMOV", 9, "C", 590),
        *[LayoutLine("Body text of the paper goes on here at length.", 7, "C", 570 - 10 * n) for n in range(8)],
    ]
    assert _read_layout(lines).title == "THE GRAND TOUR: A TOOL FOR VIEWING MULTIDIMENSIONAL DATA"


def test_a_block_without_its_email_keeps_its_name_in_the_row_of_names():
    lines = [
        LayoutLine("A Study of Heat Flow in Granite", 20, "T-B", 700),
        LayoutLine("Alice Adams", 11, "T-R", 660),
        LayoutLine("Demo University", 10, "T-R", 648),
        LayoutLine("alice@example.edu", 10, "T-R", 636),
        LayoutLine("Bob Brown", 11, "T-R", 660),
        LayoutLine("Demo University", 10, "T-R", 648),
        LayoutLine("Carol Clark", 11, "T-R", 660),
        LayoutLine("Demo Institute", 10, "T-R", 648),
        LayoutLine("carol@example.edu", 10, "T-R", 636),
        LayoutLine("Abstract", 10, "T-B", 600),
        *[LayoutLine("Body text of the paper goes on here at length.", 10, "T-R", 590 - 12 * n) for n in range(8)],
    ]
    assert _read_layout(lines).authors == ["Alice Adams", "Bob Brown", "Carol Clark"]


def test_a_surname_inside_a_word_of_the_page_does_not_put_infos_person_first():
    lines = [
        (20, "Accelerated spin dynamics using deep learning"),
        (10, "Wooseop Kwak, Hwee Kuan Lee"),
        (10, "We are making progress."),
        *BODY_LINES,
    ]
    assert from_pdf(make_pdf(lines, info={"/Author": "Stephen King"})).authors == ["Wooseop Kwak", "Hwee Kuan Lee"]


def test_page_twos_body_and_reference_list_give_no_year_and_a_scan_stamp_makes_no_file_date_count():
    citing = [
        (10, "Demo Letters"),
        (10, "the model of Smith (2011) and Jones (2012) for heat flow"),
        *BODY_LINES,
        (10, "[12] A. Ref, Vol. 3, 2011"),
    ]
    assert from_pdf(make_pdf(PAPER_FIRST_PAGE, more_pages=[citing])).year is None
    stamped = [*PAPER_FIRST_PAGE, (8, "http://www.jstor.org"), (8, "Thu Feb 8 11:25:02 2007")]
    assert from_pdf(make_pdf(stamped, info={"/CreationDate": "D:20070208112504"})).year is None


def test_a_repository_cover_drawn_twice_over_gives_its_title_once_and_the_year_of_its_quoted_citation():
    # bepress DigitalCommons's cover draws each line twice and dates the paper only in the citation it prints.
    cover = [
        (11, "University of Demo - Lakemont University of Demo - Lakemont"),
        (11, "DigitalCommons@University of Demo DigitalCommons@University of Demo"),
        (20, "Patterns of Coyote Conflicts in a Demo Patterns of Coyote Conflicts in a Demo"),
        (20, "Area Area"),
        (11, "Jane Q. Roe"),
        (9, "Lakemont University, jroe@demo.edu"),
        (9, "Follow this and additional works at: https://digitalcommons.demo.edu/staff"),
        (9, 'Roe, Jane Q., "Patterns of Coyote Conflicts in a Demo Area" (2013). Staff Publications. 1183.'),
    ]
    metadata = from_pdf(make_pdf(cover))
    assert metadata.title == "Patterns of Coyote Conflicts in a Demo Area"
    assert (metadata.year, metadata.sources["year"]) == (2013, "citation")


def test_a_quoted_year_counts_only_for_the_papers_own_title():
    from papergym.core.ingest.metadata.citation import quoted_title_year

    text = 'As "Patterns of Coyote Conflicts in a Demo Area" (2013) and "Another Paper on Other Matters" (2009) show'
    assert quoted_title_year(text, "Patterns of Coyote Conflicts in a Demo Area") == 2013
    assert quoted_title_year(text, "A Third Paper Quoted Nowhere at All") is None
    # A short title could be quoted for another reason.
    assert quoted_title_year('"Introduction" (2019)', "Introduction") is None


def test_one_line_said_twice_is_the_pages_own_text():
    # Only a page that doubles several lines draws its text twice over; one repeated line stays as printed.
    lines = [
        LayoutLine("Tell Me Tell Me", 20, "Bold", 700),
        LayoutLine("Jane Roe", 11, "Roman", 670),
        LayoutLine("Abstract. The body text of the paper is set in the body font size here.", 10, "Roman", 640),
        LayoutLine("More body text follows in the normal size of this demo page.", 10, "Roman", 628),
    ]
    assert _read_layout(lines).title == "Tell Me Tell Me"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        # Springer's middle dot glued onto the name before it.
        ("Emmanouil Benetos· Simon Dixon·", ["Emmanouil Benetos", "Simon Dixon"]),
        # AJPS: a name with an initial, then its affiliation without a comma.
        ("Andrew Q. Philips University of Colorado Boulder", ["Andrew Q. Philips"]),
        ("Allyson L. Benton Centro de Investigación y Docencia Económicas and City,", ["Allyson L. Benton"]),
        ("Cold Spring Harbor Laboratory", []),
        # NEJM's dotted degrees.
        (
            "Joshua T. Cohen, Ph.D., Peter J. Neumann, Sc.D., and Milton C. Weinstein, M.P.H.",
            ["Joshua T. Cohen", "Peter J. Neumann", "Milton C. Weinstein"],
        ),
    ],
)
def test_names_of_fresh_22_bylines(line, names):
    from papergym.core.ingest.metadata.authors import _names_on_line

    assert _names_on_line(line) == names


def test_a_data_deposits_doi_is_not_the_papers():
    from papergym.core.ingest.metadata.doi_year import find_doi

    page = "Verification Materials: ... Harvard Dataverse Network, at: https://doi.org/10.7910/DVN/8JHA2X.\n©2019, Midwest Political Science Association DOI: 10.1111/ajps.12491"
    assert find_doi(page) == "10.1111/ajps.12491"
    # A page that names only a deposit keeps it: there is nothing better.
    assert find_doi("Data: https://doi.org/10.5281/zenodo.1234567") == "10.5281/zenodo.1234567"
    # Nor is a grant's DOI in the funding note, or a funder's.
    page = (
        "This work was funded by FCT (https://doi.org/10.54499/2021.01032.CEECIND/\nCP1685/CT0002) and the NSF"
        " (10.13039/100000001).\neNeuro August 2024, 11(8). DOI: https://doi.org/10.1523/ENEURO.0053-24.2024. 1 of 12"
    )
    assert find_doi(page) == "10.1523/ENEURO.0053-24.2024"
    # A LaTeX template's placeholder is no DOI at all.
    assert find_doi("\u00a9 2016 ACM. ISBN 123-4567-24-567/08/06. DOI: 10.1145/1235\nAnalog Sorting") is None
    assert find_doi("DOI: http://dx.doi.org/10.475/123_4") is None


def test_cell_press_footer_dates_the_issue_over_the_copyright():
    text = "Descriptor\nSIMON: Open-Source Knowledge Discovery Platform\nTomic et al., 2021, Patterns 2, 100178\nJanuary 8, 2021 ª 2020 The Author(s).\nhttps://doi.org/10.1016/j.patter.2020.100178"
    assert from_first_page(text).year == 2021


def test_a_title_in_capitals_ends_at_its_footnote_star_before_the_names():
    lines = [
        LayoutLine("DOES HEAD START IMPROVE CHILDREN'S LIFE", 10, "Schoolbook", 591),
        LayoutLine("CHANCES? EVIDENCE FROM A REGRESSION", 10, "Schoolbook", 577),
        LayoutLine("DISCONTINUITY DESIGN*", 10, "Schoolbook", 563),
        LayoutLine("JENS LUDWIG AND DOUGLAS L. MILLER", 10, "Schoolbook", 543),
        LayoutLine("This paper exploits a new source of variation in Head Start funding to identify", 8, "Schoolbook", 517),
        LayoutLine("the program's effects on health and schooling. In 1965 the Office of Economic", 8, "Schoolbook", 507),
        LayoutLine("Opportunity provided technical assistance to the 300 poorest counties to", 8, "Schoolbook", 497),
    ]
    metadata = _read_layout(lines)
    assert metadata.title == "DOES HEAD START IMPROVE CHILDREN'S LIFE CHANCES? EVIDENCE FROM A REGRESSION DISCONTINUITY DESIGN"
    assert metadata.authors == ["Jens Ludwig", "Douglas L. Miller"]


@pytest.mark.parametrize(
    ("text", "year"),
    [
        # arXiv stamps the day of its version; a later year on the page is the day it was typeset again.
        (
            "arXiv:astro-ph/0606444v1  19 Jun 2006\nAstronomy & Astrophysics manuscript no. sb250506 c© ESO 2018\nOctober 1, 2018\nReceived May 26, 2006; accepted xxx",
            2006,
        ),
        # Taylor & Francis's older journal line outranks a copyright a year before it.
        ("VISUAL COGNITION, 2009, 17 (1/2), 141/C1159\nA Title\n# 2008 Psychology Press, an imprint of the Taylor & Francis Group", 2009),
        # PubMed Central's author manuscript: the deposit's year is no publication year; the citation has its month.
        (
            "NIH Public Access\nAuthor Manuscript\nEpidemiology. Author manuscript; available in PMC 2013 February 18.\nPublished in final edited form as:\nEpidemiology. 2010 January ; 21(1): 128–138. doi:10.1097/EDE.0b013e3181c30fb2.",
            2010,
        ),
    ],
)
def test_years_of_fresh_23_pages(text, year):
    assert from_first_page(text).year == year


def test_a_doi_printed_again_as_an_address_right_after_it_is_cut_off():
    from papergym.core.ingest.metadata.doi_year import find_doi

    assert (
        find_doi("Citation: ... 24(11):13, https://doi.org/10.1167/jov.24.11.13.https://doi.org/10.1167/jov.24.11.13")
        == "10.1167/jov.24.11.13"
    )


def test_names_of_fresh_23_bylines():
    from papergym.core.ingest.metadata.authors import _names_on_line

    assert _names_on_line("Qian Di, MS; Lingzhen Dai, ScD; Yun Wang, PhD") == ["Qian Di", "Lingzhen Dai", "Yun Wang"]
    assert _names_on_line("Massachusetts Computer Associates") == []


def test_info_names_turned_round_give_way_to_the_pages_order():
    from papergym.core.ingest.metadata.pdf import _same_names_turned_round

    printed = ["Charalambia Varnava", "Andreas Efstathiou"]
    assert _same_names_turned_round(["Varnava Charalambia", "Efstathiou Andreas"], printed)
    assert not _same_names_turned_round(printed, printed)
    assert not _same_names_turned_round(["Charalambia Varnava", "Andreas Efstathiou", "Jane Roe"], printed)


def test_names_of_fresh_24_bylines():
    from papergym.core.ingest.metadata.authors import _names_on_line
    from papergym.core.ingest.metadata.page import _join_accents

    # APS sets the diaeresis after its vowel; no consonant takes one.
    assert _names_on_line(_join_accents("W. Scha\u00a8fer1,* and A. Szczurek1,2,\u2020")) == ["W. Schäfer", "A. Szczurek"]
    assert _join_accents("M\u00a8uller and Noe\u00a8l") == "Müller and Noël"
    # A font without spaces glues the whole line, "and" too.
    assert _names_on_line("TorstenHothornandFriedrichLeisch") == ["Torsten Hothorn", "Friedrich Leisch"]
    # IOP's ORCID icon is a private glyph after the marker.
    assert _names_on_line("Renata Saha1\ue9d9, Kai Wu1\ue9d9 and Jian-Ping Wang1\ue9d9") == ["Renata Saha", "Kai Wu", "Jian-Ping Wang"]


def test_a_glyph_code_glued_onto_a_doi_is_cut_off():
    from papergym.core.ingest.metadata.doi_year import find_doi

    assert find_doi("THE JOURNAL OF CHEMICAL PHYSICS 131, 114304 /H208492009/H20850 doi: 10.1063/1.3218847/H20852") == "10.1063/1.3218847"


def test_a_scans_run_together_banner_dates_the_issue_over_the_day_it_was_communicated():
    text = "Proc.NatLAcad.Sci.USAVol.79,pp.1129-1133,February1982Biophysics\nQuantitativemodelforgeneregulation\nCommunicatedbyMarkPtashne,November6,1981"
    assert from_first_page(text).year == 1982


def test_a_numbered_star_is_read_in_a_line_when_the_page_shows_the_numbering_elsewhere():
    # Elsevier's AdvTimes names the corresponding author's star "/C3"; the footnote "/C3Corresponding author" shows it.
    line = "Rolf Wu\u00a8stenhagena,/C3, Maarten Wolsinkb, Mary Jean Bu\u00a8rera"
    assert decode_named_glyphs(line) == line  # alone, "/C3" could be chemistry
    assert decode_named_glyphs(line, signs_named=True) == "Rolf Wu\u00a8stenhagena,\u2217, Maarten Wolsinkb, Mary Jean Bu\u00a8rera"
    assert decode_named_glyphs(line + "\n/C3Corresponding author. Tel.").endswith("\u2217Corresponding author. Tel.")


def test_a_footnote_mark_after_a_doi_is_no_part_of_it():
    from papergym.core.ingest.metadata.doi_year import find_doi

    assert find_doi("CHAOS 12, 584 (2002) DOI: 10.1063/1.1494875# Received") == "10.1063/1.1494875"


def test_an_author_block_set_apart_starts_at_its_first_line_of_names():
    from papergym.core.ingest.metadata.authors import find_author_block

    lines = [
        LayoutLine("The MSP is a small wearable device designed for embedded activity recognition.", 10.5, "Sans", 501),
        LayoutLine("Tanzeem Choudhury,", 10, "Sabon-Bold", 296),
        LayoutLine("Sunny Consolvo, Beverly Harrison,", 10, "Sabon-Bold", 283),
        LayoutLine("Jeffrey Hightower,", 10, "Sabon-Bold", 271),
        LayoutLine("Ali Rahimi, and Adam Rea", 10, "Sabon-Bold", 246),
        LayoutLine("Intel Research", 10, "Sabon-Italic", 233),
    ]
    assert find_author_block(lines) == [
        "Tanzeem Choudhury",
        "Sunny Consolvo",
        "Beverly Harrison",
        "Jeffrey Hightower",
        "Ali Rahimi",
        "Adam Rea",
    ]


def test_names_with_combining_accents_are_read_as_names():
    # ACS's PDFs spell "Pérez" as "e" and a combining acute; the title in large type stops before the names.
    lines = [
        LayoutLine("Predicting Isoform-Selective Carbonic Anhydrase Inhibitors via", 17, "AdvOT-Bold", 686),
        LayoutLine("Machine Learning and Rationalizing Structural Features Important", 17, "AdvOT-Bold", 668),
        LayoutLine("for Selectivity", 17, "AdvOT-Bold", 650),
        LayoutLine("Salvatore Galati, Raquel Rodri\u0301guez-Pe\u0301rez, Martin Vogt, Tiziano Tuccinardi,*", 13, "AdvOT-Regular", 630),
        LayoutLine("and Ju\u0308rgen Bajorath*", 13, "AdvOT-Regular", 616),
        LayoutLine("Cite This: ACS Omega 2021, 6, 4080\u22124089", 8.5, "AdvOT-Regular", 581),
        *(
            LayoutLine("Carbonic anhydrases catalyze the physiological hydration of carbon dioxide.", 10, "AdvOT", 520 - 11 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(lines)
    assert (
        metadata.title
        == "Predicting Isoform-Selective Carbonic Anhydrase Inhibitors via Machine Learning and Rationalizing Structural Features Important for Selectivity"
    )
    assert metadata.authors == [
        "Salvatore Galati",
        "Raquel Rodr\u00edguez-P\u00e9rez",
        "Martin Vogt",
        "Tiziano Tuccinardi",
        "J\u00fcrgen Bajorath",
    ]


def test_a_journals_line_of_volume_year_and_pages_dates_the_paper_and_is_no_title():
    page = (
        "No part may be reproduced by any process without written permission from the author(s)\n"
        "Nordic Hydrology 3, 1972, 107-109\nPREDICTION OF THE DIMENSIONLESS UNIT HYDROGRAPH\nJOHN H. LIENHARD\n"
        "University of Kentucky, Lexington\nAbstract\n" + "The body of the paper goes on here.\n" * 12
    )
    metadata = from_first_page(page)
    assert metadata.title == "PREDICTION OF THE DIMENSIONLESS UNIT HYDROGRAPH"
    assert metadata.year == 1972


@pytest.mark.parametrize(
    ("line", "year"),
    [
        ("J. Fluid Mech. 12, 1962, 1-10", 1962),
        ("Acta Math. 54 (2) 1972: 1-30", 1972),
        ("Boundary Layer Meteorol. 74, 113-130, 1995.", 1995),
    ],
)
def test_journal_lines_of_volume_pages_and_year_in_any_order_give_the_year(line, year):
    from papergym.core.ingest.metadata.doi_year import find_year

    assert find_year(f"{line}\nA Title of a Paper\nBody text of the paper.") == year


def test_a_journals_issue_line_without_an_issue_number_outranks_the_day_the_article_went_online():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "Same-different conceptualization: a machine vision perspective\nMatthew Ricci, Thomas Serre\n"
        "Current Opinion in Behavioral Sciences 2021, 37:47\u201355\nThis review comes from a themed issue\n"
        "Available online 1st October 2020\nhttps://doi.org/10.1016/j.cobeha.2020.08.008\n" + "Body text of the paper.\n" * 8
    )
    assert find_year(page, "10.1016/j.cobeha.2020.08.008") == 2021


def test_the_aeas_older_header_with_the_issue_after_a_colon_dates_the_paper():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "1145\nAmerican Economic Review 2009, 99:4, 1145\u20131177\nhttp://www.aeaweb.org/articles.php?doi=10.1257/aer.99.4.1145\n"
        "A central assumption is that agents optimize; Frank P. Ramsey\u2019s (1927) analysis assumes it.\n"
        + "Body text of the paper.\n"
        * 8
    )
    assert find_year(page, "10.1257/aer.99.4.1145") == 2009


def test_a_work_a_title_line_names_by_its_authors_does_not_date_the_page():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "Closed-Form Richardson-Number Stability Functions\nDepartment of Atmospheric & Earth Science\n"
        "Revising and Extending England & McNider (1995)\nAugust 20, 2026\nAbstract\n" + "Body text of the paper.\n" * 8
    )
    assert find_year(page) == 2026
    # A journal's name with "and" in its banner, the volume after the year, is no cited work.
    page = (
        "Statistics and Computing (2023) 33:17\nA Gaussian process regression primer\nReceived: 14 September 2020 / "
        "Accepted: 7 October 2022 / Published online: 14 December 2022\n\u00a9 The Author(s) 2022\n" + "Body text of the paper.\n" * 8
    )
    assert find_year(page) == 2023


def test_affiliation_letters_run_on_after_commas_come_off_the_names():
    page = (
        "Sound-induced flash illusion as an optimal percept\nLadan Shamsa,b, Wei Ji Mab and Ulrik Beierholmc\n"
        "aDepartment of Psychology, University of California, Los Angeles, bDivision of Biology and cComputation and Neural"
        " Systems, California Institute of Technology, Pasadena, USA\nAbstract\n" + "The body of the paper.\n" * 12
    )
    assert from_first_page(page).authors == ["Ladan Shams", "Wei Ji Ma", "Ulrik Beierholm"]


@pytest.mark.parametrize(
    "piece",
    [
        "NUCLEAR FEATURE EXTRACTION",
        "For Breast",
        "Of Mice",
        "And Men",
        "Applied Mathematics Computational",
        "Quantum Electrodynamics",
        "Complexity Indices",
        "Feature Article",
    ],
)
def test_a_titles_words_in_capitals_or_after_a_function_word_are_no_name(piece):
    from papergym.core.ingest.metadata.authors import is_name

    assert not is_name(piece)


@pytest.mark.parametrize("piece", ["Forrest Gump", "Theodore Kypraios", "WITHERS JONES", "Andrea Ganna"])
def test_names_that_begin_like_function_words_stay_names(piece):
    from papergym.core.ingest.metadata.authors import is_name

    assert is_name(piece)


def test_a_line_that_opens_with_initials_ends_a_title_in_capitals():
    page = (
        "STATISTICAL INFERENCE ABOUT MARKOV CHAINS\nT. W. ANDERSON AND LEO A. GOoODMAN!\n"
        "Columbia University and University of Chicago\nSummary. Maximum likelihood estimates and their asymptotic distribution\n"
        "are obtained for the transition probabilities in a Markov chain of arbitrary order.\n"
    )
    assert from_first_page(page).title == "STATISTICAL INFERENCE ABOUT MARKOV CHAINS"
    # A place abbreviated with stops, or a part's number, goes on with the title.
    assert from_first_page("THE EFFECT OF\nU.S. MONETARY POLICY ON TRADE\nJane Roe\nAbstract\nBody.").title == (
        "THE EFFECT OF U.S. MONETARY POLICY ON TRADE"
    )
    assert from_first_page("MULTIDIMENSIONAL SCALING:\nI. THEORY AND METHOD\nJane Roe\nAbstract\nBody.").title == (
        "MULTIDIMENSIONAL SCALING: I. THEORY AND METHOD"
    )


def test_a_titles_line_with_a_lower_case_word_is_no_name_split_at_a_kerning_pair():
    from papergym.core.ingest.metadata.authors import _names_on_line

    assert _names_on_line("Complexity Indices using NeuroKit2") == []
    assert _names_on_line("Craig Chamb ers") == ["Craig Chambers"]


def test_the_metadata_benchmark_scores_no_first_author_for_a_paper_that_names_none():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_metadata", Path(__file__).resolve().parents[2] / "bench" / "metadata.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    truth = {"title": "Replication Study 07", "authors": [], "year": 2026, "doi": None, "abstract_start": None}
    scores = bench.score({"title": "Replication Study 07", "authors": []}, truth)
    assert (scores["first_author"], scores["authors"]) == (None, True)
    scores = bench.score({"title": "Replication Study 07", "authors": ["Jane Roe"]}, truth)
    assert (scores["first_author"], scores["authors"]) == (None, False)
    truth = {**truth, "authors": ["Jane Roe", "John Smith"]}
    assert bench.score({"authors": ["J. Roe"]}, truth)["first_author"] is True
    assert bench.score({"authors": []}, truth)["first_author"] is False


def test_a_replys_title_may_end_on_the_year_of_the_work_it_answers():
    layout = [
        LayoutLine("Putting Short-Term Memory Into Context: Reply to Usher, Davelaar,", 16, "Times-Roman", 700),
        LayoutLine("Haarmann, and Goshen-Gottstein (2008)", 16, "Times-Roman", 682),
        LayoutLine("Michael J. Kahana", 11, "Times-Roman", 648),
        LayoutLine("University of Pennsylvania", 9, "Times-Roman", 639),
        *(
            LayoutLine("The temporal context model posits that search through memory is driven by context.", 8, "Times-Roman", 576 - 10 * n)
            for n in range(10)
        ),
    ]
    metadata = _read_layout(layout)
    assert metadata.title == "Putting Short-Term Memory Into Context: Reply to Usher, Davelaar, Haarmann, and Goshen-Gottstein (2008)"
    assert metadata.authors == ["Michael J. Kahana"]
    # So does a replication's, naming the replicated work's authors "et al.".
    layout = [
        LayoutLine("Final Report_Replication of Study 2 by James", 20.5, "LMSans10-Bold", 662),
        LayoutLine("et al. (2021, JEP:LMC)", 20.5, "LMSans10-Bold", 637),
        LayoutLine("Madison Paron (mparon@stanford.edu)", 14.5, "LMRoman12-Regular", 603),
        LayoutLine("2025-12-13", 14.5, "LMRoman12-Regular", 574),
        LayoutLine("Table of contents", 14.5, "LMSans10-Bold", 516),
        *(
            LayoutLine(f"1.{n} A section of the report . . . . . . . . . . . . {n + 2}", 11, "LMRoman10-Regular", 471 - 14 * n)
            for n in range(10)
        ),
    ]
    assert _read_layout(layout).title == "Final Report_Replication of Study 2 by James et al. (2021, JEP:LMC)"


def test_a_places_name_in_brackets_ends_a_title_no_axis_label():
    # The page's reading order puts the first column's text before its header and title block.
    layout = [
        LayoutLine("Introduction", 9.5, "TimesNewRomanPS-Bold", 395),
        *(
            LayoutLine("It is usually assumed that the processes that drive community assembly vary.", 9, "TimesNewRomanPSMT", 374 - 11 * n)
            for n in range(30)
        ),
        LayoutLine("COMMUNITY ECOLOGY 13(1): 97-101, 2012", 8, "TimesNewRomanPSMT", 798),
        LayoutLine("The effects of habitat filtering on the phylogenetic structure of the", 15, "TimesNewRomanPS-Bold", 735),
        LayoutLine("urban flora of Brussels (Belgium)", 15, "TimesNewRomanPS-Bold", 721),
        LayoutLine("C. Ricotta|,|, D. Heathfield|, S. Godefroid|,|,| and S. Mazzoleni|", 13, "TimesNewRomanPSMT", 690),
        LayoutLine("1Dept. of Environmental Biology, University of Rome, Rome, Italy", 9.5, "TimesNewRomanPS-Italic", 665),
    ]
    metadata = _read_layout(layout)
    assert metadata.title == "The effects of habitat filtering on the phylogenetic structure of the urban flora of Brussels (Belgium)"
    assert metadata.authors == ["C. Ricotta", "D. Heathfield", "S. Godefroid", "S. Mazzoleni"]


def test_a_drafts_date_and_a_supplements_heading_are_no_part_of_the_title():
    layout = [
        LayoutLine("Static analysis of dynamic scripting languages", 18, "Times-Bold", 751),
        LayoutLine("Draft: Monday 17th August, 2009 at 10:29", 14, "Times-Roman", 727),
        LayoutLine("Paul Biggar", 11, "Times-Roman", 711),
        LayoutLine("Trinity College Dublin", 9, "Times-Roman", 696),
        LayoutLine("Abstract", 11, "Times-Bold", 626),
        *(
            LayoutLine("Scripting languages, such as PHP, are among the most widely used languages.", 9, "Times-Roman", 612 - 10 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).title == "Static analysis of dynamic scripting languages"
    layout = [
        LayoutLine("Supplementary Materials for", 18, "TimesNewRomanPSMT", 631),
        LayoutLine("Nested epistasis enhancer networks for robust genome regulation", 14, "TimesNewRomanPS-Bold", 593),
        LayoutLine("Xueqiu Lin et al.", 12, "TimesNewRomanPSMT", 562),
        LayoutLine("Corresponding author: Lei S. Qi, stanley.qi@stanford.edu", 10, "TimesNewRomanPSMT", 534),
        *(
            LayoutLine("Materials and Methods, Supplementary Text and Figs. S1 to S17 follow.", 12, "TimesNewRomanPSMT", 475 - 14 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).title == "Nested epistasis enhancer networks for robust genome regulation"


def test_a_name_with_its_place_after_a_full_stop_and_tex_accent_codes():
    from papergym.core.ingest.clean import normalize_ligatures

    # Computer Modern without a Unicode map gives OT1's codes: the acute before its letter, the dotless i, "ffi".
    assert normalize_ligatures("P\x13erez, Medell\x13\x10n, di\x0ecult") == "P\u00b4erez, Medell\u00b4\u0131n, difficult"
    assert normalize_ligatures("\x10Quoted\x11 in T1") == "\x10Quoted\x11 in T1"
    layout = [
        LayoutLine("A semi-classical approach for Lyapunov", 17, "CMR17", 615),
        LayoutLine("exponents of a quantum mechanical system", 17, "CMR17", 593),
        LayoutLine("Jorge Mahecha. Universidad de Antioquia, Medell\x13\x10n", 12, "CMR12", 565),
        LayoutLine("Fernando P\x13erez. University of Colorado, Boulder.", 12, "CMR12", 551),
        LayoutLine("19th April 2002", 12, "CMR12", 527),
        LayoutLine("Abstract", 9, "CMBX9", 491),
        *(
            LayoutLine("We attempt to construct Lyapunov exponents for quantum mechanical systems.", 9, "CMR9", 476 - 11 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).authors == ["Jorge Mahecha", "Fernando P\u00e9rez"]


def test_a_summary_closing_the_paper_is_no_abstract_where_its_first_page_has_one():
    from papergym.core.ingest.sections import find_abstract, split_sections

    opening = "The temporal context model posits that search through episodic memory is driven by associations between items."
    text = (
        "Putting Short-Term Memory Into Context\nMichael J. Kahana\nUniversity of Pennsylvania\n"
        + "\n".join([opening] + ["between the representations of items and context, a recency weighted sum of experience"] * 4)
        + "\nKeywords\nepisodic memory, context\n"
        + "In their comment on our article, the authors argue that the model does not hold for recency.\n" * 200
        + "Summary\nWe have shown that contrary to claims made by Usher et al. the drift process can support recency.\n"
        + "Conclusion\nThe model stands.\n"
    )
    assert find_abstract(split_sections(text), "Putting Short-Term Memory Into Context").startswith("The temporal context model")
    # A page with no abstract of its own keeps the labelled one, wherever it stands.
    text = "A Title Of A Paper\n" + "Short line.\n" * 2000 + "Abstract\nWe have shown what the paper shows, in many words of prose here.\n"
    assert find_abstract(split_sections(text), "A Title Of A Paper").startswith("We have shown")


def test_a_venues_label_in_square_brackets_after_the_title_is_no_part_of_it():
    from papergym.core.ingest.metadata.titles import clean_title

    title = "An Experimental Evaluation of SimRank-based Similarity Search Algorithms [Experiments and Analyses]"
    assert clean_title(title) == "An Experimental Evaluation of SimRank-based Similarity Search Algorithms"
    assert clean_title("Reductive Coupling at a Cubane Cluster [Fe4S4]") == "Reductive Coupling at a Cubane Cluster [Fe4S4]"


def test_a_lead_in_with_a_colon_above_the_title_and_a_subtitle_over_the_names_join_the_title():
    layout = [
        LayoutLine("32 PERVASIVE computing Published by the IEEE CS 1536-1268/08/$25.00 \u00a9 2008 IEEE", 6.5, "StoneSans", 21),
        LayoutLine("the mobile sensing platform:", 20, "FranklinGothic-Heavy", 633),
        LayoutLine("An embedded Activity", 34, "FranklinGothic-Heavy", 597),
        LayoutLine("Recognition system", 34, "FranklinGothic-Heavy", 561),
        *(
            LayoutLine("The MSP is a small wearable device designed for embedded activity recognition.", 10.5, "StoneSans", 501 - 16 * n)
            for n in range(3)
        ),
        *(
            LayoutLine("Activity-aware systems have inspired novel user interfaces and new applications.", 9.5, "Sabon", 440 - 12 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).title == "the mobile sensing platform: An embedded Activity Recognition system"
    layout = [
        LayoutLine("Functional Characteristics and Diversity of", 20, "Helvetica", 740),
        LayoutLine("Cat Retinal Ganglion Cells", 20, "Helvetica", 714),
        LayoutLine("Basic Characteristics and Quantitative Description", 14, "Helvetica-Oblique", 677),
        LayoutLine("Christina Enroth-Cugell and John G. Robson", 10, "Helvetica", 648),
        *(
            LayoutLine("Many of you may wonder why anyone would spend so long on the cat's retina.", 11, "Times-Roman", 562 - 13 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(layout)
    assert (
        metadata.title
        == "Functional Characteristics and Diversity of Cat Retinal Ganglion Cells: Basic Characteristics and Quantitative Description"
    )
    assert metadata.authors == ["Christina Enroth-Cugell", "John G. Robson"]


def test_specks_a_scans_ocr_reads_after_the_title_leave_it():
    from papergym.core.ingest.metadata.titles import clean_title

    assert clean_title("Causal diagrams for empirical research C^-j-h di^^i^)") == "Causal diagrams for empirical research"


def test_the_issue_or_column_an_article_appears_in_is_no_part_of_its_title():
    layout = [
        LayoutLine("RESEARCH ARTICLE", 9, "Times-Bold", 767),
        LayoutLine("Cu–Au nanoparticles produced by the aggregation of gas-phase", 18, "Times-Bold", 720),
        LayoutLine("metal atoms for CO oxidation", 18, "Times-Bold", 697),
        LayoutLine("Special Issue: Emerging Investigators", 13, "Times-BoldItalic", 673),
        LayoutLine("Ilya V. Chepkasov1 Viktor S. Baidyshev2 Artem A. Golubnichiy2", 12, "Times-Bold", 644),
        LayoutLine("1 Skolkovo Institute of Science and Technology, Moscow, Russia", 7, "Times-Roman", 604),
        *(
            LayoutLine("Bimetallic nanoparticles are widely studied as catalysts for many reactions.", 9, "Times-Roman", 560 - 10 * n)
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).title == "Cu–Au nanoparticles produced by the aggregation of gas-phase metal atoms for CO oxidation"
    from papergym.core.ingest.metadata.page_lines import is_banner

    for label in (
        "Special Issue: Emerging Investigators",
        "Themed collection Catalysis",
        "Squibs and Discussions",
        "Special Section on Robotics",
    ):
        assert is_banner(label)
    assert not is_banner("Special relativity and the twin paradox")


def test_an_anonymous_submission_names_no_author_and_a_german_address_is_no_name():
    body = [
        LayoutLine("We study detection of rare events in sparse and noisy time series from clocks.", 10, "Times-Roman", 560 - 12 * n)
        for n in range(12)
    ]
    layout = [
        LayoutLine("A Benchmark for Detection in Sparse Time Series", 17, "Times-Bold", 700),
        LayoutLine("Anonymous Author(s)", 10, "Times-Bold", 660),
        LayoutLine("Affiliation", 10, "Times-Roman", 648),
        LayoutLine("Address", 10, "Times-Roman", 636),
        LayoutLine("Abstract", 12, "Times-Bold", 600),
        *body,
    ]
    assert _read_layout(layout).authors == []
    layout[1] = LayoutLine("Anonymous Authors1", 10, "Times-Bold", 660)
    assert _read_layout(layout).authors == []
    layout = [
        LayoutLine("Two Evolutionary Metaheuristics for the Vehicle Routing Problem", 16, "Times-Bold", 755),
        LayoutLine("with Time Windows", 16, "Times-Bold", 718),
        LayoutLine("Jörg Homberger and Hermann Gehring", 12, "Times-Roman", 656),
        LayoutLine("FernUniversität Hagen, Lehrstuhl Wirtschaftsinformatik, Profilstr. 8, D-58084 Hagen", 12, "Times-Roman", 621),
        LayoutLine("Bundesrepublik Deutschland", 12, "Times-Roman", 587),
        LayoutLine("Abstract:", 12, "Times-Roman", 462),
        *body,
    ]
    assert _read_layout(layout).authors == ["Jörg Homberger", "Hermann Gehring"]


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        (
            "Squibs and Discussions: Assessing Agreement on Classification Tasks: The Kappa Statistic",
            "Assessing Agreement on Classification Tasks: The Kappa Statistic",
        ),
        ("Special Issue on Soft Robotics: Grippers that Learn to Hold", "Grippers that Learn to Hold"),
        ("Technical Note: D/GPS Modeling & Estimation", "Technical Note: D/GPS Modeling & Estimation"),
        ("Special relativity: a primer for engineers", "Special relativity: a primer for engineers"),
        ("Special Issue: Editorial", "Special Issue: Editorial"),
    ],
)
def test_a_journal_columns_label_opening_a_title_leaves_it(title, cleaned):
    assert from_info({"/Title": title}).title == cleaned


def _report_body(top=520):
    return [
        LayoutLine("We compare recommender models on a public data set of ratings and reviews.", 11, "Calibri", top - 14 * n)
        for n in range(14)
    ]


def test_a_student_covers_course_code_and_kind_of_report_are_no_title():
    layout = [
        LayoutLine("CS274-01 Project Proposal", 16, "Calibri-Bold", 705),
        LayoutLine("A Social Curiosity Inspired Recommendation Model to Improve", 14, "Cambria-Bold", 660),
        LayoutLine("Precision and Coverage", 14, "Cambria-Bold", 641),
        LayoutLine("Student: Ravee Khandagale (011028654)", 11, "Calibri", 594),
        *_report_body(),
    ]
    assert _read_layout(layout).title == "A Social Curiosity Inspired Recommendation Model to Improve Precision and Coverage"
    layout = [
        LayoutLine("MATH6001 – Mathematics Masters", 26, "Times-Bold", 645),
        LayoutLine("Project 3", 26, "Times-Bold", 611),
        LayoutLine("Semester 2, 2025", 18, "Times-Bold", 533),
        LayoutLine("Project Final Report", 18, "Times-Bold", 501),
        LayoutLine("Drill and Blast Optimisation for Open-pit", 22, "Times-Bold", 433),
        LayoutLine("Mining", 22, "Times-Bold", 404),
        LayoutLine("Cem Alpaslan", 18, "Times-Bold", 336),
        *_report_body(300),
    ]
    assert _read_layout(layout).title == "Drill and Blast Optimisation for Open-pit Mining"
    layout = [
        LayoutLine("Project Report", 25, "CMBX12", 707),
        LayoutLine("An Introduction to Collaborative", 25, "CMBX12", 647),
        LayoutLine("Filtering", 25, "CMBX12", 618),
        LayoutLine("Siobhan Grayson", 12, "CMR12", 579),
        *_report_body(),
    ]
    assert _read_layout(layout).title == "An Introduction to Collaborative Filtering"
    from papergym.core.ingest.metadata.page_lines import is_banner

    for banner in ("Seminar Report on", "Course Project", "EECS 545 Final Project", "Subject Code: EP208n", "Submitted By:"):
        assert is_banner(banner)
    for title in ("The ATLAS 2020 Project", "Report of the LIGO Project", "A Project Report on Deep Learning for Crops"):
        assert not is_banner(title)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        # Springer's LNCS prints each author's ORCID iD in brackets.
        (
            "James Chapman1[0000−0001−9036−8252], Roman Kireev1[0000−0003−4687−2739], Chad Nester2,",
            ["James Chapman", "Roman Kireev", "Chad Nester"],
        ),
        ("and Philip Wadler2[0000-0001-7619-6378]", ["Philip Wadler"]),
        # A symbol and the affiliations' letters, after a space or glued.
        ("Liang Kong *a,b,c, Zhi-Hao Zhang †d,a", ["Liang Kong", "Zhi-Hao Zhang"]),
        ("Liang Kong*a,b,c, Zhi-Hao Zhang†d,a", ["Liang Kong", "Zhi-Hao Zhang"]),
        # A label before the names, roll numbers after them.
        ("Authors: S. Sindhuja(217Z1A6751), A. Sravani(217Z1A6705), L. Sandeep(217Z1A6736)", ["S. Sindhuja", "A. Sravani", "L. Sandeep"]),
    ],
)
def test_names_keep_no_orcid_number_letter_markers_or_label(line, names):
    layout = [
        LayoutLine("System F in Agda, for fun and profit", 14.5, "Times-Bold", 666),
        LayoutLine(line, 10, "Times-Roman", 631),
        LayoutLine("1 University of Edinburgh, UK", 9, "Times-Roman", 601),
        LayoutLine("Abstract", 9, "Times-Bold", 560),
        *(
            LayoutLine(
                "System F is a typed lambda calculus discovered twice, by a logician and a computer scientist.",
                9,
                "Times-Roman",
                540 - 11 * n,
            )
            for n in range(12)
        ),
    ]
    assert _read_layout(layout).authors == names


@pytest.mark.parametrize(
    ("line", "year"),
    [("15.12.2018", 2018), ("3/7/2021", 2021), ("2021-03-07", 2021), ("12.5.18", None), ("Run 15.12 took 2018 s", None)],
)
def test_a_date_in_numbers_alone_on_a_covers_line_dates_it(line, year):
    from papergym.core.ingest.metadata.doi_year import find_year

    assert find_year(f"Generic Framework For State\nSpace Search\n{line}\nSanketh R\nThe body of the report.") == year


def test_a_students_report_names_its_students_not_their_supervisor():
    layout = [
        LayoutLine("BER Prediction for AWGN and Rayleigh", 25, "CMBX12", 492),
        LayoutLine("Fading Channels using ANN", 25, "CMBX12", 466),
        LayoutLine("Course Project Report", 14.5, "CMBX12", 371),
        LayoutLine("Submitted by:", 11, "CMBX10", 252),
        LayoutLine("Adithya R Prabhu", 12, "CMR12", 233),
        LayoutLine("B.Tech ECE, Roll No: 2023BEC011", 11, "CMR10", 219),
        LayoutLine("Under the guidance of:", 11, "CMBX10", 180),
        LayoutLine("Dr. Gayathri Varma", 12, "CMR12", 161),
        LayoutLine("Assistant Professor, Department of ECE", 11, "CMR10", 147),
    ]
    assert _read_layout(layout).authors == ["Adithya R Prabhu"]
    layout = [
        LayoutLine("Generic Framework For State", 41.5, "PTSans-NarrowBold", 412),
        LayoutLine("Space Search", 41.5, "PTSans-NarrowBold", 361),
        LayoutLine("Sanketh R 01FB15ECS267", 16, "PTSans-Narrow", 212),
        LayoutLine("Sachit Batra 01FB15ECS251", 16, "PTSans-Narrow", 187),
        LayoutLine("Project Advisor and Mentor: Dr. Teng Moh", 16, "PTSans-Narrow", 161),
    ]
    assert _read_layout(layout).authors == ["Sanketh R", "Sachit Batra"]
    layout = [
        LayoutLine("Probleminventering av frågor rörande", 18, "OptimaLTStd", 315),
        LayoutLine("åldersbestämning av unga lagöverträdare", 18, "OptimaLTStd", 293),
        LayoutLine("Rapport 2015", 11, "OptimaLTStd", 109),
        LayoutLine("Utvecklingscentrum Stockholm", 11, "OptimaLTStd", 96),
    ]
    assert _read_layout(layout).authors == []


def _body(y, lines=12):
    return [
        LayoutLine("Plain body text of the report runs on at length in the body's type here.", 10, "CMR10", y - 12 * n)
        for n in range(lines)
    ]


def test_a_student_reports_cover_names_its_students_not_its_teachers():
    layout = [
        LayoutLine("MSc in Mathematical Engineering - Statistical Learning", 17, "CMR17", 737),
        LayoutLine("GARCH modelling of farmaceutical stocks", 20.5, "CMBX12", 662),
        LayoutLine("Authors :", 17, "CMTI12", 597),
        LayoutLine("Mirko Giovio", 17, "CMR17", 575),
        LayoutLine("Daniele Venturini", 17, "CMR17", 553),
        LayoutLine("Group 18", 17, "CMBX12", 495),
        LayoutLine("Course Lecturers:", 17, "CMTI12", 445),
        LayoutLine("Prof. Carlo Sgarra", 17, "CMR17", 423),
        LayoutLine("Dr. Silvia Dell'Acqua", 17, "CMR17", 401),
        *_body(300),
    ]
    assert _read_layout(layout).authors == ["Mirko Giovio", "Daniele Venturini"]
    # The course after the student's name, then the teacher.
    page = "A Mere Maiden: Song and Dance in a Legend\nChristina Nguyen\nINF2010: Natural Language Processing\n"
    page += "Professor Rohan Alexander\nMarch 25, 2022\n" + "Body.\n" * 12
    assert from_first_page(page).authors == ["Christina Nguyen"]


@pytest.mark.parametrize(
    "line, names",
    [
        # An underscore drawn as a space in the e-mail address.
        ("Sean Anderson, sean anderson@sfu.ca", ["Sean Anderson"]),
        # A date on the names' line.
        ("September 2025, Dr. Atwau Pius", ["Atwau Pius"]),
        # User names: given name and surname joined by a full stop.
        ("Michael.Niu, Haoxing.Liu, Kailun.Dong", ["Michael Niu", "Haoxing Liu", "Kailun Dong"]),
        # A company's web name is none.
        ("Amazon.Com", []),
        # Students' numbers after or before their names; a postcode is no such number.
        ("Zelin Chen - 797036", ["Zelin Chen"]),
        ("2022103525 \u2013 GURUMOORTHI R", ["GURUMOORTHI R"]),
        ("Vishal Pandey 15/ICS/076", ["Vishal Pandey"]),
        ("Lujain Alawneh 1230127, Kareen Kamel 1230509 , Ahmad Ouri 1230064", ["Lujain Alawneh", "Kareen Kamel", "Ahmad Ouri"]),
        ("Beijing 100084", []),
        # A web page's text-size buttons.
        ("Aa Aa Aa", []),
        # A name with a middle initial ends at its family name: two names run together in a list.
        ("Xiaodong Li1, Sarita V. Adve Pradip Bose, Jude A. Rivers", ["Xiaodong Li", "Sarita V. Adve", "Pradip Bose", "Jude A. Rivers"]),
        ("Ana M. Garcia Lopez, John Smith", ["Ana M. Garcia Lopez", "John Smith"]),
        # A public body, a book's editor, a memo's revision dates.
        ("Federal Reserve Board", []),
        ("Michael J. May Editor", []),
        ("Revised April 2, 2021", []),
        ("David R. Cheriton School of Computer Science, University of Waterloo", []),
        # Greek names keep their letters; a Greek letter after a Latin name is its marker.
        ("Παναγιώτης Σαββίδης (8094)", ["Παναγιώτης Σαββίδης"]),
        ("Jane Roe\u03b1, John Smith\u03b2", ["Jane Roe", "John Smith"]),
    ],
)
def test_names_beside_an_email_a_date_or_in_user_name_form(line, names):
    from papergym.core.ingest.metadata.authors import _names_on_line

    assert _names_on_line(line) == names


def test_short_titles_file_names_and_organisations_over_the_names():
    from papergym.core.ingest.metadata.titles import clean_title

    # "Project 4" over its group's names is the title.
    layout = [
        LayoutLine("Project 4", 20.5, "LMRoman17", 699),
        LayoutLine("Mengqi Chen, Yuexuan Huang, Xueyao Li, Jia Zheng", 12, "LMRoman12-Italic", 679),
        *_body(646),
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == ("Project 4", ["Mengqi Chen", "Yuexuan Huang", "Xueyao Li", "Jia Zheng"])
    # A file's name in Info's title is none.
    assert clean_title("a-sahu-thesis") is None
    assert clean_title("Self-Organization") == "Self-Organization"
    # An organisation's name in the byline's type is no subtitle.
    layout = [
        LayoutLine("Living Document - Biostatistical Analysis", 17, "CMR17", 668),
        LayoutLine("ALLIANCE FOR DISEASE DETECTION AND RESPONSE", 12, "CMR12", 639),
        LayoutLine("September 2025, Dr. Atwau Pius", 12, "CMR12", 616),
        *_body(560),
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == ("Living Document - Biostatistical Analysis", ["Atwau Pius"])


def test_a_supplements_label_under_the_names_is_no_author():
    layout = [
        LayoutLine("A Structural Analysis of Disappointment Aversion in a Real", 17, "CMR17", 710),
        LayoutLine("Effort Competition", 17, "CMR17", 681),
        LayoutLine("David Gill", 14.5, "CMR12", 575),
        LayoutLine("Victoria Prowse", 14.5, "CMR12", 551),
        LayoutLine("Web Appendix", 14.5, "CMR12", 457),
        *_body(400),
    ]
    assert _read_layout(layout).authors == ["David Gill", "Victoria Prowse"]


def test_info_names_the_page_spells_out_are_the_pages():
    lines = [(20, "No Silver Bullet"), (12, "Frederick P. Brooks, Jr."), (10, "University of North Carolina at Chapel Hill")]
    lines += [(10, "There is no single development, in either technology or management technique.")] * 12
    metadata = from_pdf(make_pdf(lines, info={"/Author": "Frederick Brooks", "/Title": "No Silver Bullet"}))
    assert metadata.authors == ["Frederick P. Brooks Jr."]


def test_a_supplements_label_a_course_line_or_a_journals_logo_is_no_part_of_the_title():
    layout = [
        LayoutLine("Beyond Work Ethic: Religion, Individual and", 17, "CMR17", 666),
        LayoutLine("Political Preferences", 17, "CMR17", 633),
        LayoutLine("Online Appendix", 17, "CMR17", 600),
        LayoutLine("Christoph Basten and Frank Betz", 12, "CMR12", 551),
        *_body(500),
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == (
        "Beyond Work Ethic: Religion, Individual and Political Preferences",
        ["Christoph Basten", "Frank Betz"],
    )
    layout = [
        LayoutLine("Deep Painter: Painter Classification Using Deep", 24, "Nimbus", 697),
        LayoutLine("Convolutional Autoencoders", 24, "Nimbus", 669),
        LayoutLine("Project Paper, Neural Networks & Deep Learning", 14, "Nimbus", 649),
        LayoutLine("Alex Angus (ala2197) | Gunnar Thorsteinsson (gt2447)", 12, "Nimbus", 614),
        *_body(570),
    ]
    assert _read_layout(layout).title == "Deep Painter: Painter Classification Using Deep Convolutional Autoencoders"
    from papergym.core.ingest.metadata.titles import _reads_as_title

    assert not _reads_as_title("Energy & Environmental Science")


def test_a_supplements_section_heading_in_large_type_is_no_title():
    layout = [
        LayoutLine("Supplementary Information: Gamma oscillations distinguish true from false memories", 12, "Sans-Bold", 708),
        LayoutLine("Per B. Sederberg1, Andreas Schulze-Bonhage2, Joseph R. Madsen3,", 12, "Sans", 679),
        LayoutLine("1. University of Pennsylvania, Philadelphia, Pennsylvania 19104, USA", 12, "Sans", 637),
        LayoutLine("Supplementary Methods", 17, "Sans-Bold", 468),
        LayoutLine("Participants", 14.5, "Sans-Bold", 424),
        *(
            LayoutLine("We tested 52 patients with drug-resistant epilepsy who had arrays of electrodes.", 12, "Sans", 390 - 14 * n)
            for n in range(12)
        ),
    ]
    metadata = _read_layout(layout)
    assert metadata.title == "Supplementary Information: Gamma oscillations distinguish true from false memories"
    assert metadata.authors[:2] == ["Per B. Sederberg", "Andreas Schulze-Bonhage"]


def test_lecture_notes_in_the_scribe_template_have_their_title_and_people():
    # The course line over the notes (code and term) is no title; "Lecture 1: August 28" is one although it names a
    # date, as is the template's "17 : Markov Chain Monte Carlo"; the lecturer and the scribes are the authors.
    body = [
        LayoutLine("1.1 Low-dim and high-dim model", 14.5, "CMBX12", 524),
        *[
            LayoutLine("Monte Carlo methods can be used to approximate expectations by averaging over samples.", 10, "CMR10", 497 - 12 * n)
            for n in range(8)
        ],
    ]
    layout = [
        LayoutLine("36-755 – Advanced Statistical Theory I Fall 2017", 10, "CMBX10", 681),
        LayoutLine("Lecture 1: August 28", 14.5, "CMR12", 658),
        LayoutLine("Lecturer: Alessandro Rinaldo Scribes: Minshi Peng", 10, "CMTI10", 640),
        *body,
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == ("Lecture 1: August 28", ["Alessandro Rinaldo", "Minshi Peng"])
    layout = [
        LayoutLine("10-708: Probabilistic Graphical Models, Spring 2015", 10, "CMBX10", 681),
        LayoutLine("17 : Markov Chain Monte Carlo", 14.5, "CMR12", 652),
        LayoutLine("Lecturer: Eric P. Xing Scribes: Heran Lin, Bin Deng, Yun Huang", 10, "CMTI10", 623),
        *body,
    ]
    metadata = _read_layout(layout)
    assert (metadata.title, metadata.authors) == ("17 : Markov Chain Monte Carlo", ["Eric P. Xing", "Heran Lin", "Bin Deng", "Yun Huang"])
    # A numbered section heading stays none; a course's name with a term but no code may be a title.
    assert not _reads_as_title("17 Markov Chain Monte Carlo")
    assert not _reads_as_title("CS 229 Machine Learning, Autumn 2018")
    assert _reads_as_title("Probabilistic Graphical Models, Spring 2015")
    assert _reads_as_title("Week 2: Linear Models and Their Uses")
    # A course's code is in capitals: a title naming a season and a year is no banner.
    assert _reads_as_title("On 100 years of climate records, spring 2015")
    # Words follow a lecture's number: a table's row and a ratio are no titles.
    assert not _reads_as_title("Class 1: 0.85 0.91 0.88")
    assert not _reads_as_title("2 : 1 Copper complexes")
    # The byline keeps its form when a name is missing, and its pattern stays fast on a long blank run.
    assert scribe_byline("Lecturer:  Scribes: Minshi Peng") == "Lecturer:  Scribes: Minshi Peng"
    started = time.perf_counter()
    scribe_byline("Lecturer: a" + " " * 2000 + "x")
    assert time.perf_counter() - started < 1


def test_a_name_before_an_institution_known_by_its_letters_is_the_author():
    layout = [
        LayoutLine("Why restarting Arnoldi/Lanczos is not trivial", 17, "SFRM1728", 615),
        LayoutLine("Steven G. Johnson, MIT Applied Mathematics, course 18.335", 12, "SFRM1200", 580),
        LayoutLine("April 3, 2020", 12, "SFRM1200", 557),
        LayoutLine("Overview", 14.5, "SFBX1440", 514),
        *[
            LayoutLine(
                "The Arnoldi and Lanczos algorithms iteratively construct an orthonormal basis for the space.", 10, "SFRM1000", 492 - 12 * n
            )
            for n in range(8)
        ],
    ]
    assert _read_layout(layout).authors == ["Steven G. Johnson"]
    assert not is_affiliation("Lernen mit Graphen")  # "mit" in German is no institute
    # A long line naming one by its letters is a title: it keeps its second line.
    assert not is_affiliation("Measurement of the W mass, top quark and Higgs couplings at CERN")
    assert is_affiliation("MIT CSAIL, Cambridge, MA")
    # A French school beside such letters is no person: "École Normale Supérieure, CNRS, PSL".
    layout = [
        LayoutLine("Understanding Deep Convolutional Networks", 17, "CMR17", 680),
        LayoutLine("Stéphane Mallat", 12, "CMR12", 629),
        LayoutLine("École Normale Supérieure, CNRS, PSL", 12, "CMR12", 617),
        LayoutLine("45 rue d'Ulm, 75005 Paris, France", 12, "CMR12", 600),
        LayoutLine("Abstract", 9, "CMBX9", 525),
        *[
            LayoutLine("Deep convolutional networks provide state of the art classifications and regressions.", 9, "CMR9", 504 - 11 * n)
            for n in range(8)
        ],
    ]
    assert _read_layout(layout).authors == ["Stéphane Mallat"]


def test_a_line_that_opens_with_a_raised_marker_joins_the_names_on_its_baseline():
    # RSC's byline: pypdf breaks it after "Mingrui Yang," and the next piece opens with the raised "a".
    operations = [
        "BT /F1 16 Tf 1 0 0 1 72 700 Tm (Surface phase diagrams from nested sampling) Tj ET",
        "BT /F1 10 Tf 1 0 0 1 72 676 Tm (Mingrui Yang,) Tj ET",
        "BT /F1 7 Tf 1 0 0 1 134 680.4 Tm (a) Tj /F1 10 Tf 1 0 0 1 140 676 Tm ( Livia B. Partay) Tj /F1 7 Tf 1 0 0 1 214 680.4 Tm (b) Tj"
        " /F1 10 Tf 1 0 0 1 219 676 Tm ( and Robert B. Wexler) Tj ET",
    ]
    reader = _pdf_of_operations(operations, body_top=640, body_size=8)
    assert from_pdf(reader).authors == ["Mingrui Yang", "Livia B. Partay", "Robert B. Wexler"]


def test_a_scanned_title_whose_size_wobbles_by_a_step_is_read_whole():
    layout = [
        LayoutLine("Validation of a 3D Particle Method in the context of Vortex", 19.5, "Helvetica", 737),
        LayoutLine("Dynamics and Interaction studies", 20, "Helvetica", 715),
        LayoutLine("A. Giovannini, D. Margerit, P. Brancher", 11.5, "Helvetica", 680),
        LayoutLine("Université Paul Sabatier, Institut de Mécanique des fluides de Toulouse", 9.5, "Helvetica", 663),
        LayoutLine("1 Introduction", 16.5, "Helvetica", 614),
        *[
            LayoutLine(
                "In the context of Vortex Dynamics and of complex interactions between vortex tubes we present",
                9.5,
                "Helvetica",
                592 - 12 * n,
            )
            for n in range(8)
        ],
    ]
    metadata = _read_layout(layout)
    assert metadata.title == "Validation of a 3D Particle Method in the context of Vortex Dynamics and Interaction studies"
    assert metadata.authors == ["A. Giovannini", "D. Margerit", "P. Brancher"]


def test_an_issue_line_whose_page_number_runs_into_vol_dates_a_scanned_paper():
    from papergym.core.ingest.metadata.doi_year import _later_issue_year

    text = (
        "Received July 1985, revised October 1985, accepted\nDecember 1985.\n"
        "Discussion open until March 1, 1987,\n"
        "? R 8Vol. 24, No. 5~-GROUND WATER~September-October 1986\n"
    )
    assert _later_issue_year(text, 1985) == 1986
    assert _later_issue_year(text.replace("8Vol.", "8Avol."), 1985) is None  # a word that ends in "vol" names no volume


def test_an_acm_journals_publication_date_after_its_arxiv_stamp_dates_it():
    from papergym.core.ingest.metadata.doi_year import find_year

    body = "We present a type system for gradual typing.\nIntroduction\nTypes help programmers."
    footer = "Proc. ACM Program. Lang., Vol. 3, No. POPL, Article 9. Publication date: January 2019."
    assert find_year(f"Gradual Types\narXiv:1601.05106v3 [cs.PL] 10 Nov 2018\n{body}\n{footer}") == 2019
    # A later year than that stays the typesetting's (arXiv set the source again years later).
    assert find_year(f"Gradual Types\narXiv:1601.05106v3 [cs.PL] 10 Nov 2014\n{body}\n{footer}") == 2014
    assert find_year(f"Stellar Streams\narXiv:astro-ph/0601001v1 2 Jan 2006\n{body}\n© ESO 2018") == 2006


def test_a_journal_footer_ending_in_a_full_stop_outranks_the_day_it_was_received():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = "Received August 22, 2010.\nAbstract. We study model structures.\nNew York J. Math. 17 (2011) 173–231."
    assert find_year(page) == 2011


def test_vldbs_notice_dates_the_paper_by_its_conference():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "2Q: A Low Overhead High Performance Buffer Management Replacement Algorithm\nTheodore Johnson\nAbstract\n"
        "Permission to copy without fee all or part of this material is granted provided that the copies are not made\n"
        "Proceedings of the 20th VLDB Conference\nSantiago, Chile, 1994\noverhead to implement it. In contrast to LRU,"
    )
    assert find_year(page) == 1994
    # A reference that goes on after its year is another paper's.
    reference = "Proceedings of the 12th VLDB Conference\nKyoto, Japan, 1986, pp. 12-20.\nThe buffer pool holds pages."
    assert find_year(f"A Buffer Study\n{reference}") is None


def test_asces_download_stamp_does_not_date_the_paper():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "PROBABILISTIC INFRASTRUCTURE DETERIORATION MODELS\nBody text of the paper.\n"
        "4/JOURNAL OF INFRASTRUCTURE SYSTEMS / MARCH 1997\nJ. Infrastruct. Syst. 1997.3:4-9.\n"
        "Downloaded from ascelibrary.org by Eth-Bibliothek on 07/13/12. For personal use only.\n"
        "No other uses without permission. Copyright (c) 2012. American Society of Civil Engineers. All rights reserved."
    )
    assert find_year(page) == 1997


def test_an_author_manuscript_is_dated_by_its_final_form_with_a_four_digit_issue():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "Title of a Letter\nBody text of the paper.\nNature. Author manuscript; available in PMC 2019 March 12.\n"
        "Published in final edited form as:\nNature. 2018 August ; 560(7720): 644–648. doi:10.1038/s41586-018-0439-x."
    )
    assert find_year(page) == 2018


def test_ifacs_banner_dates_the_paper_and_prose_that_presents_a_cited_work_does_not():
    from papergym.core.ingest.metadata.doi_year import find_year

    prose = "detection and removal, is presented in (Zhao et al. (2014)).\nThe estimator runs in real time."
    banner = "Preprints of the 20th World Congress\nThe International Federation of Automatic Control\nToulouse, France, July 9-14, 2017"
    assert find_year(f"Robust GPS-INS Outlier Accommodation\n{prose}\n{banner}\nCopyright by the\n3633") == 2017
    assert find_year(f"Robust GPS-INS Outlier Accommodation\n{prose}") is None
    assert find_year("A Study of Ranking\n*Presented at the Annual Meeting, Chicago, 1987\nBody text.") == 1987


def test_prose_about_a_span_of_publications_dates_nothing_and_acms_footer_does():
    from papergym.core.ingest.metadata.doi_year import find_year

    prose = "out of 775 WAVD articles published between January 2008 and June 2019. Our study identified ten categories"
    body = "".join(f"Web applications hold data, line {n}.\n" for n in range(12))
    assert find_year(f"A Survey of Web Vulnerability Detection\n{body}Published between January 2008 and June 2019, most\n{body}") is None
    footer = ", Vol. 1, No. 1, Article . Publication date: November 2021."
    assert find_year(f"A Survey of Web Vulnerability Detection\n{prose}\n{footer}") == 2021
    assert find_year(f"A Survey of Web Vulnerability Detection\n{prose}") is None


def test_a_citation_of_a_centuries_old_article_dates_it():
    from papergym.core.ingest.metadata.doi_year import find_year

    cover = (
        "Philosophical Magazine Series 2\nTo cite this article: Robert Brown F.R.S. (1828) XXVII.\nA brief account of"
        " microscopical observations, Philosophical Magazine Series 2, 4:21, 161-173\nPublished online: 10 Jul 2009."
    )
    assert find_year(cover) == 1828
    # Only in brackets after the names: a page number of that size, or an old work the title names, is no year.
    assert find_year("To cite this article: J. Roe, Demo Journal 1801, 2019. Body.") == 2019
    assert find_year("To cite this version: Jane Roe. On Euler's paper (1736) and graphs. Discrete Math, 2019.") == 2019


def test_a_digital_commons_cover_dates_the_paper_by_its_citation():
    from papergym.core.ingest.metadata.doi_year import find_year

    cover = (
        "Institutional Knowledge at Singapore Management University\n6-2016\nDeepSense: A GPU-based framework\n"
        "Follow this and additional works at: http://ink.library.smu.edu.sg/sis_research\nCitation\n"
        "HUYNH, Loc and BALAN, Rajesh. DeepSense: A GPU-based framework. (2016). WearSys'16: Proceedings of the 2016"
        " Workshop on Wearable Systems. 25-30.\nAvailable at: http://ink.library.smu.edu.sg/sis_research/3276"
    )
    assert find_year(cover) == 2016
    assert find_year(cover.replace("\nCitation\n", "\nRecommended Citation\n")) == 2016
    # The word opens no citation in running text, in a title, or off such a cover, nor does ResearchGate's count.
    assert find_year("The citation\nof Smith (2011) shows a trend.") is None
    assert find_year("Citation\nRecommendation with Graph Networks\nAs (Smith, 2011) showed.") is None
    research_gate = "Stock Price Prediction: A Review\nArticle \u00b7 January 2018\nCITATION\n1\nREADS\n804\n3 authors, including:\n"
    assert find_year(research_gate + "All content following this page was uploaded by Mittal Darji on 19 July 2019.") == 2018


def test_chicagos_bracketed_note_outranks_the_day_the_article_went_online():
    from papergym.core.ingest.metadata.doi_year import find_year

    notes = (
        "[ Journal of Labor Economics, 2016, vol. 34, no. 1, pt. 2]\n"
        "© 2015 by The University of Chicago. All rights reserved. 0734-306X/2016/34S1-0011$10.00\n"
        "Submitted September 17, 2013; Accepted May 14, 2015; Electronically published December 16, 2015"
    )
    # The note stands under the first column, among the page's body lines, not in its banner.
    body = "".join(f"Between 2000 and 2007, the economy gave back its gains, line {n}.\n" for n in range(12))
    assert find_year("The US Employment Sag of the 2000s\n" + body + notes + "\n" + body) == 2016


def test_an_issue_two_years_after_the_article_went_online_dates_it():
    from papergym.core.ingest.metadata.doi_year import find_year

    page = (
        "Computers & Operations Research 34 (2007) 2964 – 2975\nA genetic algorithm for scheduling\n"
        "Available online 13 December 2005\n© 2005 Elsevier Ltd. All rights reserved.\ndoi:10.1016/j.cor.2005.11.006"
    )
    assert find_year(page, "10.1016/j.cor.2005.11.006") == 2007
    # A known limit: without the online date, a copyright two years before the banner wins (the banner outranks a
    # copyright by a year only, as a copyright that far back is more often a reprint's banner than a late issue).
    assert find_year(page.replace("Available online 13 December 2005\n", "")) == 2005
    # A year two after the DOI's counts only as the banner's: a later arXiv stamp or version is not the issue.
    doi = "doi:10.1016/j.jcp.2017.05.012"
    assert (
        find_year(
            f"A Fast Solver\nThis version: March 2019\nJournal of Computational Physics 344 (2017) 1–20\n{doi}", "10.1016/j.jcp.2017.05.012"
        )
        == 2017
    )
    assert find_year(f"A Fast Solver\narXiv:1705.01234v3 [math.NA] 5 Mar 2019\n{doi}", "10.1016/j.jcp.2017.05.012") == 2017


def test_a_venues_copyright_a_year_after_a_late_arxiv_stamp_dates_the_paper():
    from papergym.core.ingest.metadata.doi_year import find_year

    body = "Deep Interest Evolution Network\narXiv:1809.03672v5 [stat.ML] 16 Nov 2018\nAbstract. We model interest.\n"
    notice = "Copyright © 2019, Association for the Advancement of Artificial Intelligence (www.aaai.org)."
    assert find_year(body + notice) == 2019
    # A stamp early in the year is the preprint's date; a copyright two years on is a later typesetting's.
    assert find_year(body.replace("16 Nov", "16 Mar") + notice) == 2018
    assert find_year(body + notice.replace("2019", "2020")) == 2018
