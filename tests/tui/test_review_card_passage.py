"""The Review card shows a passage's PDF line breaks as flowing text, so it wraps at the card's width and not twice."""

from __future__ import annotations

from papergym.tui.app.screens.review_card import passage_with_quote

PASSAGE = (
    "Title: Kinetics of 4-nitrophenol reduction over silver on ceria\n"
    "Abstract: Silver nanoparticles were deposited on mesoporous ceria with a specific surface\n"
    "area of 118 m2 g−1, and their activity was studied by UV–visible\n"
    "spectroscopy.\n"
    "Section: Results\n"
    "The apparent rate constant at 25 ◦C was kapp = 8.3 × 10−3 s−1, 2.7 times higher than\n"
    "for a silica-supported reference catalyst.\n"
    "\n"
    "A second paragraph."
)


def test_hard_line_breaks_inside_a_paragraph_become_spaces_and_the_window_labels_keep_their_lines():
    shown = passage_with_quote(PASSAGE, None).plain
    assert "specific surface area of 118" in shown and "UV–visible spectroscopy." in shown
    assert "2.7 times higher than for a silica-supported" in shown
    assert shown.splitlines()[:4] == [
        "Title: Kinetics of 4-nitrophenol reduction over silver on ceria",
        "Abstract: Silver nanoparticles were deposited on mesoporous ceria with a specific surface area of 118 m2 g−1, "
        "and their activity was studied by UV–visible spectroscopy.",
        "Section: Results",
        "The apparent rate constant at 25 ◦C was kapp = 8.3 × 10−3 s−1, 2.7 times higher than for a silica-supported reference catalyst.",
    ]
    assert "\n\nA second paragraph." in shown


def test_the_highlighted_quote_stays_on_the_same_words_after_the_reflow():
    quote = "2.7 times higher than\nfor a silica-supported"
    start = PASSAGE.index(quote)
    text = passage_with_quote(PASSAGE, (start, start + len(quote)))
    highlighted = [text.plain[span.start : span.end] for span in text.spans if "yellow" in str(span.style)]
    assert highlighted == ["2.7 times higher than for a silica-supported"]
