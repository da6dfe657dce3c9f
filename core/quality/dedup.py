"""Near-duplicate questions across a library, with MinHash and locality-sensitive hashing.

Every question gets a MinHash signature of its word 3-grams; questions that
share a band of the signature become candidates, and candidates whose
estimated Jaccard similarity reaches the threshold are grouped. Each group
keeps its first question (the caller's order) and points the rest at it.
Work is linear in the number of questions, so a BioAlchemy-sized library
(hundreds of thousands of questions) takes seconds, not hours.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from papergym.core.library import Library
from papergym.core.quality.checks import UPSERT, StepSummary, check_row, settings_hash
from papergym.core.questions.kinds import normalize
from papergym.core.questions.statuses import OPEN_STATUSES

if TYPE_CHECKING:
    from papergym.core.quality.pipeline import CheckSettings

PERMUTATIONS = 64
BANDS = 16  # 16 bands of 4 rows: pairs above ~0.5 Jaccard almost always meet in a band
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.7
_PRIME = np.uint64((1 << 61) - 1)
_BATCH_SHINGLES = 4096  # a batch's (permutations x shingles) table stays within the CPU cache
_MAX_HASH = np.uint64((1 << 32) - 1)


@dataclass(frozen=True)
class Duplicate:
    """A question found to repeat ``kept``, with the estimated similarity."""

    question_id: str
    kept: str
    similarity: float


def _shingle_hashes(text: str) -> list[int]:
    """CRC-32 of each distinct word 3-gram of the normalised text (the whole text when it is shorter)."""
    words = normalize(text).split()
    if len(words) < SHINGLE_WORDS:
        pieces = {" ".join(words)}
    else:
        pieces = set(map(" ".join, zip(*(words[offset:] for offset in range(SHINGLE_WORDS)))))
    return list(map(zlib.crc32, map(str.encode, pieces)))


class MinHasher:
    """Signatures from fixed random permutations, so results are reproducible run to run."""

    def __init__(self, permutations: int = PERMUTATIONS, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        # a and b below 2**32 with 32-bit shingle hashes keep a * x + b inside 64 bits: no overflow.
        self.a = rng.integers(1, 1 << 32, size=(permutations, 1), dtype=np.uint64)
        self.b = rng.integers(0, 1 << 32, size=(permutations, 1), dtype=np.uint64)

    def signature(self, text: str) -> np.ndarray:
        return self.signatures([text])[0]

    def signatures(self, texts: Iterable[str]) -> np.ndarray:
        """One row of ``permutations`` values per text, computed a batch of texts at a time."""
        batches = []
        hashes: list[int] = []
        starts: list[int] = []
        for text in texts:
            starts.append(len(hashes))
            hashes += _shingle_hashes(text)
            if len(hashes) >= _BATCH_SHINGLES:
                batches.append(self._batch(hashes, starts))
                hashes, starts = [], []
        if starts:
            batches.append(self._batch(hashes, starts))
        return np.concatenate(batches) if batches else np.empty((0, len(self.a)), dtype=np.uint64)

    def _batch(self, hashes: list[int], starts: list[int]) -> np.ndarray:
        values = self.a * np.array(hashes, dtype=np.uint64)
        values += self.b
        remainders = _mod_prime(values)
        remainders &= _MAX_HASH
        return np.minimum.reduceat(remainders, starts, axis=1).T


def _mod_prime(values: np.ndarray) -> np.ndarray:
    """``values % (2**61 - 1)`` without numpy's integer division, which is the slowest step of a signature.

    For a Mersenne prime p, x mod p is (x & p) + (x >> 61), less p once when that reaches p.
    """
    remainders = values & _PRIME
    remainders += values >> np.uint64(61)
    np.subtract(remainders, _PRIME, out=remainders, where=remainders >= _PRIME)
    return remainders


def question_text(question: dict) -> str:
    """What two questions must share to count as duplicates: the stem and its options."""
    options = question.get("options") or []
    if isinstance(options, str):
        options = json.loads(options or "[]")
    return " ".join([question.get("question") or "", *sorted(str(option) for option in options)])


def find_duplicates(questions: Iterable[dict], threshold: float = DEFAULT_THRESHOLD, hasher: MinHasher | None = None) -> list[Duplicate]:
    """Duplicates among questions (dicts with ``id``, ``question``, ``options``); the first of a group is kept."""
    hasher = hasher or MinHasher()
    questions = list(questions)
    ids = [question["id"] for question in questions]
    signatures = hasher.signatures(question_text(question) for question in questions)
    firsts, others = _band_candidates(signatures)
    agreeing = (signatures[firsts] == signatures[others]).sum(axis=1)
    estimates = agreeing / signatures.shape[1]
    close = estimates >= threshold

    parent = list(range(len(ids)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    # Joining under the smaller root makes each group's root its earliest question, whatever the order of the pairs.
    similarity: dict[int, float] = {}
    for first, other, estimate in zip(firsts[close].tolist(), others[close].tolist(), estimates[close].tolist()):
        keep, drop = sorted((root(first), root(other)))
        if keep != drop:
            parent[drop] = keep
        similarity[other] = max(similarity.get(other, 0.0), estimate)
    return [Duplicate(ids[index], ids[root(index)], similarity.get(index, 1.0)) for index in range(len(ids)) if root(index) != index]


def _band_candidates(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs to compare: the earliest question of each band bucket with every later one in it, each pair once."""
    count, permutations = signatures.shape
    if count < 2:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    rows = permutations // BANDS
    order_keys = np.arange(count)
    firsts, others = [], []
    for band in range(BANDS):
        columns = signatures[:, band * rows : (band + 1) * rows]
        # Sorted by the band's values, then by position: a bucket is a run of equal rows, its first question leads it.
        order = np.lexsort((order_keys, *columns.T[::-1]))
        ordered = columns[order]
        starts_bucket = np.ones(count, dtype=bool)
        starts_bucket[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        leaders = order[starts_bucket][np.cumsum(starts_bucket) - 1]
        later = ~starts_bucket
        firsts.append(leaders[later])
        others.append(order[later])
    pairs = np.unique(np.stack([np.concatenate(firsts), np.concatenate(others)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def run_step(library: Library, settings: CheckSettings, summary: StepSummary, progress) -> None:
    """Drop every open question that repeats or rewords an earlier one; the whole library is grouped again each run."""
    from papergym.core.quality.paraphrase import PARAPHRASE_VERSION, find_copies_and_paraphrases

    config = settings_hash(threshold=settings.dedup_threshold, paraphrases=PARAPHRASE_VERSION)
    # Every question takes part, so a new draft that repeats an accepted question is caught;
    # accepted ones come first, so a group keeps the question a person already approved.
    rows = library.query(
        "SELECT id, kind, question, options, answer, unit, status FROM questions WHERE id NOT IN "
        "(SELECT question_id FROM checks WHERE step = 'validate' AND status = 'drop') "
        "ORDER BY status = 'accepted' DESC, created_at, id"
    )
    progress(0, len(rows))
    duplicates = {finding.question_id: finding for finding in find_copies_and_paraphrases(rows, settings.dedup_threshold)}
    progress(len(rows), len(rows))
    open_statuses = set(OPEN_STATUSES)
    checks = []
    for row in rows:
        if row["status"] not in open_statuses:
            continue
        duplicate = duplicates.get(row["id"])
        if duplicate is None:
            checks.append(check_row(row["id"], "dedup", "pass", [], config))
            continue
        if duplicate.how == "copy":
            reason = f"repeats an earlier question ({duplicate.kept[:12]}, similarity {duplicate.similarity:.2f})"
        else:
            reason = f"rewords an earlier question with the same quantities and key ({duplicate.kept[:12]}, word overlap {duplicate.similarity:.2f})"
        checks.append(
            check_row(
                row["id"],
                "dedup",
                "drop",
                [reason],
                config,
                scores={"similarity": round(duplicate.similarity, 3)},
                detail={"kept": duplicate.kept, "how": duplicate.how},
            )
        )
    with library.write() as db:
        db.execute("DELETE FROM checks WHERE step = 'dedup'")
        db.conn.executemany(UPSERT, checks)
    summary.ran = len(checks)
    summary.extra["groups"] = len({d.kept for d in duplicates.values()})
    summary.extra["paraphrases"] = sum(d.how == "paraphrase" for d in duplicates.values())
