import pytest
from papergym.core.quality.validate import check_question, longest_option_bias


def mcq(question="A film 100 nm thick conducts 1.4 W/m/K. Which value is its conductivity?", options=None, answer="A"):
    return {
        "kind": "mcq",
        "question": question,
        "options": options or ["1.4 W/m/K", "2.8 W/m/K", "0.7 W/m/K", "14 W/m/K"],
        "answer": answer,
    }


def actions(question):
    return {(finding.check, finding.action) for finding in check_question(question)}


def test_a_good_question_passes():
    assert check_question(mcq()) == []


def test_options_stored_as_json_text_are_read():
    assert check_question(mcq(options='["a1", "b2", "c3", "d4"]')) == []


@pytest.mark.parametrize(
    "text",
    [
        "According to the paper, what is the conductivity of the film?",
        "In this study, which method measured the film conductivity?",
        "What value does Figure 3 give for the conductivity of the film?",
        "Which conductivity is listed in Table 2 for the thickest film?",
        "What did the authors conclude about the film conductivity?",
        "Using Eq. 4, what is the conductivity of the 100 nm film?",
        "As described above, what conductivity did the film have?",
        "What did Smith et al. measure for the film conductivity?",
    ],
)
def test_leaky_questions_are_dropped(text):
    assert ("leakage", "drop") in actions(mcq(question=text))


@pytest.mark.parametrize(
    "text",
    [
        "A paper strip of width 2 cm is heated; which mode of heat transfer dominates?",
        "Which table salt polymorph is stable at 300 K and 1 atm?",
        "Which section of a phase diagram marks the coexistence of two phases?",
    ],
)
def test_ordinary_words_are_not_leakage(text):
    assert ("leakage", "drop") not in actions(mcq(question=text))


def test_the_key_must_be_an_option():
    assert ("key", "drop") in actions(mcq(answer="E"))


def test_duplicate_and_near_identical_options():
    assert ("options", "drop") in actions(mcq(options=["1.4 W/m/K", "1.4 w/m/k.", "0.7 W/m/K", "14 W/m/K"]))
    near = actions(mcq(options=["thermal conductivity of the film", "thermal conductivity of the films", "heat capacity", "density"]))
    assert ("options", "flag") in near and ("options", "drop") not in near


def test_length_bounds_and_broken_rows():
    assert ("length", "drop") in actions(mcq(question="Too short?"))
    assert ("length", "flag") in actions(mcq(question="What is the value? " + "x" * 1300))
    assert actions({"kind": "mcq", "question": "", "options": [], "answer": "A"}) == {("schema", "drop")}
    assert actions({"kind": "essay", "question": "Why?", "answer": "x"}) == {("schema", "drop")}


def test_numeric_and_exact_questions_skip_option_checks():
    numeric = {"kind": "numeric", "question": "What is the conductivity of a 100 nm film in W/m/K?", "answer": "1.4"}
    assert check_question(numeric) == []


def test_longest_option_bias_report():
    biased = [mcq(options=["the long and careful correct answer", "short", "brief", "tiny"], answer="A")] * 3
    fair = [mcq(options=["aaaa", "bbbbbbbbbb", "cc", "ddd"], answer="A")]
    report = longest_option_bias(biased + fair)
    assert report["questions"] == 4 and report["key_is_longest"] == 3
    assert report["share"] == 0.75 and report["chance"] == 0.25


def test_a_statement_that_is_never_stated_is_dropped():
    question = {"kind": "mcq", "question": "Is the following statement true or false?", "options": ["a", "b", "c", "d"], "answer": "A"}
    assert [(f.check, f.action) for f in check_question(question)] == [("length", "drop")]


def test_pointing_at_a_reaction_below_is_leakage():
    question = mcq("The reaction below was initiated by borohydride reducing 4-nitrophenol; what is its order?")
    assert ("leakage", "drop") in [(f.check, f.action) for f in check_question(question)]


def test_a_rationale_pasted_from_the_prompt_example_is_flagged():
    copied = {**mcq(), "rationale": "Q10 is the rate ratio for a 10 degree rise."}
    own = {**mcq(), "rationale": "The film's conductivity follows from the measured heat flow, 1.4 W/m/K."}
    assert ("rationale", "flag") in [(f.check, f.action) for f in check_question(copied)]
    assert check_question(own) == []


def test_options_labelled_with_other_letters_are_dropped_and_own_letters_flagged():
    from papergym.core.quality.validate import check_question

    shifted = {
        "kind": "mcq",
        "question": "Which statement about sand and gravel transport in the flume is true?",
        "options": ["D. Sand is a barrier", "A. Sand helps gravel move", "B. Gravel never moves", "C. Nothing moves"],
        "answer": "B",
    }
    findings = check_question(shifted)
    assert [(f.check, f.action) for f in findings if f.check == "options"] == [("options", "drop")]
    assert "A is labelled 'D'" in findings[0].reason
    own = dict(shifted, options=["A. Sand is a barrier", "B. Sand helps gravel move", "C. Gravel never moves", "D. Nothing moves"])
    assert [(f.check, f.action) for f in check_question(own)] == [("options", "flag")]
    one_stray = dict(shifted, options=["Sand is a barrier", "Sand helps gravel move", "A. Gravel never moves", "Nothing moves"])
    assert [(f.action, f.reason) for f in check_question(one_stray)] == [("drop", "options carry other letters (C is labelled 'A')")]
    words = dict(shifted, options=["Sand is a barrier", "Sand helps gravel move", "Gravel never moves", "I. e. nothing moves"])
    assert check_question(words) == []
