"""A paper's title: junk titles refused, and the title found on page 1 by type size, boldness or position."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from papergym.core.ingest.clean import OT1_LIGATURES, join_hyphenated, normalize_ligatures
from papergym.core.ingest.layout import LayoutLine
from papergym.core.ingest.metadata.authors import BYLINE, looks_like_author_line, reads_as_names, starts_author_list
from papergym.core.ingest.metadata.page_lines import (
    COVER_FIELD,
    SECTION_START,
    has_markers,
    is_affiliation,
    is_banner,
    is_coursework_banner,
    letter_count,
    letters,
)

_ONE_INITIAL = re.compile(r"^[A-Z]\.$")
# TeX's OT1 encoding puts its ligatures at these codes: "E\x0ecient" is "Efficient".
# More control characters than this share of a text's characters, and the text is noise.
_NOISE_SHARE = 0.1


def _without_control_characters(text: str) -> str | None:
    """Text with TeX ligature codes read and stray control characters dropped; None when it is mostly noise."""
    controls = sum(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text)
    if not controls:
        return text
    if controls > _NOISE_SHARE * len(text.replace(" ", "")):
        return None
    for code, ligature in OT1_LIGATURES.items():
        text = text.replace(chr(code), ligature)
    return "".join(char for char in text if unicodedata.category(char) != "Cc" or char in "\t\n\r")


_JUNK_TITLE = re.compile(
    r"^(?:untitled\b.*|microsoft\s+\w+\s*-.*|.*\.(?:pdf|docx?|tex|dvi|ps|eps|rtf|odt|indd|qxd|txt)"
    r"|document\d*|doc\d*|title|paper|article|manuscript|main|draft|template|layout\s*\d*"
    r"|pii:.*|doi:.*|10\.\d{4,9}/.*|slide\s*\d*|\d+"
    # Typesetters' job names ("OP-GENE210101 1..14", "JMF-2019-4604-ver9", "28 e.xps") and placeholders.
    r"|\S+\s+\d+\.\.\d+|[A-Z]{2,}[-_]?\d[\w-]*|[A-Z]+-\d{4}-\d+(?:-ver\d+)?|\d+\s+\S+\.xps"
    r"|anonymous\s+submission.*|proceedings\s+template.*|paper\s+title.*|insert\s+(?:your\s+)?title.*|title\s+of\s+(?:the\s+)?paper)$",
    re.IGNORECASE,
)

# A venue's label for the paper's kind in square brackets after the title, no part of it: "... Search Algorithms
# [Experiments and Analyses]", "[Extended Abstract]", "[Invited Paper]"; words only ("[Fe4S4]" is a cluster's formula).
_EDITORIAL_LABEL = re.compile(r"\s+\[[A-Z][A-Za-z]*(?:\s+(?:&|[A-Za-z]+))*\]$")
# Words a title keeps at least when a label or OCR specks are cut from it.
_LEAST_TITLE_WORDS = 3
# The column or issue a journal files an article under, which its Info title may open with: "Squibs and Discussions:
# Assessing Agreement on ...", "Special Issue on Robotics: ...". An article's type ("Technical Note: ...") stays.
_COLUMN_LABEL = re.compile(
    r"^(?:squibs\s+and\s+discussions|(?:virtual\s+)?special\s+(?:issue|section|collection|topic)(?:\s+on\s+[^:]{1,60})?"
    r"|themed\s+(?:issue|collection|section)(?:\s+on\s+[^:]{1,60})?|focus\s+issue(?:\s+on\s+[^:]{1,60})?)\s*:\s+",
    re.IGNORECASE,
)
# Marks OCR reads from specks and smudges, which no title's word carries.
_OCR_NOISE_MARK = re.compile(r"[\^~]")


def clean_title(title: str | None) -> str | None:
    """A title with its spacing tidied, or None when it is empty or junk.

    Junk is what tools put there instead of a title: "untitled", "Microsoft
    Word - x.docx", a file name, a DOI or PII, or text with no letters at all.
    Control characters come from TeX fonts without a Unicode map: the codes
    of TeX's ligatures are read as those, a stray mark is dropped, and text
    made of many of them is noise (no title is better than that).
    """
    if not title:
        return None
    title = _without_control_characters(title)
    if not title:
        return None
    words = title.split()
    if len(words) >= 4 and sum(len(word) == 1 for word in words) > len(words) / 2:
        return None  # "A B C D E F ...": glyphs of a font without a text encoding, one per word
    title = " ".join(normalize_ligatures(title).split()).strip(" .").rstrip(" ,*\u2217\u2020\u2021\u22c6\u2605\u00a7")
    if len(title) < 4 or not any(char.isalpha() for char in title):
        return None
    words = title.split()
    while len(words) > _LEAST_TITLE_WORDS and _OCR_NOISE_MARK.search(words[-1]):
        words.pop()  # a scan's specks read after the title: "Causal diagrams for empirical research C^-j-h di^^i^)"
    title = " ".join(words)
    labelled = _EDITORIAL_LABEL.search(title)
    if labelled and len(title[: labelled.start()].split()) >= _LEAST_TITLE_WORDS:
        title = title[: labelled.start()]
    column = _COLUMN_LABEL.match(title)
    if column and len(title[column.end() :].split()) >= _LEAST_TITLE_WORDS:
        title = title[column.end() :]
    if _JUNK_TITLE.match(title):
        return None
    if " " not in title and ("_" in title or any(char.isdigit() for char in title) or ("-" in title and title.islower())):
        return None  # a file's name: "paper_v2", "JMF-2019-4604", "a-sahu-thesis"
    if _reads_as_cipher(title):
        return None
    return title


# Text a font without a Unicode map turns into symbols ('BDC&E)FHGI8KJfflL9E)FNMO7"8QPRE6ST>AU') or letters shifted
# along the alphabet with no spaces ("ChqjFqndmdudkcHyAdksZfx OdsdVZkrgÜjrghsZAgZfhZQncmdxJhmmdx").
_CIPHER_SYMBOLS = re.compile(r"[^\w\s\-:,.'’()?!/&+\"“”‘«»–—−≠≤≥±×·∞]")
_CIPHER_MIN_CHARS = 30
_CIPHER_SYMBOL_SHARE = 0.1
_CIPHER_WORD_LETTERS = 20


_CIPHER_VOWEL_SHARE = 0.25


def _vowel_share(word: str) -> float:
    word_letters = [char for char in word.lower() if char.isalpha()]
    return sum(char in "aeiouy" for char in word_letters) / max(len(word_letters), 1)


def _reads_as_cipher(title: str) -> bool:
    """Whether a title is a font's codes rather than words."""
    compact = title.replace(" ", "")
    if len(compact) < _CIPHER_MIN_CHARS:
        return False
    symbols = len(_CIPHER_SYMBOLS.findall(compact))
    words = title.split()
    # Words run together still have their vowels ("TheLogicalClarinet:NumericalOptimizationof"); shifted letters lose them.
    long_words = sum(
        len(word) > _CIPHER_WORD_LETTERS and sum(char.isupper() for char in word) >= 3 and _vowel_share(word) < _CIPHER_VOWEL_SHARE
        for word in words
    )
    return symbols > _CIPHER_SYMBOL_SHARE * len(compact) or long_words * 2 > len(words)


