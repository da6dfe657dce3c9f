"""The review card shows the key's supporting quote highlighted inside its passage."""

from __future__ import annotations

from papergym.tui.app.screens.review_card import PASSAGE_CHARS, card_texts, passage_with_quote

PASSAGE = "Films 120 nm thick conducted 1.45 W/m/K. Annealing raised it to 2.1 W/m/K. Nothing else changed."


def question(**extra) -> dict:
    return {
        "id": "q" * 32,
        "kind": "numeric",
        "status": "draft",
        "question": "By what factor did annealing raise the conductivity?",
        "answer": "1.45",
        "options": [],
        "source_passage": PASSAGE,
        **extra,
    }


def highlighted(text) -> list[str]:
    return [text.plain[span.start : span.end] for span in text.spans if "yellow" in str(span.style)]


def test_the_stored_quote_is_highlighted_in_its_passage():
    start = PASSAGE.index("Annealing")
    end = PASSAGE.index(" Nothing")
    card = card_texts(question(evidence=[{"quote": PASSAGE[start:end], "start": start, "end": end}]), [])
    assert highlighted(card["passage"]) == ["Annealing raised it to 2.1 W/m/K."]


def test_an_older_question_shows_where_grounding_found_its_support():
    checks = [{"step": "grounding", "status": "pass", "reasons": [], "detail": {"quote_span": [0, 40]}}]
    assert highlighted(card_texts(question(evidence=[]), checks)["passage"]) == ["Films 120 nm thick conducted 1.45 W/m/K."]
    assert highlighted(card_texts(question(evidence=[]), [])["passage"]) == []


def test_a_long_passage_is_cut_around_the_quote():
    long_passage = "x" * 5000 + " the supporting sentence. " + "y" * 5000
    start = long_passage.index("the supporting")
    text = passage_with_quote(long_passage, (start, start + len("the supporting sentence.")))
    assert highlighted(text) == ["the supporting sentence."]
    assert text.plain.startswith("…") and text.plain.endswith("…") and len(text.plain) <= PASSAGE_CHARS + 2
