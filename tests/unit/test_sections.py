"""Splitting clean paper text into sections, on literal imitations of real papers."""

import json
from pathlib import Path

import pytest
from papergym.core.ingest.sections import SECTION_KINDS, Section, find_abstract, split_sections

DEMO_PAPERS = Path(__file__).resolve().parents[2] / "assets" / "demo_papers"
EXPECTED_PATH = DEMO_PAPERS / "expected.json"
DEMO_FILES = sorted(json.loads(EXPECTED_PATH.read_text())) if EXPECTED_PATH.exists() else []

LATEX_PAPER = """\
Anomalous Diffusion of Heat in Confined Fluids
John Smith1,2 Ana Demo2
1Department of Physics, Demo University
Abstract
We study the diffusion of heat in confined
fluids.
1 Introduction
Heat diffuses slowly.
Results show that earlier models fail, as shown in
2 Materials and Methods
2.1 Sample preparation
Samples were cut.
2.2 Measurements
3 Results and Discussion
The conductivity rises.
4 Conclusions
Heat diffuses anomalously."""


def headings(sections):
    return [(section.kind, section.heading) for section in sections]


def test_section_kinds_are_the_documented_ones():
    assert SECTION_KINDS == ("abstract", "introduction", "methods", "results", "discussion", "conclusion", "other")


def test_numbered_latex_paper_splits_at_top_level_headings():
    sections = split_sections(LATEX_PAPER)
    assert headings(sections) == [
        ("other", "front matter"),
        ("abstract", "Abstract"),
        ("introduction", "Introduction"),
        ("methods", "Materials and Methods"),
        ("results", "Results and Discussion"),
        ("conclusion", "Conclusions"),
    ]
    assert sections[0].text == (
        "Anomalous Diffusion of Heat in Confined Fluids\nJohn Smith1,2 Ana Demo2\n1Department of Physics, Demo University"
    )
    assert sections[3].text == "2.1 Sample preparation\nSamples were cut.\n2.2 Measurements"


def test_line_starting_with_results_is_not_a_heading():
    sections = split_sections(LATEX_PAPER)
    assert sections[2].text == "Heat diffuses slowly.\nResults show that earlier models fail, as shown in"


def test_sections_are_frozen_dataclasses():
    section = split_sections("Introduction\nText.")[0]
    assert section == Section("introduction", "Introduction", "Text.")
    with pytest.raises(AttributeError):
        section.kind = "other"  # type: ignore[misc]


def test_unnumbered_headings_of_a_word_paper():
    text = (
        "Title\nABSTRACT\nShort abstract.\nINTRODUCTION\nIntro.\nMATERIALS AND METHODS\nMethods text.\n"
        "RESULTS\nResults text.\nDISCUSSION\nDiscussion text.\nCONCLUSIONS\nThe end."
    )
    assert headings(split_sections(text)) == [
        ("other", "front matter"),
        ("abstract", "ABSTRACT"),
        ("introduction", "INTRODUCTION"),
        ("methods", "MATERIALS AND METHODS"),
        ("results", "RESULTS"),
        ("discussion", "DISCUSSION"),
        ("conclusion", "CONCLUSIONS"),
    ]


def test_roman_numbered_ieee_headings_with_split_small_capitals():
    text = (
        "Abstract\u2014We build a sensor.\nIndex Terms\u2014sensors, heat\n"
        "I. I NTRODUCTION\nSensors matter.\nA. Prior Designs\nMany exist.\n"
        "II. R ESULTS AND D ISCUSSION\nIt works.\nIII. CONCLUSION\nDone."
    )
    sections = split_sections(text)
    assert headings(sections) == [
        ("abstract", "Abstract"),
        ("other", "Index Terms"),
        ("introduction", "INTRODUCTION"),
        ("results", "RESULTS AND DISCUSSION"),
        ("conclusion", "CONCLUSION"),
    ]
    assert sections[0].text == "We build a sensor."
    assert sections[2].text == "Sensors matter.\nA. Prior Designs\nMany exist."


