"""Small pieces more than one benchmark needs: percentiles and the results file.

(benchmarks/intake.py predates this module and keeps its own copies; they behave the same.)
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

__all__ = ["ROOT", "percentile", "summary", "write_results"]

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (as benchmarks/_load.py computes it); None for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


def summary(values: list[float], digits: int = 2) -> dict[str, float | int | None]:
    """n, p50, p99 and max of latencies in ms, rounded for the JSON file."""

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, digits)

    return {"n": len(values), "p50": r(percentile(values, 0.50)), "p99": r(percentile(values, 0.99)),
            "max": r(max(values, default=None))}


def write_results(kind: str, results: dict) -> Path:
    """benchmarks/results/<kind>-<date>.json; later runs of the same day get -2, -3 ... (all are kept)."""
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    stem = f"{kind}-{datetime.now().date()}"
    path, n = out_dir / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = out_dir / f"{stem}-{n}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
