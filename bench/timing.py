"""Timing helpers shared by the bench scripts."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs of `fn`, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_cpu(fn: Callable[[], object], repeat: int) -> float:
    """Like `best`, in CPU seconds of this process: on a shared machine the wall clock
    also counts the time spent waiting for a core, which says nothing of the code."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def best_child_cpu(fn: Callable[[], object], repeat: int) -> float:
    """Like `best_cpu` for `fn` that runs a child process: its CPU seconds (user + system),
    as the kernel counts them for waited-for children."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        fn()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)
