"""Cleaning pypdf page texts into body text, on literal imitations of real papers."""

from papergym.core.ingest.clean import (
    clean_pages,
    cut_back_matter,
    join_hyphenated,
    normalize_ligatures,
    strip_running_lines,
)

# What pypdf gives for a two-column pdfLaTeX paper (T1 fonts, fancyhdr),
# three pages: the plain first page has a journal banner, later pages a
# running head with the page number; the text is column by column.
LATEX_TWO_COLUMN_PAGES = [
    "J. Demo Sci. 12 (2024) 1\u20134\n"
    "Anomalous Di\x1busion of Heat in Con\x1cned Fluids\n"
    "John Smith1,2 Ana Demo2\u2217\n"
    "1Department of Physics, Demo University\n"
    "Abstract\n"
    "We study the e\x1ecient di\x1busion of heat in con\x1cned\n"
    "\x1duids.\n"
    "1 Introduction\n"
    "The di\x1busion of heat in con\x1cned \x1duids is a state-of-\n"
    "the-art problem. Earlier work measured the heat\n"
    "capacity of thin layers with X-\n"
    "ray re\x1dectivity and a di\x1ber-\n"
    "ential method.\n"
    "1",
    "Smith et al. Heat in confined fluids 2\n"
    "2 Materials and Methods\n"
    "Samples were prepared from water at 25 \u00b0C and\n"
    "the thermal con-\n"
    "ductivity was measured with a µm-scale probe. The\n"
    "transport coe\x1ecient follows a non-\n"
    "linear law in the temperature range where it is\n"
    "dominated by phonon scattering and the di\x1bu-\n"
    "J. Demo Sci. 12 (2024) 1\u20134",
    "Smith et al. Heat in confined fluids 3\n"
    "sion length \u03bb grows as \u221at.\n"
    "3 Conclusions\n"
    "Heat di\x1buses anomalously in con\x1cned \x1duids.\n"
    "Acknowledgements\n"
    "We thank the Demo Foundation for funding.\n"
    "References\n"
    "[1] A. Author, J. Demo Sci. 1 (2020) 1\u20134.\n"
    "[2] B. Author, Phys. Demo 2 (2021) 5.\n"
    "J. Demo Sci. 12 (2024) 1\u20134",
]

# What pypdf gives for a one-column Word paper: soft hyphens, no-break
# spaces, a footer "Page N of M", a header repeated on every page.
WORD_ONE_COLUMN_PAGES = [
    "Preprint \u2013 under review\n"
    "Soil Moisture Memory in Semi\u2011Arid Grasslands\n"
    "Maria Lopez and Kwame Mensah\n"
    "ABSTRACT\n"
    "Soil moisture persists for weeks after rain\u00a0events in semi-arid grasslands, and this\n"
    "memory controls the evapo\u00ad\n"
    "transpiration flux during dry spells.\n"
    "Page 1 of 3",
    "Preprint \u2013 under review\n"
    "1. INTRODUCTION\n"
    "Grassland soils store water in the top\u200b 30 cm.\n"
    "\n\n\n"
    "Rainfall pulses recharge this layer.   \n"
    "Page 2 of 3",
    "Preprint \u2013 under review\n"
    "2. CONCLUSIONS\n"
    "Memory lasts about 12 days.\n"
    "Funding This work was supported by the Demo Water Agency.\n"
    "LITERATURE CITED\n"
    "Lopez, M. (2020). Soil water. Demo Hydrology, 4, 1\u201310.\n"
    "Page 3 of 3",
]