TITLE_SEARCH_LINES = 30
_MAX_TITLE_LINES = 3
# In its own type a title may run longer (Psychological Science sets five lines of 18 pt).
_MAX_TITLE_RUN_LINES = 5


_TITLE_CONTINUES_AFTER = frozenset(
    {
        "of",
        "in",
        "for",
        "and",
        "the",
        "a",
        "an",
        "on",
        "with",
        "to",
        "by",
        "from",
        "at",
        "via",
        "into",
        "under",
        "between",
        "through",
        "towards",
        "toward",
        "using",
        "its",
        "their",
        "as",
        "or",
    }
)


_TITLE_FONT_RATIO = 1.15
_MAX_TITLE_CHARS = 300
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,6}\.)\s")
# Lines of this many letters or fewer are markers or symbols set apart ("∗", "1").
_STRAY_MARK_LETTERS = 1


def largest_type_title(lines: list[LayoutLine], body_size: float) -> tuple[str, int] | None:
    """The title in the largest type that reads as one, and the index of the line after it.

    Each stretch of consecutive lines in one size is a candidate; sizes are
    tried from the largest down, so a big journal name, a figure label or an
    article-type banner is passed over for the title below it.
    """
    runs = _same_size_runs(lines)
    sizes = sorted({line.size for line in lines if line.size >= body_size * _TITLE_FONT_RATIO}, reverse=True)
    for size in sizes:
        for start, end in runs:
            if _run_size(lines[start:end]) != size or _in_masthead(lines, start, end):
                continue
            # Names in the title's size but another face, read before it (Science's reprint cover lists them above
            # the title, bottom to top): "Albert-László Barabási and Réka Albert" / "Emergence of Scaling ...".
            first = start
            while first < end - 1 and is_banner(lines[first].text):
                first += 1
            if first < end - 1 and looks_like_author_line(lines[first].text) and lines[first].font != lines[first + 1].font:
                start = first + 1
            if _figure_labels(lines[start:end]):
                continue
            run = [line.text for line in lines[start:end] if letter_count(line.text) > _STRAY_MARK_LETTERS]
            title, used = _title_from_run(run)
            after = _index_after(lines, start, end, used)
            if title and _opens_a_dated_line(title, lines[:start] + lines[end:]):
                continue  # the journal's name, which its header repeats with the year and volume
            if title:
                return _with_subtitle(_with_lead_in(title, lines, start, body_size), lines, after, body_size)
            short = _short_title(run)
            if short and after < len(lines) and looks_like_author_line(lines[after].text):
                return short, after
            if short and after < len(lines):
                # A short title over its subtitle in smaller type, the names under both: "Analog Sorting" / "Theory and
                # evaluation" / "Lusa Zhan" is "Analog Sorting: Theory and evaluation".
                joined, subtitle_end = _with_subtitle(f"{short}:", lines[: after + 1], after, body_size)
                if subtitle_end == after + 1 < len(lines) and looks_like_author_line(lines[subtitle_end].text):
                    return joined, subtitle_end
    return None


