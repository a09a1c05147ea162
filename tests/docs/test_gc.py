"""Drift pauses the cyclic collector while it builds, and leaves no cycles behind (a cycle
would keep the whole site and every finding alive until the collector's next full pass)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from bench.drift import make_site
from bot.docs import tree as tree_module
from bot.docs.inputs import find_inputs, run_drift
from bot.docs.tree import GitTree, WorkTree
from bot.gcpause import gc_paused


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds it
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_runs_again_only_when_the_last_thread_is_done() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread still holds it
    release.set()
    t.join()
    assert gc.isenabled()


def test_drift_leaves_no_reference_cycles(tmp_path: Path) -> None:
    make_site(tmp_path, 20)
    tree_module._LISTINGS.clear()
    gc.collect()
    gc.disable()
    try:
        tree = GitTree(tmp_path, "HEAD")
        report = run_drift(tree, find_inputs(tree, env={}), env={})
        assert report.findings
        del report, tree
        tree_module._LISTINGS.clear()
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_drift_reads_and_builds_with_the_collector_paused(tmp_path: Path) -> None:
    make_site(tmp_path, 3)
    seen: list[bool] = []

    class Watched(WorkTree):
        def read(self, path: str) -> bytes | None:
            seen.append(gc.isenabled())
            return super().read(path)

    tree = Watched(tmp_path)
    inputs = find_inputs(tree, env={})
    seen.clear()
    run_drift(tree, inputs, env={})
    assert seen and not any(seen)
    assert gc.isenabled()
