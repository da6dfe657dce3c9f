"""A question's statuses and WildSci's voting types, named once for every module that checks, filters or exports by them."""

from __future__ import annotations

OPEN_STATUSES = ("draft", "passed", "flagged", "dropped")  # the quality pipeline's verdicts: no person has decided yet
STATUSES = (*OPEN_STATUSES, "accepted", "rejected")
# WildSci's solver-voting classes, from every solver reaching the key to most choosing None of the above.
VOTE_TYPES = ("all_aligned", "majority_aligned", "majority_divergent", "all_divergent", "discard")