def _with_lead_in(title: str, lines: list[LayoutLine], start: int, body_size: float) -> str:
    """A title with the line just above it that leads into it with a colon, in smaller but still large type ("the
    mobile sensing platform:" over "An embedded Activity Recognition system")."""
    if start == 0:
        return title
    above, first = lines[start - 1], lines[start]
    if (
        not above.text.rstrip().endswith(":")
        or not body_size * _TITLE_FONT_RATIO <= above.size < first.size
        or letter_count(above.text) < _LEAST_LEAD_IN_LETTERS
        or is_banner(above.text)
        or _set_apart(above, first)
    ):
        return title
    return clean_title(f"{above.text} {title}") or title


_LEAST_LEAD_IN_LETTERS = 3


def _opens_a_dated_line(title: str, others: list[LayoutLine]) -> bool:
    """Whether a title candidate opens another line of the page that goes on with a year: a journal's name in big type,
    which its header prints again with the year and volume ("Evidence Based Library and Information Practice 2007, 2:1")."""
    wanted = letters(title)
    if len(wanted) < _LEAST_JOURNAL_NAME_LETTERS:
        return False
    rests = (letters(line.text) for line in others)
    return any(rest.startswith(wanted) and _YEAR_AFTER_NAME.match(rest[len(wanted) :]) for rest in rests)


_LEAST_JOURNAL_NAME_LETTERS = 8
# What follows a journal's name in its header, as letters and digits only: a year, then a volume or pages.
_YEAR_AFTER_NAME = re.compile(r"^(?:19|20)\d\d\d")


# The lines of a journal's masthead around its name: Elsevier's "Contents lists available at ScienceDirect" /
# "Ecological Modelling" / "journal homepage: www.elsevier.com/locate/ecolmodel".
_MASTHEAD_LINE = re.compile(r"\bcontents\s*lists?\s*available|\bjournal\s*homepage\b|^(?:www\.|https?://)\S+$", re.IGNORECASE)


# A figure's labels in big type: many lines of a word or two ("Active" / "Inference" / "Variational" / "free energy"),
# set wherever the drawing needs them; a display title's short lines ("Efficient" / "String Matching:" / "An Aid to")
# step down the page at one spacing.
_FIGURE_LABEL_LINES = 4
_FIGURE_LABEL_WORDS = 2.0
_EVEN_SPACING = 1.5


def _figure_labels(run: list[LayoutLine]) -> bool:
    """Whether a stretch of same-size lines is a figure's labels rather than a title."""
    if len(run) < _FIGURE_LABEL_LINES or sum(len(line.text.split()) for line in run) / len(run) > _FIGURE_LABEL_WORDS:
        return False
    if not all(line.y for line in run):
        return False  # no positions to tell by: a title
    steps = [above.y - below.y for above, below in pairwise(run)]
    return min(steps) <= 0 or max(steps) > _EVEN_SPACING * min(steps)


def _in_masthead(lines: list[LayoutLine], start: int, end: int) -> bool:
    """Whether a run of lines sits between masthead lines, where the journal's name goes."""
    before = lines[start - 1].text if start > 0 else ""
    after = lines[end].text if end < len(lines) else ""
    return _is_masthead_line(before) and _is_masthead_line(after)


def _is_masthead_line(line: str) -> bool:
    """Whether a line is one of a journal masthead's, its letters spaced out or not ("j ourna l h om epa ge :")."""
    return bool(_MASTHEAD_LINE.search(line) or _MASTHEAD_LINE.search(re.sub(r"(?<=\w) (?=\w)", "", line)))