class TestNormalizeLigatures:
    def test_unicode_ligatures_become_letters(self):
        assert normalize_ligatures("e\ufb03cient \ufb01eld \ufb02ow o\ufb00set wa\ufb04e \ufb05op \ufb06ep") == (
            "efficient field flow offset waffle stop step"
        )

    def test_t1_font_control_characters_become_ligatures_and_dashes(self):
        assert normalize_ligatures("di\x1busion con\x1cned \x1duid e\x1ecient ba\x1fe 1\x154 a\x16b") == (
            "diffusion confined fluid efficient baffle 1\u20134 a\u2014b"
        )

    def test_odd_spaces_become_plain_spaces_and_invisible_characters_go(self):
        text = "25\u00a0K and 3\u202fnm\u2009wide\u200b, zero\u200dwidth\ufeff\ttab"
        assert normalize_ligatures(text) == "25 K and 3 nm wide, zerowidth tab"

    def test_soft_hyphen_vanishes_inside_a_line_and_marks_a_break_at_its_end(self):
        assert normalize_ligatures("evapo\u00adration") == "evaporation"
        assert normalize_ligatures("evapo\u00ad\nration") == "evapo-\nration"

    def test_unicode_hyphens_become_ascii_hyphens(self):
        assert normalize_ligatures("semi\u2011arid non\u2010linear") == "semi-arid non-linear"

    def test_greek_math_and_units_survive(self):
        text = "\u03b1 \u03b2 \u0394T \u00b5m 25 \u00b0C x\u00b2 \u00bd \u2264 \u00b1 \u221a \u2211 \u03bc"
        assert normalize_ligatures(text) == text
        # The angstrom sign is the letter \u00c5 by Unicode's own equivalence (NFC), so searches for either find it.
        assert normalize_ligatures("2 \u212b") == "2 \u00c5"

    def test_a_letter_and_its_combining_accent_become_one_letter(self):
        assert normalize_ligatures("Rodri\u0301guez-Pe\u0301rez, Ju\u0308rgen") == "Rodr\u00edguez-P\u00e9rez, J\u00fcrgen"

    def test_carriage_returns_and_form_feeds_become_line_breaks(self):
        assert normalize_ligatures("a\r\nb\rc\x0cd") == "a\nb\nc\nd"


class TestJoinHyphenated:
    def test_rest_of_a_broken_word_moves_up_and_lines_stay_lines(self):
        assert join_hyphenated("the diffu-\nsion of heat\nis slow") == "the diffusion\nof heat\nis slow"

    def test_punctuation_glued_to_the_tail_moves_with_it(self):
        assert join_hyphenated("the diffu-\nsion, in turn\n") == "the diffusion,\nin turn\n"

    def test_a_tail_alone_on_its_line_leaves_no_empty_line(self):
        assert join_hyphenated("heat diffu-\nsion\nnext line") == "heat diffusion\nnext line"

    def test_capitalised_or_numeric_tail_keeps_the_hyphen(self):
        assert join_hyphenated("the Navier-\nStokes equation") == "the Navier-Stokes\nequation"
        assert join_hyphenated("during COVID-\n19 lockdowns") == "during COVID-19\nlockdowns"

    def test_single_letter_digit_or_inner_capital_head_keeps_the_hyphen(self):
        assert join_hyphenated("soft X-\nray beams") == "soft X-ray\nbeams"
        assert join_hyphenated("a 3-\nfold rise") == "a 3-fold\nrise"
        assert join_hyphenated("GaN-\nbased devices") == "GaN-based\ndevices"

    def test_compound_that_already_has_hyphens_keeps_them(self):
        assert join_hyphenated("a state-\nof-the-art method") == "a state-of-the-art\nmethod"
        assert join_hyphenated("a state-of-\nthe-art method") == "a state-of-the-art\nmethod"

    def test_tail_shorter_than_three_letters_is_the_authors_hyphen(self):
        assert join_hyphenated("a lock-\nin amplifier and follow-\nup visits") == ("a lock-in\namplifier and follow-up\nvisits")

    def test_self_and_well_keep_their_hyphen(self):
        assert join_hyphenated("a self-\nconsistent and well-\nknown result") == ("a self-consistent\nand well-known\nresult")

    def test_ambiguous_prefix_joins_unless_the_paper_spells_it_with_a_hyphen(self):
        assert join_hyphenated("a non-\nlinear law") == "a nonlinear\nlaw"
        hyphen_elsewhere = "a non-linear fit\nand a non-\nlinear law"
        assert join_hyphenated(hyphen_elsewhere) == "a non-linear fit\nand a non-linear\nlaw"

    def test_joined_spelling_elsewhere_wins(self):
        assert join_hyphenated("the background is flat\nthe back-\nground is flat") == ("the background is flat\nthe background\nis flat")

    def test_two_words_of_the_text_form_a_compound(self):
        text = "a steady flow in a steady-\nstate; the state is stable"
        assert join_hyphenated(text) == "a steady flow in a steady-state;\nthe state is stable"

    def test_closed_compound_of_function_words_is_joined(self):
        text = "more results and further checks; further-\nmore, more data"
        assert join_hyphenated(text) == "more results and further checks; furthermore,\nmore data"

    def test_hyphen_before_a_blank_line_or_a_dash_is_left_alone(self):
        assert join_hyphenated("a list -\nitem") == "a list -\nitem"
        assert join_hyphenated("word-\n\nNext paragraph") == "word-\n\nNext paragraph"

    def test_text_without_breaks_is_unchanged(self):
        text = "Plain text with a well-known compound\nand two lines."
        assert join_hyphenated(text) == text


