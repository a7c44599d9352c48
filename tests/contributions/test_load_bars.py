"""The load benchmark's bars: a run in which no contribution was logged fails `load_logged`,
whatever the other bars say (they all pass when every log request is refused)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_module() -> ModuleType:
    path = str(BENCH)
    sys.path.insert(0, path)  # bench scripts import their `_common` as a sibling
    try:
        spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        if path in sys.path:
            sys.path.remove(path)


load = _load_module()
NOTHING_LOST = load.Count(
    rows_new=0, keys_acknowledged=0, lost=[], duplicated_keys=[], unacknowledged=[], unkeyed_rows=0
)


def _lines(answers: list[object]) -> dict[str, str]:
    return {bar.name: bar.line() for bar in load.bars(answers, NOTHING_LOST)}


def test_a_run_where_every_log_request_failed_fails_load_logged() -> None:
    answers = [load.Answer("search", 200, 0.01), *[load.Answer("log", 422, 0.01)] * 3]
    lines = _lines(answers)
    assert lines["load_logged"] == "bar: load_logged = 0 (limit >= 1) FAIL"
    assert lines["load_5xx"].endswith(" ok")  # the run looks clean otherwise


def test_load_logged_counts_2xx_answers_to_log_requests_only() -> None:
    answers = [
        load.Answer("log", 201, 0.01),
        load.Answer("log", 200, 0.01),
        load.Answer("log", 409, 0.01),
        load.Answer("replay", 200, 0.01),
        load.Answer("search", 200, 0.01),
    ]
    assert _lines(answers)["load_logged"] == "bar: load_logged = 2 (limit >= 1) ok"
