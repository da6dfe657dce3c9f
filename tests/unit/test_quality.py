"""The quality pipeline end to end on crafted questions, with a fake model."""

from __future__ import annotations

import json
import math
import threading

import pytest
from papergym.core.errors import PapergymError
from papergym.core.llm.backend import BackendError, Completion, FakeBackend
from papergym.core.quality.pipeline import CheckSettings, question_checks, run_checks
from papergym.core.quality.vote import VoteSettings

from tests.questions import GOOD, add_question


def letters(**probabilities) -> Completion:
    """A one-token completion whose top alternatives give these letter probabilities."""
    return Completion(text=" A", completion_tokens=1, top_logprobs=[{f" {k}": math.log(v) for k, v in probabilities.items()}])


def status_of(library, identifier) -> str:
    return library.query("SELECT status FROM questions WHERE id = ?", [identifier])[0]["status"]


def test_validators_and_dedup_drop_bad_questions_and_keep_one_of_each_duplicate_group(library):
    good = add_question(library)
    leaky = add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    bad_key = add_question(
        library, "A steel rod 1 m long is heated by 100 K. By how much does it expand if alpha is 12e-6 per K?", answer="F"
    )
    duplicate = add_question(library, GOOD.replace("What is", "What is, then,"))
    report = run_checks(library, CheckSettings(steps=("validate", "dedup")))

    assert status_of(library, good) == "passed"
    assert status_of(library, leaky) == "dropped"
    assert status_of(library, bad_key) == "dropped"
    assert status_of(library, duplicate) == "dropped"
    dedup_row = next(row for row in question_checks(library, duplicate) if row["step"] == "dedup")
    assert dedup_row["detail"]["kept"] == good
    summary = {step.step: step for step in report.steps}
    assert summary["validate"].dropped == 2 and summary["validate"].passed == 2
    assert "refers to its source" in summary["validate"].reasons
    assert summary["dedup"].dropped == 1
    assert report.statuses == {"passed": 1, "dropped": 3}


def test_checks_are_idempotent_and_resume(library):
    for index in range(3):
        add_question(library, f"{GOOD} Variant number {index} asks about a different length of {index + 2} metres.")
    first = run_checks(library, CheckSettings(steps=("validate",)))
    second = run_checks(library, CheckSettings(steps=("validate",)))
    assert first.steps[0].ran == 3 and second.steps[0].ran == 0
    add_question(library, "A new question about a capacitor of 2 microfarads charged to 5 volts: what energy does it store?")
    assert run_checks(library, CheckSettings(steps=("validate",))).steps[0].ran == 1
    assert library.query("SELECT count(*) AS n FROM checks")[0]["n"] == 4


def test_human_decisions_are_never_overwritten(library):
    accepted = add_question(library, "According to the paper, which wire is longest among the three tested?", status="accepted")
    run_checks(library, CheckSettings(steps=("validate", "dedup")))
    assert status_of(library, accepted) == "accepted"


def test_a_new_draft_repeating_an_accepted_question_is_the_duplicate(library):
    add_question(library, status="draft")  # created first
    library.db.execute("UPDATE questions SET status = 'accepted'")
    draft = add_question(library, GOOD + " ")
    run_checks(library, CheckSettings(steps=("dedup",)))
    assert status_of(library, draft) == "dropped"


