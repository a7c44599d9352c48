"""The indexing worker's loop: drain the outbox, wait with backoff while the engine is down.

No Flask here: the loop takes a function that drains one batch and commits (see
`lis.search_backend.drain_one`), so it runs the same under `lis worker` and in tests.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from search.interface import SearchUnavailable

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """Exponential backoff with jitter: `base`, 2×, 4× … up to `cap` seconds, each wait drawn
    between half and all of it, so that several workers do not all knock at the same moment."""

    base: float = 1.0
    cap: float = 60.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def ceiling(self) -> float:
        return min(self.cap, self.base * 2 ** max(0, self.failures - 1))

    def next_delay(self) -> float:
        self.failures += 1
        top = self.ceiling()
        return self.rng.uniform(top / 2, top)

    def reset(self) -> None:
        self.failures = 0


@dataclass
class WorkerState:
    """What the loop did, for logs and tests."""

    applied: int = 0
    batches: int = 0
    failures: int = 0
    down: bool = False
    transitions: list[str] = field(default_factory=list)


def run_worker(
    drain_one: Callable[[], tuple[int, bool]],
    *,
    stop: threading.Event,
    interval: float = 1.0,
    backoff: Backoff | None = None,
    once: bool = False,
    on_idle: Callable[[], None] | None = None,
) -> WorkerState:
    """Drain until `stop` is set (a signal handler sets it; the batch under way finishes).

    `drain_one()` applies one batch and commits it, returning (changes applied, whether it
    failed because the engine refused); it may also raise `SearchUnavailable` or a database
    error. A failure keeps the rows and waits with backoff; one log line says the engine went
    down and one that it is back, however long the outage. Nothing but `stop` ends the loop
    (and `once`: stop when there is nothing left or the engine refuses).
    """
    backoff = backoff or Backoff()
    state = WorkerState()
    while not stop.is_set():
        try:
            applied, failed = drain_one()
            error = "the search engine refused the batch" if failed else ""
        except SearchUnavailable as exc:
            applied, error = 0, str(exc) or "search unavailable"
        except Exception as exc:  # a database that is down must not end the worker either
            log.exception("worker: the batch failed; it stays in the outbox")
            applied, error = 0, f"{type(exc).__name__}: {exc}"
        state.batches += 1
        if error:
            state.failures += 1
            if not state.down:
                state.down = True
                state.transitions.append("down")
                log.warning("worker: search index unavailable, changes wait: %s", error)
            if once:
                break
            stop.wait(backoff.next_delay())
            continue
        if state.down:
            state.down = False
            state.transitions.append("back")
            log.warning("worker: search index available again after %d tries", backoff.failures)
        backoff.reset()
        state.applied += applied
        if applied:
            continue  # more may be waiting: no pause between full batches
        if on_idle is not None:
            on_idle()
        if once:
            break
        stop.wait(interval)
    return state