class TestStripRunningLines:
    def test_repeated_header_and_footer_go_with_digits_masked(self):
        pages = [
            "J. Demo Sci. 12 (2024) 1-4\nTitle of the paper\nFirst page text.\n1",
            "Smith et al.\nSecond page text.\nJ. Demo Sci. 12 (2024) 1-4\n2",
            "Smith et al.\nThird page text.\nJ. Demo Sci. 12 (2024) 1-4\n3",
        ]
        assert strip_running_lines(pages) == [
            "Title of the paper\nFirst page text.",
            "Second page text.",
            "Third page text.",
        ]

    def test_running_head_with_changing_page_number_goes(self):
        pages = [
            "Heat in Fluids 7\nBody one.",
            "Heat in Fluids 8\nBody two.",
        ]
        assert strip_running_lines(pages) == ["Body one.", "Body two."]

    def test_running_title_goes_from_the_first_page_too(self):
        pages = ["HEAT IN FLUIDS\nPaper title\nBody.", "HEAT IN FLUIDS\nBody two."]
        assert strip_running_lines(pages) == ["Paper title\nBody.", "Body two."]

    def test_lone_page_numbers_of_every_form_go_at_page_edges(self):
        pages = ["3\nBody a.", "Body b.\n- 4 -", "Body c.\nPage 5 of 10", "Body d.\n6 of 10", "Body e.\n\u2013 7 \u2013"]
        assert strip_running_lines(pages) == ["Body a.", "Body b.", "Body c.", "Body d.", "Body e."]

    def test_single_occurrence_line_at_a_page_top_is_kept(self):
        pages = [
            "Title\nIntro text.",
            "Thermal transport in thin films\nmore text.",
            "Conclusions\nfinal text.",
        ]
        assert strip_running_lines(pages) == pages

    def test_number_inside_the_page_is_kept(self):
        pages = ["Header A\nTable 1\n0.5\n12\n0.7\nText after the table.\nBody.\nEnd."]
        assert strip_running_lines(pages) == pages

    def test_journal_citation_line_goes_even_when_it_occurs_once(self):
        pages = ["Title line\nBody.", "J. Demo Sci. 12 (2024) 1\u20134 Smith et al.\nMore body."]
        assert strip_running_lines(pages) == ["Title line\nBody.", "More body."]

    def test_first_page_footnotes_at_the_page_bottom_go(self):
        page = (
            "Title\nBody text.\n"
            "*Corresponding author: a.demo@demo.example\n"
            "Received 3 March 2023; accepted 9 May 2023\n"
            "\u00a9 2023 Demo Press"
        )
        assert strip_running_lines([page]) == ["Title\nBody text."]

    def test_a_single_page_keeps_its_lines_but_loses_its_number(self):
        assert strip_running_lines(["Only page.\nSecond line.\n1"]) == ["Only page.\nSecond line."]

    def test_no_pages_gives_no_pages(self):
        assert strip_running_lines([]) == []