def test_logprob_votes_classify_and_majority_for_none_of_the_above_discards(library):
    aligned = add_question(library)
    nota = add_question(library, "A copper wire 4.0 m long carries 2.0 A with a 0.8 V drop along it. What is its resistance?")
    divergent = add_question(library, "A copper wire 1.0 m long carries 1.0 A with a 0.1 V drop along it. What is its resistance?")
    fake = FakeBackend([letters(A=0.9, B=0.05), letters(E=0.7, A=0.2), letters(B=0.6, C=0.3)])
    settings = CheckSettings(steps=("vote",), vote=VoteSettings(mode="logprob", samples=5))
    report = run_checks(library, settings, open_models=lambda: ([fake], fake))

    rows = {row["id"]: row for row in library.query("SELECT id, voting_type, votes, status FROM questions")}
    assert rows[aligned]["voting_type"] == "all_aligned" and rows[aligned]["status"] == "passed"
    assert rows[nota]["voting_type"] == "discard" and rows[nota]["status"] == "dropped"
    assert json.loads(rows[nota]["votes"]).count("E") >= 3
    assert rows[divergent]["voting_type"] == "all_divergent" and rows[divergent]["status"] == "flagged"
    assert "E. None of the above" in fake.prompts[0]
    vote_summary = report.steps[0]
    assert vote_summary.extra["voting_types"] == {"all_aligned": 1, "discard": 1, "all_divergent": 1}


def test_sampled_votes_read_each_solvers_final_answer(library):
    question = add_question(library)
    first = FakeBackend(["R = V / I = 0.2 ohm.\nAnswer: A", "Answer: A"], model_name="one")
    second = FakeBackend(["It must be 5 ohm.\nAnswer: B", "hmm"], model_name="two")
    settings = CheckSettings(steps=("vote",), vote=VoteSettings(mode="sample", samples=2))
    run_checks(library, settings, open_models=lambda: ([first, second], first))
    row = library.query("SELECT voting_type, votes FROM questions WHERE id = ?", [question])[0]
    assert json.loads(row["votes"]) == ["A", "A", "B", "?"]
    assert row["voting_type"] == "majority_divergent"  # 2 of 4 is not a majority


def test_numeric_questions_vote_by_sampling_even_in_logprob_mode(library):
    question = add_question(
        library,
        "A 2.0 kg mass is lifted 3.0 m against gravity of 9.8 m/s^2. What work is done?",
        options=(),
        answer="58.8",
        kind="numeric",
        unit="J",
        tolerance=0.5,
    )
    fake = FakeBackend(["W = mgh = 58.8 J\nAnswer: 58.8 J", "Answer: 0.0588 kJ", "Answer: 60 J"])
    run_checks(library, CheckSettings(steps=("vote",), vote=VoteSettings(mode="logprob", samples=3)), open_models=lambda: ([fake], fake))
    row = library.query("SELECT voting_type FROM questions WHERE id = ?", [question])[0]
    assert row["voting_type"] == "majority_aligned"


def test_rationale_direct_reflected_and_failed(library):
    direct = add_question(library)
    reflected = add_question(library, "A copper wire 4.0 m long carries 2.0 A with a 0.8 V drop along it. What is its resistance?")
    failed = add_question(library, "A copper wire 1.0 m long carries 1.0 A with a 0.1 V drop along it. What is its resistance?")
    fake = FakeBackend(
        [
            "R = 0.6 / 3.0 = 0.2 ohm.\nAnswer: A",
            "R = 2.0 / 0.8.\nAnswer: C",
            "I divided the wrong way: R = 0.8 / 2.0 = 0.4, closest to 0.2 ohm... \nAnswer: A",
            "Answer: B",
            "Answer: D",
        ]
    )
    report = run_checks(library, CheckSettings(steps=("rationale",)), open_models=lambda: ([fake], fake))
    rationale = {row["id"]: row["rationale"] for row in library.query("SELECT id, rationale FROM questions")}
    assert rationale[direct].startswith("R = 0.6 / 3.0")
    assert "wrong way" in rationale[reflected]
    assert rationale[failed] == ""
    assert status_of(library, failed) == "flagged"
    assert report.steps[0].extra["this_run"] == {"direct": 1, "reflected": 1, "failed": 1}
    assert "Correct answer: A" in fake.prompts[2]


