"""Tests for generator/core/workers.py: how work is split into tasks, and the one way xiaoan forks."""

from __future__ import annotations

import os
import subprocess

import pytest

from generator.core import workers

needs_fork = pytest.mark.skipif(workers.available() < 2, reason="one CPU, or no fork")


def test_tasks_are_few_and_large():
    sizes = lambda n: [len(part) for part in workers.split(range(n), 2)]  # noqa: E731
    assert sizes(100) == [100]  # small trees: one task
    assert sizes(2_000) == [250] * 8
    assert sizes(20_000) == [2_500] * 8  # 8 tasks: 4 forks per worker
    assert sizes(20_001) == [2_501] * 7 + [2_494]  # rounded up: never a ninth, tiny task


@needs_fork
def test_each_task_runs_in_a_fresh_process_and_results_say_which_task():
    parent = os.getpid()
    done = dict(workers.map_forked(lambda n: (n * n, os.getpid()), range(6), 2))
    assert sorted(done) == list(range(6))
    assert [done[n][0] for n in range(6)] == [n * n for n in range(6)]
    pids = {pid for _, pid in done.values()}
    assert len(pids) == 6 and parent not in pids


@needs_fork
def test_a_subprocess_started_between_results_never_hangs():
    """A pool forking from its own thread once hung a build for good: Pagefind was started
    while a worker was being replaced. Here every fork is in this thread."""
    for _ in workers.map_forked(lambda n: n, range(40), 2):
        assert subprocess.run(["true"], timeout=30).returncode == 0


@needs_fork
def test_a_failing_task_raises_its_own_exception_with_the_workers_traceback():
    """An OSError of a full disk in a page writer must stay an OSError: the command turns it
    into one Chinese line, not a traceback."""
    import errno

    def task(n):
        if n == 2:
            raise OSError(errno.ENOSPC, "No space left on device", "site/x.html")
        return n

    with pytest.raises(OSError) as caught:
        list(workers.map_forked(task, range(8), 2))
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, "site/x.html")
    assert "在工作进程中" in caught.value.__notes__[0] and "task" in caught.value.__notes__[0]


@needs_fork
def test_an_exception_that_cannot_travel_comes_back_as_its_text():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def task(n):
        raise Local("本地异常")

    with pytest.raises(workers.WorkerError, match="本地异常"):
        list(workers.map_forked(task, range(2), 2))


@needs_fork
def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(workers.WorkerError, match="退出码 7"):
        list(workers.map_forked(lambda n: os._exit(7), range(3), 2))


@needs_fork
def test_map_chunks_keeps_order_forked_or_not(monkeypatch):
    items = list(range(1_000))
    doubled = [i * 2 for i in items]
    assert workers.map_chunks(lambda c: [i * 2 for i in c], items, jobs=1) == doubled
    assert workers.map_chunks(lambda c: [i * 2 for i in c], items, jobs=2) == doubled
    pids = workers.map_chunks(lambda c: [os.getpid()] * len(c), items, jobs=2)
    assert os.getpid() not in pids and len(set(pids)) == 4  # 1,000 / 250
    small = workers.map_chunks(lambda c: [os.getpid()] * len(c), items[:10], jobs=2)
    assert set(small) == {os.getpid()}  # under PARALLEL_FROM: here
