"""The author block under a title on page 1: names, with their markers, addresses and e-mails left out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice, pairwise

from papergym.core.ingest.layout import LayoutLine
from papergym.core.ingest.metadata.names import ET_AL, NAME_PARTICLES, unique_names
from papergym.core.ingest.metadata.page_lines import (
    AFFILIATION_WITH_LETTER,
    AFFILIATION_WORDS,
    ARTICLE_TYPE_LINE,
    BANNER_ANYWHERE,
    BANNER_START,
    CORRESPONDING_AUTHOR_MARKS,
    SECTION_START,
    is_affiliation,
    letters,
)

_MARKERS = re.compile(
    # A symbol, then the affiliations' letters, after a name or a space: "Liang Kong *a,b,c, Zhi-Hao Zhang †d,a".
    # Glued to the name only a list of letters: a lone one ("Davide Farnocchia∗a") the others carry too, and it goes with theirs.
    r"(?<=\s)[*\u2217\u2020\u2021]+[a-z](?:,[a-z])*(?=[\s,]|$)|(?<=[^\W\d_])[*\u2217\u2020\u2021]+[a-z](?:,[a-z])+(?=[\s,]|$)"
    r"|(?<=[^\W\d_]),\s?\d{1,2}(?:\s*,\s*(?:\d{1,2}|[a-z*\u2217\u2020\u2021](?![a-z])))*[*\u2217\u2020\u2021]*(?=[\s,]|$)"
    r"|(?<=[^\W\d_])(?:\d{1,2}(?:\s*[,\u2013-]\s*(?:\d{1,2}|[a-z*\u2217](?![a-z])))*|[*\u2217\u2020\u2021\u00a7\u00b6\u2016#$+\u00b9\u00b2\u00b3\u2070-\u2079]+)+"
    r"|(?<=\s)(?:\d{1,2}(?:,\d{1,2})*)?[*\u2217\u2020\u2021\u00a7\u00b6\u2016#]*(?<=[\d*\u2217\u2020\u2021\u00a7\u00b6\u2016#])(?=\s|,|$)"
    r"|(?<=[a-z])[a-z](?:,[a-z])+(?=[\s,]|$)"
    # A lone letter is a marker, but not the Spanish "y" between names nor a piece of a word split at a kern ("Hirsc h b erg").
    r"|(?<=\s)(?!y\s[A-Z])[a-z](?:,[a-z])*(?=\s|,|$)(?!\s[a-z])"
)
_MARKER_SEPARATOR = "|"
# An ORCID iD printed in brackets after a name (Springer's LNCS: "James Chapman1[0000−0001−9036−8252]"), and a
# label before the names ("Authors: S. Sindhuja(217Z1A6751), A. Sravani(217Z1A6705)").
_ORCID_NUMBER = re.compile(r"\s?\[?\b\d{4}(?:[-\u2010\u2013\u2212]\d{4}){2}[-\u2010\u2013\u2212]\d{3}[\dX]\b\]?")
# A student's roll or registration number after the name: "Sanketh R 01FB15ECS267", "Sachit Batra 01FB15ECS251".
_STUDENT_NUMBER = re.compile(
    r"\s+(?=[A-Z\d]*\d[A-Z\d]*[A-Z])(?=[A-Z\d]*[A-Z][A-Z\d]*\d)[A-Z\d]{6,14}(?=\s*(?:,|;|$))"
    # Digits alone: "Zelin Chen - 797036", "Lujain Alawneh 1230127,", a roll number "Vishal Pandey 15/ICS/076"; a postcode
    # ("Beijing 100084") has fewer digits than a student's number without a dash before it.
    r"|\s*(?:[-\u2013\u2014]\s*\d{5,12}|\s\d{7,12}|\s\d{2}/[A-Z]{2,5}/\d{2,4})(?=\s*(?:,|;|$))"
    # Before the name: "2022103525 – GURUMOORTHI R".
    r"|^\d{7,12}\s*[-\u2013\u2014]\s*"
)
# A date set on the names' line ("September 2025, Dr. Atwau Pius") or under it ("Revised April 2, 2021"): no name.
_DATE_PIECE = re.compile(
    r"(?:(?:revised|updated|submitted|received|accepted|draft|version|last\s+modified)(?:\s+on)?:?\s+)?\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{2}",
    re.IGNORECASE,
)
# An e-mail address whose underscore the font drew as a space ("Sean Anderson, sean anderson@sfu.ca").
_SPACED_EMAIL = re.compile(r"(?<![^\s,;])(?!(?:and|und|et)\s)[a-z][\w.-]*\s(?=[\w.-]+@)")
# Given name and surname joined by a full stop, as in a user name ("Michael.Niu, Haoxing.Liu").
# A company's web name is none ("Pat Helland, Amazon.Com").
_DOTTED_NAME = re.compile(r"\b([A-Z][a-z]+)\.(?!(?i:com|org|net|edu|gov|inc|ltd|io|ai)\b)([A-Z][a-z]+)\b")
_AUTHORS_LABEL = re.compile(
    r"^(?:authors?|students?|(?:team|group)\s+members?|by|written\s+by|submitted\s+by|presented\s+by)\s*:\s*", re.IGNORECASE
)
# Markers closed by a parenthesis ("D. Noreland1),J.Kergomard2)", AIP's "Chaumeta)" and "Tremblay,a)"), the space a line break left
# in a double surname ("Ramos- Álvarez"), and initials set without a space before the surname.
_PARENTHESIS_MARKER = re.compile(r"(?<=[^\W\d_]),?(?:\d{1,2}|[a-z])\)")
_SPACED_HYPHEN = re.compile(r"(?<=[^\W\d_]-) (?=[A-Z\u00c0-\u00de])")
_GLUED_INITIAL = re.compile(r"\b([A-Z]\.)(?=[A-Z][a-z])")
# A marker's digits with the next name glued on, where the PDF put no space ("Stringham,1,3Elisabeth E. Mulroy",
# "1TEJAS BOBHATE, 2USHASI CHAUDHURI").
_NAME_AFTER_DIGIT = re.compile(r"(?<=\d)(?=[A-Z\u00c0-\u00de][a-z])|(?<=\b\d)(?=[A-Z]{3,}\b)")
# Given name and surname run together where the PDF lost the space between them ("WenliZhang", "WeiLi"); a piece
# of one word is no name, so only such a piece is split, and never after a surname prefix ("McDonald", "LeCun").
# Latin letters with accents (Latin-1 and Latin Extended-A: "RadomírMěch"), by case.
_ACCENTED_UPPER = "".join(char for char in map(chr, range(0xC0, 0x180)) if char.isupper())
_ACCENTED_LOWER = "".join(char for char in map(chr, range(0xC0, 0x180)) if char.islower())
_GLUED_NAME = re.compile(f"^(?:[A-Z{_ACCENTED_UPPER}][a-z{_ACCENTED_LOWER}]+){{2,3}}$")
_NAME_PART = re.compile(f"[A-Z{_ACCENTED_UPPER}][a-z{_ACCENTED_LOWER}]+")
_SURNAME_PREFIXES = frozenset({"Mc", "Mac", "De", "Di", "Da", "Du", "Del", "Della", "Le", "La", "Van", "Von", "Fitz", "St", "Ten", "Ter"})
# A scan's text layer reads a raised "1" or a dagger after a name as a quote or a backslash ("MARC LIPSITCH\",3",
# "NOWAK\\'"), and after a name in capitals as a question mark ("DANIEL ASIMOV?"), which ends no name.
_OCR_MARKS = "\"'\\\u201d\u2019"
_OCR_MARK_AFTER_CAPITALS = re.compile(r"(?<=[A-Z]{2})\?$")
_MARKER_SYMBOLS = "*\u2217\u2020\u2021\u00a7\u00b6\u2016#"
# The ORCID icon after a name, which pypdf reads as "ID" glued to the surname (PLOS, Frontiers): "Elie AntounID".
_ORCID_ICON = re.compile(r"(?<=[a-z\u00df-\u00ff])(?:ID|iD)(?=[\s,;*\d\u2020\u2021]|$)")
# A marker's number left before the next name when symbols came first ("Tao Zhang,*,1 Paradee" -> "1 Paradee").
_LEADING_MARKER = re.compile(r"^\d{1,2}(?:\s*,\s*\d{1,2})*\s+(?=[A-Z])")
# Springer sets its author lists with middle dots between the names ("Sheila Ruswandi · Keiji Kitani"); in its
# older PDFs pypdf reads that dot as "Æ" ("K. Chamari Æ D. Koubaa"), and may glue the dot onto the name before it
# ("Emmanouil Benetos· Simon Dixon·").
_NAME_SPLIT = re.compile(
    r"\s*(?:\||,|;|&|\s[\u00b7\u2022\u22c5\u00c6](?:\s|$)|(?<=[^\W\d_])[\u00b7\u2022\u22c5](?:\s|$)|\band\b|\bAND\b)\s*"
)


# Titles and degrees around names: "Dr. Saeed Murtaza", "Ed Chang, Member, IEEE", and the Central European
# academic titles "dr.sc. Katarina Toković, dipl.oec.", "Prof. Dr. rer. nat.".
_HONORIFIC = re.compile(
    r"^(?:(?:by|dr|prof|professor|mr|mrs|ms|sir|mag|ing|ts|ths|pgs|gs)\.?(?:\s?(?:sc|rer|nat|med|phil|dr)\.)*\s+)+", re.IGNORECASE
)
# Degrees after a name, as medical journals print them: "Thomas P Spargo MSc", "Neil Pearce PhD".
# "MA", "MS" and "BA" are also surnames ("Zhi Qiang MA", "Mamadou Lamine BA"): they go only beside another degree.
# NEJM dots them: "Peter J. Neumann, Sc.D.", "M.P.H.".
_UNAMBIGUOUS_DEGREE = (
    r"(?:PhD|Ph\.D\.|M\.D\.|MSc|BSc|MPH|MBBS|MBChB|DPhil|DrPH|MBA|PharmD|DDS|DVM|FRCP|FRCPC|MRCP|FMedSci"
    r"|Sc\.D\.|D\.Sc\.|M\.P\.H\.|Dr\.P\.H\.|M\.Sc\.|B\.Sc\.|D\.Phil\.|M\.Phil\.|Pharm\.D\.|M\.B\.A\.|D\.D\.S\.|D\.V\.M\.)"
)
_TRAILING_DEGREES = re.compile(
    rf"(?:\s+(?:MA|MS|BA|MD|RN))*\s+{_UNAMBIGUOUS_DEGREE}(?:\s+(?:{_UNAMBIGUOUS_DEGREE}|MA|MS|BA|MD|RN))*$|\s+MD$"
)
# A degree standing alone between commas: "dipl.oec.", "mag.ing.", "univ.spec.", and Radiology's "Li Wang, MD, PhD".
_DEGREE_PIECE = re.compile(
    rf"(?:[a-z]{{2,6}}\.\s?){{1,3}}|{_UNAMBIGUOUS_DEGREE}|(?:M|B)\.?(?:S|A|D)\.?|R\.?N\.?|MEng|BEng|MPhil|DSc|ScD|MHS|MSPH|MSN|BSN|C\s?Stat"
    # The degrees of clinical and American bylines: MIT's "SM", education's, nursing's, therapy's and law's, and the
    # colleges' fellowships ("Irene Y. Chen, SM", "Jane Roe, DNP, APRN", "John Doe, MD, FACS").
    r"|SM|SB|MEd|EdD|PsyD|DrPH|DNP|DPT|MPT|OTR|MSW|LCSW|MRes|MHSc|MMSc|MSCE|MMed|MPharm|BPharm|RPh|CRNA|APRN|FNP|PA-C|DMD|JD|LLM|MFA"
    r"|FRCS|FRCSC|FRACP|FRACS|FRCA|FANZCA|FRCPath|MRCPsych|FRCPsych|FACS|FACP|FACC|FAHA|FACOG|FAAP|FASE|FESC"
    # A fellowship spelled with stops: "F.A.N.Z.C.A.", "F.R.C.S.", "F.R.C.P.C." (Anesthesiology's byline).
    r"|F\.(?:[A-Z]\.){2,6}"
)
# A byline's date: "By Abraham Loeb on May 14, 2018".
_BYLINE_DATE = re.compile(
    r"^(by\s+.+?)(?:,|\s+on)\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}\.?$", re.IGNORECASE
)
_IEEE_GRADE = re.compile(
    r",?\s*(?:(?:graduate\s+student|student|senior|life)\s+)?(?:member|fellow)\s*,?\s*(?:IEEE|ACM|OSA|SPIE)\b", re.IGNORECASE
)
_PARENTHESES = re.compile(r"\s*\([^)]*\)?")
_EMAIL_ADDRESS = re.compile(r"\S*@\S*|\{[^}]*\}\S*")
# Countries and places that end an address line set in the authors' type.
_PLACE_WORDS = frozenset(
    [
        "usa",
        "uk",
        "u.k.",
        "china",
        "japan",
        "germany",
        # Countries as their own addresses name them: "Bundesrepublik Deutschland", "Schweiz", "España".
        "deutschland",
        "österreich",
        "schweiz",
        "suisse",
        "svizzera",
        "italia",
        "españa",
        "nederland",
        "sverige",
        "danmark",
        "norge",
        "suomi",
        "polska",
        "brasil",
        "france",
        "italy",
        "spain",
        "canada",
        "australia",
        "india",
        "korea",
        "brazil",
        "netherlands",
        "switzerland",
        "sweden",
        "israel",
        "singapore",
        "africa",
        "america",
        "kingdom",
        "belgium",
        "austria",
        "denmark",
        "norway",
        "finland",
        "poland",
        "portugal",
        "greece",
        "ireland",
        "mexico",
        "russia",
        "taiwan",
        "iran",
        "turkey",
        "egypt",
        "chile",
        "argentina",
        "pakistan",
        "bangladesh",
        "malawi",
        # Countries whose names no person bears: "Jordan", "Chad", "Georgia", "England", "Kenya" and "Nepal" are left out.
        "nigeria",
        "ghana",
        "ethiopia",
        "uganda",
        "tanzania",
        "zimbabwe",
        "zambia",
        "rwanda",
        "senegal",
        "cameroon",
        "morocco",
        "algeria",
        "tunisia",
        "indonesia",
        "malaysia",
        "thailand",
        "vietnam",
        "philippines",
        "iraq",
        "qatar",
        "kuwait",
        "afghanistan",
        "kazakhstan",
        "ukraine",
        "romania",
        "bulgaria",
        "hungary",
        "serbia",
        "croatia",
        "slovenia",
        "slovakia",
        "czechia",
        "estonia",
        "lithuania",
        "iceland",
        "luxembourg",
        "colombia",
        "venezuela",
        "ecuador",
        "uruguay",
        "mozambique",
        "botswana",
        "namibia",
        "u.s.a.",
    ]
)
# Places of more than one word, each of which might be a name's ("Sierra Leone", "New Zealand", "United States Army").
_PLACE_PHRASES = re.compile(
    r"\b(?:united\s+(?:states|kingdom|arab\s+emirates)|new\s+(?:zealand|york|jersey|mexico|hampshire|south\s+wales)|south\s+(?:africa|korea|carolina)"
    r"|north\s+carolina|sierra\s+leone|sri\s+lanka|saudi\s+arabia|costa\s+rica|hong\s+kong|czech\s+republic|burkina\s+faso|puerto\s+rico"
    r"|el\s+salvador|rhode\s+island|west\s+virginia)\b",
    re.IGNORECASE,
)
# Symbols that mark affiliations in some templates: ♠ ♢ ♡ ♣ □ ⋄ and Greek letters; MNRAS's ★ and LaTeX's ⋆, the
# envelope ✉, Elsevier's ⇑ and other marks for the corresponding author. Greek letters inside a Greek word are its
# own ("Παναγιώτης Σαββίδης").
_GREEK_LETTER = "\u0370-\u03ff\u1f00-\u1fff"
_SYMBOL_MARKERS = re.compile(
    rf"[\u2660-\u2667\u25a1\u22c4\u2662\u22c6\u266f\u22a5{CORRESPONDING_AUTHOR_MARKS}]+"
    rf"|(?<![{_GREEK_LETTER}])[\u03b1-\u03c9]+(?![{_GREEK_LETTER}])"
)


# Words that end or make up an organisation's name set in the authors' type ("Stanford InfoLab", "The FreeBSD
# Project", "Psychological Application", "AI Accelerator") or a cover page's buttons ("See Profile"); no person is
# called so.
# Compared without their stop or a comma after them ("One Shields Ave,", "1400 S. Lake Shore Dr.,").
_STREET_ABBREVIATIONS = frozenset({"dr", "ave", "blvd", "rd", "st", "hwy", "pkwy"})
_ORGANISATION_WORDS = frozenset(
    {
        "project",
        "projects",
        "report",
        "professor",
        "lecturer",
        "student",
        "profile",
        # ResearchGate's cover counts a paper's "CITATIONS" and "READS" beside its authors.
        "reads",
        "citations",
        "entertainment",
        "keywords",
        "classification",
        "concepts",
        "infolab",
        "networks",
        "systems",
        "software",
        "team",
        "society",
        "association",
        # A firm's name under its author: "Massachusetts Computer Associates".
        "associates",
        "consortium",
        "initiative",
        "investigators",
        "collaborators",
        "bureau",
        # A public body under its economist's name: "Federal Reserve Board", "European Central Bank".
        "board",
        "bank",
        "commission",
        "service",
        "services",
        "solutions",
        "studios",
        "application",
        "applications",
        "accelerator",
        "studies",
        "research",
        "sciences",
        "technology",
        "technologies",
        "engineering",
        "laboratories",
        "intelligence",
        "analytics",
        "computing",
        # A role or a field set in the authors' type ("Research Scientist", "Molecular Biology"); "Engineer" is a surname.
        "scientist",
        "researcher",
        "director",
        "officer",
        "army",
        "navy",
        "biology",
        "chemistry",
        "physics",
        "mathematics",
        "medicine",
        "economics",
        "psychology",
        "statistics",
        "neuroscience",
        "development",
        "tech",
        "date",
        "the",
        "of",
    }
)
# A name never starts with an article: "A Survey", "The Free Haven Project".
_ARTICLES = frozenset({"A", "An", "The"})
# A page's headings in a name's shape: Cell Press's "Graphical Abstract" above its "Authors" box.
_HEADING_WORDS = frozenset({"abstract", "highlights", "summary", "introduction", "keywords", "contents"})
# An upper-case acronym of two or more letters, without dots: "UC", "SUNY", "MIT".
_ACRONYM = re.compile(r"^[A-Z]{2,}$")
# Institutions known by an acronym, and companies, that start their name on an author line ("UC Berkeley", "TU Delft").
_INSTITUTION_ACRONYMS = frozenset(
    {
        "UC",
        "TU",
        "ETH",
        "EPFL",
        "KTH",
        "MIT",
        "CMU",
        "UCLA",
        "NYU",
        "SUNY",
        "IBM",
        "NEC",
        "NTT",
        "INRIA",
        "CNRS",
        "NASA",
        "NIST",
        "UCL",
        "RWTH",
        # Companies whose research teams sign papers: "Google Brain", "Microsoft Research".
        "Google",
        "Microsoft",
        "Facebook",
        "DeepMind",
        "OpenAI",
        "NVIDIA",
        "Nvidia",
        "Intel",
        "Adobe",
        "Baidu",
        "Alibaba",
        "Tencent",
        "Huawei",
        "Samsung",
        "Yahoo",
    }
)
# What follows a surname after a comma in the same name: "Robert E. DeOtte, Jr.", "John Smith, III".
GENERATIONAL_SUFFIX = re.compile(r"(?:Jr|Sr|JR|SR)\.?|II|III|IV")
# One initial: "J.", "J.-P.", "Yu.".
_INITIAL = re.compile(r"^(?:[A-Z][a-z]?\.)(?:-?[A-Z][a-z]?\.)*$")


_SENTENCE_STOP_AFTER_NAME = re.compile(r"(?<=[A-Z]{3})\.$")


# Lecture notes' byline in the scribe template many courses share: "Lecturer: Eric P. Xing Scribes: Heran Lin, Bin
# Deng". The lecturer and the scribes are the notes' authors, in that order.
_SCRIBE_BYLINE = re.compile(
    r"^(?:lecturer|instructor|professor|lectured\s+by)\s*:\s*(?P<lecturer>[^:\s][^:]*?)(?:\s*[;,]\s*|\s+)scribes?(?:\s*\(s\))?\s*:\s*(?P<scribes>[^:\s][^:]*)$",
    re.IGNORECASE,
)


def scribe_byline(line: str) -> str:
    """A scribe template's "Lecturer: A Scribes: B, C" as the names it gives ("A, B, C"); other lines as they are."""
    match = _SCRIBE_BYLINE.match(line.strip())
    return f"{match.group('lecturer')}, {match.group('scribes')}" if match else line


