"""Split a paper's clean text into its sections by their heading lines.

Only top-level headings split: "3.1 Sample preparation" and "A. Setup" stay as
lines inside their parent section. Each section gets a kind, so later steps
can ask for "the methods" whatever the paper called them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papergym.core.ingest.metadata.page_lines import letters

__all__ = ["SECTION_KINDS", "Section", "find_abstract", "split_sections", "unlabelled_abstract"]

SECTION_KINDS = ("abstract", "introduction", "methods", "results", "discussion", "conclusion", "other")


@dataclass(frozen=True)
class Section:
    """One section of a paper: its kind, its heading as printed, and its text."""

    kind: str
    heading: str
    text: str


FRONT_MATTER_HEADING = "front matter"

# Heading names, lower-cased with "&" spelt "and", and the kind each one is.
# Background and related work count as introduction: like the introduction
# they set out what was known before the paper's own work.
# "Experiments" counts as results: in most papers that use it, it is where
# the findings are reported.
_KIND_BY_NAME = {
    "abstract": "abstract",
    "introduction": "introduction",
    "background": "introduction",
    "related work": "introduction",
    "related works": "introduction",
    "literature review": "introduction",
    "motivation": "introduction",
    "prior work": "introduction",
    "previous work": "introduction",
    "theoretical background": "introduction",
    "state of the art": "introduction",
    "method": "methods",
    "methods": "methods",
    "materials and methods": "methods",
    "material and methods": "methods",
    "methods and materials": "methods",
    "materials": "methods",
    "methodology": "methods",
    "experimental": "methods",
    "experimental section": "methods",
    "experimental procedure": "methods",
    "experimental procedures": "methods",
    "experimental details": "methods",
    "experimental setup": "methods",
    "experimental methods": "methods",
    "experimental design": "methods",
    "patients and methods": "methods",
    "subjects and methods": "methods",
    "data and methods": "methods",
    "study design": "methods",
    "computational methods": "methods",
    "computational details": "methods",
    "simulation details": "methods",
    "online methods": "methods",
    "results": "results",
    "result": "results",
    "experimental results": "results",
    "experiments": "results",
    "findings": "results",
    "evaluation": "results",
    "numerical results": "results",
    "simulation results": "results",
    "discussion": "discussion",
    "general discussion": "discussion",
    "conclusion": "conclusion",
    "conclusions": "conclusion",
    "concluding remarks": "conclusion",
    "summary": "conclusion",
    "final remarks": "conclusion",
    "outlook": "conclusion",
    "future work": "other",
    "perspectives": "other",
    "implications": "other",
    "limitations": "other",
    "theory": "other",
    "model": "other",
    "preliminaries": "other",
    "keywords": "other",
    "key words": "other",
    "index terms": "other",
    # ReScience C's replications open with a "Reproducibility Summary" in the abstract's place.
    "reproducibility summary": "abstract",
    # Chinese and Japanese papers: 摘要 and 要旨 (abstract), 关键词 and キーワード (keywords).
    "摘要": "abstract",
    "要旨": "abstract",
    "关键词": "other",
    "關鍵詞": "other",
    "关键字": "other",
    "關鍵字": "other",
    "キーワード": "other",
    "appendix": "other",
    "appendices": "other",
    "acknowledgements": "other",
    "acknowledgments": "other",
    "acknowledgement": "other",
    "acknowledgment": "other",
    "funding": "other",
    "author contributions": "other",
    "competing interests": "other",
    "conflict of interest": "other",
    "conflicts of interest": "other",
    "data availability": "other",
    "data availability statement": "other",
    "references": "other",
    "bibliography": "other",
    "supplementary material": "other",
    "supplementary information": "other",
    "supporting information": "other",
    "nomenclature": "other",
    "abbreviations": "other",
    "highlights": "other",
}
# Headings that keep the text after them on the same line.
_RUN_IN_HEADING = re.compile(
    r"^(?P<name>abstract|key\s*words|index\s+terms|摘\s*要|要\s*旨|关键词|關鍵詞|关键字|關鍵字|キーワード)\s*"
    r"(?:[\u2014\u2013:.\uff1a-]+\s*|\s(?=(?-i:[A-Z])))(?P<rest>\S.*)$"
    # The Royal Statistical Society's and Biometrics' abstract: "Summary. I describe the background for ...". Not a
    # sentence that opens with the word ("Summary statistics were ..."): a stop or a colon follows it.
    r"|^(?P<summary>(?-i:S)ummary)\s*[.:\u2014]\s*(?P<summary_rest>(?-i:[A-Z]).*)$",
    re.IGNORECASE,
)
# Main headings run into their paragraph: "Introduction. Heat diffuses...",
# "2. Methods: Samples were...", "RESULTS — The data...". Only capitalised names
# followed by a stop, a colon or a dash, then a capital, count.
_RUN_IN_MAIN_HEADING = re.compile(
    r"^(?:(?P<number>\d{1,2}|[IVX]{1,4})\.?\s+)?"
    r"(?P<name>(?-i:[A-Z])(?:ntroduction|ackground|ethods|aterials and methods|esults|iscussion|onclusions?|NTRODUCTION|ACKGROUND|ETHODS|ATERIALS AND METHODS|ESULTS|ISCUSSION|ONCLUSIONS?))"
    r"\s*(?:[.:]|\s[—–])\s+(?P<rest>(?-i:[A-Z]).*)$"
)
_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,6}\.|[A-Z]\.)(?P<space>\s*)(?P<title>\S.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# pypdf splits small capitals into the big first letter and the rest:
# "I NTRODUCTION", "R ESULTS AND D ISCUSSION".
_SPLIT_SMALL_CAPS = re.compile(r"\b([A-Z]) (?=[A-Z]{2,}\b)")
_NOT_A_TITLE = re.compile(
    r"[=<>±@]|\d\.\d|https?:|\b(?:university|department|institute|laboratory|faculty|"
    r"college|school|centre|center)\b|\b(?:is|are|was|were|has|have|had|we|our)\b",
    re.IGNORECASE,
)
# Initials ("M. Chaouachi Æ C. B. Hassen"): a line of names after a stray "I." is no heading.
_INITIAL = re.compile(r"\b[A-Z]\.(?=\s|$)")
_MAX_HEADING_CHARS = 80
_MAX_TITLE_CASE_WORDS = 12
# Sentence-case numbered headings are common ("2 Sample preparation"), but so
# are wrapped sentences that start with a number; a short one that continues
# the numbering is taken as a heading.
_MAX_SENTENCE_CASE_WORDS = 6
# A line ending in one of these is a sentence running on to the next line.
_DANGLING_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "that", "the", "then", "to", "which", "with"}
)


@dataclass(frozen=True)
class _Heading:
    """A heading line found in the text, before sections are cut."""

    line_index: int
    kind: str
    title: str
    number: int | None
    rest_of_line: str


def split_sections(text: str) -> list[Section]:
    """Split clean paper text into sections at its top-level heading lines.

    Text before the first heading becomes an "other" section headed "front
    matter"; the abstract is never guessed from it. Section texts keep their
    line breaks, and sections with no text are dropped.
    """
    lines = text.split("\n")
    headings = _fold_structured_abstract(_keep_consistent(_find_headings(lines)))
    sections = []
    first_line = headings[0].line_index if headings else len(lines)
    sections.append(Section("other", FRONT_MATTER_HEADING, _join_lines(lines[:first_line])))
    for position, heading in enumerate(headings):
        end = headings[position + 1].line_index if position + 1 < len(headings) else len(lines)
        body_lines = [heading.rest_of_line] + lines[heading.line_index + 1 : end]
        sections.append(Section(heading.kind, heading.title, _join_lines(body_lines)))
    return [section for section in sections if section.text]


def find_abstract(sections: list[Section], title: str | None = None) -> str:
    """The text of the first abstract section where it opens the paper, else the unlabelled abstract, else a labelled
    one further on ("Summary" closing the paper), or "".

    Nature, Science, PNAS, physics letters and ACM journals print the
    abstract as the first paragraph after the authors, with no heading. When
    the title is known and printed in the front matter, the paragraph is
    looked for after it first: some layouts put the title block after the
    first column's text in reading order. Keywords printed before the
    abstract (Elsevier's "article info" column) are passed over.
    """
    labelled, before = "", 0
    for section in sections:
        if section.kind == "abstract":
            labelled = section.text
            break
        before += len(section.text)
    # A "Summary" that closes a paper, pages after its start, is no abstract where its first page has one.
    if labelled and before <= _ABSTRACT_OPENS_WITHIN:
        return labelled
    unlabelled = _unlabelled_abstract(sections, title)
    return unlabelled or labelled


# A labelled abstract begins within this many characters of the paper's text (a cover sheet, a title page and a
# thesis's front pages before it).
_ABSTRACT_OPENS_WITHIN = 15000


def _unlabelled_abstract(sections: list[Section], title: str | None) -> str:
    """The abstract printed without a heading: the first paragraph of prose after the title, or in the front matter,
    or after Elsevier's keywords, or ""."""
    front_matter = next((section.text for section in sections if section.heading == FRONT_MATTER_HEADING), "")
    for section in sections if title else []:
        lines = section.text.split("\n")
        title_line = next((index for index, line in enumerate(lines) if _is_part_of(line.strip(), title or "")), None)
        if title_line is not None:
            # The title's other lines come after its first.
            while title_line + 1 < len(lines) and _is_part_of(lines[title_line + 1].strip(), title or ""):
                title_line += 1
            after_title = unlabelled_abstract("\n".join(lines[title_line + 1 :]))
            if after_title:
                return after_title
            break
    # The title is no paragraph of prose, however many small words it has.
    front_matter = "\n".join(line for line in front_matter.split("\n") if not (title and _is_part_of(line.strip(), title)))
    in_front_matter = unlabelled_abstract(front_matter)
    if in_front_matter:
        return in_front_matter
    # Elsevier's "article info" column puts the keywords before the abstract, so the abstract ends up under them.
    keywords = next((section.text for section in sections if _KEYWORDS_HEADING.match(section.heading)), "")
    return unlabelled_abstract(keywords)


_KEYWORDS_HEADING = re.compile(r"^(?:key\s*words|index\s+terms)\b", re.IGNORECASE)


def _is_part_of(line: str, title: str) -> bool:
    """Whether a line is a substantial piece of the title (a title line, not a stray word), its marks and spacing
    aside ("Similarities to uranium ferromagnetic superconductors UGe2 and URhGe∗")."""
    line_letters = letters(line)
    return len(line_letters) >= _TITLE_PIECE_LETTERS and line_letters in letters(title)


_TITLE_PIECE_LETTERS = 16


# An unlabelled abstract is the first run of this many prose lines and words.
_MIN_ABSTRACT_LINES = 3
_MIN_ABSTRACT_WORDS = 40
_MIN_OPENING_WORDS = 6
# Front-matter lines that are never part of an abstract: licences, dates,
# addresses, correspondence, keywords, footnotes. An address is known by its "@" or its label: prose may say
# "email" ("Across chat, email, and social media").
_NOT_ABSTRACT = re.compile(
    r"copyright|©|\blicen[cs]|creative\s+commons|all\s+rights|permission|\bopen\s+access\b|\bdistributed\s+under"
    # A manuscript's history, not the words in prose ("are 16 percent less likely to be accepted", "published studies"):
    # at a line's start, or before a colon, a date or "online": "Received 3 May 2019; accepted 12 June", "Published: 2020".
    r"|^\W*(?:received|accepted|published|revised|submitted)\b|\bpublished\s+by\b|\barticle\s+history\b"
    r"|\b(?:received|accepted|published|revised|submitted)(?:\s+(?:for\s+publication|online|in\s+(?:final|revised)\s+form))?"
    r"\s*(?::|\(?\d|(?:on\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|online\b)"
    r"|\bcorrespondence\b|\bcorresponding\s+authors?\b|^\W*corresponding\b|\be-?mail\s*(?:address(?:es)?\s*)?:|@|https?:|www\.|\bdoi\b|\bissn\b|\bcitation\b"
    r"|\buniversity\b|\bdepartment\b|\binstitute\b|\bproceedings\b|^\s*(?:additional\s+)?(?:key\s*words|index\s+terms)(?:\s+and\s+phrases)?\s*(?:[:.\u2014-]|$)|(?-i:^KEYWORDS\b)|\bccs\s+concepts\b"
    r"|\bacademic\s+editor\b|\bpermission\b|\bcite\s+this\b|\bthis\s+(?:article|paper)\s+is\b|\bmanuscript\b",
    re.IGNORECASE,
)
_PARAGRAPH_STOP = re.compile(
    r"^(?:(?:additional\s+)?(?:key\s*words|index\s+terms|ccs\s+concepts)(?:\s+and\s+phrases)?\s*(?:[:.\u2014-]|$)|(?-i:KEYWORDS\b)|[*\u2217\u2020\u2021]|\d+\s+introduction\b|introduction\b"
    # PNAS's keywords after the abstract, set apart by bars: "human–AI interaction | language generation | ...".
    r"|[^|\n()=]{1,40}(?:\s\|\s[^|\n()=]{1,40}){2,}$)",
    re.IGNORECASE,
)


def unlabelled_abstract(front_matter: str) -> str:
    """The first paragraph of running prose in a paper's front matter, or "" when there is none.

    A paragraph opens with a line of at least six words, most of them lower
    case, that is not a licence, date, address or correspondence line, and
    runs while lines go on as prose; it counts when it has three lines and
    forty words at least.
    """
    lines = [line.strip() for line in front_matter.split("\n")]
    start = 0
    while start < len(lines):
        if not _opens_paragraph(lines[start]):
            start += 1
            continue
        end = start + 1
        while end < len(lines) and _continues_paragraph(lines[end]):
            end += 1
        paragraph = lines[start:end]
        if len(paragraph) >= _MIN_ABSTRACT_LINES and sum(len(line.split()) for line in paragraph) >= _MIN_ABSTRACT_WORDS:
            return "\n".join(paragraph)
        start = end
    return ""


# The first label of a structured abstract in capitals, as JAMA and the Annals set it: "IMPORTANCE The US Environmental
# Protection Agency is required ...", whose opening line may be mostly names.
_STRUCTURED_ABSTRACT_OPENING = re.compile(r"^(?:IMPORTANCE|BACKGROUND|CONTEXT|OBJECTIVES?|PURPOSE|AIMS?)\s+[A-Z]")


def _opens_paragraph(line: str) -> bool:
    words = line.split()
    if len(words) < _MIN_OPENING_WORDS or not (line[:1].isupper() or line[:1].isdigit()) or _NOT_ABSTRACT.search(line):
        return False
    if _STRUCTURED_ABSTRACT_OPENING.match(line):
        return True
    # Numbers and amounts are no words here: "On April 1, 1992, New Jersey's minimum wage rose from $4.25 to $5.05".
    words = [word for word in words if word[:1].isalpha()]
    return bool(words) and sum(word[:1].islower() for word in words) >= len(words) / 2


def _continues_paragraph(line: str) -> bool:
    if not line or _PARAGRAPH_STOP.match(line) or _NOT_ABSTRACT.search(line):
        return False
    words = line.split()
    return len(words) >= 3 or line.endswith(".")


def _join_lines(lines: list[str]) -> str:
    """Lines back into one text, without blank lines at either end."""
    return "\n".join(lines).strip()


def _find_headings(lines: list[str]) -> list[_Heading]:
    """Every line that reads as a top-level heading, in order."""
    headings = []
    last_number = 0
    for line_index, line in enumerate(lines):
        text = line.strip()
        previous = lines[line_index - 1].strip() if line_index else ""
        if _LETTER_SPACED_TAIL.match(text) and len(previous) == 1 and previous.isalpha():
            text = f"{previous} {text}"  # Elsevier's "a" / "b s t r a c t", cut after its first letter
        heading = _parse_heading(text, line_index, last_number)
        if heading is not None:
            headings.append(heading)
            last_number = heading.number if heading.number is not None else last_number
    return headings


# Headings set letter-spaced: "A B S T R A C T", "I N T R O D U C T I O N".
_LETTER_SPACED = re.compile(r"^(?:[A-Za-z] ){3,}[A-Za-z]:?$")
_LETTER_SPACED_TAIL = re.compile(r"^(?:[A-Za-z] ){2,}[A-Za-z]:?$")


def _parse_heading(line: str, line_index: int, last_number: int) -> _Heading | None:
    """The heading a line is, given the last top-level number seen, or None."""
    if _LETTER_SPACED.match(line):
        line = line.replace(" ", "").capitalize()  # small capitals come out lower case: "a b s t r a c t"
    if not line or (len(line) > _MAX_HEADING_CHARS and not _RUN_IN_HEADING.match(line)):
        return None
    run_in = _RUN_IN_HEADING.match(line)
    if run_in and run_in.group("summary"):
        return _Heading(line_index, _KIND_BY_NAME["summary"], "Summary", None, run_in.group("summary_rest"))
    if run_in and (run_in.group("name")[0].isupper() or not run_in.group("name")[0].isascii()):
        name = _normalize_name(run_in.group("name")).replace(" ", "")
        name = name if name in _KIND_BY_NAME else _normalize_name(run_in.group("name"))
        title = "Abstract" if name == "abstract" else run_in.group("name")
        return _Heading(line_index, _KIND_BY_NAME[name], title, None, run_in.group("rest"))
    run_in_main = _RUN_IN_MAIN_HEADING.match(line)
    if run_in_main and _kind_of(run_in_main.group("name")):
        number = _top_level_number(run_in_main.group("number")) if run_in_main.group("number") else None
        name = run_in_main.group("name")
        return _Heading(
            line_index,
            _kind_of(name) or "other",
            _clean_title(name.capitalize() if name.isupper() else name),
            number,
            run_in_main.group("rest"),
        )
    numbered = _NUMBER.match(line)
    if numbered:
        number = _top_level_number(numbered.group("number"))
        if number is None:
            return None
        title = numbered.group("title").strip()
        kind = _kind_of(title)
        if kind is not None:
            return _Heading(line_index, kind, _clean_title(title), number, "")
        spaced = bool(numbered.group("space")) or numbered.group("number").endswith(".")
        if spaced and _looks_like_title(title, continues_numbering=number == last_number + 1):
            if last_number < number <= last_number + 2:
                return _Heading(line_index, "other", _clean_title(title), number, "")
        return None
    kind = _kind_of(line)
    if kind is not None:
        return _Heading(line_index, kind, _clean_title(line), None, "")
    return None


def _top_level_number(number: str) -> int | None:
    """The section number of a top-level heading, or None for a subsection."""
    number = number.rstrip(".")
    if number.isdigit():
        return int(number)
    if "." in number or (len(number) == 1 and number not in _ROMAN_VALUES):
        return None
    return _roman_to_int(number)


def _roman_to_int(numeral: str) -> int:
    """The value of a roman numeral of I, V and X."""
    values = [_ROMAN_VALUES[char] for char in numeral]
    return sum(-value if value < after else value for value, after in zip(values, values[1:] + [0]))


def _kind_of(title: str) -> str | None:
    """The kind of section a heading title names, or None for an unknown title."""
    if not title[:1].isupper():
        return None
    for candidate in (title, _SPLIT_SMALL_CAPS.sub(r"\1", title)):
        name = _normalize_name(candidate)
        if name in _KIND_BY_NAME:
            return _KIND_BY_NAME[name]
        # Compounds take the kind of their first part: "Results and Discussion"
        # is results, "Discussion and Conclusions" is discussion.
        parts = [part.strip() for part in name.split(" and ")]
        if len(parts) > 1 and all(_singular(part) in _KIND_BY_NAME for part in parts):
            return _KIND_BY_NAME[_singular(parts[0])]
        if _singular(name) in _KIND_BY_NAME:
            return _KIND_BY_NAME[_singular(name)]
    return None


def _normalize_name(title: str) -> str:
    """A heading title as a lookup key: lower case, "&" as "and", no end colon."""
    name = title.lower().replace("&", " and ").rstrip(":. ")
    return " ".join(name.split())


def _singular(name: str) -> str:
    """A heading name without a plural "s" that the table lacks."""
    return name if name in _KIND_BY_NAME or not name.endswith("s") else name[:-1]


def _clean_title(title: str) -> str:
    """A heading title as shown: small capitals rejoined, no end colon."""
    if _kind_of(title) is not None and _normalize_name(title) not in _KIND_BY_NAME:
        title = _SPLIT_SMALL_CAPS.sub(r"\1", title)
    return " ".join(title.rstrip(":. ").split())


def _looks_like_title(title: str, continues_numbering: bool) -> bool:
    """Whether the words after a section number read as a heading, not prose."""
    if not title[:1].isupper() or title[-1] in ".,;:" or "," in title:
        return False
    if _NOT_A_TITLE.search(title) or len(_INITIAL.findall(title)) >= 2:
        return False
    words = title.split()
    long_words = [word for word in words if len(word) >= 4 and word[:1].isalpha()]
    if not long_words:
        return False
    if words[-1].lower() in _DANGLING_WORDS:
        return False
    capitalized = sum(word[0].isupper() for word in long_words)
    if capitalized >= 0.6 * len(long_words):
        return len(words) <= _MAX_TITLE_CASE_WORDS
    has_number = any(word.isdigit() for word in words)
    return continues_numbering and len(words) <= _MAX_SENTENCE_CASE_WORDS and not has_number


def _keep_consistent(headings: list[_Heading]) -> list[_Heading]:
    """Drop unnumbered headings inside the numbered part of a numbered paper.

    In a paper with numbered sections, a bare "Results" or "Summary" line
    between two numbered headings is a paragraph or subsection title. An
    abstract heading is kept: abstracts are never numbered, and numbered
    affiliations ("2 South African Astronomical Observatory") before it read
    like numbered headings.
    """
    numbered_positions = [position for position, heading in enumerate(headings) if heading.number is not None]
    if len(numbered_positions) < 2:
        return headings
    first, last = numbered_positions[0], numbered_positions[-1]
    return [
        heading
        for position, heading in enumerate(headings)
        if heading.number is not None or heading.kind == "abstract" or not first < position < last
    ]


_STRUCTURED_ABSTRACT_OPENINGS = frozenset({"background", "objective", "objectives", "purpose", "aim", "aims", "context", "importance"})


def _fold_structured_abstract(headings: list[_Heading]) -> list[_Heading]:
    """Keep the labels of a structured abstract inside the abstract.

    Between an "Abstract" heading and a later "Introduction", headings such as
    "Background", "Methods" and "Results" are the abstract's own labels.
    "Summary" before any other main heading is the abstract too, after front-matter headings of no kind (Cell
    Press's graphical-abstract page: "Highlights", then the paper's page with its "SUMMARY").
    """
    main_kinds = {"introduction", "methods", "results", "discussion", "conclusion"}
    first_main = next((position for position, heading in enumerate(headings) if heading.kind != "other"), None)
    if first_main is not None and headings[first_main].kind == "conclusion" and _normalize_name(headings[first_main].title) == "summary":
        if any(heading.kind in main_kinds for heading in headings[first_main + 1 :]):
            first = headings[first_main]
            headings = [
                *headings[:first_main],
                _Heading(first.line_index, "abstract", first.title, None, first.rest_of_line),
                *headings[first_main + 1 :],
            ]
    abstract_position = next((position for position, heading in enumerate(headings) if heading.kind == "abstract"), None)
    if abstract_position is None and headings and _normalize_name(headings[0].title) in _STRUCTURED_ABSTRACT_OPENINGS:
        # A structured abstract without its "Abstract" heading (PLOS's, as pypdf reads some): "Background", "Methods",
        # "Results" before the paper's "Introduction".
        if any(_normalize_name(heading.title) == "introduction" for heading in headings[1:]):
            first = headings[0]
            headings = [_Heading(first.line_index, "abstract", first.title, None, first.rest_of_line)] + headings[1:]
            abstract_position = 0
    if abstract_position is None:
        return headings
    introduction_position = next(
        (
            position
            for position, heading in enumerate(headings)
            if position > abstract_position and _normalize_name(heading.title) == "introduction"
        ),
        None,
    )
    if introduction_position is None:
        return headings
    return [
        heading
        for position, heading in enumerate(headings)
        if not (abstract_position < position < introduction_position and heading.kind in main_kinds)
    ]
