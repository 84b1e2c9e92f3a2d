"""Tests for generator/workers.py: how schools are split into tasks for forked workers."""

from __future__ import annotations

import os

import pytest

from generator import workers


def test_tasks_are_few_and_large():
    assert workers.task_size(100, 2) == workers.MIN_TASK  # small trees: one or two tasks
    assert workers.task_size(2_000, 2) == 250
    assert workers.task_size(20_000, 2) == 2_500  # 8 tasks: 4 forks per worker
    assert workers.task_size(20_001, 2) == 2_501  # rounded up: never a ninth, tiny task


def test_a_pool_replaces_each_worker_after_one_task():
    if workers.available() < 2:
        pytest.skip("one CPU, or no fork: no worker processes")
    with workers.pool(2) as pool:
        pids = pool.map(_pid, range(6), chunksize=1)
    assert len(set(pids)) == 6 and os.getpid() not in pids


def _pid(_: int) -> int:
    return os.getpid()
