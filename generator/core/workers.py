"""Forked worker processes for the steps that spread schools over the CPUs (validating,
evaluating, writing their pages): the one way xiaoan forks.

Each task runs in a process forked for it alone, which exits when the task is done: what it
unpacked (see :class:`generator.core.load.Document`) or copied from the main process on writing
(copy-on-write: reading a Python object writes its reference count) leaves with it, and the
task function needs no pickling (a closure or a bound method will do). Tasks are therefore
few and large: a fork costs tens of milliseconds.

Every fork happens in the calling thread, between results. A pool that forks replacement
workers from a thread of its own can fork while the main thread is starting a subprocess:
the new worker inherits the half-made child's error pipe, or a lock held by the other
thread, and the build hangs for ever (seen here: Pagefind started while a
``Pool(maxtasksperchild=1)`` replaced a worker).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 4
TASKS_PER_WORKER = 4  # enough to even out, few enough that forking costs little
MIN_TASK = 250  # items
PARALLEL_FROM = 400
"""With fewer items than this, a step runs in this process: forking costs more than it saves."""


class WorkerError(RuntimeError):
    """A task failed in its worker; the message holds the worker's traceback."""


def cpus() -> int:
    """The CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def available() -> int:
    """How many workers to use: the CPUs this process may use, up to :data:`MAX_WORKERS`;
    1 where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(cpus(), MAX_WORKERS))


def split(items: Sequence[T], jobs: int) -> list[Sequence[T]]:
    """``items`` in consecutive tasks, a few per worker, none smaller than :data:`MIN_TASK`."""
    size = max(MIN_TASK, -(-len(items) // (jobs * TASKS_PER_WORKER)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def map_forked(fn: Callable[[T], R], tasks: Sequence[T], jobs: int) -> Iterator[tuple[int, R]]:
    """``fn(task)`` for each task, each in a process forked for it, at most ``jobs`` at a time;
    yields ``(index, result)`` as each finishes. The first ``jobs`` are forked at once, so the
    caller can do other work before asking for the first result. A task that raises raises
    the same exception here; a worker that dies raises :class:`WorkerError`; either way the
    other workers are stopped."""
    pending = iter(enumerate(tasks))
    running: dict[Connection, tuple[int, multiprocessing.process.BaseProcess]] = {}
    context = multiprocessing.get_context("fork")
    gc.freeze()  # objects made so far are never collected in a worker: fewer copied pages

    def start() -> None:
        for index, task in pending:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_run, args=(fn, task, send), daemon=True)
            process.start()
            send.close()
            running[receive] = (index, process)
            return

    for _ in range(max(1, jobs)):
        start()

    def results() -> Iterator[tuple[int, R]]:
        try:
            while running:
                for conn in wait(list(running)):
                    index, process = running.pop(conn)  # type: ignore[arg-type]
                    try:
                        ok, value = conn.recv()  # type: ignore[union-attr]
                    except EOFError:
                        process.join()
                        raise WorkerError(
                            f"工作进程意外退出(退出码 {process.exitcode})"
                        ) from None
                    finally:
                        conn.close()  # type: ignore[union-attr]
                    process.join()
                    if not ok:
                        raise value
                    start()
                    yield index, value
        finally:
            for conn, (_, process) in running.items():
                process.kill()
                process.join()
                conn.close()
            running.clear()
            gc.unfreeze()

    return results()


def _run(fn: Callable[[T], R], task: T, send: Connection) -> None:
    """Run one task and send back its result, or the exception it raised, so the parent
    raises the same one (an OSError of a full disk stays an OSError the command reports in
    one Chinese line); the worker's traceback travels as a note on it."""
    try:
        result: tuple[bool, Any] = (True, fn(task))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        exc.add_note(f"在工作进程中:\n{traceback.format_exc()}")
        result = (False, exc)
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot travel: its text does
            result = (False, WorkerError(traceback.format_exc()))
    send.send(result)
    send.close()


def map_chunks(
    fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int | None = None
) -> list[R]:
    """``fn`` over ``items`` a chunk at a time, results in order: here, in one chunk, with
    fewer than :data:`PARALLEL_FROM` items or fewer than two ``jobs`` (default: one per CPU,
    up to :data:`MAX_WORKERS`); else in chunks (:func:`split`) in forked workers."""
    jobs = available() if jobs is None else jobs
    if jobs < 2 or len(items) < PARALLEL_FROM:
        return fn(items)
    parts = split(items, jobs)
    done = dict(map_forked(fn, parts, jobs))
    return [result for index in range(len(parts)) for result in done[index]]
