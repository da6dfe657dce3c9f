"""Generation logic with a fake model: windows, retries, failure reasons, resume without duplicates."""

import json
import threading
import time

import pytest
from papergym.core.generation.run import GenerateSettings, build_windows, run_generation
from papergym.core.library import Library, PaperRecord, SectionRecord
from papergym.core.llm.backend import BackendError, Completion, FakeBackend, GenerationCancelled
from papergym.core.questions.kinds import InvalidReply, parse_json_object, parse_reply

BODY = "We measured the thermal conductivity of sputtered films between 10 and 200 nm thick. " * 6


def add_paper(library: Library, paper_id: str, sections: int = 2) -> str:
    library.add_paper(
        PaperRecord(
            id=paper_id,
            status="ok",
            filename="p.pdf",
            source_path="/p.pdf",
            size_bytes=1,
            pages=2,
            title="Heat in thin films",
            abstract="Films conduct heat.",
            sections=[SectionRecord("abstract", "Abstract", "Films conduct heat.")]
            + [SectionRecord("methods", f"Methods {n}", BODY) for n in range(sections)],
        ),
        stored_path=None,
    )
    return paper_id


def mcq(question="A film 100 nm thick has a conductivity of 1.4 W/m/K. Which value is its conductivity?", key="A", options=None):
    return json.dumps(
        {
            "question": question,
            "options": options or ["1.4 W/m/K", "2.8 W/m/K", "0.7 W/m/K", "14 W/m/K"],
            "answer": key,
            "rationale": "Stated.",
        }
    )


def numeric():
    return json.dumps(
        {
            "question": "A film has conductance 14 MW/m2K and is 100 nm thick. What is its conductivity?",
            "answer": 1.4,
            "unit": "W/m/K",
            "rationale": "k = G d.",
        }
    )


def exact():
    return json.dumps(
        {
            "question": "Which pump-probe method measures cross-plane conductivity of thin films?",
            "answer": "TDTR",
            "aliases": ["time-domain thermoreflectance"],
            "rationale": "Named.",
        }
    )


def test_every_window_gets_its_questions_and_they_are_stored(library):
    add_paper(library, "a" * 64)
    backend = FakeBackend([mcq(), mcq(question="Another question about thin film conductivity of 1.4 W/m/K?")])
    report = run_generation(library, backend, GenerateSettings(kinds=("mcq",)))
    assert report.windows_total == 2 and report.windows_with_questions == 2 and report.questions_new == 2
    rows = library.query("SELECT * FROM questions")
    assert {row["status"] for row in rows} == {"draft"}
    assert all(row["model"] == "fake" and row["prompt_version"].startswith("gen-") for row in rows)
    assert "Methods 0" in backend.prompts[0] and "Heat in thin films" in backend.prompts[0]
    assert "References" not in backend.prompts[0]


def test_options_are_shuffled_but_the_key_follows_the_right_text(library):
    add_paper(library, "a" * 64, sections=1)
    run_generation(library, FakeBackend([mcq()]), GenerateSettings())
    row = library.query("SELECT options, answer FROM questions")[0]
    options = json.loads(row["options"])
    assert options["ABCD".index(row["answer"])] == "1.4 W/m/K"


def test_all_three_kinds(library):
    add_paper(library, "a" * 64, sections=1)
    report = run_generation(library, FakeBackend([mcq(), numeric(), exact()]), GenerateSettings(kinds=("mcq", "numeric", "exact")))
    assert report.questions_new == 3
    numeric_row = library.query("SELECT * FROM questions WHERE kind = 'numeric'")[0]
    assert numeric_row["answer"] == "1.4" and numeric_row["unit"] == "W/m/K" and numeric_row["tolerance"] == pytest.approx(0.028)
    exact_row = library.query("SELECT * FROM questions WHERE kind = 'exact'")[0]
    assert json.loads(exact_row["aliases"]) == ["time-domain thermoreflectance"]


def test_a_bad_reply_is_retried_and_the_reasons_are_counted(library):
    add_paper(library, "a" * 64, sections=2)
    backend = FakeBackend(
        [
            "not json at all",
            mcq(key="Q"),
            mcq(),  # window 1: two failures, then a question
            "{",
            mcq(options=["x", "x", "y", "z"]),
            Completion(text='{"question": "cut', finish_reason="length"),  # window 2: three failures
        ]
    )
    report = run_generation(library, backend, GenerateSettings(max_attempts=3))
    assert report.windows_with_questions == 1 and report.windows_failed == 1
    reasons = " | ".join(report.failure_reasons)
    assert "invalid JSON" in reasons and "validation failure: two options say the same thing" in reasons and "truncated output" in reasons
    failed = library.query("SELECT status, attempts, error FROM jobs WHERE status = 'failed'")
    assert len(failed) == 1 and failed[0]["attempts"] == 3 and "truncated" in failed[0]["error"]