def _name_pieces(line: str) -> list[str]:
    """A line split into name candidates at commas, "and" and markers."""
    line = _STUDENT_NUMBER.sub("", _ORCID_NUMBER.sub("", _AUTHORS_LABEL.sub("", line)))
    line = _DOTTED_NAME.sub(r"\1 \2", _SPACED_EMAIL.sub("", line))
    line = _IEEE_GRADE.sub("", _PARENTHESES.sub(" ", _EMAIL_ADDRESS.sub(" ", _DATE_PIECE.sub(" ", _BYLINE_DATE.sub(r"\1", line)))))
    line = _SYMBOL_MARKERS.sub(_MARKER_SEPARATOR, _ORCID_ICON.sub("", line))
    line = _PARENTHESIS_MARKER.sub(_MARKER_SEPARATOR, _GLUED_INITIAL.sub(r"\1 ", _SPACED_HYPHEN.sub("", line)))
    line = _NAME_AFTER_DIGIT.sub(" ", line)
    unmarked = _MARKERS.sub(_MARKER_SEPARATOR, ET_AL.sub("", line))
    pieces = [
        # Springer's middle dots are taken off too where a marker or the line's end stands beside them.
        _HONORIFIC.sub("", _LEADING_MARKER.sub("", piece.strip(" ,\u00b7\u2022\u22c5" + _MARKER_SYMBOLS).rstrip(_OCR_MARKS)))
        for piece in _NAME_SPLIT.split(unmarked)
    ]
    kept: list[str] = []
    for piece in pieces:
        if GENERATIONAL_SUFFIX.fullmatch(piece) and kept:
            kept[-1] += f" {piece}"  # "Robert E. DeOtte, Jr." is one name
        elif re.fullmatch(r"[a-z]", piece) and kept:
            # A lone letter after a symbol marker is the affiliation letter the others carry glued to their
            # surnames ("Davide Farnocchia∗a, Steven R. Chesleya"); it is glued too, and taken off with theirs.
            kept[-1] += piece
        elif piece.strip(_MARKER_SYMBOLS + " .0123456789") and not _DEGREE_PIECE.fullmatch(piece.rstrip("0123456789")):
            # A piece of digits alone is a marker a symbol cut off its name ("Valentin Pohoata,2★"); a degree keeps
            # the marker of the line's last name ("Roman Hovorka, Ph.D.1").
            kept.append(piece)
    # A byline in capitals ends its last name with a full stop ("BY E. GORTER, M.D., AND F. GRENDEL."); an initial
    # or an abbreviation ("Stanford Univ.") keeps its own.
    kept = [_OCR_MARK_AFTER_CAPITALS.sub("", _SENTENCE_STOP_AFTER_NAME.sub("", piece)) for piece in kept]
    return [_with_kerning_gaps_closed(_unglued_given_name(_without_degrees(piece))) for piece in kept]


