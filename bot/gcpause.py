"""The cyclic garbage collector paused around work that builds many objects and frees none.

Docs drift on a big site makes a few objects per nav entry, page and cell (~100,000) and
keeps them all to the end: the collector's passes walk them again and again and find no
garbage (a quarter of the drift's CPU time on 10,000 pages). Reference counting still frees
everything; only cycles wait for the collector, which runs again once no caller holds it.
Threads share the collector, so it is paused from the first caller to the last one's end.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
