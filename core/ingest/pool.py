"""Run a function over many inputs in worker processes that can be killed.

Untrusted files go through this: each task runs in a separate process with a
memory ceiling and two deadlines, so a file that hangs, crashes the parser or
eats memory costs one worker (which is replaced), never the caller.

The two deadlines: a task that reports no progress for ``timeout`` seconds is
stopped (a page that hangs the parser), and so is one that runs past its
total allowance (``timeout`` plus what the task asked for once it knew its
size). A long paper read on a busy machine is slow but moving, and only the
first deadline would wrongly stop it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

POLL_SECONDS = 0.2


@dataclass
class Outcome:
    """The end of one task: its value, or why there is none."""

    key: Hashable
    ok: bool
    value: Any = None
    reason: str | None = None
    seconds: float = 0.0


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _limit_memory(limit_bytes: int | None) -> None:
    if not limit_bytes:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the deadline still protects the caller


class TaskClock:
    """What a task tells the parent about its time, from inside its worker."""

    def __init__(self, conn: Connection | None = None, key: Hashable = None) -> None:
        self._conn = conn
        self._key = key

    def allow(self, seconds: float) -> None:
        """Add seconds to the task's total allowance, once it knows how big its input is."""
        if self._conn is not None:
            self._conn.send(("extend", self._key, seconds))

    def progress(self, where: str) -> None:
        """Say that the task is still moving (``where``: "reading page 3 of 40"), which restarts its stall deadline."""
        if self._conn is not None:
            self._conn.send(("progress", self._key, where))


def _worker_main(conn: Connection, target: Callable, memory_limit_bytes: int | None) -> None:
    # The parent owns Ctrl-C: it stops the workers itself, so they must not die mid-reply.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_limit_bytes)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if task is None:
            return
        key, args = task

        try:
            value = target(*args, clock=TaskClock(conn, key))
            reply = ("ok", key, value)
        except MemoryError:
            reply = ("error", key, "ran out of memory")
        except Exception as error:
            reply = ("error", key, f"{type(error).__name__}: {error}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, context: Any, target: Callable, memory_limit_bytes: int | None) -> None:
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child_conn, target, memory_limit_bytes), daemon=True)
        self.process.start()
        child_conn.close()
        self.key: Hashable | None = None
        self.started = 0.0
        self.timeout = 0.0
        self.deadline = 0.0  # the total allowance
        self.stall_deadline = 0.0  # the last progress plus the timeout
        self.where: str | None = None  # the last progress the task reported

    @property
    def busy(self) -> bool:
        return self.key is not None

    def assign(self, key: Hashable, args: tuple, timeout: float) -> None:
        self.key = key
        self.started = time.monotonic()
        self.timeout = timeout
        self.deadline = self.stall_deadline = self.started + timeout
        self.where = None
        self.conn.send((key, args))

    def next_deadline(self) -> float:
        return min(self.deadline, self.stall_deadline)

    def overdue_reason(self, seconds: float) -> str:
        """Why a task past one of its deadlines was stopped."""
        if self.stall_deadline <= self.deadline:
            where = f" ({self.where})" if self.where else ""
            return f"made no progress for {self.timeout:.0f} s{where} and was stopped after {seconds:.0f} s"
        return f"took longer than {seconds:.0f} s, its limit for its size, and was stopped"

    def finish(self) -> tuple[Hashable, float]:
        key, seconds = self.key, time.monotonic() - self.started
        self.key = None
        return key, seconds

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        hint = ", probably out of memory" if number == signal.SIGKILL else ""
        return f"crashed the reader process (signal {name}{hint})"
    return f"crashed the reader process (exit code {exitcode})"


