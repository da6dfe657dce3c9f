"""Text from a broken PDF is made safe to store: what a user would see in the library afterwards."""

from __future__ import annotations

from papergym.core.ingest.safe_text import REPLACEMENT, safe_field, safe_text


def test_lone_surrogates_become_one_mark_and_real_pairs_become_their_character():
    text = safe_text("heat \ud800flux \ud83d\ude00 ok")
    assert text == f"heat {REPLACEMENT}flux \U0001f600 ok"
    text.encode("utf-8")  # what SQLite does with it; this raised before


def test_control_characters_go_but_line_breaks_and_tabs_stay():
    assert safe_text("a\x00b\x07c\tcol\r\nnext\x0cpage\x85") == "abc\tcol\nnext\npage"


def test_unmapped_glyph_runs_collapse_and_lines_of_them_vanish():
    text = safe_text("e(cid:11)ect of (cid:1)(cid:2)(cid:3) heat\n\ue000 \ue001\ue002\nnext \ufffd\ufffd\ufffd\ufffd line")
    assert text == f"e{REPLACEMENT}ect of {REPLACEMENT} heat\nnext {REPLACEMENT} line"


def test_greek_math_and_accents_pass_untouched():
    text = "Ångström µm, ΔG° = −3.2 kJ mol⁻¹, naïve ∑ᵢ xᵢ²"
    assert safe_text(text) is text


def test_a_field_is_one_line_and_none_when_it_is_mostly_noise():
    assert safe_field("Lattice\nthermal\t conductivity\x00") == "Lattice thermal conductivity"
    assert safe_field("(cid:3)(cid:4)(cid:5)") is None
    assert safe_field("\ue000\ue001 ab \ue002 \ue003 \ue004") is None
    assert safe_field(None) is None
    assert safe_field("Ti\ud800tle of a paper") == f"Ti{REPLACEMENT}tle of a paper"