@pytest.mark.parametrize(
    "line, expected_text",
    [
        ("Abstract\u2014We study heat.", "We study heat."),
        ("Abstract. We study heat.", "We study heat."),
        ("ABSTRACT: We study heat.", "We study heat."),
        ("Abstract We study heat.", "We study heat."),
    ],
)
def test_inline_abstract_forms(line, expected_text):
    sections = split_sections(f"Title of paper\n{line}\nSecond line.\nIntroduction\nText.")
    assert find_abstract(sections) == f"{expected_text}\nSecond line."


def test_abstract_as_a_word_in_a_sentence_is_not_a_heading():
    text = "Introduction\nAbstract reasoning is hard.\nabstract: lower case."
    assert headings(split_sections(text)) == [("introduction", "Introduction")]


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("Materials and Methods", "methods"),
        ("Experimental", "methods"),
        ("Experimental Section", "methods"),
        ("Experimental Procedures", "methods"),
        ("Methodology", "methods"),
        ("METHODS", "methods"),
        ("Results and Discussion", "results"),
        ("Results & Discussion", "results"),
        ("Discussion and Conclusions", "discussion"),
        ("Conclusions", "conclusion"),
        ("Concluding Remarks", "conclusion"),
        ("Background", "introduction"),
        ("Related Work", "introduction"),
        ("Conclusions and Outlook", "conclusion"),
        ("Discussion", "discussion"),
        ("Introduction:", "introduction"),
    ],
)
def test_heading_names_map_to_kinds(heading, kind):
    sections = split_sections(f"Introduction\nText.\n{heading}\nMore text.")
    assert sections[-1].kind == kind


def test_summary_at_the_end_is_a_conclusion_and_at_the_start_an_abstract():
    end = split_sections("Introduction\nText.\nSummary\nWe found X.")
    assert headings(end)[-1] == ("conclusion", "Summary")
    start = split_sections("Title\nSummary\nWe study X.\nIntroduction\nText.")
    assert headings(start)[1] == ("abstract", "Summary")


def test_numbered_unknown_title_is_an_other_section():
    text = "1 Introduction\nText.\n2 Theory of Heat Flow\nEquations.\n3 Results\nData."
    assert headings(split_sections(text)) == [
        ("introduction", "Introduction"),
        ("other", "Theory of Heat Flow"),
        ("results", "Results"),
    ]


def test_sentence_case_numbered_heading_needs_to_continue_the_numbering():
    text = "1 Introduction\nText.\n2 Sample growth\nGrown.\n7 Cells were counted\nCounted."
    sections = split_sections(text)
    assert headings(sections) == [("introduction", "Introduction"), ("other", "Sample growth")]
    assert sections[-1].text == "Grown.\n7 Cells were counted\nCounted."


def test_wrapped_sentences_that_start_with_a_number_are_not_headings():
    text = (
        "1 Introduction\nThe sample was held for\n2 Hours at 300 K and then\n"
        "2 The films were deposited on silicon at\nroom temperature.\n3 mm thick samples.\n"
        "12 K for two hours.\n2D materials matter\n"
    )
    assert headings(split_sections(text)) == [("introduction", "Introduction")]


def test_affiliation_lines_with_numbers_stay_in_front_matter():
    text = "Title\n1 Department of Physics, Demo University\n2 Institute of Flows\nAbstract\nText.\n1 Introduction\nMore."
    sections = split_sections(text)
    assert headings(sections)[0] == ("other", "front matter")
    assert "Institute of Flows" in sections[0].text


def test_unnumbered_heading_inside_a_numbered_paper_is_a_subsection():
    text = "1 Introduction\nText.\n2 Experiments\nSetup.\nResults\nParagraph title.\n3 Conclusion\nDone."
    sections = split_sections(text)
    assert [section.heading for section in sections] == ["Introduction", "Experiments", "Conclusion"]
    assert sections[1].text == "Setup.\nResults\nParagraph title."


def test_unnumbered_abstract_and_acknowledgements_around_numbered_sections_count():
    text = "Abstract\nShort.\n1 Introduction\nText.\n2 Conclusion\nDone.\nAcknowledgements\nThanks."
    assert headings(split_sections(text))[-1] == ("other", "Acknowledgements")


