"""Put back the spaces pypdf loses between words on tightly set lines.

pypdf decides where a space goes from the gap between two glyphs; on a line
justified tight (MNRAS, some Elsevier and ACM layouts) the gaps fall under its
threshold and whole phrases come out glued: "observedintheISM". Such a run is
split where the document's own words fit it whole: the words the paper prints
with spaces elsewhere, weighted by how often, and English's commonest short
words. A run is split only into three or more such words, so a long real word
("electrorheological") or a compound the paper never spaces stays whole; a run
holding a word the paper never prints alone stays glued too, since guessing
that word's edges splits real words wrongly ("gat hering").
"""

from __future__ import annotations

import math
import re
from collections import Counter

# A glued run is a long run of letters; shorter ones are ordinary words.
_MIN_RUN_LETTERS = 12
_RUN = re.compile(rf"[^\W\d_]{{{_MIN_RUN_LETTERS},}}")
_WORD = re.compile(r"[^\W\d_]+")
# A run the paper prints this often is a word of its own.
_MIN_RUN_COUNT = 2
_MIN_PARTS = 3
# Real prose has words of this many letters on average; a split into shorter ones cuts up a word the paper
# never prints alone ("weathering" as "we at her ing").
_MIN_MEAN_PART_LETTERS = 3.0
# A lower-case letter, a capital, a lower-case letter: an identifier ("backoffAndMaybeCleanupLock"), not glued prose,
# whose capitals follow a full stop.
_CAMEL_CASE = re.compile(r"[a-z][A-Z][a-z]")
# The longest word a split may use.
_MAX_WORD_LETTERS = 24
# Each part costs this much, less the log of how often the paper prints it, so fewer, more common words win.
_PART_COST = 1.5
# Even the commonest word costs this much as a part, so a split never gains by using more words.
_MIN_PART_COST = 0.5
# English's commonest short words, known even where a paper glues every use of them.
_COMMON_WORD_TEXT = (
    "a an the of and or in on at to for from by with as is are was were be been being it its this that these those "
    "which who whom whose what when where while than then there their they them we our us he she his her not no but "
    "if so such can could may might will would should must has have had do does did also both each all any more most "
    "other into over under between through during about after before only very own one two new well how why"
)
_COMMON_WORDS = frozenset(_COMMON_WORD_TEXT.split())
_COMMON_WORD_COUNT = 3
# Words this short must be common ones or acronyms.
_SHORT_WORD_LETTERS = 3


def split_glued_words(text: str) -> str:
    """The text with glued runs of words split at known words; other text is unchanged."""
    runs = _RUN.findall(text)
    if not runs:
        return text
    counts = Counter(word.lower() for word in _WORD.findall(text))
    replacements: dict[str, str] = {}
    for run in set(runs):
        if counts[run.lower()] >= _MIN_RUN_COUNT or _CAMEL_CASE.search(run):
            continue
        parts = _best_split(run, counts)
        if parts is not None:
            replacements[run] = " ".join(parts)
    if not replacements:
        return text
    return _RUN.sub(lambda match: replacements.get(match.group(0), match.group(0)), text)


def _word_score(word: str, printed: str, counts: Counter[str]) -> float | None:
    """What a part (``printed`` as in the run) adds to a split's score, or None when it cannot be a part.

    A short word must be a common one or an acronym ("ISM"): pieces such as
    "ing" and "lar" are fragments of words broken elsewhere. A word the paper
    prints only once and that is itself two known words glued ("usinga") is
    no word.
    """
    common = word in _COMMON_WORDS
    count = counts.get(word, 0) + (_COMMON_WORD_COUNT if common else 0)
    if not count:
        return None
    if len(word) <= _SHORT_WORD_LETTERS and not common and not printed.isupper():
        return None
    if count == 1 and _is_two_known_words(word, counts):
        return None
    return min(-_MIN_PART_COST, math.log(count + 1) - _PART_COST)


def _is_two_known_words(word: str, counts: Counter[str]) -> bool:
    """Whether a word is two words the paper prints more than once (or common ones) run together."""

    def known(part: str) -> bool:
        return part in _COMMON_WORDS or (len(part) > _SHORT_WORD_LETTERS and counts.get(part, 0) >= 2)

    return any(known(word[:cut]) and known(word[cut:]) for cut in range(1, len(word)))


def _best_split(run: str, counts: Counter[str]) -> list[str] | None:
    """The split of a run into words with the best score, or None when there is none worth taking."""
    lowered = run.lower()
    length = len(lowered)
    # best[end]: (score, start of the last part) of the best split of lowered[:end].
    best: list[tuple[float, int] | None] = [None] * (length + 1)
    best[0] = (0.0, 0)
    for end in range(1, length + 1):
        for start in range(max(0, end - _MAX_WORD_LETTERS), end):
            before = best[start]
            if before is None:
                continue
            word = lowered[start:end]
            score = _word_score(word, run[start:end], counts)
            if score is None:
                continue
            candidate = (before[0] + score, start)
            current = best[end]
            if current is None or candidate[0] > current[0]:
                best[end] = candidate
    final = best[length]
    if final is None:
        return None
    parts = []
    end = length
    while end > 0:
        start = best[end][1]  # type: ignore[index]
        parts.append(run[start:end])
        end = start
    parts.reverse()
    if len(parts) < _MIN_PARTS or length / len(parts) < _MIN_MEAN_PART_LETTERS:
        return None
    return parts
