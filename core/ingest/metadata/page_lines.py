"""What a line of a first page is: a banner, a date, an address, a line with markers."""

from __future__ import annotations

import re

# Lines that start like a journal banner or a history line.
BANNER_START = re.compile(
    r"^(?:(?:original|research|review|short|brief)\s+(?:research|article|paper|report|communication)\b"
    r"|journal\s+of|proceedings|proc\.|vol\.|volume\s+\d|session\s+\d|received|accepted|published|available\s+online"
    r"|preprint|arxiv|contents\s+lists|citation:|cite\s+this|submitted|manuscript|doi\b|keywords|key\s+words"
    # A draft's date: "Draft: Monday 17th August, 2009 at 10:29", "Draft of October 7, 2013".
    r"|copyright|issn|e-?issn|draft(?:\s+version|\s*:|\s+of\s+(?:[a-z]+\.?\s+)?\d)|typeset\s+using|open\s+access"
    r"|\w+\s+publishing|published\s+by|in\s+proceedings|to\s+appear|under\s+review|accepted\s+(?:at|to|for)|workshop\b"
    r"|(?:\w+\s+)?working\s+paper\s+series|peer\s+review\s+history|running\s+(?:head|title)\b"
    # A thesis's cover: "A dissertation submitted in partial satisfaction of the requirements for the degree".
    r"|(?:an?\s+)?(?:(?:doctoral|master'?s|phd|bachelor'?s)\s+)?(?:dissertation|thesis)\s+(?:submitted|presented)\b"
    # The issue or column an article appears in: "Special Issue: Emerging Investigators", "Themed collection: ...",
    # Computational Linguistics' "Squibs and Discussions".
    r"|(?:virtual\s+)?special\s+(?:issue|section|collection|topic|feature)\s*(?:[:\u2013\u2014]|on\b)"
    r"|themed\s+(?:issue|collection|section)\b|focus\s+issue\b|squibs\s+and\s+discussions\b)",
    re.IGNORECASE,
)
_BRACKETED_YEAR = r"\((?:1[6-9]|20)\d\d\)"
# A reply's, a comment's or a replication's title names the work it answers by its authors and year: "Reply to Usher,
# Davelaar, ... (2008)", "Final Report_Replication of Study 2 by James et al. (2021, JEP:LMC)".
_ANSWERED_WORK = re.compile(
    r"\b(?:reply|response|rejoinder|comments?|commentary)\s+(?:to|on)\b|(?:\b|_)(?:replication|reproduction)\s+of\b", re.IGNORECASE
)
# Lines that are nothing but an article-type label.
ARTICLE_TYPE_LINE = re.compile(
    r"^(?:research|original|review|short|brief|technical|position|invited|regular|full|survey|perspective|mini|systematic|special|feature)?"
    r"\s*(?:article|paper|letter|review|communication|report|note|editorial|correspondence|open\s+access|survey|perspective"
    r"|commentary|viewpoint|essay|tutorial|primer)s?$|^(?:a\s+)?(?:preprint|draft|working\s+paper|technical\s+report|extended\s+abstract)$"
    # A supplement's heading over the title of the paper it supplements: "Supplementary Materials for".
    r"|^(?:online\s+)?(?:supplementary|supplemental)\s+(?:materials?|information|text|data|appendix|appendices|methods|notes|figures|tables)"
    r"(?:\s+(?:for|to))?:?$"
    # Its label under the title: "Online Appendix", "Web Appendix", "Data Appendix".
    r"|^(?:online|web|data|technical)\s+appendi(?:x|ces)$",
    re.IGNORECASE,
)
# A student's cover: what kind of coursework it is ("Project Report", "Project Final Report", "Seminar Report on",
# "Course Project", "Project Paper, Neural Networks & Deep Learning"), or a course's code with the kind ("CS274-01
# Project Proposal", "MATH6001 – Mathematics Masters Project 3", "AI For Material Science ( EP208n) Project:"). A code
# is capitals then digits: three after a space, so that a name with a year ("ATLAS 2020") is none.
_COURSEWORK_KIND = re.compile(
    r"^(?:an?\s+)?(?:(?:final|mini|major|minor|course|group|term|capstone|semester|class|student|individual|research)\s+)*"
    r"(?:(?:project|seminar|lab(?:oratory)?|internship)\s+(?:final\s+)?(?:report|proposal|paper|work)(?:\s+on)?"
    r"|(?:final|course|class|capstone|mini|major|minor|group|term)\s+project|term\s+paper)\s*(?::|,[^,]{1,60})?$",
    re.IGNORECASE,
)
_COURSE_CODE = re.compile(r"(?<![\w-])(?-i:[A-Z]{2,5})(?:\d{3,5}|[\s-]\d{3}(?!\d))[a-z]?(?:-\d{1,3})?(?!\w)")
_COURSEWORK_WORD = re.compile(r"\b(?:project|proposal|report|assignment|homework|coursework|lab|midterm|seminar)\b", re.IGNORECASE)
_COURSEWORK_LINE_WORDS = 8
# A field of a student's cover form: "Subject Code: EP208n", "Branch: Engineering Physics", "Submitted By:".
COVER_FIELD = re.compile(
    r"^(?:(?:subject|course|module|paper)\s+(?:code|name|title)|branch|semester|academic\s+year|year|session|roll\s*(?:no\.?|number)"
    r"|(?:student|registration|enrol?ment|matriculation)\s+(?:id|no\.?|number)|student\s+name|name\s+of\s+(?:the\s+)?student"
    r"|(?:submitted|presented|prepared|supervised|guided)\s+(?:by|to)|under\s+the\s+guidance\s+of|supervisor|advisor|instructor)\s*:",
    re.IGNORECASE,
)