# A subtitle is set a little smaller than its title; the authors' type is smaller still.
_SUBTITLE_SIZE_RATIO = 0.75
_MAX_SUBTITLE_LINES = 2
# Under a display title a subtitle may be much smaller ("Language Is Not Just for Talking" at 36 points, its
# subtitle at 20), but it is still display type, at least this many times the body's size.
_DISPLAY_SUBTITLE_BODY_RATIO = 1.8


def _with_subtitle(title: str, lines: list[LayoutLine], after: int, body_size: float) -> tuple[str, int]:
    """The title joined with the subtitle set under it in large type, and the index of the line after both.

    "Composable and Compilable Macros" / "You Want it When?" is one title; so
    is a title that ends in a colon and goes on in the next, smaller size.
    """
    title_size = lines[after - 1].size if after > 0 else 0.0
    end = after
    while (
        end < len(lines)
        and end - after < _MAX_SUBTITLE_LINES
        and not _set_apart(lines[end - 1], lines[end])
        and (
            lines[end].size >= max(body_size * _TITLE_FONT_RATIO, title_size * _SUBTITLE_SIZE_RATIO)
            or lines[end].size >= body_size * _DISPLAY_SUBTITLE_BODY_RATIO
            # A title that ends in a colon goes on, however much smaller its subtitle ("Keys Under Doormats:" in 25 pt,
            # "mandating insecurity by ..." in 14.5 pt small capitals), as long as it is larger than the body.
            or (title.endswith(":") and lines[end].size >= body_size * _TITLE_FONT_RATIO)
            # So does one line larger than the body between the title and the names ("Cat Retinal Ganglion Cells" in
            # 20 pt, "Basic Characteristics and Quantitative Description" in 14 pt italics, then the names).
            # A line in the names' own type is the byline's (an organisation's name over "September 2025, Dr. Atwau Pius").
            or (
                end == after
                and lines[end].size >= body_size * _TITLE_FONT_RATIO
                and _names_follow(lines, end)
                and not lines[end + 1].same_style(lines[end])
            )
        )
        and lines[end].size <= title_size
        and (
            end + 1 >= len(lines)
            or lines[end + 1].size < lines[end].size
            or lines[end + 1].same_style(lines[end])
            # A drop cap after it opens the body ("R" / "ecommendation algorithms are ...").
            or letter_count(lines[end + 1].text) <= _STRAY_MARK_LETTERS
        )
        and (
            # Names are read with their raised markers set off ("Zikri,1, 2, a) Wahyu Hidayat,b)").
            not (looks_like_author_line(lines[end].marked or lines[end].text) or starts_author_list(lines[end].text))
            or (title.endswith(":") and not _address_follows(lines, end))
        )
        and not reads_as_names(lines[end])
        and lines[end].text.strip().lower() != "by"
        and not is_banner(lines[end].text)
        and not SECTION_START.match(lines[end].text)
        and letter_count(lines[end].text) > _STRAY_MARK_LETTERS
    ):
        end += 1
    if end == after:
        return title, after
    subtitle = " ".join(line.text for line in lines[after:end])
    # A subtitle in its own type after a title that does not end in punctuation is set off with a colon.
    colon = ":" if title[-1].isalnum() and lines[after].size < title_size * _SUBTITLE_SIZE_RATIO else ""
    joined = clean_title(f"{title}{colon} {subtitle}")
    if not joined or len(joined) > _MAX_TITLE_CHARS:
        return title, after
    return joined, end


def _names_follow(lines: list[LayoutLine], index: int) -> bool:
    """Whether the line after ``index`` names the authors, and the line itself does not."""
    return index + 1 < len(lines) and looks_like_author_line(lines[index + 1].text) and not looks_like_author_line(lines[index].text)


# A subtitle follows its title at about a line's spacing; a gap of more than this many of the title's
# sizes sets a new block (a journal's logo above the title, the title under it).
_SUBTITLE_GAP_SIZES = 2.0


# Lines in one size further apart than this many sizes are two blocks even in a double-spaced manuscript
# (whose title lines stand two sizes apart).
_RUN_GAP_SIZES = 3.0


def _set_apart(above: LayoutLine, below: LayoutLine, gap_sizes: float = _SUBTITLE_GAP_SIZES) -> bool:
    """Whether two lines are further apart than a title's lines are, when the page gives their heights."""
    if not above.y or not below.y:
        return False
    return abs(above.y - below.y) > gap_sizes * max(above.size, below.size)


def _address_follows(lines: list[LayoutLine], index: int) -> bool:
    """Whether the line after lines[index] is an address, so lines[index] is a line of names."""
    return index + 1 < len(lines) and is_affiliation(lines[index + 1].text)


