"""Scenario registry. Apps register scenarios from their ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BenchOptions:
    iterations: int = 1000
    warmup: int = 50


@dataclass
class ScenarioResult:
    scenario: str
    metrics: dict[str, float]
    baseline: dict[str, float]
    ratio: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "metrics": self.metrics,
            "baseline": self.baseline,
            "ratio": self.ratio,
            **self.info,
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Callable[[BenchOptions], ScenarioResult]


_SCENARIOS: dict[str, Scenario] = {}


def register_scenario(
    name: str, description: str
) -> Callable[[Callable[[BenchOptions], ScenarioResult]], Callable[[BenchOptions], ScenarioResult]]:
    def decorator(
        func: Callable[[BenchOptions], ScenarioResult],
    ) -> Callable[[BenchOptions], ScenarioResult]:
        _SCENARIOS[name] = Scenario(name=name, description=description, run=func)
        return func

    return decorator


def scenarios() -> dict[str, Scenario]:
    return dict(sorted(_SCENARIOS.items()))