def run_isolated(
    target: Callable,
    tasks: Iterable[tuple[Hashable, tuple]],
    *,
    workers: int | None = None,
    timeout: float = 60.0,
    memory_limit_bytes: int | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Outcome]:
    """Yield an Outcome per task as tasks finish, running ``target(*args, clock=TaskClock)`` in workers.

    ``tasks`` is consumed lazily, one task whenever a worker is free. A task
    may call ``clock.allow(seconds)`` once it knows how big its input is, and
    ``clock.progress(where)`` as it goes, each of which restarts its
    ``timeout``-second stall deadline.
    Stopping the iteration (or setting ``cancel``) kills the busy workers.
    """
    context = multiprocessing.get_context("spawn")
    task_iter = iter(tasks)
    exhausted = False
    pool: list[_Worker] = []
    limit = workers or default_workers()

    def hand_out() -> list[Outcome]:
        # Each idle worker takes the next task, starting workers lazily up to the limit. A task that cannot be sent
        # (its worker died while idle) fails alone; another worker is started for the rest.
        nonlocal exhausted
        unsent: list[Outcome] = []
        pool[:] = [w for w in pool if w.busy or w.process.is_alive()]
        while not exhausted:
            idle = next((w for w in pool if not w.busy), None)
            if idle is None and len(pool) < limit:
                idle = _Worker(context, target, memory_limit_bytes)
                pool.append(idle)
            if idle is None:
                break
            try:
                key, args = next(task_iter)
            except StopIteration:
                exhausted = True
                break
            try:
                idle.assign(key, args, timeout)
            except OSError:
                key, seconds = idle.finish()
                idle.kill()
                pool.remove(idle)
                unsent.append(Outcome(key, False, reason=_death_reason(idle.process.exitcode), seconds=seconds))
        return unsent

    try:
        while True:
            if cancel is not None and cancel.is_set():
                return
            yield from hand_out()
            busy = [w for w in pool if w.busy]
            if not busy:
                return
            now = time.monotonic()
            wait_for = max(0.0, min(min(w.next_deadline() for w in busy) - now, POLL_SECONDS))
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for))
            finished: list[Outcome] = []
            for worker in busy:
                outcome = None
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome = _collect(worker)
                elif time.monotonic() > worker.next_deadline():
                    reason = worker.overdue_reason(time.monotonic() - worker.started)
                    key, seconds = worker.finish()
                    outcome = Outcome(key, False, reason=reason, seconds=seconds)
                    worker.kill()
                if outcome is None:
                    continue
                if not worker.process.is_alive() or worker.conn.closed:
                    pool.remove(worker)
                    if not worker.conn.closed:
                        worker.kill()
                finished.append(outcome)
            # The freed workers start on their next files before the caller stores these: storing one (a copy of
            # the file and a commit) would otherwise leave a worker idle for as long.
            # What the next task's preparation raises (the caller's task source: a busy library, Ctrl-C while a file
            # is hashed) comes after the finished ones are handed over, so none of them is lost.
            error: BaseException | None = None
            if finished and not (cancel is not None and cancel.is_set()):
                try:
                    finished += hand_out()
                except BaseException as raised:
                    error = raised
            yield from finished
            if error is not None:
                raise error
    finally:
        for worker in pool:
            if worker.busy:
                worker.kill()
            else:
                worker.stop()


def _collect(worker: _Worker) -> Outcome | None:
    """Read what a worker said; None if it only reported on its time."""
    try:
        while worker.conn.poll():
            kind, key, payload = worker.conn.recv()
            if kind == "extend":
                worker.deadline += float(payload)
                continue
            if kind == "progress":
                worker.where = str(payload)
                worker.stall_deadline = time.monotonic() + worker.timeout
                continue
            key, seconds = worker.finish()
            if kind == "ok":
                return Outcome(key, True, value=payload, seconds=seconds)
            return Outcome(key, False, reason=payload, seconds=seconds)
    except (EOFError, OSError):
        pass
    if worker.process.is_alive():
        return None
    worker.process.join(timeout=1)
    key, seconds = worker.finish()
    reason = _death_reason(worker.process.exitcode)
    worker.kill()
    return Outcome(key, False, reason=reason, seconds=seconds)
