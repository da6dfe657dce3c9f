import threading
import time

import pytest
from papergym.core.ingest.pool import run_isolated

from tests.unit import pool_targets


def _run(tasks, **options):
    return {outcome.key: outcome for outcome in run_isolated(pool_targets.dispatch, tasks, **options)}


def test_results_come_back_for_every_task():
    outcomes = _run([(n, ("square", n)) for n in range(6)], workers=2)
    assert {key: o.value for key, o in outcomes.items()} == {n: n * n for n in range(6)}


def test_a_hanging_task_is_killed_and_the_others_finish():
    started = time.monotonic()
    outcomes = _run(
        [("hang", ("sleep_then_return", 30)), ("a", ("square", 3)), ("b", ("square", 4))],
        workers=2,
        timeout=1.5,
    )
    assert time.monotonic() - started < 15
    assert not outcomes["hang"].ok and "made no progress for 2 s" in outcomes["hang"].reason
    assert outcomes["a"].value == 9 and outcomes["b"].value == 16


def test_progress_alone_does_not_extend_the_total_allowance():
    started = time.monotonic()
    outcomes = _run([("slow", ("crawl_with_progress", 40, 0.4))], workers=1, timeout=1.5)
    assert time.monotonic() - started < 10
    assert not outcomes["slow"].ok and "its limit for its size" in outcomes["slow"].reason


def test_a_task_stalled_after_progress_names_where_it_stopped():
    started = time.monotonic()
    outcomes = _run([("stuck", ("progress_then_hang",))], workers=1, timeout=1.0)
    assert time.monotonic() - started < 10
    assert not outcomes["stuck"].ok
    assert "made no progress for 1 s (step 2 of 3)" in outcomes["stuck"].reason


def test_allow_gives_a_big_task_more_time():
    # The allowance grows but the stall deadline does not: a task that reports no progress still stops at the timeout.
    outcomes = _run([("big", ("sleep_with_extension", 2.0, 5.0))], workers=1, timeout=1.0)
    assert not outcomes["big"].ok and "made no progress" in outcomes["big"].reason
    outcomes = _run([("big", ("crawl_with_extension", 5, 0.4, 5.0))], workers=1, timeout=1.0)
    assert outcomes["big"].ok and outcomes["big"].value == "done"


def test_a_crash_fails_one_task_and_the_pool_goes_on():
    outcomes = _run([("crash", ("crash",))] + [(n, ("square", n)) for n in range(4)], workers=1)
    assert not outcomes["crash"].ok and "SIGSEGV" in outcomes["crash"].reason
    assert [outcomes[n].value for n in range(4)] == [0, 1, 4, 9]


def test_memory_limit_stops_a_hog():
    outcomes = _run([("hog", ("hog_memory", 3000)), ("ok", ("square", 2))], workers=1, memory_limit_bytes=1024**3)
    assert not outcomes["hog"].ok and "memory" in outcomes["hog"].reason
    assert outcomes["ok"].value == 4


def test_an_exception_is_the_task_reason():
    outcomes = _run([("bad", ("raise_error",))], workers=1)
    assert outcomes["bad"].reason == "ValueError: bad input"


def test_cancel_stops_before_all_tasks_ran():
    cancel = threading.Event()
    seen = []
    for outcome in run_isolated(pool_targets.dispatch, [(n, ("sleep_then_return", 0.3)) for n in range(20)], workers=2, cancel=cancel):
        seen.append(outcome.key)
        cancel.set()
    assert 1 <= len(seen) < 20


def test_a_freed_worker_starts_its_next_task_while_the_caller_handles_an_outcome():
    # The importer stores each outcome (a file copy and a commit) before it asks for the next: the worker that gave
    # it must already be reading the next file meanwhile, not wait for the store to finish.
    outcomes = run_isolated(pool_targets.dispatch, [("a", ("sleep_then_return", 0.5)), ("b", ("sleep_then_return", 0.5))], workers=1)
    first = next(outcomes)
    time.sleep(1.0)  # the caller storing the first outcome
    handled = time.monotonic()
    second = next(outcomes)
    outcomes.close()
    assert (first.key, second.key) == ("a", "b")
    assert time.monotonic() - handled < 0.3


def test_outcomes_already_finished_reach_the_caller_before_an_error_of_the_task_source():
    def tasks():
        yield "a", ("sleep_then_return", 0.2)
        yield "b", ("sleep_then_return", 1.0)
        raise OSError("the library is busy")

    seen = []
    with pytest.raises(OSError, match="busy"):
        for outcome in run_isolated(pool_targets.dispatch, tasks(), workers=2):
            seen.append(outcome.key)
    assert seen == ["a"]
