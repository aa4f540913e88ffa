from __future__ import annotations

import statistics


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``samples`` (pct in 0..100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summarize_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(percentile(ms, 50), 4),
        "p95_ms": round(percentile(ms, 95), 4),
        "mean_ms": round(statistics.fmean(ms), 4),
        "n": len(ms),
    }


def ratios(metrics: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    return {
        "p50": round(metrics["p50_ms"] / baseline["p50_ms"], 3),
        "p95": round(metrics["p95_ms"] / baseline["p95_ms"], 3),
    }