def test_judge_score_is_p_yes_minus_p_no_with_a_threshold(library):
    high = add_question(library)
    low = add_question(library, "A copper wire 4.0 m long carries 2.0 A with a 0.8 V drop along it. What is its resistance?")
    fake = FakeBackend(
        [
            Completion(text=" yes", top_logprobs=[{" yes": math.log(0.8), " no": math.log(0.1)}]),
            Completion(text=" no", top_logprobs=[{" No": math.log(0.6), " yes": math.log(0.3)}]),
        ]
    )
    run_checks(library, CheckSettings(steps=("score",), score_threshold=0.0), open_models=lambda: ([fake], fake))
    scores = {row["id"]: row["score"] for row in library.query("SELECT id, score FROM questions")}
    assert scores[high] == pytest.approx(0.7)
    assert scores[low] == pytest.approx(-0.3)
    assert status_of(library, high) == "passed" and status_of(library, low) == "flagged"


def test_model_steps_skip_dropped_questions_and_do_not_open_a_model_without_work(library):
    add_question(library, "According to the paper, what resistance did the authors measure for the copper wire?")
    opened = []
    report = run_checks(library, CheckSettings(steps=("validate", "vote")), open_models=lambda: opened.append(1))
    assert opened == []
    assert "already judged" in report.steps[1].skipped


def test_a_failing_model_leaves_questions_pending_and_stops_after_repeated_failures(library):
    for index in range(6):
        add_question(library, f"{GOOD} This is variant {index} with {index + 3} metres of wire instead.")
    fake = FakeBackend([BackendError("the server is down")] * 5)
    report = run_checks(library, CheckSettings(steps=("score",)), open_models=lambda: ([fake], fake))
    assert "failed 5 questions in a row" in report.stopped_reason
    assert library.query("SELECT count(*) AS n FROM checks WHERE step = 'score'")[0]["n"] == 0
    fake.queue(*[Completion(text=" yes", top_logprobs=[{" yes": 0.0}])] * 6)
    assert run_checks(library, CheckSettings(steps=("score",)), open_models=lambda: ([fake], fake)).steps[0].ran == 6


def test_cancel_stops_between_questions(library):
    for index in range(4):
        add_question(library, f"{GOOD} This is variant {index} with {index + 3} metres of wire instead.")
    cancel = threading.Event()
    fake = FakeBackend([Completion(text=" yes", top_logprobs=[{" yes": 0.0}])] * 4)

    def stop_after_two(progress):
        if progress.done == 2:
            cancel.set()

    report = run_checks(
        library, CheckSettings(steps=("score",)), open_models=lambda: ([fake], fake), on_progress=stop_after_two, cancel=cancel
    )
    assert report.cancelled and report.steps[0].ran == 2


def test_unknown_step_and_empty_library_are_one_sentence_errors(library):
    with pytest.raises(PapergymError, match="no questions yet"):
        run_checks(library, CheckSettings(steps=("validate",)))
    add_question(library)
    with pytest.raises(PapergymError, match="Unknown check step 'votes'"):
        run_checks(library, CheckSettings(steps=("votes",)))


def test_decontam_without_a_folder_is_skipped_with_a_reason(library):
    add_question(library)
    report = run_checks(library, CheckSettings(steps=("decontam",)))
    assert "--benchmarks" in report.steps[0].skipped


def test_ranker_learns_from_reviews_and_ranks_the_rest(library):
    from papergym.core.quality.rank import MIN_REVIEWS

    good_topics = ["resistance of a copper wire", "energy stored in a capacitor", "period of a pendulum", "pH of a buffer"]
    bad_topics = ["colour of the sky in the photo", "name of the instrument vendor", "number of samples in the cohort"]
    for index in range(40):
        add_question(
            library, f"Compute the {good_topics[index % 4]} when the quantity is {index + 2} units; what value results?", status="accepted"
        )
    for index in range(24):
        add_question(library, f"What was the {bad_topics[index % 3]} in trial {index}, as listed?", status="rejected")
    hopeful = add_question(library, "Compute the period of a pendulum when the length is 99 units; what value results?")
    doubtful = add_question(library, "What was the name of the instrument vendor in trial 99, as listed?")
    report = run_checks(library, CheckSettings(steps=("rank",)))
    ranker = report.steps[0].extra["ranker"]
    assert ranker["trained"] and ranker["reviewed"] == 64 >= MIN_REVIEWS
    assert ranker["held_out"] == 16 and ranker["accuracy"] >= ranker["baseline"]
    ranks = {row["id"]: row["rank_score"] for row in library.query("SELECT id, rank_score FROM questions")}
    assert ranks[hopeful] > 0.5 > ranks[doubtful]


