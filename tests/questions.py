"""Questions written straight into a library, for tests that need them without a model."""

from __future__ import annotations

import hashlib
import json

GOOD = "A copper wire 2.0 m long carries 3.0 A with a 0.6 V drop along it. What is the wire's resistance?"
_counter = iter(range(10**6))


def add_question(
    library, question=GOOD, options=("0.2 ohm", "5.0 ohm", "1.8 ohm", "0.5 ohm"), answer="A", kind="mcq", status="draft", **extra
) -> str:
    """Insert one question row (unique even for the same text) and return its id."""
    number = next(_counter)
    identifier = hashlib.sha256(f"{question}{options}{answer}{number}".encode()).hexdigest()[:32]
    with library.write() as db:
        db["questions"].insert(
            {
                "id": identifier,
                "paper_id": "p" * 64,
                "job_id": None,
                "kind": kind,
                "question": question,
                "options": json.dumps(list(options)),
                "answer": answer,
                "aliases": "[]",
                "unit": extra.get("unit"),
                "tolerance": extra.get("tolerance"),
                "rationale": "",
                "status": status,
                "model": "fake",
                "prompt_version": "test",
                "created_at": f"2026-01-01T00:00:00.{number:09d}+00:00",  # increasing: insertion order
            }
        )
    return identifier