def _short_title(run: list[str]) -> str | None:
    """A title of one to three words ("Tilings", "Tidy Data", "Project 4"), which the caller takes only when names follow it."""
    if len(run) != 1:
        return None
    text = clean_title(re.sub(r"[*\u2217\u2020\u2021]+$", "", run[0]))
    if not text or len(text.split()) > 3 or is_banner(text) or SECTION_START.match(text) or _JOURNAL_NAME.match(text):
        return None
    words = text.split()
    # A number may end it: "Project 4", over its group's names.
    capitalised = all(word[:1].isupper() or (word.isdigit() and index == len(words) - 1) for index, word in enumerate(words))
    return text if capitalised and letter_count(text) >= 0.8 * len(text.replace(" ", "")) else None


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|\bBX|CMBX|-B\b|\.B\b|Bd", re.IGNORECASE)


# Sizes within this of each other are one size (pypdf's sizes are rounded to half points).
_SIZE_STEP = 0.5


def bold_title(lines: list[LayoutLine], body_size: float = 0.0) -> tuple[str, int] | None:
    """The first stretch of bold lines in one type that reads as a title, for titles set in the body size.

    Bold type smaller than the body is a side box's label (PLOS's "Peer Review History"), never the title.
    """
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and lines[end].same_style(lines[start]):
            end += 1
        if _BOLD_FONT.search(lines[start].font) and lines[start].size >= body_size - _SIZE_STEP:
            title, used = _title_from_run([line.text for line in lines[start:end]])
            if title and not _opens_a_dated_line(title, lines[:start] + lines[end:]):
                return title, _index_after(lines, start, end, used)
        if SECTION_START.match(lines[start].text):
            return None
        start = end
    return None


def _run_size(run: list[LayoutLine]) -> float:
    """The size of a stretch's largest words; a drop cap or a stray mark bridged into it does not count."""
    return max((line.size for line in run if letter_count(line.text) > _STRAY_MARK_LETTERS), default=run[0].size)


def _same_size_runs(lines: list[LayoutLine]) -> list[tuple[int, int]]:
    """(start, end) of each stretch of lines in one font size, stray marks bridged.

    A gap wider than a title's line spacing ends a stretch: the names set in
    the title's size under it ("Daron Acemoglu", then an address, then
    "Pascual Restrepo") are another block.
    """
    runs: list[tuple[int, int]] = []
    start = 0
    while start < len(lines):
        end = start + 1
        size = lines[start].size  # after a scan's wobble, the size the stretch goes on in
        while end < len(lines) and (
            (abs(lines[end].size - size) < 0.25 and not _gap_ends_run(lines, start, end))
            or letter_count(lines[end].text) <= _STRAY_MARK_LETTERS
            # A scan's sizes wobble by a step: "THE GRAND TOUR:" at 12 points goes on at 12.5, and an OCR layer's
            # "Validation of a 3D Particle Method in the context of Vortex" at 19.5 goes on in its face at 20.
            or (
                (lines[end - 1].text.endswith(":") or _wobbles_in_its_face(lines[end - 1], lines[end]))
                and abs(lines[end].size - lines[end - 1].size) <= _SIZE_STEP
                and not _gap_ends_run(lines, start, end)
            )
        ):
            if abs(lines[end].size - size) >= 0.25 and letter_count(lines[end].text) > _STRAY_MARK_LETTERS:
                size = lines[end].size
            end += 1
        runs.append((start, end))
        start = end
    return runs


_WOBBLE_LINE_WORDS = 4


def _wobbles_in_its_face(above: LayoutLine, line: LayoutLine) -> bool:
    """Whether a line goes on the one above it in its face, only its size read a step off: the line above runs for
    some words and ends mid-sentence ("Astronomy&" / "Astrophysics", a journal's logo, does not), and neither is a
    line of names."""
    return (
        above.font == line.font
        and len(above.text.split()) >= _WOBBLE_LINE_WORDS
        and above.text[-1].isalpha()
        and not looks_like_author_line(above.text)
        and not looks_like_author_line(line.text)
    )


# A line further below the one before than this many times the stretch's own line spacing starts a new block.
_RUN_PITCH_RATIO = 1.6


def _gap_ends_run(lines: list[LayoutLine], start: int, end: int) -> bool:
    """Whether lines[end] stands apart from the stretch lines[start:end]: three sizes below it, or twice its line spacing."""
    above, below = lines[end - 1], lines[end]
    if _set_apart(above, below, _RUN_GAP_SIZES):
        return True
    if end - start < 2 or not (lines[start].y and lines[start + 1].y and above.y and below.y):
        return False
    pitch = abs(lines[start].y - lines[start + 1].y)
    return pitch > 0 and abs(above.y - below.y) > _RUN_PITCH_RATIO * pitch


