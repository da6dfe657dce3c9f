"""A generation run killed with SIGKILL resumes without losing or duplicating questions."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

from papergym.core.generation.run import GenerateSettings, run_generation
from papergym.core.library import Library
from papergym.core.llm.backend import FakeBackend

from tests.unit.test_generate import add_paper

WORKER = textwrap.dedent(
    """
    import itertools, json, sys
    from papergym.core.generation.run import GenerateSettings, run_generation
    from papergym.core.library import Library
    from papergym.core.llm.backend import FakeBackend

    class Endless(FakeBackend):
        counter = itertools.count()
        def _next(self, prompt):
            from papergym.core.llm.backend import Completion
            import time
            time.sleep(0.15)
            number = next(self.counter)
            reply = {"question": f"Question number {number} about the conductivity of thin films?",
                     "options": ["1", "2", "3", "4"], "answer": "A", "rationale": "r"}
            return Completion(text=json.dumps(reply), completion_tokens=40)

    def progress(p):
        print(p.windows_done, flush=True)

    run_generation(Library(sys.argv[1]), Endless(), GenerateSettings(), on_progress=progress)
    """
)


def test_kill_nine_then_rerun_finishes_without_duplicates(tmp_path):
    library_dir = tmp_path / "lib"
    with Library(library_dir) as library:
        add_paper(library, "a" * 64, sections=12)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    process = subprocess.Popen([sys.executable, str(script), str(library_dir)], stdout=subprocess.PIPE, text=True)
    done = 0
    deadline = time.monotonic() + 60
    while done < 3 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        done = int(line)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 3 <= done < 12

    with sqlite3.connect(library_dir / "library.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finished = conn.execute("SELECT count(*) FROM jobs WHERE status = 'done'").fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM questions").fetchone()[0]
        assert finished >= done and stored == finished  # a window's questions land with its job, never apart

    replies = [
        json.dumps(
            {
                "question": f"Resumed question {n} on thin film conductivity?",
                "options": ["1", "2", "3", "4"],
                "answer": "A",
                "rationale": "r",
            }
        )
        for n in range(12)
    ]
    with Library(library_dir) as library:
        report = run_generation(library, FakeBackend(replies), GenerateSettings())
        assert report.windows_already_done == finished and report.windows_run == 12 - finished
        assert library.query("SELECT count(*) AS n FROM questions")[0]["n"] == 12
        assert library.query("SELECT count(*) AS n FROM jobs WHERE status = 'done'")[0]["n"] == 12
        assert library.query("SELECT count(*) AS n FROM question_fts")[0]["n"] == 12