def test_running_again_resumes_and_never_duplicates(library):
    add_paper(library, "a" * 64, sections=3)
    backend = FakeBackend([mcq(question=f"Question number {n} about the conductivity of films?") for n in range(3)])
    first = run_generation(library, backend, GenerateSettings(), max_windows=1)
    assert first.windows_run == 1 and first.windows_total == 3
    second = run_generation(library, backend, GenerateSettings())
    assert second.windows_already_done == 1 and second.windows_run == 2
    third = run_generation(library, FakeBackend([]), GenerateSettings())
    assert third.windows_run == 0 and third.windows_already_done == 3
    assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 3
    assert library.query("SELECT count(*) AS n FROM jobs")[0]["n"] == 3


def test_the_same_question_twice_is_stored_once(library):
    add_paper(library, "a" * 64, sections=2)
    report = run_generation(library, FakeBackend([mcq(), mcq()]), GenerateSettings())
    assert report.questions_new == 1 and report.questions_duplicate == 1


def test_a_dead_model_stops_the_run_with_its_reason(library):
    add_paper(library, "a" * 64, sections=6)
    backend = FakeBackend([BackendError("could not connect to http://127.0.0.1:9: connection refused")] * 50)
    report = run_generation(library, backend, GenerateSettings(max_attempts=2))
    assert report.windows_run == 3 and "connection refused" in report.stopped_reason
    assert library.query("SELECT count(*) AS n FROM jobs WHERE status = 'pending'")[0]["n"] == 3


def test_cancel_leaves_unstarted_windows_pending(library):
    add_paper(library, "a" * 64, sections=4)
    cancel = threading.Event()
    backend = FakeBackend([mcq(question=f"Question {n} on film conductivity of 1.4 W/m/K?") for n in range(4)])
    report = run_generation(library, backend, GenerateSettings(), on_progress=lambda p: cancel.set(), cancel=cancel)
    assert report.windows_run == 1 and report.cancelled
    assert library.query("SELECT count(*) AS n FROM jobs WHERE status = 'pending'")[0]["n"] == 3


class SlowModel(FakeBackend):
    """Answers its first ``quick`` requests at once, then takes SLOW_REPLY_SECONDS per reply unless cancelled: a big model on a slow CPU."""

    def __init__(self, replies, *, quick: int = 0, parallel: int = 1) -> None:
        super().__init__(replies, parallel=parallel)
        self.quick = quick
        self.slow_reply_started = threading.Event()

    def complete(self, prompt, *, cancel=None, **options):
        if len(self.prompts) < self.quick:
            return super().complete(prompt, cancel=cancel, **options)
        self.slow_reply_started.set()
        if cancel is not None and cancel.wait(SLOW_REPLY_SECONDS):
            raise GenerationCancelled()
        if cancel is None:
            time.sleep(SLOW_REPLY_SECONDS)
        return super().complete(prompt, **options)


SLOW_REPLY_SECONDS = 4.0


def cancel_once_a_slow_reply_starts(backend: SlowModel) -> threading.Event:
    cancel = threading.Event()
    threading.Thread(target=lambda: backend.slow_reply_started.wait(10) and cancel.set(), daemon=True).start()
    return cancel


@pytest.mark.parametrize("parallel", [1, 2], ids=["in-process model", "server"])
def test_cancel_stops_the_reply_in_flight_and_its_window_resumes_next_run(library, parallel):
    add_paper(library, "a" * 64, sections=3)
    replies = [mcq(question=f"Question {n} on film conductivity of 1.4 W/m/K?") for n in range(3)]
    quick = 1 if parallel == 1 else 0  # one stream: the first window finishes before the slow one starts
    backend = SlowModel(replies, quick=quick, parallel=parallel)
    cancel = cancel_once_a_slow_reply_starts(backend)
    started = time.perf_counter()
    report = run_generation(library, backend, GenerateSettings(), cancel=cancel)
    assert time.perf_counter() - started < SLOW_REPLY_SECONDS / 2  # not after the reply in flight
    assert report.cancelled and report.windows_failed == 0 and not report.failure_reasons
    assert report.questions_new == quick
    unfinished = library.query("SELECT attempts, error FROM jobs WHERE status = 'pending'")
    assert unfinished == [{"attempts": 0, "error": None}] * (3 - quick)

    resumed = run_generation(library, FakeBackend(replies[quick:]), GenerateSettings())
    assert resumed.windows_already_done == quick and resumed.questions_new == 3 - quick
    assert library.query("SELECT count(*) AS n FROM jobs WHERE status = 'done'")[0]["n"] == 3


def test_cancel_during_refining_keeps_the_window_pending(library):
    add_paper(library, "a" * 64, sections=1)
    backend = SlowModel([mcq()], quick=1)  # the question comes at once; its refinement is slow
    cancel = cancel_once_a_slow_reply_starts(backend)
    report = run_generation(library, backend, GenerateSettings(refine=True), cancel=cancel)
    assert report.cancelled and report.questions_new == 0 and report.refine_failures == 0
    assert library.query("SELECT status, error FROM jobs") == [{"status": "pending", "error": None}]