def _without_degrees(piece: str) -> str:
    """A name without the degrees after it ("Neil Pearce PhD" -> "Neil Pearce"); a name in capitals keeps its
    last word ("WEI MA")."""
    if piece.isupper():
        return piece
    stripped = _TRAILING_DEGREES.sub("", piece)
    return stripped if len(stripped.split()) >= 2 else piece


def _unglued_given_name(piece: str) -> str:
    """A one-word piece that is given names and a surname run together, split ("WenliZhang" -> "Wenli Zhang",
    "ChunYeeLim" -> "Chun Yee Lim"); a surname's prefix stays on it ("JohnMcDonald" -> "John McDonald")."""
    if _GLUED_NAME.match(piece) is None:
        return piece
    parts: list[str] = []
    for part in _NAME_PART.findall(piece):
        if parts and parts[-1] in _SURNAME_PREFIXES:
            parts[-1] += part
        else:
            parts.append(part)
    return " ".join(parts) if len(parts) > 1 else piece


_FUNCTION_WORDS = frozenset({"of", "for", "the", "and", "in", "at", "on", "to", "with", "from", "by"})


def _with_kerning_gaps_closed(piece: str) -> str:
    """A name whose surname old dvips fonts split at kerning pairs made whole: "Craig Chamb ers" -> "Craig Chambers".

    In a name only particles ("van", "de", "y") start in lower case, so any
    other lower-case word is the rest of the word before it.
    """
    words = piece.split()
    if len(words) < 2 or not any(word[:1].islower() for word in words[1:]) or AFFILIATION_WORDS.search(piece):
        return piece
    if any(word in _FUNCTION_WORDS or word in _ORGANISATION_WORDS or _TITLE_WORD_ENDING.search(word) for word in words):
        # "Department of EECS", "School for Engineering", ResearchGate's "Self-similar laser View project" are no split
        # names, nor is a title's line ("Complexity Indices using NeuroKit2")
        return piece
    joined = [words[0]]
    for word in words[1:]:
        fragment = word[:1].islower() and word.replace("-", "").isalpha() and word.lower() not in NAME_PARTICLES
        if fragment and joined[-1].replace("-", "").isalpha():
            joined[-1] += word
        else:
            joined.append(word)
    return " ".join(joined)


