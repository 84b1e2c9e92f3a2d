"""Forked worker processes for the steps that spread schools over the CPUs (evaluating them,
writing their pages).

A worker is forked for each task and exits when it is done (``maxtasksperchild=1``): what it
unpacked (see :class:`generator.load.Document`) or copied from the main process on writing
(copy-on-write: reading a Python object writes its reference count) leaves with it. With
long-lived workers each one ended up holding a copy of half the city's dossiers: 20,000
schools took 3.2 GB over the process tree. Tasks are therefore few and large: a fork costs
tens of milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.pool import Pool

MAX_WORKERS = 4
TASKS_PER_WORKER = 4  # enough to even out, few enough that forking costs little
MIN_TASK = 250  # schools


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


def task_size(items: int, workers: int) -> int:
    """How many schools one task takes."""
    return max(MIN_TASK, -(-items // (workers * TASKS_PER_WORKER)))


def pool(workers: int) -> Pool:
    """A pool of ``workers`` forked processes, each replaced after one task."""
    return multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1)