def test_structured_abstract_labels_stay_inside_the_abstract():
    text = "Abstract\nBackground\nWhy.\nMethods\nHow.\nResults\nWhat.\nConclusions\nSo.\nIntroduction\nLong intro.\nMethods\nLong methods."
    sections = split_sections(text)
    assert headings(sections) == [
        ("abstract", "Abstract"),
        ("introduction", "Introduction"),
        ("methods", "Methods"),
    ]
    assert find_abstract(sections) == "Background\nWhy.\nMethods\nHow.\nResults\nWhat.\nConclusions\nSo."


def test_one_sentence_in_the_front_matter_is_not_taken_for_an_abstract():
    text = "A Title\nA. Author\nThis paper studies heat in fluids.\n1 Introduction\nText."
    sections = split_sections(text)
    assert find_abstract(sections) == ""
    assert sections[0].heading == "front matter"


def test_empty_sections_are_dropped_and_paragraph_breaks_kept():
    text = "Introduction\n\nMethods\nFirst paragraph.\n\nSecond paragraph.\n"
    sections = split_sections(text)
    assert headings(sections) == [("methods", "Methods")]
    assert sections[0].text == "First paragraph.\n\nSecond paragraph."


def test_text_without_headings_is_all_front_matter():
    assert split_sections("Just some text.\nMore.") == [Section("other", "front matter", "Just some text.\nMore.")]
    assert split_sections("") == []


def test_number_glued_to_a_known_heading_is_read():
    assert headings(split_sections("1Introduction\nText.\n2Methods\nMore.")) == [
        ("introduction", "Introduction"),
        ("methods", "Methods"),
    ]


@pytest.mark.parametrize("file_name", DEMO_FILES)
def test_demo_papers_split_into_their_expected_sections(file_name):
    from papergym.core.ingest.clean import clean_pages
    from pypdf import PdfReader

    if not (DEMO_PAPERS / file_name).exists():
        pytest.skip(f"{file_name} not built")
    expected = json.loads(EXPECTED_PATH.read_text())[file_name]
    pages = [page.extract_text() for page in PdfReader(DEMO_PAPERS / file_name).pages]
    clean = clean_pages(pages)
    sections = split_sections(clean)
    found = [section.heading.lower() for section in sections if section.kind != "abstract"][1:]
    back_matter = {"acknowledgements", "acknowledgments", "references"}
    wanted = [heading.lower() for heading in expected["sections"] if heading.lower() not in back_matter]
    assert found == wanted
    assert find_abstract(sections)
    if expected.get("running_header"):
        assert expected["running_header"] not in clean


NATURE_STYLE_FRONT_MATTER = """\
Strain-tunable excitons in monolayer tungsten diselenide
Mira Castellanos1, Tobias Lindqvist2 & Hana Okafor1
Received: 3 March 2022 / Accepted: 1 May 2023
© The Author(s) 2023. This article is licensed under a Creative Commons Attribution 4.0 International License,
which permits use, sharing, adaptation, distribution and reproduction in any medium or format.
Excitons in monolayer semiconductors are bound so tightly that they dominate the optical response
even at room temperature, and their energies shift with strain in ways that earlier models did not
capture. Here we bend flakes of tungsten diselenide on a flexible substrate and follow the exciton
energy, linewidth and brightness as the strain rises to two per cent. The energy falls linearly at a
rate that matches first-principles calculations, while the dark exciton brightens.
Excitons govern light emission in two-dimensional semiconductors. Strain is a clean way to tune them."""


def test_unlabelled_abstract_is_the_first_prose_paragraph_after_the_licence():
    sections = split_sections(NATURE_STYLE_FRONT_MATTER + "\nIntroduction\nBody text.")
    abstract = find_abstract(sections)
    assert abstract.startswith("Excitons in monolayer semiconductors are bound so tightly")
    assert "Creative Commons" not in abstract and "Received" not in abstract