# A supplement's label under the title of the paper it supplements.
_SUPPLEMENT_LABEL = re.compile(
    r"^(?:online|web|data|technical|supplementary|supplemental)\s+(?:appendix|appendices|materials?|information)$", re.IGNORECASE
)
# The word alone on its line that joins a report's banner to its title: "PROJECT REPORT" / "on" / the title.
_AFTER_BANNER = frozenset({"on", "of", "about", "for", "entitled", "titled"})


def _title_from_run(run: list[str]) -> tuple[str | None, int]:
    """The title that a stretch of same-size lines gives, and how many of its lines it used."""
    used = 0
    kept: list[str] = []
    for index, line in enumerate(run[:_MAX_TITLE_RUN_LINES]):
        # A line that ends on a word that cannot end a title goes on ("... Monte Carlo for" / "Option Valuation∗"), as
        # does a title in capitals whose last line carries its footnote's star before a line of several names
        # ("... A REGRESSION" / "DISCONTINUITY DESIGN*" / "JENS LUDWIG AND DOUGLAS L. MILLER").
        goes_on = bool(kept) and (
            kept[-1].split()[-1].lower() in _TITLE_CONTINUES_AFTER or _starred_last_title_line(kept[-1], line, run[index + 1 : index + 2])
        )
        if (
            kept
            and not goes_on
            and (
                _OPENS_WITH_INITIALS.match(line)
                or (
                    looks_like_author_line(line)
                    # A star after the title's last word is its footnote's: the title ended there.
                    and (
                        has_markers(line) or (_in_capitals(kept[-1]) and not _in_capitals(line)) or kept[-1].rstrip().endswith(_TITLE_STARS)
                    )
                )
                or is_affiliation(line)
            )
        ):
            break  # names after a title in capitals need no markers: "TEMPORAL RESOLUTION" / "Yaffa Yeshurun and Liat Levy"
        if kept and not goes_on and (line.strip().lower() == "by" or _SUPPLEMENT_LABEL.match(line) or is_coursework_banner(line)):
            break  # "By" alone under a cover's title, over the names; a supplement's label ("Online Appendix")
        if COVER_FIELD.match(line):
            break  # a cover form's fields ("Year: 2nd Year", "Submitted By:") end a title, and the names they label are none
        if not kept and (is_banner(line) or (used and line.strip().lower() in _AFTER_BANNER)):
            used += 1  # "SEMINAR REPORT" / "on" / the title
            continue
        kept.append(line)
        used += 1
    if not kept:
        return None, used
    title = clean_title(join_hyphenated("\n".join(kept)).replace("\n", " "))
    if not title or not _reads_as_title(title):
        return None, used
    return title, used


def _starred_last_title_line(above: str, line: str, below: list[str]) -> bool:
    """Whether a line in capitals, under a title line in capitals, ends the title with its footnote's star: the line
    under it names several people without markers."""
    if not below or not (_in_capitals(above) and _in_capitals(line) and line.rstrip().endswith(_TITLE_STARS)):
        return False
    names = below[0]
    return looks_like_author_line(names) and not has_markers(names) and bool(_SEVERAL_NAMES.search(names))


_TITLE_STARS = ("*", "\u2217", "\u2020")
_SEVERAL_NAMES = re.compile(r",|&|\band\b", re.IGNORECASE)


def _reads_as_title(title: str) -> bool:
    """Whether text in large type can be a paper's title, not a banner, heading or figure label."""
    words = title.split()
    if len(words) < 2 or len(title) > _MAX_TITLE_CHARS or len(title) < 10:
        return False
    numbered_lecture = bool(_NUMBERED_LECTURE.match(title))
    if is_banner(title) or SECTION_START.match(title) or _FIGURE_TEXT.search(title) or _COURSE_BANNER.match(title):
        return False
    if _NUMBERED_HEADING.match(title) and not numbered_lecture:
        return False
    if (len(words) < 3 and len(title) < 20) or (len(words) <= 4 and _JOURNAL_NAME.match(title)):
        return False
    if (any(_ONE_INITIAL.match(word) for word in words) or _HONORIFIC_START.match(title)) and looks_like_author_line(title):
        return False  # "R. W. Picard", "Dr. Ramesh Kumar": a name, set large under a title that was passed over
    letters = letter_count(title)
    if not any(char.isupper() for char in title):
        return False  # a journal's logo type ("future internet"), never a title
    if _BYLINE.match(title):
        return False  # ASCE's names in bold under a title in the body's size: "By Moshe Ben-Akiva, 1 Frannie Humplick, 2"
    if _SECTION_LABEL.match(title):
        return False  # a journal's section in the title's type: BioEssays's "Insights & Perspectives"
    if numbered_lecture:
        return True  # "Lecture 1: August 28": the notes' title may be a date
    return letters >= 0.6 * len(title.replace(" ", "")) and sum(word[:1].isalpha() for word in words) >= 0.6 * len(words)