def is_name(piece: str) -> bool:
    """Whether a piece of text reads as one person's name."""
    tokens = piece.split()
    if not 2 <= len(tokens) <= 5 or len(piece) > 60:
        return False
    if not all(_is_name_token(token) or token.lower() in NAME_PARTICLES for token in tokens):
        return False
    if piece.isupper() and any(token.lower() in _FUNCTION_WORDS for token in tokens[1:-1]):
        return False  # a title's line in capitals: "THEORY IN MATHEMATICS"; "In So Kweon" is a name
    if (
        AFFILIATION_WORDS.search(piece)
        or any(_misread_affiliation_word(token) for token in tokens)
        or _PLACE_PHRASES.search(piece)
        or any(token.lower().strip(".,") in _PLACE_WORDS for token in tokens)
    ):
        return False
    if any(token.lower() in _HEADING_WORDS for token in tokens):
        return False
    if tokens[0].lower() in _LEADING_FUNCTION_WORDS:
        return False  # a title's words in capitals or title case: "For Breast", "Of Mice"
    if tokens[0] in _ARTICLES or (tokens[-1].lower() in _ORGANISATION_WORDS and not any(_INITIAL.match(token) for token in tokens)):
        return False  # "The Free Haven Project", "Stanford InfoLab", "See Profile"; "William H. Press" is a person
    if tokens[0] in _INSTITUTION_ACRONYMS or tokens[0] == "Royal":
        return False  # "Royal Holloway" is a college
    if ARTICLE_TYPE_LINE.match(piece.replace(" ", "")):
        return False  # Science's letter-spaced section head in small capitals: "R EPORTS"
    if tokens[-1].lower().rstrip(".,;") in _STREET_ABBREVIATIONS:
        return False  # an address set in the authors' type: "Linden Dr."
    if len(set(tokens)) == 1 and len(tokens[0]) <= 2:
        return False  # a web page's text-size buttons: "Aa Aa Aa"
    return any(len(token.rstrip(".")) >= 2 and not token.endswith(".") for token in tokens)


_QUOTES = "\"'\u201c\u201d\u2018\u2019"
# Words of an address that OCR misreads ("Harvard Uniuersiry"): a word this close to one is that word.
_ADDRESS_WORDS = ("university", "department", "institute", "laboratory")
_MISREADS_PER_WORD = 2


def _misread_affiliation_word(token: str) -> bool:
    """Whether a word is an address's word with a letter or two misread by OCR ("Uniuersiry", "Departmeut")."""
    word = token.lower().strip(".,;")
    return len(word) >= 8 and any(_edits_at_most(word, address, _MISREADS_PER_WORD) for address in _ADDRESS_WORDS)