def test_a_labelled_abstract_wins_over_the_unlabelled_guess():
    text = NATURE_STYLE_FRONT_MATTER + "\nAbstract\nThe labelled one.\nIntroduction\nBody."
    assert find_abstract(split_sections(text)) == "The labelled one."


def test_letter_spaced_abstract_heading_is_read():
    text = "A Title Here\nA. Author\nA B S T R A C T\nWe study heat.\n1. Introduction\nBody."
    sections = split_sections(text)
    assert find_abstract(sections) == "We study heat."
    assert [section.kind for section in sections] == ["other", "abstract", "introduction"]


def test_run_in_main_headings_split_the_body():
    text = "A Title Here\nAbstract\nWe study heat.\nIntroduction. Heat diffuses slowly in fluids.\n2. Methods: Samples were cut.\nRESULTS \u2014 The conductivity rises.\nMore results."
    sections = split_sections(text)
    assert headings(sections) == [
        ("other", "front matter"),
        ("abstract", "Abstract"),
        ("introduction", "Introduction"),
        ("methods", "Methods"),
        ("results", "Results"),
    ]
    assert sections[2].text == "Heat diffuses slowly in fluids."
    assert sections[4].text == "The conductivity rises.\nMore results."


def test_a_sentence_that_starts_with_a_heading_word_is_not_run_in():
    sections = split_sections("Introduction\nResults of earlier work differ.\nMethods in this field vary.")
    assert headings(sections) == [("introduction", "Introduction")]


def test_unlabelled_abstract_after_a_title_block_that_follows_the_body_in_reading_order():
    prose = "\n".join(f"The electrochemical processes that underlie neural function show in field line {n}." for n in range(4))
    text = f"Neurons communicate via synapses in the brain.\nRESULTS\nWe built a setup.\nEphaptic coupling of cortical neurons\nCostas Anastassiou1, Christof Koch2\n{prose}"
    assert find_abstract(split_sections(text), "Ephaptic coupling of cortical neurons").startswith("The electrochemical processes")


def test_an_unlabelled_abstract_may_say_keywords_in_its_prose():
    front = (
        "Efficient String Matching\nAlfred V. Aho and Margaret J. Corasick\nBell Laboratories\n"
        "This paper describes a simple, efficient algorithm to\nlocate all occurrences of any of a finite number of keywords\n"
        "in a string of text. The algorithm consists of constructing\na finite state pattern matching machine from the\n"
        "keywords and then using the pattern matching machine\nto process the text string in a single pass.\n"
        "Keywords and Phrases: keywords and phrases, string\n"
    )
    abstract = find_abstract(split_sections(front + "1. Introduction\nBody text of the paper goes here.\n"))
    assert abstract.startswith("This paper describes") and abstract.endswith("in a single pass.")


def test_an_abstract_printed_after_the_keywords_column_is_found():
    text = (
        "Implementing the Omega failure detector\nCristian Martin, Mikel Larrea\narticle info abstract\nArticle history:\n"
        "Received 23 July 2007\nKeywords:\nDistributed algorithms\nConsensus\n"
        "Unreliable failure detectors are mechanisms providing information about process failures,\n"
        "that allow to solve several problems in asynchronous systems, e.g., Consensus. A particular\n"
        "failure detector, Omega, provides an eventual leader election functionality to all the processes of the distributed system at hand.\n"
        "1. Introduction\nUnreliable failure detectors were proposed by Chandra and Toueg as a mechanism.\n"
    )
    assert find_abstract(split_sections(text)).startswith("Unreliable failure detectors are mechanisms")


@pytest.mark.parametrize(
    "label", ["Additional Key Words and Phrases: string matching, automata", "KEYWORDS string matching, automata, search"]
)
def test_acm_keyword_labels_end_an_unlabelled_abstract(label):
    front = (
        "Efficient String Matching\nAlfred V. Aho and Margaret J. Corasick\nBell Laboratories\n"
        "This paper describes a simple, efficient algorithm to\nlocate all occurrences of any of a finite number of keywords\n"
        "in a string of text. The algorithm consists of constructing\na finite state pattern matching machine from the\n"
        f"keywords and then using the pattern matching machine\nto process the text string in a single pass.\n{label}\n"
    )
    abstract = find_abstract(split_sections(front + "1. Introduction\nBody text of the paper goes here.\n"))
    assert abstract.endswith("in a single pass.")


