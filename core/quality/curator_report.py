"""How well each automatic check agrees with the curator's accept and reject decisions.

A check earns trust by predicting what the person reviewing would decide. For
every signal this report counts the reviewed questions it judged, how often its
pass/flag verdict matched the decision (accuracy, against always guessing the
more common decision), how well its score orders accepted above rejected
questions (AUC: 0.5 is no better than chance, 1 is perfect), and the threshold on
the score that would have matched the curator best, so a user can set it there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from papergym.core.library import Library

_STAGE_SCORE = {"direct": 1.0, "reflected": 0.5, "failed": 0.0}


@dataclass
class Judged:
    """One reviewed question as a signal saw it."""

    accepted: bool  # the curator's decision
    passed: bool | None = None  # the check's verdict (pass) or None when it has no pass/flag verdict
    score: float | None = None  # the check's number, higher meaning better, or None


@dataclass
class SignalAgreement:
    signal: str
    judged: int = 0  # reviewed questions the signal has a verdict or score for
    accepted: int = 0
    rejected: int = 0
    accuracy: float | None = None  # the verdict against the decision
    baseline: float | None = None  # always guessing the more common decision
    auc: float | None = None
    best_threshold: float | None = None  # accept at score >= this
    best_threshold_accuracy: float | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CuratorReport:
    decisions: int = 0
    accepted: int = 0
    rejected: int = 0
    signals: list[SignalAgreement] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def auc(scores: list[float], accepted: list[bool]) -> float | None:
    """The chance that an accepted question scores above a rejected one (ties count half); None without both."""
    positives = [score for score, label in zip(scores, accepted) if label]
    negatives = [score for score, label in zip(scores, accepted) if not label]
    if not positives or not negatives:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([int(label) for label in accepted], scores))


def best_threshold(scores: list[float], accepted: list[bool]) -> tuple[float | None, float | None]:
    """The score at or above which accepting matches the decisions most often, and that accuracy."""
    if not scores:
        return None, None
    pairs = sorted(zip(scores, accepted))
    total_accepted = sum(accepted)
    # Accepting everything at or above pairs[i][0]: the ones below that are rejected.
    best = (total_accepted / len(pairs), pairs[0][0])
    below_rejected = below_accepted = 0
    for index, (score, label) in enumerate(pairs):
        below_rejected += not label
        below_accepted += label
        if index + 1 < len(pairs) and pairs[index + 1][0] == score:
            continue  # a threshold cannot split equal scores
        above_accepted = total_accepted - below_accepted
        correct = below_rejected + above_accepted
        threshold = pairs[index + 1][0] if index + 1 < len(pairs) else score + 1e-9
        if correct / len(pairs) > best[0]:
            best = (correct / len(pairs), threshold)
    return best[1], best[0]


def agreement(signal: str, judged: list[Judged], note: str = "") -> SignalAgreement:
    """One signal's figures against the decisions it saw."""
    result = SignalAgreement(signal, note=note)
    judged = [item for item in judged if item.passed is not None or item.score is not None]
    result.judged = len(judged)
    result.accepted = sum(item.accepted for item in judged)
    result.rejected = result.judged - result.accepted
    if not judged:
        return result
    result.baseline = max(result.accepted, result.rejected) / result.judged
    with_verdict = [item for item in judged if item.passed is not None]
    if with_verdict:
        result.accuracy = sum(item.passed == item.accepted for item in with_verdict) / len(with_verdict)
    scored = [item for item in judged if item.score is not None]
    if scored:
        scores = [item.score for item in scored if item.score is not None]
        labels = [item.accepted for item in scored]
        result.auc = auc(scores, labels)
        result.best_threshold, result.best_threshold_accuracy = best_threshold(scores, labels)
    return result


def _check_rows(library: Library, step: str) -> dict[str, dict]:
    rows = library.query(
        "SELECT c.question_id, c.status, c.scores, c.detail FROM checks c JOIN questions q ON q.id = c.question_id "
        "WHERE c.step = ? AND q.status IN ('accepted', 'rejected')",
        [step],
    )
    for row in rows:
        row["scores"] = json.loads(row["scores"] or "{}")
        row["detail"] = json.loads(row["detail"] or "{}")
    return {row["question_id"]: row for row in rows}


def curator_report(library: Library) -> CuratorReport:
    """Every signal's agreement with the reviewed questions' accept/reject decisions."""
    reviewed = library.query("SELECT id, status, score, rank_score FROM questions WHERE status IN ('accepted', 'rejected')")
    report = CuratorReport(decisions=len(reviewed))
    report.accepted = sum(row["status"] == "accepted" for row in reviewed)
    report.rejected = report.decisions - report.accepted
    decided = {row["id"]: row["status"] == "accepted" for row in reviewed}

    def from_checks(step: str, score_of, passed_of=lambda row: row["status"] == "pass") -> list[Judged]:
        return [Judged(decided[question_id], passed_of(row), score_of(row)) for question_id, row in _check_rows(library, step).items()]

    report.signals.append(
        agreement("vote class", from_checks("vote", lambda row: row["scores"].get("agreement")), "share of votes for the key")
    )
    report.signals.append(agreement("judge score", from_checks("score", lambda row: row["scores"].get("score")), "P(yes) - P(no)"))
    report.signals.append(
        agreement(
            "rationale",
            from_checks("rationale", lambda row: _STAGE_SCORE.get(row["detail"].get("stage"))),
            "1 solved directly, 0.5 after reflection, 0 not solved",
        )
    )
    report.signals.append(
        agreement("grounding", from_checks("grounding", lambda row: row["scores"].get("support")), "share of the key supported")
    )
    report.signals.append(
        agreement(
            "learnability",
            from_checks("learnability", lambda row: row["scores"].get("skill"), lambda row: row["detail"].get("band") == "learnable"),
            "pass rate above chance; it passes inside the learnable band",
        )
    )
    report.signals.append(
        agreement(
            "ranker",
            [Judged(decided[row["id"]], row["rank_score"] >= 0.5, row["rank_score"]) for row in reviewed if row["rank_score"] is not None],
            "P(accept), as ranked before the decision",
        )
    )
    return report
