"""In-process query runner for the fault suite's query experiment (fast path).

    python bench/faults_qworker.py INDEX

Reads one JSON object per line on stdin (``{"q": "...", "filters": [...]}``), runs
it through ``Engine.search`` and answers one JSON line on stdout: the time taken, the
total, whether the results encode as UTF-8 JSON, or the exception with its traceback.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path


def main() -> int:
    try:
        from searchkit.engine import Engine
        from searchkit.errors import SearchkitError
        from searchkit.model import SearchRequest
    except Exception as exc:  # the API moved: the suite falls back to the CLI
        print(json.dumps({"unavailable": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 3
    try:
        engine = Engine(Path(sys.argv[1]))
    except Exception as exc:  # e.g. a damaged index: a SearchkitError is a clean refusal
        print(json.dumps(_failure(exc, SearchkitError, 0.0) | {"open_failed": True}), flush=True)
        return 4
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        filters = tuple((f, tuple(v)) for f, v in ask.get("filters", ()))
        started = time.perf_counter()
        try:
            results = engine.search(SearchRequest(query=ask["q"], filters=filters))
            ms = (time.perf_counter() - started) * 1000
            try:
                json.dumps(results.to_json(), ensure_ascii=False).encode("utf-8")
                json_ok = True
            except (UnicodeEncodeError, TypeError, ValueError):
                json_ok = False
            reply = {"ms": ms, "total": results.total, "json_ok": json_ok}
        except Exception as exc:
            reply = _failure(exc, SearchkitError, (time.perf_counter() - started) * 1000)
        print(json.dumps(reply), flush=True)
    return 0


def _failure(exc: Exception, clean: type, ms: float) -> dict:
    """An exception as a reply; ``clean``: searchkit's own one-line errors."""
    return {
        "ms": ms,
        "error": f"{type(exc).__name__}: {exc}"[:300],
        "searchkit_error": isinstance(exc, clean),
        "tb": traceback.format_exc()[-800:],
    }


if __name__ == "__main__":
    sys.exit(main())