# Lecture notes' title: "Lecture 1: August 28", "Week 3 - Sampling", and the scribe template's "17 : Markov Chain
# Monte Carlo" (the lecture's number, a spaced colon), which no section heading uses; words follow the number
# ("Class 1: 0.85 0.91" is a table's row, "2 : 1 Copper complexes" a ratio).
_NUMBERED_LECTURE = re.compile(
    r"^(?:(?:lecture|week|session|class)\s+\d{1,3}\s*[:.\u2013\u2014-]|\d{1,3}\s+:)\s*[^\W\d_]{2}", re.IGNORECASE
)
# The course line over lecture notes, its code and term: "10-708: Probabilistic Graphical Models, Spring 2015",
# "36-755 – Advanced Statistical Theory I Fall 2017", "CS 229 Machine Learning, Autumn 2018".
_COURSE_BANNER = re.compile(
    r"^(?:(?-i:[A-Z]{2,5})\s?\d{2,4}[A-Z]?|\d{1,3}[-.]\d{3}[A-Za-z]?)\b.*\b(?:fall|spring|summer|winter|autumn)(?:\s+(?:quarter|semester|term))?,?\s+(?:19|20)\d\d$",
    re.IGNORECASE,
)


_HONORIFIC_START = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms)\.?\s", re.IGNORECASE)
_BYLINE = re.compile(r"^(?-i:By)\s+[A-Z][a-z]*\.?\s+(?:[A-Z]\.\s*)*[A-Z][\w'-]+\s*(?:,|\d|$|\band\b)")
_SECTION_LABEL = re.compile(r"^[A-Z][a-z]+\s*&\s*[A-Z][a-z]+$")
# A journal's name set large as its logo: "Nature Communications", "Physical Review Letters".
_JOURNAL_NAME = re.compile(
    r"^(?:(?:[A-Z][\w&.-]*|&)\s+){0,3}(?:journal|letters|reports|communications|reviews?|transactions|annals|advances|bulletin"
    r"|magazine|proceedings|research|chemistry|physics|medicine|sciences?|internet|nature|cell|mathematics|biology"
    r"|astronomy|astrophysics|geophysics|economics|engineering|statistics|ecology|genetics|neuroscience|psychology)$",
    re.IGNORECASE,
)
# Text in figures: labels ("Fig. 2", "Figure 1b") and axis titles with units ("Temperature (K)"). A year in brackets is
# no unit but the year of the work a reply's title names ("Reply to Usher, Davelaar, Haarmann, and Goshen-Gottstein
# (2008)"), nor is a place's name ("... the urban flora of Brussels (Belgium)").
_FIGURE_TEXT = re.compile(
    r"^(?:fig(?:ure)?\.?\s*\d|panel\s+[a-z]\b)|\((?!(?:19|20)\d\d\)$|(?-i:[A-Z][a-z]{3,})\)$)(?:[a-zA-Zµ°%/^\d\s·.-]{1,8})\)$",
    re.IGNORECASE,
)


def _index_after(lines: list[LayoutLine], start: int, end: int, used: int) -> int:
    """The index of the line after the `used` lettered lines of lines[start:end]."""
    seen = 0
    for index in range(start, end):
        if letter_count(lines[index].text) > _STRAY_MARK_LETTERS:
            seen += 1
            if seen == used:
                return index + 1
    return end


# An abbreviation with its own stops ("U.S.", "e.g.") may end a title; any other full stop ends a sentence.
_DOTTED_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]\.){2,}$")


def _ends_sentence(line: str) -> bool:
    """Whether a line ends with a full stop that closes a sentence, not an abbreviation ("IN THE U.S.")."""
    return line.endswith(".") and not _DOTTED_ABBREVIATION.search(line)


# A manuscript's running head over its title page, with the page's number: "Vicious cycle of cynicism and disrespect 1".
_RUNNING_HEAD_WITH_PAGE = re.compile(r"^\S.{8,80}\s1$")


def _repeated_below(running_head: str, below: list[str]) -> bool:
    """Whether the lines below repeat a running head's words, as the title it shortens does."""
    words = {word.lower() for word in re.findall(r"[^\W\d_]{4,}", running_head)}
    below_words = {word.lower() for line in below for word in re.findall(r"[^\W\d_]{4,}", line)}
    return len(words & below_words) >= 2