def test_the_fake_model_stops_its_delay_when_cancelled():
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    started = time.perf_counter()
    backend = FakeBackend(["late"], delay=SLOW_REPLY_SECONDS)
    with pytest.raises(GenerationCancelled):
        backend.complete("q", max_tokens=4, cancel=cancel)
    assert time.perf_counter() - started < SLOW_REPLY_SECONDS / 2
    assert list(backend.replies) == ["late"]  # a rerun gets the reply the cancelled request would have had


def test_a_server_backend_runs_windows_in_parallel(library):
    add_paper(library, "a" * 64, sections=8)
    replies = [mcq(question=f"Parallel question {n} on film conductivity?") for n in range(8)]
    report = run_generation(library, FakeBackend(replies, parallel=4, delay=0.05), GenerateSettings())
    assert report.questions_new == 8 and not report.cancelled


def test_long_sections_are_split_to_fit_the_context(library):
    paper_id = add_paper(library, "a" * 64, sections=0)
    library.add_paper(
        PaperRecord(
            id=paper_id,
            status="ok",
            filename="p.pdf",
            source_path="/p",
            size_bytes=1,
            title="T",
            abstract="A.",
            sections=[SectionRecord("results", "Results", "\n".join(f"Line {n} of a long result section." for n in range(2000)))],
        ),
        stored_path=None,
    )
    windows = build_windows(library, [paper_id], budget_tokens=1000, count_tokens=lambda text: len(text) // 4, settings=GenerateSettings())
    assert len(windows) > 5
    assert all(len(window.passage) // 4 <= 1000 for window in windows)
    assert "Line 1999" in windows[-1].passage


def test_refine_makes_ten_options_with_the_same_key(library):
    add_paper(library, "a" * 64, sections=1)
    ten = json.dumps(
        {
            "question": "A film 100 nm thick has a conductivity of 1.4 W/m/K. Which value is its conductivity?",
            "options": ["1.4 W/m/K"] + [f"{n} W/m/K" for n in range(2, 11)],
            "answer": "A",
            "rationale": "Stated.",
        }
    )
    run_generation(library, FakeBackend([mcq(), ten]), GenerateSettings(refine=True))
    row = library.query("SELECT options, answer, prompt_version FROM questions")[0]
    options = json.loads(row["options"])
    assert len(options) == 10 and options["ABCDEFGHIJ".index(row["answer"])] == "1.4 W/m/K"
    assert "refine" in row["prompt_version"]


@pytest.mark.parametrize(
    "reply, reason",
    [
        ({"question": "Too short?", "options": ["a", "b", "c", "d"], "answer": "A", "rationale": ""}, "too short"),
        (
            {"question": "What is the value of the measured constant here?", "options": ["a", "b", "c"], "answer": "A", "rationale": ""},
            "exactly 4",
        ),
        (
            {
                "question": "What is the value of the measured constant here?",
                "options": ["a", "b", "c", "d"],
                "answer": "E",
                "rationale": "",
            },
            "not one of",
        ),
        ({"question": "What is the value of the measured constant here?", "options": ["a", "b", "c", "d"]}, "lacks answer"),
    ],
)
def test_mcq_validation(reply, reason):
    with pytest.raises(InvalidReply, match=reason):
        parse_reply("mcq", reply)


def test_numeric_and_exact_validation():
    with pytest.raises(InvalidReply, match="not a number"):
        parse_reply("numeric", {"question": "How large is the constant measured at 300 K?", "answer": "big", "unit": "K", "rationale": ""})
    with pytest.raises(InvalidReply, match="gives its own answer"):
        parse_reply("exact", {"question": "Is TDTR the method used for thin films here?", "answer": "TDTR", "aliases": [], "rationale": ""})
    assert (
        parse_reply(
            "numeric", {"question": "How large is the constant measured at 300 K?", "answer": "1,200", "unit": "K", "rationale": ""}
        ).answer
        == "1200"
    )


def test_parse_finds_the_object_after_chatter():
    assert parse_json_object('Sure! {"a": 1} trailing')["a"] == 1
    with pytest.raises(InvalidReply):
        parse_json_object("[1, 2]")


def test_a_copy_of_the_prompt_example_is_refused(library):
    from papergym.core.generation.prompts import EXAMPLES

    add_paper(library, "a" * 64, sections=1)
    copied = dict(EXAMPLES["mcq"])
    report = run_generation(library, FakeBackend([json.dumps(copied), mcq()]), GenerateSettings())
    assert report.questions_new == 1
    assert "repeats the prompt's worked example" in " ".join(json.loads(library.query("SELECT error FROM jobs")[0]["error"]))


def test_json_end_is_found_outside_strings():
    from papergym.core.llm.llamacpp import json_complete_at

    text = b'{"a": "}", "b": "say \\"{\\"", "c": [1, {"d": 2}]} trailing'
    assert text[: json_complete_at(text)].endswith(b"}]}")
    assert json_complete_at(b'{"a": "unfinished') is None