class TestCutBackMatter:
    def test_references_heading_cuts_everything_after_it(self):
        text = "Body.\nConclusions\nDone.\nReferences\n[1] A. Author, 2020.\nAppendix A\nProof."
        assert cut_back_matter(text) == "Body.\nConclusions\nDone."

    def test_numbered_upper_case_and_other_names_are_headings(self):
        for heading in [
            "7 References",
            "REFERENCES",
            "VII. REFERENCES",
            "Bibliography",
            "Literature Cited",
            "Works Cited",
            "References and Notes",
            "References:",
        ]:
            assert cut_back_matter(f"Body text.\n{heading}\n[1] Ref.") == "Body text.", heading

    def test_mid_sentence_mention_of_references_is_not_a_heading(self):
        text = "Body, see the references in [3].\nreferences\nThe references cited above.\nMore."
        assert cut_back_matter(text) == text

    def test_acknowledgements_right_before_references_go_too(self):
        text = "4 Conclusions\nDone.\nAcknowledgements\nWe thank X.\nFunding\nGrant 1.\nReferences\n[1] Ref."
        assert cut_back_matter(text) == "4 Conclusions\nDone."

    def test_run_in_acknowledgement_and_funding_headings_count(self):
        text = "Conclusion\nDone.\nAcknowledgments. We thank X.\nReferences\n[1] Ref."
        assert cut_back_matter(text) == "Conclusion\nDone."
        text = "Conclusion\nDone.\nFunding This work was funded by Y.\nReferences\n[1] Ref."
        assert cut_back_matter(text) == "Conclusion\nDone."

    def test_acknowledgements_after_the_conclusion_go_without_a_reference_heading(self):
        text = "5 Conclusion\nDone.\nACKNOWLEDGMENTS\nWe thank X.\n1. Smith, J. (2020)."
        assert cut_back_matter(text) == "5 Conclusion\nDone."

    def test_acknowledgements_without_conclusion_or_references_stay(self):
        text = "Results\nSome data.\nAcknowledgements\nWe thank X."
        assert cut_back_matter(text) == text

    def test_sentence_starting_with_funding_is_not_a_heading(self):
        text = "Conclusion\nDone.\nFunding agencies had no role in the design.\nReferences\n[1] Ref."
        assert cut_back_matter(text) == "Conclusion\nDone.\nFunding agencies had no role in the design."

    def test_acknowledgements_before_a_section_of_the_paper_stay(self):
        text = "Acknowledgements\nWe thank X.\n2 Methods\nWe did Y.\nReferences\n[1] Ref."
        assert cut_back_matter(text) == "Acknowledgements\nWe thank X.\n2 Methods\nWe did Y."

    def test_text_without_back_matter_is_unchanged(self):
        text = "1 Introduction\nText.\n2 Results\nMore text."
        assert cut_back_matter(text) == text


class TestCleanPages:
    def test_two_column_latex_paper(self):
        clean = clean_pages(LATEX_TWO_COLUMN_PAGES)
        assert clean == (
            "Anomalous Diffusion of Heat in Confined Fluids\n"
            "John Smith1,2 Ana Demo2\u2217\n"
            "1Department of Physics, Demo University\n"
            "Abstract\n"
            "We study the efficient diffusion of heat in confined\n"
            "fluids.\n"
            "1 Introduction\n"
            "The diffusion of heat in confined fluids is a state-of-the-art\n"
            "problem. Earlier work measured the heat\n"
            "capacity of thin layers with X-ray\n"
            "reflectivity and a differential\n"
            "method.\n"
            "2 Materials and Methods\n"
            "Samples were prepared from water at 25 \u00b0C and\n"
            "the thermal conductivity\n"
            "was measured with a µm-scale probe. The\n"
            "transport coefficient follows a nonlinear\n"
            "law in the temperature range where it is\n"
            "dominated by phonon scattering and the diffusion\n"
            "length \u03bb grows as \u221at.\n"
            "3 Conclusions\n"
            "Heat diffuses anomalously in confined fluids."
        )

    def test_one_column_word_paper(self):
        clean = clean_pages(WORD_ONE_COLUMN_PAGES)
        assert clean == (
            "Soil Moisture Memory in Semi-Arid Grasslands\n"
            "Maria Lopez and Kwame Mensah\n"
            "ABSTRACT\n"
            "Soil moisture persists for weeks after rain events in semi-arid grasslands, and this\n"
            "memory controls the evapotranspiration\n"
            "flux during dry spells.\n"
            "1. INTRODUCTION\n"
            "Grassland soils store water in the top 30 cm.\n"
            "\n"
            "Rainfall pulses recharge this layer.\n"
            "2. CONCLUSIONS\n"
            "Memory lasts about 12 days."
        )

    def test_empty_input_gives_empty_text(self):
        assert clean_pages([]) == ""
        assert clean_pages(["", "  \n "]) == ""