def test_ranker_waits_for_enough_reviews(library):
    add_question(library, status="accepted")
    report = run_checks(library, CheckSettings(steps=("rank",)))
    assert "needs 50" in report.steps[0].skipped


def test_decontamination_flags_a_question_copied_from_a_benchmark(library, tmp_path):
    benchmark = "A copper wire two metres long carries three amperes of current and shows a drop of 0.6 volts along its length; find its resistance in ohms."
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "mmlu_pro.jsonl").write_text(
        json.dumps(
            {
                "question_id": 7,
                "question": benchmark,
                "options": ["0.2", "5", "1.8", "0.5"],
                "answer": "A",
                "answer_index": 0,
                "category": "physics",
            }
        )
        + "\n"
    )
    copied = add_question(library, benchmark.replace("find its", "what is its"))
    clean = add_question(library)
    report = run_checks(library, CheckSettings(steps=("decontam",), benchmarks_dir=folder))
    assert status_of(library, copied) == "flagged" and status_of(library, clean) == "passed"
    row = next(row for row in question_checks(library, copied) if row["step"] == "decontam")
    assert row["detail"]["item_id"] == "7" and row["scores"]["shared_ngrams"] >= 1
    assert report.steps[0].extra["benchmark_items"] == 1
    # The same folder again judges nothing new; a changed folder judges again.
    assert run_checks(library, CheckSettings(steps=("decontam",), benchmarks_dir=folder)).steps[0].ran == 0
    (folder / "more.jsonl").write_text((folder / "mmlu_pro.jsonl").read_text().replace('"question_id": 7', '"question_id": 8'))
    assert run_checks(library, CheckSettings(steps=("decontam",), benchmarks_dir=folder)).steps[0].ran == 2


def test_a_malformed_benchmark_file_is_one_sentence(library, tmp_path):
    add_question(library)
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "supergpqa.jsonl").write_text('{"question": "x"\n')
    with pytest.raises(PapergymError, match="supergpqa.jsonl line 1"):
        run_checks(library, CheckSettings(steps=("decontam",), benchmarks_dir=folder))


def test_validate_reads_the_stored_rationale(library):
    question = add_question(library)
    library.db.execute("UPDATE questions SET rationale = 'Q10 is the rate ratio for a 10 degree rise.'")
    run_checks(library, CheckSettings(steps=("validate",)))
    assert status_of(library, question) == "flagged"


def test_options_that_are_only_letters_are_dropped_but_a_single_letter_among_real_answers_is_kept(library):
    # What the built-in 270M model writes: the real choices inline in the question, the options bare letters.
    inline = "Which compound is used as the reductant here? A. sodium borohydride B. hydrazine C. hydrogen D. formic acid"
    bare_letters = add_question(library, inline, options=("B", "D", "E", "A"), answer="D")
    vitamins = add_question(library, "Which vitamin is fat-soluble and needed for blood clotting?", options=("K", "C", "B12", "B6"))
    report = run_checks(library, CheckSettings(steps=("validate",)))

    assert status_of(library, bare_letters) == "dropped"
    assert status_of(library, vitamins) == "passed"
    summary = next(step for step in report.steps if step.step == "validate")
    assert any("bare letters" in reason for reason in summary.reasons), summary.reasons
