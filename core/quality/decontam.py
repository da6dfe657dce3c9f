"""Benchmark contamination: questions that share a run of 13 words with a benchmark item.

The GPT-3 / WildSci convention: texts are lower-cased, Unicode-unified and cut
into words (runs of letters and digits); a question is contaminated when any 13
consecutive words of its stem and options also occur, in the same order, in a
benchmark question with its options. A shared 13-word run almost never happens
by chance, while a reworded copy of a benchmark item nearly always keeps one.

Every benchmark word gets a fixed 64-bit key (blake2b of the word), and a gram's
hash is a fixed mix of its words' keys, so the index is the same from run to run.
Grams are hashed for thousands of texts at once with numpy and kept as one sorted
array instead of a dict: four million grams (MMLU-Pro and SuperGPQA together)
take about 50 MB, a tenth of what Python ints in a dict would.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from papergym.core.dataset.benchmarks import BenchmarkItem, load_benchmark_folder
from papergym.core.library import Library
from papergym.core.quality.checks import UPSERT, StepSummary, check_row, pending_questions, settings_hash
from papergym.core.quality.decontam_options import OptionIndex, find_option_matches
from papergym.core.quality.dedup import question_text

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

NGRAM_WORDS = 13
OPTION_MATCHING_VERSION = "1"  # part of the step's settings: questions judged before it are judged again
# A text shorter than a gram counts as one gram of all its words, but only from 8 words up: a short
# benchmark item copied whole is contamination, while five or six words ("what is the value of x")
# recur in any science text and would flag questions that merely share a stock phrase.
MIN_WHOLE_TEXT_WORDS = 8
CHUNK_TEXTS = 4096  # texts hashed per numpy batch: big enough to amortise numpy's per-call cost
_WORD = re.compile(r"[^\W_]+")
# ASCII letters and digits to lower case, every other ASCII byte to a space.
_ASCII_WORD_BYTES = bytes((code if chr(code).isalnum() else 32) if code < 128 else code for code in range(256)).lower()
_MASK = (1 << 64) - 1
_UNKNOWN = -1  # a word no benchmark uses; also separates texts, so no gram spans two of them


@dataclass(frozen=True)
class Overlap:
    """The benchmark item a question shares the most grams with, and one of those grams.

    ``shared_ngrams`` counts distinct grams; a gram that several benchmark items hold counts
    for the first of them loaded.
    """

    source: str
    item_id: str
    file: str
    shared_ngrams: int
    example: str


def words_of(text: str) -> list[str]:
    """The words grams are made of: runs of letters and digits, after lower-casing and NFKC."""
    text = text or ""
    if text.isascii():
        # Same words as the pattern below (NFKC and casefold change no ASCII letter beyond lower-casing),
        # five times faster, and nearly all benchmark and question text takes this path.
        return text.encode().translate(_ASCII_WORD_BYTES).decode().split()
    # questions.normalize would also collapse whitespace, which the word pattern makes moot.
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _key(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")


class NGramIndex:
    """Hashed n-grams of benchmark items, each pointing at the first item that holds it."""

    def __init__(self, items: Sequence[BenchmarkItem], n: int = NGRAM_WORDS) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.items = list(items)
        self.n = n
        # Fixed odd multipliers per position and a constant per gram length: a gram's hash depends on
        # word order, and a whole short text cannot pass for a full-length gram.
        self._mix = np.array([_key(f"papergym gram position {k}") | 1 for k in range(n)], dtype=np.uint64)
        self._salt = [_key(f"papergym gram length {length}") for length in range(n + 1)]
        word_lists = [words_of(_item_text(item)) for item in self.items]
        distinct_words = dict.fromkeys(chain.from_iterable(word_lists))
        self._vocabulary = {word: number for number, word in enumerate(distinct_words)}
        self._word_keys = np.fromiter(map(_key, distinct_words), dtype=np.uint64, count=len(distinct_words))
        hashes, owners, _ = self._grams(word_lists)
        # A stable sort keeps each hash's earliest gram first, so a gram shared by several items
        # points at the first one loaded.
        order = np.argsort(hashes, kind="stable")
        hashes, owners = hashes[order], owners[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        self._hashes = hashes[first]
        self._owners = owners[first].astype(np.int32)

    @classmethod
    def from_items(cls, items: Iterable[BenchmarkItem], n: int = NGRAM_WORDS) -> NGramIndex:
        """The index of every n-gram in the items' questions and options."""
        return cls(list(items), n)

    def __len__(self) -> int:
        """How many distinct grams the index holds."""
        return len(self._hashes)

    def match(self, text: str) -> Overlap | None:
        """The benchmark item that shares the most grams with ``text``, or None when none does."""
        return self.match_all([text])[0]

    def match_all(self, texts: Sequence[str]) -> list[Overlap | None]:
        """``match`` for many texts, hashed in batches: far faster than one call per text."""
        overlaps: list[Overlap | None] = []
        for start in range(0, len(texts), CHUNK_TEXTS):
            overlaps.extend(self._match_chunk(texts[start : start + CHUNK_TEXTS]))
        return overlaps

    def _match_chunk(self, texts: Sequence[str]) -> list[Overlap | None]:
        word_lists = [words_of(text) for text in texts]
        hashes, owners, offsets = self._grams(word_lists)
        overlaps: list[Overlap | None] = [None] * len(texts)
        if not len(hashes) or not len(self._hashes):
            return overlaps
        # Looked up in sorted order: numpy's binary search then walks the index forwards and stays
        # in cache, six times faster than random probes into a 4-million-entry array.
        order = np.argsort(hashes)
        slots = np.minimum(np.searchsorted(self._hashes, hashes[order]), len(self._hashes) - 1)
        found = np.flatnonzero(self._hashes[slots] == hashes[order])
        # Hits are rare (most questions share nothing), so grouping them in Python costs little.
        shared: dict[int, dict[int, tuple[set[int], int]]] = {}
        for hit, slot in zip(order[found].tolist(), slots[found].tolist()):
            text, item = int(owners[hit]), int(self._owners[slot])
            grams, offset = shared.setdefault(text, {}).setdefault(item, (set(), int(offsets[hit])))
            grams.add(int(hashes[hit]))
        for text, by_item in shared.items():
            item, (grams, offset) = max(by_item.items(), key=lambda entry: (len(entry[1][0]), -entry[0]))
            words = word_lists[text]
            length = min(self.n, len(words))
            benchmark_item = self.items[item]
            overlaps[text] = Overlap(
                source=benchmark_item.source,
                item_id=benchmark_item.item_id,
                file=benchmark_item.file,
                shared_ngrams=len(grams),
                example=" ".join(words[offset : offset + length]),
            )
        return overlaps

    def _grams(self, word_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hashes of every gram made only of indexed words, with the text each came from and its first word."""
        n = self.n
        flat_words: list[str] = []
        for words in word_lists:
            flat_words.extend(words)
            flat_words.append("")  # never a word, so never indexed: no gram spans the end of a text
        tokens = np.fromiter(map(self._vocabulary.get, flat_words, repeat(_UNKNOWN)), dtype=np.int64, count=len(flat_words))
        lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
        starts = np.cumsum(lengths + 1) - lengths - 1
        pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        windows = len(tokens) - n + 1
        if windows > 0 and len(self._word_keys):
            unknown = tokens < 0
            keys = self._word_keys[np.where(unknown, 0, tokens)]
            hashes = np.full(windows, self._salt[n], dtype=np.uint64)
            for position in range(n):
                hashes += keys[position : position + windows] * self._mix[position]  # wraps mod 2**64, as meant
            unknown_so_far = np.concatenate([[0], np.cumsum(unknown, dtype=np.int64)])
            usable = np.flatnonzero(unknown_so_far[n:] == unknown_so_far[:windows])
            owners = np.repeat(np.arange(len(word_lists)), lengths + 1)[usable]
            pieces.append((hashes[usable], owners, usable - starts[owners]))

        short_hashes: list[int] = []
        short_owners: list[int] = []
        for owner in np.flatnonzero((lengths >= MIN_WHOLE_TEXT_WORDS) & (lengths < n)).tolist():
            text_tokens = tokens[starts[owner] : starts[owner] + lengths[owner]]
            if (text_tokens >= 0).all():
                mixed = int((self._word_keys[text_tokens] * self._mix[: len(text_tokens)]).sum(dtype=np.uint64))
                # Python ints here: numpy warns when a scalar (unlike an array) wraps around.
                short_hashes.append((mixed + self._salt[len(text_tokens)]) & _MASK)
                short_owners.append(owner)
        if short_hashes:
            pieces.append(
                (
                    np.array(short_hashes, dtype=np.uint64),
                    np.array(short_owners, dtype=np.int64),
                    np.zeros(len(short_owners), dtype=np.int64),
                )
            )

        if not pieces:
            empty = np.zeros(0, dtype=np.int64)
            return np.zeros(0, dtype=np.uint64), empty, empty
        return tuple(np.concatenate(parts) for parts in zip(*pieces))


def _item_text(item: BenchmarkItem) -> str:
    return question_text({"question": item.question, "options": item.options})


def find_contaminated(
    questions: Iterable[dict],
    index: NGramIndex,
    *,
    on_progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Overlap]:
    """Questions (dicts with ``id``, ``question``, ``options``) that share a gram with a benchmark, by id.

    ``on_progress`` gets the number of questions checked so far after each batch; setting
    ``cancel`` stops between batches and returns what was found until then.
    """
    contaminated: dict[str, Overlap] = {}
    checked = 0
    batch: list[dict] = []

    def check(batch: list[dict]) -> None:
        nonlocal checked
        for question, overlap in zip(batch, index.match_all([question_text(question) for question in batch])):
            if overlap is not None:
                contaminated[question["id"]] = overlap
        checked += len(batch)
        if on_progress is not None:
            on_progress(checked)

    for question in questions:
        if cancel is not None and cancel.is_set():
            return contaminated
        batch.append(question)
        if len(batch) == CHUNK_TEXTS:
            check(batch)
            batch = []
    if batch:
        check(batch)
    return contaminated


def run_step(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    """Flag open questions that share a 13-word run with an item in the benchmark folder; skipped without a folder."""
    folder = settings.benchmarks_dir
    if folder is None:
        summary.skipped = "no benchmark folder (give --benchmarks DIR with GPQA, MMLU-Pro or SuperGPQA files)"
        return
    folder = Path(folder)
    files = (
        sorted(
            (str(path.relative_to(folder)), path.stat().st_size, int(path.stat().st_mtime)) for path in folder.rglob("*") if path.is_file()
        )
        if folder.is_dir()
        else []
    )
    items = load_benchmark_folder(folder)  # raises a one-sentence error for a missing or bad folder
    config = settings_hash(files=files, options=OPTION_MATCHING_VERSION)
    todo = pending_questions(library, "decontam", config, recheck=settings.recheck, skip_dropped=True)
    progress(0, len(todo))
    index = NGramIndex.from_items(items)
    matches = find_contaminated(todo, index)
    # Short items whose distinguishing text is in the options: the question and its options matched as a whole.
    option_matches = find_option_matches((question for question in todo if question["id"] not in matches), OptionIndex(items))
    checks = []
    for question in todo:
        match = matches.get(question["id"])
        whole = option_matches.get(question["id"])
        if whole is not None:
            checks.append(
                check_row(
                    question["id"],
                    "decontam",
                    "flag",
                    [
                        f"repeats a benchmark question's stem and options ({whole.source} {whole.item_id}: "
                        f"{whole.option_share:.0%} of its options, {whole.stem_share:.0%} of its stem words)"
                    ],
                    config,
                    scores={"option_share": whole.option_share, "stem_share": whole.stem_share},
                    detail={"source": whole.source, "item_id": whole.item_id, "file": whole.file, "matched": "question and options"},
                )
            )
        elif match is None:
            checks.append(check_row(question["id"], "decontam", "pass", [], config))
        else:
            checks.append(
                check_row(
                    question["id"],
                    "decontam",
                    "flag",
                    [f"shares 13-word runs with a benchmark question ({match.source} {match.item_id}: \u201c{match.example}\u201d)"],
                    config,
                    scores={"shared_ngrams": match.shared_ngrams},
                    detail={"source": match.source, "item_id": match.item_id, "file": match.file, "example": match.example},
                )
            )
    with library.write() as db:
        db.conn.executemany(UPSERT, checks)
    progress(len(todo), len(todo))
    summary.ran = len(todo)
    summary.extra["benchmark_items"] = len(items)