def is_coursework_banner(line: str) -> bool:
    """Whether a line says what kind of coursework a student's paper is, alone or with its course's code."""
    if _COURSEWORK_KIND.match(line):
        return True
    return len(line.split()) <= _COURSEWORK_LINE_WORDS and bool(_COURSE_CODE.search(line)) and bool(_COURSEWORK_WORD.search(line))


BANNER_ANYWHERE = re.compile(
    # A year in brackets is a citation's or a banner's; other four digits are not ("(0001) Surfaces", a crystal face).
    rf"10\.\d{{4,9}}/|https?:|www\.|@|©|\bissn\b|arxiv:|{_BRACKETED_YEAR}"
    r"|\bjournal\s+of\b|\bproceedings\s+of\b|\btransactions\s+(?:on|of)\b|\bpublishing\s+(?:corporation|group|ltd)\b"
    r"|\b(?:elsevier|springer|wiley|taylor\s*&\s*francis|hindawi|mdpi|frontiers\s+in|biomed\s+central|plos|cell\s+press)\b"
    r"|\bvol(?:ume)?\.?\s*\d|\bpp\.\s*\d|\bpages\s+\d|\bconference\s+on\b|\bsymposium\b|\bworkshop\s+on\b"
    # A download stamp ("This content downloaded from" / "106.122.167.86 on Mon, 29 Nov 2021 02:31:12 UTC"): its
    # words, the reader's address, the time of day to the second.
    r"|\bdownloaded\s+from\b|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b\d{1,2}:\d{2}:\d{2}\b"
    # A copyright notice's boilerplate: "All rights reserved", "No part may be reproduced by any process".
    r"|\ball\s+rights\s+reserved\b|\bno\s+part\s+(?:of\s+this\s+\w+\s+)?may\s+be\s+reproduced\b|\baccepted\s+manuscript\b|\bcreative\s+commons\b|\bcorrespond|\bopen\s+access\b|^(?:[A-Z] ){4,}",
    re.IGNORECASE,
)
# Running heads that a first page may carry too: "Smith et al.", and
# upper-case author lists such as "SOLBERG, IBARRA & NWOSU".
_RUNNING_HEAD = re.compile(r"\bet\s+al\b|^[A-Z][A-Z'\u2019-]+(?:,\s*[A-Z][A-Z'\u2019-]+)*\s*(?:&|AND)\s*[A-Z][A-Z'\u2019-]+\b")
_DATE_LINE = re.compile(
    r"^(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?\d{4}$",
    re.IGNORECASE,
)
_INSTITUTION_LETTERS = r"(?-i:MIT|ETH|EPFL|CMU|UCLA|UCSD|KAIST|CNRS|INRIA|CERN|NASA)"
# A line naming an institution by its letters alone is an address only when short: "MIT CSAIL, Cambridge" is one,
# "Measurement of the W mass, top quark and Higgs at CERN" a title.
_LETTERS_ADDRESS_WORDS = 6
AFFILIATION_WORDS = re.compile(
    r"\b(?:\w*universit\w*|\w*(?:centrum|zentrum)|universidad|universidade|department|dept\.|departamento|departament|institute|institut|instituto|istituto"
    r"|laborator(?:y|ies|io|ium)|lab|faculty|college|school|centre|center|centro|hospital|clinic|academy|inc\.?|ltd|gmbh|corporation|corp\.?"
    # The same in French, German, Italian and Spanish: "Laboratoire de Psychologie Cognitive", "Lehrstuhl Informatik II".
    r"|laboratoire|d[ée]partement|(?:[eé]|e\u0301)cole|dipartimento|lehrstuhl|fakult[äa]t|facult[ée]|facultad|facolt[àa]|informati(?:k|que|ca)|h[ôo]pital"
    r"|company|division|group|research|sciences?|engineering|technology|polytechnic|foundation|ministry|council|agency|observatory"
    r"|program(?:me)?|unit|station|avenue|street|road|box|campus|labs|technologies|informatics|computing|way|drive|suite|building"
    r"|librar(?:y|ies)|museum"
    # Vietnamese: a university ("Đại học"), an institute ("Viện"), a student ("Sinh viên"); "Khoa" (faculty) and
    # "Trường" (school) are also given names.
    r"|đại\s+học|viện|sinh\s+viên"
    # Institutions known by their letters, in capitals only ("mit" is German for "with").
    rf"|{_INSTITUTION_LETTERS}|caltech)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"@|\be-?mail\b", re.IGNORECASE)
# An affiliation labelled by a letter that pypdf glues on: "aSchool of ...".
AFFILIATION_WITH_LETTER = re.compile(r"^(?P<letter>[a-h])\s?(?=[A-Z])")
# Marks for the corresponding author: MNRAS's ★ and ☆, the envelope ✉, ⁎, ✝ and Elsevier's ⇑.
CORRESPONDING_AUTHOR_MARKS = "\u2605\u2606\u2709\u204e\u271d\u21d1"
SECTION_START = re.compile(
    r"^(?:(?:abstract|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|summary|introduction(?!\s+(?:to|of|and)\b)|(?:1|i)\.?\s+introduction|background"
    r"|key\s*words|index\s+terms)\b"
    # Chinese and Japanese: abstract, keywords, "一、引言" (1. Introduction).
    r"|摘\s*要|要\s*旨|关键词|關鍵詞|关键字|關鍵字|キーワード|(?:[一1][、.．]\s*)?(?:引\s*言|前\s*言|はじめに))",
    re.IGNORECASE,
)


# A journal's own line in any order of volume, year and pages, none of the forms above: "Nordic Hydrology 3, 1972,
# 107-109", "J. Fluid Mech. 12, 1962, 1-10", "Acta Math. 54 (2) 1972: 1-30". The journal's name, then numbers and a
# page range only: a line of prose or a reference's authors and title is no such line.
CITATION_BANNER = re.compile(
    r"^[A-Z][A-Za-z.&' -]{2,60}?[,.]?\s+(?:vol(?:ume)?\.?\s*)?\d{1,4}(?:\s*\(\d{1,3}\))?\s*[,:;]?\s*"
    r"(?:\(?((?:19|20)\d{2})\)?\s*[,:;]\s*(?:pp?\.\s*)?\d{1,5}\s*[-\u2013]\s*\d{1,5}"
    r"|(?:pp?\.\s*)?\d{1,5}\s*[-\u2013]\s*\d{1,5}\s*[,;]\s*\(?((?:19|20)\d{2})\)?)\.?$"
)


def letter_count(text: str) -> int:
    return sum(char.isalpha() for char in text)


def is_banner(line: str) -> bool:
    """Whether a first-page line is a banner, date, DOI or other non-title line."""
    return bool(
        BANNER_START.match(line)
        or ARTICLE_TYPE_LINE.match(line)
        or is_coursework_banner(line)
        or COVER_FIELD.match(line)
        or _banner_anywhere(line)
        or (_RUNNING_HEAD.search(line) and not _ANSWERED_WORK.search(line))
        or _DATE_LINE.match(line)
        or CITATION_BANNER.match(line)
        or is_affiliation(line)
        or _UNIVERSITY_LINE.match(line)
        or re.fullmatch(r"[\d\W]*", line)
    )


def _banner_anywhere(line: str) -> bool:
    """Whether a banner's mark stands anywhere in a line, a year in brackets that a reply's title gives the work it
    answers aside."""
    if _ANSWERED_WORK.search(line):
        line = re.sub(_BRACKETED_YEAR, "", line)
    return bool(BANNER_ANYWHERE.search(line))


# A university's name alone on its line, above a thesis's or a report's title: "UNIVERSITY OF CALIFORNIA SAN DIEGO",
# "Università degli Studi di Milano", "Carnegie Mellon University".
_UNIVERSITY_LINE = re.compile(
    r"^(?:(?:the\s+)?universit(?:y|[éeà]|ät|ad|ade|eit)\s+(?:of|de|di|do|del|des|degli|zu)\b(?:\s+[\w.'&-]+){1,5}"
    r"|(?-i:(?!(?:The|A|An)\s)(?:[A-Z][\w.'&-]*\s+){1,3}(?:University|UNIVERSITY|Universit(?:ät|é|à|eit))))$",
    re.IGNORECASE,
)


def is_affiliation(line: str) -> bool:
    """Whether a line is an address: an e-mail, or an institution with a comma or a marker.

    A title may well name a "center" or a "school"; an address also lists
    places after commas or starts with its marker ("1Department", "aSchool").
    """
    if _EMAIL.search(line):
        return True
    if not _names_institution(line) and not _names_institution(line[1:]):
        return False
    return "," in line or not line[:1].isalpha() or bool(AFFILIATION_WITH_LETTER.match(line))


# Institution words that are common words too: a title may open with them ("Building up DNA, bit by bit: ..."), an
# address names them after something ("Research Group", "Main Street") or before a number ("Building 5").
_WEAK_AFFILIATION_WORD = re.compile(r"building|way|unit|drive|road|street|avenue|group|program(?:me)?|division|station|box", re.IGNORECASE)


def _names_institution(line: str) -> bool:
    """Whether a line names an institution or an address."""
    for match in AFFILIATION_WORDS.finditer(line):
        opens_line = not line[: match.start()].strip()
        # "Unit of Epidemiology, Karolinska Institutet", "Building 5, Room 3" name places; "Building up DNA" does not.
        names_place = re.match(r"\s*(?:\d|(?:of|for|in)\b)", line[match.end() :])
        if re.fullmatch(_INSTITUTION_LETTERS, match.group(0)) and len(line.split()) > _LETTERS_ADDRESS_WORDS:
            continue
        if not (opens_line and _WEAK_AFFILIATION_WORD.fullmatch(match.group(0)) and not names_place):
            return True
    return False


def letters(text: str) -> str:
    """Only the letters and digits of a text, lower-cased, for loose comparison."""
    return "".join(char for char in text.lower() if char.isalnum())


def has_markers(line: str) -> bool:
    """Whether a line carries affiliation or footnote markers after its words.

    LaTeX's star operator "⋆" is left out: \\thanks sets it on titles as often as on names.
    """
    return bool(
        re.search(rf"[^\W\d_]\d|[*\u2217\u2020\u2021\u2660-\u2667\u25a1\u2662\u22c4{CORRESPONDING_AUTHOR_MARKS}]", line)
        or len(_SPACED_MARKERS.findall(line)) >= _SPACED_MARKED_NAMES
    )


# Markers typed after a space in the names' own type, as word processors leave them: "Yipeng Cheng 1,2, Danni A Gadd 1,
# Christian Gieger 3,4,5". Twice on a line, each after two capitalised words and before the next capitalised name,
# they are no title's numbers ("Type 2 Diabetes", "Phase 3 Trial") nor a journal's ("Volume 3, Issue 2, Pages 1-10").
_NAME_WORD = r"[A-Z][^\W\d_]*(?:[-'][^\W\d_]+)*"
_SPACED_MARKERS = re.compile(rf"\b{_NAME_WORD}\.? {_NAME_WORD} \d{{1,2}}(?:, ?\d{{1,2}})*, (?=[A-Z])")
_SPACED_MARKED_NAMES = 2