def test_pages_of_glyph_codes_are_decoded_and_ordinary_slashes_are_not():
    from papergym.core.ingest.clean import decode_glyph_codes

    coded = "/68/97/116/97 /67/111/109/112/114/101/115/115/105/111/110\n/68/101/98/114/97 /12/108/101"
    assert decode_glyph_codes(coded) == "Data Compression\nDebra file"
    plain = "We compare 1/2 and 3/4 of the runs in /home/data/12 with the baseline of section 3."
    assert decode_glyph_codes(plain) == plain
    path = "see /1/2/3 in the appendix of the paper, where the remaining runs are listed"
    assert decode_glyph_codes(path) == path
    assert decode_glyph_codes("/82/233/115/117/109/233 /82/233/115/117/109/233") == "R\u00e9sum\u00e9 R\u00e9sum\u00e9"


def test_pages_whose_digits_and_punctuation_are_named_by_slashes_are_decoded():
    from papergym.core.ingest.clean import decode_glyph_codes

    page = "Predicate Dispatching/:\nA Uni/\x0ced Theory\nMichael Ernst/, Craig Kaplan/,\nSeattle/, WA/, USA /9/8/1/9/5\nhttp/:////www/.cs/.edu//\nOkapi at TREC/{/3"
    assert decode_glyph_codes(page) == (
        "Predicate Dispatching:\nA Unified Theory\nMichael Ernst, Craig Kaplan,\nSeattle, WA, USA 98195\nhttp://www.cs.edu/\nOkapi at TREC\u20133"
    )
    ordinary = "We compare 1/2 and km/h, and/or the runs in /home/data/12 (see http://example.org/a/b, 12/05/2001)."
    assert decode_glyph_codes(ordinary) == ordinary


def test_pages_whose_glyphs_are_named_in_base_36_are_decoded():
    from papergym.core.ingest.clean import decode_glyph_codes

    # An old dvips bitmap font (the ISCA archive's): each glyph named by its code plus 360 in base 36. pypdf
    # writes "/CR" ("c") as a carriage return and "/BS" ("@") as a backspace, the characters those names have
    # in Adobe's glyph list; codes 2 and 3 are the "fi" and "fl" ligatures, and 147 and 148 Windows' quotes.
    page = "/BT /C5/D9/D0/D8/CX/D0/CX/D2/CV/D9/CP/D0 /CB/D4/CT/CT\r/CW\n/CS/CT/A2/D2/CT /CQ/D6/CX/CT/A3/DD /E3/CV/CP/D1/CT/E4 /D9\x08/D9/D2/CX/CV/CT/BA\r/CW"
    assert decode_glyph_codes(page) == "A Multilingual Speech\ndefine briefly \u201cgame\u201d u@unige.ch"
    ordinary = "The runs in /AB/CD and /data/XY/12 go on as ordinary text, as do the words around them here."
    assert decode_glyph_codes(ordinary) == ordinary


def test_8r_ligature_codes_inside_words_become_fi_and_fl():
    text = "the re\x02nement of con\x02guration, a \x03exible and brie\x03y\nAndrew War\x02eld\nnodes \x02 and \x03 stay"
    assert normalize_ligatures(text) == "the refinement of configuration, a flexible and briefly\nAndrew Warfield\nnodes \x02 and \x03 stay"