def _edits_at_most(word: str, other: str, limit: int) -> bool:
    """Whether two words are at most ``limit`` letters inserted, deleted or changed apart."""
    if abs(len(word) - len(other)) > limit:
        return False
    previous = list(range(len(other) + 1))
    for row, letter in enumerate(word, 1):
        current = [row]
        for column, other_letter in enumerate(other, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (letter != other_letter)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _is_name_token(token: str) -> bool:
    """Whether a word can be part of a name: "Ana", "O'Neill", "Jean-Luc", "J.", "J.-P.", "Yu.A.", "Hans-J."."""
    if len(token) > 3 and token[0] in _QUOTES and token[-1] in _QUOTES:
        token = token[1:-1]  # a nickname in quotes: Yuancheng "Mike" Luo
    if not token[:1].isupper():
        return False
    letters = token.replace("'", "").replace("\u2019", "").replace("-", "").replace(".", "")
    if any(part in _FUNCTION_WORDS for part in token.split("-")[1:]):
        return False  # "Item-to-Item", "State-of-the-Art", "End-to-End" are words of a title
    if _TITLE_WORD_ENDING.search(token):
        return False  # "Basic Characteristics", "Quantitative Description": a title's line, not a name
    # A double given name may shorten its second part: "Hans-J. Boehm", "Karl-H. Meyer".
    return letters.isalpha() and (not token.endswith(".") or len(letters) <= 3 or bool(_GIVEN_NAME_WITH_INITIAL.fullmatch(token)))


_GIVEN_NAME_WITH_INITIAL = re.compile(r"[A-Z][a-z]+-[A-Z]\.")


# Endings of English nouns that no family or given name has: a title's words, in capitals too ("EXTRACTION").
_TITLE_WORD_ENDING = re.compile(
    r"[a-z]{3}(?:tions?|sions?|ments|ities|isms?|istics|ologies|ology|ations|matics|omics|ysics|amics|anics|onics|graphy|metry|ices)$",
    re.IGNORECASE,
)
# Words that open a title's phrase but no name.
_LEADING_FUNCTION_WORDS = frozenset({"of", "for", "the", "and", "with", "from"})


# A group that signs a paper as its author ("The Cancer Genome Atlas Network", "UPBEAT Consortium", "the ATLAS
# Collaboration"): capitalised words ending in the word for such a group.
_GROUP_AUTHOR = re.compile(
    r"^(?:[Tt]he\s+)?(?P<words>(?:[A-Z][\w'&.-]*\s+|(?:of|for|on|and|in)\s+){1,7})"
    # The Lancet sets the group's last word in lower case: "the COVID-19 Genomics UK (COG-UK) consortium".
    r"(?i:Consortium|Collaboration|Network|Investigators|Collaborators|Trialists|(?:Study|Working|Writing|Trial)\s+Group"
    r"|(?:Writing|Steering)\s+Committee)$"
)


def is_group_author(piece: str) -> bool:
    """Whether a piece of an author line is a group that signs the paper, not a person."""
    group = _GROUP_AUTHOR.match(piece)
    return group is not None and not AFFILIATION_WORDS.search(group.group("words"))


def looks_like_author_line(line: str) -> bool:
    """Whether a line is a list of names (with or without markers)."""
    line = _EMAIL_ADDRESS.sub(" ", _SPACED_EMAIL.sub("", line)).strip()
    if not line or is_affiliation(line) or _has_banner(line) or BANNER_START.match(line) or ARTICLE_TYPE_LINE.match(line):
        return False
    pieces = _name_pieces(line)
    named = [
        _is_name_in_list(piece, len(pieces)) or _is_run_of_names(piece, len(pieces) == 1) or is_group_author(piece) for piece in pieces
    ]
    # A one-word last piece is more likely an institution after the names ("Jane Roe, John Smith, Stanford"), unless
    # a long list of full names comes before it ("Rajen Biswa, Sangay Gyeltshen, Chencho"), or each name before it
    # carries its marker and it has none: a name the line's end cut ("Danni A Gadd 1, Christian Gieger 3,4,5, Yufei").
    last_cut = len(pieces) > 1 and _is_cut_at_line_end(line, pieces[:-1])
    return bool(pieces) and all(
        is_named
        or ((index < len(pieces) - 1 or sum(named) >= _FULL_NAMES_BEFORE_LAST_MONONYM or last_cut) and _is_mononym(piece, sum(named)))
        for index, (piece, is_named) in enumerate(zip(pieces, named, strict=True))
    )


# A name's marker after it: digits, a star or a dagger.
_MARKER_AFTER = r"\s?[\d*\u2217\u2020\u2021]"


def _is_cut_at_line_end(line: str, names_before: list[str]) -> bool:
    """Whether a line's last piece, with no marker after it, follows names that each carry one."""
    return (
        len(names_before) >= _FULL_NAMES_BESIDE_MONONYM
        and all(re.search(re.escape(name) + _MARKER_AFTER, line) for name in names_before)
        and not re.search(_MARKER_AFTER + r"\s*$", line)
    )


# Names of one word (Indian and Indonesian authors: "Gowrishankar, Ramesh Babu H.S., Satyanarayana P.S.") pass in a
# list that names this many people in full.
_FULL_NAMES_BESIDE_MONONYM = 2
# Institutions known by one word, set after a list of names ("..., Stanford").
_INSTITUTION_MONONYMS = frozenset(
    {"stanford", "harvard", "princeton", "yale", "cambridge", "oxford", "google", "microsoft", "ibm", "nvidia"}
)
# A last one-word piece is a person after this many full names.
_FULL_NAMES_BEFORE_LAST_MONONYM = 5


def _is_mononym(piece: str, full_names: int) -> bool:
    """Whether a one-word piece in a list of names is a person known by one name."""
    return (
        full_names >= _FULL_NAMES_BESIDE_MONONYM
        and _is_name_token(piece)
        and not piece.endswith(".")
        and not piece.isupper()
        and piece.lower() not in _PLACE_WORDS
        and piece.lower() not in _ORGANISATION_WORDS
        and not AFFILIATION_WORDS.search(piece)
        and piece.lower() not in _INSTITUTION_MONONYMS
    )


# A publisher's name that is a person's surname in a list of names: "Michael Springer2, Daniel Jost", "A. Wiley".
_PUBLISHER_AS_SURNAME = re.compile(r"(?<=[A-Z][a-z]\s|[A-Z][a-z.]\s|\w[a-z]\s)(?:Springer|Wiley)(?=\s*(?:[|,;*\d]|and\b|&|$))")


def _has_banner(line: str) -> bool:
    """Whether a line carries a journal's, publisher's or licence's words, other than as a person's surname."""
    return any(not _PUBLISHER_AS_SURNAME.match(line, match.start()) for match in BANNER_ANYWHERE.finditer(line))


def reads_as_names(line: LayoutLine) -> bool:
    """Whether a line is a list of names that the reading broke in places: a raised marker after two of its words
    ("Nicholas Eriksson|,StephenE.Fienberg|,"), or names in two pieces of three or more ("Carola Vogel, Frank W.
    Heinemann, JUCbR5rg Sutter, Christian Anthon, and Karsten Meyer*", a name in a font that lost its letters)."""
    if len(_RAISED_MARK_AFTER_WORD.findall(line.marked)) >= _RAISED_MARKS_OF_NAMES:
        return True
    pieces = _name_pieces(line.text)
    names = sum(is_name(piece) for piece in pieces)
    return names >= _MOSTLY_NAMES_LEAST and names >= _MOSTLY_NAMES_SHARE * len(pieces)


# A raised run right after a word's letter, before a comma, a space or the line's end: a name's marker.
_RAISED_MARK_AFTER_WORD = re.compile(r"(?<=[^\W\d_])\|(?=[,\s]|$)")
_RAISED_MARKS_OF_NAMES = 2
# A list of at least this many names, and this share of its pieces, is a list of names whatever its other pieces.
_MOSTLY_NAMES_LEAST = 3
_MOSTLY_NAMES_SHARE = 2 / 3


def starts_author_list(line: str) -> bool:
    """Whether a line opens a list of names that the next line finishes ("Olivier Collignon, Pierre Vallois, J.-M.")."""
    listed, _, _ = line.rpartition(",")
    return line.count(",") >= 2 and all(is_name(piece) for piece in _name_pieces(listed))


def _is_name_in_list(piece: str, list_length: int) -> bool:
    """Whether a piece is a name; in a list of three or more, a bare initial "A" is no article ("A Ramos-Álvarez")."""
    words = piece.split()
    if list_length >= 3 and len(words) >= 2 and words[0] == "A":
        return is_name(" ".join(["A.", *words[1:]]))
    return is_name(piece)


def _is_run_of_names(piece: str, alone_on_line: bool) -> bool:
    """Whether a piece is several names set side by side with no separator.

    In a comma-separated list a four-word piece is one long name ("Erik
    Tjong Kim Sang"); alone on its line it is two names.
    """
    tokens = piece.split()
    # After a middle initial, a name has its family name only: "Sarita V. Adve Pradip Bose" is two.
    initial_then_more = len(tokens) >= 4 and _is_initial(tokens[1]) and not _is_initial(tokens[3]) and tokens[3][:1].isupper()
    if not alone_on_line and len(tokens) <= 5 and not initial_then_more:
        return False
    names = _split_run_of_names(piece)
    return len(names) > 1 and all(is_name(name) for name in names)


# How far after the title the author lines may reach: stacked author blocks
# (name, department, address, e-mail) take four or five lines per author.
AUTHOR_ZONE_LINES = 40
# A cover page's lines after the paper's own names: IOP's "View the article online..." and "You may also like"
# above other papers' authors.
_AUTHOR_ZONE_END = re.compile(
    r"\bview\s+the\s+article\s+online\b|\byou\s+may\s+also\s+like\b|\bto\s+cite\s+this\s+article\b", re.IGNORECASE
)
# The editor's line after the authors (PNAS's "Edited by Alain Pumir, ...; received ..., by Editorial Board" runs
# on into "Member Herbert Levine"); nothing after it is an author.
# After the authors, the people who edited, supervised or translated the work, or whom a student's report is handed
# to: "Under the guidance of:", "Supervised by", "Submitted To:", "Project Advisor and Mentor: Dr. Teng Moh".
_EDITOR_LINE = re.compile(
    r"^(?:(?:edited|communicated|reviewed|handled|supervised|guided|translated)\s+by\b|(?:academic\s+)?editor\s*:"
    r"|(?:under\s+the\s+)?(?:guidance|supervision)\s+of\b|submitted\s+to\b"
    r"|(?:project\s+|thesis\s+|faculty\s+|course\s+)?(?:advis[oe]r|mentor|supervisor|guide|instructor|lecturer|teacher|tutor)s?\b[^:]{0,30}:"
    # The course a student's paper is for, after their name: the teacher's name follows ("INF2010: Natural Language
    # Processing" / "Professor Rohan Alexander").
    r"|(?-i:[A-Z]{2,5})\s?\d{3,5}[a-z]?\s*:)",
    re.IGNORECASE,
)
# A book's editor after their name: "Michael J. May Editor", "Jane Roe (Ed.)", "John Smith, Editors".
_EDITOR_AFTER_NAME = re.compile(r"[\s,](?:editors?|\(eds?\.?\))$", re.IGNORECASE)
# Only "and" between stacked names ("LEANA GOLUBCHIK / and / SANJEEV KHANNA").
_JOINER_LINE = re.compile(r"^(?:and|&|,)$", re.IGNORECASE)
# A submission's byline that hides its authors: "Anonymous Author(s)", "Anonymous Authors1" (an affiliation's mark),
# "Anonymous ACL submission", "Authors withheld".
_ANONYMOUS_BYLINE = re.compile(
    r"^(?:anonymous\s+(?:\w+\s+)?(?:authors?(?:\s*\(s\))?|submission)|authors?(?:'?\s+names?)?\s+withheld)(?![a-z])", re.IGNORECASE
)
# The line that opens a byline: "by" alone, or before the names ("By J. Smith").
BYLINE = re.compile(r"^(?i:by)(?:\s+[A-Z]|$)")
_PROSE_WORDS = 9
# A line that holds nothing but e-mail addresses, and how many such lines make the names a row of blocks.
_EMAIL_TOKEN = re.compile(r"[^\s@,;]+@[^\s@,;]+|\{[^}]*\}[^\s@,;]*@[^\s@,;]+")


def _is_email_line(line: str) -> bool:
    """Whether a line holds nothing but e-mail addresses ("a@x.edu, b@y.org", "{jo,al}@x.edu")."""
    tokens = [token for token in re.split(r"[\s,;]+", line.strip()) if token]
    return bool(tokens) and all(_EMAIL_TOKEN.fullmatch(token) for token in tokens)


_EMAIL_BLOCKS = 2


def find_authors(lines: list[LayoutLine], letter_markers: str = "", use_styles: bool = False) -> list[str]:
    """The names on the author lines that follow the title.

    The first line of names sets the author type; later lines in that type
    that read as names are authors too (stacked author blocks put an address
    between them), until the abstract, the introduction or running prose.
    Lines right after a line of names continue it whatever their type (small
    capitals change the size). Without font sizes, the names must follow
    each other.
    """
    names_by_line: list[tuple[str, list[str]]] = []
    author_style: LayoutLine | None = None
    previous_had_names = False
    # Blocks that each end in an e-mail line on its own (a column per author: name, department, city, e-mail) name
    # their people on their first lines only; an address line may read as a name ("IIT Madras").
    email_lines = 0
    block_names: LayoutLine | None = None  # the first line of names in the current block; None until one is read
    opens_block: list[bool] = []
    name_rows: list[float] = []  # each line of names' baseline
    previous_text = ""
    for line in _join_broken_name_lines(lines[:AUTHOR_ZONE_LINES]):
        text = line.text
        if _is_email_line(text):
            email_lines += 1
            block_names, previous_had_names = None, False
            continue
        # An address in French reads like prose by its lower-case words ("Laboratoire de Physique de l'Ecole normale
        # supérieure, ENS, Université PSL,"); the next block's names may follow it.
        prose = _is_prose(text) and not is_affiliation(text)
        if SECTION_START.match(text) or _AUTHOR_ZONE_END.search(text) or (names_by_line and (prose or _EDITOR_LINE.match(text))):
            break
        if _JOINER_LINE.match(text):
            continue
        if BYLINE.match(text):
            # "by" opens the byline: what read as names above it was the title's last line ("USING SLIDING SURFACES").
            names_by_line.clear()
            name_rows.clear()
            opens_block.clear()
            author_style, block_names = None, None
            if not _HONORIFIC.sub("", text).strip():
                continue
        # A block of name and e-mail on one line repeats that shape whatever its type (MIT Press sets a second
        # author's line in bold).
        same_shape = author_style is not None and bool(_EMAIL_ADDRESS.search(text) and _EMAIL_ADDRESS.search(author_style.text))
        if author_style is not None and not previous_had_names and not line.same_style(author_style) and not same_shape:
            continue
        if not names_by_line and _ANONYMOUS_BYLINE.match(text):
            return []
        line_names = _names_on_line(text)
        if line_names and not names_by_line and _THANKS.search(previous_text):
            line_names = []  # the people an acknowledgment thanks ("... I thank P. Kilham," / "S. S. Kilham, J. Adams, ...")
        previous_text = text
        if line_names:
            opens_block.append(block_names is None or (previous_had_names and line.same_style(block_names)))
            block_names = block_names or line
        previous_had_names = bool(line_names)
        if line_names:
            names_by_line.append((text, line_names))
            name_rows.append(round(line.y))
            if use_styles and author_style is None:
                author_style = line
            continue
        if names_by_line and not use_styles and not is_affiliation(text):
            break
        if not names_by_line and _is_prose(text):
            break
    one_per_block = False
    if email_lines >= _EMAIL_BLOCKS and sum(opens_block) >= _EMAIL_BLOCKS and use_styles:
        # A block without its e-mail line ("Alice" + e-mail, "Bob", "Carol" + e-mail) still sets its name in the row
        # of the others' names; an address line stands in another row.
        rows = {row for row, first in zip(name_rows, opens_block, strict=True) if first and row}
        names_by_line = [
            entry for entry, first, row in zip(names_by_line, opens_block, name_rows, strict=True) if first or (row and row in rows)
        ]
        # A block per e-mail, one line of names each: a person a block ("Humberto Jesús Corona Pampín").
        one_per_block = len(names_by_line) == email_lines
    names = _one_name_per_line_kept(names_by_line, one_per_block)
    if letter_markers:
        author_text = " ".join(text for text, _ in names_by_line)
        names = [_without_letter_marker(name, letter_markers, author_text) for name in names]
    return [title_case_if_capitals(name) for name in unique_names(names)]


def _one_name_per_line_kept(names_by_line: list[tuple[str, list[str]]], one_per_line: bool = False) -> list[str]:
    """The names of each line, with a long name left whole in a block of one name a line.

    Alone on its line, "Ana Candida Cruz Natali" reads as two names; when
    every other line of the block holds one person, or the layout gives each
    person a line of their own (``one_per_line``), it is one too.
    """
    single = sum(len(line_names) == 1 for _, line_names in names_by_line)
    names: list[str] = []
    for text, line_names in names_by_line:
        pieces = _name_pieces(text)
        one_long_name = len(pieces) == 1 and len(line_names) == 2 and not any(_is_initial(word) for word in pieces[0].split())
        one_a_line = one_per_line or (single >= 2 and single == len(names_by_line) - 1)
        if one_long_name and one_a_line and is_name(pieces[0]):
            names.append(pieces[0])
        else:
            names.extend(line_names)
    return names


# An author block set apart from the title (a side box after the abstract) is
# taken only when an address or e-mail follows its first name within these lines.
_AFFILIATION_WITHIN = 3


def find_author_block(lines: list[LayoutLine], letter_markers: str = "") -> list[str]:
    """The names of the first author block anywhere in the lines: names followed by an address or e-mail.

    CHI extended abstracts and some magazines set the authors in a box after
    the abstract; the title is not followed by them, so they are looked for
    wherever a line of names sits right above an affiliation.
    """
    for index, line in enumerate(lines):
        if not _names_on_line(line.text):
            continue
        if index > 0 and _THANKS.search(lines[index - 1].text):
            continue  # the people an acknowledgment thanks ("... I thank P. Kilham," / "S. S. Kilham, J. Adams, ...")
        following = lines[index + 1 : index + 1 + _AFFILIATION_WITHIN]
        if any(is_affiliation(other.text) or AFFILIATION_WORDS.search(other.text) for other in following):
            # The block's lines of names above, in its type, are its first ("Tanzeem Choudhury," / "Sunny Consolvo,
            # Beverly Harrison," over the line whose address follows within reach).
            start = index
            while start > 0 and lines[start - 1].same_style(line) and _names_on_line(lines[start - 1].text):
                start -= 1
            return find_authors(lines[start:], letter_markers, use_styles=True)
    return []


# An acknowledgment's words before the names it lists.
_THANKS = re.compile(r"\b(?:thank(?:s|ed)?|grateful|indebted|acknowledge[sd]?)\b[^;]*$", re.IGNORECASE)

# Springer journals set the author lines right above the title; at most this many.
_AUTHOR_LINES_ABOVE = 4


def find_authors_above(lines: list[LayoutLine], title: str) -> list[str]:
    """The names on the lines right above the title, for pages that set the authors first.

    ``lines`` end with the title's lines. Only lines of names directly above
    the title count, read upwards until a line that is not one; lines in
    capitals only are section banners ("FUNGAL DISEASES"), never authors.
    """
    title_letters = letters(title)
    start = len(lines)
    while start > 0 and letters(lines[start - 1].text) and letters(lines[start - 1].text) in title_letters:
        start -= 1
    above: list[list[str]] = []
    for line in reversed(lines[max(0, start - _AUTHOR_LINES_ABOVE) : start]):
        # A journal's banner ("Current Biology, Vol. 14, 257-262, February 3, 2004") names no one.
        banner = BANNER_START.match(line.text) or BANNER_ANYWHERE.search(line.text)
        names = _names_on_line(line.text) if not line.text.isupper() and not banner else []
        if not names:
            break
        above.insert(0, names)
    return [title_case_if_capitals(name) for name in unique_names([name for names in above for name in names])]


def _join_broken_name_lines(lines: list[LayoutLine]) -> list[LayoutLine]:
    """Lines with a name broken at the line end ("Paulo Ro-" / "cha9, ...", "Corina" / "Forăscu5, ...") joined.

    Only lines in one type are joined, and only when the first ends in a
    hyphen, or after a comma in a lone given name, a particle or initials.
    """
    joined: list[LayoutLine] = []
    for line in lines:
        if joined and _is_marker_piece(joined[-1].text, line.text):
            # A superscript set apart on its own line ("Manny Rayner" / "1" / ", Pierrette Bouillon") goes back on it.
            previous = joined[-1]
            joined[-1] = LayoutLine(previous.text + line.text, previous.size, previous.font, previous.y)
        elif joined and line.same_style(joined[-1]) and _name_runs_on(joined[-1].text, line.text):
            previous = joined[-1]
            if previous.text.endswith("-"):
                # "Paulo Ro-" / "cha": a word broken in two; "Enrique Herrera-" / "Viedma": a double surname at its hyphen.
                text = previous.text[:-1] + line.text if line.text[:1].islower() else previous.text + line.text
            else:
                text = previous.text + " " + line.text
            joined[-1] = LayoutLine(text, previous.size, previous.font, previous.y)
        else:
            joined.append(line)
    return joined


_MARKER_ONLY_LINE = re.compile(r"(?:\d{1,2}(?:\s*,\s*\d{1,2})*|[a-z](?:,[a-z])*)?[*\u2217\u2020\u2021\u00a7\u00b6#]*,?")


def _is_marker_piece(line: str, following: str) -> bool:
    """Whether ``following`` is an affiliation marker, or the rest of a list after one, that pypdf set on its own line."""
    if not line or not following:
        return False
    if _MARKER_ONLY_LINE.fullmatch(following):
        return line[-1].isalpha() and _is_name_token(line.split()[-1].rstrip(","))
    return following.startswith(", ") and bool(re.search(r"[^\W\d_](?:\d{1,2}|[*\u2217\u2020\u2021])$", line))


_MARKER_AFTER_NAME = re.compile(r"[^\W\d_]\d{1,2}\*?\s+[A-Z]")


def _name_runs_on(line: str, following: str) -> bool:
    """Whether a line of names ends inside a name that the following line finishes."""
    # Names are set apart by commas, semicolons, or only by their markers ("Markus Haug1 Ana Cristina Franco da").
    separated_by_markers = bool(_MARKER_AFTER_NAME.search(line)) or _MARKER_SEPARATOR in line
    if ("," not in line and ";" not in line and not separated_by_markers) or is_affiliation(line) or is_affiliation(following):
        return False
    if _is_prose(following) or SECTION_START.match(following):
        return False
    last_piece = re.sub(r"^(?:and|&)\s+", "", re.split(r"[,;|]|(?<=[^\W\d_])\d{1,2}\*?", line)[-1].strip())
    if line.endswith("-"):
        return following[:1].isalpha()
    words = last_piece.split()
    if not words or not following[:1].isupper():
        return False
    if len(words) == 1 and _is_name_token(last_piece):
        return True  # a lone given name
    if words[-1].lower() in NAME_PARTICLES and len(words) >= 2:
        return True  # "Edward Van" / "Keuren"
    return all(_is_initial(word) for word in words[1:]) and _is_initial(words[-1])  # "Michael S. P." / "Kelley", "M V" / "Ramallo"


_NAME_EMAIL_AFFILIATION = re.compile(r"^(?P<name>[^()@,]+?)\s*\([^()\s]+@[^()\s]+\)\s*[\u2013\u2014-]\s*(?P<affiliation>.+)$")
_NAME_BULLET_AFFILIATION = re.compile(r"^(?P<name>[^\u2022\u00b7]+?)\s+[\u2022\u00b7]\s+(?P<affiliation>[^\u2022\u00b7]+)$")
# LaTeX's article class given the place after a full stop: "Jorge Mahecha. Universidad de Antioquia, Medellín".
_NAME_STOP_AFFILIATION = re.compile(r"^(?P<name>(?:[A-Z]\.\s*|[^.])+?[^\W\d_]{2})\.\s+(?P<affiliation>[A-Z].*)$")
_GROUP_CREDIT = re.compile(r"\s+(?:for|on\s+behalf\s+of)\s+the\s+[A-Z][^,;]*$")
# pypdf reads a name in small capitals as its big first letter and the rest apart: "C ORY S HAIN", "J UDITH T ONHAUSER".
_SMALL_CAPITALS_WORD = re.compile(r"^[A-Z] [A-Z\u00c0-\u00de'-]{2,}[,;]?$")


def _joined_small_capitals(line: str) -> str:
    """A line of names in small capitals with each word's first letter joined back on, when every word is split so
    ("C ORY S HAIN and J UDITH T ONHAUSER"); any other line as it is ("S E ROBERTSON" keeps its initials)."""
    tokens = line.split()
    words = [token for token in tokens if token.lower() not in ("and", "&")]
    if len(words) < 4 or len(words) % 2:
        return line
    pieces: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index].lower() in ("and", "&"):
            pieces.append(tokens[index])
            index += 1
            continue
        pair = " ".join(tokens[index : index + 2])
        if not _SMALL_CAPITALS_WORD.match(pair):
            return line
        pieces.append(pair.replace(" ", "", 1))
        index += 2
    return " ".join(pieces)


