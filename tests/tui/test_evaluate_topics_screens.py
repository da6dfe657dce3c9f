"""The Evaluate screen shows an adapter's before/after from stored evals; Topics shows counts and an α preview."""

from __future__ import annotations

import json

import pytest
from papergym.core.library import Library
from papergym.tui.app.app import PapergymApp
from papergym.tui.app.screens.evaluate import EvaluateScreen
from papergym.tui.app.screens.topics import TopicsScreen

from tests.questions import add_question

SIZE = (140, 45)
pytestmark = pytest.mark.anyio


def add_eval(
    library: Library,
    eval_id: str,
    adapter: str | None,
    accuracy: float,
    extractable: float,
    mean_length: float,
    per_discipline: dict,
    created_at: str,
) -> None:
    config = {"model_path": "/models/gemma.gguf", "fingerprint": "abc", "max_new_tokens": 256, "engine": "llama.cpp"}
    with library.write() as db:
        db["evals"].insert(
            {
                "id": eval_id,
                "run_id": "run-1" if adapter else None,
                "model": "gemma3-270m",
                "adapter": adapter,
                "dataset": "validation",
                "questions": 40,
                "accuracy": accuracy,
                "extractable": extractable,
                "mean_length": mean_length,
                "per_discipline": json.dumps(per_discipline),
                "config": json.dumps(config),
                "created_at": created_at,
            }
        )


def cell_texts(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_evaluate_shows_base_and_adapter_side_by_side(tmp_path):
    library = Library(tmp_path / "lib")
    add_eval(
        library,
        "base0001",
        None,
        0.25,
        0.5,
        180.0,
        {"Physics": {"questions": 20, "accuracy": 0.2}, "Biology": {"questions": 20, "accuracy": 0.3}},
        "2026-01-01T00:00:00",
    )
    add_eval(
        library,
        "adapt001",
        "/lib/runs/run-1/adapter",
        0.45,
        0.9,
        120.0,
        {"Physics": {"questions": 20, "accuracy": 0.5}, "Biology": {"questions": 20, "accuracy": 0.4}},
        "2026-01-02T00:00:00",
    )
    library.close()
    app = PapergymApp(tmp_path / "lib", start="evaluate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EvaluateScreen)
        assert screen.query_one("#evals").row_count == 2
        rows = cell_texts(screen.query_one("#compare"))
        assert rows[0] == ["accuracy", "40", "25.0%", "45.0%", "+20.0 pt"]
        assert rows[1] == ["extractable", "40", "50.0%", "90.0%", "+40.0 pt"]
        assert rows[2] == ["mean length", "40", "180", "120", "-60"]
        assert screen.discipline_bars == {"Physics": (0.2, 0.5), "Biology": (0.3, 0.4)}


async def test_evaluate_without_an_adapter_eval_says_what_to_run(tmp_path):
    app = PapergymApp(tmp_path / "lib", start="evaluate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.comparison_rows == []
        assert "papergym eval --adapter" in str(app.screen.query_one("#compare-title").render())


def stock_topics(library: Library) -> None:
    with library.write() as db:
        for number, discipline in enumerate(["Physics", "Physics", "Biology"]):
            db["papers"].insert({"id": f"{number}" * 64, "status": "ok", "filename": f"p{number}.pdf", "discipline": discipline})
    for discipline, count in (("Physics", 30), ("Biology", 10)):
        for _ in range(count):
            question_id = add_question(library, status="accepted")
            with library.write() as db:
                db.execute("UPDATE questions SET discipline = ? WHERE id = ?", [discipline, question_id])


async def test_topics_shows_counts_and_the_alpha_preview_follows_alpha(tmp_path):
    library = Library(tmp_path / "lib")
    stock_topics(library)
    library.close()
    app = PapergymApp(tmp_path / "lib", start="topics")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TopicsScreen)
        table = screen.query_one("#topics")
        physics = [str(cell) for cell in table.get_row("Physics")]
        assert physics[1].startswith("2 ") and physics[2].startswith("30 ")
        assert screen.bars["papers"]["Physics"] == pytest.approx(200 / 3)

        alpha = screen.query_one("#alpha")
        alpha.value = "0"  # uniform: each discipline keeps as many as the smallest has
        await pilot.pause()
        assert {name: kept for name, kept in screen.preview.items() if kept} == {"Physics": 10, "Biology": 10}
        alpha.value = "1"  # the target: Physics 0.14 vs Biology 0.20, so Biology binds and Physics keeps 7
        await pilot.pause()
        assert {name: kept for name, kept in screen.preview.items() if kept} == {"Physics": 7, "Biology": 10}
        assert "keeps 17 of 40" in str(screen.query_one("#alpha-preview").render())

        alpha.value = "-2"
        await pilot.pause()
        assert screen.preview == {}
        assert "α must be a number of 0 or more" in str(screen.query_one("#alpha-preview").render())


def test_chart_labels_are_first_words_unless_they_collide():
    from papergym.tui.app.charts import short_names

    assert short_names(["Earth and Environmental Sciences", "Computer Science", "Physics"]) == ["Earth", "Computer", "Physics"]
    assert short_names(["Computer Science", "Computer Vision"]) == ["Computer Sc…", "Computer Vi…"]
