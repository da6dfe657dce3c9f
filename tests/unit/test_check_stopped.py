"""A `check` stopped by Ctrl-C or kill -9 never leaves a question whose status disagrees with its stored verdicts."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

from papergym.core.library import Library
from papergym.core.llm.backend import Completion, FakeBackend
from papergym.core.quality.pipeline import CheckSettings, run_checks

from tests.questions import GOOD, add_question

NO = Completion(text=" no", top_logprobs=[{" no": math.log(0.9), " yes": math.log(0.05)}])


def disagreements(library: Library) -> list[tuple[str, str, str]]:
    """(question, status, what its verdicts say) for every open question whose status does not follow its checks."""
    wrong = []
    for row in library.query("SELECT id, status FROM questions WHERE status IN ('draft', 'passed', 'flagged', 'dropped')"):
        verdicts = {check["status"] for check in library.query("SELECT status FROM checks WHERE question_id = ?", [row["id"]])}
        expected = "dropped" if "drop" in verdicts else "flagged" if "flag" in verdicts else "passed" if verdicts else "draft"
        if row["status"] != expected:
            wrong.append((row["id"], row["status"], expected))
    return wrong


def add_questions(library: Library, count: int = 5) -> None:
    for index in range(count):
        add_question(library, f"{GOOD} Variant {index} asks about a wire of {index + 2} metres.")


def test_ctrl_c_in_the_middle_of_a_step_leaves_statuses_true(library):
    add_questions(library)
    run_checks(library, CheckSettings(steps=("validate",)))
    assert {row["status"] for row in library.query("SELECT status FROM questions")} == {"passed"}
    judge = FakeBackend([NO] * 5)

    def interrupt_after_two(progress) -> None:
        if progress.done == 2:
            raise KeyboardInterrupt

    report = run_checks(
        library, CheckSettings(steps=("score",), score_threshold=0.0), open_models=lambda: ([judge], judge), on_progress=interrupt_after_two
    )
    assert report.cancelled
    assert library.query("SELECT count(*) AS n FROM checks WHERE step = 'score'")[0]["n"] == 2
    assert disagreements(library) == []
    assert library.query("SELECT count(*) AS n FROM questions WHERE status = 'flagged'")[0]["n"] == 2


def test_kill_9_in_the_middle_of_a_step_leaves_statuses_true(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        add_questions(library)
        run_checks(library, CheckSettings(steps=("validate",)))
    script = textwrap.dedent(
        f"""
        import math, os
        from papergym.core.library import Library
        from papergym.core.llm.backend import Completion, FakeBackend
        from papergym.core.quality.pipeline import CheckSettings, run_checks

        no = Completion(text=" no", top_logprobs=[{{" no": math.log(0.9), " yes": math.log(0.05)}}])
        judge = FakeBackend([no] * 5)

        def die_after_three(progress):
            if progress.done == 3:
                os._exit(9)  # as kill -9: no cleanup, no finally

        run_checks(Library({str(folder)!r}), CheckSettings(steps=("score",)), open_models=lambda: ([judge], judge),
                   on_progress=die_after_three)
        """
    )
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert died.returncode == 9, died.stderr
    with Library(folder) as library:
        assert library.query("SELECT count(*) AS n FROM checks WHERE step = 'score'")[0]["n"] == 3
        assert disagreements(library) == []