def test_a_letter_spaced_abstract_heading_cut_after_its_first_letter_is_found():
    text = "A Title\na r t i c l e i n f o\nKeywords:\nEnzymes\na\nb s t r a c t\nL-asparaginase is an enzyme.\nSecond line.\n1. Introduction\nBody."
    assert find_abstract(split_sections(text)).startswith("L-asparaginase is an enzyme.")


def test_an_abstract_after_numbered_affiliations_is_kept():
    # AASTeX numbers its affiliations, which read like numbered headings before the unnumbered abstract.
    page = (
        "THE SIZE DISTRIBUTION OF NEAR EARTH OBJECTS\nD. E. Trilling,1 F. Valdes,2 and L. Allen3\n"
        "1 Department of Physics and Astronomy\nNorthern Arizona University\n2 South African Astronomical Observatory\n"
        "PO Box 9\n3 University of the Western Cape\nBellville\nABSTRACT\n"
        "We analyzed data from the first year of a survey for Near Earth Objects that we are carrying out.\n"
        "1. INTRODUCTION\nNear Earth Objects are minor Solar System bodies whose orbits bring them close to the Earth."
    )
    assert find_abstract(split_sections(page)).startswith("We analyzed data from the first year")


def test_chinese_abstract_and_keywords_headings_run_into_their_text():
    page = (
        "摘要：数字交互时代，数字拟人品兼具了拟人产品互动性、数字产品数字技术内核以及自身内容化，表现出跃迁式成长特征。\n"
        "关键词：数字拟人品 数字技术 拟社会互动\n一、引言\n《纲要》提出文化强国和网络强国的目标，并把虚拟现实列为数字经济重点产业。"
    )
    sections = split_sections(page)
    assert find_abstract(sections).startswith("数字交互时代")
    assert [section.kind for section in sections][:1] == ["abstract"]


def test_a_line_of_initialled_names_after_a_stray_roman_one_is_no_heading():
    text = (
        "Abstract\nThe aim of this study was to examine the heart rate response to competition.\n"
        "Introduction\nWindsurfing is a sport.\nI. Moussa-Chamari \u00c6 M. Chaouachi \u00c6 C. B. Hassen\nInstitut Superieur du Sport\n"
        "Methods\nTen elite windsurfers took part."
    )
    headings = [section.heading for section in split_sections(text)]
    assert "Moussa-Chamari \u00c6 M. Chaouachi \u00c6 C. B. Hassen" not in headings


_PROSE = (
    "We study the critical behavior of dc magnetization in the uranium ferromagnet around\n"
    "the paramagnetic to ferromagnetic phase transition with a modified plot, and a\n"
    "scaling analysis of the isotherms, which the exponents fulfil within their errors, and\n"
    "which we discuss at length in what follows for the uranium compounds here.\n"
)


@pytest.mark.parametrize(
    ("title", "front", "introduction"),
    [
        # The title's second line reads as prose; the abstract is the paragraph after the names.
        (
            "Novel critical behavior of magnetization in URhSi: Similarities to uranium ferromagnetic superconductors UGe2 and URhGe",
            "arXiv:1903.06841v1 [cond-mat.str-el] 15 Mar 2019\nNovel critical behavior of magnetization in URhSi:\n"
            "Similarities to uranium ferromagnetic superconductors UGe2 and URhGe\u2217\nNaoyuki Tateiwa1, Yoshinori Haga1\n",
            "I. INTRODUCTION",
        ),
        # Elsevier's article-info column: the abstract sits under the keywords, the title alone in the front matter.
        (
            "Internal model of gravity influences configural body processing",
            "Original Articles\nInternal model of gravity influences configural body processing\nJulien Barra a, Patrice Senot a\n"
            "article info\nArticle history:\nReceived 15 January 2016\nKeywords:\nPosture\nabstract\n",
            "1. Introduction",
        ),
    ],
)
def test_a_title_in_sentence_case_is_not_taken_for_the_unlabelled_abstract(title, front, introduction):
    sections = split_sections(front + _PROSE + introduction + "\nMany studies.\n")
    assert find_abstract(sections, title).startswith("We study the critical behavior")


