"""Reading title, authors, year and DOI from Info, XMP and first-page text."""

import json
from io import BytesIO
from pathlib import Path

import pytest
from papergym.core.ingest.metadata import Metadata, from_first_page, from_info, from_pdf, from_xmp, merge
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

    def test_authors_separated_only_by_markers_or_symbols(self):
        text = "Nibble-width HyperLogLog: cardinality estimation\nAurelio Fenwick* Sung-min Baek\u2020 Marguerite Olande*\nAbstract"
        assert from_first_page(text).authors == ["Aurelio Fenwick", "Sung-min Baek", "Marguerite Olande"]

    @pytest.mark.parametrize(
        "line, doi",
        [
            ("https://doi.org/10.1021/acs.jpcc.5b01234.", "10.1021/acs.jpcc.5b01234"),
            ("DOI: 10.1016/S0009-2614(02)01234-5,", "10.1016/S0009-2614(02)01234-5"),
            ("(doi:10.1103/PhysRevB.99.045123)", "10.1103/PhysRevB.99.045123"),
            ("doi.org/10.5555/\ndemo.2024.1 more", "10.5555/demo.2024.1"),
        ],
    )
    def test_doi_forms(self, line, doi):
        assert from_first_page(f"Some Title Here\n{line}").doi == doi

    @pytest.mark.parametrize(
        "text, year",
        [
            ("Received 3 March 2022; accepted 1 May 2023; published 5 June 2024", 2024),
            ("Received 3 March 2022; accepted 1 May 2023", 2023),
            ("\u00a9 2021 Demo Press. All rights reserved.", 2021),
            ("Demo Letters in Biochemistry (2019) 5:107", 2019),
            ("J. Demo. 12, vol. 3, 2018", 2018),
            ("Lakemont Computing Technical Reports, 2017", 2017),
            ("Published 5 June 1850", None),
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


def make_pdf(lines, info=None, xmp=None, scaled_text_matrix=False):
    """A one-page PDF with each (font size, text) line in Helvetica."""
    writer = PdfWriter()
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
    operations = []
    for line_number, (size, text) in enumerate(lines):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        y = 740 - 30 * line_number
        if scaled_text_matrix:
            operations.append(f"BT /F1 1 Tf {size} 0 0 {size} 72 {y} Tm ({escaped}) Tj ET")
        else:
            operations.append(f"BT /F1 {size} Tf 1 0 0 1 72 {y} Tm ({escaped}) Tj ET")
    content = DecodedStreamObject()
    content.set_data("\n".join(operations).encode("cp1252"))
    page.replace_contents(content)
    if info:
        writer.add_metadata(info)
    if xmp is not None:
        writer.xmp_metadata = xmp
    buffer = BytesIO()
    writer.write(buffer)
    return PdfReader(buffer)


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

    def test_info_beats_the_page_and_creation_year_is_the_last_resort(self):
        lines = [(20, "Largest Font Title"), (10, "Plain body text without any dates.")]
        info = {"/Title": "Info Title Text", "/Author": "Info Author", "/CreationDate": "D:20230102"}
        assert from_pdf(make_pdf(lines, info=info)) == Metadata("Info Title Text", ["Info Author"], 2023, None)

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