def _names_on_line(line: str) -> list[str]:
    """The names a line lists, or [] when it is not a line of names."""
    if _EDITOR_AFTER_NAME.search(line):
        return []  # a book's editor on its cover: "Michael J. May Editor"
    # A font's private glyph after a name (IOP's ORCID icon, "Renata Saha1\ue9d9") is no letter of it.
    line = _PRIVATE_USE.sub("", line)
    line = _joined_small_capitals(line)
    # A credit to a group after the names is no name: "... and Ali R. Rezaic for the Alzheimer's Disease" (the group's
    # name runs on to the next line), "... on behalf of the STRATOS initiative".
    line = _GROUP_CREDIT.sub("", line)
    # SciPy's proceedings: one person a line, the e-mail in brackets, a dash, the affiliation ("Ariel Rokem
    # (arokem@berkeley.edu) – University of California, Berkeley, Berkeley, CA USA").
    with_email = _NAME_EMAIL_AFFILIATION.match(line)
    if with_email and AFFILIATION_WORDS.search(with_email.group("affiliation")):
        line = with_email.group("name")
    # A magazine's byline: the person, a bullet, the place ("Roberto Baldoni • Universita di Roma, Italy", "Michel
    # Raynal • IRISA, France"); Springer's middle dot between names ("Jane Roe · John Smith") sets names only.
    # After a full stop only an institution's word places the name: "J. Appl. Phys. 126, 163902" is a journal's reference.
    for pattern, comma_places in ((_NAME_BULLET_AFFILIATION, True), (_NAME_STOP_AFFILIATION, False)):
        placed = pattern.match(line)
        if (
            placed
            and (AFFILIATION_WORDS.search(placed.group("affiliation")) or (comma_places and "," in placed.group("affiliation")))
            and not looks_like_author_line(placed.group("affiliation"))
            and looks_like_author_line(placed.group("name"))
        ):
            line = placed.group("name")
            break
    if line and not any(char.isspace() for char in line.strip()):
        # A font without spaces glues the whole line ("TorstenHothornandFriedrichLeisch"): its joiners set it apart.
        spaced = _GLUED_JOINER.sub(" and ", line)
        if spaced != line:
            return _names_on_line(spaced)
    if not looks_like_author_line(line):
        # The names, then the first affiliation after its number on the same line: "Cyprien Bosserelle1, Emily M.
        # Lane1, Alice Harang1 1 National Institute of Water and Atmospheric Research (NIWA), Christchurch".
        numbered = _AFFILIATION_AFTER_NAMES.match(line)
        if numbered and AFFILIATION_WORDS.search(numbered.group("affiliation")) and looks_like_author_line(numbered.group("names")):
            return _name_pieces(numbered.group("names"))
        # "Name and Name, Affiliation; ...", or ACM journals' "TAL AUGUST, University of Washington, USA".
        first, _, rest = line.partition(",")
        # Without semicolons, the line must name an institution: "Palo Alto, CA 94304" is an address.
        names = (
            _names_with_affiliations(line)
            if (";" in line or AFFILIATION_WORDS.search(rest)) and not first[:1].isdigit() and first[:1] not in _MARKER_SYMBOLS
            else []
        )
        if names:
            return names
        # A name with its marker before its affiliation: "John Smith1, University of Washington, USA".
        if (
            rest
            and not first[:1].isdigit()
            and first[:1] not in _MARKER_SYMBOLS
            and AFFILIATION_WORDS.search(rest)
            and looks_like_author_line(first)
        ):
            return _name_pieces(first)
        # A name with an initial, then its affiliation without a comma (AJPS's byline: "Andrew Q. Philips University of
        # Colorado Boulder"); without the initial, "Cold Spring Harbor Laboratory" would read as a name too. Schools and
        # colleges bear people's names ("David R. Cheriton School of Computer Science", "Paul G. Allen School").
        initialled = _NAME_BEFORE_AFFILIATION.match(line)
        if initialled and is_name(initialled.group("name")):
            return [initialled.group("name")]
        return []
    pieces = _name_pieces(line)
    alone = len(pieces) == 1
    return [name for piece in pieces for name in (_split_run_of_names(piece) if _is_run_of_names(piece, alone) else [piece])]


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_GLUED_JOINER = re.compile(r"(?<=[a-z])and(?=[A-Z])")
_NAME_BEFORE_AFFILIATION = re.compile(
    rf"(?P<name>(?:[A-Z][a-z{_ACCENTED_LOWER}]+\s)?(?:[A-Z]\.\s?)+[A-Z][\w'\u2019-]+)\s+(?=(?i:universit\w*|universidad|universidade"
    r"|centro|center|centre|institut[eo]?|department|laborator\w*|hospital)\b)"
)
_AFFILIATION_AFTER_NAMES = re.compile(r"(?P<names>.+?[^\W\d_][|\d*]*)\s+\d{1,2}\s+(?P<affiliation>[A-Z].*)")
_JOINED_NAMES = re.compile(r"\band\b|&")