def test_a_structured_abstract_without_its_heading_is_the_abstract():
    text = (
        "An epidemiological surveillance of hand foot and mouth disease\nNyo Min, Yasmin Ong\n"
        "Background\nHand, foot and mouth disease is primarily self-resolving in children.\n"
        "Methods\nWe studied symptomatic paediatric cases from 2013 to 2018.\n"
        "Results\nWe found many cases.\n"
        "Introduction\nHand, foot and mouth disease is common in Asia.\n"
    )
    sections = split_sections(text)
    abstract = find_abstract(sections)
    assert abstract.startswith("Hand, foot and mouth disease is primarily") and "We found many cases." in abstract
    assert [section.kind for section in sections if section.heading == "Introduction"] == ["introduction"]


def test_an_abstract_that_mentions_email_ends_at_pnas_bar_keywords():
    text = (
        "Human heuristics for AI-generated language are flawed\nMaurice Jakesch, Jeffrey T. Hancock, and Mor Naaman\n"
        "Edited by Timothy Wilson; received June 29, 2022; accepted December 27, 2022\n"
        "Human communication is increasingly intermixed with language generated by AI.\n"
        "Across chat, email, and social media, AI systems suggest words, complete sentences,\n"
        "or produce entire conversations. AI-generated language is often not identified as such\n"
        "but presented as language written by humans, raising concerns about novel forms.\n"
        "human\u2013AI interaction | language generation | cognitive heuristics | risks of AI\n"
        "Large generative language models produce semantic artifacts closely resembling language\n"
        "created by humans, through applications like smart replies and writing autocompletion.\n"
        "Results\nMore."
    )
    abstract = find_abstract(split_sections(text), "Human heuristics for AI-generated language are flawed")
    assert abstract.startswith("Human communication is increasingly") and abstract.endswith("novel forms.")


def test_a_run_in_summary_is_the_abstract_and_a_sentence_about_summaries_is_not():
    text = (
        "Discovering the false discovery rate\nYoav Benjamini\nTel Aviv University, Israel\n"
        "Summary. I describe the background for the paper by Benjamini and Hochberg.\n"
        "Keywords: False coverage rate; Multiple comparisons\n1. Background\nOur work began.\n2. Methods\nText.\n"
    )
    sections = split_sections(text)
    assert headings(sections)[1] == ("abstract", "Summary")
    assert sections[1].text.startswith("I describe the background")
    prose = split_sections("A Title\nJane Roe\nIntroduction\nText.\nSummary statistics were computed for each site.\n")
    assert "Summary" not in [title for _, title in headings(prose)]


def test_cell_press_summary_after_the_graphical_abstract_page_is_the_abstract():
    text = (
        "Article\nA Title Here\nGraphical Abstract\nHighlights\nd Ions mediate the change\nIn Brief\nSmith et al. show it.\n"
        "Structure\nArticle\nA Title Here\nJane Roe and John Doe\nSUMMARY\nDengue is a virus.\nINTRODUCTION\nText.\n"
    )
    assert ("abstract", "SUMMARY") in headings(split_sections(text))
    # A closing summary after a front-matter heading stays a conclusion.
    closing = split_sections("Highlights\nd A point\nIntroduction\nText.\nSummary\nWe found X.")
    assert headings(closing)[-1] == ("conclusion", "Summary")


def test_a_reproducibility_summary_is_the_abstract():
    text = (
        "[Re] A Title Here\nJane Roe\nReproducibility Summary\nScope of Reproducibility \u2014 We replicate a model.\nIntroduction\nBody."
    )
    assert find_abstract(split_sections(text)).startswith("Scope of Reproducibility")