def find_title(lines: list[str]) -> tuple[str | None, int | None]:
    """The title and the index of the line after it, or (None, None)."""
    for start, line in enumerate(lines):
        if SECTION_START.match(line):
            return None, None
        if start == 0 and _RUNNING_HEAD_WITH_PAGE.match(line) and _repeated_below(line, lines[1:4]):
            continue
        if is_banner(line) or len(line.split()) < 2 or len(line) < 10 or _ends_sentence(line):
            continue
        if looks_like_author_line(line) and has_markers(line):
            continue
        end = start + 1
        while end < len(lines) and end - start < _MAX_TITLE_LINES and _continues_title(lines, start, end):
            end += 1
        title = join_hyphenated("\n".join(lines[start:end])).replace("\n", " ")
        return clean_title(title), end
    return None, None


# A line that opens with a person's initials and surname names the authors, whatever follows (an OCR's misread
# marker, "T. W. ANDERSON AND LEO A. GOoODMAN!"): no title line opens so.
# Places and bodies abbreviated with stops ("U.S. Monetary Policy") are no initials, nor is a part's number ("I. Theory
# and Method").
_OPENS_WITH_INITIALS = re.compile(
    r"^(?!(?:U\.S|U\.K|D\.C|E\.U|U\.N|N\.Y|L\.A)\.|[IVX]\.\s)(?:[A-Z]\.\s?){1,3}(?:[A-Z][a-z]+|[A-Z]{2,})\b(?!\.)"
)


def _continues_title(lines: list[str], start: int, candidate: int) -> bool:
    """Whether lines[candidate] continues the title that begins at lines[start]."""
    line = lines[candidate]
    previous = lines[candidate - 1]
    # A word broken at the line's end goes on, whatever ends the line ("... ON THE CHROMO-" / "CYTES OF THE BLOOD.").
    if previous.endswith("-") and line[:1].isalpha() and not is_banner(line) and not SECTION_START.match(line):
        return True
    if is_banner(line) or SECTION_START.match(line) or _ends_sentence(line):
        return False
    if (has_markers(line) and looks_like_author_line(line)) or _OPENS_WITH_INITIALS.match(line):
        return False
    if previous.split()[-1].lower() in _TITLE_CONTINUES_AFTER or previous.endswith((":", "-", ",", "\u2013", "\u2014")):
        return True
    if _in_capitals(previous) and not _in_capitals(line) and (looks_like_author_line(line) or has_markers(line)):
        return False  # a title set in capitals goes on in capitals; names in mixed case come after it
    if not looks_like_author_line(line):
        return True
    # A name-like line without markers ("Heat Diffusion") is more title only when the marked author line comes right
    # after it, or the byline's "by" ("USING SLIDING SURFACES" / "WITH APPLICATION TO ROBOT MANIPULATORS" / "by").
    following = lines[candidate + 1] if candidate + 1 < len(lines) else ""
    if any(BYLINE.match(below) for below in lines[candidate + 1 : candidate + 1 + _LINES_BEFORE_BYLINE]):
        return True
    return looks_like_author_line(following) and has_markers(following)


# How far below a name-like line the byline's "by" may stand for that line to be the title's.
_LINES_BEFORE_BYLINE = 2


# A line is in capitals when at most this share of its letters is lower case (an "e" in "LIGO/VIRGO NETWORK e+e-").
_CAPITALS_LOWER_SHARE = 0.1
_CAPITALS_MIN_LETTERS = 8


def _in_capitals(line: str) -> bool:
    """Whether a line is set in capitals."""
    line_letters = [char for char in line if char.isalpha()]
    lower = sum(char.islower() for char in line_letters)
    return len(line_letters) >= _CAPITALS_MIN_LETTERS and lower <= _CAPITALS_LOWER_SHARE * len(line_letters)


_TITLE_LABEL = re.compile(r"^\s*title\s*:\s*", re.IGNORECASE)


def find_title_end(lines: list[str], title: str) -> int | None:
    """The index of the line after a known title's last line, or None."""
    wanted = letters(title)
    for start in range(len(lines)):
        seen = ""
        for end in range(start, min(start + _MAX_TITLE_LINES + 2, len(lines))):
            # A manuscript may label its title inline: "Title: Variation in leaf ...".
            seen += letters(_TITLE_LABEL.sub("", lines[end]) if end == start else lines[end])
            if not wanted.startswith(seen):
                break
            if seen == wanted:
                return end + 1
    return None
