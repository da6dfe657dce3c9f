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
from collections import defaultdict
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
_PRIME = (1 << 61) - 1
_MAX_HASH = np.uint64((1 << 32) - 1)


@dataclass(frozen=True)
class Duplicate:
    """A question found to repeat ``kept``, with the estimated similarity."""

    question_id: str
    kept: str
    similarity: float


def _shingles(text: str) -> np.ndarray:
    words = normalize(text).split()
    if len(words) < SHINGLE_WORDS:
        pieces = [" ".join(words)]
    else:
        pieces = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
    return np.fromiter((zlib.crc32(piece.encode()) for piece in set(pieces)), dtype=np.uint64)


class MinHasher:
    """Signatures from fixed random permutations, so results are reproducible run to run."""

    def __init__(self, permutations: int = PERMUTATIONS, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        # a and b below 2**32 with 32-bit shingle hashes keep a * x + b inside 64 bits: no overflow.
        self.a = rng.integers(1, 1 << 32, size=(permutations, 1), dtype=np.uint64)
        self.b = rng.integers(0, 1 << 32, size=(permutations, 1), dtype=np.uint64)

    def signature(self, text: str) -> np.ndarray:
        hashes = _shingles(text)
        return (((self.a * hashes + self.b) % np.uint64(_PRIME)) & _MAX_HASH).min(axis=1)


def question_text(question: dict) -> str:
    """What two questions must share to count as duplicates: the stem and its options."""
    options = question.get("options") or []
    if isinstance(options, str):
        options = json.loads(options or "[]")
    return " ".join([question.get("question") or "", *sorted(str(option) for option in options)])


def find_duplicates(questions: Iterable[dict], threshold: float = DEFAULT_THRESHOLD, hasher: MinHasher | None = None) -> list[Duplicate]:
    """Duplicates among questions (dicts with ``id``, ``question``, ``options``); the first of a group is kept."""
    hasher = hasher or MinHasher()
    rows = PERMUTATIONS // BANDS
    ids: list[str] = []
    signatures: list[np.ndarray] = []
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        signature = hasher.signature(question_text(question))
        ids.append(question["id"])
        signatures.append(signature)
        for band in range(BANDS):
            buckets[(band, signature[band * rows : (band + 1) * rows].tobytes())].append(index)

    parent = list(range(len(ids)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    similarity: dict[int, float] = {}
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        first = members[0]
        for other in members[1:]:
            pair = (first, other)
            if pair in checked:
                continue
            checked.add(pair)
            estimate = float(np.mean(signatures[first] == signatures[other]))
            if estimate >= threshold:
                keep, drop = sorted((root(first), root(other)))
                if keep != drop:
                    parent[drop] = keep
                similarity[other] = max(similarity.get(other, 0.0), estimate)
    return [Duplicate(ids[index], ids[root(index)], similarity.get(index, 1.0)) for index in range(len(ids)) if root(index) != index]


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