def _names_with_affiliations(line: str) -> list[str]:
    """The names of a line of "Name, Affiliation; Name and Name, Affiliation; ...", or [].

    USENIX cover pages list their authors so, over several lines; an entry
    cut at the line end ("Zhaoguo Wang" / "and Russell Power, ...") still
    reads as names on each side.
    """
    names: list[str] = []
    with_affiliation = 0
    for entry in line.split(";"):
        # The names are the entry's first comma-separated parts ("M. Azouz, A. Shaltout and M. A. L. Elshafei,
        # Cairo University"), the affiliation the rest.
        if not entry.strip():
            continue
        parts = entry.strip().split(",")
        pieces: list[str] = []
        used = 0
        while used < len(parts):
            part_pieces = [piece for piece in _NAME_SPLIT.split(re.sub(r"^(?:and|&)\s+", "", parts[used].strip())) if piece.strip()]
            if not part_pieces or not all(is_name(piece) for piece in part_pieces):
                break
            pieces += part_pieces
            used += 1
        if used > 1 and not _JOINED_NAMES.search(",".join(parts[1:used])):
            # Only a list closed by "and" runs past its first name: "Jane Roe, Hong Kong, ..." names a city.
            pieces, used = pieces[: len(_NAME_SPLIT.split(parts[0].strip()))], 1
        affiliation = ",".join(parts[used:])
        if not pieces:
            return []
        if affiliation.strip():
            if AFFILIATION_WORDS.search(affiliation) or _ACRONYM.match(affiliation.split()[0]):
                with_affiliation += 1
            elif not affiliation.strip()[:1].isupper():
                return []  # a company ("Google") passes when another entry names an institution
        names.extend(pieces)
    return names if with_affiliation else []


