"""The review and generate screens, driven by Pilot on a library in a temporary folder."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from papergym.core.library import Library, PaperRecord, SectionRecord
from papergym.core.llm.backend import FakeBackend
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.generate import GenerateScreen
from papergym.tui.app.screens.review import ReviewFilter
from textual.widgets import Checkbox, Input, Static, TextArea

from tests.questions import add_question

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
BODY = "We measured the thermal conductivity of sputtered films between 10 and 200 nm thick. " * 6


def make_library(folder, count=4, **extra) -> list[str]:
    with Library(folder) as library:
        return [
            add_question(library, question=f"Question number {n}: what is the resistance of the copper wire?", **extra)
            for n in range(count)
        ]


def statuses(folder) -> dict[str, tuple]:
    with Library(folder) as library:
        return {
            row["id"]: (row["status"], row["review_reason"]) for row in library.query("SELECT id, status, review_reason FROM questions")
        }


def card_question(app) -> str:
    return str(app.screen.query_one("#card-question", Static).render())


async def test_accept_reject_with_reason_skip_and_undo_are_written(tmp_path):
    folder = tmp_path / "lib"
    ids = make_library(folder)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Question number 0" in card_question(app)
        await pilot.press("a")  # accept 0
        await pilot.press("x")  # reject 1, with a reason
        await pilot.pause()
        assert app.screen.__class__.__name__ == "RejectReasonScreen"
        await pilot.press(*"off topic", "enter")
        await pilot.pause()
        await pilot.press("s")  # skip 2
        await pilot.press("x", "enter")  # reject 3 with no reason
        await pilot.pause()
        assert statuses(folder) == {
            ids[0]: ("accepted", None),
            ids[1]: ("rejected", "off topic"),
            ids[2]: ("draft", None),
            ids[3]: ("rejected", None),
        }
        assert "3 decisions" in str(app.screen.query_one("#review-pace", Static).render())
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert statuses(folder)[ids[3]] == ("draft", None)
        assert "2 decisions" in str(app.screen.query_one("#review-pace", Static).render())
        assert "Question number 3" in card_question(app)
        await pilot.press("k", "k")
        await pilot.pause()
        assert "Question number 1" in card_question(app)


async def test_the_position_is_remembered_between_sessions(tmp_path):
    folder = tmp_path / "lib"
    make_library(folder, count=5)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "j", "s")
        await pilot.pause()
        assert "Question number 3" in card_question(app)
    again = PapergymApp(folder, start="review")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Question number 3" in card_question(again)
        assert "4 / 5" in str(again.screen.query_one("#review-filter", Static).render())


async def test_a_filter_narrows_the_cards(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        add_question(library, question="A physics question about the copper wire resistance?")
        chemistry = add_question(library, question="A chemistry question about the molar mass of water?")
        library.conn.execute("UPDATE questions SET discipline = 'Chemistry', score = 0.9 WHERE id = ?", [chemistry])
        library.conn.commit()
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 / 2" in str(app.screen.query_one("#review-filter", Static).render())
        await pilot.press("f")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewFilterScreen"
        app.screen.query_one("#filter-discipline").value = "Chemistry"
        app.screen.query_one("#filter-score", Input).focus()
        await pilot.press(*"0.5", "enter")
        await pilot.pause()
        assert app.screen.review_filter == ReviewFilter(discipline="Chemistry", min_score=0.5)
        assert "1 / 1" in str(app.screen.query_one("#review-filter", Static).render())
        assert "chemistry question" in card_question(app)


async def test_bulk_accept_over_the_filter_after_confirmation(tmp_path):
    folder = tmp_path / "lib"
    ids = make_library(folder, count=3)
    with Library(folder) as library:
        add_question(library, status="rejected")
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen" and "all 3 questions" in app.screen.question
        await pilot.press("n")  # declined: nothing changes
        await pilot.pause()
        assert {status for status, _ in statuses(folder).values()} == {"draft", "rejected"}
        await pilot.press("A", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = statuses(folder)
        assert [after[i][0] for i in ids] == ["accepted"] * 3
        assert sorted(status for status, _ in after.values()) == ["accepted"] * 3 + ["rejected"]
        assert "No questions match" in card_question(app)
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [statuses(folder)[i][0] for i in ids] == ["draft"] * 3


async def test_an_edit_is_saved_and_a_bad_one_is_explained(tmp_path):
    folder = tmp_path / "lib"
    [question_id] = make_library(folder, count=1)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert screen.__class__.__name__ == "EditQuestionScreen"
        screen.query_one("#edit-answer", Input).value = "Q"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and "not one of the option letters" in str(screen.query_one("#edit-error").render())
        screen.query_one("#edit-question", TextArea).text = "What is the resistance of a 2.0 m copper wire carrying 3.0 A at 0.6 V?"
        screen.query_one("#edit-answer", Input).value = "d"
        screen.query_one("#edit-rationale", TextArea).text = "R = V / I."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewScreen"
        assert "2.0 m copper wire" in card_question(app)
    with Library(folder) as library:
        row = library.query("SELECT question, answer, rationale FROM questions WHERE id = ?", [question_id])[0]
        assert row == {
            "question": "What is the resistance of a 2.0 m copper wire carrying 3.0 A at 0.6 V?",
            "answer": "D",
            "rationale": "R = V / I.",
        }


def add_paper(folder, sections: int, letter: str = "a", title: str = "Heat in thin films") -> None:
    with Library(folder) as library:
        library.add_paper(
            PaperRecord(
                id=letter * 64,
                status="ok",
                filename=f"{letter}.pdf",
                source_path=f"/{letter}.pdf",
                size_bytes=1,
                pages=2,
                title=title,
                abstract="Films conduct heat.",
                sections=[SectionRecord("abstract", "Abstract", "Films conduct heat.")]
                + [SectionRecord("methods", f"Methods {n}", BODY) for n in range(sections)],
            ),
            stored_path=None,
        )


def mcq(number: int) -> str:
    return json.dumps(
        {
            "question": f"Film {number} is 100 nm thick with a conductivity of 1.4 W/m/K. Which value is its conductivity?",
            "options": ["1.4 W/m/K", "2.8 W/m/K", "0.7 W/m/K", "14 W/m/K"],
            "answer": "A",
            "rationale": "Stated.",
        }
    )


async def test_generate_with_a_fake_model_stores_questions_and_shows_progress(tmp_path, monkeypatch):
    folder = tmp_path / "lib"
    add_paper(folder, sections=3)
    backend = FakeBackend([mcq(0), "not json", mcq(1), mcq(2)])
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: backend))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#generate-start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        progress = str(app.screen.query_one("#generate-progress", Static).render())
        assert "windows 3/3" in progress and "questions 3" in progress and "questions/min" in progress
        assert "Finished: 3 new questions" in str(app.screen.query_one("#generate-status", Static).render())
    with Library(folder) as library:
        assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 3


async def test_a_model_that_fails_to_load_is_a_notification(tmp_path, monkeypatch):
    folder = tmp_path / "lib"
    add_paper(folder, sections=1)

    def broken(library, model):
        raise FileNotFoundError("model.gguf is missing")

    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(broken))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert any("model.gguf is missing" in message and "Models screen" in message for message in messages)
        assert not app.screen.query_one("#generate-start").disabled


class GatedBackend(FakeBackend):
    """Answers the first request at once, then waits to be released, so a test can cancel mid-run."""

    def __init__(self, replies):
        super().__init__(replies)
        self.asked_twice = threading.Event()
        self.release = threading.Event()

    def _next(self, prompt):
        if len(self.prompts) >= 1:
            self.asked_twice.set()
            self.release.wait(10)
        return super()._next(prompt)


async def test_cancel_stops_the_run_and_keeps_finished_windows(tmp_path, monkeypatch):
    folder = tmp_path / "lib"
    add_paper(folder, sections=4)
    backend = GatedBackend([mcq(n) for n in range(4)])
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: backend))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#kind-mcq", Checkbox).value = True
        await pilot.click("#generate-start")
        assert await asyncio.to_thread(backend.asked_twice.wait, 10)
        await pilot.click("#generate-cancel")
        backend.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Cancelled" in str(app.screen.query_one("#generate-status", Static).render())
    with Library(folder) as library:
        assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 2
        assert library.query("SELECT count(*) AS n FROM jobs WHERE status = 'pending'")[0]["n"] == 2


class SlowBackend(FakeBackend):
    """Takes a minute per reply unless cancelled, like a large model on a slow CPU."""

    def __init__(self, replies):
        super().__init__(replies, delay=60.0)
        self.thinking = threading.Event()

    def _think(self, cancel):
        self.thinking.set()
        super()._think(cancel)


async def test_generate_cancel_stops_the_reply_in_flight_without_waiting_for_it(tmp_path, monkeypatch):
    folder = tmp_path / "lib"
    add_paper(folder, sections=2)
    backend = SlowBackend([mcq(n) for n in range(2)])
    monkeypatch.setattr(GenerateScreen, "backend_factory", staticmethod(lambda library, model: backend))
    app = PapergymApp(folder, start="generate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#kind-mcq", Checkbox).value = True
        await pilot.click("#generate-start")
        assert await asyncio.to_thread(backend.thinking.wait, 10)
        await pilot.click("#generate-cancel")
        started = time.monotonic()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.monotonic() - started < 10  # not the minute the reply would have taken
        assert "Cancelled" in str(app.screen.query_one("#generate-status", Static).render())
    with Library(folder) as library:
        assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 0
        assert library.query("SELECT status, attempts, error FROM jobs") == [{"status": "pending", "attempts": 0, "error": None}] * 2


async def test_bulk_reject_keeps_decisions_made_meanwhile_and_undo_puts_each_question_back(tmp_path):
    from papergym.core.questions.review import decide

    folder = tmp_path / "lib"
    ids = make_library(folder, count=6)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 / 6" in str(app.screen.query_one("#review-filter", Static).render())
        with Library(folder) as cli:  # with the app open, another process decides two of the listed questions
            decide(cli, [ids[1]], "accepted")
            decide(cli, [ids[2]], "rejected", "wrong key")
        await pilot.press("a")  # the app accepts the first card
        await pilot.pause()
        decided_meanwhile = {question_id: statuses(folder)[question_id] for question_id in ids[:3]}
        assert decided_meanwhile == {ids[0]: ("accepted", None), ids[1]: ("accepted", None), ids[2]: ("rejected", "wrong key")}

        await pilot.press("X")
        await pilot.pause()
        assert "all 3 questions" in app.screen.how_many  # the filter as it is now, not the 6 read at opening
        await pilot.press(*"too easy", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = statuses(folder)
        assert {question_id: after[question_id] for question_id in ids[:3]} == decided_meanwhile
        assert [after[question_id] for question_id in ids[3:]] == [("rejected", "too easy")] * 3

        await pilot.press("u")  # undoes the bulk rejection only
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = statuses(folder)
        assert {question_id: after[question_id] for question_id in ids[:3]} == decided_meanwhile
        assert [after[question_id] for question_id in ids[3:]] == [("draft", None)] * 3
        await pilot.press("u")  # then the app's own accept
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert statuses(folder)[ids[0]] == ("draft", None)
        assert statuses(folder)[ids[1]] == ("accepted", None)


async def test_bulk_accept_over_any_status_asks_before_overwriting_decisions_made_meanwhile(tmp_path):
    from papergym.core.questions.review import decide

    folder = tmp_path / "lib"
    ids = make_library(folder, count=4)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.load(ReviewFilter(status=""))
        with Library(folder) as cli:
            decide(cli, [ids[2]], "rejected", "off topic")
        await pilot.press("A")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "BulkConfirmScreen"
        assert "1 of them was decided since" in app.screen.question
        await pilot.press("y")  # the default leaves it
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert statuses(folder)[ids[2]] == ("rejected", "off topic")
        assert [statuses(folder)[i][0] for i in (ids[0], ids[1], ids[3])] == ["accepted"] * 3

        app.screen.load(ReviewFilter(status=""))
        with Library(folder) as cli:
            decide(cli, [ids[0]], "rejected", "duplicate")
        await pilot.press("X", "enter")
        await pilot.pause()
        await pilot.press("i")  # include the question decided meanwhile
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert {status for status, _ in statuses(folder).values()} == {"rejected"}
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert statuses(folder)[ids[0]] == ("rejected", "duplicate")
        assert statuses(folder)[ids[2]] == ("rejected", "off topic")
        assert statuses(folder)[ids[1]] == ("accepted", None)


async def test_questions_written_while_review_is_open_appear_when_the_user_comes_back_to_it(tmp_path):
    folder = tmp_path / "lib"
    first = make_library(folder, count=1)
    app = PapergymApp(folder, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 / 1" in str(app.screen.query_one("#review-filter", Static).render())
        with Library(folder) as other_process:  # `papergym generate` in another terminal
            add_question(other_process, question="Which metal conducts heat best at room temperature?")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert "1 / 2" in str(app.screen.query_one("#review-filter", Static).render())
        assert app.screen.current["id"] == first[0]  # the card in front stays where it was
        await pilot.press("s")
        await pilot.pause()
        assert "Which metal conducts heat best" in card_question(app)
