"""Contamination that 13-word runs miss: a short benchmark question whose distinguishing text is in its options.

"Which gas is inert?" with Argon, Nitrogen, Oxygen and Hydrogen is eleven words
in all: a reworded stem ("Which of these gases is chemically inert?") shares no
13-word run with it, yet it is the same item. So a question is also matched as a
whole: it is a copy of a benchmark item when it holds most of that item's options
(in any order, however cased or spaced) and its stem holds most of the item's
stem words (stemmed, stop words out, as the paraphrase check reads them).

An inverted index from each normalised option to the items that use it finds the
candidates; options shared by many items ("None of the above", "2") are left out
of the index, since they tell items apart no better than chance.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papergym.core.dataset.benchmarks import BenchmarkItem
from papergym.core.quality.paraphrase import content_words
from papergym.core.questions.kinds import normalize

MIN_OPTION_SHARE = 0.75  # of the benchmark item's options found among the question's
MIN_STEM_SHARE = 0.6  # of the benchmark stem's content words found in the question's stem
COMMON_OPTION_ITEMS = 50  # an option used by more items than this is not indexed


@dataclass(frozen=True)
class OptionMatch:
    """The benchmark item whose stem and options a question repeats."""

    source: str
    item_id: str
    file: str
    option_share: float
    stem_share: float


class OptionIndex:
    """Benchmark items by their normalised options, with their stems' content words."""

    def __init__(self, items: Sequence[BenchmarkItem]) -> None:
        self.items = list(items)
        self.options = [frozenset(normalize(option) for option in item.options if normalize(option)) for item in self.items]
        self.stems = [content_words(item.question) for item in self.items]
        uses = Counter(option for options in self.options for option in options)
        self.by_option: dict[str, list[int]] = defaultdict(list)
        for number, options in enumerate(self.options):
            for option in options:
                if uses[option] <= COMMON_OPTION_ITEMS:
                    self.by_option[option].append(number)

    def match(self, question: dict) -> OptionMatch | None:
        """The best-matching benchmark item for a question (``question`` and ``options``), or None."""
        options = question.get("options") or []
        ours = {normalize(str(option)) for option in options}
        candidates = Counter(number for option in ours for number in self.by_option.get(option, ()))
        best: OptionMatch | None = None
        stem: frozenset[str] | None = None
        for number, _ in candidates.most_common(20):
            theirs = self.options[number]
            option_share = len(theirs & ours) / len(theirs)
            if option_share < MIN_OPTION_SHARE:
                continue
            if stem is None:
                stem = content_words(question.get("question") or "")
            words = self.stems[number]
            stem_share = len(words & stem) / len(words) if words else 1.0
            if stem_share < MIN_STEM_SHARE:
                continue
            if best is None or (option_share, stem_share) > (best.option_share, best.stem_share):
                item = self.items[number]
                best = OptionMatch(item.source, item.item_id, item.file, round(option_share, 3), round(stem_share, 3))
        return best


def find_option_matches(questions: Iterable[dict], index: OptionIndex) -> dict[str, OptionMatch]:
    """Multiple-choice questions that repeat a benchmark item's stem and options, by id."""
    found = {}
    for question in questions:
        if question.get("options"):
            match = index.match(question)
            if match is not None:
                found[question["id"]] = match
    return found