def test_numbers_do_not_keep_a_prose_line_from_opening_the_abstract():
    text = (
        "Minimum Wages and Employment\n"
        "On April 1, 1992, New Jersey's minimum wage rose from $4.25 to $5.05 per\n"
        "hour. To evaluate the impact of the law we surveyed 410 fast-food restaurants in\n"
        "New Jersey and eastern Pennsylvania before and after the rise. Comparisons of\n"
        "employment growth at stores in New Jersey and Pennsylvania provide estimates.\n"
        "Introduction\nBody."
    )
    assert find_abstract(split_sections(text), "Minimum Wages and Employment").startswith("On April 1, 1992")


def test_prose_that_says_corresponding_stays_in_the_abstract_and_a_correspondence_line_does_not():
    text = (
        "Structure of High-Pressure Supercooled and Glassy Water\nRiccardo Foffi and Francesco Sciortino\n"
        "We numerically investigate the structure of deep supercooled and glassy water under pressure, covering\n"
        "the range of densities corresponding to the experimentally produced high- and very-high-density\n"
        "amorphous phases. At this temperature, a continuous increase in density is observed on varying pressure\n"
        "from 2.5 to 13 kbar, with no signs of first-order transitions in the simulated water.\n"
        "Corresponding author: Riccardo Foffi, Sapienza University\n"
        "Introduction\nBody."
    )
    abstract = find_abstract(split_sections(text), "Structure of High-Pressure Supercooled and Glassy Water")
    assert abstract.endswith("in the simulated water.") and "Corresponding author" not in abstract


def test_bars_in_formulas_do_not_end_the_abstract_and_numbers_alone_do_not_open_one():
    text = (
        "A Title Here\nJane Roe\n"
        "We model the joint law of the data with p(y | x) and p(x | z) and p(z | w) jointly in one model,\n"
        "and we show that the resulting estimator is consistent under mild conditions on the data.\n"
        "Our experiments on three corpora confirm the theory and show gains over earlier methods.\n"
        "Introduction\nBody."
    )
    assert find_abstract(split_sections(text), "A Title Here").startswith("We model the joint law")
    numbers = "A Title Here\nJane Roe\n0.12 0.34 0.56 0.78 0.91 1.00\n" + text.split("Jane Roe\n", 1)[1]
    assert find_abstract(split_sections(numbers), "A Title Here").startswith("We model the joint law")


def test_a_structured_abstracts_label_in_capitals_opens_it_though_its_line_is_mostly_names():
    text = """Association of Short-term Exposure to Air Pollution
With Mortality in Older Adults
Qian Di, MS; Lingzhen Dai, ScD; Yun Wang, PhD
IMPORTANCE The US Environmental Protection Agency is required to reexamine its National
Ambient Air Quality Standards (NAAQS) every 5 years, but evidence of mortality risk is lacking
at air pollution levels below the current daily standards in the population of older adults.
OBJECTIVE To estimate the association between short-term exposures to ambient fine particulate
matter and ozone, and at levels below the current daily standards, and mortality in the continental US.
Methods
Body."""
    assert find_abstract(split_sections(text)).startswith("IMPORTANCE The US Environmental Protection Agency")


def test_history_words_in_an_abstracts_prose_do_not_end_it():
    # The AEA's abstract has no heading and says "accepted" and "published" in its prose; a history line is no prose.
    front = (
        "American Economic Journal: Applied Economics 2017, 9(2): 1-22\nRacial Discrimination in the Sharing Economy\n"
        "By Benjamin Edelman, Michael Luca, and Dan Svirsky*\nReceived 3 May 2016; accepted 12 June 2016\n"
        "In an experiment on Airbnb, we find that applications from guests\nwith distinctively African American names are 16 percent less likely\n"
        "to be accepted relative to identical guests with distinctively white\nnames, and more so than previously published studies of\n"
        "rental markets found. Discrimination occurs among landlords of all sizes.\n(JEL C93, J15, L83)"
    )
    abstract = find_abstract(split_sections(front + "\nIntroduction\nBody text."))
    assert abstract.startswith("In an experiment on Airbnb")
    assert abstract.endswith("(JEL C93, J15, L83)") and "Received" not in abstract