def _split_run_of_names(piece: str) -> list[str]:
    """Names set side by side with no separator ("Patrick M. Rondon Ming Kawaguchi Ranjit Jhala").

    A run of at least four words is read as names of the forms given name,
    middle initials, particles, surname ("Geoffrey J. Gordon"); initials,
    particles, surname ("J. van Leeuwen"); and initials, given name, surname
    ("J. Andrew Bagnell"). The first way to read the whole run as such names
    is taken, shorter names first, unless in it a name that opens with an
    initial follows one that opens with a given name, and another way has no
    such step: "Hanna M. Wallach" is one name, and "Ryan Prescott Adams Hanna
    M. Wallach Zoubin Ghahramani" three (a given name may then be two words),
    not "Ryan Prescott", "Adams Hanna", "M. Wallach", "Zoubin Ghahramani".
    When there is no way, the piece stays one name.
    """
    tokens = piece.split()
    if len(tokens) < 4:
        return [piece]
    readings = islice(_names_from(tokens, 0), _MAX_READINGS)
    first = next(readings, None)
    if not first or len(first) < 2:
        return [piece]
    if not _initial_after_given_name(first):
        return first
    return next((names for names in readings if len(names) > 1 and not _initial_after_given_name(names)), first)


# A run of names has few ways to be read; this many are looked at, at most.
_MAX_READINGS = 64


def _initial_after_given_name(names: list[str]) -> bool:
    """Whether a name that opens with an initial follows one that opens with a given name ("Adams Hanna", "M. Wallach")."""
    opens_with_initial = [_is_initial(name.split()[0]) for name in names]
    return any(not before and after for before, after in pairwise(opens_with_initial))


def _names_from(tokens: list[str], start: int) -> Iterator[list[str]]:
    """The ways tokens[start:] fall into names exactly, shorter names first."""
    if start == len(tokens):
        yield []
        return
    for end in _name_ends(tokens, start):
        name = tokens[start:end]
        if start and name[0].lower() in NAME_PARTICLES:
            continue  # "José Antonio de la Fuente" is one name, not two
        for rest in _names_from(tokens, end):
            yield [" ".join(name), *rest]


def _name_ends(tokens: list[str], start: int) -> list[int]:
    """Where a name that starts at tokens[start] may end, shortest first."""
    index = start
    while index < len(tokens) and _is_initial(tokens[index]):
        index += 1
    initials = index > start
    ends: list[int] = []
    if not initials:
        index += 1  # the given name
        while index < len(tokens) and _is_initial(tokens[index]):
            index += 1
    while index < len(tokens) and tokens[index].lower() in NAME_PARTICLES:
        index += 1
    if index < len(tokens) and not _is_initial(tokens[index]):
        ends.append(index + 1)  # the surname
    if initials and index < len(tokens) - 1 and not _is_initial(tokens[index]) and not _is_initial(tokens[index + 1]):
        ends.append(index + 2)  # a given name after the initials, then the surname
    if not initials and index == start + 1 and index < len(tokens) - 1 and not any(map(_is_initial, tokens[index : index + 2])):
        ends.append(index + 2)  # two given names, then the surname: the last way tried
    return ends


def _is_initial(token: str) -> bool:
    """An initial with its full stop ("J.", "J.-P.") or without one ("S E Robertson")."""
    return bool(_INITIAL.match(token)) or (len(token) == 1 and token.isupper())


def _is_prose(line: str) -> bool:
    """Whether a line is running text: many words, most of them lower case."""
    words = line.split()
    return len(words) >= _PROSE_WORDS and sum(word[:1].islower() for word in words) >= len(words) / 2


_CAPITALS_WITH_MARK = re.compile(r"[A-Z]{3,}[a-z]")


def title_case_if_capitals(name: str) -> str:
    """ "LEANA GOLUBCHIK" as "Leana Golubchik"; "Ross G. DOUGLAS" as "Ross G. Douglas"; "CESA-BIANCHI" as "Cesa-Bianchi".

    Mixed case stays unchanged, and a group's acronym stays in capitals ("UPBEAT Consortium").
    """
    if is_group_author(name):
        return name
    # A footnote's mark after a surname in capitals, read as a small letter by the OCR behind an old scan's text
    # ("Robert TIBSHIRANIt" for "TIBSHIRANI†").
    words = [word[:-1] if _CAPITALS_WITH_MARK.fullmatch(word) else word for word in name.split()]
    return " ".join(
        "-".join(part.capitalize() for part in word.split("-"))
        if len(word) > 2 and word.isupper() and word.replace("-", "").isalpha()
        else word
        for word in words
    )


_LETTER_AFTER_COMMA = re.compile(r"(?:,\s*|\s+and\s+)(?P<letter>[a-h])(?=[A-Z][a-z])")
_LETTER_AFTER_SEMICOLON = re.compile(r";\s*(?P<and>and\s+)?(?P<letter>[a-z])(?=[A-Z][a-z])")


def letter_markers(lines: list[str]) -> str:
    """The letters that start the page's affiliation lines ("aSchool of ...").

    A line counts when it names an institution, or when the lines so
    labelled run "a", "b", ... in order ("a D!epartement de M!ecanique", "b
    IFP-1,4 av. de Bois Pr!eau"), as only a list of affiliations does.
    """
    letters = ""
    labels = ""
    for line in lines:
        match = AFFILIATION_WITH_LETTER.match(line)
        if match and AFFILIATION_WORDS.search(line[1:]):
            letters += match.group("letter")
        # PNAS runs the affiliations on: "aInstitute of Marine Science, ...; cUnited States ...; and gNational ...". Such
        # a letter goes on from one already read ("; and eLearning Unit" after no lettered address is a word).
        for run_on in _LETTER_AFTER_SEMICOLON.finditer(line):
            letter = run_on.group("letter")
            if letters and letter > max(letters) and (run_on.group("and") or AFFILIATION_WORDS.search(line)):
                letters += letter
        # Others run them on after a comma or "and": "aDepartment of Psychology, UCLA, bDivision of Biology and
        # cComputation and Neural Systems". Such a letter is the next after one already read, in order.
        for run_on in _LETTER_AFTER_COMMA.finditer(line):
            if letters and run_on.group("letter") == chr(ord(max(letters)) + 1):
                letters += run_on.group("letter")
        if match and line[1:2] == " " and "," in line:
            labels += match.group("letter")  # an address has commas; a figure panel's caption ("a Schematic of") has none
    if len(labels) >= 2 and labels == "abcdefgh"[: len(labels)]:
        letters += "".join(letter for letter in labels if letter not in letters)
    return letters


def _without_letter_marker(name: str, letter_markers: str, author_text: str = "") -> str:
    """A name without the affiliation letter glued to its end.

    Where the author lines set the letter apart ("Mikel Larrea a,∗"), or its
    raised type set it off ("Farnocchia|"), it was taken off as a marker
    already, and the name's own last letter stays.
    """
    if len(name) > 3 and name[-1] in letter_markers and name[-2].islower():
        if re.search(re.escape(name) + r"(?:\s+[a-z](?![^\W\d_])|\s*[*\u2217]*\|)", author_text):
            return name
        # Names marked with numbers set apart ("By Moshe Ben-Akiva, 1 Frannie Humplick, 2") end in their own letters;
        # a letter glued before a number is a marker ("Jane Doea,1").
        if re.search(re.escape(name) + r",?\s\d", author_text):
            return name
        return name[:-1]
    return name
